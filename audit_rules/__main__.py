"""`python -m audit_rules …` is the same as the `audit-rules` command."""

from audit_rules.cli import main

main(prog_name="audit-rules")

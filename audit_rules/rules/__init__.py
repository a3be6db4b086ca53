"""The rule engine: rulesets (YAML) compiled to DuckDB SQL and run over the canonical tables.

    from audit_rules.rules import load_ruleset, run_rules
    ruleset = load_ruleset(None, {"meal_per_head_limit": "120"})   # built-in default + --set
    findings, outcomes = run_rules(ledgers.by_kind(), ruleset, unusable)
"""

from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import (
    builtin_rulesets,
    load_ruleset,
    load_ruleset_text,
    validate_ruleset_file,
)
from audit_rules.rules.model import Parameter, Rule, Ruleset, RulesetError

__all__ = [
    "Parameter",
    "Rule",
    "Ruleset",
    "RulesetError",
    "builtin_rulesets",
    "load_ruleset",
    "load_ruleset_text",
    "run_rules",
    "validate_ruleset_file",
]

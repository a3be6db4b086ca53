"""A user's clone has nothing beside it: code and tests read no sibling shared folder and no absolute path,
and the contract the project promises ships inside the package."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import jsonschema
from helpers.paths import ROOT

from audit_rules.contracts import findings_schema

# Paths read, not SQL text tested for refusal ("COPY … TO '/tmp/x'" is a test of the guard).
OUTSIDE = re.compile(r"""\.\./shared|["']/work/|(Path|open)\(\s*["']/|/\s*["']shared["']""")


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.splitlines()]


def test_no_code_or_test_reads_outside_the_clone():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _tracked("*.py", "*.cfg", "*.toml", "Makefile", ".ci/*")
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_findings_schema_ships_in_the_package_and_is_a_valid_schema():
    schema = findings_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "analytics" in schema["properties"]
    assert "union_dues_unpaid" in schema["$defs"]["finding"]["properties"]["category"]["enum"]

"""Helpers for the tests of the date_order / lookup / purpose / same_person / periodic types:
run rule YAML through the real loader and engine, with the parameters a test names
(self-contained: a test does not depend on the default ruleset's values)."""

from __future__ import annotations

from typing import Any

import yaml

from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import load_ruleset_text

HEADER = {"title": "测试规则", "category": "custom", "severity": "medium", "basis": "测试"}


def _param_type(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "string"


def ruleset_text(rule: dict | list[dict], params: dict[str, Any] | None = None) -> str:
    rules = rule if isinstance(rule, list) else [rule]
    rules = [{"id": f"t{i}", **HEADER, **r} for i, r in enumerate(rules)]
    data = {
        "id": "t",
        "title": "测试",
        "version": "t",
        "parameters": {n: {"value": v, "type": _param_type(v), "verified": True} for n, v in (params or {}).items()},
        "rules": rules,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def run(rule: dict | str, tables: dict, params: dict[str, Any] | None = None, unusable=None):
    """(findings, outcomes) of one rule (a dict of the type's fields plus message/type, or YAML)."""
    if isinstance(rule, str):
        rule = yaml.safe_load(rule)
    ruleset = load_ruleset_text(ruleset_text(rule, params))
    return run_rules(dict(tables), ruleset, unusable=unusable)


def rows_of(findings) -> list[int]:
    """Primary Excel rows of the findings, sorted."""
    return sorted(f.locations[0].row for f in findings)

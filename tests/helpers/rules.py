"""Helpers for rule tests: canonical tables as the ledgers stage produces them, and one-call rule runs.

`make_table` builds a DataFrame with the documented canonical dtypes (date → datetime64[ns] at
midnight, amount/ratio → float64, count/year → Int64, bool → boolean, text/id → str or None,
list → list[str] or None) and provenance (`_file`, `_sheet`, `_row` from 3 — a title row and a
header row above the data — `_unit`, `_bad`). Only the fields named in the rows (or in `fields`)
become columns: a field the ledger lacked is absent, as in real canonical tables.

`run_rule_yaml` runs one rule (or a list of rules, or a whole ruleset) given as YAML text,
on top of the built-in default ruleset's parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import infer_parameter_type, load_ruleset, load_ruleset_text

PROVENANCE_KEYS = ("_file", "_sheet", "_row", "_unit", "_bad")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


def _as_str(value: Any) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    return text or None


def _as_list(value: Any) -> list[str] | None:
    if _blank(value):
        return None
    if isinstance(value, str):
        import re

        items = [v.strip() for v in re.split(r"[、，,;；]", value)]
    else:
        items = [str(v).strip() for v in value]
    items = [v for v in items if v]
    return items or None


def typed_column(values: list[Any], field_type: str) -> pd.Series:
    """One column in the canonical dtype of a kinds.yaml field type."""
    if field_type == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")).astype(
            "datetime64[ns]"
        ).dt.normalize()
    if field_type in ("amount", "ratio"):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
    if field_type in ("count", "year"):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("Int64")
    if field_type == "bool":
        return pd.Series([None if _blank(v) else bool(v) for v in values], dtype="boolean")
    if field_type == "list":
        return pd.Series([_as_list(v) for v in values], dtype=object)
    return pd.Series([_as_str(v) for v in values], dtype=object)


def make_table(
    kind: str,
    rows: list[Mapping[str, Any]],
    unit: str | None = "甲单位",
    file: str = "x.xlsx",
    sheet: str = "S",
    fields: Iterable[str] | None = None,
    first_row: int = 3,
) -> pd.DataFrame:
    """A canonical table of `kind`. A row may override `_unit` (None = shared reference row),
    `_file`, `_sheet`, `_row` and `_bad` (list of unreadable field names)."""
    spec = table_kinds()[kind]
    wanted = list(fields or [])
    for row in rows:
        for key in row:
            if key not in PROVENANCE_KEYS and key not in wanted:
                wanted.append(key)
    unknown = [f for f in wanted if f not in spec.fields]
    if unknown:
        raise KeyError(f"{kind} has no fields {unknown}")
    ordered = [f for f in spec.fields if f in wanted]
    columns: dict[str, pd.Series] = {
        name: typed_column([row.get(name) for row in rows], spec.fields[name].type) for name in ordered
    }
    frame = pd.DataFrame(columns, index=range(len(rows)))
    frame["_file"] = pd.Series([row.get("_file", file) for row in rows], dtype=object)
    frame["_sheet"] = pd.Series([row.get("_sheet", sheet) for row in rows], dtype=object)
    frame["_row"] = pd.Series(
        [row.get("_row", first_row + i) for i, row in enumerate(rows)], dtype="int64"
    )
    frame["_unit"] = pd.Series([row.get("_unit", unit) for row in rows], dtype=object)
    frame["_bad"] = pd.Series([list(row.get("_bad", [])) for row in rows], dtype=object)
    return frame


def as_table(kind: str, frame: pd.DataFrame, file: str | None = None, sheet: str | None = None):
    """A canonical frame as the ledgers stage's Table (raw cells = the values as text)."""
    from audit_rules.ledgers.model import Table

    raw = frame[[c for c in frame.columns if not c.startswith("_")]].astype("string").astype(object)
    return Table(file=file or str(frame["_file"].iloc[0]), sheet=sheet if sheet is not None else str(frame["_sheet"].iloc[0]),
                 kind=kind, header_row=2, fields={c: c for c in raw.columns}, unmapped=[], data=frame, raw=raw)


def concat_tables(*frames: pd.DataFrame) -> pd.DataFrame:
    """Several canonical tables of one kind together (as LedgerSet.by_kind does)."""
    return pd.concat(frames, ignore_index=True)


def run_rule_yaml(
    yaml_text: str,
    tables: Mapping[str, pd.DataFrame],
    params: Mapping[str, Any] | None = None,
    unusable: dict[str, dict[str, str]] | None = None,
    base_dir: str | Path | None = None,
    keep_disabled: bool = False,
):
    """Run rules given as YAML text: one rule (a mapping with `id`), a list of rules, or a whole
    ruleset (a mapping with `rules`). Rules alone extend the built-in default ruleset, so every
    default parameter is available. `params` overrides parameter values (like `--set`).
    Returns (findings, outcomes) of the engine; the outcomes of disabled rules (the default
    rules switched off around the rules under test) are left out unless `keep_disabled`."""
    from audit_rules.rules.engine import run_rules
    from audit_rules.rules.loader import load_ruleset_text

    ruleset = load_ruleset_text(
        ruleset_yaml_for(yaml_text), overrides=dict(params or {}), base_dir=base_dir
    )
    findings, outcomes = run_rules(dict(tables), ruleset, unusable=unusable)
    if not keep_disabled:
        outcomes = [o for o in outcomes if o.status != "disabled"]
    return findings, outcomes


def ruleset_yaml_for(yaml_text: str) -> str:
    """Wrap rule YAML into a ruleset extending the default one (unchanged if already a ruleset)."""
    import yaml

    data = yaml.safe_load(yaml_text)
    if isinstance(data, dict) and "rules" in data:
        return yaml_text
    from audit_rules.rules.loader import load_ruleset

    rules = data if isinstance(data, list) else [data]
    wrapper = {
        "id": "test",
        "title": "测试规则集",
        "version": "test",
        "extends": "default",
        # only the rules under test run: every default rule is switched off
        "disable": [rule.id for rule in load_ruleset(None).rules],
        "rules": rules,
    }
    return yaml.safe_dump(wrapper, allow_unicode=True, sort_keys=False)


# ---- rules as YAML with their own parameters (self-contained tests of a type)

HEADER = {"title": "测试规则", "category": "custom", "severity": "medium", "basis": "测试"}


def _param_type(value: Any) -> str:
    if isinstance(value, bool):  # the loader would take it for a string: a mistake in a test
        raise TypeError(value)
    return infer_parameter_type(value)


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


# ---- shipped rules, run alone with the parameters in force

def run_default(rule_id: str, tables: dict, parent: str = "default", overrides=None):
    """Only `rule_id` of the built-in ruleset `parent`, with its parameters in force."""
    base = load_ruleset(parent)
    text = yaml.safe_dump(
        {"id": "only", "title": "单条规则", "extends": parent, "disable": [r.id for r in base.rules if r.id != rule_id]},
        allow_unicode=True,
    )
    ruleset = load_ruleset_text(text, overrides=overrides)
    findings, outcomes = run_rules(tables, ruleset)
    outcomes = [o for o in outcomes if o.status != "disabled"]
    assert [o.rule_id for o in outcomes] == [rule_id]
    return findings, outcomes[0]


def shipped_findings(rule_id: str, tables, params=None):
    """The findings of the shipped default rule `rule_id` alone, `params` set like --set; the rule must run."""
    findings, outcome = run_default(rule_id, tables, overrides=params)
    assert outcome.status == "ran", outcome.reason
    return findings


# ---- canonical rows most type tests start from

def reception(**kw):
    """A 公务接待 row: guests from another city, two guests and one companion, unless `kw` says otherwise."""
    base = dict(date="2024-05-06", guest_unit="某局", guest_location="株洲市", guest_count=2, companion_count=1)
    return {**base, **kw}


def pay(date, invoice, amount, **kw):
    """A payment row with its invoice number (payee 某公司 unless given)."""
    return dict(date=date, invoice_no=invoice, amount=amount, payee=kw.pop("payee", "某公司"), **kw)


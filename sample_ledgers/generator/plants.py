"""Before anything is written: the oracle, run over the records, must find exactly what was planted."""

from __future__ import annotations

from . import oracle
from .records import Record, UnitData, all_records
from .ruleset import key_categories
from .workbook import kinds


def record_tables(units: list[UnitData], trust_bad: bool = False) -> dict[str, list[dict]]:
    """The records as the oracle reads tables: kind -> rows of the kind's fields, `_unit`, `_bad` and
    `_rec` (the record). `trust_bad=True` believes the bad cells (no field is marked unreadable)."""
    tables: dict[str, list[dict]] = {}
    for kind, spec in kinds().items():
        tables[kind] = [{**{name: getattr(rec, name, None) for name in spec["fields"]},
                         "_unit": rec.unit, "_bad": set() if trust_bad else rec.bad_fields, "_rec": rec}
                        for u in units for rec in getattr(u, kind, [])]
    return tables


def expected_findings(units: list[UnitData], trust_bad: bool = False) -> set[tuple[str, int]]:
    """(rule_id, id(primary record)) of every finding the default ruleset should produce.

    A rule sees a record only when none of the fields it needs is a bad cell (the engine leaves
    such rows out of that rule); `trust_bad=True` believes the bad cells instead, to prove that
    each planted bad cell sits on a row that would otherwise trip its rule.
    """
    return oracle.findings(record_tables(units, trust_bad), key=lambda row: id(row["_rec"]))


def check_plants(units: list[UnitData]) -> None:
    """Refuse to write samples whose findings differ from what was planted, or whose bad cells
    sit on rows that would not trip their rule if believed (the exclusion would prove nothing)."""
    expected = expected_findings(units)
    by_id: dict[int, Record] = {id(r): r for u in units for r in all_records(u)}
    would = {(rule, id(r)) for u in units for r in all_records(u) for rule in r.would}
    believed = expected_findings(units, trust_bad=True) - expected
    assert believed == would, (f"bad cells that would trip a rule: {sorted(believed)}; "
                               f"declared: {sorted(would)}")
    planted = {(rule, id(r)) for u in units for r in all_records(u) for rule, _, _ in r.plants}
    if expected != planted:
        def show(s):
            return sorted((rule, type(by_id[i]).__name__, getattr(by_id[i], "summary", None) or
                           getattr(by_id[i], "name", None) or str(by_id[i])[:80]) for rule, i in s)
        raise AssertionError(f"unplanted findings: {show(expected - planted)}\nplanted but not found: "
                             f"{show(planted - expected)}")
    rules = set(key_categories())  # the journal rules ahead of the ruleset too
    missing = rules - {rule for rule, _ in planted}
    assert not missing, f"rules without a planted finding: {missing}"
    rules_near = {rule for u in units for r in all_records(u) for rule, _, _ in r.nears}
    assert not rules - rules_near, f"rules without a near miss: {rules - rules_near}"

"""Executable rule examples: every shipped rule runs the cases of `tests/rules/cases/<rule-id>.yaml`.

Modelled on sqlfluff's `test/fixtures/rules/std_rule_cases/*.yml`: one data file per rule, one
runner. A case file is a mapping of case name -> case:

    flags_over_limit:
      note: "接待对象2人、陪同1人，用餐600元，人均200元 > 150元"   # the prose example covered (or a list)
      parameters: {meal_per_head_limit: 120}                      # optional, like --set
      tables:                                                     # kind -> canonical rows
        receptions:
          - {guest_unit: 某局, guest_count: 2, companion_count: 1, amount: 600}
      expect:                                                     # [] = must not flag
        - rows: [3]                                               # Excel rows of its locations, in order
          amount: 150                                             # optional, to the cent (null = no amount)
          unit: 甲单位                                            # optional
          message_contains: [人均200.00元]                        # optional
      xfail: "why the rule is wrong here"                         # optional: a known bug

Rows are built by `rule_fixtures.make_table` (unit 甲单位, Excel rows from 3 in the order listed,
file `<kind>.xlsx`, sheet `<kind>`); a row may set `_unit` (null = a shared reference row),
`_file`, `_sheet`, `_row` and `_bad`. The rule runs alone: a ruleset extending the built-in one
that ships it, with every other rule disabled. Each prose example of the rule (`examples.flags`
/ `examples.passes` in the ruleset) must be the `note` of a flagging / passing case.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.rules import as_table, make_table, run_rule_yaml

from audit_rules.findings import Finding
from audit_rules.ledgers.journal import derive_payments
from audit_rules.rules.loader import builtin_dir, builtin_rulesets, load_ruleset

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {"tables", "parameters", "expect", "note", "xfail"}
EXPECT_KEYS = {"rows", "amount", "unit", "message_contains"}
DEFAULT_RULESET = "default"


# ---- what is shipped ------------------------------------------------------------------------


def _own_rule_ids(name: str) -> list[str]:
    """Ids of the rules a built-in ruleset defines itself (not those it inherits)."""
    raw = yaml.safe_load((builtin_dir() / f"{name}.yaml").read_text(encoding="utf-8")) or {}
    return [str(rule["id"]) for rule in raw.get("rules") or [] if isinstance(rule, dict) and "id" in rule]


def shipped_rules() -> dict[str, str]:
    """Rule id -> the built-in ruleset that ships it: every rule of default.yaml, then the rules
    other built-ins (changsha.yaml) define of their own rather than only re-parameterise."""
    owners = {rule.id: DEFAULT_RULESET for rule in load_ruleset(DEFAULT_RULESET).rules}
    for name in builtin_rulesets():
        if name != DEFAULT_RULESET:
            for rule_id in _own_rule_ids(name):
                owners.setdefault(rule_id, name)
    return owners


SHIPPED = shipped_rules()


# ---- the case files -------------------------------------------------------------------------


def case_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(CASES_DIR.glob("*.yaml"))}


def load_cases(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data, f"{path.name}: expected a mapping of case name -> case"
    return data


def case_problems(name: str, case: Any) -> list[str]:
    """What is wrong with the shape of one case ([] when it is well formed)."""
    if not isinstance(case, dict):
        return [f"{name}: a case must be a mapping"]
    problems = [f"{name}: unknown key {key!r}" for key in case if key not in CASE_KEYS]
    if not isinstance(case.get("expect"), list):
        problems.append(f"{name}: `expect` must be a list (empty = must not flag)")
    else:
        for i, exp in enumerate(case["expect"]):
            if not isinstance(exp, dict) or not isinstance(exp.get("rows"), list) or not exp["rows"]:
                problems.append(f"{name}: expect[{i}] needs `rows`, a non-empty list of Excel rows")
                continue
            problems += [f"{name}: expect[{i}] unknown key {key!r}" for key in exp if key not in EXPECT_KEYS]
            if not isinstance(exp.get("message_contains", []), list):
                problems.append(f"{name}: expect[{i}].message_contains must be a list")
    tables = case.get("tables", {})
    if not isinstance(tables, dict) or not all(isinstance(rows, list) and rows for rows in tables.values()):
        problems.append(f"{name}: `tables` must map a table kind to a non-empty list of rows")
    if not isinstance(case.get("parameters", {}), dict):
        problems.append(f"{name}: `parameters` must be a mapping")
    note = case.get("note", "")
    if not (isinstance(note, str) or (isinstance(note, list) and all(isinstance(n, str) for n in note))):
        problems.append(f"{name}: `note` must be a text or a list of texts")
    if "xfail" in case and not (isinstance(case["xfail"], str) and case["xfail"].strip()):
        problems.append(f"{name}: `xfail` must give the reason")
    return problems


def notes_of(case: dict[str, Any]) -> list[str]:
    note = case.get("note") or []
    return [note] if isinstance(note, str) else list(note)


def _params() -> list[Any]:
    params = []
    for rule_id, path in case_files().items():
        for name, case in load_cases(path).items():
            marks = []
            if isinstance(case, dict) and case.get("xfail"):
                marks.append(pytest.mark.xfail(strict=True, reason=str(case["xfail"])))
            params.append(pytest.param(rule_id, name, case, id=f"{rule_id}:{name}", marks=marks))
    return params


# ---- running one case -----------------------------------------------------------------------


@lru_cache(maxsize=None)
def only_rule_yaml(rule_id: str) -> str:
    """A ruleset extending the built-in that ships `rule_id`, with every other rule disabled."""
    owner = SHIPPED[rule_id]
    others = [rule.id for rule in load_ruleset(owner).rules if rule.id != rule_id]
    wrapper = {
        "id": f"case-{rule_id}",
        "title": "规则用例",
        "version": "case",
        "extends": owner,
        "disable": others,
        "rules": [],
    }
    return yaml.safe_dump(wrapper, allow_unicode=True, sort_keys=False)


def build_tables(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Canonical tables of the case; a case giving a journal and no payments also gets the
    payments the journal records, as the pipeline derives them (so payment rules run on it)."""
    built = {
        kind: make_table(kind, rows, file=f"{kind}.xlsx", sheet=kind) for kind, rows in tables.items()
    }
    if "journal" in built and "payments" not in built:
        derived = derive_payments(as_table("journal", built["journal"]))
        if derived is not None:
            built["payments"] = derived.data
    return built


def describe(finding: Finding) -> str:
    rows = [loc.row for loc in finding.locations]
    return f"rows={rows} amount={finding.amount} unit={finding.unit} message={finding.message}"


def mismatches(expected: dict[str, Any], finding: Finding) -> list[str]:
    """How an actual finding differs from an expected one with the same location rows."""
    problems = []
    if "amount" in expected:
        want = expected["amount"]
        if want is None:
            if finding.amount is not None:
                problems.append(f"amount {finding.amount} != None")
        elif finding.amount is None or round(finding.amount * 100) != round(float(want) * 100):
            problems.append(f"amount {finding.amount} != {want}")
    if "unit" in expected and finding.unit != expected["unit"]:
        problems.append(f"unit {finding.unit!r} != {expected['unit']!r}")
    for text in expected.get("message_contains", []):
        if str(text) not in finding.message:
            problems.append(f"message lacks {text!r}")
    return problems


def assert_findings(expect: list[dict[str, Any]], findings: list[Finding]) -> None:
    listing = "\n  ".join(describe(f) for f in findings) or "(none)"
    unmatched = list(findings)
    for i, exp in enumerate(expect):
        same_rows = [f for f in unmatched if [loc.row for loc in f.locations] == list(exp["rows"])]
        if not same_rows:
            pytest.fail(f"expect[{i}]: no finding at rows {exp['rows']}; actual findings:\n  {listing}")
        fitting = [f for f in same_rows if not mismatches(exp, f)]
        if not fitting:
            pytest.fail(
                f"expect[{i}] at rows {exp['rows']}: {'; '.join(mismatches(exp, same_rows[0]))}\n"
                f"actual findings:\n  {listing}"
            )
        unmatched.remove(fitting[0])
    if unmatched:
        extra = "\n  ".join(describe(f) for f in unmatched)
        pytest.fail(f"{len(unmatched)} finding(s) not expected:\n  {extra}")


@pytest.mark.parametrize(("rule_id", "name", "case"), _params())
def test_rule_case(rule_id: str, name: str, case: dict[str, Any]) -> None:
    assert not case_problems(name, case), case_problems(name, case)
    assert rule_id in SHIPPED, f"{rule_id}.yaml names no shipped rule"
    tables = build_tables(case.get("tables") or {})
    findings, outcomes = run_rule_yaml(
        only_rule_yaml(rule_id), tables, params=case.get("parameters") or {}, base_dir=builtin_dir()
    )
    assert [o.rule_id for o in outcomes] == [rule_id]
    outcome = outcomes[0]
    if tables:
        assert outcome.status == "ran", f"rule {outcome.status}: {outcome.reason}"
    assert all(f.rule_id == rule_id for f in findings)
    assert_findings(case["expect"], findings)


# ---- the case files cover the shipped rules -------------------------------------------------


def test_every_shipped_rule_has_a_case_file() -> None:
    missing = sorted(set(SHIPPED) - set(case_files()))
    assert not missing, f"shipped rules without tests/rules/cases/<rule-id>.yaml: {missing}"


def test_every_case_file_names_a_shipped_rule() -> None:
    unknown = sorted(set(case_files()) - set(SHIPPED))
    assert not unknown, f"case files naming no shipped rule: {unknown}"


def test_the_shipped_rules_include_every_rule_of_the_default_ruleset() -> None:
    default_ids = {rule.id for rule in load_ruleset(None).rules}
    assert default_ids <= set(SHIPPED) and len(default_ids) >= 24


@pytest.mark.parametrize("rule_id", sorted(case_files()))
def test_case_file_is_well_formed_with_flagging_and_passing_cases(rule_id: str) -> None:
    cases = load_cases(case_files()[rule_id])
    problems = [p for name, case in cases.items() for p in case_problems(str(name), case)]
    assert not problems, "\n".join(problems)
    working = [case for case in cases.values() if not case.get("xfail")]  # known bugs prove nothing
    assert any(case["expect"] for case in working), f"{rule_id}: no case that flags"
    assert any(not case["expect"] for case in working), f"{rule_id}: no case that must not flag"


@pytest.mark.parametrize("rule_id", sorted(SHIPPED))
def test_every_prose_example_is_a_case(rule_id: str) -> None:
    """Each `examples.flags` item is the note of a flagging case, each `examples.passes` item the
    note of a passing one (copy the prose text into `note`)."""
    path = case_files().get(rule_id)
    if path is None:
        pytest.skip("no case file (reported by test_every_shipped_rule_has_a_case_file)")
    rule = load_ruleset(SHIPPED[rule_id]).rule(rule_id)
    cases = [c for c in load_cases(path).values() if isinstance(c, dict) and not c.get("xfail")]
    flag_notes = {n for c in cases if c.get("expect") for n in notes_of(c)}
    pass_notes = {n for c in cases if c.get("expect") == [] for n in notes_of(c)}
    uncovered = [f"flags: {e}" for e in rule.examples.flags if e not in flag_notes]
    uncovered += [f"passes: {e}" for e in rule.examples.passes if e not in pass_notes]
    assert not uncovered, f"{rule_id}: prose examples without a case:\n" + "\n".join(uncovered)

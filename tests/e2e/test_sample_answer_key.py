"""End to end on the committed sample ledgers: exactly the answer key, the contract, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from helpers.paths import SAMPLE_KEYS, SAMPLES

from audit_rules.contracts import findings_schema
from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports


def _answer_key() -> set[tuple[str, str, int, str, str]]:
    with open(SAMPLE_KEYS / "answer_key.csv", encoding="utf-8") as fh:
        return {
            (r["rule_id"], r["file"], r["sheet"], int(r["row"]), r["category"])
            for r in csv.DictReader(fh)
        }


def _found(result) -> set[tuple[str, str, int, str, str]]:
    return {
        (f.rule_id, f.locations[0].file, f.locations[0].sheet, f.locations[0].row, f.category)
        for f in result.findings
    }


def _digest_tree(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample_result():
    return run_check([SAMPLES])


def test_samples_give_exactly_the_answer_key(sample_result):
    expected = _answer_key()
    found = _found(sample_result)
    assert sample_result.errors == []  # the answer keys live in sample_keys/, not among the ledgers
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missing and not extra, f"missing (planted, not found): {missing}\nextra (not planted): {extra}"


def test_every_rule_of_the_default_ruleset_runs_on_the_samples(sample_result):
    skipped = [(r.rule_id, r.reason) for r in sample_result.rules if r.status != "ran"]
    assert skipped == []


def test_the_demo_reads_only_ledgers(sample_result):
    """The answer keys are CSV files: among the ledgers they were read as two more inputs."""
    ledgers = sorted(
        str(p.relative_to(SAMPLES)).replace("\\", "/") for p in SAMPLES.rglob("*") if p.suffix in (".xlsx", ".xls", ".csv")
    )
    assert sorted(i.file for i in sample_result.inputs) == ledgers
    assert len(ledgers) == 20 and not any("key" in name for name in ledgers)  # 8 + 9 + 2 + 1 per unit


def test_findings_json_follows_the_contract(sample_result, tmp_path):
    written = write_reports(sample_result, tmp_path, ("json",))
    data = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
    jsonschema.validate(data, findings_schema())
    assert {i["file"] for i in data["run"]["inputs"]} >= {
        str(p.relative_to(SAMPLES)).replace("\\", "/")
        for p in SAMPLES.rglob("*")
        if p.suffix in (".xlsx", ".csv") and not p.name.startswith("~$")
    }
    assert data["run"]["parameters"]["meal_per_head_limit"]["verified"] is False
    assert data["findings"], "the samples plant findings"


def test_same_inputs_give_the_same_findings_json(tmp_path):
    outputs = []
    for n in range(2):
        result = run_check([SAMPLES])
        path = write_reports(result, tmp_path / str(n), ("json",))["json"]
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["run"].pop("started_at", None)
        data["run"].pop("command_line", None)
        outputs.append(data)
    assert outputs[0] == outputs[1]


def test_a_check_never_modifies_its_inputs(tmp_path):
    copy = tmp_path / "ledgers"
    shutil.copytree(SAMPLES, copy)
    before = _digest_tree(copy)
    run_check([copy])
    assert _digest_tree(copy) == before


def test_findings_carry_the_date_of_their_primary_row(sample_result):
    undated_rules = {"segregation-incompatible-posts"}  # a staff-roster row: serving staff carry no date
    assert all(f.date for f in sample_result.findings if f.rule_id not in undated_rules)
    assert all(f.date is None for f in sample_result.findings if f.rule_id in undated_rules)
    twice = [f for f in sample_result.findings if f.rule_id == "duplicate-payment" and f.unit == "长沙市示范科技局"]
    assert [f.date for f in twice] == ["2019-10-15"]  # the later payment of the pair

"""findings.json: schema conformance, determinism, ordering and value conversion."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import jsonschema
import numpy as np
import pytest
from helpers.reports import PARAMETERS, make_result

from audit_rules.contracts import findings_schema
from audit_rules.reports.json_report import to_findings_json, write_findings_json

SCHEMA = findings_schema()


def validate(doc: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_valid_against_schema_without_baseline():
    doc = to_findings_json(make_result(crafted=True))
    validate(doc)
    assert "resolved" not in doc
    assert all("status" not in f for f in doc["findings"])


def test_valid_against_schema_with_baseline():
    doc = to_findings_json(make_result(baseline=True))
    validate(doc)
    assert [f["id"] for f in doc["resolved"]] == [make_result(baseline=True).resolved[0].id]
    assert {f["status"] for f in doc["findings"]} == {"new", "open"}


def test_empty_resolved_list_is_kept_when_baseline_given():
    result = make_result()
    result.resolved = []
    doc = to_findings_json(result)
    validate(doc)
    assert doc["resolved"] == []


def test_run_section_carries_ruleset_inputs_and_every_parameter():
    result = make_result()
    run = to_findings_json(result)["run"]
    assert run["ruleset"] == {
        "id": "default", "sha256": "a" * 64, "title": result.ruleset_title, "version": "2024.1",
    }
    assert sorted(i["file"] for i in run["inputs"]) == sorted(i.file for i in result.inputs)
    assert set(run["parameters"]) == set(PARAMETERS)
    meal = run["parameters"]["meal_per_head_limit"]
    assert meal == {"value": 150, "unit": "元/人", "verified": False, "basis": PARAMETERS["meal_per_head_limit"]["basis"]}
    assert run["parameters"]["price_limits"]["value"] == {"台式计算机": 5000, "便携式计算机": 7000}
    assert run["started_at"] == result.started_at
    assert run["command_line"] == result.command_line


def test_findings_sorted_by_category_unit_file_sheet_row_id():
    findings = to_findings_json(make_result(crafted=True))["findings"]
    keys = [
        (f["category"], f["unit"] or "", f["locations"][0]["file"], f["locations"][0]["sheet"], f["locations"][0]["row"], f["id"])
        for f in findings
    ]
    assert keys == sorted(keys)
    assert len(findings) == 9


def test_same_inputs_same_json_apart_from_run_time():
    first = make_result(crafted=True, baseline=True)
    second = make_result(crafted=True, baseline=True)
    second.started_at = "2024-03-02T10:00:00+08:00"
    rng = random.Random(7)
    for items in (second.findings, second.inputs, second.data_quality, second.errors, second.resolved):
        rng.shuffle(items)
    a, b = to_findings_json(first), to_findings_json(second)
    assert a["run"].pop("started_at") != b["run"].pop("started_at")
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def test_skipped_and_failed_rules_listed_with_reasons():
    doc = to_findings_json(make_result())
    assert {r["rule_id"]: r["reason"] for r in doc["skipped_rules"]} == {
        "staff-paid-review-fee": "规则执行出错：人员名册缺少“人员状态”列",
        "study-session-gap": "未找到会议记录表（meetings），无法检查",
    }


def test_data_quality_and_errors_are_written():
    doc = to_findings_json(make_result())
    failed = [q for q in doc["data_quality"] if not q["passed"]]
    assert {q["field"] for q in failed} == {"voucher_no", "sign_date"}
    assert {"row": 11, "value": "2019年13月1日"} in next(q for q in failed if q["field"] == "sign_date")["failed"]
    assert {"file": "市卫健委/付款明细.xlsx", "sheet": "说明", "message": "工作表为空，已跳过"} in doc["errors"]
    assert any(e["sheet"] is None for e in doc["errors"])


def test_numpy_and_nan_values_become_plain_json():
    result = make_result()
    result.findings[0].amount = np.float64(12.5)
    result.findings[1].amount = float("nan")
    result.data_quality[1].failed = [{"row": np.int64(4), "value": np.float64(math.inf)}]
    doc = to_findings_json(result)
    validate(doc)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN/inf
    amounts = {f["id"]: f["amount"] for f in json.loads(text)["findings"]}
    assert amounts[result.findings[0].id] == 12.5
    assert amounts[result.findings[1].id] is None


def test_unverified_parameters_and_title_are_kept_on_findings():
    doc = to_findings_json(make_result())
    meal = next(f for f in doc["findings"] if f["rule_id"] == "meal-reception-per-head")
    assert meal["unverified_parameters"] == ["meal_per_head_limit"]
    assert meal["title"] == "公务接待人均用餐超标准"
    others = [f for f in doc["findings"] if f["rule_id"] != "meal-reception-per-head"]
    assert all("unverified_parameters" not in f for f in others)


def test_invalid_finding_is_caught_by_schema():
    """The schema check above can fail: a finding without locations is rejected."""
    result = make_result()
    result.findings[0] = dataclasses.replace(result.findings[0], locations=[])
    with pytest.raises(jsonschema.ValidationError):
        validate(to_findings_json(result))


def test_write_findings_json_is_utf8_readable(tmp_path):
    path = write_findings_json(make_result(), tmp_path / "sub" / "findings.json")
    text = path.read_text(encoding="utf-8")
    assert "市教育局" in text  # not \u escaped
    validate(json.loads(text))
    assert [p.name for p in path.parent.iterdir()] == ["findings.json"]

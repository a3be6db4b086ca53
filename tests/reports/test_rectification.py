"""Baseline comparison (new / open / resolved) and 整改 carry-over from the previous report."""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers.reports import base_findings, make_result
from openpyxl import load_workbook

from audit_rules.findings import Finding, Location
from audit_rules.reports import write_reports
from audit_rules.reports.json_report import to_findings_json
from audit_rules.reports.rectification import (
    Baseline,
    BaselineError,
    compare,
    load_baseline,
    load_rectification,
    read_rectification,
)


def f(fid: str, row: int = 2) -> Finding:
    return Finding("r", "custom", "low", "m", [Location("a.xlsx", "S", row)], id=fid)


def test_same_ids_are_open_even_when_rows_moved():
    current, resolved = compare([f("x", row=9), f("y")], [f("x", row=3), f("y")])
    assert [(c.id, c.status) for c in current] == [("x", "open"), ("y", "open")]
    assert current[0].locations[0].row == 9  # this run's location, not the baseline's
    assert resolved == []


def test_new_id_is_new_and_missing_id_is_resolved():
    current, resolved = compare([f("x"), f("new")], [f("x"), f("gone")])
    assert {c.id: c.status for c in current} == {"x": "open", "new": "new"}
    assert [r.id for r in resolved] == ["gone"]
    assert resolved[0].status is None


def test_empty_baseline_makes_everything_new():
    current, resolved = compare([f("a"), f("b")], [])
    assert {c.status for c in current} == {"new"} and resolved == []


def test_compare_does_not_modify_inputs():
    cur, base = [f("a")], [f("a"), f("b")]
    compare(cur, base)
    assert cur[0].status is None and len(base) == 2


def test_baseline_status_is_not_inherited_for_resolved():
    old = dataclasses.replace(f("gone"), status="open")
    _, resolved = compare([], [old])
    assert resolved[0].status is None


def write_baseline(tmp_path, findings):
    result = make_result(ledger_dir=tmp_path / "ledgers", findings=findings)
    return result, write_reports(result, tmp_path / "2023")


def test_load_baseline_from_dir_or_file(tmp_path):
    result, paths = write_baseline(tmp_path, base_findings())
    by_dir = load_baseline(tmp_path / "2023")
    by_file = load_baseline(paths["json"])
    assert sorted(x.id for x in by_dir) == sorted(x.id for x in result.findings)
    assert [x.to_json() for x in by_dir] == [x.to_json() for x in by_file]
    dup = next(x for x in by_dir if x.rule_id == "duplicate-payment")
    assert dup.locations == [Location("市卫健委/付款明细.xlsx", "7月", 15), Location("市教育局/2019年付款明细.xlsx", "6月", 9)]


def test_load_baseline_errors_are_chinese(tmp_path):
    with pytest.raises(BaselineError, match="找不到基线文件"):
        load_baseline(tmp_path)
    broken = tmp_path / "findings.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="不是有效的 JSON"):
        load_baseline(broken)
    broken.write_text(json.dumps({"rows": []}), encoding="utf-8")
    with pytest.raises(BaselineError, match="缺少 findings"):
        load_baseline(broken)
    broken.write_text(json.dumps({"findings": [{"id": "a", "rule_id": "r"}]}), encoding="utf-8")
    with pytest.raises(BaselineError, match="第 1 条疑点缺少字段"):
        load_baseline(broken)


def _reconciled(result, baseline_path, ran=None, read=None):
    """What the pipeline does with a baseline: reconcile, then set the result's fields."""
    everything = [*result.findings, *load_baseline(baseline_path)]  # by default all was rechecked
    ran = {f.rule_id for f in everything} if ran is None else ran
    read = {loc.file for f in everything for loc in f.locations} if read is None else read
    reconciled = Baseline.load(baseline_path).reconcile(result.findings, ran, read)
    result.findings, result.resolved = reconciled.findings, reconciled.resolved
    result.not_rechecked, result.rectification = reconciled.not_rechecked, reconciled.entries
    result.baseline = str(baseline_path)
    return result


def test_reconcile_sets_status_resolved_and_carries_rectification(tmp_path):
    old_findings = base_findings()
    _, paths = write_baseline(tmp_path, old_findings)
    # someone fills the 整改 columns in last year's report
    wb = load_workbook(paths["xlsx"])
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    kept, dropped = old_findings[1].id, old_findings[6].id
    for row in ws.iter_rows(min_row=2):
        if row[head.index("编号")].value in (kept, dropped):
            row[head.index("责任部门")].value = "财务科"
            row[head.index("整改状态")].value = "整改中"
    wb.save(paths["xlsx"])
    entry = {"责任部门": "财务科", "整改状态": "整改中"}
    assert load_rectification(tmp_path / "2023") == {kept: entry, dropped: entry}

    current = make_result(ledger_dir=tmp_path / "ledgers", findings=[x for x in base_findings() if x.id != dropped])
    current.findings.append(dataclasses.replace(old_findings[0], id="brandnew00000000"))
    _reconciled(current, tmp_path / "2023")

    statuses = {x.id: x.status for x in current.findings}
    assert statuses["brandnew00000000"] == "new"
    assert statuses[kept] == "open"
    assert [r.id for r in current.resolved] == [dropped]
    assert current.baseline == str(tmp_path / "2023")
    # only still-open findings carry their 整改 entries
    assert current.rectification == {kept: {"责任部门": "财务科", "整改状态": "整改中"}}

    new_paths = write_reports(current, tmp_path / "2024")
    doc = json.loads(new_paths["json"].read_text(encoding="utf-8"))
    assert [r["id"] for r in doc["resolved"]] == [dropped]
    assert read_rectification(new_paths["xlsx"]) == {kept: {"责任部门": "财务科", "整改状态": "整改中"}}


def test_a_finding_gone_whose_rule_did_not_run_or_file_was_not_read_is_not_rechecked(tmp_path):
    old_findings = base_findings()
    write_baseline(tmp_path, old_findings)
    gone = old_findings[6]
    rest = [x for x in base_findings() if x.id != gone.id]
    for ran, read in (({"r"}, {gone.locations[0].file}), ({gone.rule_id}, set())):
        reconciled = Baseline.load(tmp_path / "2023").reconcile(rest, ran, read)
        assert reconciled.resolved == [] and [f.id for f in reconciled.not_rechecked] == [gone.id]


def test_baseline_given_as_its_json_file_finds_the_report_beside_it(tmp_path):
    findings = base_findings()
    _, paths = write_baseline(tmp_path, findings)
    wb = load_workbook(paths["xlsx"])
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        row[head.index("整改状态")].value = "整改中"
    wb.save(paths["xlsx"])
    current = _reconciled(make_result(findings=findings), paths["json"])
    assert current.rectification[findings[0].id] == {"整改状态": "整改中"}
    assert current.rectification[findings[1].id] == {"整改状态": "整改中"}


def test_baseline_without_xlsx_carries_nothing(tmp_path):
    findings = base_findings()
    result = make_result(findings=findings)
    (tmp_path / "findings.json").write_text(json.dumps(to_findings_json(result), ensure_ascii=False), encoding="utf-8")
    current = _reconciled(make_result(findings=findings), tmp_path)
    assert current.rectification == {}

"""对账销号 with evidence (issue 11.2): what the unit typed against what this run finds.

A finding the unit marked 已整改 that this run still finds is 整改不到位（不予销号） in the
terminal, 疑点明细, the 对账销号单 sheet, report.html and findings.json; one gone and rechecked
is 销号 with the date and the run; one gone but not rechecked stays 未复核."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
from helpers.reports import base_findings, make_result
from openpyxl import Workbook, load_workbook
from rich.console import Console

from audit_rules.contracts import findings_schema
from audit_rules.reports import write_reports
from audit_rules.reports.rectification import Baseline, read_rectification

DEADLINE = dt.datetime(2027, 3, 31)


def _fill(xlsx, entries: dict[str, dict]) -> None:
    wb = load_workbook(xlsx)
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for column, value in entries.get(row[head.index("编号")].value, {}).items():
            row[head.index(column)].value = value
    wb.save(xlsx)


@pytest.fixture()
def reconciled(tmp_path):
    """Last year's report with the unit's entries; this year one finding is still there (marked
    已整改), one is gone and rechecked, one is gone but its ledger was not given."""
    old = base_findings()
    first = write_reports(make_result(ledger_dir=tmp_path / "ledgers", findings=old), tmp_path / "2023")
    still, closed, unchecked = old[0], old[1], old[2]
    done = {"整改状态": "已整改", "整改措施": "已追回", "完成时限": DEADLINE, "证明材料": "收款凭证 记-0101"}
    _fill(first["xlsx"], {still.id: done, closed.id: done, unchecked.id: {"整改状态": "已整改"}})

    current = make_result(ledger_dir=tmp_path / "ledgers", findings=[f for f in old if f not in (closed, unchecked)])
    ran = {f.rule_id for f in old}
    read = {loc.file for f in old for loc in f.locations} - {unchecked.locations[0].file}
    outcome = Baseline.load(tmp_path / "2023").reconcile(current.findings, ran, read)
    current.findings, current.resolved, current.not_rechecked = outcome.findings, outcome.resolved, outcome.not_rechecked
    current.rectification, current.gone_entries = outcome.entries, outcome.gone_entries
    current.baseline = str(tmp_path / "2023")
    written = write_reports(current, tmp_path / "2024")
    return current, written, still, closed, unchecked


def _rows(ws) -> dict:
    head = [c.value for c in ws[1]]
    return {row[head.index("编号")].value: dict(zip(head, row)) for row in ws.iter_rows(min_row=2)}


def test_a_finding_marked_done_but_still_found_is_not_accepted_in_the_workbook(reconciled):
    _, written, still, _, _ = reconciled
    wb = load_workbook(written["xlsx"])
    assert _rows(wb["疑点明细"])[still.id]["状态"].value == "整改不到位（不予销号）"
    sheet = _rows(wb["对账销号单"])
    assert sheet[still.id]["复核结论"].value == "整改不到位（不予销号）"
    assert sheet[still.id]["单位填报状态"].value == "已整改"
    assert sheet[still.id]["证明材料"].value == "收款凭证 记-0101"


def test_a_finding_gone_and_rechecked_is_closed_with_the_date_and_the_run(reconciled):
    _, written, _, closed, unchecked = reconciled
    sheet = _rows(load_workbook(written["xlsx"])["对账销号单"])
    assert sheet[closed.id]["复核结论"].value == "已销号"
    assert sheet[closed.id]["销号日期"].value == "2024-03-01"
    assert "2024-03-01 09:30" in sheet[closed.id]["复核依据"].value
    assert "default" in sheet[closed.id]["复核依据"].value
    assert sheet[unchecked.id]["复核结论"].value == "未复核（不作销号）"
    assert sheet[unchecked.id]["销号日期"].value is None


def test_what_the_unit_typed_comes_back_as_typed(reconciled):
    _, written, still, _, _ = reconciled
    row = _rows(load_workbook(written["xlsx"])["疑点明细"])[still.id]
    assert row["完成时限"].value == DEADLINE and row["完成时限"].is_date
    assert read_rectification(written["xlsx"])[still.id]["完成时限"] == DEADLINE


def test_findings_json_flags_it_within_the_schema(reconciled):
    _, written, still, _, _ = reconciled
    doc = json.loads(written["json"].read_text(encoding="utf-8"))
    jsonschema.validate(doc, findings_schema())
    flagged = {f["id"] for f in doc["findings"] if f.get("rectification") == "not_accepted"}
    assert flagged == {still.id}


def test_report_html_shows_the_reconciliation(reconciled):
    _, written, still, closed, _ = reconciled
    html = written["html"].read_text(encoding="utf-8")
    assert 'id="reconciliation"' in html and "对账销号单" in html
    assert "整改不到位（不予销号）" in html and "已销号" in html


def test_the_terminal_names_the_findings_not_accepted(reconciled):
    from audit_rules.cli_output import print_check_summary

    result, written, still, _, _ = reconciled
    console = Console(record=True, width=200)
    import audit_rules.cli_output as out

    original = out._console
    out._console = lambda: console
    try:
        print_check_summary(result, written)
    finally:
        out._console = original
    text = console.export_text()
    assert "整改不到位（不予销号）：1 条" in text and still.id in text


def test_a_rerun_into_the_same_out_flags_it_too(tmp_path):
    """Without --baseline: the unit marks 已整改 in report.xlsx, the rerun still finds it."""
    findings = base_findings()
    first = write_reports(make_result(findings=findings), tmp_path, ("xlsx",))
    _fill(first["xlsx"], {findings[0].id: {"整改状态": "已整改"}})
    again = write_reports(make_result(findings=findings), tmp_path, ("xlsx", "json"))
    assert _rows(load_workbook(again["xlsx"])["疑点明细"])[findings[0].id]["状态"].value == "整改不到位（不予销号）"
    doc = json.loads(again["json"].read_text(encoding="utf-8"))
    assert [f["id"] for f in doc["findings"] if f.get("rectification")] == [findings[0].id]


def test_an_older_report_s_整改时限_is_read_as_完成时限(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "疑点明细"
    ws.append(["编号", "责任部门", "整改时限", "整改状态"])
    ws.append(["abc", "财务科", dt.datetime(2024, 6, 30), "整改中"])
    wb.save(tmp_path / "report.xlsx")
    assert read_rectification(tmp_path / "report.xlsx") == {
        "abc": {"责任部门": "财务科", "完成时限": dt.datetime(2024, 6, 30), "整改状态": "整改中"}
    }


def test_the_summary_counts_the_findings_not_accepted(reconciled):
    _, written, _, _, _ = reconciled
    ws = load_workbook(written["xlsx"])["汇总"]
    counts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert counts["整改不到位（不予销号）"] == 1


def test_a_rerun_of_check_into_the_same_out_prints_the_findings_not_accepted(tmp_path):
    from click.testing import CliRunner
    from helpers.paths import SAMPLES

    from audit_rules.cli import main

    ledger = SAMPLES / "长沙市示范文旅中心" / "公务接待及加班用餐登记.xlsx"
    out = tmp_path / "out"
    args = ["check", str(ledger), "--out", str(out), "--no-quality", "--format", "xlsx"]
    assert CliRunner().invoke(main, args).exit_code == 1
    wb = load_workbook(out / "report.xlsx")
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    marked = ws.cell(2, head.index("编号") + 1).value
    ws.cell(2, head.index("整改状态") + 1).value = "已整改"
    wb.save(out / "report.xlsx")
    again = CliRunner().invoke(main, args)
    assert "整改不到位（不予销号）：1 条" in again.output and marked in again.output

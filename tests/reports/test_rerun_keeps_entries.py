"""A rerun into the same --out never loses the 整改 entries a unit typed into report.xlsx."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from click.testing import CliRunner
from helpers.paths import SAMPLES
from helpers.reports import base_findings, make_result
from openpyxl import load_workbook

from audit_rules.cli import main
from audit_rules.reports import write_reports
from audit_rules.reports.rectification import read_rectification

TYPED = {"责任部门": "财务科", "整改措施": "追回多付款项", "完成时限": "2027-03-31", "整改状态": "整改中"}


def _type_entries(xlsx: Path, ids: set[str] | None = None) -> set[str]:
    """Fill the 整改 columns of 疑点明细 (every row, or those of `ids`) as a unit would."""
    wb = load_workbook(xlsx)
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    id_col = head.index("编号")
    filled = set()
    for row in ws.iter_rows(min_row=2):
        if row[id_col].value and (ids is None or row[id_col].value in ids):
            for column, value in TYPED.items():
                row[head.index(column)].value = value
            filled.add(row[id_col].value)
    wb.save(xlsx)
    return filled


def test_a_second_check_into_the_same_out_keeps_what_the_unit_typed(tmp_path):
    ledgers, out = tmp_path / "ledgers", tmp_path / "out"
    shutil.copytree(SAMPLES, ledgers, ignore=shutil.ignore_patterns("*.py", "*.md"))
    runner = CliRunner()
    first = runner.invoke(main, ["check", str(ledgers), "--out", str(out)])
    assert first.exit_code == 1, first.output
    filled = _type_entries(out / "report.xlsx")
    assert filled

    second = runner.invoke(main, ["check", str(ledgers), "--out", str(out)])
    assert second.exit_code == 1, second.output
    assert read_rectification(out / "report.xlsx") == {fid: TYPED for fid in filled}
    assert f"{len(filled)} 条整改信息带入新报告" in second.output
    assert not list(out.glob("report.*.xlsx"))  # nothing was lost, so no copy is needed


def test_entries_of_findings_gone_keep_the_old_workbook_beside_the_new(tmp_path):
    findings = base_findings()
    first = write_reports(make_result(findings=findings), tmp_path, ("xlsx",))
    gone = findings[2].id
    _type_entries(first["xlsx"], {findings[0].id, gone})
    old_bytes = first["xlsx"].read_bytes()

    written = write_reports(make_result(findings=[f for f in findings if f.id != gone]), tmp_path, ("xlsx",))
    assert read_rectification(written["xlsx"]) == {findings[0].id: TYPED}
    kept = written.previous.kept_copy
    assert kept is not None and kept.parent == tmp_path and kept.name.startswith("report.")
    assert kept.read_bytes() == old_bytes
    assert read_rectification(kept) == {findings[0].id: TYPED, gone: TYPED}
    assert "1 条整改记录无法带入" in written.previous.reason


def test_each_kept_copy_gets_a_name_of_its_own(tmp_path):
    findings = base_findings()
    copies = []
    for _ in range(2):
        written = write_reports(make_result(findings=findings), tmp_path, ("xlsx",))
        _type_entries(written["xlsx"], {findings[1].id})
        findings = findings[2:]  # the typed finding is gone in the next run
        copies.append(write_reports(make_result(findings=findings), tmp_path, ("xlsx",)).previous.kept_copy)
    assert copies[0] != copies[1] and all(c.exists() for c in copies)


def test_an_unreadable_old_report_is_kept_not_overwritten_blindly(tmp_path):
    (tmp_path / "report.xlsx").write_bytes(b"not a workbook, but the unit's only copy")
    written = write_reports(make_result(findings=base_findings()), tmp_path, ("xlsx",))
    assert written.previous.kept_copy.read_bytes() == b"not a workbook, but the unit's only copy"
    assert "无法读取" in written.previous.reason


def test_baseline_entries_win_and_a_differing_old_entry_is_kept(tmp_path):
    findings = base_findings()
    written = write_reports(make_result(findings=findings), tmp_path, ("xlsx",))
    _type_entries(written["xlsx"], {findings[0].id})
    from_baseline = {findings[0].id: {"整改状态": "已整改"}}
    result = dataclasses.replace(make_result(findings=findings), rectification=from_baseline)
    again = write_reports(result, tmp_path, ("xlsx",))
    assert read_rectification(again["xlsx"]) == from_baseline
    assert read_rectification(again.previous.kept_copy) == {findings[0].id: TYPED}


def test_json_only_run_leaves_report_xlsx_alone(tmp_path):
    written = write_reports(make_result(findings=base_findings()), tmp_path, ("xlsx",))
    _type_entries(written["xlsx"])
    before = written["xlsx"].read_bytes()
    write_reports(make_result(findings=base_findings()[:1]), tmp_path, ("json",))
    assert written["xlsx"].read_bytes() == before

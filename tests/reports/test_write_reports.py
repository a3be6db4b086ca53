"""write_reports: the three files, atomically, in a folder it creates."""

from __future__ import annotations

import json
import os

import pytest
from helpers.reports import make_result

from audit_rules.reports import write_reports


def test_writes_all_three_reports(tmp_path):
    out = tmp_path / "a" / "b"
    paths = write_reports(make_result(), out)
    assert {k: p.name for k, p in paths.items()} == {"json": "findings.json", "xlsx": "report.xlsx", "html": "report.html"}
    assert sorted(os.listdir(out)) == ["findings.json", "report.html", "report.xlsx"]
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["schema_version"] == 1


def test_writes_only_requested_formats(tmp_path):
    paths = write_reports(make_result(), tmp_path, formats=["json"])
    assert list(paths) == ["json"] and os.listdir(tmp_path) == ["findings.json"]


def test_unknown_format_rejected_before_writing(tmp_path):
    with pytest.raises(ValueError, match="未知的报告格式：pdf"):
        write_reports(make_result(), tmp_path / "out", formats=["json", "pdf"])
    assert not (tmp_path / "out").exists()


def test_failure_mid_write_keeps_previous_report_and_leaves_no_temp(tmp_path, monkeypatch):
    write_reports(make_result(), tmp_path)
    before = (tmp_path / "report.xlsx").read_bytes()
    from audit_rules.reports import xlsx_report

    def save_half_then_fail(workbook, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK half a workbook")
        raise OSError("磁盘已满")

    # where report.xlsx is saved (openpyxl's package, the cells written by xlsx_report itself)
    monkeypatch.setattr(xlsx_report, "save_workbook", save_half_then_fail)
    with pytest.raises(OSError):
        write_reports(make_result(), tmp_path, formats=["xlsx"])
    assert (tmp_path / "report.xlsx").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["findings.json", "report.html", "report.xlsx"]

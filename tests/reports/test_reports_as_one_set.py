"""The reports of a run are one set: all move in together, or none does (issue 12.8)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from helpers.reports import make_result

import audit_rules.reports.json_report as json_report
from audit_rules.cli import main
from audit_rules.reports import write_reports


def _previous_set(out):
    out.mkdir()
    for name in ("findings.json", "report.xlsx", "report.html"):
        (out / name).write_bytes(f"old {name}".encode())


def test_a_writer_failing_leaves_the_previous_set_whole_and_no_staging(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _previous_set(out)

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    # html is written last: json and xlsx were already done when it fails
    monkeypatch.setattr("audit_rules.reports.html_report.write_html", broken)
    with pytest.raises(OSError):
        write_reports(make_result(), out, ("json", "html"))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        name: f"old {name}".encode() for name in ("findings.json", "report.xlsx", "report.html")
    }
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_an_interrupted_write_leaves_nothing_behind(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _previous_set(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(json_report, "dumps_findings_json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_reports(make_result(), out, ("xlsx", "json"))
    assert (out / "report.xlsx").read_bytes() == b"old report.xlsx"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_killed_run_s_staging_folder_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / ".out.writing-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "findings.json").write_text("half", encoding="utf-8")
    write_reports(make_result(), out, ("json",))
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_links_point_from_the_final_folder_not_the_staging_one(tmp_path):
    from openpyxl import load_workbook

    result = make_result()
    out = tmp_path / "out"
    written = write_reports(result, out, ("xlsx",))
    ws = load_workbook(written["xlsx"])["疑点明细"]
    links = [c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink and c.hyperlink.target]
    assert links and not any(".writing-" in link for link in links)


def test_out_inside_an_input_folder_is_refused_in_chinese(tmp_path):
    ledgers = tmp_path / "台账"
    ledgers.mkdir()
    result = CliRunner().invoke(main, ["check", str(ledgers), "--out", str(ledgers / "out")])
    assert result.exit_code == 2
    assert "台账目录" in result.output and "--out" in result.output
    assert not (ledgers / "out").exists()


def test_a_report_among_the_inputs_is_never_read_as_a_ledger(tmp_path):
    ledgers = tmp_path / "台账"
    write_reports(make_result(), ledgers / "上次", ("xlsx",))
    result = CliRunner().invoke(main, ["check", str(ledgers), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "上次/report.xlsx" in result.output and "不是台账" in result.output

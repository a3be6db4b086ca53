"""The sample ledgers' outputs, kept as they were: findings.json, report.xlsx cell values and
`inspect --json`. A refactoring must leave them identical (run time and paths aside).

A change that is meant to alter them regenerates the golden files on purpose:
    AUDIT_RULES_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e/test_golden_samples.py
and the diff of tests/fixtures/golden/ is reviewed in the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from helpers.paths import ROOT, SAMPLES
from openpyxl import load_workbook

from audit_rules.ledgers import inspect_ledgers
from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
UPDATE = os.environ.get("AUDIT_RULES_UPDATE_GOLDEN") == "1"
# Cells of 运行信息 that say when and how the run was made, not what it found.
RUN_ONLY = ("运行时间", "命令行")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    result = run_check([SAMPLES], command_line="audit-rules check sample_ledgers")
    return write_reports(result, out)


def _findings_json(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["run"].pop("started_at")
    doc["tool"].pop("version", None)
    return doc


RUN_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2})?")


def _cell(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, str):
        return RUN_TIME.sub("<运行时间>", value)
    return value


def _workbook_values(path: Path) -> dict:
    workbook = load_workbook(path, data_only=False)
    sheets = {}
    for ws in workbook.worksheets:
        rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        if ws.title == "运行信息":
            rows = [row for row in rows if not row or row[0] not in RUN_ONLY + ("工具版本",)]
        sheets[ws.title] = rows
    return sheets


def _compare(name: str, actual) -> None:
    path = GOLDEN / name
    text = json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == expected, f"{name} differs from the golden copy (see this module's docstring)"


def test_findings_json_is_unchanged(outputs):
    _compare("findings.json", _findings_json(outputs["json"]))


def test_report_xlsx_values_are_unchanged(outputs):
    _compare("report_xlsx.json", _workbook_values(outputs["xlsx"]))


def test_inspect_json_is_unchanged():
    _compare("inspect.json", inspect_ledgers([SAMPLES]))


def test_every_location_of_every_sample_finding_has_its_source_cells():
    """The per-rule sheets show the original cells of each row a finding names — also a row of a
    table the rule only reads when present (a special fund's approval, with fund_words set)."""
    result = run_check([SAMPLES], command_line="audit-rules check sample_ledgers")
    missing = [(f.rule_id, loc.file, loc.row) for f in result.findings for loc in f.locations
               if (loc.file, loc.sheet, loc.row) not in result.source_rows]
    assert missing == []

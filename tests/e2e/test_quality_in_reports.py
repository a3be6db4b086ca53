"""End to end on the sample ledgers' planted bad cells: the data-quality gate reports exactly
sample_keys/quality_key.csv with the raw values, no finding rests on an unreadable value, and
report.xlsx / report.html list every bad cell with its location."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import openpyxl
import pytest
from helpers.paths import SAMPLE_KEYS, SAMPLES

from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports

READABLE = "expect_column_values_to_be_readable"

# The planted bad cells (see sample_ledgers/README.md): file name, field, the text typed in the
# cell, and the rule that would flag the row if the value were believed.
PLANTED_BAD = {
    ("长沙市示范科技局/付款明细-2019.xlsx", "amount"): ("待定", "duplicate-payment"),
    ("长沙市示范文旅中心/合同台账.xlsx", "sign_date"): ("2019-02-30", "contract-missing-elements"),
    ("长沙市示范文旅中心/公务接待及加班用餐登记.xlsx", "guest_count"): ("-2", "meal-reception-per-head"),
}


def _quality_key() -> set[tuple[str, str, int, str, str]]:
    with open(SAMPLE_KEYS / "quality_key.csv", encoding="utf-8", newline="") as fh:
        return {(r["file"], r["sheet"], int(r["row"]), r["field"], r["check"]) for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def result():
    return run_check([SAMPLES])


@pytest.fixture(scope="module")
def failed_cells(result) -> dict[tuple[str, str, int, str, str], object]:
    """(file, sheet, row, field, check) → the value the gate reports for that failing cell."""
    out = {}
    for q in result.data_quality:
        if not q.passed:
            for cell in q.failed:
                out[(q.file, q.sheet, int(cell["row"]), q.field, q.check)] = cell["value"]
    return out


@pytest.fixture(scope="module")
def bad_rows(failed_cells) -> dict[tuple[str, str], tuple[str, int, str]]:
    """(file, field) of each planted bad cell → (sheet, row, reported value)."""
    out = {}
    for (file, sheet, row, field, check), value in failed_cells.items():
        if check == READABLE and (file, field) in PLANTED_BAD:
            out[(file, field)] = (sheet, row, value)
    return out


@pytest.fixture(scope="module")
def reports(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return write_reports(result, out, ("xlsx", "html"))


def test_failed_quality_cells_are_exactly_the_quality_key(result, failed_cells):
    assert result.errors == []  # the answer keys live in sample_keys/, not among the ledgers
    key = _quality_key()
    assert len(key) >= 7
    missing = sorted(key - failed_cells.keys())
    extra = sorted(failed_cells.keys() - key)
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"


def test_every_failed_quality_result_names_its_cells(result):
    # a failing check without cells could not be located in the sheet (except a missing column)
    for q in result.data_quality:
        if not q.passed and q.check != "expect_table_columns_to_match_set":
            assert q.failed, (q.file, q.sheet, q.field, q.check, q.detail)


def test_each_bad_cell_carries_the_value_typed_in_the_sheet(bad_rows, failed_cells):
    assert set(bad_rows) == set(PLANTED_BAD)
    for (file, field), (sheet, row, value) in bad_rows.items():
        typed, _ = PLANTED_BAD[(file, field)]
        assert str(value) == typed, (file, row, value)
        cells = next(openpyxl.load_workbook(SAMPLES / file)[sheet].iter_rows(min_row=row, max_row=row, values_only=True))
        assert typed in {str(c) for c in cells if c is not None}, (file, row, cells)
    values = {k[4]: v for k, v in failed_cells.items()}
    assert isinstance(values["totals_row_matches_sum"], float)  # the 合计 as typed
    blanks = [v for k, v in failed_cells.items() if k[4] == "expect_column_values_to_not_be_null"]
    assert blanks and all(v is None for v in blanks)


def test_a_repeated_voucher_is_reported_on_both_rows_with_its_number(failed_cells):
    dup = {k: v for k, v in failed_cells.items() if k[4] == "expect_column_values_to_be_unique"}
    assert len(dup) == 2 and len(set(dup.values())) == 1
    assert len({(k[0], k[1]) for k in dup}) == 1 and re.fullmatch(r"记-\d\d-\d{3}", next(iter(dup.values())))


def _locations(finding) -> set[tuple[str, str, int]]:
    return {(loc.file, loc.sheet, loc.row) for loc in finding.locations}


def test_no_finding_rests_on_a_planted_bad_cell(result, bad_rows):
    for (file, field), (sheet, row, _) in bad_rows.items():
        _, rule = PLANTED_BAD[(file, field)]
        rule_hits = [f for f in result.findings if f.rule_id == rule and (file, sheet, row) in _locations(f)]
        assert rule_hits == [], (rule, file, row)
        # the rows are clean otherwise, so no rule at all may point at them
        assert [f.rule_id for f in result.findings if (file, sheet, row) in _locations(f)] == []


def test_the_pending_amount_duplicates_no_payment(result, bad_rows):
    sheet, row, _ = bad_rows[("长沙市示范科技局/付款明细-2019.xlsx", "amount")]
    dups = [f for f in result.findings if f.rule_id == "duplicate-payment"]
    assert dups, "the samples plant duplicates elsewhere: the rule ran"
    assert all(("长沙市示范科技局/付款明细-2019.xlsx", sheet, row) not in _locations(f) for f in dups)


def test_no_finding_rests_on_any_cell_the_gate_excluded(result):
    """Every excluded cell's row is left out of the rules that need that field."""
    excluded = {(q.file, q.sheet, int(c["row"])) for q in result.data_quality
                if q.excludes_rows and not q.passed for c in q.failed}
    assert excluded, "the samples plant unreadable cells"
    assert [(f.rule_id, loc) for f in result.findings for loc in _locations(f) if loc in excluded] == []


def test_report_xlsx_quality_sheet_lists_each_bad_cell(reports):
    ws = openpyxl.load_workbook(reports["xlsx"])["数据质量"]
    rows = [[("" if c is None else str(c)) for c in r] for r in ws.iter_rows(values_only=True)]
    header = rows[0]
    col = {name: header.index(name) for name in ("文件", "工作表", "不通过的行及值")}
    for file, sheet, row, field, check in sorted(_quality_key()):
        listed = [r for r in rows[1:] if r[col["文件"]] == file and r[col["工作表"]] == sheet
                  and f"第{row}行" in r[col["不通过的行及值"]]]
        assert listed, (file, sheet, row, field, check)
    for (file, _), (typed, _) in PLANTED_BAD.items():
        assert any(r[col["文件"]] == file and typed in r[col["不通过的行及值"]] for r in rows[1:]), (file, typed)


def test_report_html_lists_each_bad_cell(reports):
    text = html.unescape(Path(reports["html"]).read_text(encoding="utf-8"))
    section = text.split('<section id="quality">')[1].split("</section>")[0]
    rows = section.split("<tr>")[2:]  # one per failing check, after the header row
    for file, sheet, row, field, check in sorted(_quality_key()):
        assert any(f"<td>{file}</td><td>{sheet}</td>" in r and f"第{row}行" in r for r in rows), (file, sheet, row)
    for (file, _), (typed, _) in PLANTED_BAD.items():
        assert any(f"<td>{file}</td>" in r and typed in r for r in rows), (file, typed)

"""The safety scan's view of a worksheet (merged ranges, formulas) agrees with the libraries'.

The reader takes merged ranges from files.check_file's streaming scan of the sheet XML instead
of parsing the sheet a second time with python-calamine: both must give the same ranges.
"""

from __future__ import annotations

import string

import openpyxl
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_rules.ledgers import files
from audit_rules.ledgers.files import check_file
from audit_rules.ledgers.sheet_details import SheetDetails


def _ranges(draw, count: int) -> list[tuple[int, int, int, int]]:
    """Non-overlapping merged ranges (1-based rows and columns), one per band of rows."""
    out = []
    for band in range(count):
        top = band * 5 + draw(st.integers(1, 3))
        left = draw(st.integers(1, 30))
        out.append((top, left, top + draw(st.integers(0, 2)), left + draw(st.integers(0, 3))))
    return out


@st.composite
def workbooks(draw):
    sheets = draw(st.lists(st.text(string.ascii_letters + "付款明细", min_size=1, max_size=8), min_size=1,
                           max_size=3, unique_by=str.lower))
    merges = {name: _ranges(draw, draw(st.integers(0, 6))) for name in sheets}
    formula = draw(st.booleans())
    return sheets, merges, formula


def _write(path, sheets, merges, formula: bool) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheets:
        sheet = book.create_sheet(name)
        sheet["A1"] = "标题"
        for row in range(2, 40):
            sheet.cell(row, 1, row)
        if formula:
            sheet["AN2"] = "=A2*2"  # right of every merge (a merge clears the cells it covers)
        for top, left, bottom, right in merges[name]:
            if (top, left) != (bottom, right):
                sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    book.save(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workbooks())
def test_merged_ranges_from_the_scan_match_calamine_and_openpyxl(tmp_path, case):
    sheets, merges, formula = case
    path = tmp_path / "book.xlsx"
    _write(path, sheets, merges, formula)
    scanned = check_file(path, "book.xlsx")
    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    book = openpyxl.load_workbook(path)
    for name in sheets:
        details = SheetDetails(path, name, scanned)
        from_scan = details.merged_ranges()
        assert from_scan == list(calamine.get_sheet_by_name(name).merged_cell_ranges or [])
        expected = sorted(((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1))
                          for r in book[name].merged_cells.ranges)
        assert sorted(from_scan) == expected
        assert details._scanned_facts().formulas == formula
        # no formula seen: no second read of the sheet for uncomputed formulas
        assert (details.uncomputed_formulas() != {}) == formula


def test_a_merge_cut_by_the_chunk_boundary_is_seen_once(monkeypatch):
    scan = files._SheetScan("xl/worksheets/sheet1.xml")
    xml = b'<sheetData></sheetData><mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C5:C9"/></mergeCells>'
    cut = xml.index(b"C5") - 3
    scan.feed(xml[:cut])
    scan.feed(xml[cut:])
    assert scan.facts().merged == [((0, 0), (1, 1)), ((4, 2), (8, 2))]


def test_one_cell_and_malformed_references():
    assert files._merged_range(b"B2") == ((1, 1), (1, 1))
    assert files._merged_range(b"$A$1:$C$3") == ((0, 0), (2, 2))
    assert files._merged_range(b"nonsense") is None

"""The safety scan's view of a worksheet (merged ranges, formulas) agrees with the libraries'.

The reader takes merged ranges from files.check_file's streaming scan of the sheet XML instead
of parsing the sheet a second time with python-calamine: both must give the same ranges. The
scan's farthest row and column are those the regular expressions it replaced found, however
the XML is cut into chunks, and also in the spellings XML allows that they missed (r='A1').
"""

from __future__ import annotations

import re
import string
import zipfile

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from helpers.ledgers import write_xlsx
from helpers.sheet_xml import DIGITS, LETTERS, TEXT, scan_in_chunks, sheet_xml

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


# ---- the numpy scan against the regular expressions it replaced ------------------------------
# The scan once ran these over each chunk; they stay here as the reference: on the same XML the
# scan must find the same farthest row and column, declared range, merges and formula sign.

_CELL_REF = re.compile(rb"\sr=\"([A-Z]{1,7})([0-9]{1,12})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\s[^>]*?r=\"([0-9]{1,12})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([^\"]{1,40})\"")


def _reference_scan(xml: bytes) -> tuple:
    """The regular-expression scan of the whole XML at once (no chunk boundary to get wrong)."""
    references = _CELL_REF.findall(xml)
    rows = max([int(r) for _, r in references] + [int(r) for r in _ROW_REF.findall(xml)] + [0])
    columns = max([files.column_number(c.decode()) for c, _ in references] + [0])
    declared = _DIMENSION.search(xml)
    if declared:
        end = re.search(r"([A-Z]{1,7})([0-9]{1,12})$", declared.group(1).decode().upper())
        if end:
            columns, rows = max(columns, files.column_number(end.group(1))), max(rows, int(end.group(2)))
    merged = [found.group(1) for found in files._MERGE_CELL.finditer(xml)]
    formulas = b"<f" in xml or b":f" in xml
    return rows, columns, declared.group(1).decode() if declared else None, formulas, merged


_PREFIX = st.sampled_from(["", "x:", "ns1:", "_:"])
_ATTRIBUTES = st.lists(st.sampled_from(['spans="1:11"', 'ht="15"', 's="3"', 't="inlineStr"', 'customHeight="1"',
                                        'x14ac:dyDescent="0.25"', 'hidden="0"', 'ref="A1"']), max_size=3)
_SPACE = st.sampled_from([" ", "\n", "\t", "\r\n  "])


@st.composite
def _cell(draw) -> str:
    prefix, before, after = draw(_PREFIX), draw(_ATTRIBUTES), draw(_ATTRIBUTES)
    reference = draw(LETTERS) + draw(DIGITS)
    space = draw(_SPACE)
    attributes = space.join([*before, f'r="{reference}"', *after])
    body = draw(st.sampled_from(["<v>1</v>", "<f>A1*2</f><v/>", f"<is><t>{draw(TEXT)}</t></is>", ""]))
    return f"<{prefix}c{space}{attributes}>{body}</{prefix}c>"


@st.composite
def _row(draw) -> str:
    prefix, before, after = draw(_PREFIX), draw(_ATTRIBUTES), draw(_ATTRIBUTES)
    space = draw(_SPACE)
    attributes = space.join([*before, f'r="{draw(DIGITS)}"', *after]) if draw(st.booleans()) else space.join(before)
    cells = "".join(draw(st.lists(_cell(), max_size=4)))
    return f"<{prefix}row{space}{attributes}>{cells}</{prefix}row>"


_SHEET_XML = sheet_xml(_row(), max_rows=8)


@settings(max_examples=400, deadline=None)
@given(_SHEET_XML, st.data())
def test_the_scan_finds_what_the_regular_expressions_found_whatever_the_chunks(xml, data):
    cuts = data.draw(st.lists(st.integers(0, len(xml)), max_size=12))
    assert scan_in_chunks(xml, cuts) == _reference_scan(xml)


@settings(max_examples=200, deadline=None)
@given(_SHEET_XML, st.integers(1, 97))
def test_the_scan_in_small_even_chunks(xml, size):
    assert scan_in_chunks(xml, list(range(0, len(xml), size))) == _reference_scan(xml)


def _far(xml_of_the_far_cell: str) -> bytes:
    return (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
            + xml_of_the_far_cell.encode() + b"</sheetData></worksheet>")


@pytest.mark.parametrize("far, rows, columns", [
    # calamine reads these as the far cell they name; the expressions above did not see them
    ("<row r='2'><c r='CV1048576'><v>1</v></c></row>", 1048576, 100),
    ('<row r="2"><c r = "CV1048576"><v>1</v></c></row>', 1048576, 100),
    ('<row r="2"><c\n r\t=\n"CV1048576"><v>1</v></c></row>', 1048576, 100),
    ("<row r = '1048576'><c><v>1</v></c></row>", 1048576, 1),
    # a row tag longer than the 64 bytes the chunks once overlapped by
    ('<x:row ' + 'ht="15" ' * 600 + 'r="1048576"><x:c r="B3"><x:v>1</x:v></x:c></x:row>', 1048576, 2),
])
@pytest.mark.parametrize("size", [7, 64, 1000, files._CHUNK])
def test_references_in_every_spelling_xml_allows_are_seen(far, rows, columns, size):
    xml = _far(far)
    assert scan_in_chunks(xml, list(range(0, len(xml), size)))[:2] == (rows, columns)


def test_a_dimension_in_single_quotes_is_seen():
    xml = b"<worksheet><dimension ref = 'A1:CV1048576'/><sheetData></sheetData></worksheet>"
    assert scan_in_chunks(xml, [])[:3] == (1048576, 100, "A1:CV1048576")


def test_a_far_cell_in_single_quotes_is_refused(tmp_path):
    path = tmp_path / "单引号.xlsx"
    _far_workbook(path, "<row r='2'><c r='CV1048576'><v>1</v></c></row>")
    with pytest.raises(files.UnsafeFile, match="1048576 行 × 100 列"):
        check_file(path, "单引号.xlsx")


def _far_workbook(path, far: str) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "日期"
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", far.encode() + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_a_generated_ledger_scans_as_the_regular_expressions_did(tmp_path):
    """Tens of thousands of cells (several chunks when the chunks are made small)."""
    rows = [["日期", "凭证号", "摘要", "金额"]] + [[f"2019-01-{n % 28 + 1:02d}", f"记-{n}", "办公用品", n * 1.5]
                                              for n in range(6000)]
    path = write_xlsx(tmp_path / "付款.xlsx", {"付款": rows}, merges={"付款": ["A1:B1", "C5:C9"]})
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert len(xml) > 300_000
    expected = _reference_scan(xml)
    assert expected[:2] == (6001, 4)
    for size in (1000, 65_536, files._CHUNK):
        assert scan_in_chunks(xml, list(range(0, len(xml), size))) == expected

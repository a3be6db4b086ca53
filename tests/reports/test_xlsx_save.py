"""report.xlsx is saved by xlsx_report.save_workbook: openpyxl's package with the cells written as
text by the module itself. The file must hold exactly what openpyxl's own save writes."""

from __future__ import annotations

import datetime as dt
import io
import string
import zipfile

import pytest
from helpers.reports import make_result
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.comments import Comment

from audit_rules.reports.xlsx_report import (
    LINE_HEIGHT,
    MAX_ROW_LINES,
    ROW_PADDING,
    build_workbook,
    _sheet_data,
    put,
    save_workbook,
)

SAVE_TIME = "docProps/core.xml"  # holds the time of saving


def parts(save) -> dict[str, bytes]:
    out = io.BytesIO()
    save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != SAVE_TIME}


def assert_saved_alike(make_workbook, cells_as_text: bool = True) -> None:
    """Two copies of one workbook, one saved by openpyxl and one by save_workbook, part by part
    (with `cells_as_text`, every sheet's cells were written by xlsx_report, none left to openpyxl)."""
    assert all(_sheet_data(ws) is not None for ws in make_workbook().worksheets) == cells_as_text
    by_openpyxl = parts(make_workbook().save)
    ours = parts(lambda out: save_workbook(make_workbook(), out))
    assert list(ours) == list(by_openpyxl)
    for name, data in by_openpyxl.items():
        assert ours[name] == data, name


@pytest.mark.parametrize("kind", ["plain", "baseline", "crafted", "empty"])
def test_a_report_is_saved_as_openpyxl_saves_it(kind):
    options = {"plain": {}, "baseline": {"baseline": True}, "crafted": {"crafted": True},
               "empty": {"findings": []}}[kind]
    result = make_result(**options)
    assert_saved_alike(lambda: build_workbook(result, "out/report.xlsx"))


TEXT = st.text(alphabet=st.sampled_from(string.printable + "中文　😀\x7f\u2028\xa0&<>\"'="), max_size=30)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(VALUES, max_size=6), min_size=1, max_size=8), st.sets(st.integers(1, 12), max_size=3))
def test_any_cells_are_saved_as_openpyxl_saves_them(rows, tall_rows):
    def make():
        workbook = Workbook()
        ws = workbook.active
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value)
                if (r + c) % 3 == 0:
                    cell.number_format = "#,##0.00"
        for row in tall_rows:  # with or without cells in them
            ws.row_dimensions[row].height = 30
        ws.cell(20, 2)  # a cell never written to: no <c>, but its row
        return workbook

    assert_saved_alike(make)


@pytest.mark.parametrize("odd", ["formula", "comment", "boolean", "iso dates"])
def test_a_sheet_with_what_only_openpyxl_writes_is_left_to_openpyxl(odd):
    def make():
        workbook = Workbook()
        ws = workbook.active
        put(ws, 1, 1, "疑点")
        if odd == "formula":
            ws["B1"] = "=A1"
        elif odd == "comment":
            ws["B1"].comment = Comment("批注", "审计")
        elif odd == "boolean":
            ws["B1"] = True
        else:
            workbook.iso_dates = True
            ws["B1"] = dt.datetime(2024, 6, 30)
        workbook.create_sheet("其他")["A1"] = "普通"
        return workbook

    assert_saved_alike(make, cells_as_text=False)


def old_row_heights(ws) -> dict[int, float]:
    """Row heights as the module worked them out before it counted from the cells written:
    every row of the sheet, character by character."""
    widths = {letter: dim.width for letter, dim in ws.column_dimensions.items() if dim.width}
    heights = {}
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                per_line = max(int(widths.get(cell.column_letter, 8.43) * 0.85), 1)
                needed = sum(max(1, -(-sum(2 if ord(ch) > 0x2E80 else 1 for ch in part) // per_line))
                             for part in cell.value.split("\n"))
                lines = max(lines, needed)
        if lines > 1:
            heights[row[0].row] = LINE_HEIGHT * min(lines, MAX_ROW_LINES) + ROW_PADDING
    return heights


@pytest.mark.parametrize("kind", ["plain", "baseline", "crafted"])
def test_row_heights_are_those_the_character_count_gives(kind):
    result = make_result(**{"plain": {}, "baseline": {"baseline": True}, "crafted": {"crafted": True}}[kind])
    workbook = build_workbook(result, "out/report.xlsx")
    fitted = [ws for ws in workbook.worksheets if ws.title not in ("汇总", "运行信息")]
    assert any(ws.row_dimensions for ws in fitted)
    for ws in fitted:
        heights = {row: dim.height for row, dim in ws.row_dimensions.items() if dim.height}
        assert heights == old_row_heights(ws), ws.title

"""The printed forms: 疑点明细 and 对账销号单 print on A4 landscape at a readable size (≥ 70%).

Excel and LibreOffice scale a fit-to-width sheet so that its print area's columns fill the
page's printable width; the scale follows from the column widths (about 7 pixels per character
of width at 96 dpi, plus cell padding) and the margins.
"""

from __future__ import annotations

import pytest
from helpers.reports import make_result
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from audit_rules.reports.xlsx_report import write_xlsx

A4_LANDSCAPE_INCHES = 11.69
PIXELS_PER_INCH = 96
PIXELS_PER_CHARACTER = 7
CELL_PADDING = 5


def last_printed_column(ws) -> int:
    if not ws.print_area:
        return ws.max_column
    last = ws.print_area.split(":")[-1]
    return column_index_from_string("".join(ch for ch in last if ch.isalpha()))


def print_scale(ws) -> float:
    """The scale at which the print area's columns fill the page across."""
    last_col = last_printed_column(ws)
    width = sum(PIXELS_PER_CHARACTER * (ws.column_dimensions[get_column_letter(c)].width or 8.43) + CELL_PADDING
                for c in range(1, last_col + 1))
    printable = (A4_LANDSCAPE_INCHES - ws.page_margins.left - ws.page_margins.right) * PIXELS_PER_INCH
    return min(1.0, printable / width)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("print") / "report.xlsx"
    write_xlsx(make_result(baseline=True), path)
    return load_workbook(path)


@pytest.mark.parametrize("sheet", ["疑点明细", "对账销号单"])
def test_the_form_prints_on_a4_landscape_at_70_percent_or_more(workbook, sheet):
    ws = workbook[sheet]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.print_title_rows.replace("$", "") == "1:1"  # the header row on every page
    assert print_scale(ws) >= 0.70, f"{sheet} prints at {print_scale(ws):.0%}"


@pytest.mark.parametrize("sheet", ["疑点明细", "对账销号单"])
def test_the_form_wraps_its_text_and_leaves_the_id_off_paper(workbook, sheet):
    ws = workbook[sheet]
    head = [c.value for c in ws[1]]
    assert all(ws.cell(2, c).alignment.wrap_text for c in range(1, len(head) + 1))
    assert head.index("编号") + 1 > last_printed_column(ws)  # the 16-character id is for looking a line up, not for paper

"""report.xlsx: the workbook auditors work in (openpyxl).

Sheets: 汇总 (tables + native charts), 疑点明细 (one row per finding, source hyperlinks and the
整改 columns with a dropdown), 已销号 (with a baseline), one sheet per rule that found
something (the offending source rows as they were), 数据质量, 规则清单, 运行信息.

Every value that comes from a ledger or a finding is written as a string or a number, never a
formula: openpyxl turns any str starting with '=' into a formula, so `put()` forces the string
type. Hyperlinks are native cell hyperlinks, not HYPERLINK() formulas, for the same reason.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from audit_rules.findings import (
    STATUS_TITLES,
    Finding,
    Location,
    sorted_findings,
)
from audit_rules.ledgers.schema import table_kinds
from audit_rules.reports.atomic import atomic_path
from audit_rules.reports.common import (
    by_category,
    by_month,
    by_severity,
    by_unit,
    category_title,
    check_title,
    display_value,
    has_baseline,
    kind_label,
    location_text,
    parameter_text,
    relative_link,
    row_label,
    rule_outcome_title,
    unverified_texts,
    rule_title,
    severity_title,
    status_counts,
    status_title,
    total_amount,
    unit_title,
)
from audit_rules.reports.rectification import local_time, not_accepted_ids, reconciliation_rows
from audit_rules.reports.rectification import NOT_ACCEPTED_TITLE
from audit_rules.reports.workbook_names import (
    AMOUNT_HEADER,
    BASIS_HEADER,
    DESCRIPTION_HEADER,
    FIXED_SHEETS,
    ID_HEADER,
    PLAN_COLUMNS,
    PROGRESS_COLUMNS,
    RECTIFICATION_STATES,
    SHEET_FINDINGS,
    SHEET_RECONCILIATION,
    SHEET_NOT_RECHECKED,
    SHEET_QUALITY,
    SHEET_RESOLVED,
    SHEET_RULES,
    SHEET_RUN,
    SHEET_SUMMARY,
    STATE_HEADER,
    STATUS_HEADER,
    SUMMARY_HEADER,
)
from audit_rules.result import RunResult
from audit_rules.values import plain_number

NOT_RECHECKED_STATUS = "未复核（所需台账未提供或规则未运行，不作销号）"
UNVERIFIED_HEADER = "参数待核定"
AMOUNT_FORMAT = "¥#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_FAILED_LISTED = 50  # failed cells spelled out per quality check; the rest are counted
MAX_SHEET_NAME = 31

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
LINK_FONT = Font(color="0563C1", underline="single")
WARN_FONT = Font(color="C00000", bold=True)
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# ---- public API -------------------------------------------------------------------------------


def write_xlsx(result: RunResult, path: str | os.PathLike, links_from: str | os.PathLike | None = None) -> Path:
    """Write report.xlsx for `result` to `path` (atomically). Hyperlinks to the source ledgers
    are relative to the folder of `links_from` (where the report will finally live; default `path`)."""
    path = Path(path)
    workbook = build_workbook(result, links_from or path)
    with atomic_path(path) as tmp:
        save_workbook(workbook, tmp)
    return path


def build_workbook(result: RunResult, report_path: str | os.PathLike) -> Workbook:
    workbook = Workbook()
    findings = sorted_findings(result.findings)
    _summary_sheet(workbook.active, result, findings)
    _findings_sheet(workbook.create_sheet(SHEET_FINDINGS), result, findings, report_path)
    rows = reconciliation_rows(result)
    if rows:
        _reconciliation_sheet(workbook.create_sheet(SHEET_RECONCILIATION), rows)
    if has_baseline(result):
        _resolved_sheet(workbook.create_sheet(SHEET_RESOLVED), sorted_findings(result.resolved or []))
        if result.not_rechecked:
            _resolved_sheet(workbook.create_sheet(SHEET_NOT_RECHECKED), sorted_findings(result.not_rechecked),
                            NOT_RECHECKED_STATUS)
    anchors = _rule_sheets(workbook, result, findings, report_path)
    _link_findings_to_rule_sheets(workbook[SHEET_FINDINGS], findings, anchors)
    _quality_sheet(workbook.create_sheet(SHEET_QUALITY), result)
    _rules_sheet(workbook.create_sheet(SHEET_RULES), result)
    _run_sheet(workbook.create_sheet(SHEET_RUN), result)
    return workbook


# ---- cell helpers -----------------------------------------------------------------------------


def excel_value(value: object) -> object:
    """A value Excel can hold as data: str, int, float, datetime or None (never a formula)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    if isinstance(value, dt.datetime):  # pandas Timestamp too
        if value != value:  # NaT
            return None
        plain = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        return plain.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    number = plain_number(value)
    if number is not None:
        return number
    text = display_value(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text) if text else None


MAX_CELL_TEXT = 32_767  # characters Excel holds in a cell; openpyxl cuts a longer text there


def put(ws, row: int, col: int, value: object, *, number_format: str | None = None):
    """Write one cell safely: strings are forced to the string type so that `=…` stays text."""
    cell = ws._get_cell(row, col)
    value = excel_value(value)
    if isinstance(value, str):
        # what `cell.value = value` stores (excel_value has dropped the characters it would refuse),
        # without its type guessing, which would make a formula of `=…`
        cell._value = value[:MAX_CELL_TEXT]
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, dt.datetime):
            cell.number_format = DATE_FORMAT
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _header(ws, row: int, headers: list[str], widths: list[float] | None = None) -> None:
    for col, title in enumerate(headers, start=1):
        cell = put(ws, row, col, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = BORDER
    for col, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _body_style(ws, first_row: int, last_row: int, ncols: int) -> None:
    """Wrap and border every body cell. The style ids are registered with the workbook once and
    set on each cell directly: assigning the style objects cell by cell hashed them each time and
    took over half of a large report's writing time."""
    alignment_id = ws.parent._alignments.add(WRAP)
    border_id = ws.parent._borders.add(BORDER)
    plain = StyleArray()  # a cell without a style of its own: wrap and border only
    plain.alignmentId = alignment_id
    plain.borderId = border_id
    cells = ws._cells
    for row in range(first_row, last_row + 1):
        for col in range(1, ncols + 1):
            cell = cells.get((row, col))
            if cell is None:  # an empty cell still shows the border
                cell = Cell(ws, row=row, column=col)
                ws._add_cell(cell)
            style = cell._style
            if style is None:
                cell._style = plain.__copy__()
            else:
                style.alignmentId = alignment_id
                style.borderId = border_id


def _table_sheet(ws, headers, rows_written: int) -> None:
    """Frozen header, filter, wrapping, row heights and print setup for a sheet with a header in row 1."""
    last = max(rows_written + 1, 1)
    _body_style(ws, 2, last, len(headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    _print_setup(ws, "1:1")
    _fit_row_heights(ws)


LINE_HEIGHT = 20.0  # points per wrapped line as CJK fonts set an 11-point line (Noto Sans CJK; 15 cuts the last line)
ROW_PADDING = 4.0  # points above and below the text of a wrapped cell
MAX_ROW_LINES = 12  # a very long cell is cut at this height; the whole text is in the cell


def _fit_row_heights(ws) -> None:
    """Row heights for wrapped text: Excel and LibreOffice show one line per row unless told,
    cutting the rest off. Lines are estimated from the text and its column's width (a CJK
    character is two width units)."""
    widths = {column_index_from_string(letter): dim.width for letter, dim in ws.column_dimensions.items() if dim.width}
    lines_by_row: dict[int, int] = {}
    for (row, col), cell in ws._cells.items():  # the cells written; the empty ones need no height
        value = cell._value
        if isinstance(value, str) and value:
            lines = _lines_needed(value, widths.get(col, 8.43))
            if lines > lines_by_row.get(row, 1):
                lines_by_row[row] = lines
    for row in sorted(lines_by_row):
        ws.row_dimensions[row].height = LINE_HEIGHT * min(lines_by_row[row], MAX_ROW_LINES) + ROW_PADDING


WIDE_CHARACTER = re.compile("[\u2e81-\U0010ffff]")  # CJK and beyond: two width units each


@lru_cache(maxsize=1 << 16)  # a column repeats its texts (units, files, dates): each is counted once
def _lines_needed(text: str, width: float) -> int:
    # LibreOffice and WPS fit fewer CJK characters on a line than the width says: count 85% of it,
    # so a wrapped cell's last line is not cut off (seen in the rendered pages).
    per_line = max(int(width * 0.85), 1)
    total = 0
    for part in text.split("\n"):
        units = len(part) if part.isascii() else 2 * len(part) - len(WIDE_CHARACTER.sub("", part))
        total += max(1, -(-units // per_line))
    return total


PRINT_MARGINS = dict(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)  # inches


def _print_setup(ws, title_rows: str | None) -> None:
    """A4 landscape, all columns of the print area on one page across, narrow margins (the
    forms are wide), the header row repeated on every page and page numbers in the footer."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for side, inches in PRINT_MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows


def _link_within(cell, sheet: str, row: int) -> None:
    """Hyperlink to a cell of this workbook (a location, not a file target)."""
    name = sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A{row}")
    _set_font(cell, LINK_FONT)


def _link(cell, loc: Location, result: RunResult, report_path) -> None:
    """Hyperlink to the source workbook at the row, relative to the report's folder."""
    source = result.source_paths.get(loc.file)
    if not source:
        return
    target = _relative_link(source, os.fspath(report_path), os.getcwd())
    if loc.sheet:  # CSV files have no sheet to jump to
        sheet = loc.sheet.replace("'", "''")
        target = f"{target}#'{sheet}'!A{loc.row}"
    cell.hyperlink = target
    _set_font(cell, LINK_FONT)


@lru_cache(maxsize=1024)
def _relative_link(source: str, report_path: str, cwd: str) -> str:
    # a ledger's rows are linked one by one: its path is worked out once (per working folder,
    # as relative_link makes relative paths absolute)
    return relative_link(source, report_path)


_FONT_IDS: WeakKeyDictionary = WeakKeyDictionary()  # workbook -> {id of a font constant: font id}


def _set_font(cell, font: Font) -> None:
    """`cell.font = font` for one of this module's font constants, registered with the workbook on
    its first use only: openpyxl hashes the whole font at every assignment."""
    workbook = cell.parent.parent
    ids = _FONT_IDS.setdefault(workbook, {})
    font_id = ids.get(id(font))
    if font_id is None:
        font_id = ids[id(font)] = workbook._fonts.add(font)
    if cell._style is None:
        cell._style = StyleArray()
    cell._style.fontId = font_id


# ---- saving -----------------------------------------------------------------------------------
#
# openpyxl serialises every cell through lxml's incremental writer, element by element: for a large
# report that took half of the writing time. `save_workbook` writes the same package with openpyxl,
# but the cells of each sheet (its sheetData) as text built here, byte for byte what openpyxl writes
# (tests/reports/test_xlsx_save.py holds the two side by side). A sheet holding anything that text
# does not cover (a formula, a comment, rich text, a boolean, ISO dates) is left to openpyxl whole.

SHEET_DATA_MARK = "audit-rules:sheet-data"


def save_workbook(workbook: Workbook, path: str | os.PathLike) -> None:
    """`workbook.save(path)`, the sheets' cells written faster (see above)."""
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    _FastCellsExcelWriter(workbook, archive).save()


class _FastCellsExcelWriter(ExcelWriter):
    def write_worksheet(self, ws):
        # ExcelWriter.write_worksheet for a workbook that is not write-only, with the writer below
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _FastCellsWorksheetWriter(ws)
        writer.write()
        writer.put_sheet_data()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


class _FastCellsWorksheetWriter(WorksheetWriter):
    sheet_data: bytes | None = None

    def write_rows(self):
        written = _sheet_data(self.ws)
        if written is None:
            super().write_rows()
            return
        self.sheet_data, links = written
        self.ws._hyperlinks.extend(links)  # as openpyxl collects them, cell by cell, for the sheet's tail
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(SHEET_DATA_MARK)
        self.xf.send(None)

    def put_sheet_data(self) -> None:
        """Put the cells' text where the mark stands in the sheet openpyxl wrote around it."""
        if self.sheet_data is None:
            return
        with open(self.out, "rb") as src:
            xml = src.read()
        placeholder = f"<sheetData>{SHEET_DATA_MARK}</sheetData>".encode()
        xml = xml.replace(placeholder, b"<sheetData>" + self.sheet_data + b"</sheetData>", 1)
        with open(self.out, "wb") as dst:
            dst.write(xml)


class _NotPlainCells(Exception):
    """A sheet holds a cell the text writer leaves to openpyxl."""


def _sheet_data(ws) -> tuple[bytes, list] | None:
    """The <row> elements of `ws` as openpyxl writes them, and the hyperlinks of the cells written
    in their order; None when some cell is not a plain string, number or date."""
    if ws.parent.iso_dates:
        return None
    rows: dict[int, list] = defaultdict(list)
    for (row, col), cell in ws._cells.items():
        rows[row].append((col, cell))
    dims = ws.row_dimensions
    for row in dims.keys() - rows.keys():  # a row with a height but no cells is written too
        rows[row] = []
    text = _CellText(ws)
    parts = text.parts
    try:
        for row in sorted(rows):
            attrs = {"r": f"{row}"}
            if row in dims:
                attrs.update(dims[row])
            parts.append("<row" + "".join(f' {k}="{_xml_attr(v)}"' for k, v in attrs.items()) + ">")
            cells = rows[row]
            cells.sort(key=_first)
            for _, cell in cells:
                text.cell(cell)
            parts.append("</row>")
    except _NotPlainCells:
        return None
    return "".join(parts).encode("ascii", "xmlcharrefreplace"), text.links


def _first(pair):
    return pair[0]


class _CellText:
    """Cells as openpyxl.cell._writer.lxml_write_cell writes them (inline strings, %.16g numbers,
    dates as serial numbers, style ids registered in the order the cells are written)."""

    def __init__(self, ws):
        self.epoch = ws.parent.epoch
        self.cell_styles = ws.parent._cell_styles
        self.style_ids: dict[bytes, int] = {}
        self.letters: dict[int, str] = {}
        self.parts: list[str] = []
        self.links: list = []

    def cell(self, cell) -> None:
        if cell._comment is not None:
            raise _NotPlainCells
        value = cell._value
        style = cell._style
        styled = style is not None and any(style)
        if value is None and not styled:
            return
        letter = self.letters.get(cell.column) or self.letters.setdefault(cell.column, get_column_letter(cell.column))
        if styled:
            key = style.tobytes()
            style_id = self.style_ids.get(key)
            if style_id is None:
                style_id = self.style_ids[key] = self.cell_styles.add(style)
            head = f'<c r="{letter}{cell.row}" s="{style_id}"'
        else:
            head = f'<c r="{letter}{cell.row}"'
        if cell._hyperlink:
            self.links.append(cell._hyperlink)
        data_type = cell.data_type
        if data_type == "s" and type(value) is str:
            if not value:
                self.parts.append(head + ' t="inlineStr"></c>')
            elif value != value.strip():
                self.parts.append(f'{head} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>')
            else:
                self.parts.append(f'{head} t="inlineStr"><is><t>{_xml_text(value)}</t></is></c>')
        elif data_type == "n" and value is None:
            self.parts.append(head + ' t="n"></c>')
        elif data_type == "n" and type(value) in (int, float):
            self.parts.append(f'{head} t="n"><v>{_number_text(value)}</v></c>')
        elif data_type == "d" and isinstance(value, dt.datetime) and value.tzinfo is None:
            self.parts.append(f'{head} t="n"><v>{_number_text(to_excel(value, self.epoch))}</v></c>')
        else:
            raise _NotPlainCells


def _number_text(value: int | float) -> str:
    # openpyxl.compat.safe_string: NaN and infinities are written as an empty value
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return ""
    return "%.16g" % value


def _xml_text(text: str) -> str:
    # as lxml escapes text; a carriage return is kept as a reference, or reading would make it \n
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


# ---- 汇总 -----------------------------------------------------------------------------------


def _summary_sheet(ws, result: RunResult, findings: list[Finding]) -> None:
    ws.title = SHEET_SUMMARY
    put(ws, 1, 1, "审计疑点汇总").font = TITLE_FONT
    put(ws, 2, 1, f"规则集：{result.ruleset_title}（{result.ruleset_id} {result.ruleset_version}）  运行时间：{local_time(result.started_at)}")
    put(ws, 3, 1, "疑点总数")
    put(ws, 3, 2, len(findings))
    put(ws, 4, 1, "涉及金额")
    put(ws, 4, 2, total_amount(findings), number_format=AMOUNT_FORMAT)
    row = 6
    category_start = row
    row = _tally_table(ws, row, "类别", by_category(findings))
    category_end = row - 2
    unit_start = row
    row = _tally_table(ws, row, "单位", by_unit(findings))
    unit_end = row - 2
    row = _tally_table(ws, row, "严重程度", by_severity(findings))
    months = by_month(findings)
    month_start = row
    row = _tally_table(ws, row, "月份", months)
    month_end = row - 2
    counts = status_counts(result)
    if counts:
        _header(ws, row, ["整改状态", "疑点数"])
        for offset, (title, n) in enumerate(counts.items(), start=1):
            put(ws, row + offset, 1, title)
            put(ws, row + offset, 2, n)
        row += len(counts) + 2
    # B holds 疑点总数 and 涉及金额 (¥681,000.00 needs 14): wide enough that no cell shows ###
    for col, width in zip("ABCD", (28, 18, 18, 4)):
        ws.column_dimensions[col].width = width
    # The charts stand one below the other in column F, each starting after the one above
    # ends, so that none covers another whatever the number of categories or units.
    chart_row = 3
    if findings:
        chart_row = _bar_chart(ws, "各类别疑点数", category_start, category_end, chart_row)
        chart_row = _pie_chart(ws, "各单位疑点数", unit_start, unit_end, chart_row)
    if months:
        _bar_chart(ws, "各月份疑点数", month_start, month_end, chart_row)
    _print_setup(ws, None)


def _tally_table(ws, row: int, label: str, tallies: dict) -> int:
    """A small count/amount table; returns the row after it plus one blank row."""
    _header(ws, row, [label, "疑点数", "金额"])
    for offset, (name, entry) in enumerate(tallies.items(), start=1):
        put(ws, row + offset, 1, name)
        put(ws, row + offset, 2, entry.count)
        if entry.has_amount:
            put(ws, row + offset, 3, entry.amount, number_format=AMOUNT_FORMAT)
        else:  # a category of findings without amounts (a missing seal): as the terminal shows it
            put(ws, row + offset, 3, "—")
    _body_style(ws, row + 1, row + len(tallies), 3)
    for offset in range(1, len(tallies) + 1):  # the dash stands where the amounts stand
        cell = ws.cell(row=row + offset, column=3)
        if cell.value == "—":
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right")
    return row + len(tallies) + 2


ROW_HEIGHT_CM = 0.53  # a default row (15 points)
CHART_COLUMN = "F"


def _chart_at(ws, chart, row: int) -> int:
    """Place `chart` at column F, `row`; return the first row free below it (plus one)."""
    ws.add_chart(chart, f"{CHART_COLUMN}{row}")
    return row + int(chart.height / ROW_HEIGHT_CM) + 2


def _bar_chart(ws, title: str, header_row: int, last_row: int, row: int) -> int:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Chinese category names stay readable
    chart.title = title
    chart.style = 10
    chart.legend = None
    chart.y_axis.title = "疑点数"
    data = Reference(ws, min_col=2, min_row=header_row, max_row=last_row)
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height = max(7.5, 0.8 * (last_row - header_row) + 3)
    chart.width = 18
    return _chart_at(ws, chart, row)


def _pie_chart(ws, title: str, header_row: int, last_row: int, row: int) -> int:
    chart = PieChart()
    chart.title = title
    data = Reference(ws, min_col=2, min_row=header_row, max_row=last_row)
    cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.width = 14
    chart.height = 7.5
    return _chart_at(ws, chart, row)


# ---- 疑点明细 ---------------------------------------------------------------------------------


SERIAL_HEADER = "序号"
RULE_ID_HEADER = "规则编号"


def finding_headers(with_status: bool) -> list[str]:
    """疑点明细's columns. The printed part comes first — the 整改情况 form: the problem, its
    source, then what the unit fills in (措施, 部门, 责任人, 时限, 状态) — so that it fits an A4
    page across at a readable size; the 整改推进 columns, the finding id and the rule id follow,
    outside the print area."""
    printed = [SERIAL_HEADER, "单位", SUMMARY_HEADER, AMOUNT_HEADER, DESCRIPTION_HEADER, BASIS_HEADER, "来源"]
    if with_status:
        printed.append(STATUS_HEADER)
    printed += [UNVERIFIED_HEADER, *PLAN_COLUMNS, STATE_HEADER]
    return printed + [*PROGRESS_COLUMNS, ID_HEADER, "类别", "严重程度", RULE_ID_HEADER]


LAST_PRINTED_HEADER = STATE_HEADER

# The printed columns (序号 … 整改状态) add up to about 190 characters: A4 landscape fits them
# across at about 75% (tests/reports/test_print_layout.py), a readable size.
FINDING_WIDTHS = {
    SERIAL_HEADER: 5, ID_HEADER: 18, "单位": 12, SUMMARY_HEADER: 16, RULE_ID_HEADER: 12, "类别": 14,
    "严重程度": 9, AMOUNT_HEADER: 14, DESCRIPTION_HEADER: 32, BASIS_HEADER: 16, "来源": 22, STATUS_HEADER: 10,
    UNVERIFIED_HEADER: 10, "整改措施": 20, "责任部门": 9, "责任人": 7, "完成时限": 11, "进展": 20,
    "下一步": 16, "证明材料": 16, STATE_HEADER: 9,
}


def _findings_sheet(ws, result: RunResult, findings: list[Finding], report_path) -> None:
    in_rule_sheets = listed_in_rule_sheets(findings)
    rejected = not_accepted_ids(result)
    with_status = has_baseline(result) or bool(rejected)
    headers = finding_headers(with_status)
    _header(ws, 1, headers, [FINDING_WIDTHS[h] for h in headers])
    column = {h: i for i, h in enumerate(headers, start=1)}
    for row, finding in enumerate(findings, start=2):
        values = {
            SERIAL_HEADER: row - 1,
            ID_HEADER: finding.id,
            "单位": unit_title(finding.unit),
            SUMMARY_HEADER: rule_title(finding),
            RULE_ID_HEADER: finding.rule_id,
            "类别": category_title(finding.category),
            "严重程度": severity_title(finding.severity),
            DESCRIPTION_HEADER: finding.message,
            BASIS_HEADER: finding.basis,
            "来源": _source_text(finding, finding.id in in_rule_sheets),
            UNVERIFIED_HEADER: _unverified_text(finding, result),
        }
        if with_status:
            values[STATUS_HEADER] = NOT_ACCEPTED_TITLE if finding.id in rejected else status_title(finding.status)
        values.update(result.rectification.get(finding.id, {}))
        for header, value in values.items():
            if header in column:
                put(ws, row, column[header], value)
        put(ws, row, column[AMOUNT_HEADER], finding.amount, number_format=AMOUNT_FORMAT)
        _format_finding_row(ws, row, column, finding, result, report_path)
        if finding.id in rejected:
            ws.cell(row=row, column=column[STATUS_HEADER]).font = WARN_FONT
    _table_sheet(ws, headers, len(findings))
    ws.print_area = f"A1:{get_column_letter(column[LAST_PRINTED_HEADER])}{len(findings) + 1}"
    _status_dropdown(ws, column[STATE_HEADER], len(findings))


def _source_text(finding: Finding, in_rule_sheet: bool = True) -> str:
    """Every source row of a finding; the link goes to the first, so a list of several says
    where the others are linked (its rule sheet, unless the sheet's cap left it out)."""
    text = "\n".join(location_text(loc) for loc in finding.locations)
    if len(finding.locations) > 1:
        where = f"点本行“{ID_HEADER}”" if in_rule_sheet else "规则表已达行数上限，见 findings.json"
        text += f"\n（链接到第1处；全部{len(finding.locations)}处逐一链接：{where}）"
    return text


def listed_in_rule_sheets(findings: list[Finding]) -> set[str]:
    """The findings their rule's sheet lists: whole findings, in order, up to RULE_SHEET_MAX_ROWS
    source rows per rule (a rule's first finding always, however many rows it has)."""
    used: dict[str, int] = {}
    listed = set()
    for finding in findings:
        rows = used.get(finding.rule_id, 0) + len(finding.locations)
        if rows <= RULE_SHEET_MAX_ROWS or finding.rule_id not in used:
            used[finding.rule_id] = rows
            listed.add(finding.id)
        else:
            used[finding.rule_id] = RULE_SHEET_MAX_ROWS + 1  # later findings of the rule stay out too
    return listed


def _format_finding_row(ws, row, column, finding, result, report_path) -> None:
    if finding.locations:
        _link(ws.cell(row=row, column=column["来源"]), finding.locations[0], result, report_path)
    if finding.unverified:
        ws.cell(row=row, column=column[UNVERIFIED_HEADER]).font = WARN_FONT
    # the amount cell keeps its number format even when empty, so a typed amount shows as money
    ws.cell(row=row, column=column[AMOUNT_HEADER]).number_format = AMOUNT_FORMAT


# ---- 对账销号单 ---------------------------------------------------------------------------------

# The form as printed, then the finding id outside the print area (for looking a line up, not
# for paper): about 190 characters across, so A4 landscape prints it at about 75%.
RECONCILIATION_HEADERS = [
    SERIAL_HEADER, "单位", SUMMARY_HEADER, AMOUNT_HEADER, *PLAN_COLUMNS, *PROGRESS_COLUMNS,
    "单位填报状态", "复核结论", "销号日期", "复核依据", ID_HEADER,
]
# 复核结论 holds 整改不到位（不予销号） / 未销号（本次仍检出） on one line.
RECONCILIATION_WIDTHS = [5, 11, 16, 14, 22, 9, 7, 11, 14, 10, 12, 8, 23, 11, 16, 18]
LAST_PRINTED_RECONCILIATION = "复核依据"


def _reconciliation_sheet(ws, rows) -> None:
    """One line per problem: what the unit reported and what this run's data says (销号 or not)."""
    _header(ws, 1, RECONCILIATION_HEADERS, RECONCILIATION_WIDTHS)
    column = {h: i for i, h in enumerate(RECONCILIATION_HEADERS, start=1)}
    for row, item in enumerate(rows, start=2):
        finding = item.finding
        values = {
            SERIAL_HEADER: row - 1, ID_HEADER: finding.id, "单位": unit_title(finding.unit),
            SUMMARY_HEADER: rule_title(finding), **{c: item.entry.get(c) for c in (*PLAN_COLUMNS, *PROGRESS_COLUMNS)},
            "单位填报状态": item.entry.get(STATE_HEADER), "复核结论": item.verdict,
            "销号日期": item.closed_on, "复核依据": item.rechecked_by,
        }
        for header, value in values.items():
            put(ws, row, column[header], value)
        put(ws, row, column[AMOUNT_HEADER], finding.amount, number_format=AMOUNT_FORMAT)
        if item.not_accepted:
            ws.cell(row=row, column=column["复核结论"]).font = WARN_FONT
    _table_sheet(ws, RECONCILIATION_HEADERS, len(rows))
    ws.print_area = f"A1:{get_column_letter(column[LAST_PRINTED_RECONCILIATION])}{len(rows) + 1}"


def _unverified_text(finding: Finding, result: RunResult) -> str:
    if not finding.unverified:
        return ""
    # the column's header says 参数待核定: the cell names the parameters and their values only
    return "；".join(unverified_texts(finding.unverified, result, with_ids=False))


def _status_dropdown(ws, col: int, n: int) -> None:
    letter = get_column_letter(col)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(RECTIFICATION_STATES) + '"',
        allow_blank=True,
        showDropDown=False,  # openpyxl's flag is inverted: False shows the in-cell arrow
        showErrorMessage=True,
        errorTitle="整改状态",
        error="请从下拉列表中选择：" + "、".join(RECTIFICATION_STATES),
        promptTitle="整改状态",
        prompt="请选择：" + "、".join(RECTIFICATION_STATES),
        showInputMessage=True,
    )
    validation.add(f"{letter}2:{letter}{max(n + 1, 2)}")
    ws.add_data_validation(validation)


# ---- 已销号 -----------------------------------------------------------------------------------


def _resolved_sheet(ws, resolved: list[Finding], status: str = STATUS_TITLES["resolved"]) -> None:
    headers = [ID_HEADER, "单位", "规则", "类别", "严重程度", "金额", "问题描述", "依据", "来源", STATUS_HEADER]
    _header(ws, 1, headers, [18, 14, 22, 16, 9, 14, 50, 28, 36, 14])
    for row, finding in enumerate(resolved, start=2):
        values = [
            finding.id, unit_title(finding.unit), rule_title(finding), category_title(finding.category),
            severity_title(finding.severity), None, finding.message, finding.basis,
            "\n".join(location_text(loc) for loc in finding.locations), status,
        ]
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
        put(ws, row, 6, finding.amount, number_format=AMOUNT_FORMAT)
    _table_sheet(ws, headers, len(resolved))


# ---- one sheet per rule -----------------------------------------------------------------------


def rule_sheet_name(rule_id: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitive) sheet name of at most 31 characters for a rule id."""
    # cut to length before dropping edge quotes: a cut can leave a quote at the new end
    base = INVALID_SHEET_CHARS.sub("_", rule_id).strip("'")[:MAX_SHEET_NAME].strip("'") or "规则"
    lowered = {t.lower() for t in taken}
    name, n = base, 1
    while name.lower() in lowered or name.lower() == "history":
        n += 1
        suffix = f"~{n}"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    return name


def _rule_sheets(workbook, result: RunResult, findings: list[Finding], report_path) -> dict[str, tuple[str, int]]:
    """One sheet per rule that found something, named by the rule's Chinese title. Returns
    finding id -> (its rule sheet, the sheet row of its first location)."""
    taken = set(FIXED_SHEETS)
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    listed = {f.id: row for row, f in enumerate(findings, start=2)}  # rows of 疑点明细
    anchors: dict[str, tuple[str, int]] = {}
    for rule_id in sorted(by_rule):
        name = rule_sheet_name(rule_title(by_rule[rule_id][0]) or rule_id, taken)
        taken.add(name)
        first_rows = _rule_sheet(workbook.create_sheet(name), by_rule[rule_id], result, report_path, listed)
        anchors.update({fid: (name, row) for fid, row in first_rows.items()})
    return anchors


def _link_findings_to_rule_sheets(ws, findings: list[Finding], anchors: dict[str, tuple[str, int]]) -> None:
    """疑点明细's 来源 links a finding's first source row; its 编号 links the finding's rows in its
    rule sheet, where every location links its own source row — so each location is a click or
    two away (`_source_text` says so under a list of several)."""
    headers = [c.value for c in ws[1]]
    id_col = headers.index(ID_HEADER) + 1
    for row, finding in enumerate(findings, start=2):
        if finding.id not in anchors:
            continue
        _link_within(ws.cell(row=row, column=id_col), *anchors[finding.id])


RULE_SHEET_FIXED = ["疑点编号", "文件", "工作表", "行号"]
# Source rows listed per rule sheet: a rule with tens of thousands of rows would make the workbook
# slow to write and to open, and nobody reads such a sheet row by row; 疑点明细 and findings.json
# keep every finding, and the sheet says what it left out.
RULE_SHEET_MAX_ROWS = 5_000
# Source columns whose header names money or a count: their text is stored as a number with a
# 千分位 format. Other columns (voucher, invoice, contract numbers) stay text as typed.
MONEY_WORDS = ("金额", "单价", "价格", "总价", "合计", "费用", "预算", "批复", "元")
COUNT_WORDS = ("人数", "数量", "次数")
COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0.00"


def _rule_sheet(ws, findings: list[Finding], result: RunResult, report_path,
                listed: dict[str, int] | None = None) -> dict[str, int]:
    """The offending source rows, one block per ledger layout (its own header row), so that two
    units' differently laid out ledgers never share half-empty columns. Each row's 文件 links its
    source row and its 疑点编号 the finding's row of 疑点明细 (`listed`). Returns finding id ->
    the sheet row of its first location."""
    listed = listed or {}
    first_rows: dict[str, int] = {}
    rows = [(f, loc, result.source_rows.get((loc.file, loc.sheet, loc.row), {})) for f in findings for loc in f.locations]
    kept = listed_in_rule_sheets(findings)
    cut = _capped_text(rows, findings, kept)
    rows = [item for item in rows if item[0].id in kept]
    blocks: dict[tuple[str, ...], list] = {}
    for item in rows:
        blocks.setdefault(tuple(str(c) for c in item[2]), []).append(item)
    row = 1
    widest: list[str] = []
    for columns, items in blocks.items():
        headers = RULE_SHEET_FIXED + [c if c not in RULE_SHEET_FIXED else f"原表·{c}" for c in columns]
        if len(headers) > len(widest):
            widest = headers
        _header(ws, row, headers)
        for offset, (finding, loc, source) in enumerate(items, start=row + 1):
            id_cell = put(ws, offset, 1, finding.id)
            if finding.id in listed:
                _link_within(id_cell, SHEET_FINDINGS, listed[finding.id])
            first_rows[finding.id] = min(first_rows.get(finding.id, offset), offset)
            _link(put(ws, offset, 2, loc.file), loc, result, report_path)
            put(ws, offset, 3, loc.sheet)
            put(ws, offset, 4, row_label(loc))
            by_name = _by_column_name(source)
            for col, column in enumerate(columns, start=len(RULE_SHEET_FIXED) + 1):
                value, number_format = _source_cell(column, by_name.get(column))
                put(ws, offset, col, value, number_format=number_format)
        _body_style(ws, row + 1, row + len(items), len(headers))
        row += len(items) + 2
    if cut:
        put(ws, row, 1, cut).font = WARN_FONT
    widths = [18, 28, 12, 7] + [max(10, min(30, 2.2 * len(c) + 4)) for c in widest[len(RULE_SHEET_FIXED):]]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")
    _fit_row_heights(ws)
    return first_rows


def _capped_text(rows: list, findings: list[Finding], kept: set[str]) -> str:
    """What a rule sheet leaves out when it lists fewer findings than its rule has ('' when none)."""
    if len(kept) == len(findings):
        return ""
    shown = sum(1 for finding, _, _ in rows if finding.id in kept)
    return (f"本表行数上限 {RULE_SHEET_MAX_ROWS:,} 行：只列出前 {len(kept):,} 条疑点的 {shown:,} 行来源"
            f"（共 {len(findings):,} 条疑点、{len(rows):,} 行）；全部疑点见“疑点明细”和 findings.json。")


def _source_cell(column: str, value: object) -> tuple[object, str | None]:
    """A source value for the sheet: money and counts typed as text become numbers (千分位)."""
    number_format = _column_number_format(column)
    if number_format is None:
        return value, None
    if isinstance(value, str):
        number = _plain_number_text(value)
        return (number if number is not None else value), number_format
    return value, number_format


@lru_cache(maxsize=4096)
def _column_number_format(column: str) -> str | None:
    if any(word in column for word in COUNT_WORDS):
        return COUNT_FORMAT
    if any(word in column for word in MONEY_WORDS):
        return MONEY_FORMAT
    return None


def _plain_number_text(text: str) -> float | int | None:
    """`6800`, `6,800.50` → a number; anything else (`待定`, `0012`, `1e5`) → None."""
    cleaned = text.strip().replace(",", "")
    if not re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?", cleaned):
        return None
    return float(cleaned) if "." in cleaned else int(cleaned)


def _by_column_name(source: dict) -> dict[str, object]:
    """A source row by its columns' names as text (the first of two keys with the same text)."""
    by_name: dict[str, object] = {}
    for key, value in source.items():
        by_name.setdefault(str(key), value)
    return by_name


# ---- 数据质量, 规则清单, 运行信息 -----------------------------------------------------------------


def _field_label(kind: str, field: str | None) -> str:
    if not field:
        return "（整表）"
    spec = table_kinds().get(kind)
    header = spec.fields[field].header if spec and field in spec.fields else None
    return f"{header}（{field}）" if header else field


def _failed_text(failed: list[dict]) -> str:
    parts = [f"第{item.get('row')}行：{display_value(item.get('value'))}" for item in failed[:MAX_FAILED_LISTED]]
    if len(failed) > MAX_FAILED_LISTED:
        parts.append(f"……共 {len(failed)} 行")
    return "；".join(parts)


def _quality_sheet(ws, result: RunResult) -> None:
    headers = ["文件", "工作表", "表类型", "字段", "检查", "结果", "不通过行数", "不通过的行及值", "说明"]
    _header(ws, 1, headers, [30, 12, 16, 18, 20, 8, 10, 50, 30])
    checks = sorted(result.data_quality, key=lambda q: (q.passed, q.file, q.sheet, q.kind, q.field or "", q.check))
    for row, q in enumerate(checks, start=2):
        values = [
            q.file, q.sheet, kind_label(q.kind), _field_label(q.kind, q.field), check_title(q),
            "通过" if q.passed else "未通过", len(q.failed), _failed_text(q.failed), q.detail,
        ]
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
        if not q.passed:
            ws.cell(row=row, column=6).font = WARN_FONT
    _table_sheet(ws, headers, len(checks))


def _rules_sheet(ws, result: RunResult) -> None:
    headers = ["规则编号", "规则名称", "类别", "严重程度", "类型", "运行状态", "原因", "参数", "依据", "疑点数"]
    _header(ws, 1, headers, [26, 24, 16, 9, 14, 10, 30, 36, 30, 8])
    for row, rule in enumerate(result.rules, start=2):
        params = "\n".join(parameter_text(k, v, result) for k, v in rule.parameters.items())
        values = [
            rule.rule_id, rule.title, category_title(rule.category), severity_title(rule.severity), rule.type,
            rule_outcome_title(rule), rule.reason, params, rule.basis, rule.findings,
        ]
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
        if rule.could_not_run or rule.partly_ran:
            ws.cell(row=row, column=6).font = WARN_FONT
    _table_sheet(ws, headers, len(result.rules))


def _run_sheet(ws, result: RunResult) -> None:
    _header(ws, 1, ["项目", "内容"], [22, 90])
    info = [
        ("工具版本", f"audit-rules {result.tool_version}"),
        ("运行时间", local_time(result.started_at)),
        ("命令行", result.command_line),
        ("规则集编号", result.ruleset_id),
        ("规则集名称", result.ruleset_title),
        ("规则集版本", result.ruleset_version),
        ("规则集 SHA-256", result.ruleset_sha256),
        ("对比基线", result.baseline or "（未指定）"),
    ]
    for name, spec in sorted(result.parameters.items()):
        mark = "" if spec.get("verified") else "（待核定）"
        unit = spec.get("unit") or ""
        unit = "" if unit in ("—", "-") else f" {unit}"
        info.append((f"参数 {name}", f"{display_value(spec.get('value'))}{unit}{mark}；依据：{spec.get('basis', '')}"))
    row = 2
    for name, value in info:
        put(ws, row, 1, name)
        put(ws, row, 2, value)
        row += 1
    row += 1
    _header_at(ws, row, ["输入文件", "SHA-256"])
    for item in sorted(result.inputs, key=lambda i: i.file):
        row += 1
        put(ws, row, 1, item.file)
        put(ws, row, 2, item.sha256)
    if result.errors:
        row += 2
        _header_at(ws, row, ["无法读取的文件", "原因"])
        for error in result.errors:
            row += 1
            put(ws, row, 1, error.file + (f" / {error.sheet}" if error.sheet else ""))
            put(ws, row, 2, error.message)
    _body_style(ws, 2, row, 2)
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")


def _header_at(ws, row: int, titles: list[str]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = put(ws, row, col, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL

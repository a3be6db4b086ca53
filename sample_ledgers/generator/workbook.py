"""Workbook and CSV writers. A sheet is a list of columns (field, header, optional parent for a
two-row header, a function turning the record into the cell value) and a list of records/markers;
the writers note the row each record lands on, and the cells the data-quality gate must report.

Output is deterministic: fixed workbook properties and fixed zip entry times (`save_stable`).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import save_workbook

from .records import CHECK_NOT_NULL, CHECK_UNIQUE, KIND_OF_RECORD, Marker, Record

FIXED_TIME = datetime(2020, 1, 6, 9, 0, 0)
KINDS_YAML = Path(__file__).resolve().parents[2] / "audit_rules" / "ledgers" / "kinds.yaml"


@dataclass
class Col:
    field: str | None  # None: the 序号 column
    header: str
    value: Any = None  # callable(record) -> cell value; default getattr(record, field)
    parent: str | None = None
    fmt: str | None = None
    width: int = 12


class Registry:
    """Every planted finding and near miss, with the (file, sheet, row) it was written to, and
    every cell the data-quality gate must report (quality_key.csv)."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.quality: list[dict] = []

    def add(self, rec: Record, file: str, sheet: str, row: int) -> None:
        rec.loc = (file, sheet, row)
        self.records.append(rec)

    def expect(self, file: str, sheet: str, row: int, field_name: str, check: str, value: Any) -> None:
        self.quality.append({"file": file, "sheet": sheet, "row": row, "field": field_name, "check": check,
                             "value": value})


@functools.cache
def kinds() -> dict:
    """The table kinds of audit_rules/ledgers/kinds.yaml (fields with their header, synonyms, key…)."""
    return yaml.safe_load(KINDS_YAML.read_text(encoding="utf-8"))["kinds"]


def kind_flags(rec: Record) -> tuple[set[str], set[str]]:
    """(key fields, unique fields) of the record's table kind, from kinds.yaml."""
    fields = kinds()[KIND_OF_RECORD[type(rec).__name__]]["fields"]
    return ({n for n, f in fields.items() if f.get("key")}, {n for n, f in fields.items() if f.get("unique")})


def cell_value(col: Col, rec: Record) -> Any:
    if col.field in rec.typed_as:
        return rec.typed_as[col.field]
    if col.value is not None:
        return col.value(rec)
    return getattr(rec, col.field)


def expect_quality(reg: Registry, file: str, sheet: str, written: list[tuple[Record, int, dict]]) -> None:
    """The data-quality failures of one written sheet: planted bad cells, blank key fields,
    values of a unique field that repeat within the sheet (every row of the repeat)."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rec, row, values in written:
        keys, uniques = kind_flags(rec)
        for name, value in values.items():
            if name in rec.bad_checks:
                reg.expect(file, sheet, row, name, rec.bad_checks[name], value)
            elif name in keys and value in (None, ""):
                reg.expect(file, sheet, row, name, CHECK_NOT_NULL, None)
            if name in uniques and value not in (None, ""):
                seen[(name, str(value).strip())].append(row)
    for (name, value), rows in seen.items():
        if len(rows) > 1:
            for row in rows:
                reg.expect(file, sheet, row, name, CHECK_UNIQUE, value)


def write_sheet(ws, reg: Registry, file: str, *, title: str, note: str | None, cols: list[Col],
                rows: list, seq: bool = True) -> None:
    """Title row merged across the table, a note row, a (one- or two-row) header, the data."""
    cols = ([Col(None, "序号", width=6)] if seq else []) + cols
    ncol = len(cols)
    last = get_column_letter(ncol)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    r = 2
    if note:
        ws.cell(2, 1, note)
        ws.merge_cells(f"A2:{last}2")
        r = 3
    two_rows = any(c.parent for c in cols)
    for j, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = c.width
        wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if two_rows and c.parent:
            ws.cell(r, j, c.parent).alignment = wrap
            ws.cell(r + 1, j, c.header).alignment = wrap
        else:
            ws.cell(r, j, c.header).alignment = wrap
            if two_rows:
                ws.merge_cells(start_row=r, start_column=j, end_row=r + 1, end_column=j)
        ws.cell(r, j).font = Font(bold=True)
    if two_rows:  # merge each parent across its children
        j = 1
        while j <= ncol:
            p = cols[j - 1].parent
            k = j
            while p and k < ncol and cols[k].parent == p:
                k += 1
            if p and k > j:
                ws.merge_cells(start_row=r, start_column=j, end_row=r, end_column=k)
            j = k + 1
        r += 1
    r += 1
    n = 0
    written = []
    for item in rows:
        if isinstance(item, Marker):
            if item.kind != "blank":
                for j, c in enumerate(cols, start=1):
                    key = c.field if c.field else "_seq"
                    if key in item.values:
                        v = item.values[key]
                        ws.cell(r, j, v)
                        if isinstance(v, float):
                            ws.cell(r, j).number_format = "#,##0.00"
            for name, check in item.bad_checks.items():
                reg.expect(file, ws.title, r, name, check, item.values.get(name))
            r += 1
            continue
        n += 1
        values = {}
        for j, c in enumerate(cols, start=1):
            v = n if c.field is None else cell_value(c, item)
            if c.field is not None:
                values[c.field] = v
            write_cell(ws, r, j, v, c.fmt)
        reg.add(item, file, ws.title, r)
        written.append((item, r, values))
        r += 1
    expect_quality(reg, file, ws.title, written)


def write_cell(ws, row: int, column: int, value, money_format: str | None = None) -> None:
    """A value in its cell as a clerk formats it: dates as dates, money with 千分位, multi-line
    text wrapped; nothing for None (a blank cell)."""
    if value is None:
        return
    cell = ws.cell(row, column, value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, float):
        cell.number_format = money_format or "#,##0.00"
    elif isinstance(value, str) and "\n" in value:
        cell.alignment = Alignment(wrap_text=True)


def save_stable(wb, path: Path) -> None:
    """Save with fixed document times and zip entry times so the bytes do not change between runs."""
    wb.properties.creator = "audit-rules sample generator"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    save_workbook(wb, buf)  # stamps `modified` with now(); pinned below
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def new_book():
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def write_csv(path: Path, reg: Registry, file: str, *, encoding: str, headers: list[str],
              cols: list, rows: list, title: str | None = None) -> None:
    """CSV ledger. Row numbers are physical lines counted from 1 (header line = 1 without a title)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    line = 0
    if title:
        w.writerow([title] + [""] * (len(headers) - 1))
        line += 1
    w.writerow(headers)
    line += 1
    written = []
    for item in rows:
        line += 1
        if isinstance(item, Marker):
            w.writerow([item.values.get(c if isinstance(c, str) else c[0], "") for c in cols])
            for name, check in item.bad_checks.items():
                reg.expect(file, "", line, name, check, item.values.get(name))
            continue
        values = {name: item.typed_as[name] if name in item.typed_as else fn(item) for name, fn in cols
                  if name != "seq"}
        w.writerow(["" if (v := (values[name] if name in values else fn(item))) is None else v for name, fn in cols])
        reg.add(item, file, "", line)
        written.append((item, line, values))
    expect_quality(reg, file, "", written)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))

"""Read workbooks and CSV files into canonical Tables.

Reading path (measured in benchmarks/bench_read.py): each sheet is loaded once with fastexcel
(calamine → Arrow) with every column as string, rows from the sheet's first row so that
position i is Excel row i+1. Strings lose nothing we need: text cells stay text (发票号
'00571234' keeps its zeros), numbers come as their shortest exact form (1200, 0.3), dates as
'YYYY-MM-DD HH:MM:SS', booleans as 'true'/'false'; the typed parsers in normalize.py then
read each column by its field type. python-calamine is the fallback when fastexcel fails on
a sheet, and gives the merged ranges of a two-row header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from audit_rules.ledgers import normalize
from audit_rules.ledgers.files import FoundFile, UnsafeFile, check_file
from audit_rules.ledgers.header import HEADER_SCAN_ROWS, HeaderMatch, detect_header
from audit_rules.ledgers.mapping import Mapping
from audit_rules.ledgers.model import BAD_FIELDS, PROVENANCE, CellProblem, ReadError, Table
from audit_rules.ledgers.schema import table_kinds

# A totals label, optionally after a period ('3月小计', '2019年上半年合计', '第一季度小计').
_TOTAL_PERIOD = (
    r"本页|本月|本年|本期|全年|总|上半年|下半年|第?[一二三四1-4]季度"
    r"|([0-9]{4}年度?)?(上半年|下半年|[0-9一二三四五六七八九十]{1,3}月份?)?"
)
_TOTAL_CELL = re.compile(rf"^({_TOTAL_PERIOD})?(合计|小计|总计|累计)[:：]?$")
_EXCEL_MIDNIGHT = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) 00:00:00$")

# ---- sheets as grids of strings ---------------------------------------------------------------
# A grid is a DataFrame of str/NA: index = Excel row number (CSV line), columns = absolute
# column position (0 = column A).


def _fastexcel_grids(path: Path) -> list[tuple[str, pd.DataFrame | Exception]]:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    grids: list[tuple[str, pd.DataFrame | Exception]] = []
    for name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            batch, cell_errors = sheet.to_arrow_with_errors()
            frame = batch.to_pandas()
            _put_back_error_cells(frame, cell_errors)
            frame.columns = [info.absolute_index for info in sheet.available_columns()]
            frame.index = pd.RangeIndex(1, len(frame) + 1)
            grids.append((name, frame))
        except Exception as error:  # noqa: BLE001 - a sheet fastexcel cannot load goes to calamine
            grids.append((name, _calamine_grid(path, name, error)))
    return grids


_EXCEL_ERRORS = {"NA": "#N/A", "Div0": "#DIV/0!", "Value": "#VALUE!", "Ref": "#REF!", "Name": "#NAME?",
                 "Num": "#NUM!", "Null": "#NULL!", "GettingData": "#GETTING_DATA"}


def _put_back_error_cells(frame: pd.DataFrame, cell_errors) -> None:
    """fastexcel turns #N/A-style cells into null; write the error text back so the cell is
    reported as unreadable (with what Excel shows) instead of silently blank."""
    if not cell_errors:
        return
    for error in cell_errors.errors:
        row, column = error.position
        found = re.search(r"Error\((\w+)\)", error.detail)
        code = found.group(1) if found else "ERROR"
        frame.iat[row, column] = _EXCEL_ERRORS.get(code, f"#{code.upper()}")


def _calamine_cell_text(value: object) -> str | None:
    """Render a typed calamine cell the way fastexcel renders it as string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _calamine_grid(path: Path, sheet: str, first_error: Exception) -> pd.DataFrame | Exception:
    try:
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - report the first reader's error, it is the informative one
        return first_error
    frame = pd.DataFrame([[_calamine_cell_text(v) for v in row] for row in rows])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame.astype("str") if len(frame.columns) else frame


def _merged_spans_reader(path: Path, sheet: str):
    """Callable row → merged column spans starting on that Excel row (loaded on first use)."""
    cache: dict[str, list] = {}

    def spans(excel_row: int) -> list[tuple[int, int]] | None:
        if "ranges" not in cache:
            try:
                import python_calamine

                workbook = python_calamine.CalamineWorkbook.from_path(str(path))
                cache["ranges"] = workbook.get_sheet_by_name(sheet).merged_cell_ranges or []
            except Exception:  # noqa: BLE001 - without merge info the header falls back to a heuristic
                cache["ranges"] = []
        found = [(c1, c2) for (r1, c1), (_r2, c2) in cache["ranges"] if r1 == excel_row - 1 and c2 > c1]
        return found or None

    return spans


def decode_csv(data: bytes, display: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 — detected, not assumed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnsafeFile(f"文件“{display}”：无法识别文本编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")
    return str(best)


def _csv_grid(path: Path, display: str) -> pd.DataFrame:
    text = decode_csv(path.read_bytes(), display)
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[list[str]] = []
    lines: list[int] = []
    next_line = 1
    for record in reader:
        # A quoted cell may span lines: a record's row number is the line it starts on.
        rows.append(record)
        lines.append(next_line)
        next_line = reader.line_num + 1
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(padded, index=lines) if rows and width else pd.DataFrame()
    return frame.astype("str").mask(frame.isna()) if len(frame.columns) else frame


# ---- one grid → one Table -------------------------------------------------------------------


def _nonblank(grid: pd.DataFrame) -> pd.DataFrame:
    return grid.apply(lambda column: column.str.strip().fillna("").ne(""))


def _top_rows(grid: pd.DataFrame, filled: pd.DataFrame) -> dict[int, dict[int, str]]:
    """The first non-blank rows as {Excel row: {column: text}} for header detection."""
    numbers = filled.index[filled.any(axis=1)][:HEADER_SCAN_ROWS + 1]
    top: dict[int, dict[int, str]] = {}
    for number in numbers:
        row = grid.loc[number]
        top[int(number)] = {int(c): str(row[c]).strip() for c in grid.columns if filled.at[number, c]}
    # One row more than the scan, so a two-row header at the edge is seen whole.
    return top


def _unit_from_file(found: FoundFile) -> str | None:
    """The unit a file belongs to when no cell says so: its folder, else its cleaned name."""
    parts = found.display.split("/")
    if found.base_dir is not None and len(parts) > 1:
        return parts[-2]
    return unit_from_stem(Path(parts[-1]).stem)


def _ledger_words() -> list[str]:
    words = {
        "付款明细账", "付款明细", "支出明细", "报销明细", "明细账", "明细表", "明细", "台账", "登记表",
        "登记簿", "登记", "名册", "名录", "名单", "卡片", "记录表", "记录", "清单", "汇总表", "汇总",
        "一览表", "统计表", "批复", "公示", "合同", "付款", "支出", "报销", "固定资产", "资产", "公务接待",
        "接待", "加班用餐", "用餐", "会议", "三重一大", "集体决策", "决策", "供应商", "定点", "协议",
        "人员", "干部任前", "任前", "专项资金", "专项", "配置限额", "限额", "标准", "导出", "副本",
        "备份", "最终版", "终版", "修改版", "数据",
    }
    for kind in table_kinds().values():
        words.update(w for w in re.split(r"[/（）()]", kind.title) if len(w) > 1)
    return sorted(words, key=len, reverse=True)


def unit_from_stem(stem: str) -> str | None:
    """'XX局2019年付款明细账' → 'XX局'; a name of ledger words only → None (shared reference)."""
    text = re.sub(r"(19|20)\d{2}\s*(年度|年)?", "", stem)
    text = re.sub(r"\d{1,2}\s*月(份)?|第?[一二三四1-4]季度|上半年|下半年|全年", "", text)
    for word in _ledger_words():
        text = text.replace(word, "")
    text = re.sub(r"^[\s\-_—.()（）【】\[\]]+|[\s\-_—.()（）【】\[\]表账]+$", "", text)
    return text or None


def _labels_for_columns(match: HeaderMatch, data: pd.DataFrame, filled: pd.DataFrame) -> dict[int, str]:
    """Header text per column; a column with data but no header gets 列C (its Excel letter)."""
    labels = dict(match.labels)
    for column in data.columns:
        if column not in labels and filled[column].any():
            labels[int(column)] = f"列{_column_letter(int(column))}"
    seen: dict[str, int] = {}
    unique: dict[int, str] = {}
    for column in sorted(labels):
        label = labels[column]
        seen[label] = seen.get(label, 0) + 1
        unique[column] = label if seen[label] == 1 else f"{label}({seen[label]})"
    return unique


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _totals_mask(data: pd.DataFrame) -> pd.Series:
    """Rows with a 合计/小计/总计 cell (whitespace inside ignored: '合 计')."""
    mask = pd.Series(False, index=data.index)
    for column in data.columns:
        # Every total word contains 计: a cheap filter before normalising the few candidates.
        candidates = data[column].str.contains("计", regex=False).fillna(False).astype(bool)
        if not candidates.any():
            continue
        text = data.loc[candidates, column].str.normalize("NFKC").str.replace(normalize.WS + "+", "", regex=True)
        mask[text.index] |= text.str.match(_TOTAL_CELL.pattern).fillna(False).astype(bool)
    return mask


def _display(series: pd.Series) -> pd.Series:
    """Cell as a user would recognise it: Excel dates without a midnight time part, '' for blank."""
    return series.str.replace(_EXCEL_MIDNIGHT.pattern, r"\1", regex=True).fillna("")


def _empty_table(display: str, sheet: str, path: Path) -> Table:
    data = pd.DataFrame({name: pd.Series(dtype=object) for name in (*PROVENANCE, BAD_FIELDS)})
    data["_row"] = data["_row"].astype("int64")
    return Table(display, sheet, None, None, {}, [], data, pd.DataFrame(), path=str(path))


def build_table(grid: pd.DataFrame, found: FoundFile, sheet: str, mapping: Mapping | None) -> Table | None:
    """One sheet's grid of strings → a Table; None for a sheet with nothing in it."""
    if grid.empty:
        return None
    filled = _nonblank(grid)
    if not filled.to_numpy().any():
        return None
    rule = mapping.for_sheet(found.display, sheet) if mapping else None
    top = _top_rows(grid, filled)
    if rule and rule.header_row is not None and rule.header_row in grid.index and rule.header_row not in top:
        top[rule.header_row] = {int(c): str(grid.at[rule.header_row, c]).strip()
                                for c in grid.columns if filled.at[rule.header_row, c]}
    spans = _merged_spans_reader(found.path, sheet) if found.path.suffix.lower() != ".csv" else None
    match = detect_header(
        top,
        forced_kind=rule.kind if rule else None,
        forced_header_row=rule.header_row if rule else None,
        overrides=rule.columns if rule else None,
        merged_spans=spans,
    )
    if match is None:
        return _empty_table(found.display, sheet, found.path)
    return _table_from_match(grid, filled, match, found, sheet)


def _table_from_match(grid, filled, match: HeaderMatch, found: FoundFile, sheet: str) -> Table:
    kind = table_kinds()[match.kind]
    body = grid.loc[grid.index > match.header_row]
    body_filled = filled.loc[body.index]
    labels = _labels_for_columns(match, body, body_filled)
    body = body.loc[body_filled.any(axis=1)]
    totals_mask = _totals_mask(body)
    totals_rows = body.loc[totals_mask]
    body = body.loc[~totals_mask]

    columns = {}
    bad_cells: list[tuple[str, pd.Index]] = []
    problems: list[CellProblem] = []
    scales: dict[str, float] = {}
    by_field = {field_name: column for column, field_name in match.fields.items()}
    for field_name, spec in kind.fields.items():
        if field_name not in by_field:
            continue
        column = by_field[field_name]
        scale = _scale_for(match, field_name, spec.type)
        if spec.type == "amount":
            scales[field_name] = scale
        values, bad = normalize.parse_column(body[column], spec.type, scale)
        columns[field_name] = values
        if bad.any():
            bad_index = body.index[bad.to_numpy()]
            bad_cells.append((field_name, bad_index))
            message = normalize.PROBLEM_MESSAGES.get(spec.type, "无法识别的取值")
            raw = body.loc[bad_index, column]
            problems.extend(
                CellProblem(int(row), labels[column], field_name, value, f"{message}：“{value}”")
                for row, value in raw.items()
            )

    data = pd.DataFrame(columns, index=body.index)
    data["_file"] = found.display
    data["_sheet"] = sheet
    data["_row"] = body.index.to_numpy(dtype="int64")
    data["_unit"] = _units(body, match, found)
    data[BAD_FIELDS] = _bad_lists(body.index, bad_cells)
    data = data.reset_index(drop=True)

    raw = pd.DataFrame({labels[c]: _display(body[c]) for c in sorted(labels) if c in body.columns})
    raw = raw.reset_index(drop=True)
    totals, totals_row = _totals(totals_rows, kind, by_field, match)
    problems.sort(key=lambda p: (p.row, p.column))
    ignored = set(match.fields) | match.serial_columns | ({match.unit_column} - {None})
    return Table(
        file=found.display,
        sheet=sheet,
        kind=kind.name,
        header_row=match.header_row,
        fields={field_name: labels[column] for field_name, column in by_field.items()},
        unmapped=[labels[c] for c in sorted(labels) if c not in ignored],
        data=data,
        raw=raw,
        problems=problems,
        totals=totals,
        totals_row=totals_row,
        scale=scales,
        path=str(found.path),
    )


def _scale_for(match: HeaderMatch, field_name: str, field_type: str) -> float:
    if field_type != "amount":
        return 1.0
    return match.scales.get(field_name) or match.note_scale or 1.0


def _units(body: pd.DataFrame, match: HeaderMatch, found: FoundFile) -> pd.Series:
    fallback = match.preparer or _unit_from_file(found)
    if match.unit_column is not None and match.unit_column in body.columns:
        values, _ = normalize.parse_text(body[match.unit_column])
        return values.where(values.notna(), fallback).astype(object)
    return pd.Series([fallback] * len(body), index=body.index, dtype=object)


def _bad_lists(index: pd.Index, bad_cells: list[tuple[str, pd.Index]]) -> list[list[str]]:
    lists: list[list[str]] = [[] for _ in range(len(index))]
    if bad_cells:
        position = pd.Series(np.arange(len(index)), index=index)
        for field_name, rows in bad_cells:
            for at in position.loc[rows].to_numpy():
                lists[at].append(field_name)
    return lists


def _totals(totals_rows: pd.DataFrame, kind, by_field: dict[str, int], match: HeaderMatch):
    """Amounts on the 合计 row (the grand total when there are several subtotal rows)."""
    if totals_rows.empty:
        return {}, None
    texts = totals_rows.apply(lambda c: c.str.replace(r"\s+", "", regex=True)).fillna("")
    grand = texts.apply(lambda c: c.str.contains("合计|总计", regex=True)).any(axis=1)
    row = totals_rows.loc[grand].index[-1] if grand.any() else totals_rows.index[-1]
    totals: dict[str, float] = {}
    for field_name, column in by_field.items():
        spec = kind.fields[field_name]
        if spec.type != "amount":
            continue
        value, _ = normalize.parse_amount(totals_rows.loc[[row], column], _scale_for(match, field_name, "amount"))
        if pd.notna(value.iloc[0]):
            totals[field_name] = float(value.iloc[0])
    return totals, int(row)


# ---- files ------------------------------------------------------------------------------------


def read_file(found: FoundFile, mapping: Mapping | None = None) -> tuple[list[Table], list[ReadError]]:
    """Every sheet of one file as Tables (recognised or not), and what could not be read."""
    try:
        check_file(found.path, found.display)
    except UnsafeFile as error:
        return [], [ReadError(found.display, str(error))]
    if found.path.suffix.lower() == ".csv":
        try:
            grids: list[tuple[str, pd.DataFrame | Exception]] = [("", _csv_grid(found.path, found.display))]
        except UnsafeFile as error:
            return [], [ReadError(found.display, str(error))]
        except (csv.Error, OSError) as error:
            return [], [ReadError(found.display, f"文件“{found.display}”：CSV 无法解析（{error}）。")]
    else:
        try:
            grids = _fastexcel_grids(found.path)
        except Exception as error:  # noqa: BLE001 - any parser failure is one file's problem
            return [], [ReadError(found.display, _workbook_message(found.display, error))]
    tables: list[Table] = []
    errors: list[ReadError] = []
    for sheet, grid in grids:
        if isinstance(grid, Exception):
            errors.append(ReadError(found.display, f"文件“{found.display}”工作表“{sheet}”无法读取：{grid}", sheet))
            continue
        try:
            table = build_table(grid, found, sheet, mapping)
        except Exception as error:  # noqa: BLE001 - one bad sheet must not stop the run
            errors.append(ReadError(found.display, f"文件“{found.display}”工作表“{sheet}”处理失败：{error}", sheet))
            continue
        if table is not None:
            tables.append(table)
    if not tables and not errors:
        errors.append(ReadError(found.display, f"文件“{found.display}”中没有任何内容（所有工作表均为空）。"))
    return tables, errors


def _workbook_message(display: str, error: Exception) -> str:
    text = str(error)
    if "password" in text.lower() or "encrypt" in text.lower():
        return f"文件“{display}”：工作簿已加密（设有打开密码），无法读取。请取消密码后另存。"
    return f"文件“{display}”无法作为 Excel 工作簿读取，可能已损坏（{text}）。"

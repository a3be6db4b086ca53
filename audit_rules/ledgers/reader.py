"""Read workbooks and CSV files into canonical Tables.

Reading path (measured in benchmarks/bench_read.py): each sheet is loaded once with fastexcel
(calamine → Arrow) with every column as string, rows from the sheet's first row so that
position i is Excel row i+1. Strings lose nothing we need: text cells stay text (发票号
'00571234' keeps its zeros), numbers come as their shortest exact form (1200, 0.3), dates as
'YYYY-MM-DD HH:MM:SS', booleans as 'true'/'false'; the typed parsers in normalize.py then
read each column by its field type. python-calamine is the fallback when fastexcel fails on
a sheet; merged ranges come from the safety scan of the sheet's XML (sheet_details.py).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit_rules.ledgers import journal, layout, normalize
from audit_rules.ledgers.files import FoundFile, UnsafeFile, check_file
from audit_rules.ledgers.header import (
    HEADER_SCAN_ROWS,
    HeaderMatch,
    clean_header,
    detect_header,
)
from audit_rules.ledgers.mapping import COMPOSITE_SEPARATOR, Mapping, SheetMapping
from audit_rules.ledgers.model import (
    BAD_FIELDS,
    PROVENANCE,
    CellProblem,
    ReadError,
    Table,
)
from audit_rules.ledgers.schema import table_kinds
from audit_rules.ledgers.sheet_details import SheetDetails

# A totals label, optionally after a period ('3月小计', '2019年上半年合计', '第一季度小计').
_MONTH = r"[0-9一二三四五六七八九十]{1,3}"
_TOTAL_PERIOD = (
    r"本页|本月|本年|本期|全年|年度|以上|总|上半年|下半年|第?[一二三四1-4]季度"
    rf"|{_MONTH}(?:-|—|~|至|到){_MONTH}月份?"
    rf"|([0-9]{{4}}年度?)?(上半年|下半年|{_MONTH}月份?)?"
)
# '合计金额', '合计(元)', '合计(大写)' label the same row.
_TOTAL_TAIL = r"(金额|数)?(\((元|万元|大写|小写)\))?"
_TOTAL_CELL = re.compile(rf"^({_TOTAL_PERIOD})?(合计|小计|总计|累计){_TOTAL_TAIL}[:：]?$")
# A label covering the whole sheet (not one month or page of it).
_GRAND_TOTAL_CELL = re.compile(
    rf"^(总|全年|年度|本年|以上|([0-9]{{4}}年度?)?(上半年|下半年)?)?(合计|总计|累计){_TOTAL_TAIL}[:：]?$"
)
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


# Encodings a CSV export is tried in when it carries no BOM, most common first. UTF-8 is
# strict enough that a file decoding as UTF-8 is UTF-8. GB18030 decodes most byte strings,
# Western text included ("£T" is a valid GB18030 pair), so it is taken only when what it gives
# reads as Chinese. cp1252 (Windows Western) before Latin-1: they differ only in 0x80-0x9F,
# printable in cp1252 and control codes in Latin-1. Nothing guesses among look-alike code
# pages (cp1250 turns the £ of a Latin-1 file into Ł).
CSV_ENCODINGS = ("utf-8", "gb18030", "cp1252", "latin-1")
# Share of the non-ASCII characters GB18030 gives that must be common Chinese (GB2312) text.
CHINESE_SHARE = 0.8


def _reads_as_chinese(text: str) -> bool:
    """Whether GB18030-decoded text is Chinese: most non-ASCII characters are in GB2312.

    A Western file misread as GB18030 pairs a high byte with an ASCII letter, which lands in the
    rarely used GBK extension (lead or trail byte below 0xA1), never in GB2312.
    """
    wide = _ASCII.sub("", text)
    if not wide:
        return True
    # GB2312 writes each of its non-ASCII characters in two bytes and the codec drops the others:
    # the count in C, not character by character (10 ms on a 360-line CSV).
    common = len(wide.encode("gb2312", errors="ignore")) // 2
    return common >= CHINESE_SHARE * len(wide)


_ASCII = re.compile("[\x00-\x7f]+")


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 written without a BOM: ASCII text leaves a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _undecodable(display: str, encoding: str | None = None) -> UnsafeFile:
    if encoding:
        return UnsafeFile(f"文件“{display}”：无法按映射文件指定的编码 {encoding} 解码，请检查 encoding 设置"
                          f"或将文件另存为 UTF-8 编码的 CSV。")
    return UnsafeFile(f"文件“{display}”：无法识别文本编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")


def decode_csv(data: bytes, display: str, encoding: str | None = None) -> str:
    """The text of a CSV file: in `encoding` when the mapping file names one, else detected
    among UTF-8 (with or without BOM), UTF-16, GB18030, cp1252 and Latin-1 (CSV_ENCODINGS)."""
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            raise _undecodable(display, encoding) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:  # a UTF-16 mark over bytes that are not (a truncated file)
            raise UnsafeFile(f"文件“{display}”：开头标明为 UTF-16 编码，但内容无法按 UTF-16 解码，文件可能不完整。") from None
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data.decode("utf-8-sig")
        utf16 = _looks_like_utf16(data)
        if utf16:
            return data.decode(utf16)
    except UnicodeDecodeError:
        raise _undecodable(display) from None
    for candidate in CSV_ENCODINGS:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "gb18030" and not _reads_as_chinese(text):
            continue
        if candidate == "latin-1" and not _mostly_printable(text):
            break  # every byte string decodes as Latin-1: binary content is not a CSV
        return text
    raise _undecodable(display)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _mostly_printable(text: str) -> bool:
    return len(_CONTROL.findall(text[:65536])) <= 0.01 * max(len(text[:65536]), 1)


CSV_DELIMITERS = ",\t;|"


def _csv_delimiter(sample: str) -> str:
    """The delimiter most lines agree on.

    csv.Sniffer gives up when a title line or a blank line sits above the header (lines of
    unequal width); count instead how many lines share each candidate's most common count.
    """
    lines = [line for line in sample.splitlines()[:200] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in CSV_DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        used = [count for count in counts if count]
        if not used:
            continue
        mode = max(set(used), key=used.count)
        score = (used.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_grid(path: Path, display: str, encoding: str | None = None) -> pd.DataFrame:
    text = decode_csv(path.read_bytes(), display, encoding)
    # newline="": lines end at LF, CRLF or a bare CR (old Mac and some mainframe exports), and a
    # line break inside a quoted cell stays in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text[:65536]))
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
    """Which cells hold something besides whitespace (str.strip, as pyarrow trims, over all cells at once)."""
    cells = layout.string_cells(grid) if grid.shape[0] and grid.shape[1] else None
    if cells is None:
        return grid.apply(lambda column: column.str.strip().fillna("").ne(""))
    filled = layout.as_matrix(pc.not_equal(pc.utf8_trim_whitespace(cells), ""), grid)
    return pd.DataFrame(filled, index=grid.index, columns=grid.columns)


def _top_rows(grid: pd.DataFrame, filled: pd.DataFrame) -> dict[int, dict[int, str]]:
    """The first non-blank rows as {Excel row: {column: text}} for header detection."""
    numbers = filled.index[filled.any(axis=1)][:HEADER_SCAN_ROWS + 1]
    # One row more than the scan, so a two-row header at the edge is seen whole.
    values = grid.loc[numbers].to_numpy(dtype=object)
    present = filled.loc[numbers].to_numpy(dtype=bool)
    columns = [int(c) for c in grid.columns]
    return {int(number): {columns[at]: str(values[i, at]).strip() for at in np.flatnonzero(present[i])}
            for i, number in enumerate(numbers)}


def _unit_from_file(found: FoundFile) -> str | None:
    """The unit a file belongs to when no cell says so: its folder, else its cleaned name.

    A file lying directly in the folder given belongs to that folder's unit (甲局/付款明细.xlsx
    with 甲局 given) unless its own name names a body (乙局付款明细.xlsx); in a folder holding one
    sub-folder per unit, a file beside them keeps what its name says, None for a shared
    reference (定点供应商名录.xlsx).
    """
    parts = found.display.split("/")
    if found.base_dir is not None:
        # The nearest folder that names something other than a period or a ledger
        # (甲局/2019年/付款明细.xlsx belongs to 甲局), kept as written.
        for folder in reversed(parts[:-1]):
            if unit_from_stem(folder) is not None:
                return folder
        named = unit_from_stem(Path(parts[-1]).stem)
        if len(parts) == 1 and not _names_an_organisation(named) and not _has_subfolders(found.base_dir):
            folder = found.base_dir.name
            if unit_from_stem(folder) is not None:
                return folder
    return unit_from_stem(Path(parts[-1]).stem)


# How the names of Chinese public bodies end: a file named 长沙市示范统计局2019年付款明细 names its
# unit; Spend_over_500_April_2019 or 付款明细-2019 does not.
_ORGANISATION_ENDINGS = (
    "局", "委", "委员会", "办", "办公室", "厅", "部", "处", "科", "室", "中心", "院", "所", "站", "馆", "校",
    "学校", "大学", "学院", "医院", "队", "会", "社", "团", "园", "场", "公司", "集团", "政府", "街道", "镇", "乡",
)


def _names_an_organisation(name: str | None) -> bool:
    return name is not None and name.endswith(_ORGANISATION_ENDINGS)


@lru_cache(maxsize=256)
def _has_subfolders(base: Path) -> bool:
    """Whether the folder given holds visible sub-folders (one per unit, or per period)."""
    try:
        return any(child.is_dir() and not child.name.startswith(".") for child in base.iterdir())
    except OSError:
        return False


def _ledger_words() -> list[str]:
    words = {
        "付款明细账", "付款明细", "支出明细", "报销明细", "明细账", "明细表", "明细", "台账", "登记表",
        "登记簿", "登记", "名册", "名录", "名单", "卡片", "记录表", "记录", "清单", "汇总表", "汇总",
        "一览表", "统计表", "批复", "公示", "合同", "付款", "支出", "报销", "固定资产", "资产", "公务接待",
        "接待", "加班用餐", "用餐", "会议", "三重一大", "集体决策", "决策", "供应商", "定点", "协议",
        "人员", "干部任前", "任前", "专项资金", "专项", "配置限额", "限额", "标准", "导出", "副本",
        "备份", "最终版", "终版", "修改版", "数据", "用友", "金蝶", "列表", "单据", "报销单", "凭证",
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
    # Most columns hold no such date: a test on the one array spares the regex (and its pandas call).
    if isinstance(series.dtype, pd.StringDtype) and not pc.any(
            pc.ends_with(pa.array(series, from_pandas=True), " 00:00:00")).as_py():
        return series.fillna("")
    return series.str.replace(_EXCEL_MIDNIGHT.pattern, r"\1", regex=True).fillna("")


def _empty_table(display: str, sheet: str, path: Path) -> Table:
    data = pd.DataFrame({name: pd.Series(dtype=object) for name in (*PROVENANCE, BAD_FIELDS)})
    data["_row"] = data["_row"].astype("int64")
    return Table(display, sheet, None, None, {}, [], data, pd.DataFrame(), path=str(path))


def build_tables(
    grid: pd.DataFrame, found: FoundFile, sheet: str, mapping: Mapping | None,
    details: SheetDetails | None = None, split_columns: bool = True,
) -> list[Table]:
    """One sheet's grid of strings → its Tables (several when tables are stacked or side by side).

    A sheet with nothing in it gives no table; a sheet whose header matches no kind gives one
    unrecognised table.
    """
    if grid.empty:
        return []
    filled = _nonblank(grid)
    if not filled.to_numpy().any():
        return []
    rule = mapping.for_sheet(found.display, sheet) if mapping else None
    top = _top_rows(grid, filled)
    if rule and rule.header_row is not None and rule.header_row in grid.index and rule.header_row not in top:
        top[rule.header_row] = {int(c): str(grid.at[rule.header_row, c]).strip()
                                for c in grid.columns if filled.at[rule.header_row, c]}
    match = detect_header(
        top,
        forced_kind=rule.kind if rule else None,
        forced_header_row=rule.header_row if rule else None,
        overrides=rule.columns if rule else None,
        merged_spans=details.spans if details else None,
    )
    if match is None:
        return [_empty_table(found.display, sheet, found.path)]
    forced_layout = rule is not None and (rule.kind is not None or rule.header_row is not None)
    if split_columns and not forced_layout:
        groups = layout.column_groups(top, filled, match)
        if groups:
            return [table for group in groups
                    for table in build_tables(grid[group], found, sheet, mapping, details, split_columns=False)]
    next_start, repeated = layout.next_table_start(grid, filled, match, overrides=rule.columns if rule else None)
    if rule is not None and rule.header_row is not None:
        next_start = None  # the mapping file fixes this sheet's one header
    block = grid if next_start is None else grid.loc[grid.index < next_start]
    tables = [_table_from_match(block, filled.loc[block.index], match, found, sheet, details, repeated, rule)]
    if next_start is not None:
        rest = grid.loc[grid.index >= next_start]
        tables.extend(build_tables(rest, found, sheet, mapping, details, split_columns=split_columns))
    return tables


def _table_from_match(grid, filled, match: HeaderMatch, found: FoundFile, sheet: str,
                      details: SheetDetails | None = None, repeated: list[int] = (),
                      rule: SheetMapping | None = None) -> Table:
    kind = table_kinds()[match.kind]
    notes: list[str] = []
    body = grid.loc[grid.index > match.header_row]
    body_filled = filled.loc[body.index]
    labels = _labels_for_columns(match, body, body_filled)
    if not body_filled.to_numpy().any():
        notes.append(f"表头（第 {match.header_row} 行）之下没有数据行，按空表读取。")
    match = _with_unit_column(match, rule, labels, notes)
    if repeated:
        body = body.drop(index=list(repeated))
        notes.append(f"第 {_row_list(repeated)} 行重复了表头（分页打印时常见），已跳过。")
    body = body.loc[filled.loc[body.index].any(axis=1)]
    totals_mask = _totals_mask(body)
    totals_rows = body.loc[totals_mask]
    body = body.loc[~totals_mask]
    balances = layout.balance_mask(body)
    if balances.any():
        notes.append(f"第 {_row_list(body.index[balances.to_numpy()])} 行为期初余额、承前页等结转行，不作为数据读取。")
        body = body.loc[~balances.to_numpy()]
    footer = layout.footer_rows(body, filled.loc[body.index])
    if footer:
        text = " / ".join(" ".join(str(v).split()) for v in body.loc[footer[0]].dropna() if str(v).strip())
        notes.append(f"第 {_row_list(footer)} 行为表尾（{text}），不作为数据读取。")
        body = body.drop(index=footer)

    formulas: dict[tuple[int, int], str] = {}
    if details is not None and _has_blank_mapped_cells(body, filled, match):
        body = _fill_merged_cells(body, grid, match, kind, details, notes, labels)
        formulas = details.uncomputed_formulas()
    body, match, composite_parts = _composite_columns(body, match, kind, rule, labels, notes)
    by_field = {field_name: column for column, field_name in match.fields.items()}
    date_order = rule.date_order if rule else None

    columns = {}
    bad_cells: list[tuple[str, pd.Index]] = []
    problems: list[CellProblem] = []
    scales: dict[str, float] = {}
    for field_name, spec in kind.fields.items():
        if field_name not in by_field:
            continue
        column = by_field[field_name]
        scale = _scale_for(match, field_name, spec.type)
        if spec.type == "amount":
            scales[field_name] = scale
        values, bad = normalize.parse_column(body[column], spec.type, scale, date_order)
        columns[field_name] = values
        if bad.any():
            bad_index = body.index[bad.to_numpy()]
            bad_cells.append((field_name, bad_index))
            raw = body.loc[bad_index, column]
            messages = _problem_messages(raw, spec.type, date_order)
            problems.extend(
                CellProblem(int(row), labels[column], field_name, value, f"{messages[row]}：“{value}”")
                for row, value in raw.items()
            )
        uncomputed = sorted((row, formula) for (row, at), formula in formulas.items()
                            if at == column and row in body.index)
        if uncomputed:
            columns[field_name] = _null_at(values, [row for row, _ in uncomputed])
            bad_cells.append((field_name, pd.Index([row for row, _ in uncomputed])))
            problems.extend(
                CellProblem(int(row), labels[column], field_name, formula,
                            f"公式没有计算结果（文件保存前未经 Excel 计算），无法读取：“{formula}”")
                for row, formula in uncomputed
            )
    _note_unmapped_formulas(formulas, body, match, labels, notes)
    _note_debit_credit(kind.name, by_field, labels, notes)

    data = pd.DataFrame(columns, index=body.index)
    data["_file"] = found.display
    data["_sheet"] = sheet
    data["_row"] = body.index.to_numpy(dtype="int64")
    data["_unit"] = _units(body, match, found, rule)
    data[BAD_FIELDS] = _bad_lists(body.index, bad_cells)
    data = data.reset_index(drop=True)
    if kind.name == "journal":
        data = journal.complete(data)

    raw = pd.DataFrame({labels[c]: _display(body[c]) for c in sorted(labels) if c in body.columns and c >= 0})
    raw = raw.reset_index(drop=True)
    totals, totals_row = _totals(totals_rows, kind, by_field, match)
    problems.sort(key=lambda p: (p.row, p.column))
    ignored = set(match.fields) | match.serial_columns | ({match.unit_column} - {None}) | composite_parts
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
        notes=notes,
        period=journal.period_span(match.period_note),
    )


def _problem_messages(raw: pd.Series, field_type: str, date_order: str | None) -> dict[int, str]:
    """Per bad cell, why it could not be read (a date column saying which order to declare)."""
    message = normalize.PROBLEM_MESSAGES.get(field_type, "无法识别的取值")
    messages = dict.fromkeys(raw.index, message)
    if field_type == "date":
        ambiguous = normalize.ambiguous_dates(raw, date_order)
        messages.update(dict.fromkeys(raw.index[ambiguous.to_numpy()], normalize.AMBIGUOUS_DATE_MESSAGE))
    return messages


def _columns_by_header(labels: dict[int, str]) -> dict[str, int]:
    """Cleaned header text → column, for finding the columns a mapping file names."""
    found: dict[str, int] = {}
    for column, label in sorted(labels.items()):
        found.setdefault(clean_header(label), column)
        found.setdefault(clean_header(label.split("/")[-1]), column)
    return found


def _missing_columns_note(key: str, missing: list[str]) -> str:
    names = "、".join(f"“{name}”" for name in missing)
    return f"映射文件的 {key} 指定的列 {names} 在本表中找不到，未按映射处理。"


def _with_unit_column(match: HeaderMatch, rule: SheetMapping | None, labels, notes: list[str]) -> HeaderMatch:
    """The mapping file's `unit: {column: …}` names the column giving each row's unit."""
    if rule is None or rule.unit_column is None:
        return match
    column = _columns_by_header(labels).get(clean_header(rule.unit_column))
    if column is None:
        notes.append(_missing_columns_note("unit.column", [rule.unit_column]))
        return match
    fields = {c: name for c, name in match.fields.items() if c != column}
    return dataclasses.replace(match, fields=fields, unit_column=column)


# Synthetic columns (a field built from several) sit at negative positions, never an Excel column.
_FIRST_COMPOSITE = -1


def _composite_columns(body: pd.DataFrame, match: HeaderMatch, kind, rule: SheetMapping | None, labels,
                       notes: list[str]) -> tuple[pd.DataFrame, HeaderMatch, set[int]]:
    """Fields the mapping file builds from several columns (invoice_no: [发票号, 行号]).

    The parts' non-blank cells are joined with COMPOSITE_SEPARATOR (FP001 and 2 → FP001-2; a
    blank line number leaves FP001). Returns the body with one synthetic column per such field,
    the match with the field moved to it, and the part columns (used, so not "unmapped").
    """
    if rule is None or not rule.composites:
        return body, match, set()
    by_header = _columns_by_header(labels)
    fields = dict(match.fields)
    parts_used: set[int] = set()
    position = _FIRST_COMPOSITE
    for field_name, headers in rule.composites.items():
        if field_name not in kind.fields:
            continue
        columns = [by_header.get(clean_header(header)) for header in headers]
        missing = [header for header, column in zip(headers, columns) if column is None]
        if missing:
            notes.append(_missing_columns_note(f"columns.{field_name}", missing))
            continue
        body = body.copy()
        body[position] = _joined(body, columns)
        fields = {c: name for c, name in fields.items() if name != field_name}
        fields[position] = field_name
        labels[position] = "+".join(labels[column] for column in columns)
        parts_used.update(columns)
        notes.append(f"“{kind.fields[field_name].headers[0] if kind.fields[field_name].headers else field_name}”"
                     f"由{'、'.join(f'“{labels[c]}”' for c in columns)}"
                     f"以“{COMPOSITE_SEPARATOR}”连接而成（映射文件的组合列）。")
        position -= 1
    return body, dataclasses.replace(match, fields=fields), parts_used


def _joined(body: pd.DataFrame, columns: list[int]) -> pd.Series:
    """The non-blank cells of `columns` joined with COMPOSITE_SEPARATOR, column by column."""
    joined = pd.Series(pd.NA, index=body.index, dtype="string")
    for column in columns:
        part, _ = normalize.parse_id(body[column])
        part = part.astype("string")
        joined = joined.where(part.isna(), (joined + COMPOSITE_SEPARATOR + part).fillna(part))
    return joined.astype(object).where(joined.notna(), None)


def _row_list(rows) -> str:
    """'5、6、9' — short lists in full, long ones as a range with a count."""
    rows = sorted(int(r) for r in rows)
    if len(rows) <= 6:
        return "、".join(str(r) for r in rows)
    return f"{rows[0]}～{rows[-1]} 中的 {len(rows)} "


def _has_blank_mapped_cells(body: pd.DataFrame, filled: pd.DataFrame, match: HeaderMatch) -> bool:
    """A blank in a mapped column may be a merged cell or a formula without a result."""
    columns = [c for c in match.fields if c in body.columns]
    return bool(columns) and not filled.loc[body.index, columns].to_numpy().all()


# Merged over several data rows, these are one value for each row (a visit's date, a voucher's
# number); amounts and counts are one figure for the group and must not be repeated.
_FILL_DOWN_TYPES = frozenset({"text", "id", "date", "bool", "year", "list", "ratio"})


def _fill_merged_cells(body, grid, match, kind, details: SheetDetails, notes: list[str], labels) -> pd.DataFrame:
    """Give each row of a vertically merged data cell the merged value, as the sheet shows it."""
    body = body.copy()
    kept_once: dict[int, list[int]] = {}
    filled_columns: set[int] = set()
    for (r1, c1), (r2, _c2) in details.merged_ranges():
        top, bottom = r1 + 1, r2 + 1
        if bottom <= top or top <= match.header_row or c1 not in match.fields or top not in grid.index:
            continue
        rows = [r for r in range(top + 1, bottom + 1) if r in body.index]
        if not rows:
            continue
        if kind.fields[match.fields[c1]].type not in _FILL_DOWN_TYPES:
            kept_once.setdefault(c1, []).extend(rows)
            continue
        body.loc[rows, c1] = grid.at[top, c1]
        filled_columns.add(c1)
    if filled_columns:
        names = "、".join(f"“{labels[c]}”" for c in sorted(filled_columns))
        notes.append(f"{names}有跨行合并的单元格，合并范围内各行按合并值读取。")
    for column, rows in sorted(kept_once.items()):
        notes.append(f"“{labels[column]}”有跨行合并的单元格，金额/数量只计入合并范围的第一行"
                     f"（第 {_row_list(rows)} 行为空）。")
    return body


def _null_at(values: pd.Series, rows: list[int]) -> pd.Series:
    values = values.copy()
    values.loc[rows] = None if values.dtype == object else pd.NA if str(values.dtype) in ("Int64", "boolean") \
        else np.nan
    return values


def _note_unmapped_formulas(formulas, body, match, labels, notes: list[str]) -> None:
    if not formulas:
        return
    rows = set(body.index)
    columns = sorted({c for (r, c) in formulas if r in rows and c not in match.fields and c in labels})
    for column in columns:
        count = sum(1 for (r, c) in formulas if c == column and r in rows)
        notes.append(f"“{labels[column]}”列有 {count} 个公式单元格没有计算结果（文件保存前未经 Excel 计算），按空白读取。")


_DEBIT_CREDIT = {"借方", "贷方", "借方金额", "贷方金额", "借方发生额", "贷方发生额", "本币借方", "本币贷方"}


def _note_debit_credit(kind: str, by_field: dict[str, int], labels: dict[int, str], notes: list[str]) -> None:
    """A 明细账/凭证列表 has 借方 and 贷方 columns, not one amount: say why no amount was read."""
    if kind != "payments" or "amount" in by_field:
        return
    found = [label for label in labels.values() if clean_header(label) in _DEBIT_CREDIT]
    if found:
        names = "、".join(f"“{label}”" for label in found)
        notes.append(
            f"{names}未自动作为“金额”读取：借贷方向因科目而异（凭证列表还含银行存款等对方科目）。"
            f"如借方即支出，可在映射文件中写 columns: {{\"{found[0]}\": amount}}。"
        )


def _scale_for(match: HeaderMatch, field_name: str, field_type: str) -> float:
    if field_type != "amount":
        return 1.0
    return match.scales.get(field_name) or match.note_scale or 1.0


def _units(body: pd.DataFrame, match: HeaderMatch, found: FoundFile, rule: SheetMapping | None = None) -> pd.Series:
    """Each row's unit: the mapping file's constant, else the row's 单位 cell, else what the
    sheet (编制单位：…) or the file's place says."""
    if rule is not None and rule.unit is not None:
        return pd.Series([rule.unit] * len(body), index=body.index, dtype=object)
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


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _totals(totals_rows: pd.DataFrame, kind, by_field: dict[str, int], match: HeaderMatch):
    """Amounts on the sheet's grand-total row: the last 合计/总计/本年累计 that covers the whole
    sheet. Only period or page subtotals (本月合计, 3月小计, 本页小计) give no sheet total."""
    if totals_rows.empty:
        return {}, None
    # A handful of rows: their cells are looked at one by one.
    grand = pd.Series([any(isinstance(cell, str) and _GRAND_TOTAL_CELL.match(_squeezed(cell)) for cell in cells)
                       for cells in totals_rows.to_numpy(dtype=object)], index=totals_rows.index, dtype=bool)
    if not grand.any():
        return {}, None
    row = totals_rows.loc[grand].index[-1]
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
        scanned = check_file(found.path, found.display)
    except UnsafeFile as error:
        return [], [ReadError(found.display, str(error))]
    if found.path.suffix.lower() == ".csv":
        try:
            rule = mapping.for_sheet(found.display, "") if mapping else None
            encoding = rule.encoding if rule else None
            grids: list[tuple[str, pd.DataFrame | Exception]] = [("", _csv_grid(found.path, found.display, encoding))]
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
        details = SheetDetails(found.path, sheet, scanned) if found.path.suffix.lower() != ".csv" else None
        try:
            tables.extend(build_tables(grid, found, sheet, mapping, details))
        except Exception as error:  # noqa: BLE001 - one bad sheet must not stop the run
            errors.append(ReadError(found.display, f"文件“{found.display}”工作表“{sheet}”处理失败：{error}", sheet))
            continue
    if not tables and not errors:
        errors.append(ReadError(found.display, f"文件“{found.display}”中没有任何内容（所有工作表均为空）。"))
    elif tables and all(table.kind is None for table in tables):
        errors.append(_nothing_recognised(found.display, tables))
    return tables, errors


def _nothing_recognised(display: str, tables: list[Table]) -> ReadError:
    """A file read whole in which no table matched a kind: say so, or it would vanish from `check`."""
    sheets = "、".join(dict.fromkeys(f"“{table.sheet}”" for table in tables)) if any(t.sheet for t in tables) else ""
    where = f"工作表 {sheets} " if sheets else ""
    return ReadError(
        display,
        f"文件“{display}”{where}的前 {HEADER_SCAN_ROWS} 行中没有找到可识别的表头（与任何台账类型的列名都不匹配），"
        f"未读取任何数据。可用 inspect 查看，或在映射文件中用 kind 与 columns 指定表类型和列名。",
    )


def _workbook_message(display: str, error: Exception) -> str:
    text = str(error)
    if "password" in text.lower() or "encrypt" in text.lower():
        return f"文件“{display}”：工作簿已加密（设有打开密码），无法读取。请取消密码后另存。"
    return f"文件“{display}”无法作为 Excel 工作簿读取，可能已损坏（{text}）。"

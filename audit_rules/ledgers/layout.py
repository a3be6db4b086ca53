"""How the tables of one sheet are laid out: where each one starts and ends.

A sheet usually holds one table under one header, but real ledgers also have:
- a second table below the first, after a blank row and perhaps a title ("二、合同台账"),
  with its own header; or the same header repeated after a page break;
- a second table beside the first, past an empty column (配置限额 next to the 资产卡片);
- footer lines under the data (制表人：张三  审核：李四, 注：……);
- carried balance lines in 明细账 exports (期初余额, 承前页, 过次页).

None of those is a data row. Every check here is vectorised over the sheet, or looks only at the
few rows a cheap test has picked out.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit_rules.ledgers.header import HeaderMatch, detect_header
from audit_rules.ledgers.schema import non_field_headers, table_kinds

# Lines under a table naming who made or checked it, or a note: not data.
_FOOTER_LABEL = re.compile(
    r"^(制表人?|填表人?|编制人|制单人?|审核人?|复核人?|审批人?|负责人|单位负责人|财务负责人|主管会计|会计主管"
    r"|分管领导|部门负责人|记账人?|出纳|经办人?|填报人|日期|填报日期|制表日期|填表日期|打印日期|打印时间"
    r"|注|备注|说明|附注|注释)[:：]"
)
# The most lines a footer block can take; only the bottom of a table is looked at.
FOOTER_MAX_ROWS = 12
FOOTER_MAX_CELLS = 4
# 明细账 lines that carry a balance instead of recording a transaction.
BALANCE_LINES = frozenset({
    "期初余额", "年初余额", "月初余额", "上年结转", "上月结转", "承前页", "承上页", "过次页", "转下页",
    "期末余额", "年末余额", "结转下年", "结转下月", "本期余额",
})


@lru_cache(maxsize=1)
def header_words() -> frozenset[str]:
    """Every header and synonym of every kind, as people write them (for a cheap first pass)."""
    words = set(non_field_headers()["serial"])
    for kind in table_kinds().values():
        for spec in kind.fields.values():
            words.update(spec.headers)
    return frozenset(words)


def string_cells(frame: pd.DataFrame) -> pa.ChunkedArray | None:
    """Every cell of a grid of strings, column after column, as one pyarrow array (no Python
    object per cell); None when some column holds anything but strings."""
    chunks = [pa.array(frame.iloc[:, at], from_pandas=True) for at in range(frame.shape[1])]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) or pa.types.is_null(c.type)
               for c in chunks):
        return None
    return pa.chunked_array([c.cast(pa.large_string()) for c in chunks], type=pa.large_string())


def as_matrix(flags: pa.ChunkedArray, frame: pd.DataFrame) -> np.ndarray:
    """A column-after-column array of booleans (nulls false) as a rows × columns matrix."""
    return pc.fill_null(flags, False).to_numpy().reshape(frame.shape[1], frame.shape[0]).T


def _cells_in(frame: pd.DataFrame, words: frozenset[str] | set[str]) -> np.ndarray:
    """Which cells hold one of `words`, as a rows × columns boolean matrix.

    One lookup over every cell at once: testing column by column builds the word table again
    for each column, and the words include this table's own labels, so a sheet of 16,384
    columns would cost 16,384 × 16,384. Strings are looked up by pyarrow (string_cells).
    """
    if not frame.shape[0] or not frame.shape[1]:
        return np.zeros(frame.shape, dtype=bool)
    cells = string_cells(frame)
    if cells is not None:
        return as_matrix(pc.is_in(cells, value_set=pa.array(sorted(words), type=pa.large_string())), frame)
    flat = pd.Series(frame.to_numpy(dtype=object).ravel())
    return flat.isin(words).to_numpy(dtype=bool).reshape(frame.shape)


def _row_cells(grid: pd.DataFrame, filled: pd.DataFrame, number: int) -> dict[int, str]:
    row = grid.loc[number]
    return {int(c): str(row[c]).strip() for c in grid.columns if filled.at[number, c]}


def _same_header(found: HeaderMatch, match: HeaderMatch) -> bool:
    return found.kind == match.kind and found.fields == match.fields


def next_table_start(grid: pd.DataFrame, filled: pd.DataFrame, match: HeaderMatch,
                     overrides: dict[str, str] | None = None) -> tuple[int | None, list[int]]:
    """(first row of the next table below, or None; rows repeating this table's header).

    A row holding two or more known header words is checked as a header; a row matching this
    table's header again (page-break repeat) is skipped, any other header starts a new table.
    The new table takes the title lines just above its header, back to the last blank row.
    ``overrides`` (the mapping file's columns) count as header words too, so a block written in
    the mapping's words is found below another.
    """
    body = grid.loc[grid.index > match.header_row]
    if body.empty:
        return None, []
    words = header_words() | set(match.labels.values()) | set(overrides or ())
    hits = pd.Series(_cells_in(body, words).sum(axis=1), index=body.index)
    repeated: list[int] = []
    for number in hits.index[hits >= 2]:
        if int(number) in repeated:
            continue
        found = detect_header({int(number): _row_cells(grid, filled, number)}, overrides=overrides)
        if found is None:
            continue
        if _same_header(found, match):
            repeated.append(int(number))
            continue
        child = _repeated_two_row_header(grid, filled, match, found, int(number), words)
        if child is not None:
            repeated.extend([int(number), child])
            continue
        return _title_start(filled, match.header_row, int(number)), repeated
    return None, repeated


def _repeated_two_row_header(grid, filled, match: HeaderMatch, found: HeaderMatch, number: int,
                             words: set[str]) -> int | None:
    """The child row when `number` repeats the parent row of this table's two-row header.

    The parent row alone maps only some of the fields (合同要素 over 签字/盖章 maps nothing);
    with the row below made of header words only, it is the same header after a page break.
    """
    if len(match.header_rows) != 2 or found.kind != match.kind:
        return None
    if not set(found.fields.items()) <= set(match.fields.items()):
        return None
    below = number + 1
    if below not in grid.index:
        return None
    cells = _row_cells(grid, filled, below)
    if cells and all(text in words for text in cells.values()):
        return below
    return None


def _title_start(filled: pd.DataFrame, header_row: int, next_header: int) -> int:
    """The next table starts at its title lines: the short rows just above its header, after a blank row."""
    between = filled.loc[(filled.index > header_row) & (filled.index < next_header)]
    counts = between.sum(axis=1)
    start = next_header
    for number in reversed(between.index.tolist()):
        if counts[number] == 0:
            return start
        if counts[number] > 2:
            return next_header
        start = int(number)
    return next_header


def column_groups(
    top: dict[int, dict[int, str]], filled: pd.DataFrame, match: HeaderMatch
) -> list[list[int]] | None:
    """Column groups of tables standing side by side, or None for one table.

    Columns are cut where a column is empty from the header down. The sheet holds several tables
    only when at least two groups are recognised on their own and they are not one table with a
    spacer column (same kind, different fields): different kinds, or the same fields twice.
    Unrecognised groups stay with the table on their left, so no column is lost.
    """
    below = filled.loc[filled.index >= match.header_rows[0]]
    used = [int(c) for c in below.columns[below.any(axis=0).to_numpy()]]
    runs: list[list[int]] = []
    for column in sorted(used):
        if runs and column == runs[-1][-1] + 1:
            runs[-1].append(column)
        else:
            runs.append([column])
    if len(runs) < 2:
        return None
    matches = [detect_header({n: {c: t for c, t in cells.items() if c in members} for n, cells in top.items()})
               for members in map(set, runs)]
    recognised = [(run, found) for run, found in zip(runs, matches) if found is not None]
    if len(recognised) < 2:
        return None
    kinds = {found.kind for _run, found in recognised}
    field_sets = [set(found.fields.values()) for _run, found in recognised]
    overlapping = any(field_sets[i] & field_sets[j] for i in range(len(field_sets)) for j in range(i))
    if len(kinds) == 1 and not overlapping:
        return None
    groups: list[list[int]] = []
    for run, found in zip(runs, matches):
        if found is not None or not groups:
            groups.append(list(run))
        else:
            groups[-1].extend(run)
    return groups


def footer_rows(body: pd.DataFrame, body_filled: pd.DataFrame) -> list[int]:
    """Rows at the bottom that are 制表人/审核/注 lines (and the note lines under them)."""
    counts = body_filled.sum(axis=1)
    tail = counts.index[counts.to_numpy() > 0][-FOOTER_MAX_ROWS:]
    start = None
    for number in tail:
        first = next(str(v) for v in body.loc[number] if isinstance(v, str) and v.strip())
        labelled = counts[number] <= FOOTER_MAX_CELLS and bool(
            _FOOTER_LABEL.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", first))))
        if labelled:
            start = number if start is None else start
        elif counts[number] > 1:
            start = None  # a row of several cells after a label row: that label row was data
        # a single-cell line under a label row continues the note ("注：1. …" / "2. …")
    if start is None:
        return []
    return [int(n) for n in tail if n >= start]


def balance_mask(body: pd.DataFrame) -> pd.Series:
    """Rows with a carried-balance label (期初余额, 承前页…) as a whole cell."""
    return pd.Series(_cells_in(body, BALANCE_LINES).any(axis=1), index=body.index)

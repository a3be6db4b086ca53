"""Finding where tables start costs one pass over the cells, not one per column and word."""

from __future__ import annotations

import pandas as pd

from audit_rules.ledgers import layout
from audit_rules.ledgers.header import detect_header


def _wide_grid(columns: int) -> pd.DataFrame:
    header = ["日期", "金额", "收款单位", *(f"列名{i}" for i in range(3, columns))]
    rows = [header, [str(i) for i in range(columns)], [str(i) for i in range(columns)]]
    return pd.DataFrame(rows, index=[1, 2, 3], dtype="string")


def test_a_sheet_of_16384_columns_is_looked_up_a_constant_number_of_times(monkeypatch):
    grid = _wide_grid(16_384)
    filled = grid.notna()
    match = detect_header({1: {c: str(v) for c, v in grid.loc[1].items()}})
    assert match is not None and len(match.labels) == 16_384
    lookups = []
    original, original_arrow = pd.Series.isin, layout.pc.is_in
    monkeypatch.setattr(pd.Series, "isin", lambda self, values: lookups.append(len(self)) or original(self, values))
    # columns of strings are looked up by pyarrow, all cells as one chunked array
    monkeypatch.setattr(layout.pc, "is_in", lambda cells, **options: lookups.append(len(cells))
                        or original_arrow(cells, **options))
    assert layout.next_table_start(grid, filled, match) == (None, [])
    assert layout.balance_mask(grid.loc[[2, 3]]).tolist() == [False, False]
    # one lookup per call, over every cell at once (column by column it was 16,384 × 16,384 words)
    assert lookups == [2 * 16_384, 2 * 16_384]


def test_repeated_header_and_a_second_table_below_are_still_found():
    grid = pd.DataFrame(
        [["日期", "金额", "收款单位"], ["2019-05-03", "100", "甲"], ["日期", "金额", "收款单位"], ["2019-05-04", "200", "乙"]],
        index=[1, 2, 3, 4], dtype="string",
    )
    match = detect_header({1: {c: str(v) for c, v in grid.loc[1].items()}})
    assert layout.next_table_start(grid, grid.notna(), match) == (None, [3])

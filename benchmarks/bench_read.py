"""Time the ways of reading a large payments workbook, to justify the reader's choice.

Generates a payments workbook (title row, note row, header, N data rows with real dates,
text identifiers with leading zeros, amounts, a 合计 row) with openpyxl write_only into a
temporary directory, then times each reading path and prints figures and ratios.

    .venv/bin/python benchmarks/bench_read.py [ROWS]      (default 200000)
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd

HEADERS = ["序号", "日期", "凭证号", "摘要", "经济分类", "金额（元）", "收款单位", "发票号码", "经办人", "审核人"]


def make_workbook(path: Path, rows: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("付款明细")
    ws.append(["XX局2019年付款明细账"])
    ws.append(["编制单位：XX局", None, None, None, None, "单位：元"])
    ws.append(HEADERS)
    start = dt.datetime(2019, 1, 1)
    total = 0.0
    for i in range(rows):
        amount = round(100 + (i * 37) % 100000 + (i % 100) / 100, 2)
        total += amount
        ws.append([
            i + 1,
            start + dt.timedelta(days=i % 365),
            f"记-{i:06d}",
            f"支付第{i}笔办公用品费",
            "30201 办公费",
            amount,
            f"供应商{i % 500}有限公司",
            f"{i % 10**8:08d}",
            "张三",
            "李四",
        ])
    ws.append(["合计", None, None, None, None, round(total, 2)])
    wb.save(path)


def timed(label: str, func, results: dict[str, float]) -> object:
    began = time.perf_counter()
    value = func()
    results[label] = time.perf_counter() - began
    print(f"{label:<58} {results[label]:7.2f} s", flush=True)
    return value


def path_pandas_openpyxl(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, engine="openpyxl", header=2)


def path_pandas_calamine(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, engine="calamine", header=2)


def path_calamine_rows(path: Path) -> list:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def path_fastexcel_strings(path: Path) -> pd.DataFrame:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    return reader.load_sheet(0, header_row=2, dtypes="string").to_pandas()


def path_fastexcel_peek_then_load(path: Path) -> pd.DataFrame:
    """What the reader does: peek at the top rows for the header, then load the data block."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    reader.load_sheet(0, header_row=None, n_rows=30, dtypes="string").to_pandas()
    return reader.load_sheet(0, header_row=2, dtypes="string").to_pandas()


def path_load_ledgers(path: Path) -> object:
    from audit_rules.ledgers import load_ledgers

    return load_ledgers([path])


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "付款明细.xlsx"
        began = time.perf_counter()
        make_workbook(path, rows)
        print(f"generated {rows} rows in {time.perf_counter() - began:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)\n")
        results: dict[str, float] = {}
        if rows <= 50_000 or "--slow" in sys.argv:
            timed("pandas + openpyxl", lambda: path_pandas_openpyxl(path), results)
        timed("pandas + calamine", lambda: path_pandas_calamine(path), results)
        timed("python-calamine to_python (typed rows)", lambda: path_calamine_rows(path), results)
        timed("fastexcel, all columns as string -> pandas", lambda: path_fastexcel_strings(path), results)
        timed("fastexcel peek 30 rows + load as string -> pandas", lambda: path_fastexcel_peek_then_load(path), results)
        ledgers = timed("audit_rules load_ledgers (read + header + normalise)",
                        lambda: path_load_ledgers(path), results)
        table = ledgers.tables[0]
        print(f"\nload_ledgers: kind={table.kind} rows={table.rows} header_row={table.header_row} "
              f"totals={table.totals} problems={len(table.problems)}")
        fastest = min(results.values())
        print("\nratios to the fastest path:")
        for label, seconds in sorted(results.items(), key=lambda item: item[1]):
            print(f"  {label:<56} x{seconds / fastest:5.2f}")


if __name__ == "__main__":
    main()

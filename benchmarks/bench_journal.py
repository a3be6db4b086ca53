"""A large accounting-software journal: `audit-rules check` (read + derive payments + check)
against pandas + calamine merely reading the same file.

Generates (cached in the temp folder by size) a 金蝶-style 会计分录序时簿 .xlsx as the reader
knows it (sample_ledgers/generator/vouchers.py): a title line, 核算单位 and 期间 line, the
header (日期 会计期间 凭证字号 分录号 摘要 科目代码 科目名称 借方 贷方 核算项目 制单 审核人), voucher cells
only on a voucher's first line, 本月合计 and 本年累计 rows after each month. Vouchers follow
政府会计制度: a payment is Dr an expense (5101.02) / Cr 1011 零余额账户用款额度 with its budget
twin Dr 7101.01 行政支出 / Cr 8001 资金结存 (4 lines); 1 voucher in 20 is a 2-line transfer.
1 payment in 300 repeats an earlier one (a planted duplicate).

    .venv/bin/python benchmarks/bench_journal.py [--lines 500000] [--repeat N] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import CACHE, _list, dataset, measure_check, measure_read  # noqa: E402

UNIT = "长沙市示范测试所"
HEADERS = ["日期", "会计期间", "凭证字号", "分录号", "摘要", "科目代码", "科目名称", "借方", "贷方", "核算项目", "制单",
           "审核人"]
EXPENSES = [("30201 办公费", "购买办公用品"), ("30202 印刷费", "支付印刷费"), ("30211 差旅费", "差旅费报销"),
            ("30215 会议费", "支付会议费"), ("30213 维修（护）费", "设备维修"), ("30226 劳务费", "支付劳务费")]


def _voucher_lines(rng, vouchers: int) -> list[list]:
    """Every voucher's lines as [day, number, line, summary, code, name, debit, credit, aux]."""
    days = np.sort(rng.integers(0, 365, vouchers))
    amounts = np.round(rng.uniform(100, 80_000, vouchers), 2)
    payees = rng.integers(0, 400, vouchers)
    kinds = rng.integers(0, len(EXPENSES), vouchers)
    transfers = rng.random(vouchers) < 0.05
    invoices = (np.arange(vouchers, dtype=np.int64) * 7919) % 10**8
    twins = np.arange(300, vouchers, 300)
    for column in (amounts, payees, kinds, invoices, transfers):
        column[twins] = column[twins - 11]
    start = dt.datetime(2019, 1, 1)
    numbers: dict[int, int] = {}
    out = []
    for v in range(vouchers):
        day = start + dt.timedelta(days=int(days[v]))
        numbers[day.month] = numbers.get(day.month, 0) + 1
        econ, text = EXPENSES[kinds[v]]
        amount = float(amounts[v])
        payee = f"长沙供应商{payees[v]}有限公司"
        if transfers[v]:
            lines = [(f"结转{text}", "1011", "零余额账户用款额度", amount, None, None),
                     (f"结转{text}", "1002", "银行存款", None, amount, None)]
        else:
            summary = f"{text} 发票号{invoices[v]:08d}"
            aux = f"往来单位:{payee};经济分类:{econ}"
            lines = [(summary, "5101.02", "单位管理费用-商品和服务费用", amount, None, aux),
                     (summary, "1011", "零余额账户用款额度", None, amount, None),
                     (summary, "7101.01", "行政支出", amount, None, f"经济分类:{econ}"),
                     (summary, "8001", "资金结存", None, amount, None)]
        for number, line in enumerate(lines, start=1):
            out.append([day, numbers[day.month], number, *line])
    return out


def write_journal(path: Path, lines: int, seed: int = 20261203) -> None:
    import xlsxwriter

    rng = np.random.default_rng(seed)
    records = _voucher_lines(rng, int(lines / 3.9))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("会计分录序时簿")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["会计分录序时簿"])
    ws.write_row(1, 0, [f"核算单位：{UNIT}", None, None, None, "期间：2019年第1期 至 2019年第12期"])
    ws.write_row(2, 0, HEADERS)
    r, month, month_sums, year_sums = 3, 1, [0.0, 0.0], [0.0, 0.0]

    def totals(r: int) -> int:
        for label, sums in (("本月合计", month_sums), ("本年累计", year_sums)):
            ws.write(r, 4, label)
            ws.write_number(r, 7, round(sums[0], 2))
            ws.write_number(r, 8, round(sums[1], 2))
            r += 1
        return r

    for day, number, line_no, summary, code, name, debit, credit, aux in records:
        if day.month != month:
            r = totals(r)
            month, month_sums = day.month, [0.0, 0.0]
        first = line_no == 1
        if first:
            ws.write_datetime(r, 0, day, date_format)
            ws.write(r, 1, f"{day.year}.{day.month}")
            ws.write(r, 2, f"记-{number:04d}")
            ws.write(r, 10, "刘芳")
            ws.write(r, 11, "陈志刚")
        ws.write_number(r, 3, line_no)
        ws.write(r, 4, summary)
        ws.write(r, 5, code)
        ws.write(r, 6, name)
        for column, value, at in ((7, debit, 0), (8, credit, 1)):
            if value is not None:
                ws.write_number(r, column, value)
                month_sums[at] += value
                year_sums[at] += value
        if aux:
            ws.write(r, 9, aux)
        r += 1
    totals(r)
    book.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500_000, help="journal lines (about 3.9 per voucher)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (the best is kept)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the cached journal")
    args = parser.parse_args()
    name = f"journal-{args.lines}"
    if args.fresh:
        shutil.rmtree(CACHE / name, ignore_errors=True)

    def build(root: Path) -> None:
        (root / UNIT).mkdir()
        write_journal(root / UNIT / "会计分录序时簿-2019.xlsx", args.lines)

    root = dataset(name, build)
    reads = [measure_read(root) for _ in range(args.repeat)]
    with tempfile.TemporaryDirectory() as work:
        checks = [measure_check(root, Path(work) / "out") for _ in range(args.repeat)]
    read, check = min(reads, key=lambda r: r["seconds"]), min(checks, key=lambda r: r["seconds"])
    mb = 1024 * 1024
    print(f"{name}: {read['rows']} rows read by pandas, {check['findings']} findings")
    print(f"  pandas + calamine read {read['seconds']:7.2f} s  (runs {_list([r['seconds'] for r in reads])}), "
          f"tables {read['bytes'] / mb:.0f} MB")
    print(f"  audit-rules check      {check['seconds']:7.2f} s  (runs {_list([c['seconds'] for c in checks])}), "
          f"peak {check['peak'] / mb:.0f} MB")
    accounted = sum(seconds for _stage, seconds in check["stages"])
    shares = [("start-up", check["seconds"] - accounted), *check["stages"]]
    print("  stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in shares))
    print(f"  check / read = {check['seconds'] / read['seconds']:.2f}x  (target ≤ 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

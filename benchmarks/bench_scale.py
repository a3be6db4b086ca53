"""A whole `audit-rules check` as a user runs it, against pandas + calamine merely reading the files.

Generates (once, cached in the temp folder by size) ledger folders:

  payments-N   one unit: a payments workbook of N rows (title row, 编制单位 row, header, real
               dates, a 合计 row; planted: 1 row in 200 a duplicate payment, 1 in 500 a
               prohibited expense, contracts and assets 1 in 100-200 irregular), with matching
               contracts (N/50) and assets (N/20) workbooks;
  units-200    200 small workbooks: 100 units, each a payments (200 rows) and a contracts workbook;
  csv-100      100 monthly CSVs (GB18030, 360 rows each) of 10 units.

and, for each, in the same run and each in a fresh interpreter:

  read    pandas.read_excel(engine="calamine") of every sheet / pandas.read_csv, header row given;
  check   `python -m audit_rules check DIR --out OUT` (all three reports), as a user runs it.

It prints wall time, CPU seconds (the tree's, steadier on a shared machine), peak memory of the whole process tree (psutil, the summed RSS of the
process and its workers polled every 20 ms), the memory of the tables pandas loaded, the
stage shares of the check (from AUDIT_RULES_TIMINGS, see audit_rules/timings.py) and the
ratios: check / read, peak memory / loaded tables, and time growth per row growth.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000,500000] [--no-batches]
                                               [--repeat N] [--keep-cache]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "audit-rules-bench-v2"
SEED = 20261202
UNIT = "长沙市示范测试局"

PAYMENT_HEADERS = ["序号", "日期", "凭证号", "摘要", "经济分类", "金额（元）", "收款单位", "发票号码", "合同编号",
                   "经办人", "审核人"]
CONTRACT_HEADERS = ["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期", "签字", "盖章", "验收日期"]
ASSET_HEADERS = ["资产编号", "资产名称", "资产分类", "规格型号", "单价", "数量", "取得日期", "入账日期", "使用人",
                 "使用部门"]
SUMMARIES = np.array(["购买办公用品", "支付印刷费", "车辆维修保养", "差旅费报销", "会议场地租金", "培训费",
                      "专家咨询费", "劳务费", "网络服务费", "设备维修", "资料费"])
PROHIBITED = "工会活动购买购物卡"  # planted in 1 row of 500
ECON = np.array(["30201 办公费", "30202 印刷费", "30231 公务用车运行维护费", "30211 差旅费", "30215 会议费",
                 "30216 培训费", "30226 劳务费", "30213 维修（护）费"])
CATEGORIES = np.array(["台式计算机", "便携式计算机", "A4黑白打印机", "复印机", "多功能一体机", "办公桌", "空调"])
PEOPLE = np.array(["张伟", "王芳", "李娜", "刘敏", "陈静", "杨强", "黄磊", "周军"])
APPROVERS = np.array(["赵刚", "孙丽", "吴涛"])


# ---- generating the ledgers (XlsxWriter constant_memory: 500k rows in about a minute) ----------


def _dates(rng, n: int) -> list[dt.datetime]:
    days = np.sort(rng.integers(0, 365, n))
    start = dt.datetime(2019, 1, 1)
    return [start + dt.timedelta(days=int(d)) for d in days]


def _workbook(path: Path, sheet: str, title: str, headers: list[str], columns: list[list], date_columns: set[int],
              total_column: int | None = None) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, [title])
    ws.write_row(1, 0, [f"编制单位：{UNIT}", None, None, None, None, "单位：元"])
    ws.write_row(2, 0, headers)
    rows = len(columns[0])
    for i in range(rows):
        for j, column in enumerate(columns):
            value = column[i]
            if value is None:
                continue
            if j in date_columns:
                ws.write_datetime(3 + i, j, value, date_format)
            else:
                ws.write(3 + i, j, value)
    if total_column is not None:
        ws.write_row(3 + rows, 0, ["合计"])
        ws.write_number(3 + rows, total_column, round(float(np.sum(columns[total_column])), 2))
    book.close()


def write_payments(path: Path, n: int, contracts: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    dates = _dates(rng, n)
    amounts = np.round(rng.uniform(50, 200_000, n), 2)
    payees = np.char.add("长沙供应商", rng.integers(0, max(10, n // 40), n).astype(str))
    payees = np.char.add(payees, "有限公司")
    # distinct 8-digit invoice numbers with leading zeros (7919 is prime to 10**8)
    invoices = np.array([f"{i:08d}" for i in (np.arange(n, dtype=np.int64) * 7919 + seed) % 10**8])
    # Planted duplicates: 1 row in 200 repeats an earlier payment (payee, amount, invoice).
    twins = np.arange(200, n, 200)
    amounts[twins], payees[twins], invoices[twins] = amounts[twins - 7], payees[twins - 7], invoices[twins - 7]
    months = np.array([d.month for d in dates])
    voucher = np.zeros(n, dtype=int)
    for month in range(1, 13):
        at = months == month
        voucher[at] = np.arange(1, int(at.sum()) + 1)
    summaries = rng.choice(SUMMARIES, n)
    summaries[np.arange(250, n, 500)] = PROHIBITED
    contract_no = np.where(rng.random(n) < 0.05, np.char.add("HT2019-", rng.integers(1, contracts + 1, n).astype(str)),
                           None)
    columns = [
        list(range(1, n + 1)), dates, [f"记-{m:02d}-{v:05d}" for m, v in zip(months, voucher)],
        summaries.tolist(), rng.choice(ECON, n).tolist(), amounts.tolist(), payees.tolist(),
        invoices.tolist(), contract_no.tolist(), rng.choice(PEOPLE, n).tolist(), rng.choice(APPROVERS, n).tolist(),
    ]
    _workbook(path, "付款明细", f"{UNIT}2019年付款明细账", PAYMENT_HEADERS, columns, {1}, total_column=5)


def write_contracts(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 1)
    signed = _dates(rng, n)
    columns = [
        [f"HT2019-{i}" for i in range(1, n + 1)], np.char.add("项目", np.arange(n).astype(str)).tolist(),
        np.char.add("长沙供应商", rng.integers(0, max(10, n), n).astype(str)).tolist(),
        np.round(rng.uniform(10_000, 2_000_000, n), 2).tolist(), signed,
        np.where(rng.random(n) < 0.01, "否", "是").tolist(), np.where(rng.random(n) < 0.01, "否", "是").tolist(),
        [d + dt.timedelta(days=int(k)) for d, k in zip(signed, rng.integers(10, 200, n))],
    ]
    _workbook(path, "合同台账", f"{UNIT}合同台账", CONTRACT_HEADERS, columns, {4, 7})


def write_assets(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 2)
    acquired = _dates(rng, n)
    prices = np.round(rng.uniform(300, 800, n), 2)
    prices[np.arange(100, n, 200)] = 50_000.0  # planted: over every category's limit
    late = rng.integers(0, 20, n)
    late[np.arange(150, n, 200)] = 200  # planted: booked long after it was acquired
    columns = [
        [f"ZC{i:07d}" for i in range(1, n + 1)], rng.choice(CATEGORIES, n).tolist(), rng.choice(CATEGORIES, n).tolist(),
        rng.choice(["标准型", "高配", "X-100"], n).tolist(), prices.tolist(),
        [1] * n, acquired, [d + dt.timedelta(days=int(k)) for d, k in zip(acquired, late)],
        rng.choice(PEOPLE, n).tolist(), rng.choice(["办公室", "财务科", "业务科"], n).tolist(),
    ]
    _workbook(path, "资产卡片", f"{UNIT}固定资产卡片", ASSET_HEADERS, columns, {6, 7})


def write_csv(path: Path, n: int, month: int, seed: int) -> None:
    """A 用友-style monthly export: header on line 1, dates as text, GB18030."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(1, 29, n))
    lines = [",".join(h for h in PAYMENT_HEADERS if h != "序号")]
    payees = rng.integers(0, 60, n)
    amounts = np.round(rng.uniform(50, 50_000, n), 2)
    for i in range(n):
        lines.append(",".join([
            f"2019-{month:02d}-{days[i]:02d}", f"记-{i + 1:04d}", str(rng.choice(SUMMARIES)), str(rng.choice(ECON)),
            f"{amounts[i]:.2f}", f"长沙供应商{payees[i]}有限公司", f"{seed % 1000:03d}{i:05d}", "",
            str(rng.choice(PEOPLE)), str(rng.choice(APPROVERS)),
        ]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def dataset(name: str, build) -> Path:
    """The cached ledger folder `name`, built by `build(folder)` when missing."""
    folder = CACHE / name
    if (folder / ".done").exists():
        return folder / "ledgers"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "ledgers").mkdir(parents=True)
    began = time.perf_counter()
    build(folder / "ledgers")
    (folder / ".done").write_text("")
    print(f"  generated {name} in {time.perf_counter() - began:.1f} s", flush=True)
    return folder / "ledgers"


def build_payments(rows: int):
    def build(root: Path) -> None:
        unit = root / UNIT
        unit.mkdir()
        contracts = max(20, rows // 50)
        write_payments(unit / "付款明细账.xlsx", rows, contracts, SEED)
        write_contracts(unit / "合同台账.xlsx", contracts, SEED)
        write_assets(unit / "固定资产卡片.xlsx", max(20, rows // 20), SEED)
    return build


def build_units(units: int = 100):
    def build(root: Path) -> None:
        for u in range(units):
            unit = root / f"测试{u:03d}局"
            unit.mkdir()
            write_payments(unit / "付款明细账.xlsx", 200, 20, SEED + u)
            write_contracts(unit / "合同台账.xlsx", 20, SEED + u)
    return build


def build_csvs(units: int = 10, months: int = 10):
    def build(root: Path) -> None:
        for u in range(units):
            unit = root / f"测试{u:02d}局"
            unit.mkdir()
            for m in range(1, months + 1):
                write_csv(unit / f"2019年{m:02d}月凭证明细.csv", 360, m, SEED + 100 * u + m)
    return build


# ---- measuring -------------------------------------------------------------------------------

READ = r"""
import json, sys, time
from pathlib import Path
import pandas as pd
frames = []
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if path.suffix == ".xlsx":
        frames += pd.read_excel(path, sheet_name=None, engine="calamine", header=2).values()
    elif path.suffix == ".csv":
        frames.append(pd.read_csv(path, encoding="gb18030", dtype={"发票号码": str}))
print(json.dumps({"bytes": int(sum(f.memory_usage(deep=True).sum() for f in frames)),
                  "rows": int(sum(len(f) for f in frames))}))
"""


def _tree_rss(process) -> int:
    import psutil

    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Wall time, peak summed RSS of the process tree, exit code and stdout of one command."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
        process = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.Error:
                pass
            time.sleep(0.02)
        seconds = time.perf_counter() - began
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    # CPU seconds of the process and of every worker it waited for: steadier than the wall time
    # on a machine shared with other work.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "cpu": cpu, "peak": peak, "code": child.returncode, "output": text}


def measure_read(root: Path) -> dict:
    done = run_measured([sys.executable, "-c", READ, str(root)])
    if done["code"] != 0:
        raise RuntimeError(done["output"])
    return {**done, **json.loads(done["output"].strip().splitlines()[-1])}


def measure_check(root: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    timings = out.parent / f"{out.name}.timings.json"
    env = {**os.environ, "AUDIT_RULES_TIMINGS": str(timings)}
    done = run_measured([sys.executable, "-m", "audit_rules", "check", str(root), "--out", str(out)], env)
    if done["code"] not in (0, 1):
        raise RuntimeError(done["output"][-3000:])
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    stages = json.loads(timings.read_text(encoding="utf-8"))["stages"] if timings.exists() else []
    return {**done, "findings": len(findings.get("findings", [])), "stages": stages}


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda run: run["seconds"])


def measure(name: str, root: Path, repeat: int, work: Path) -> dict:
    reads = [measure_read(root) for _ in range(repeat)]
    checks = [measure_check(root, work / name) for _ in range(repeat)]
    read, check = best(reads), best(checks)
    files = [p for p in root.rglob("*") if p.is_file()]
    row = {"name": name, "files": len(files), "mb": sum(p.stat().st_size for p in files) / 1e6,
           "rows": read["rows"], "read": read["seconds"], "check": check["seconds"],
           "read_cpu": min(r["cpu"] for r in reads), "check_cpu": min(c["cpu"] for c in checks),
           "loaded": read["bytes"], "read_peak": read["peak"], "peak": check["peak"],
           "findings": check["findings"], "stages": check["stages"],
           "all_reads": [r["seconds"] for r in reads], "all_checks": [c["seconds"] for c in checks]}
    _print_row(row)
    return row


def _print_row(row: dict) -> None:
    mb = 1024 * 1024
    print(f"\n{row['name']}: {row['files']} files, {row['mb']:.1f} MB, {row['rows']} rows, "
          f"{row['findings']} findings")
    print(f"  pandas + calamine read {row['read']:7.2f} s  (runs {_list(row['all_reads'])}), "
          f"peak {row['read_peak'] / mb:6.0f} MB, tables {row['loaded'] / mb:6.0f} MB")
    print(f"  audit-rules check      {row['check']:7.2f} s  (runs {_list(row['all_checks'])}), "
          f"peak {row['peak'] / mb:6.0f} MB")
    print(f"  CPU seconds: read {row['read_cpu']:.2f}, check {row['check_cpu']:.2f} "
          f"({row['check_cpu'] / row['read_cpu']:.2f}x)")
    print(f"  check / read = {row['check'] / row['read']:.2f}x   "
          f"peak / loaded tables = {row['peak'] / max(row['loaded'], 1):.2f}x")
    accounted = sum(seconds for _stage, seconds in row["stages"])
    shares = [("start-up", row["check"] - accounted), *row["stages"]]
    print("  stages: " + ", ".join(f"{stage} {seconds:.2f} s ({seconds / row['check']:.0%})"
                                   for stage, seconds in shares))


def _list(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def summary(rows: list[dict]) -> None:
    print("\n| data | files | rows | read s | check s | check/read | CPU check/read | peak MB | peak/loaded |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {row['files']} | {row['rows']} | {row['read']:.2f} | {row['check']:.2f} | "
              f"{row['check'] / row['read']:.2f}x | {row['check_cpu'] / row['read_cpu']:.2f}x | "
              f"{row['peak'] / 2**20:.0f} | {row['peak'] / max(row['loaded'], 1):.2f}x |")
    sized = [row for row in rows if row["name"].startswith("payments-")]
    for small, large in zip(sized, sized[1:]):
        growth = large["rows"] / small["rows"]
        print(f"{small['name']} → {large['name']}: {growth:.1f}x rows, {large['check'] / small['check']:.2f}x time, "
              f"{large['check_cpu'] / small['check_cpu']:.2f}x CPU (read {large['read'] / small['read']:.2f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,500000", help="payment rows, comma-separated")
    parser.add_argument("--no-batches", action="store_true", help="skip the 200 workbooks and 100 CSVs")
    parser.add_argument("--only-batches", action="store_true", help="only the 200 workbooks and 100 CSVs")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (the best is kept)")
    parser.add_argument("--fresh", action="store_true", help=f"regenerate the cached ledgers in {CACHE}")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(CACHE, ignore_errors=True)
    sizes = [] if args.only_batches else [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"{os.cpu_count()} cores; ledgers cached in {CACHE}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            rows.append(measure(f"payments-{size}", dataset(f"payments-{size}", build_payments(size)), args.repeat,
                                Path(work)))
        if not args.no_batches:
            rows.append(measure("units-200", dataset("units-200", build_units()), args.repeat, Path(work)))
            rows.append(measure("csv-100", dataset("csv-100", build_csvs()), args.repeat, Path(work)))
    summary(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How much wall time the data-quality gate adds to reading a large payments ledger.

Generates a payments workbook (title row, header, N data rows, a 合计 row, a few planted bad
cells) with openpyxl write_only into a temporary directory, then measures in fresh interpreters
(great_expectations must not be imported yet, as in a real run):

  read        reading the workbook into canonical tables (audit_rules.ledgers.load_ledgers when
              it exists and works, else fastexcel plus a minimal vectorised canonicalisation);
  import      `import great_expectations` alone;
  pipeline    start_gx_import() (a worker process imports GX while this one reads), read,
              run_quality() — the gate's added wall time is this minus `read` (target: at most
              half the read time);
  validate    run_quality() again once GX is warm (sending the tables to the worker, context +
              suite + one validate per table, results back), and the same checks in plain
              pandas for comparison.

    .venv/bin/python benchmarks/bench_quality.py [ROWS]      (default 100000)
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HEADERS = ["序号", "日期", "凭证号", "摘要", "经济分类", "金额（元）", "收款单位", "发票号码", "经办人", "审核人", "人数"]
FIELDS = {"日期": "date", "凭证号": "voucher_no", "摘要": "summary", "经济分类": "econ_class",
          "金额（元）": "amount", "收款单位": "payee", "发票号码": "invoice_no", "经办人": "handler",
          "审核人": "approver", "人数": "headcount"}
HEADER_EXCEL_ROW = 2
TODAY = dt.date(2024, 6, 1)


# ---------------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------------


def make_workbook(path: Path, rows: int) -> None:
    """A realistic ledger with a few planted problems: 待定 amounts, duplicate vouchers, 1999 dates."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("付款明细")
    ws.append(["XX局付款明细账"])
    ws.append(HEADERS)
    start = dt.datetime(2023, 1, 1)
    total = 0.0
    for i in range(rows):
        amount: object = round(100 + (i * 37) % 100000 + (i % 100) / 100, 2)
        if i % 10007 == 5:
            amount = "待定"
        else:
            total += amount
        day = dt.datetime(1999, 5, 1) if i % 20011 == 7 else start + dt.timedelta(days=i % 365)
        voucher = f"记-{i - 1:06d}" if i % 15013 == 9 else f"记-{i:06d}"
        ws.append([i + 1, day, voucher, f"支付第{i}笔办公用品费", "30201 办公费", amount,
                   f"供应商{i % 500}有限公司", f"{i % 10**8:08d}", "张三", "李四", 1 + i % 9])
    ws.append(["合计", None, None, None, None, round(total, 2)])
    wb.save(path)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_tables(path: Path) -> tuple[list, str]:
    """Canonical tables and which reader made them."""
    try:
        from audit_rules.ledgers import load_ledgers  # being written by another developer

        tables = [t for t in load_ledgers([path]).tables if t.kind is not None]
        if tables:
            return tables, "audit_rules.ledgers.load_ledgers"
    except Exception:  # noqa: BLE001 - fall back to the minimal reader below
        pass
    return [read_with_fastexcel(path)], "fastexcel (minimal canonicalisation)"


def read_with_fastexcel(path: Path):
    """Minimal vectorised stand-in for the reader: typed columns, provenance, problems, 合计."""
    import fastexcel
    import numpy as np
    import pandas as pd

    from audit_rules.ledgers.model import CellProblem, Table

    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=HEADER_EXCEL_ROW - 1, dtypes="string")
    frame = sheet.to_pandas()
    is_total = frame["序号"].astype(str).str.strip().eq("合计").to_numpy()
    totals_pos = np.flatnonzero(is_total)
    body = frame[~is_total].reset_index(drop=True)
    excel_rows = np.arange(len(frame), dtype="int64") + HEADER_EXCEL_ROW + 1
    data = pd.DataFrame(index=body.index)
    raw_amount = body["金额（元）"]
    data["date"] = pd.to_datetime(body["日期"], errors="coerce").dt.normalize()
    data["amount"] = pd.to_numeric(raw_amount, errors="coerce")
    data["headcount"] = pd.to_numeric(body["人数"], errors="coerce").astype("Int64")
    for header in ("凭证号", "摘要", "经济分类", "收款单位", "发票号码", "经办人", "审核人"):
        data[FIELDS[header]] = body[header]
    data["_file"] = path.name
    data["_sheet"] = "付款明细"
    data["_row"] = excel_rows[~is_total]
    data["_unit"] = None
    unreadable = data["amount"].isna() & raw_amount.notna()
    data["_bad"] = np.where(unreadable, pd.Series([["amount"]] * len(data)), pd.Series([[]] * len(data)))
    problems = [CellProblem(int(r), "金额（元）", "amount", v, "无法识别的金额")
                for r, v in zip(data.loc[unreadable, "_row"], raw_amount[unreadable])]
    totals, totals_row = {}, None
    if len(totals_pos):
        totals = {"amount": float(frame["金额（元）"].iloc[totals_pos[0]])}
        totals_row = int(excel_rows[totals_pos[0]])
    return Table(file=path.name, sheet="付款明细", kind="payments", header_row=HEADER_EXCEL_ROW,
                 fields={FIELDS[h]: h for h in HEADERS if h in FIELDS}, unmapped=["序号"], data=data,
                 raw=body, problems=problems, totals=totals, totals_row=totals_row)


# ---------------------------------------------------------------------------------------------
# Phases (each in a fresh interpreter)
# ---------------------------------------------------------------------------------------------


def _preload_common_modules() -> None:
    """What any run has imported before reading (the CLI, pandas, the models), outside the timings."""
    import fastexcel  # noqa: F401
    import pandas  # noqa: F401

    import audit_rules.ledgers.model  # noqa: F401
    import audit_rules.quality  # noqa: F401 - cheap: does not import great_expectations


def phase_read(path: Path) -> dict:
    _preload_common_modules()
    began = time.perf_counter()
    tables, reader = read_tables(path)
    return {"read": time.perf_counter() - began, "reader": reader, "rows": sum(t.rows for t in tables)}


def phase_import(_path: Path) -> dict:
    began = time.perf_counter()
    import great_expectations  # noqa: F401
    import great_expectations.expectations  # noqa: F401

    return {"import": time.perf_counter() - began}


def phase_pipeline(path: Path) -> dict:
    _preload_common_modules()
    from audit_rules.quality import run_quality, start_gx_import

    began = time.perf_counter()
    start_gx_import()
    tables, _ = read_tables(path)
    read_done = time.perf_counter()
    results = run_quality(tables, today=TODAY)
    done = time.perf_counter()
    warm_began = time.perf_counter()
    run_quality(tables, today=TODAY)
    warm = time.perf_counter() - warm_began
    plain = plain_pandas_checks(tables)
    from audit_rules.quality.worker import worker_pid

    return {
        "served_by": "worker process" if worker_pid() is not None else "this process",
        "gx_in_parent": "great_expectations" in sys.modules,
        "total": done - began,
        "read_in_pipeline": read_done - began,
        "gate_in_pipeline": done - read_done,
        "validate": warm,
        "plain_pandas": plain,
        "checks": len(results),
        "failed_checks": sorted(f"{r.field}:{r.check}:{len(r.failed)}" for r in results if not r.passed),
    }


def plain_pandas_checks(tables: list) -> float:
    """The same checks, hand-written in vectorised pandas: the floor GX is compared with."""
    import pandas as pd

    began = time.perf_counter()
    for table in tables:
        data = table.data
        for name in ("date", "amount", "payee"):
            data[name].isna().to_numpy().nonzero()
        data["voucher_no"].duplicated(keep=False).to_numpy().nonzero()
        rows = pd.Index({p.row for p in table.problems})
        data["_row"].isin(rows).to_numpy().nonzero()
        dates = data["date"]
        ((dates < pd.Timestamp("2000-01-01")) | (dates > pd.Timestamp("2025-06-01"))).to_numpy().nonzero()
        (data["headcount"] < 0).fillna(False).to_numpy().nonzero()
        round(float(data["amount"].sum()), 2)
    return time.perf_counter() - began


PHASES = {"read": phase_read, "import": phase_import, "pipeline": phase_pipeline}


def run_phase(name: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, str(path)], capture_output=True,
                          text=True, cwd=path.parent, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "付款明细.xlsx"
        began = time.perf_counter()
        make_workbook(path, rows)
        print(f"workbook: {rows} rows written in {time.perf_counter() - began:.1f} s", flush=True)
        read = run_phase("read", path)
        imported = run_phase("import", path)
        pipe = run_phase("pipeline", path)
    print(f"reader: {read['reader']} ({read['rows']} rows)")
    print(f"{'read alone':<48} {read['read']:7.2f} s")
    print(f"{'import great_expectations alone':<48} {imported['import']:7.2f} s")
    print(f"gate served by: {pipe['served_by']}; great_expectations imported by the reading process: "
          f"{'yes' if pipe['gx_in_parent'] else 'no'}")
    print(f"{'read + gate, GX imported by the worker':<48} {pipe['total']:7.2f} s"
          f"  (read {pipe['read_in_pipeline']:.2f} s, then gate {pipe['gate_in_pipeline']:.2f} s)")
    print(f"{'gate validation (GX warm, %d checks)' % pipe['checks']:<48} {pipe['validate']:7.2f} s")
    print(f"{'same checks in plain pandas':<48} {pipe['plain_pandas']:7.2f} s")
    added = pipe["total"] - read["read"]
    print(f"{'wall time the gate adds':<48} {added:7.2f} s")
    print(f"ratio added / read: {added / read['read']:.2f} (target <= 0.50)")
    print(f"ratio GX validate / plain pandas: {pipe['validate'] / max(pipe['plain_pandas'], 1e-9):.1f}x")
    print(f"failed checks (field:check:cells): {', '.join(pipe['failed_checks']) or 'none'}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--phase":
        print(json.dumps(PHASES[sys.argv[2]](Path(sys.argv[3]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

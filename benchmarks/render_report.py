"""Render report.xlsx as it prints (LibreOffice headless → PDF → PNG) to look at the pages.

    .venv/bin/python benchmarks/render_report.py [OUT_DIR]      # default out/render

Checks the samples with a baseline in which the unit marked findings 已整改 (one still found,
so the 对账销号单 shows 整改不到位 and 已销号 rows), then converts each sheet that matters to
PNG pages: 汇总, 疑点明细, 对账销号单. Needs soffice and pdftoppm (poppler-utils); Chinese fonts
come from fonts-noto-cjk.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
SHEETS = {"汇总": "summary", "疑点明细": "findings", "对账销号单": "reconciliation"}


def _check(ledgers: Path, out: Path, baseline: Path | None = None) -> None:
    args = [sys.executable, "-m", "audit_rules", "check", str(ledgers), "--out", str(out)]
    if baseline:
        args += ["--baseline", str(baseline)]
    subprocess.run(args, cwd=ROOT, check=False, capture_output=True)


def _mark_done(xlsx: Path, count: int) -> None:
    """The unit marks the first `count` findings 已整改, with a measure and a date."""
    import datetime as dt

    wb = load_workbook(xlsx)
    ws = wb["疑点明细"]
    head = [c.value for c in ws[1]]
    for row in list(ws.iter_rows(min_row=2))[:count]:
        row[head.index("整改状态")].value = "已整改"
        row[head.index("整改措施")].value = "已追回多付款项并完善报销审核"
        row[head.index("完成时限")].value = dt.datetime(2027, 3, 31)
        row[head.index("证明材料")].value = "收款凭证、整改报告"
    wb.save(xlsx)


def _delete_first_source_row(ledgers: Path, report: Path) -> None:
    """Delete from the ledger copy the source row of the first finding the unit marked 已整改
    whose source is a workbook, as if the unit had corrected it."""
    import json

    ws = load_workbook(report, read_only=True)["疑点明细"]
    rows = ws.iter_rows(values_only=True)
    head = list(next(rows))
    marked = [r[head.index("编号")] for r in rows if r[head.index("整改状态")] == "已整改"]
    found = json.loads((report.parent / "findings.json").read_text(encoding="utf-8"))["findings"]
    by_id = {f["id"]: f for f in found}
    for finding_id in marked:
        loc = by_id[finding_id]["locations"][0]
        if loc["file"].endswith(".xlsx"):
            wb = load_workbook(ledgers / loc["file"])
            wb[loc["sheet"]].delete_rows(loc["row"])
            wb.save(ledgers / loc["file"])
            return


def _sheet_only(xlsx: Path, sheet: str, target: Path) -> Path:
    wb = load_workbook(xlsx)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    wb.save(target)
    return target


def render(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="render-"))
    try:
        ledgers = work / "ledgers"
        shutil.copytree(ROOT / "sample_ledgers", ledgers, ignore=shutil.ignore_patterns("*.py", "*.md", "generator"))
        _check(ledgers, work / "2023")
        _mark_done(work / "2023" / "report.xlsx", 3)
        # one of the findings marked done disappears: its source row is deleted from the ledger
        _delete_first_source_row(ledgers, work / "2023" / "report.xlsx")
        _check(ledgers, work / "2024", baseline=work / "2023")
        pages = []
        for sheet, stem in SHEETS.items():
            single = _sheet_only(work / "2024" / "report.xlsx", sheet, work / f"{stem}.xlsx")
            subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(single)],
                           check=True, capture_output=True)
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(work / f"{stem}.pdf"),
                            str(out_dir / stem)], check=True)
            pages += sorted(out_dir.glob(f"{stem}*.png"))
        shutil.copy(work / "2024" / "report.xlsx", out_dir / "report.xlsx")
        return pages
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for page in render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "render"):
        print(page)

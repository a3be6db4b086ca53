"""A ledger whose cells look like formulas: they reach the Excel report as text, never as formulas."""

from __future__ import annotations

from datetime import date

import openpyxl

from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports

CRAFTED = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def _crafted_ledger(folder):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "付款"
    ws.append(["日期", "凭证号", "摘要", "金额", "收款单位", "发票开具单位", "发票号码", "经办人", "审核人"])
    for n, text in enumerate(CRAFTED, start=1):
        ws.append([date(2019, 5, n), f"记-{n:03d}", f"{text}", 100 * n, text, "某公司", f"9{n:07d}", "张三", "李四"])
        cell = ws.cell(ws.max_row, 3)
        cell.value = f"{text} 购物卡"  # a prohibited keyword, so the row becomes a finding
        cell.data_type = "s"
        for col in (5,):
            ws.cell(ws.max_row, col).data_type = "s"
    folder.mkdir(parents=True)
    wb.save(folder / "付款明细.xlsx")


def test_formula_like_ledger_text_is_written_as_text_in_every_sheet(tmp_path):
    _crafted_ledger(tmp_path / "ledgers" / "测试单位")
    result = run_check([tmp_path / "ledgers"])
    assert {f.rule_id for f in result.findings} >= {"prohibited-expense", "payee-invoice-mismatch"}
    path = write_reports(result, tmp_path / "out", ("xlsx",))["xlsx"]
    wb = openpyxl.load_workbook(path)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and any(cell.value.startswith(c[:3]) for c in CRAFTED):
                    seen.append(cell.value)
    assert any(v.startswith('=HYPERLINK("http://evil') for v in seen)
    assert any(v.startswith("@SUM(") for v in seen)

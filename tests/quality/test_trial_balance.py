"""科目余额表: each account's opening balance plus (or minus) the period's movements is its closing balance."""

from __future__ import annotations

import openpyxl

from audit_rules.ledgers import load_ledgers
from audit_rules.quality import run_quality
from audit_rules.quality.suites import CHECK_BALANCE_ROLLS


def _balances(tmp_path, rows):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "科目余额表"
    ws.append(["科目编码", "科目名称", "方向", "期初余额", "借方发生额", "贷方发生额", "期末余额"])
    for row in rows:
        ws.append(row)
    path = tmp_path / "科目余额表.xlsx"
    workbook.save(path)
    table = load_ledgers([path]).tables[0]
    assert table.kind == "account_balances"
    return next(r for r in run_quality([table]) if r.check == CHECK_BALANCE_ROLLS)


def test_balances_that_roll_forward_pass_on_either_side(tmp_path):
    result = _balances(tmp_path, [
        ["1002", "银行存款", "借", 10000, 5000, 8000, 7000],
        ["2307", "其他应付款", "贷", 2000, 1200, 1200, 2000],
        ["5001", "业务活动费用", "借", 0, 3800, 0, 3800],
        ["4001", "财政拨款收入", None, 0, 0, 90000, 90000],  # no 方向: a 4xxx account is credit-normal
        ["1001", "库存现金", "平", 0, 500, 500, 0],
    ])
    assert result.passed, result.detail


def test_a_closing_balance_that_does_not_follow_is_listed_with_its_row(tmp_path):
    result = _balances(tmp_path, [
        ["1002", "银行存款", "借", 10000, 5000, 8000, 7000],
        ["2307", "其他应付款", "贷", 2000, 1200, 200, 2000],  # 2000 - 1200 + 200 = 1000, not 2000
    ])
    assert not result.passed
    assert result.failed == [{"row": 3, "value": 2000.0}]
    assert "第3行" in result.detail and "期末余额" in result.detail

"""A journal and a hand-kept 付款明细 of the same payments give the same payment findings."""

from __future__ import annotations

import pytest

from audit_rules.pipeline import run_check
from helpers.journals import write_kingdee_journal, write_payment_ledger, write_yonyou_journal_csv

PAYMENT_RULES = {"duplicate-payment", "segregation-handler-approver", "prohibited-expense", "payee-invoice-mismatch"}


def _payment_findings(path):
    result = run_check([path], quality=False)
    return sorted((f.rule_id, f.amount, len(f.locations)) for f in result.findings if f.rule_id in PAYMENT_RULES)


@pytest.mark.parametrize("writer", [write_kingdee_journal, write_yonyou_journal_csv])
def test_same_payment_findings_from_journal_and_payment_ledger(tmp_path, writer):
    from_journal = _payment_findings(writer(tmp_path / "journal"))
    from_ledger = _payment_findings(write_payment_ledger(tmp_path / "ledger"))
    assert from_journal == from_ledger
    assert ("duplicate-payment", 3800.0, 2) in from_journal  # the invoice paid twice


CASH_RULES = {"cash-payment-over-limit", "cash-official-card-class"}


def _write_rows(path, title, header, rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = title
    ws.append(["核算单位：长沙市示范某局"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _cash_findings(path):
    result = run_check([path], quality=False)
    return sorted((f.rule_id, f.id, f.amount, f.message) for f in result.findings if f.rule_id in CASH_RULES)


def test_a_cash_payment_gives_the_same_finding_from_a_journal_and_a_payment_ledger(tmp_path):
    """支付方式=现金 in a hand-kept 付款明细 and Cr 1001 库存现金 in a journal: one payment, one finding."""
    journal = _write_rows(tmp_path / "journal" / "序时账.xlsx", "序时账",
                          ["日期", "凭证字号", "摘要", "科目代码", "科目名称", "借方", "贷方", "核算项目"], [
        ["2019-06-12", "记-31", "公务接待餐费", "5101.02", "单位管理费用-商品和服务费用", 2400, None,
         "往来单位:长沙湘味餐饮有限公司;经济分类:30217 公务接待费"],
        [None, None, "公务接待餐费", "1001", "库存现金", None, 2400, None],
        [None, None, "公务接待餐费", "7101.01", "行政支出", 2400, None, None],
        [None, None, "公务接待餐费", "8001", "资金结存", None, 2400, None],
    ])
    ledger = _write_rows(tmp_path / "ledger" / "付款明细.xlsx", "付款明细",
                         ["日期", "凭证号", "摘要", "经济分类", "金额", "收款单位", "支付方式"], [
        ["2019-06-12", "记-31", "公务接待餐费", "30217 公务接待费", 2400, "长沙湘味餐饮有限公司", "现金"],
    ])
    from_journal, from_ledger = _cash_findings(journal), _cash_findings(ledger)
    assert [rule for rule, *_ in from_journal] == ["cash-official-card-class", "cash-payment-over-limit"]
    # the same ids, amounts and messages: only the file each finding points at differs
    assert from_journal == from_ledger

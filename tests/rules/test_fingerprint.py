"""One fingerprint rule for every rule type: a finding's id rests on its unit, the identity
fields of its row's kind and the fields the rule reads — not on other columns a unit may
correct between two runs, and never on row numbers."""

from __future__ import annotations

import pytest
from helpers.rules import make_table

from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import load_ruleset

PAYMENT = {"date": "2019-05-10", "voucher_no": "记-12", "summary": "印制宣传册", "econ_class": "30202 印刷费",
           "amount": 8000, "payee": "长沙某印务有限公司", "handler": "张三", "approver": "李四"}
SUPPLIERS = [{"name": "湖南某印刷厂", "category": "印刷费"}]


def _ids(rule_id: str, payment: dict, row: int = 3) -> list[str]:
    ruleset = load_ruleset(None)
    for rule in ruleset.rules:
        rule.enabled = rule.id == rule_id
    tables = {"payments": make_table("payments", [payment], first_row=row),
              "suppliers": make_table("suppliers", SUPPLIERS, unit=None)}
    findings, _ = run_rules(tables, ruleset)
    return [f.id for f in findings if f.rule_id == rule_id]


@pytest.mark.parametrize(
    ("rule_id", "payment"),
    [
        ("non-designated-supplier", PAYMENT),  # a lookup rule
        ("prohibited-expense", {**PAYMENT, "summary": "购买购物卡", "econ_class": "30299 其他商品和服务支出"}),
        ("segregation-handler-approver", {**PAYMENT, "approver": "张三"}),  # a same_person rule
    ],
)
def test_an_unrelated_correction_or_a_moved_row_keeps_the_id(rule_id, payment):
    first = _ids(rule_id, payment)
    assert len(first) == 1
    assert _ids(rule_id, payment, row=40) == first
    unrelated = "invoice_no" if rule_id != "prohibited-expense" else "handler"
    assert _ids(rule_id, {**payment, unrelated: "12345678"}) == first


@pytest.mark.parametrize("rule_id", ["non-designated-supplier", "segregation-handler-approver"])
def test_another_payment_is_another_finding(rule_id):
    payment = {**PAYMENT, "approver": "张三"}
    assert _ids(rule_id, payment) != _ids(rule_id, {**payment, "voucher_no": "记-13"})

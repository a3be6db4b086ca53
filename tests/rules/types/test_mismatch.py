"""The mismatch rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import make_table, pay, rows_of, shipped_findings


def test_payee_invoice_mismatch_ignores_width_brackets_and_spaces():
    table = make_table(
        "payments",
        [
            pay("2024-01-01", "1", 10, payee="长沙某某科技有限公司", invoice_issuer="长沙某某科技(有限)公司"),
            pay("2024-01-01", "2", 10, payee="长沙某某科技有限公司", invoice_issuer="长沙某某科技 有限公司"),
            pay("2024-01-01", "3", 10, payee="长沙某某科技有限公司", invoice_issuer="长沙某某科技【有限】公司"),
            pay("2024-01-01", "4", 10, payee="长沙甲科技有限公司", invoice_issuer="长沙乙贸易有限公司"),
            pay("2024-01-01", "5", 10, payee="长沙甲科技有限公司", invoice_issuer=None),
        ],
    )
    findings = shipped_findings("payee-invoice-mismatch", {"payments": table})
    assert rows_of(findings) == [6]
    assert "长沙甲科技有限公司" in findings[0].message and "长沙乙贸易有限公司" in findings[0].message


def test_overtime_headcount_mismatch_numbers():
    table = make_table(
        "overtime_meals",
        [
            dict(date="2024-01-01", applied_count=5, actual_count=5, amount=100),
            dict(date="2024-01-02", applied_count=5, actual_count=8, amount=100),
            dict(date="2024-01-03", applied_count=None, actual_count=8, amount=100),
        ],
    )
    findings = shipped_findings("overtime-headcount-mismatch", {"overtime_meals": table})
    assert rows_of(findings) == [4]
    assert findings[0].message == "加班餐申请5人，实际就餐8人，人数不符"


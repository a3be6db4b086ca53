"""The duplicate rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import (
    concat_tables,
    make_table,
    pay,
    run_rule_yaml,
    shipped_findings,
)


def test_duplicate_payment_normalises_invoice_numbers_and_puts_the_latest_first():
    table = make_table(
        "payments",
        [
            pay("2024-03-05", "No.00571234", 3800),
            pay("2024-06-18", "571234", 3800),
            pay("2024-04-01", "NO: 0057-1234", 3800),
        ],
    )
    findings = shipped_findings("duplicate-payment", {"payments": table})
    assert len(findings) == 1
    f = findings[0]
    assert [loc.row for loc in f.locations] == [4, 5, 3]  # 06-18, 04-01, 03-05
    assert f.amount == 7600.0  # paid three times: two too many
    assert "3次" in f.message and "2024-06-18、2024-04-01、2024-03-05" in f.message


def test_monthly_rent_blank_invoice_and_different_amount_are_not_duplicates():
    table = make_table(
        "payments",
        [
            pay("2024-01-05", "1001", 5000, summary="房租"),
            pay("2024-02-05", "1002", 5000, summary="房租"),
            pay("2024-03-05", "1003", 5000, summary="房租"),
            pay("2024-03-06", None, 800),
            pay("2024-03-07", None, 800),
            pay("2024-03-08", "2001", 800),
            pay("2024-03-09", "2001", 800.01),
        ],
    )
    assert shipped_findings("duplicate-payment", {"payments": table}) == []


def test_duplicate_across_units_found_and_within_unit_only_when_asked():
    table = concat_tables(
        make_table("payments", [pay("2024-03-05", "777", 1200)], unit="甲单位", file="a.xlsx"),
        make_table("payments", [pay("2024-05-05", "00777", 1200)], unit="乙单位", file="b.xlsx"),
    )
    findings = shipped_findings("duplicate-payment", {"payments": table})
    assert len(findings) == 1
    assert findings[0].unit == "乙单位"  # the latest payment is the primary one
    assert [loc.file for loc in findings[0].locations] == ["b.xlsx", "a.xlsx"]
    assert "单位：乙单位、甲单位" in findings[0].message  # units sorted, stable across runs
    within = """
id: dup-within
title: 单位内重复
category: duplicate_payment
severity: high
type: duplicate
table: payments
keys: [invoice_no, amount]
message: "{invoice}重复{count}次"
"""
    assert run_rule_yaml(within, {"payments": table})[0] == []


def test_duplicate_window_days_splits_far_apart_runs():
    yaml_text = """
id: dup-window
title: 短期内重复
category: duplicate_payment
severity: high
type: duplicate
table: payments
keys: [payee, amount]
window_days: 7
message: "{payee}{paid:.2f}元{count}次"
"""
    table = make_table(
        "payments",
        [
            pay("2024-01-01", None, 300, payee="甲公司"),
            pay("2024-01-05", None, 300, payee="甲 公司"),
            pay("2024-03-01", None, 300, payee="甲公司"),
        ],
    )
    findings, _ = run_rule_yaml(yaml_text, {"payments": table})
    assert len(findings) == 1
    assert [loc.row for loc in findings[0].locations] == [4, 3]


def test_duplicate_is_one_finding_per_group_not_per_pair():
    table = make_table("payments", [pay(f"2024-01-{d:02d}", "9", 10) for d in range(1, 6)])
    findings = shipped_findings("duplicate-payment", {"payments": table})
    assert len(findings) == 1 and len(findings[0].locations) == 5
    assert findings[0].amount == 40.0


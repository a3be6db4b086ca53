"""Review of the rule types against docs/default-ruleset.md: duplicate, aggregate_exceeds,
limit with price_limits, lookup (staff review fee, designated supplier) and sql, each with
what it must flag and what it must not."""

from __future__ import annotations

import pytest
from helpers.rules import (
    concat_tables,
    make_table,
    rows_of,
    run,
    run_default,
    run_rule_yaml,
)

from audit_rules.rules.model import RulesetError


def only(rule_id, tables, **kw):
    findings, outcome = run_default(rule_id, tables, **kw)
    assert outcome.status == "ran", outcome.reason
    return findings


def pay(date, invoice=None, amount=100, **kw):
    return dict(date=date, invoice_no=invoice, amount=amount, payee=kw.pop("payee", "某公司"), **kw)


# ---- duplicate --------------------------------------------------------------------------------


def test_duplicate_amounts_compare_to_the_cent_not_to_float_noise():
    table = make_table(
        "payments",
        [
            pay("2024-01-05", "No.00571234", 0.1 + 0.2),  # 0.30000000000000004 is 0.30 元
            pay("2024-02-05", "571234", 0.3),
            pay("2024-03-05", "88", 1000.004),  # rounds to 1000.00
            pay("2024-04-05", "088", 1000.00),
            pay("2024-05-05", "99", 1000.00),
            pay("2024-06-05", "99", 1000.01),  # a cent apart: not the same bill
        ],
    )
    findings = only("duplicate-payment", {"payments": table})
    assert sorted([loc.row for loc in f.locations] for f in findings) == [[4, 3], [6, 5]]
    assert sorted(f.amount for f in findings) == [0.3, 1000.0]


def test_duplicate_groups_scale_with_one_finding_per_group():
    # 300 invoices each paid three times, 300 monthly payments of one amount with distinct
    # invoices: exactly 300 findings of 3 locations (a pairwise method would give 900).
    # (Invoice No.000000 would be blank once its zeros are dropped, so numbering starts at 1.)
    rows = [pay(f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}", f"No.{i:06d}", 100 + i) for i in range(1, 301) for k in range(3)]
    rows += [pay(f"2024-{1 + i % 12:02d}-01", f"R{i}", 5000) for i in range(300)]
    findings = only("duplicate-payment", {"payments": make_table("payments", rows)})
    assert len(findings) == 300
    assert {len(f.locations) for f in findings} == {3}
    assert sum(f.amount for f in findings) == pytest.approx(sum(2 * (100 + i) for i in range(1, 301)))


WINDOWED = dict(type="duplicate", table="payments", keys=["payee", "amount"], window_days=7, message="{payee}{count}次{dates}")


def test_duplicate_window_groups_normalised_payees_and_leaves_undated_rows_out():
    table = make_table(
        "payments",
        [
            pay("2024-03-01", amount=500, payee="长沙（甲）公司"),
            pay("2024-03-05", amount=500, payee="长沙甲公司 "),  # 4 days later, same payee normalised
            pay(None, amount=500, payee="长沙甲公司"),  # no date: cannot be placed in a window
            pay("2024-04-05", amount=500, payee="长沙甲公司"),
            pay("2024-04-20", amount=500, payee="长沙甲公司"),  # 15 days after the previous one
        ],
    )
    findings, outcomes = run(WINDOWED, {"payments": table})
    assert outcomes[0].status == "ran"
    assert [[loc.row for loc in f.locations] for f in findings] == [[4, 3]]
    assert findings[0].message.endswith("2次2024-03-05、2024-03-01")
    # without a window the undated row belongs to the group too (the same bill, whenever paid)
    findings, _ = run({**WINDOWED, "window_days": None}, {"payments": table})
    assert len(findings) == 1 and sorted(loc.row for loc in findings[0].locations) == [3, 4, 5, 6, 7]


def test_duplicate_ids_do_not_change_when_rows_are_reordered_or_another_unit_reads_them():
    a = make_table("payments", [pay("2024-03-05", "777", 1200), pay("2024-05-05", "00777", 1200)], unit="甲单位")
    b = make_table("payments", [pay("2024-05-05", "00777", 1200), pay("2024-03-05", "777", 1200)], unit="甲单位", first_row=20)
    first, second = only("duplicate-payment", {"payments": a}), only("duplicate-payment", {"payments": b})
    assert [f.id for f in first] == [f.id for f in second] and len(first) == 1


# ---- aggregate_exceeds ------------------------------------------------------------------------


def contract(no, amount, **kw):
    return dict(contract_no=no, name="工程", amount=amount, **kw)


def test_payment_sums_are_exact_to_the_cent():
    contracts = make_table(
        "contracts",
        [contract("HT-1", 0.30), contract("HT-2", 99999.99), contract("HT-3", 100000)],
        file="c.xlsx",
    )
    payments = make_table(
        "payments",
        [pay("2024-01-01", str(i), 0.1, contract_no="HT-1") for i in range(3)]  # 0.1 × 3 = 0.30 exactly
        + [pay("2024-01-01", f"b{i}", 33333.33, contract_no="HT-2") for i in range(3)]  # 99999.99
        + [pay("2024-01-01", f"c{i}", 33333.34, contract_no="HT-3") for i in range(3)],  # 100000.02
        file="p.xlsx",
    )
    findings = only("payment-over-contract", {"contracts": contracts, "payments": payments})
    assert [(f.locations[0].file, f.locations[0].row) for f in findings] == [("c.xlsx", 5)]
    assert findings[0].amount == 0.02 and "超付0.02元" in findings[0].message


def test_a_contract_listed_twice_gives_one_finding_and_the_units_own_row_wins():
    payments = make_table("payments", [pay("2024-01-01", "1", 60, contract_no="HT1"), pay("2024-02-01", "2", 50, contract_no="ht-1")])
    twice = make_table("contracts", [contract("HT1", 100), contract("HT-1", 100)])
    findings = only("payment-over-contract", {"contracts": twice, "payments": payments})
    assert len(findings) == 1 and findings[0].amount == 10.0
    # a shared (reference) row with a lower amount does not override the unit's own contract
    own = make_table("contracts", [contract("HT1", 200)], file="own.xlsx")
    shared = make_table("contracts", [contract("HT1", 100)], unit=None, file="shared.xlsx")
    assert only("payment-over-contract", {"contracts": concat_tables(own, shared), "payments": payments}) == []
    # nor a higher shared one hide an overpayment against the unit's own
    own = make_table("contracts", [contract("HT1", 100)], file="own.xlsx")
    shared = make_table("contracts", [contract("HT1", 500)], unit=None, file="shared.xlsx")
    findings = only("payment-over-contract", {"contracts": concat_tables(own, shared), "payments": payments})
    assert [f.locations[0].file for f in findings] == ["own.xlsx"] and findings[0].amount == 10.0


# ---- limit with price_limits ------------------------------------------------------------------


def asset(no, category, price):
    return dict(asset_no=no, name="设备", category=category, unit_price=price)


def test_a_units_own_price_limits_override_only_the_categories_they_list():
    assets = make_table(
        "assets",
        [
            asset("A1", "台式计算机", 4500),  # own limit 4000 (lower than the 5000 default): over
            asset("A2", "便携式计算机", 7500),  # not in the own table: default 7000 applies, over
            asset("A3", "复印机", 30000),  # not in the own table: default 35000, within
            asset("A4", "碎纸机", 2500),  # own table adds a category the defaults lack: over 2000
        ],
    )
    own = make_table("price_limits", [dict(category="台式计算机", limit=4000), dict(category="碎纸机", limit=2000)])
    other_units = make_table("price_limits", [dict(category="便携式计算机", limit=9000)], unit="乙单位")
    findings = only("asset-unit-price-over-limit", {"assets": assets, "price_limits": concat_tables(own, other_units)})
    by_row = {f.locations[0].row: f for f in findings}
    assert sorted(by_row) == [3, 4, 6]
    assert "超过配置标准4,000.00元" in by_row[3].message and by_row[3].amount == 500.0
    assert "超过配置标准7,000.00元" in by_row[4].message
    # without the unit's own table the parameter's limits apply (台式计算机 4500 ≤ 5000)
    assert rows_of(only("asset-unit-price-over-limit", {"assets": assets})) == [4]


def test_set_price_limits_changes_one_category_and_keeps_the_others():
    assets = make_table("assets", [asset("A1", "台式计算机", 5500), asset("A2", "复印机", 36000)])
    findings = only("asset-unit-price-over-limit", {"assets": assets}, overrides={"price_limits": {"台式计算机": 6000}})
    assert rows_of(findings) == [4]


# ---- lookup -----------------------------------------------------------------------------------


def test_review_fee_to_serving_staff_only():
    payments = make_table(
        "payments",
        [
            pay("2019-01-01", payee="张 三", summary="项目评审费"),  # serving staff (name spacing)
            pay("2019-01-02", payee="李教授", summary="专家咨询费"),  # outside expert
            pay("2019-01-03", payee="王五", summary="评审费"),  # retired
            pay("2019-01-04", payee="张三", summary="办公用品"),  # not a review fee
            pay("2019-01-05", payee="赵六", summary="劳务费"),  # serving in another unit only
        ],
    )
    staff = concat_tables(
        make_table("staff", [dict(name="张三", status="在职"), dict(name="王五", status="退休")], file="s.xlsx"),
        make_table("staff", [dict(name="赵六", status="在职")], unit="乙单位", file="t.xlsx"),
    )
    findings = only("staff-paid-review-fee", {"payments": payments, "staff": staff})
    assert rows_of(findings) == [3]
    assert [(loc.file, loc.row) for loc in findings[0].locations] == [("x.xlsx", 3), ("s.xlsx", 3)]
    assert "状态：在职" in findings[0].message


def test_designated_supplier_needs_the_category_and_the_payment_date():
    suppliers = make_table(
        "suppliers",
        [dict(name="湖南某印刷厂", category="印刷费", valid_from="2019-01-01", valid_to="2019-12-31")],
        unit=None,
    )
    payments = make_table(
        "payments",
        [
            pay("2019-06-01", payee="湖南某印刷厂", econ_class="印刷费"),  # listed, in force
            pay("2020-02-01", payee="湖南某印刷厂", econ_class="印刷费"),  # expired
            pay("2019-06-01", payee="湖南某印刷厂", econ_class="公务用车运行维护费"),  # listed for another category
            pay(None, payee="湖南某印刷厂", econ_class="印刷费"),  # no date: cannot tell, no finding
            pay("2019-06-01", payee="另一家印刷厂", econ_class="印刷费"),  # not listed
            pay("2019-06-01", payee="另一家印刷厂", econ_class="办公费"),  # not a designated class
        ],
    )
    findings = only("non-designated-supplier", {"payments": payments, "suppliers": suppliers})
    assert rows_of(findings) == [4, 5, 7]


# ---- sql --------------------------------------------------------------------------------------


SQL_RULE = """
id: own
title: 自定义
category: custom
severity: low
type: sql
query: "{query}"
message: "自定义"
"""


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT _file, _sheet, _row FROM src.payments", "其他数据库或模式"),
        ("SELECT _file, _sheet, _row FROM information_schema.tables", "其他数据库或模式"),
        ("SELECT _file, _sheet, _row FROM sqlite_scan('x.db', 't')", "sqlite_scan"),
        ("SELECT _file, _sheet, _row FROM duckdb_settings()", "duckdb_settings"),
        ("SELECT _file, _sheet, _row FROM payments, LATERAL (SELECT * FROM glob('*'))", "glob"),
        ("SELECT _file, _sheet, _row FROM payments UNION ALL SELECT * FROM (FROM 'x.parquet')", "x.parquet"),
        ("EXPORT DATABASE '/tmp/x'", "EXPORT"),
        ("CALL pragma_version()", "CALL"),
    ],
)
def test_sql_rules_cannot_reach_files_other_schemas_or_settings(query, words):
    with pytest.raises(RulesetError) as info:
        run_rule_yaml(SQL_RULE.format(query=query), {})
    assert words in str(info.value)


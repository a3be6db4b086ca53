"""Rule types limit, required, duplicate, aggregate_exceeds, mismatch, compare, match: what each
flags and the near misses it must not flag (the examples of docs/default-ruleset.md)."""

from __future__ import annotations

import pytest

from rule_fixtures import concat_tables, make_table, run_rule_yaml

from audit_rules.rules.loader import load_ruleset


def default_rule_yaml(rule_id: str) -> str:
    """The shipped rule, as YAML, so tests exercise exactly what default.yaml says."""
    import yaml

    rule = load_ruleset(None).rule(rule_id)
    return yaml.safe_dump(rule.to_json(), allow_unicode=True, sort_keys=False)


def run_default(rule_id: str, tables, params=None):
    findings, outcomes = run_rule_yaml(default_rule_yaml(rule_id), tables, params)
    assert [o.status for o in outcomes] == ["ran"], outcomes
    return findings


def rows(findings) -> list[int]:
    return sorted(f.locations[0].row for f in findings)


# ---- limit ----------------------------------------------------------------------------------


def reception(**kw):
    base = dict(date="2024-05-06", guest_unit="某局", guest_location="株洲市", guest_count=2, companion_count=1)
    return {**base, **kw}


def test_reception_per_head_flags_over_and_not_at_the_limit_or_without_counts():
    table = make_table(
        "receptions",
        [
            reception(amount=600),  # 200/人 > 150
            reception(amount=450),  # 150/人: at the limit
            reception(amount=450.03),  # 150.01/人: just over
            reception(amount=900, guest_count=None, companion_count=None),  # no head count
            reception(amount=900, guest_count=0, companion_count=0),  # zero heads
        ],
    )
    findings = run_default("meal-reception-per-head", {"receptions": table})
    assert rows(findings) == [3, 5]
    first = next(f for f in findings if f.locations[0].row == 3)
    assert first.amount == 150.0  # 600 - 150 × 3
    assert "人均200.00元" in first.message and "150.00元" in first.message
    assert first.unverified == ["meal_per_head_limit"]
    assert first.category == "meal_over_standard" and first.basis


def test_per_head_sum_treats_one_blank_count_as_zero():
    table = make_table("receptions", [reception(amount=400, guest_count=2, companion_count=None)])
    assert rows(run_default("meal-reception-per-head", {"receptions": table})) == [3]


def test_limit_param_override_changes_result():
    table = make_table("receptions", [reception(amount=600)])
    assert run_default("meal-reception-per-head", {"receptions": table}, {"meal_per_head_limit": "200"}) == []


def test_overtime_meal_per_head_at_limit_passes():
    table = make_table(
        "overtime_meals",
        [dict(date="2024-01-02", actual_count=4, amount=120), dict(date="2024-01-03", actual_count=4, amount=160)],
    )
    findings = run_default("meal-overtime-per-head", {"overtime_meals": table})
    assert rows(findings) == [4]
    assert findings[0].amount == 40.0


def test_prepay_ratio_exactly_at_limit_is_not_flagged():
    table = make_table(
        "contracts",
        [
            dict(contract_no="HT-1", amount=1000, prepay_ratio=0.3),
            dict(contract_no="HT-2", amount=1000, prepay_ratio=0.5),
            dict(contract_no="HT-3", amount=1000, prepay_ratio=30 / 100),
            dict(contract_no="HT-4", amount=1000, prepay_ratio=None),
        ],
    )
    findings = run_default("contract-prepay-ratio", {"contracts": table})
    assert rows(findings) == [4]
    assert "50%" in findings[0].message and "30%" in findings[0].message
    assert findings[0].amount is None  # a ratio is not money


def asset(no, category, price, **kw):
    return dict(asset_no=no, name="设备", category=category, unit_price=price, **kw)


def test_asset_price_limit_from_parameter_and_unit_table_overrides():
    assets = concat_tables(
        make_table(
            "assets",
            [
                asset("A1", "台式计算机", 6800),  # over 5000
                asset("A2", "台式 计算机", 5000),  # at the limit (spacing normalised)
                asset("A3", "碎纸机", 99999),  # no limit for the category
                asset("A4", "复印机", 36000),  # over 35000
            ],
        ),
        make_table("assets", [asset("B1", "台式计算机", 6800)], unit="乙单位", file="y.xlsx"),
    )
    own_limits = make_table("price_limits", [dict(category="台式计算机", limit=8000)], unit="乙单位", file="y.xlsx")
    findings = run_default("asset-unit-price-over-limit", {"assets": assets, "price_limits": own_limits})
    assert sorted((f.unit, f.locations[0].row) for f in findings) == [("甲单位", 3), ("甲单位", 6)]
    a1 = next(f for f in findings if f.locations[0].row == 3)
    assert a1.amount == 1800.0 and "5000.00" in a1.message


def test_shared_price_limits_row_applies_to_every_unit_and_own_row_wins():
    assets = make_table("assets", [asset("A1", "复印机", 30000)])
    limits = concat_tables(
        make_table("price_limits", [dict(category="复印机", limit=20000, _unit=None)], file="ref.xlsx"),
    )
    assert rows(run_default("asset-unit-price-over-limit", {"assets": assets, "price_limits": limits})) == [3]
    limits = concat_tables(
        limits, make_table("price_limits", [dict(category="复印机", limit=40000)], file="own.xlsx")
    )
    assert run_default("asset-unit-price-over-limit", {"assets": assets, "price_limits": limits}) == []


def test_limit_where_conditions_filter_rows():
    yaml_text = """
id: big-payments
title: 大额付款
category: custom
severity: low
type: limit
table: payments
value: amount
limit_param: major_amount_threshold
where:
  - {field: econ_class, op: eq, value: 办公费}
message: "{summary}：{value:.2f}元超过{limit:.2f}元"
"""
    table = make_table(
        "payments",
        [
            dict(date="2024-01-01", amount=200000, econ_class="办公费", payee="甲", summary="采购"),
            dict(date="2024-01-01", amount=200000, econ_class="差旅费", payee="乙", summary="差旅"),
        ],
    )
    findings, _ = run_rule_yaml(yaml_text, {"payments": table})
    assert rows(findings) == [3]
    assert findings[0].message == "采购：200000.00元超过100000.00元"


# ---- required -------------------------------------------------------------------------------


def test_contract_missing_elements_flags_each_missing_element_by_header():
    table = make_table(
        "contracts",
        [
            dict(contract_no="HT-1", name="维修", amount=1, sign_date="2024-01-01", signed=True, sealed=True),
            dict(contract_no="HT-2", name="采购", amount=1, sign_date=None, signed=True, sealed=False),
            dict(contract_no="HT-3", name="印刷", amount=1, sign_date="2024-01-01", signed=None, sealed=True),
        ],
    )
    findings = run_default("contract-missing-elements", {"contracts": table})
    assert rows(findings) == [4, 5]
    by_row = {f.locations[0].row: f.message for f in findings}
    assert by_row[4] == "合同HT-2（采购）缺少：签订日期、盖章"
    assert by_row[5] == "合同HT-3（印刷）缺少：签字"


def test_meeting_record_blank_text_counts_as_missing():
    table = make_table(
        "meetings",
        [
            dict(date="2024-01-01", name="党组会", attendees="张、李", recorder="王", host="张"),
            dict(date="2024-01-02", name="支委会", attendees="张、李", recorder="  ", host="张"),
        ],
    )
    findings = run_default("meeting-record-incomplete", {"meetings": table})
    assert rows(findings) == [4]
    assert "记录人" in findings[0].message


# ---- duplicate ------------------------------------------------------------------------------


def pay(date, invoice, amount, **kw):
    return dict(date=date, invoice_no=invoice, amount=amount, payee=kw.pop("payee", "某公司"), **kw)


def test_duplicate_payment_normalises_invoice_numbers_and_puts_the_latest_first():
    table = make_table(
        "payments",
        [
            pay("2024-03-05", "No.00571234", 3800),
            pay("2024-06-18", "571234", 3800),
            pay("2024-04-01", "NO: 0057-1234", 3800),
        ],
    )
    findings = run_default("duplicate-payment", {"payments": table})
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
    assert run_default("duplicate-payment", {"payments": table}) == []


def test_duplicate_across_units_found_and_within_unit_only_when_asked():
    table = concat_tables(
        make_table("payments", [pay("2024-03-05", "777", 1200)], unit="甲单位", file="a.xlsx"),
        make_table("payments", [pay("2024-05-05", "00777", 1200)], unit="乙单位", file="b.xlsx"),
    )
    findings = run_default("duplicate-payment", {"payments": table})
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
    findings = run_default("duplicate-payment", {"payments": table})
    assert len(findings) == 1 and len(findings[0].locations) == 5
    assert findings[0].amount == 40.0


# ---- aggregate_exceeds ----------------------------------------------------------------------


def test_payment_over_contract_exact_to_the_cent():
    contracts = make_table(
        "contracts",
        [dict(contract_no="HT-1", name="工程", amount=298000), dict(contract_no="HT-2", name="监理", amount=100000)],
        file="c.xlsx",
    )
    payments = make_table(
        "payments",
        [
            pay("2024-01-01", "1", 149000, contract_no="HT-1"),
            pay("2024-02-01", "2", 149000, contract_no="ht 1"),
            pay("2024-01-01", "3", 60000, contract_no="HT-2"),
            pay("2024-03-01", "4", 40000.01, contract_no="HT2"),
            pay("2024-03-01", "5", 999999, contract_no=None),
        ],
        file="p.xlsx",
    )
    findings = run_default("payment-over-contract", {"contracts": contracts, "payments": payments})
    assert len(findings) == 1
    f = findings[0]
    assert (f.locations[0].file, f.locations[0].row) == ("c.xlsx", 4)  # the contract row first
    assert [(loc.file, loc.row) for loc in f.locations[1:]] == [("p.xlsx", 5), ("p.xlsx", 6)]
    assert f.amount == 0.01
    assert "超付0.01元" in f.message


def test_payments_match_contracts_of_their_own_unit_only():
    contracts = make_table("contracts", [dict(contract_no="HT-1", amount=100)], unit="甲单位")
    payments = make_table("payments", [pay("2024-01-01", "1", 500, contract_no="HT-1")], unit="乙单位")
    assert run_default("payment-over-contract", {"contracts": contracts, "payments": payments}) == []


# ---- mismatch -------------------------------------------------------------------------------


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
    findings = run_default("payee-invoice-mismatch", {"payments": table})
    assert rows(findings) == [6]
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
    findings = run_default("overtime-headcount-mismatch", {"overtime_meals": table})
    assert rows(findings) == [4]
    assert findings[0].message == "加班餐申请5人，实际就餐8人，人数不符"


# ---- compare --------------------------------------------------------------------------------


def test_meeting_attendance_conditions_and_description():
    table = make_table(
        "meetings",
        [
            dict(name="A", expected=10, present=9, signed_in=9),
            dict(name="B", expected=10, present=12, signed_in=12),
            dict(name="C", expected=10, present=10, signed_in=8),
            dict(name="D", expected=None, present=10, signed_in=10),
        ],
    )
    findings = run_default("meeting-attendance-mismatch", {"meetings": table})
    assert rows(findings) == [4, 5]
    by_row = {f.locations[0].row: f.message for f in findings}
    assert "实到人数(12)大于应到人数(10)" in by_row[4]
    assert "签到人数(8)不等于实到人数(10)" in by_row[5]


def test_compare_against_a_number():
    yaml_text = """
id: too-many
title: 人数过多
category: custom
severity: low
type: compare
table: meetings
conditions:
  - {left: present, op: ge, right: 100}
message: "{violated}"
"""
    table = make_table("meetings", [dict(name="A", present=99), dict(name="B", present=100)])
    findings, _ = run_rule_yaml(yaml_text, {"meetings": table})
    assert rows(findings) == [4]
    assert findings[0].message == "实到人数(100)不小于100"


# ---- match ----------------------------------------------------------------------------------


def test_same_city_reception_matches_city_variants_only():
    table = make_table(
        "receptions",
        [
            reception(amount=100, guest_location="长沙"),
            reception(amount=100, guest_location="长沙市"),
            reception(amount=100, guest_location="长沙市岳麓区"),
            reception(amount=100, guest_location="株洲市"),
            reception(amount=100, guest_location="湘潭市"),
            reception(amount=100, guest_location=None),
        ],
    )
    findings = run_default("reception-same-city", {"receptions": table})
    assert rows(findings) == [3, 4, 5]
    assert all("长沙" in f.message for f in findings)
    assert findings[0].unverified == ["local_city"]


def test_prohibited_expense_keyword_found_and_ordinary_costs_pass():
    table = make_table(
        "payments",
        [
            pay("2024-01-01", "1", 2000, summary="工会活动购买购物卡", voucher_no="记-1"),
            pay("2024-01-02", "2", 300, summary="购买办公用品", voucher_no="记-2"),
            pay("2024-01-03", "3", 300, summary="印刷费", voucher_no="记-3"),
            pay("2024-01-04", "4", 300, summary=None, voucher_no="记-4"),
        ],
    )
    findings = run_default("prohibited-expense", {"payments": table})
    assert rows(findings) == [3]
    assert "“购物卡”" in findings[0].message and findings[0].amount == 2000.0


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("in", ["甲公司", "乙公司"], [3, 4]),
        ("not_in", ["甲公司"], [4, 5]),
        ("not_contains_any", ["公司"], [5]),
        ("is_null", None, [6]),
        ("not_null", None, [3, 4, 5]),
    ],
)
def test_match_operators(op, value, expected):
    import yaml

    cond = {"field": "payee", "op": op}
    if value is not None:
        cond["value"] = value
    rule = {
        "id": "m",
        "title": "m",
        "category": "custom",
        "severity": "low",
        "type": "match",
        "table": "payments",
        "where": [cond],
        "message": "{payee}",
    }
    table = make_table(
        "payments",
        [
            pay("2024-01-01", "1", 1, payee="甲 公司"),
            pay("2024-01-01", "2", 1, payee="乙公司"),
            pay("2024-01-01", "3", 1, payee="张三"),
            pay("2024-01-01", "4", 1, payee=None),
        ],
    )
    findings, _ = run_rule_yaml(yaml.safe_dump(rule, allow_unicode=True), {"payments": table})
    assert rows(findings) == expected


def test_match_comparison_on_dates_and_amounts():
    yaml_text = """
id: late-large
title: 年末大额
category: custom
severity: low
type: match
table: payments
where:
  - {field: date, op: ge, value: "2024-12-01"}
  - {field: amount, op: gt, value: 1000}
message: "{date} {amount:.2f}"
"""
    table = make_table(
        "payments",
        [pay("2024-12-15", "1", 5000), pay("2024-11-30", "2", 5000), pay("2024-12-20", "3", 1000)],
    )
    findings, _ = run_rule_yaml(yaml_text, {"payments": table})
    assert rows(findings) == [3]
    assert findings[0].message == "2024-12-15 5000.00"

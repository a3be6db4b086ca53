"""The limit rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import (
    concat_tables,
    make_table,
    reception,
    rows_of,
    run_rule_yaml,
    shipped_findings,
)


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
    findings = shipped_findings("meal-reception-per-head", {"receptions": table})
    assert rows_of(findings) == [3, 5]
    first = next(f for f in findings if f.locations[0].row == 3)
    assert first.amount == 150.0  # 600 - 150 × 3
    assert "人均200.00元" in first.message and "150.00元" in first.message
    assert first.unverified == ["meal_per_head_limit"]
    assert first.category == "meal_over_standard" and first.basis


def test_per_head_sum_treats_one_blank_count_as_zero():
    table = make_table("receptions", [reception(amount=400, guest_count=2, companion_count=None)])
    assert rows_of(shipped_findings("meal-reception-per-head", {"receptions": table})) == [3]


def test_limit_param_override_changes_result():
    table = make_table("receptions", [reception(amount=600)])
    assert shipped_findings("meal-reception-per-head", {"receptions": table}, {"meal_per_head_limit": "200"}) == []


def test_overtime_meal_per_head_at_limit_passes():
    table = make_table(
        "overtime_meals",
        [dict(date="2024-01-02", actual_count=4, amount=120), dict(date="2024-01-03", actual_count=4, amount=160)],
    )
    findings = shipped_findings("meal-overtime-per-head", {"overtime_meals": table})
    assert rows_of(findings) == [4]
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
    findings = shipped_findings("contract-prepay-ratio", {"contracts": table})
    assert rows_of(findings) == [4]
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
    findings = shipped_findings("asset-unit-price-over-limit", {"assets": assets, "price_limits": own_limits})
    assert sorted((f.unit, f.locations[0].row) for f in findings) == [("甲单位", 3), ("甲单位", 6)]
    a1 = next(f for f in findings if f.locations[0].row == 3)
    assert a1.amount == 1800.0 and "5,000.00" in a1.message


def test_shared_price_limits_row_applies_to_every_unit_and_own_row_wins():
    assets = make_table("assets", [asset("A1", "复印机", 30000)])
    limits = concat_tables(
        make_table("price_limits", [dict(category="复印机", limit=20000, _unit=None)], file="ref.xlsx"),
    )
    assert rows_of(shipped_findings("asset-unit-price-over-limit", {"assets": assets, "price_limits": limits})) == [3]
    limits = concat_tables(
        limits, make_table("price_limits", [dict(category="复印机", limit=40000)], file="own.xlsx")
    )
    assert shipped_findings("asset-unit-price-over-limit", {"assets": assets, "price_limits": limits}) == []


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
    assert rows_of(findings) == [3]
    assert findings[0].message == "采购：200000.00元超过100000.00元"


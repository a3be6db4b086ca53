"""purpose: special-fund payments outside the allowed classes, with excluded words, or booking
an earlier year's costs; ordinary-budget payments and allowed spending are never flagged."""

from __future__ import annotations

from helpers.rules import concat_tables, make_table, rows_of, run

RULE = {"type": "purpose", "message": "专项“{fund}”（{fund_year}年）支出{amount:.2f}元：{reason}"}
PARAMS = {"excluded_fund_purposes": ["慰问", "误餐", "福利", "奖金", "过节"]}


def funds(unit="甲单位"):
    return make_table(
        "special_funds",
        [{"fund": "信息化专项", "year": 2019, "allowed_classes": "办公费、印刷费", "approved_amount": 200000}],
        unit=unit,
    )


def payments(*rows, unit="甲单位"):
    base = {"date": "2019-06-01", "payee": "某公司", "amount": 1000, "fund_source": "信息化专项"}
    return make_table("payments", [{**base, **r} for r in rows], unit=unit)


def test_allowed_class_with_neutral_summary_passes_each_reason_flagged():
    table = payments(
        {"econ_class": "办公费", "summary": "购买打印纸"},  # allowed
        {"econ_class": "福利费", "summary": "职工体检", "amount": 3000},  # class outside
        {"econ_class": "办公费", "summary": "春节慰问品"},  # excluded word
        {"econ_class": "印刷费", "summary": "2018年印刷费"},  # earlier year
        {"econ_class": "印刷费", "summary": "2019年度宣传册印刷"},  # the fund's own year
        {"econ_class": "福利费", "summary": "慰问", "fund_source": "日常公用经费"},  # ordinary budget
    )
    findings, outcomes = run(RULE, {"payments": table, "special_funds": funds()}, PARAMS)
    assert outcomes[0].status == "ran"
    messages = {f.locations[0].row: f.message for f in findings}
    assert sorted(messages) == [4, 5, 6]
    assert messages[4] == "专项“信息化专项”（2019年）支出3000.00元：经济分类“福利费”不在专项允许范围（办公费、印刷费）内"
    assert messages[5].endswith("：摘要含“慰问”")
    assert messages[6].endswith("：列支2018年费用（专项年度2019年）")


def test_several_reasons_are_joined_and_fund_row_is_second_location():
    table = payments({"econ_class": "福利费", "summary": "2017年度过节慰问"})
    findings, _ = run(RULE, {"payments": table, "special_funds": funds()}, PARAMS)
    assert len(findings) == 1
    reason = findings[0].message.split("：", 1)[1]
    assert reason == "经济分类“福利费”不在专项允许范围（办公费、印刷费）内；摘要含“慰问”、“过节”；列支2017年费用（专项年度2019年）"
    assert [loc.row for loc in findings[0].locations] == [3, 3]
    assert findings[0].amount == 1000.0


def test_fund_names_match_ignoring_spaces_and_brackets_and_shared_approvals_apply():
    table = payments({"econ_class": "福利费", "summary": "x", "fund_source": "信息化 专项（2019）"})
    shared = make_table(
        "special_funds", [{"fund": "信息化专项(2019)", "year": 2019, "allowed_classes": ["办公费"]}], unit=None
    )
    findings, _ = run(RULE, {"payments": table, "special_funds": shared}, PARAMS)
    assert rows_of(findings) == [3]


def test_another_units_fund_does_not_apply_and_own_fund_wins_over_shared():
    table = payments({"econ_class": "设备购置费", "summary": "服务器"})
    other = funds(unit="乙单位")
    findings, _ = run(RULE, {"payments": table, "special_funds": other}, PARAMS)
    assert findings == []
    # shared approval would refuse 设备购置费, the unit's own approval allows it: the unit's wins
    shared = make_table("special_funds", [{"fund": "信息化专项", "year": 2019, "allowed_classes": ["办公费"]}], unit=None)
    own = make_table("special_funds", [{"fund": "信息化专项", "year": 2019, "allowed_classes": ["设备购置费"]}])
    findings, _ = run(RULE, {"payments": table, "special_funds": concat_tables(shared, own)}, PARAMS)
    assert findings == []


def test_summary_numbers_that_are_not_years_are_ignored():
    table = payments({"econ_class": "办公费", "summary": "购买1200年历纸12018年"}, {"econ_class": "办公费", "summary": "维修费1500元"})
    findings, _ = run(RULE, {"payments": table, "special_funds": funds()}, PARAMS)
    assert findings == []


def test_without_special_funds_the_rule_is_skipped():
    findings, outcomes = run(RULE, {"payments": payments({"econ_class": "福利费", "summary": "x"})}, PARAMS)
    assert findings == [] and outcomes[0].status == "skipped"
    assert "专项资金批复（special_funds）" in outcomes[0].reason

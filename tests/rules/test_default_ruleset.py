"""The default rules of the date_order / lookup / purpose / same_person / periodic types, run as
shipped in rulesets/default.yaml (docs/default-ruleset.md examples), and the changsha ruleset."""

from __future__ import annotations

import pytest
from helpers.rules import make_table, rows_of, run_default

from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import load_ruleset

MY_RULES = (
    "contract-signed-late",
    "segregation-handler-approver",
    "non-designated-supplier",
    "special-fund-off-purpose",
    "staff-paid-review-fee",
    "asset-booked-late",
    "asset-user-departed",
    "collective-decision-missing",
    "segregation-incompatible-posts",
    "publicity-period-short",
    "study-session-gap",
)


def test_every_rule_of_this_family_is_documented_and_enabled():
    ruleset = load_ruleset(None)
    for rule_id in MY_RULES:
        rule = ruleset.rule(rule_id)
        assert rule.enabled and rule.basis and rule.description
        assert rule.examples.flags and rule.examples.passes
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.message)


def test_contract_signed_late_default():
    table = make_table(
        "contracts",
        [
            {"contract_no": "HT1", "name": "物业", "amount": 1, "sign_date": "2019-05-06", "start_date": "2019-05-06"},
            {"contract_no": "HT2", "name": "维修", "amount": 1, "sign_date": "2019-05-20", "start_date": "2019-05-06"},
        ],
        fields=["acceptance_date"],
    )
    findings, outcome = run_default("contract-signed-late", {"contracts": table})
    assert rows_of(findings) == [4]
    assert findings[0].message == "合同HT2（维修）2019-05-20签订，晚于履行开始日期2019-05-06（14天）"
    assert findings[0].category == "contract_signed_late"


def test_segregation_handler_approver_default():
    table = make_table(
        "payments",
        [
            {"date": "2019-01-02", "voucher_no": "记-1", "amount": 300, "payee": "a", "handler": "张三", "approver": "张 三"},
            {"date": "2019-01-02", "voucher_no": "记-2", "amount": 300, "payee": "a", "handler": "张三", "approver": "李四"},
            {"date": "2019-01-02", "voucher_no": "记-3", "amount": 300, "payee": "a", "handler": "张三", "approver": None},
        ],
    )
    findings, _ = run_default("segregation-handler-approver", {"payments": table})
    assert rows_of(findings) == [3]
    assert findings[0].message == "凭证记-1支付300.00元，经办人与审核人都是张三"


def test_non_designated_supplier_default():
    payments = make_table(
        "payments",
        [
            {"date": "2019-06-01", "econ_class": "印刷费", "payee": "湖南某印刷厂", "amount": 8000},
            {"date": "2021-06-01", "econ_class": "印刷费", "payee": "湖南某印刷厂", "amount": 8000},
            {"date": "2019-06-01", "econ_class": "办公费", "payee": "某文具店", "amount": 500},
        ],
    )
    suppliers = make_table(
        "suppliers", [{"name": "湖南某印刷厂", "category": "印刷费", "valid_from": "2019-01-01", "valid_to": "2020-12-31"}], unit=None
    )
    findings, outcome = run_default("non-designated-supplier", {"payments": payments, "suppliers": suppliers})
    assert rows_of(findings) == [4]
    assert "2021-06-01支付印刷费8,000.00元给“湖南某印刷厂”" in findings[0].message
    assert outcome.parameters["designated_classes"] == ["30202 印刷费", "30231 公务用车运行维护费"]
    assert outcome.parameters["procurement_classes"]["印刷服务"] == "30202 印刷费"


def test_special_fund_off_purpose_default():
    payments = make_table(
        "payments",
        [
            {"date": "2019-06-01", "payee": "p", "amount": 100, "fund_source": "信息化专项", "econ_class": "办公费", "summary": "打印纸"},
            {"date": "2019-06-01", "payee": "p", "amount": 200, "fund_source": "信息化专项", "econ_class": "办公费", "summary": "中秋慰问品"},
            {"date": "2019-06-01", "payee": "p", "amount": 300, "fund_source": "公用经费", "econ_class": "福利费", "summary": "慰问"},
        ],
    )
    funds = make_table("special_funds", [{"fund": "信息化专项", "year": 2019, "allowed_classes": "办公费、印刷费"}])
    findings, outcome = run_default("special-fund-off-purpose", {"payments": payments, "special_funds": funds})
    assert rows_of(findings) == [4]
    assert findings[0].message == "专项“信息化专项”（2019年）支出200.00元（中秋慰问品）：摘要含“慰问”"
    assert findings[0].severity == "high" and findings[0].unverified == []


def test_staff_paid_review_fee_default():
    payments = make_table(
        "payments",
        [
            {"date": "2019-06-01", "payee": "张三", "amount": 800, "summary": "项目评审费"},
            {"date": "2019-06-01", "payee": "李四", "amount": 800, "summary": "项目评审费"},
            {"date": "2019-06-01", "payee": "刘教授", "amount": 800, "summary": "专家咨询费"},
        ],
    )
    staff = make_table("staff", [{"name": "张三", "status": "在职"}, {"name": "李四", "status": "调离"}])
    findings, _ = run_default("staff-paid-review-fee", {"payments": payments, "staff": staff})
    assert rows_of(findings) == [3]
    assert findings[0].message == "向在职人员张三支付“项目评审费”800.00元（人员名册状态：在职）"


def test_asset_booked_late_default_marks_unverified_parameter():
    assets = make_table(
        "assets",
        [
            {"asset_no": "A1", "name": "笔记本电脑", "unit_price": 6900, "acquired_date": "2018-11-20", "booked_date": "2019-01-15"},
            {"asset_no": "A2", "name": "台式机", "unit_price": 4800, "acquired_date": "2019-03-01", "booked_date": "2019-03-20"},
        ],
    )
    findings, outcome = run_default("asset-booked-late", {"assets": assets})
    assert rows_of(findings) == [3]
    assert findings[0].message == "资产“笔记本电脑”（A1）2018-11-20取得，2019-01-15才入账，相隔56天，超过30天"
    assert findings[0].unverified == ["asset_booking_days"]
    assert findings[0].amount == 6900.0


def test_asset_user_departed_default():
    assets = make_table(
        "assets",
        [
            {"asset_no": "A1", "name": "电脑", "unit_price": 4800, "user": "赵六"},
            {"asset_no": "A2", "name": "电脑", "unit_price": 4800, "user": "张三"},
            {"asset_no": "A3", "name": "电脑", "unit_price": 4800, "user": "外借人员"},
        ],
    )
    staff = make_table("staff", [{"name": "赵六", "status": "退休"}, {"name": "张三", "status": "在职"}])
    findings, _ = run_default("asset-user-departed", {"assets": assets, "staff": staff})
    assert rows_of(findings) == [3]
    assert findings[0].message == "资产“电脑”（A1）仍登记在赵六名下，人员名册状态为“退休”"
    assert [loc.row for loc in findings[0].locations] == [3, 3]


def test_collective_decision_missing_default_and_set_override():
    contracts = make_table(
        "contracts",
        [
            {"contract_no": "HT2019-003", "name": "改造", "amount": 500000},
            {"contract_no": "HT2019-008", "name": "采购", "amount": 298000},
            {"contract_no": "HT2019-009", "name": "小额", "amount": 50000},
        ],
    )
    decisions = make_table("decisions", [{"date": "2019-03-05", "topic": "改造工程", "contract_no": "HT2019-003"}])
    tables = {"contracts": contracts, "decisions": decisions}
    findings, _ = run_default("collective-decision-missing", tables)
    assert rows_of(findings) == [4]
    assert findings[0].message == "合同HT2019-008“采购”金额298,000.00元，达到三重一大标准100,000元，未找到关联的集体决策记录"
    assert "major_amount_threshold" in findings[0].unverified
    findings, _ = run_default("collective-decision-missing", tables, overrides={"major_amount_threshold": "300000"})
    assert findings == []


def test_segregation_incompatible_posts_default():
    staff = make_table(
        "staff",
        [{"name": "赵一", "title": "会计兼出纳"}, {"name": "孙三", "title": "出纳"}, {"name": "李四", "title": "会计"}],
    )
    findings, _ = run_default("segregation-incompatible-posts", {"staff": staff})
    assert rows_of(findings) == [3]
    assert findings[0].message == "赵一同时担任会计与出纳（职务：会计兼出纳），属不相容岗位"
    assert findings[0].category == "segregation_of_duties"


def test_publicity_period_short_default():
    table = make_table(
        "appointments",
        [
            {"name": "甲", "post": "副科长", "start": "2019-05-13", "end": "2019-05-17"},
            {"name": "乙", "post": "科长", "start": "2019-05-06", "end": "2019-05-09"},
            {"name": "丙", "post": "科长", "start": "2019-09-30", "end": "2019-10-09"},
            {"name": "丁", "post": "科长", "start": "2019-10-08", "end": "2019-10-12"},
        ],
    )
    findings, outcome = run_default("publicity-period-short", {"appointments": table})
    assert rows_of(findings) == [4, 5]
    assert {f.message for f in findings} == {
        "乙拟任科长的任前公示2019-05-06至2019-05-09，仅4个工作日，少于5个工作日",
        "丙拟任科长的任前公示2019-09-30至2019-10-09，仅3个工作日，少于5个工作日",
    }
    assert findings[0].unverified == []


def test_study_session_gap_default():
    table = make_table(
        "meetings",
        [
            {"date": "2019-01-10", "kind": "中心组学习"},
            {"date": "2019-02-15", "kind": "支部会"},
            {"date": "2019-03-05", "kind": "中心组学习"},
        ],
        unit="甲单位",
    )
    findings, _ = run_default("study-session-gap", {"meetings": table})
    assert [f.message for f in findings] == ["甲单位2019年2月没有理论学习中心组学习记录"]
    assert findings[0].locations[0].row == 3


# ---- changsha --------------------------------------------------------------------------------


def test_changsha_extends_default_with_honest_local_overrides():
    default, changsha = load_ruleset(None), load_ruleset("changsha")
    assert changsha.id == "changsha"
    assert [r.id for r in changsha.rules] == [r.id for r in default.rules]
    assert all(r.enabled for r in changsha.rules)
    limits = changsha.parameters["price_limits"]
    assert limits.value["便携式计算机"] == 7500 and limits.value["台式计算机"] == 5000
    assert default.parameters["price_limits"].value["便携式计算机"] == 7000
    assert limits.verified is False and "可信度低" in limits.basis
    assert changsha.parameters["local_city"].value == "长沙"
    assert changsha.parameters["meal_per_head_limit"].verified is False
    assert changsha.parameters["extra_holidays"].value == []


def test_changsha_extra_holidays_count_in_publicity():
    table = make_table("appointments", [{"name": "甲", "post": "科长", "start": "2027-02-08", "end": "2027-02-12"}])
    findings, outcome = run_default("publicity-period-short", {"appointments": table}, parent="changsha")
    assert findings == [] and outcome.status == "ran"
    findings, outcome = run_default(
        "publicity-period-short", {"appointments": table}, parent="changsha", overrides={"extra_holidays": "2027-02-10"}
    )
    assert rows_of(findings) == [3]
    assert findings[0].message.endswith("仅4个工作日，少于5个工作日（2027年节假日安排未知，按周一至周五计算工作日）")
    assert outcome.parameters["extra_holidays"] == ["2027-02-10"]


SAMPLE_VALUES = {"date": "2019-01-01", "amount": 1, "count": 1, "year": 2019, "ratio": 0.1, "bool": True,
                 "list": "甲", "text": "甲", "id": "1"}


@pytest.mark.parametrize("name", ["default", "changsha"])
def test_every_rule_of_this_family_runs_on_a_full_one_row_ledger(name):
    from audit_rules.ledgers.schema import table_kinds

    ruleset = load_ruleset(name)
    tables = {
        kind: make_table(kind, [{f: SAMPLE_VALUES[spec.type] for f, spec in kinds.fields.items()}])
        for kind, kinds in table_kinds().items()
    }
    _, outcomes = run_rules(tables, ruleset)
    mine = {o.rule_id: o for o in outcomes if o.rule_id in MY_RULES}
    assert set(mine) == set(MY_RULES)
    assert {o.rule_id: o.status for o in mine.values()} == {r: "ran" for r in MY_RULES}
    # and with every table empty, each is skipped with a reason naming what is missing
    _, outcomes = run_rules({}, ruleset)
    assert all(o.status == "skipped" and "缺少" in o.reason for o in outcomes if o.rule_id in MY_RULES)


def test_default_publicity_rule_counts_extra_holidays_given_with_set():
    from audit_rules.rules.loader import load_ruleset as load

    default = load(None)
    assert default.parameters["extra_holidays"].value == []
    assert default.parameters["extra_holidays"].verified is True
    assert default.rule("publicity-period-short").spec.holidays == "extra_holidays"
    # Monday 2019-03-11 to Friday 2019-03-15: five working days, unless the 12th is a local holiday
    table = make_table("appointments", [{"name": "甲", "post": "科长", "start": "2019-03-11", "end": "2019-03-15"}])
    findings, outcome = run_default("publicity-period-short", {"appointments": table})
    assert findings == [] and outcome.status == "ran"
    ruleset = load(None, {"extra_holidays": "2019-03-12"})
    findings, outcomes = run_rules({"appointments": table}, ruleset)
    mine = [f for f in findings if f.rule_id == "publicity-period-short"]
    assert [f.message for f in mine] == ["甲拟任科长的任前公示2019-03-11至2019-03-15，仅4个工作日，少于5个工作日"]
    outcome = next(o for o in outcomes if o.rule_id == "publicity-period-short")
    assert outcome.parameters == {"publicity_min_working_days": 5, "extra_holidays": ["2019-03-12"]}
    # two holidays given with the Chinese separator: three working days left
    ruleset = load(None, {"extra_holidays": "2019-03-12、2019年3月13日"})
    findings, _ = run_rules({"appointments": table}, ruleset)
    assert [f.message for f in findings if f.rule_id == "publicity-period-short"][0].endswith("仅3个工作日，少于5个工作日")


def test_a_holiday_that_is_not_a_date_is_refused_when_loading():
    from audit_rules.rules.loader import load_ruleset as load
    from audit_rules.rules.model import RulesetError

    with pytest.raises(RulesetError) as err:
        load(None, {"extra_holidays": "2019-03-12,下周一"})
    assert "publicity-period-short" in str(err.value) and "无法识别的节假日日期" in str(err.value)

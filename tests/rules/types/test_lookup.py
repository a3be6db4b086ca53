"""lookup: keys that must / must not be found in a reference table (conditions on both sides,
field matches, validity windows, same unit or shared reference rows)."""

from __future__ import annotations

import pytest
from helpers.rules import concat_tables, make_table, rows_of, run

from audit_rules.rules.model import RulesetError

REVIEW_FEE = {
    "type": "lookup",
    "message": "向在职人员{payee}支付“{summary}”{amount:.2f}元（{ref_status}）",
    "table": "payments",
    "where": [{"field": "summary", "op": "contains_any", "param": "review_fee_keywords"}],
    "key": "payee",
    "ref_table": "staff",
    "ref_key": "name",
    "ref_where": [{"field": "status", "op": "in", "param": "active_status"}],
    "expect": "not_found",
}
REVIEW_PARAMS = {"review_fee_keywords": ["评审费", "劳务费", "专家咨询费"], "active_status": "在职"}

SUPPLIER = {
    "type": "lookup",
    "message": "{date}{econ_class}付给{payee}，不在定点名录",
    "table": "payments",
    "where": [{"field": "econ_class", "op": "in", "param": "designated_classes"}],
    "key": "payee",
    "ref_table": "suppliers",
    "ref_key": "name",
    "ref_match": [{"field": "category", "equals": "econ_class"}],
    "ref_window": {"from": "valid_from", "to": "valid_to", "date": "date"},
    "expect": "found",
}
SUPPLIER_PARAMS = {"designated_classes": ["印刷费", "公务用车运行维护费"]}

DECISION = {
    "type": "lookup",
    "message": "合同{contract_no}金额{amount:.2f}元无集体决策",
    "table": "contracts",
    "where": [{"field": "amount", "op": "ge", "param": "major_amount_threshold"}],
    "key": "contract_no",
    "ref_table": "decisions",
    "ref_key": "contract_no",
    "expect": "found",
}


def payments(*rows, unit="甲单位"):
    base = {"date": "2019-05-10", "amount": 800}
    return make_table("payments", [{**base, **r} for r in rows], unit=unit)


STAFF = make_table(
    "staff",
    [
        {"name": "张三", "status": "在职", "department": "办公室"},
        {"name": "李四", "status": "调离"},
        {"name": "王五", "status": "退休"},
    ],
)


def test_serving_staff_paid_review_fee_is_flagged_with_the_roster_row():
    table = payments(
        {"summary": "项目评审费", "payee": "张 三"},  # serving (spaces ignored)
        {"summary": "评审费", "payee": "李四"},  # left (调离)
        {"summary": "劳务费", "payee": "王五"},  # retired
        {"summary": "专家咨询费", "payee": "外单位专家刘教授"},  # outside expert
        {"summary": "办公用品", "payee": "张三"},  # not a fee
    )
    findings, outcomes = run(REVIEW_FEE, {"payments": table, "staff": STAFF}, REVIEW_PARAMS)
    assert rows_of(findings) == [3]
    f = findings[0]
    assert f.message == "向在职人员张 三支付“项目评审费”800.00元（在职）"
    assert f.amount == 800.0
    assert [(loc.file, loc.row) for loc in f.locations] == [("x.xlsx", 3), ("x.xlsx", 3)]
    assert outcomes[0].parameters == REVIEW_PARAMS


def test_reference_rows_of_another_unit_do_not_apply_shared_ones_do():
    other = make_table("staff", [{"name": "赵六", "status": "在职"}], unit="乙单位")
    shared = make_table("staff", [{"name": "钱七", "status": "在职"}], unit=None)
    table = payments({"summary": "评审费", "payee": "赵六"}, {"summary": "评审费", "payee": "钱七"})
    findings, _ = run(REVIEW_FEE, {"payments": table, "staff": concat_tables(other, shared)}, REVIEW_PARAMS)
    assert rows_of(findings) == [4]


def suppliers():
    return make_table(
        "suppliers",
        [
            {"name": "湖南某印刷厂", "category": "印刷费", "valid_from": "2019-01-01", "valid_to": "2020-12-31"},
            {"name": "长沙某汽修厂", "category": "公务用车运行维护费", "valid_from": "2017-01-01", "valid_to": "2018-12-31"},
        ],
        unit=None,
    )


def test_designated_supplier_within_validity_passes_outside_or_unlisted_flagged():
    table = payments(
        {"econ_class": "印刷费", "payee": "湖南某印刷厂", "date": "2019-06-01"},  # listed, valid
        {"econ_class": "印刷费", "payee": "湖南某印刷厂", "date": "2018-12-31"},  # before validity
        {"econ_class": "公务用车运行维护费", "payee": "长沙某汽修厂", "date": "2019-03-01"},  # expired
        {"econ_class": "印刷费", "payee": "长沙某印务有限公司"},  # not listed
        {"econ_class": "印刷费", "payee": "长沙某汽修厂", "date": "2018-06-01"},  # listed for another category
        {"econ_class": "办公费", "payee": "随便一家店"},  # not a designated class
    )
    findings, _ = run(SUPPLIER, {"payments": table, "suppliers": suppliers()}, SUPPLIER_PARAMS)
    assert rows_of(findings) == [4, 5, 6, 7]
    assert {f.locations[0].row: f.message for f in findings}[6] == "2019-05-10印刷费付给长沙某印务有限公司，不在定点名录"


def test_open_validity_bounds_never_expire():
    listed = make_table("suppliers", [{"name": "湖南某印刷厂", "category": "印刷费"}])
    table = payments({"econ_class": "印刷费", "payee": "湖南某印刷厂", "date": "2030-01-01"})
    findings, outcomes = run(SUPPLIER, {"payments": table, "suppliers": listed}, SUPPLIER_PARAMS)
    assert findings == [] and outcomes[0].status == "ran"


def test_no_supplier_list_skips_the_rule_with_a_reason():
    table = payments({"econ_class": "印刷费", "payee": "x"})
    findings, outcomes = run(SUPPLIER, {"payments": table}, SUPPLIER_PARAMS)
    assert findings == [] and outcomes[0].status == "skipped"
    assert "定点（协议）供应商名录（suppliers）" in outcomes[0].reason


def test_large_contract_without_decision_flagged_with_decision_or_small_not():
    contracts = make_table(
        "contracts",
        [
            {"contract_no": "HT2019-003", "amount": 500000},  # decided (number typed differently)
            {"contract_no": "HT2019-008", "amount": 298000},  # no decision
            {"contract_no": "HT2019-009", "amount": 50000},  # small
            {"contract_no": "HT2019-010", "amount": 100000},  # exactly the threshold, no decision
        ],
    )
    decisions = make_table("decisions", [{"date": "2019-03-05", "topic": "采购", "contract_no": "HT 2019003"}])
    findings, _ = run(DECISION, {"contracts": contracts, "decisions": decisions}, {"major_amount_threshold": 100000})
    assert rows_of(findings) == [4, 6]
    assert findings[0].message == "合同HT2019-008金额298000.00元无集体决策"


def test_decision_of_another_unit_does_not_count():
    contracts = make_table("contracts", [{"contract_no": "HT1", "amount": 500000}])
    decisions = make_table("decisions", [{"date": "2019-03-05", "topic": "采购", "contract_no": "HT1"}], unit="乙单位")
    findings, _ = run(DECISION, {"contracts": contracts, "decisions": decisions}, {"major_amount_threshold": 100000})
    assert rows_of(findings) == [3]


def test_message_variables_are_checked_when_the_ruleset_loads():
    bad = {**DECISION, "message": "{ref_topic}"}  # ref_ variables exist only for expect: not_found
    with pytest.raises(RulesetError, match="ref_topic"):
        run(bad, {}, {"major_amount_threshold": 100000})


@pytest.mark.parametrize(
    "change, words",
    [
        ({"key": "payer"}, "没有字段"),
        ({"ref_table": "vendors"}, "未知的表类型"),
        ({"where": [{"field": "summary", "op": "contains_any"}]}, "value 或 param"),
        ({"ref_where": [{"field": "state", "op": "in", "value": "在职"}]}, "没有字段"),
        ({"expect": "maybe"}, "expect"),
    ],
)
def test_invalid_lookup_fields_are_refused(change, words):
    with pytest.raises(RulesetError) as err:
        run({**REVIEW_FEE, **change}, {}, REVIEW_PARAMS)
    assert words in str(err.value)

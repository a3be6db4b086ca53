"""A rule of several checks runs each check whose fields the ledgers have (issue 11).

A 合同台账 without 签字 / 盖章 columns must still be checked for a blank 签订日期; the checks left
out are named in the rule's outcome, findings.json skipped_rules, and the 规则清单.
"""

from __future__ import annotations

import json

import jsonschema
from helpers.rules import make_table, run_rule_yaml

from audit_rules.contracts import findings_schema
from audit_rules.result import RunResult

REQUIRED = """
id: contract-elements
title: 合同要素缺失
category: contract_missing_elements
severity: medium
basis: 测试
type: required
table: contracts
fields: [sign_date, signed, sealed]
message: "合同{contract_no}缺少：{missing}"
"""

SIGNED_LATE = """
id: signed-late
title: 先履行后签合同
category: contract_signed_late
severity: medium
basis: 测试
type: date_order
table: contracts
later: sign_date
earlier: [start_date, acceptance_date]
message: "合同{contract_no}晚于{earlier_name}签订"
"""

ROLES = """
id: roles
title: 制单审核出纳
category: segregation_of_duties
severity: medium
basis: 测试
type: voucher_roles
table: journal
pairs: [[maker, checker], [maker, cashier]]
message: "{voucher}{roles}均为{person}"
"""

THREE_ROLES = """
id: three-roles
title: 经办审核审批
category: segregation_of_duties
severity: medium
basis: 测试
type: same_person
table: journal
fields: [maker, checker, cashier]
message: "{person}兼{roles}"
"""


def _contracts(**columns):
    rows = [
        dict(contract_no="HT-1", name="绿化", sign_date=None, **columns),
        dict(contract_no="HT-2", name="物业", sign_date="2024-03-01", **columns),
    ]
    return {"contracts": make_table("contracts", rows)}


def test_required_checks_the_elements_the_register_has_and_names_the_others():
    findings, [outcome] = run_rule_yaml(REQUIRED, _contracts())
    assert [f.message for f in findings] == ["合同HT-1缺少：签订日期"]
    assert outcome.status == "ran" and outcome.partly_ran
    assert [c["check"] for c in outcome.skipped_checks] == ["签字", "盖章"]
    assert outcome.skipped_checks[1]["reason"] == "合同台账缺少字段：盖章（sealed）"
    assert outcome.reason.startswith("部分检查未运行：签字（合同台账缺少字段：签字（signed））；盖章")


def test_the_same_register_with_the_columns_gives_the_same_sign_date_finding():
    """By transformation: adding 签字 / 盖章 columns that are filled in changes nothing found."""
    partial, _ = run_rule_yaml(REQUIRED, _contracts())
    whole, [outcome] = run_rule_yaml(REQUIRED, _contracts(signed=True, sealed=True))
    assert [(f.id, f.message) for f in whole] == [(f.id, f.message) for f in partial]
    assert not outcome.partly_ran and outcome.skipped_checks == []


def test_an_unusable_field_leaves_its_check_out_too():
    unusable = {"contracts": {"sealed": "盖章列无法识别"}}
    findings, [outcome] = run_rule_yaml(REQUIRED, _contracts(signed=True, sealed=True), unusable=unusable)
    assert [f.message for f in findings] == ["合同HT-1缺少：签订日期"]
    assert [c["check"] for c in outcome.skipped_checks] == ["盖章"]
    assert "不可用" in outcome.skipped_checks[0]["reason"]


def test_a_rule_none_of_whose_checks_can_run_is_skipped():
    tables = {"contracts": make_table("contracts", [dict(contract_no="HT-1", name="绿化")])}
    findings, [outcome] = run_rule_yaml(REQUIRED, tables)
    assert findings == [] and outcome.status == "skipped" and outcome.skipped_checks == []
    assert "签订日期（sign_date）" in outcome.reason


def test_date_order_names_the_earlier_date_it_could_not_compare_with():
    rows = [dict(contract_no="HT-1", sign_date="2024-05-20", start_date="2024-05-06")]
    findings, [outcome] = run_rule_yaml(SIGNED_LATE, {"contracts": make_table("contracts", rows)})
    assert len(findings) == 1
    assert [c["check"] for c in outcome.skipped_checks] == ["签订日期晚于验收日期"]


def test_date_order_keeps_a_findings_id_whether_or_not_the_other_date_column_exists():
    rows = [dict(contract_no="HT-1", sign_date="2024-05-20", start_date="2024-05-06")]
    without, _ = run_rule_yaml(SIGNED_LATE, {"contracts": make_table("contracts", rows)})
    blank = make_table("contracts", [dict(rows[0], acceptance_date=None)])
    with_blank, _ = run_rule_yaml(SIGNED_LATE, {"contracts": blank})
    assert [f.id for f in without] == [f.id for f in with_blank]


def test_voucher_roles_names_the_pair_whose_column_the_journal_lacks():
    lines = [dict(voucher_no="12", period="2024-01", account_code="5001", debit=100, credit=0,
                  maker="王芳", checker="王芳")]
    findings, [outcome] = run_rule_yaml(ROLES, {"journal": make_table("journal", lines)})
    assert [f.message for f in findings] == ["12制单人、审核人均为王芳"]
    assert [c["check"] for c in outcome.skipped_checks] == ["制单人与出纳"]


def test_same_person_with_three_roles_checks_the_pairs_it_can():
    rows = [dict(voucher_no="3", debit=100, maker="张三", checker="张三")]
    findings, [outcome] = run_rule_yaml(THREE_ROLES, {"journal": make_table("journal", rows)})
    assert len(findings) == 1 and "张三" in findings[0].message
    assert len(outcome.skipped_checks) == 2 and all("cashier" in c["reason"] for c in outcome.skipped_checks)


def _result(outcomes) -> RunResult:
    return RunResult(tool_version="t", started_at="2024-01-01T00:00:00+08:00", command_line="t",
                     ruleset_id="r", ruleset_title="r", ruleset_version="1", ruleset_sha256="0" * 64,
                     parameters={}, rules=outcomes)


def test_findings_json_lists_the_checks_left_out_and_stays_valid():
    from audit_rules.reports.json_report import dumps_findings_json

    _, outcomes = run_rule_yaml(REQUIRED, _contracts())
    doc = json.loads(dumps_findings_json(_result(outcomes)))
    [entry] = doc["skipped_rules"]
    assert entry["rule_id"] == "contract-elements" and len(entry["skipped_checks"]) == 2
    jsonschema.Draft202012Validator(findings_schema()).validate(doc)

"""The engine: typed tables, skipped/failed rules, unreadable rows, stable fingerprints, lockdown."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from helpers.rules import concat_tables, make_table, run_rule_yaml

from audit_rules.rules.database import RuleViews, prepare_database
from audit_rules.rules.engine import run_rules
from audit_rules.rules.loader import load_ruleset, load_ruleset_text

OVER_LIMIT = """
id: reception-over
title: 接待超标
category: meal_over_standard
severity: medium
basis: 测试
type: limit
table: receptions
value: amount
per_head: [guest_count, companion_count]
limit_param: meal_per_head_limit
message: "{guest_unit}人均{per_head:.2f}元"
"""


def receptions(rows, **kw):
    base = dict(date="2024-05-06", guest_location="株洲市", companion_count=0)
    return make_table("receptions", [{**base, **r} for r in rows], **kw)


def test_tables_are_typed_with_every_field_and_exact_money():
    payments = make_table("payments", [dict(date="2024-01-02", amount=0.1, payee="甲"), dict(amount=0.2, payee="乙")])
    con = prepare_database({"payments": payments}, lock=False)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE payments)").fetchall())
    assert types["amount"] == "DECIMAL(18,2)" and types["date"] == "DATE"
    assert types["invoice_no"] == "VARCHAR"  # a field the ledger lacked exists, typed
    assert types["headcount"] == "BIGINT" and types["_row"] == "INTEGER" and types["_bad"] == "VARCHAR[]"
    assert con.execute("SELECT sum(amount) = 0.3 FROM payments").fetchone()[0] is True
    assert con.execute("SELECT count(*) FROM contracts").fetchone()[0] == 0  # missing kinds: empty
    con.close()


def test_each_rule_sees_the_rows_its_own_needs_leave_whatever_the_rule_before_needed():
    payments = make_table("payments", [dict(amount=1.0, payee="甲"), dict(amount=2.0, payee="乙", _bad=["amount"]),
                                       dict(amount=3.0, payee="丙", _bad=["payee"])])
    con = prepare_database({"payments": payments}, lock=False)
    views = RuleViews(con)
    seen = []
    for needs in ({"payments": ["amount"]}, {"payments": ["amount"]}, {}, {"payments": ["payee"]},
                  {"payments": ["amount", "payee"]}, {"contracts": ["amount"]}):
        views.use(needs)
        seen.append(con.execute("SELECT list(payee ORDER BY payee) FROM payments").fetchone()[0])
    assert seen == [["丙", "甲"], ["丙", "甲"], ["丙", "乙", "甲"], ["乙", "甲"], ["甲"], ["丙", "乙", "甲"]]
    RuleViews(con, shown={}).use({"payments": ["payee"]})  # views in an unknown state: all made again
    assert con.execute("SELECT count(*) FROM payments").fetchone()[0] == 2
    con.close()


def test_connection_is_locked_down():
    con = prepare_database({})
    for statement in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "ATTACH '/tmp/audit_rules_test.db'",
        "COPY (SELECT 1) TO '/tmp/audit_rules_test.csv'",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(statement)
    con.close()


def test_macros_normalise_names_and_invoice_numbers():
    con = prepare_database({})
    got = con.execute(
        "SELECT norm_invoice('No.00571234'), norm_invoice('571234'), norm_invoice('№ 0057-1234'),"
        " norm_invoice('发票号：00571234'), norm_invoice('  '), norm_name('长沙某某科技（有限）公司'),"
        " norm_name('长沙某某 科技【有限】公司 '), norm_name('ABC')"
    ).fetchone()
    assert got[:4] == ("571234",) * 4
    assert got[4] is None
    assert got[5] == got[6] == "长沙某某科技有限公司"
    assert got[7] == "abc"
    con.close()


def test_missing_table_and_missing_field_skip_with_chinese_reasons():
    _, outcomes = run_rule_yaml(OVER_LIMIT, {})
    assert outcomes[0].status == "skipped"
    assert outcomes[0].reason == "缺少公务接待登记（receptions）"
    # The guests must be counted; the companions are optional (blank = none, see
    # tests/rules/cases/meal-reception-per-head.yaml: flags_register_without_companion_column).
    no_guests = make_table("receptions", [dict(date="2024-01-01", companion_count=2, amount=100)])
    _, outcomes = run_rule_yaml(OVER_LIMIT, {"receptions": no_guests})
    assert outcomes[0].status == "skipped"
    assert outcomes[0].reason == "公务接待登记缺少字段：接待对象人数（guest_count）"


def test_unusable_field_skips_the_rule():
    table = receptions([dict(guest_unit="甲", guest_count=1, amount=900)])
    _, outcomes = run_rule_yaml(OVER_LIMIT, {"receptions": table}, unusable={"receptions": {"amount": "半数以上无法识别"}})
    assert outcomes[0].status == "skipped"
    assert "用餐金额（amount）" in outcomes[0].reason and "半数以上无法识别" in outcomes[0].reason


def test_rows_with_unreadable_needed_fields_are_excluded_others_kept():
    table = receptions(
        [
            dict(guest_unit="甲", guest_count=1, amount=900, _bad=["amount"]),
            dict(guest_unit="乙", guest_count=1, amount=900, _bad=["letter"]),  # not a field the rule needs
            dict(guest_unit="丙", guest_count=1, amount=900),
        ]
    )
    findings, outcomes = run_rule_yaml(OVER_LIMIT, {"receptions": table})
    assert outcomes[0].status == "ran"
    assert sorted(f.locations[0].row for f in findings) == [4, 5]


def test_a_failing_rule_does_not_stop_the_others():
    broken = """
- id: broken
  title: 坏规则
  category: custom
  severity: low
  type: sql
  query: "SELECT _file, _sheet, _row, CAST(summary AS INTEGER) AS n FROM payments"
  message: "{n}"
- id: fine
  title: 好规则
  category: custom
  severity: low
  type: match
  table: payments
  where: [{field: summary, op: contains_any, value: [礼品]}]
  message: "{summary}"
"""
    table = make_table("payments", [dict(date="2024-01-01", amount=1, payee="甲", summary="礼品")])
    findings, outcomes = run_rule_yaml(broken, {"payments": table})
    status = {o.rule_id: o for o in outcomes}
    assert status["broken"].status == "failed" and "规则执行出错" in status["broken"].reason
    assert status["fine"].status == "ran" and status["fine"].findings == 1
    assert [f.rule_id for f in findings] == ["fine"]


def _ids(findings):
    return {f.id: f.locations[0].row for f in findings}


def test_fingerprints_survive_reordering_and_inserted_rows():
    rows = [
        dict(guest_unit="甲", guest_count=1, amount=900),
        dict(guest_unit="乙", guest_count=2, amount=100),
        dict(guest_unit="丙", guest_count=1, amount=700),
    ]
    first, _ = run_rule_yaml(OVER_LIMIT, {"receptions": receptions(rows)})
    reordered, _ = run_rule_yaml(OVER_LIMIT, {"receptions": receptions(list(reversed(rows)))})
    inserted, _ = run_rule_yaml(
        OVER_LIMIT, {"receptions": receptions([dict(guest_unit="丁", guest_count=1, amount=10), *rows])}
    )
    assert len(first) == 2
    assert set(_ids(first)) == set(_ids(reordered)) == set(_ids(inserted))
    assert _ids(first) != _ids(inserted)  # the rows did move: ids stayed while row numbers changed


def test_fingerprints_differ_between_units_and_identical_rows_get_distinct_ids():
    row = dict(guest_unit="甲", guest_count=1, amount=900)
    table = concat_tables(receptions([row], unit="甲单位"), receptions([row], unit="乙单位"))
    findings, _ = run_rule_yaml(OVER_LIMIT, {"receptions": table})
    assert len({f.id for f in findings}) == 2
    copied, _ = run_rule_yaml(OVER_LIMIT, {"receptions": receptions([row, row])})
    assert len({f.id for f in copied}) == 2


def test_group_fingerprint_stable_when_rows_move():
    rows = [
        dict(date="2024-03-05", invoice_no="No.1", amount=10, payee="甲"),
        dict(date="2024-01-01", invoice_no="9", amount=5, payee="乙"),
        dict(date="2024-06-05", invoice_no="1", amount=10, payee="甲"),
    ]
    rule = load_ruleset(None)
    a, _ = run_rules({"payments": make_table("payments", rows)}, rule)
    b, _ = run_rules({"payments": make_table("payments", rows[::-1], first_row=10)}, rule)
    dup_a = [f for f in a if f.rule_id == "duplicate-payment"]
    dup_b = [f for f in b if f.rule_id == "duplicate-payment"]
    assert len(dup_a) == 1 and [f.id for f in dup_a] == [f.id for f in dup_b]


def test_findings_are_sorted_by_rule_order_then_unit_and_location():
    ruleset = load_ruleset(None)
    table = concat_tables(
        receptions([dict(guest_unit="甲", guest_count=1, amount=900, guest_location="长沙市")], unit="乙单位"),
        receptions([dict(guest_unit="甲", guest_count=1, amount=900, guest_location="长沙市")], unit="甲单位"),
    )
    findings, outcomes = run_rules({"receptions": table}, ruleset)
    order = [r.id for r in ruleset.enabled_rules]
    assert [f.rule_id for f in findings] == sorted((f.rule_id for f in findings), key=order.index)
    same_rule = [f.unit for f in findings if f.rule_id == "meal-reception-per-head"]
    assert same_rule == sorted(same_rule)
    assert [o.rule_id for o in outcomes] == [r.id for r in ruleset.rules]  # every rule, in order
    assert any(o.status == "skipped" and "付款" in o.reason for o in outcomes)


def test_message_variables_dates_and_blank_values():
    yaml_text = """
id: dated
title: 日期
category: custom
severity: low
type: match
table: payments
where: [{field: payee, op: not_null}]
message: "{date}付款{amount:.2f}元，经办{handler}"
"""
    table = make_table("payments", [dict(date="2024-03-05", amount=1234.5, payee="甲", handler=None)])
    findings, _ = run_rule_yaml(yaml_text, {"payments": table})
    assert findings[0].message == "2024-03-05付款1234.50元，经办（未填写）"
    assert isinstance(findings[0].amount, float) and findings[0].amount == 1234.5


def test_parameter_values_in_outcomes_and_unverified_marks():
    table = receptions([dict(guest_unit="甲", guest_count=1, amount=900)])
    findings, outcomes = run_rule_yaml(OVER_LIMIT, {"receptions": table}, params={"meal_per_head_limit": "120"})
    assert outcomes[0].parameters == {"meal_per_head_limit": 120}
    assert findings[0].unverified == ["meal_per_head_limit"]


def test_tables_with_pandas_string_dtypes_are_accepted():
    table = receptions([dict(guest_unit="甲", guest_count=1, amount=900)])
    table["guest_unit"] = table["guest_unit"].astype("string")
    table["_unit"] = pd.Series(["甲单位"], dtype="str")
    findings, outcomes = run_rule_yaml(OVER_LIMIT, {"receptions": table})
    assert outcomes[0].status == "ran" and findings[0].message.startswith("甲人均")


def test_load_ruleset_text_overrides_parameters_without_touching_the_default():
    text = "id: t\ntitle: t\nextends: default\n"
    changed = load_ruleset_text(text, overrides={"meal_per_head_limit": "99"})
    assert changed.parameters["meal_per_head_limit"].value == 99
    assert load_ruleset(None).parameters["meal_per_head_limit"].value == 150


TWO_RULES = """
id: two
title: 两条规则
version: "1"
rules:
  - id: gifts
    title: 礼品
    category: custom
    severity: low
    type: match
    table: payments
    where: [{field: summary, op: contains_any, value: [礼品]}]
    message: "{summary}"
  - id: cards
    title: 购物卡
    category: custom
    severity: low
    type: match
    table: payments
    where: [{field: summary, op: contains_any, value: [购物卡]}]
    message: "{summary}"
    enabled: false
"""


def _gift_and_card_payments():
    return make_table(
        "payments",
        [dict(date="2024-01-01", amount=1, payee="甲", summary="礼品"), dict(date="2024-01-02", amount=2, payee="乙", summary="购物卡")],
    )


def test_disabled_rules_are_listed_as_disabled_and_never_run(tmp_path):
    ruleset = load_ruleset_text(TWO_RULES)
    findings, outcomes = run_rules({"payments": _gift_and_card_payments()}, ruleset)
    assert [(o.rule_id, o.status, o.reason) for o in outcomes] == [
        ("gifts", "ran", ""),
        ("cards", "disabled", "规则集已停用此规则"),
    ]
    assert [f.rule_id for f in findings] == ["gifts"] and outcomes[1].findings == 0
    # a disabled rule is listed even when its table is missing (it is not "skipped")
    _, outcomes = run_rules({}, ruleset)
    assert [o.status for o in outcomes] == ["skipped", "disabled"]
    # a child ruleset switching a parent rule off: listed as disabled too
    (tmp_path / "parent.yaml").write_text(TWO_RULES.replace("    enabled: false\n", ""), encoding="utf-8")
    child = "id: child\ntitle: 子规则集\nextends: parent.yaml\ndisable: [gifts]\n"
    ruleset = load_ruleset_text(child, base_dir=tmp_path)
    findings, outcomes = run_rules({"payments": _gift_and_card_payments()}, ruleset)
    assert [(o.rule_id, o.status) for o in outcomes] == [("gifts", "disabled"), ("cards", "ran")]
    assert [f.rule_id for f in findings] == ["cards"]


def test_disabled_rules_are_not_counted_as_skipped_in_the_run_result():
    from audit_rules.result import RunResult

    ruleset = load_ruleset_text(TWO_RULES)
    _, outcomes = run_rules({}, ruleset)
    result = RunResult(
        tool_version="t", started_at="2024-01-01T00:00:00+08:00", command_line="t", ruleset_id=ruleset.id,
        ruleset_title=ruleset.title, ruleset_version=ruleset.version, ruleset_sha256=ruleset.sha256,
        parameters=ruleset.parameters_json(), rules=outcomes,
    )
    assert [r["rule_id"] for r in result.skipped_rules] == ["gifts"]
    assert result.skipped_rules[0]["reason"].startswith("缺少付款")

"""same_person: two roles of one row held by the same person, and one person holding
incompatible posts in the staff roster (in one title or across rows)."""

from __future__ import annotations

import pytest
from helpers.rules import concat_tables, make_table, rows_of, run

from audit_rules.rules.model import RulesetError

ROLES = {
    "type": "same_person",
    "message": "{person}既是{roles}，凭证{voucher_no}",
    "table": "payments",
    "fields": ["handler", "approver"],
}
POSTS = {
    "type": "same_person",
    "message": "{person}兼任{roles}（{titles}）",
    "table": "staff",
    "field": "title",
    "incompatible": [["会计", "出纳"], ["会计", "采购"]],
}


def test_handler_equal_to_approver_flagged_different_or_blank_not():
    table = make_table(
        "payments",
        [
            {"voucher_no": "记-1", "handler": "张三", "approver": "张 三"},
            {"voucher_no": "记-2", "handler": "张三", "approver": "李四"},
            {"voucher_no": "记-3", "handler": "张三", "approver": None},
            {"voucher_no": "记-4", "handler": None, "approver": None},
            {"voucher_no": "记-5", "handler": "（王五）", "approver": "王五"},
        ],
        fields=["date", "amount", "payee"],
    )
    findings, outcomes = run(ROLES, {"payments": table})
    assert outcomes[0].status == "ran"
    assert rows_of(findings) == [3, 7]
    assert findings[0].message == "张三既是经办人、审核人，凭证记-1"


def test_three_role_fields_any_pair():
    rule = {**ROLES, "fields": ["handler", "approver", "payee"], "message": "{roles}"}
    table = make_table("payments", [{"handler": "甲", "approver": "乙", "payee": "甲"}])
    findings, _ = run(rule, {"payments": table})
    assert [f.message for f in findings] == ["经办人、收款单位"]


def staff(*rows, unit="甲单位"):
    return make_table("staff", [dict(zip(("name", "title"), r)) for r in rows], unit=unit)


def test_one_title_with_both_posts_or_two_rows_flagged():
    table = staff(("赵一", "会计兼出纳"), ("钱二", "会计"), ("钱二", "采购员"), ("孙三", "出纳"), ("李四", "会计"))
    findings, _ = run(POSTS, {"staff": table})
    by_person = {f.message.split("兼任")[0]: f for f in findings}
    assert sorted(by_person) == ["赵一", "钱二"]
    assert by_person["赵一"].message == "赵一兼任会计与出纳（会计兼出纳）"
    assert by_person["钱二"].message == "钱二兼任会计与采购（会计、采购员）"
    assert [loc.row for loc in by_person["钱二"].locations] == [4, 5]


def test_same_name_in_two_units_is_two_people():
    table = concat_tables(staff(("周八", "会计")), staff(("周八", "出纳"), unit="乙单位"))
    findings, _ = run(POSTS, {"staff": table})
    assert findings == []


def test_several_pairs_give_one_finding_per_person():
    table = staff(("吴九", "会计"), ("吴九", "出纳、采购"))
    findings, _ = run(POSTS, {"staff": table})
    assert len(findings) == 1
    assert findings[0].message.startswith("吴九兼任会计与出纳、会计与采购")


def test_pairs_from_a_parameter():
    rule = {**POSTS, "incompatible": "incompatible_posts"}
    findings, outcomes = run(rule, {"staff": staff(("郑十", "出纳兼稽核"))}, {"incompatible_posts": ["出纳/稽核", "会计、采购"]})
    assert len(findings) == 1 and findings[0].message == "郑十兼任出纳与稽核（出纳兼稽核）"
    assert outcomes[0].parameters == {"incompatible_posts": ["出纳/稽核", "会计、采购"]}


def test_finding_id_stable_when_roster_rows_move():
    a = staff(("钱二", "会计"), ("某某", "科员"), ("钱二", "采购员"))
    b = staff(("钱二", "采购员"), ("钱二", "会计"))
    (fa,), _ = run(POSTS, {"staff": a})
    (fb,), _ = run(POSTS, {"staff": b})
    assert fa.id == fb.id


@pytest.mark.parametrize(
    "rule, words",
    [
        ({**ROLES, "field": "title"}, "二选一"),
        ({**ROLES, "fields": ["handler"]}, "至少要两个"),
        ({**ROLES, "fields": ["handler", "amount"]}, "文本字段"),
        ({k: v for k, v in POSTS.items() if k != "incompatible"}, "incompatible"),
        ({**POSTS, "incompatible": [["会计"]]}, "两个岗位名"),
    ],
)
def test_invalid_forms_refused(rule, words):
    with pytest.raises(RulesetError) as err:
        run(rule, {})
    assert words in str(err.value)

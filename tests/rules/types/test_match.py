"""The match rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

import pytest
from helpers.rules import (
    make_table,
    pay,
    reception,
    rows_of,
    run_rule_yaml,
    shipped_findings,
)


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
    findings = shipped_findings("reception-same-city", {"receptions": table})
    assert rows_of(findings) == [3, 4, 5]
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
    findings = shipped_findings("prohibited-expense", {"payments": table})
    assert rows_of(findings) == [3]
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
    assert rows_of(findings) == expected


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
    assert rows_of(findings) == [3]
    assert findings[0].message == "2024-12-15 5000.00"


# ---- contains_any as one alternation: the same answer as the keyword list ---------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from audit_rules.rules.types.base import SqlContext  # noqa: E402
from audit_rules.rules.sql import is_blank  # noqa: E402
from audit_rules.rules.types.match import Condition, _keyword_hits, condition_sql  # noqa: E402

# Regular-expression syntax, spaces, capitals and CJK: every keyword must be found as a literal.
KEYWORD_ALPHABET = st.sampled_from(list("春节慰问品aAbB .*+?()[]{}|^$\\-#&~、\t"))


EXEMPTIONS = st.dictionaries(st.text(KEYWORD_ALPHABET, min_size=1, max_size=2),
                             st.text(KEYWORD_ALPHABET, min_size=1, max_size=5), max_size=2)


@settings(max_examples=150, deadline=None)
@given(keywords=st.lists(st.text(KEYWORD_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5),
       summary=st.one_of(st.none(), st.text(KEYWORD_ALPHABET, max_size=12)),
       op=st.sampled_from(["contains_any", "not_contains_any"]),
       exemptions=st.one_of(st.none(), EXEMPTIONS))
def test_keywords_found_by_one_alternation_equal_the_keyword_list(keywords, summary, op, exemptions):
    import duckdb

    cond = Condition(field="summary", op=op, value=keywords, exempt="exempt" if exemptions is not None else None)
    ctx = SqlContext(params={"exempt": exemptions})
    fast = condition_sql("payments", cond, "p", ctx)
    found = f"len({_keyword_hits('payments', cond, 'p', ctx)}) > 0"
    listed = f"(NOT {is_blank('payments', 'summary', 'p')} AND {'NOT ' if op.startswith('not') else ''}({found}))"
    row = duckdb.execute(f"SELECT {fast}, {listed} FROM (SELECT ?::VARCHAR AS summary) AS p", [summary]).fetchone()
    assert row[0] == row[1]
    # keywords of blanks only are no keywords (Condition.keywords strips them): nothing to alternate
    assert ("regexp_matches" in fast) == bool(cond.keywords(ctx))

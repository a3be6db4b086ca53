"""periodic: months without a required recurring record, per unit, between the unit's first and
last row of the table."""

from __future__ import annotations

from helpers.rules import concat_tables, make_table, run

RULE = {
    "type": "periodic",
    "message": "{unit}{month}没有中心组学习",
    "table": "meetings",
    "date": "date",
    "where": [{"field": "kind", "op": "contains_any", "value": "中心组学习"}],
}


def meetings(*rows, unit="甲单位"):
    return make_table("meetings", [dict(zip(("date", "kind"), r)) for r in rows], unit=unit, fields=["name"])


def test_unit_with_a_session_every_month_passes():
    table = meetings(("2019-01-10", "中心组学习"), ("2019-02-20", "党委理论学习中心组学习（扩大）"), ("2019-03-05", "中心组学习"))
    findings, outcomes = run(RULE, {"meetings": table})
    assert findings == [] and outcomes[0].status == "ran"


def test_each_missing_month_is_one_finding_at_the_last_row_before_it():
    table = meetings(
        ("2019-01-10", "党委会"),
        ("2019-01-20", "中心组学习"),
        ("2019-02-15", "支部会"),  # February: a meeting, but no study session
        ("2019-04-03", "中心组学习"),  # March: nothing at all
        ("2019-06-01", "中心组学习"),  # May: nothing
    )
    findings, _ = run(RULE, {"meetings": table})
    by_month = {f.message: [loc.row for loc in f.locations] for f in findings}
    assert by_month == {
        "甲单位2019年2月没有中心组学习": [4, 6],  # then the next row after the month
        "甲单位2019年3月没有中心组学习": [5, 6],
        "甲单位2019年5月没有中心组学习": [6, 7],
    }
    assert all(f.unit == "甲单位" and f.amount is None for f in findings)


def test_months_outside_the_units_span_and_other_units_are_not_checked():
    a = meetings(("2019-03-01", "中心组学习"), ("2019-04-01", "中心组学习"))
    b = meetings(("2019-01-01", "中心组学习"), ("2019-06-30", "中心组学习"), unit="乙单位")
    findings, _ = run(RULE, {"meetings": concat_tables(a, b)})
    assert sorted(f.message for f in findings) == [f"乙单位2019年{m}月没有中心组学习" for m in (2, 3, 4, 5)]


def test_first_month_without_session_points_at_its_first_row_and_year_boundary():
    table = meetings(("2018-12-05", "党委会"), ("2019-01-08", "中心组学习"), ("2019-01-09", "党委会"))
    findings, _ = run(RULE, {"meetings": table})
    assert [f.message for f in findings] == ["甲单位2018年12月没有中心组学习"]
    assert [loc.row for loc in findings[0].locations] == [3, 4]


def test_ids_stable_when_rows_are_reordered_or_added():
    rows = [("2019-01-10", "中心组学习"), ("2019-02-15", "支部会"), ("2019-03-05", "中心组学习")]
    (first,), _ = run(RULE, {"meetings": meetings(*rows)})
    (second,), _ = run(RULE, {"meetings": meetings(*reversed(rows), ("2019-02-16", "党委会"))})
    assert first.id == second.id


def test_without_kind_column_the_rule_is_skipped():
    table = make_table("meetings", [{"date": "2019-01-10", "name": "学习"}])
    findings, outcomes = run(RULE, {"meetings": table})
    assert findings == [] and outcomes[0].status == "skipped"
    assert "会议类型（kind）" in outcomes[0].reason

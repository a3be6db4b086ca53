"""date_order: contracts signed late, assets booked late (calendar days), publicity periods
shorter than N Chinese working days (holidays, make-up days, weekday fallback)."""

from __future__ import annotations

import pytest
from helpers.rules import make_table, rows_of, run

from audit_rules.rules.model import RulesetError

SIGNED_LATE = {
    "type": "date_order",
    "message": "签订{later}晚于{earlier_name}{earlier}，{days}天",
    "table": "contracts",
    "later": "sign_date",
    "earlier": ["start_date", "acceptance_date"],
}

BOOKED_LATE = {
    "type": "date_order",
    "message": "{earlier}取得，{later}入账，相隔{days}天，超过{limit}天",
    "table": "assets",
    "later": "booked_date",
    "earlier": "acquired_date",
    "offset": "asset_booking_days",
    "amount": "unit_price",
}

PUBLICITY = {
    "type": "date_order",
    "message": "{name}公示{earlier}至{later}，{span}个工作日，少于{limit}个{calendar_note}",
    "table": "appointments",
    "later": "end",
    "earlier": "start",
    "offset": "publicity_min_working_days",
    "offset_unit": "working_days",
    "mode": "min_span",
}


def contracts(*rows):
    return make_table("contracts", [{"contract_no": f"HT{i}", "amount": 1000, **r} for i, r in enumerate(rows)])


def test_contract_signed_after_start_or_acceptance_is_flagged_not_same_day():
    table = contracts(
        {"sign_date": "2019-05-06", "start_date": "2019-05-06", "acceptance_date": "2019-06-01"},  # same day
        {"sign_date": "2019-05-07", "start_date": "2019-05-06", "acceptance_date": "2019-06-01"},  # after start
        {"sign_date": "2019-06-05", "acceptance_date": "2019-06-01"},  # after acceptance, no start
        {"sign_date": "2019-04-01", "start_date": "2019-05-06"},  # before
        {"start_date": "2019-05-06"},  # no sign date: not this rule's finding
    )
    findings, outcomes = run(SIGNED_LATE, {"contracts": table})
    assert outcomes[0].status == "ran"
    assert rows_of(findings) == [4, 5]
    by_row = {f.locations[0].row: f for f in findings}
    assert by_row[4].message == "签订2019-05-07晚于履行开始日期2019-05-06，1天"
    assert by_row[5].message == "签订2019-06-05晚于验收日期2019-06-01，4天"
    assert by_row[4].amount == 1000.0


def test_signed_after_both_dates_gives_one_finding_naming_the_earliest():
    table = contracts({"sign_date": "2019-07-01", "start_date": "2019-05-06", "acceptance_date": "2019-06-01"})
    findings, _ = run(SIGNED_LATE, {"contracts": table})
    assert len(findings) == 1
    assert "履行开始日期2019-05-06，56天" in findings[0].message


def test_a_register_keeping_only_one_of_the_earlier_dates_is_still_checked():
    only_start = contracts({"sign_date": "2019-05-07", "start_date": "2019-05-06"})
    only_start = only_start.drop(columns=["acceptance_date"], errors="ignore")
    assert "acceptance_date" not in only_start.columns
    findings, outcomes = run(SIGNED_LATE, {"contracts": only_start})
    assert outcomes[0].status == "ran" and rows_of(findings) == [3]
    neither = contracts({"sign_date": "2019-05-07"}).drop(columns=["start_date", "acceptance_date"], errors="ignore")
    _, outcomes = run(SIGNED_LATE, {"contracts": neither})
    assert outcomes[0].status == "skipped"
    assert "履行开始日期" in outcomes[0].reason and "验收日期" in outcomes[0].reason


def test_asset_booked_within_window_not_flagged_after_it_flagged():
    table = make_table(
        "assets",
        [
            {"asset_no": "A1", "name": "电脑", "unit_price": 4800, "acquired_date": "2019-03-01", "booked_date": "2019-03-20"},
            {"asset_no": "A2", "name": "电脑", "unit_price": 4800, "acquired_date": "2019-03-01", "booked_date": "2019-03-31"},
            {"asset_no": "A3", "name": "笔记本", "unit_price": 6900, "acquired_date": "2018-11-20", "booked_date": "2019-01-15"},
            {"asset_no": "A4", "name": "电脑", "unit_price": 4800, "acquired_date": "2019-03-01", "booked_date": "2019-04-01"},
        ],
    )
    findings, outcomes = run(BOOKED_LATE, {"assets": table}, {"asset_booking_days": 30})
    assert rows_of(findings) == [5, 6]  # 56 days and 31 days; exactly 30 days passes
    by_row = {f.locations[0].row: f for f in findings}
    assert by_row[5].message == "2018-11-20取得，2019-01-15入账，相隔56天，超过30天"
    assert by_row[5].amount == 6900.0
    assert outcomes[0].parameters == {"asset_booking_days": 30}
    # a larger window is honoured
    findings, _ = run(BOOKED_LATE, {"assets": table}, {"asset_booking_days": 60})
    assert findings == []


def appointments(*spans, unit="甲单位"):
    return make_table(
        "appointments", [{"name": f"干部{i}", "post": "副科长", "start": s, "end": e} for i, (s, e) in enumerate(spans)], unit=unit
    )


def test_publicity_ordinary_week_passes_four_working_days_flagged():
    table = appointments(("2019-05-13", "2019-05-17"), ("2019-05-06", "2019-05-09"))
    findings, _ = run(PUBLICITY, {"appointments": table}, {"publicity_min_working_days": 5})
    assert rows_of(findings) == [4]
    assert findings[0].message == "干部1公示2019-05-06至2019-05-09，4个工作日，少于5个"


def test_publicity_over_national_day_counts_holidays_and_make_up_days():
    table = appointments(
        ("2019-09-30", "2019-10-09"),  # Mon–Fri would give 8 days; the state calendar gives 3
        ("2019-10-08", "2019-10-12"),  # Tue–Sat: Saturday 12 Oct is a make-up working day → 5
        ("2019-09-27", "2019-10-08"),  # 27 Sep, 29 Sep (Sun, make-up), 30 Sep, 8 Oct → 4
    )
    findings, _ = run(PUBLICITY, {"appointments": table}, {"publicity_min_working_days": 5})
    assert rows_of(findings) == [3, 5]
    spans = sorted(f.message.split("，")[1] for f in findings)
    assert spans == ["3个工作日", "4个工作日"]


def test_publicity_outside_known_years_uses_weekdays_and_says_so():
    table = appointments(("2027-01-04", "2027-01-07"), ("2027-01-11", "2027-01-15"))
    findings, outcomes = run(PUBLICITY, {"appointments": table}, {"publicity_min_working_days": 5})
    assert outcomes[0].status == "ran"
    assert rows_of(findings) == [3]
    assert findings[0].message.endswith("（2027年节假日安排未知，按周一至周五计算工作日）")


def test_publicity_known_year_message_has_no_calendar_note():
    findings, _ = run(PUBLICITY, {"appointments": appointments(("2019-05-06", "2019-05-09"))}, {"publicity_min_working_days": 5})
    assert "节假日安排未知" not in findings[0].message


def test_extra_holidays_parameter_removes_working_days():
    rule = {**PUBLICITY, "holidays": "extra_holidays"}
    table = appointments(("2027-02-08", "2027-02-12"))
    params = {"publicity_min_working_days": 5}
    findings, _ = run(rule, {"appointments": table}, {**params, "extra_holidays": []})
    assert findings == []
    findings, outcomes = run(rule, {"appointments": table}, {**params, "extra_holidays": ["2027-02-10"]})
    assert rows_of(findings) == [3] and "4个工作日" in findings[0].message
    assert outcomes[0].parameters["extra_holidays"] == ["2027-02-10"]


def test_outcome_names_unknown_calendar_years_for_the_rule_list_and_still_ran():
    params = {"publicity_min_working_days": 5}
    # a passing 2027 notice still counted Mon–Fri: the rule list says so
    _, outcomes = run(PUBLICITY, {"appointments": appointments(("2027-01-04", "2027-01-08"))}, params)
    assert outcomes[0].status == "ran"
    assert outcomes[0].reason == "2027年节假日安排未知，按周一至周五计算工作日"
    spans_years = appointments(("2026-12-28", "2028-01-07"), ("2019-05-06", "2019-05-09"))
    _, outcomes = run(PUBLICITY, {"appointments": spans_years}, params)
    assert outcomes[0].reason == "2027年、2028年节假日安排未知，按周一至周五计算工作日"


def test_outcome_has_no_calendar_note_for_known_years_calendar_days_or_unread_rows():
    params = {"publicity_min_working_days": 5}
    _, outcomes = run(PUBLICITY, {"appointments": appointments(("2019-05-06", "2019-05-09"))}, params)
    assert outcomes[0].status == "ran" and outcomes[0].reason == ""
    # a 2027 row whose end date could not be read is not counted, so it names no year
    table = make_table(
        "appointments",
        [{"name": "甲", "start": "2019-05-06", "end": "2019-05-10"}, {"name": "乙", "start": "2027-01-04", "end": "2027-01-05", "_bad": ["end"]}],
    )
    _, outcomes = run(PUBLICITY, {"appointments": table}, params)
    assert outcomes[0].reason == ""
    # calendar days know no holidays: nothing to warn about
    late = {**SIGNED_LATE}
    _, outcomes = run(late, {"contracts": contracts({"sign_date": "2027-05-07", "start_date": "2027-05-06", "acceptance_date": None})})
    assert outcomes[0].status == "ran" and outcomes[0].reason == ""


def test_rows_with_unreadable_dates_are_left_out_and_missing_column_skips():
    table = make_table(
        "appointments",
        [{"name": "甲", "start": "2019-05-06", "end": "2019-05-07", "_bad": ["end"]}, {"name": "乙", "start": "2019-05-06", "end": "2019-05-07"}],
    )
    findings, _ = run(PUBLICITY, {"appointments": table}, {"publicity_min_working_days": 5})
    assert rows_of(findings) == [4]
    no_end = make_table("appointments", [{"name": "甲", "start": "2019-05-06"}])
    findings, outcomes = run(PUBLICITY, {"appointments": no_end}, {"publicity_min_working_days": 5})
    assert findings == [] and outcomes[0].status == "skipped"
    assert "公示结束日期（end）" in outcomes[0].reason


def test_finding_ids_do_not_depend_on_row_order_or_inserted_rows():
    rows = [("2019-05-06", "2019-05-09"), ("2019-05-13", "2019-05-14")]
    first, _ = run(PUBLICITY, {"appointments": appointments(*rows)}, {"publicity_min_working_days": 5})
    moved = make_table(
        "appointments",
        [{"name": "新增", "start": "2019-05-13", "end": "2019-05-17"}]
        + [{"name": f"干部{i}", "post": "副科长", "start": s, "end": e} for i, (s, e) in reversed(list(enumerate(rows)))],
    )
    second, _ = run(PUBLICITY, {"appointments": moved}, {"publicity_min_working_days": 5})
    assert sorted(f.id for f in first) == sorted(f.id for f in second)
    assert len(first) == 2


@pytest.mark.parametrize(
    "change, words",
    [
        ({"later": "name"}, "不是日期"),
        ({"later": "finish"}, "没有字段"),
        ({"mode": "min_span", "offset": None}, "min_span"),
        ({"offset_unit": "hours"}, "offset_unit"),
    ],
)
def test_invalid_rule_fields_are_refused_in_chinese(change, words):
    rule = {**PUBLICITY, **change}
    if rule.get("offset") is None:
        rule.pop("offset")
    with pytest.raises(RulesetError) as err:
        run(rule, {}, {"publicity_min_working_days": 5})
    assert words in str(err.value)


def test_after_mode_in_working_days_skips_weekends_and_holidays():
    rule = {
        "type": "date_order",
        "message": "{later}晚于{earlier}后{limit}个工作日（{days}个）",
        "table": "contracts",
        "later": "sign_date",
        "earlier": "start_date",
        "offset": 2,
        "offset_unit": "working_days",
    }
    table = contracts(
        {"sign_date": "2019-05-13", "start_date": "2019-05-09"},  # Thu → Mon: Fri, Mon = 2 working days
        {"sign_date": "2019-05-14", "start_date": "2019-05-09"},  # 3 working days
        {"sign_date": "2019-10-09", "start_date": "2019-09-30"},  # over 国庆: 8, 9 Oct = 2
    )
    findings, _ = run(rule, {"contracts": table})
    assert rows_of(findings) == [4]
    assert findings[0].message == "2019-05-14晚于2019-05-09后2个工作日（3个）"


def test_offset_parameter_of_the_wrong_type_is_refused():
    with pytest.raises(RulesetError, match="asset_booking_days"):
        run(BOOKED_LATE, {}, {"asset_booking_days": ["30"]})

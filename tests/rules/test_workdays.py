"""Chinese working days: the state calendar, the Monday–Friday fallback with its warning, user
holidays, and the SQL form rules use agreeing with the Python form."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.rules import workdays


def _days(frame) -> dict[date, bool]:
    return {d.date(): bool(w) for d, w in zip(frame["date"], frame["is_workday"])}


def test_known_years_cover_2004_to_2026():
    first, last = workdays.known_years()
    assert first == 2004 and last >= 2026


def test_ordinary_week_is_monday_to_friday():
    cal = workdays.calendar_table(date(2019, 5, 13), date(2019, 5, 19))
    days = _days(cal.table)
    assert [days[date(2019, 5, d)] for d in range(13, 20)] == [True] * 5 + [False, False]
    assert cal.warnings == []
    assert str(cal.table["date"].dtype) == "datetime64[ns]"


def test_national_day_holidays_and_make_up_days():
    days = _days(workdays.calendar_table(date(2019, 9, 28), date(2019, 10, 13)).table)
    assert not any(days[date(2019, 10, d)] for d in range(1, 8))  # 国庆 1–7 Oct
    assert days[date(2019, 9, 29)] is True  # Sunday, make-up working day
    assert days[date(2019, 10, 12)] is True  # Saturday, make-up working day
    assert days[date(2019, 9, 28)] is False and days[date(2019, 10, 13)] is False


def test_outside_known_years_falls_back_to_weekdays_with_warning():
    cal = workdays.calendar_table(date(2027, 1, 1), date(2027, 1, 10))
    days = _days(cal.table)
    # 2027-01-01 is a Friday: counted as a working day, since the holidays are unknown.
    assert days[date(2027, 1, 1)] is True
    assert days[date(2027, 1, 2)] is False and days[date(2027, 1, 4)] is True
    assert cal.warnings == ["2027年节假日安排未知，按周一至周五计算工作日"]


def test_warning_names_every_unknown_year_and_only_those():
    assert workdays.unknown_years_warning([2003, 2019, 2027, 2028]) == (
        "2003年、2027年、2028年节假日安排未知，按周一至周五计算工作日"
    )
    assert workdays.unknown_years_warning([2019, 2026]) is None
    cal = workdays.calendar_table(date(2026, 12, 30), date(2027, 1, 2))
    assert cal.warnings == ["2027年节假日安排未知，按周一至周五计算工作日"]


def test_extra_holidays_are_days_off_in_any_year():
    cal = workdays.calendar_table(date(2027, 2, 8), date(2027, 2, 12), extra_holidays=["2027-02-10", "2027年2月11日"])
    days = _days(cal.table)
    assert days[date(2027, 2, 10)] is False and days[date(2027, 2, 11)] is False
    assert days[date(2027, 2, 9)] is True and days[date(2027, 2, 12)] is True
    # a user holiday also overrides a make-up working day of the state calendar
    assert workdays.is_workday(date(2019, 9, 29), [date(2019, 9, 29)]) is False


@pytest.mark.parametrize("text", ["2027-01-01", "2027/1/1", "2027.1.1", "2027年1月1日", "20270101", date(2027, 1, 1)])
def test_parse_holidays_accepts_common_forms(text):
    assert workdays.parse_holidays([text]) == [date(2027, 1, 1)]


@pytest.mark.parametrize("text", ["明年元旦", "2027-13-01", "2027-02-30", ""])
def test_parse_holidays_rejects_unreadable_dates_in_chinese(text):
    with pytest.raises(ValueError, match="无法识别的节假日日期"):
        workdays.parse_holidays([text])


def _sql_days(lo: date, hi: date, extra=()) -> dict[date, tuple[bool, int]]:
    bounds = f"SELECT DATE '{lo}' AS lo, DATE '{hi}' AS hi"
    con = duckdb.connect(config={"enable_external_access": False})
    rows = con.sql(f"SELECT * FROM ({workdays.calendar_cte_sql(bounds, extra)})").fetchall()
    return {d: (w, before) for d, w, before in rows}


def test_sql_calendar_agrees_with_state_calendar_over_every_known_year():
    first, last = workdays.known_years()
    lo, hi = date(first - 1, 12, 1), date(last + 1, 1, 31)
    expected = _days(workdays.calendar_table(lo, hi).table)
    got = _sql_days(lo, hi)
    assert {d: w for d, (w, _) in got.items()} == expected


def test_sql_calendar_counts_working_days_before_each_day():
    got = _sql_days(date(2019, 9, 27), date(2019, 10, 14))
    # 27 Sep (Fri) is the first working day; 29 Sep (Sun, make-up) the second; then 30 Sep.
    assert got[date(2019, 9, 27)] == (True, 0)
    assert got[date(2019, 9, 30)] == (True, 2)
    assert got[date(2019, 10, 8)] == (True, 3)  # nothing counted during the holiday
    assert got[date(2019, 10, 14)][1] == 3 + 5  # 8, 9, 10, 11, 12 (Sat, make-up)


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(2001, 1, 1), max_value=date(2029, 12, 1)),
    length=st.integers(min_value=0, max_value=60),
    extra=st.lists(st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 1, 31)), max_size=4),
)
def test_sql_and_python_calendars_agree_on_any_span(start, length, extra):
    end = start + timedelta(days=length)
    python = _days(workdays.calendar_table(start, end, extra).table)
    sql = _sql_days(start, end, extra)
    assert {d: w for d, (w, _) in sql.items()} == python
    assert all(python[d] == workdays.is_workday(d, extra) for d in python)
    # workdays_before is the running count of earlier working days in the span
    ordered = sorted(python)
    running = 0
    for d in ordered:
        assert sql[d][1] == running
        running += python[d]

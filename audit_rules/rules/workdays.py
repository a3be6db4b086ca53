"""Chinese working days (法定节假日与调休), for rules that count working days.

The state calendar comes from the `chinesecalendar` package, which knows mainland public holidays
and make-up working days (调休上班) for a fixed range of years (2004–2026 in 1.11) and raises
NotImplementedError outside it. Outside the known years we fall back to Monday–Friday and say so
in a Chinese warning, because silently counting a holiday week as five working days would make a
rule look more certain than it is. Users may add their own holiday dates (`extra_holidays`).

Two views of the same calendar:
  - `calendar_table()` — a pandas table (date, is_workday) for a date span, ready to register in
    DuckDB, plus its warnings;
  - `is_workday_sql()` / `calendar_cte_sql()` — the same rule as a DuckDB expression, so a compiled
    rule query is self-contained (the engine registers only canonical tables). It encodes the
    state calendar as two short lists of exceptions to Monday–Friday.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import chinese_calendar
import pandas as pd
from chinese_calendar import constants as _calendar_data

from audit_rules.rules.types.base import sql_literal


@lru_cache(maxsize=1)
def known_years() -> tuple[int, int]:
    """First and last year whose holidays the installed chinesecalendar knows."""
    years = [d.year for d in _calendar_data.holidays]
    return min(years), max(years)


def is_known_year(year: int) -> bool:
    first, last = known_years()
    return first <= year <= last


def unknown_years_warning(years: Iterable[int]) -> str | None:
    """The Chinese warning for years the state calendar does not cover (None when all known)."""
    unknown = sorted({int(y) for y in years if not is_known_year(int(y))})
    if not unknown:
        return None
    named = "、".join(f"{y}年" for y in unknown)
    return f"{named}节假日安排未知，按周一至周五计算工作日"


def parse_holidays(values: Iterable[object] | None) -> list[date]:
    """User-given extra holidays (dates, datetimes, or text like 2027-01-01 / 2027年1月1日 /
    2027.1.1 / 20270101) as sorted unique dates. Raises ValueError with a Chinese message."""
    out: set[date] = set()
    for value in values or ():
        out.add(_to_date(value))
    return sorted(out)


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _to_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    match = _DATE_TEXT.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(f"无法识别的节假日日期：{value!r}（请写成 2027-01-01 或 2027年1月1日）")


def is_workday(day: date, extra_holidays: Iterable[date] = ()) -> bool:
    """Whether `day` is a working day: the state calendar in known years, Mon–Fri outside,
    and never on a user-given extra holiday."""
    if day in set(extra_holidays):
        return False
    if is_known_year(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


@dataclass
class WorkdayCalendar:
    """A calendar span: `table` has columns date (datetime64[ns]) and is_workday (bool)."""

    table: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def calendar_table(start: date, end: date, extra_holidays: Iterable[object] | None = None) -> WorkdayCalendar:
    """Every day from `start` to `end` (both included) with whether it is a working day.

    Outside the years chinesecalendar knows, Monday–Friday are working days and `warnings`
    names those years in Chinese.
    """
    start, end = _to_date(start), _to_date(end)
    if end < start:
        start, end = end, start
    extras = set(parse_holidays(extra_holidays))
    days = pd.date_range(start, end, freq="D")
    weekday = days.day_of_week < 5
    off_weekdays, weekend_workdays = calendar_exceptions()
    as_dates = days.date
    workday = pd.Series(weekday, index=days)
    workday[pd.Index(as_dates).isin(off_weekdays)] = False
    workday[pd.Index(as_dates).isin(weekend_workdays)] = True
    workday[pd.Index(as_dates).isin(list(extras))] = False
    table = pd.DataFrame({"date": days.astype("datetime64[ns]"), "is_workday": workday.to_numpy(bool)})
    warning = unknown_years_warning(range(start.year, end.year + 1))
    return WorkdayCalendar(table=table, warnings=[warning] if warning else [])


@lru_cache(maxsize=1)
def calendar_exceptions() -> tuple[tuple[date, ...], tuple[date, ...]]:
    """The state calendar as exceptions to Monday–Friday within the known years:
    (weekdays that are days off, weekend days that are working days)."""
    first, last = known_years()
    off = sorted(d for d in _calendar_data.holidays if d.weekday() < 5 and first <= d.year <= last)
    on = sorted(d for d in _calendar_data.workdays if d.weekday() >= 5 and first <= d.year <= last)
    return tuple(off), tuple(on)


def is_workday_sql(day_expr: str, extra_holidays: Iterable[object] | None = None) -> str:
    """A DuckDB boolean expression: is the DATE `day_expr` a working day (same rule as
    `is_workday`)."""
    off, on = calendar_exceptions()
    extras = parse_holidays(extra_holidays)
    off_list = _date_list_sql(sorted(set(off) | set(extras)))
    on_list = _date_list_sql([d for d in on if d not in set(extras)])
    return (
        f"(CASE WHEN list_contains({on_list}, ({day_expr})::DATE) THEN TRUE "
        f"WHEN list_contains({off_list}, ({day_expr})::DATE) THEN FALSE "
        f"ELSE isodow(({day_expr})::DATE) <= 5 END)"
    )


def _date_list_sql(days: list[date]) -> str:
    if not days:
        return "[]::DATE[]"
    return "[" + ", ".join(sql_literal(d) for d in days) + "]::DATE[]"


def calendar_cte_sql(bounds_sql: str, extra_holidays: Iterable[object] | None = None) -> str:
    """The body of a CTE giving (date, is_workday, workdays_before) for every day between the
    bounds; `bounds_sql` is a SELECT returning one row (lo DATE, hi DATE).

    `workdays_before` counts the working days strictly before `date` within the span, so the
    working days from a to b (both included) are wb(b) - wb(a) + is_workday(b)."""
    workday = is_workday_sql("d", extra_holidays)
    return f"""
        SELECT d::DATE AS date, is_workday,
               (SUM(is_workday::INTEGER) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                - is_workday::INTEGER) AS workdays_before
        FROM (
            SELECT d, {workday} AS is_workday
            FROM (SELECT lo, hi FROM ({bounds_sql}) WHERE lo IS NOT NULL AND hi IS NOT NULL) AS b,
                 generate_series(b.lo::TIMESTAMP, b.hi::TIMESTAMP, INTERVAL 1 DAY) AS g(d)
        )
    """

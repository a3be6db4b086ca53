"""The periodic rule type (see the Periodic class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import check_fields, location_sql
from audit_rules.rules.types.base import RuleType, SqlContext
from audit_rules.rules.types.match import (
    Condition,
    condition_parameter_types,
    condition_parameters,
    where_sql,
)


class Periodic(RuleType):
    """Months without a record that must recur every month.

    **Flags** (anti-pattern): a party committee's theory study group (党委理论学习中心组) that met in
    January and March but not in February: the minutes show a month with no 中心组学习.

    **Must not flag**: a month with at least one row satisfying `where`; months before the unit's
    first row or after its last row of the table; rows without a date.

    **Example**::

        - id: study-session-gap
          title: 理论学习中心组学习缺月
          category: study_session_gap
          severity: low
          basis: 巡察通报第1项（中心组学习应按月开展）；中国共产党党委（党组）理论学习中心组学习规则（2017），频次以本单位学习计划为准
          type: periodic
          table: meetings
          date: date
          where:
            - {field: kind, op: contains_any, value: 中心组}
          message: "{unit}{month}没有理论学习中心组学习记录"

    **Variables**: month ('2019年3月'), unit, month_start (the month's first day); no amount.

    Best practice: hold (and minute) the session every month; explain the gap in the rectification
    ledger.

    Per unit, the months considered run from the month of the unit's first row of the table (of any
    kind) to the month of its last row; a month with no row satisfying `where` is a finding. The
    primary location is the unit's last row of the table dated before that month (for the very
    first month, which has none, the unit's first row in that month); the next row after the month,
    when there is one, is the second location.

    Fields::

        table: meetings
        date: date                                            # a date field (default: date)
        where: [{field: kind, op: contains_any, value: 中心组学习}]   # the match type's conditions
    """

    type_name: ClassVar[str] = "periodic"
    title: ClassVar[str] = "按月缺失"

    table: str
    date: str = "date"
    where: list[Condition] = []

    @model_validator(mode="after")
    def _known_fields(self) -> "Periodic":
        check_fields(self.table, [self.date, *(c.field for c in self.where)])
        if table_kinds()[self.table].fields[self.date].type != "date":
            raise ValueError(f"periodic 的 date 须为日期字段：{self.date}")
        return self

    def needs(self) -> dict[str, list[str]]:
        return {self.table: list(dict.fromkeys([self.date, *(c.field for c in self.where)]))}

    def parameters_used(self) -> list[str]:
        return list(dict.fromkeys(condition_parameters(self.where)))

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return condition_parameter_types(self.where)

    def output_variables(self) -> set[str]:
        return {"month", "month_start"}

    def compile(self, ctx: SqlContext) -> str:
        day = f't."{self.date}"'
        required = where_sql(self.table, self.where, "t", ctx)
        return f"""
            WITH dated AS (
                SELECT t._unit, {day} AS _day, date_trunc('month', {day})::DATE AS _month,
                       {required} AS _required, t._file, t._sheet, t._row
                FROM {self.table} AS t
                WHERE {day} IS NOT NULL
            ),
            span AS (
                SELECT _unit, min(_month) AS first_month, max(_month) AS last_month
                FROM dated GROUP BY _unit
            ),
            months AS (
                SELECT s._unit, m::DATE AS _month
                FROM span AS s,
                     generate_series(s.first_month::TIMESTAMP, s.last_month::TIMESTAMP, INTERVAL 1 MONTH) AS g(m)
            ),
            missing AS (
                SELECT m._unit, m._month FROM months AS m
                WHERE NOT EXISTS (
                    SELECT 1 FROM dated AS d
                    WHERE d._unit IS NOT DISTINCT FROM m._unit AND d._month = m._month AND d._required)
            ),
            per_day AS (
                -- one row per unit and day with its first and last source row, so locating a
                -- gap is an ASOF join (linear) rather than a correlated sort per missing month
                SELECT coalesce(_unit, '') AS _u, _day,
                       min_by({location_sql("d")}, d._file || chr(1) || d._sheet || chr(1) || lpad(d._row::VARCHAR, 12, '0')) AS first_loc,
                       max_by({location_sql("d")}, d._file || chr(1) || d._sheet || chr(1) || lpad(d._row::VARCHAR, 12, '0')) AS last_loc
                FROM dated AS d GROUP BY ALL
            ),
            gaps AS (
                SELECT g._unit, g._month, coalesce(g._unit, '') AS _u,
                       (g._month + INTERVAL 1 MONTH)::DATE AS _next_month
                FROM missing AS g
            ),
            located AS (
                -- primary: the last meeting before the month (else, for a first month without
                -- the required kind, its first meeting); then the first meeting after it
                SELECT g._unit, g._month,
                       coalesce(before.last_loc, within.first_loc) AS primary_location,
                       after.first_loc AS next_location
                FROM gaps AS g
                ASOF LEFT JOIN per_day AS before ON before._u = g._u AND before._day < g._month
                ASOF LEFT JOIN per_day AS within ON within._u = g._u AND within._day >= g._month
                ASOF LEFT JOIN per_day AS after ON after._u = g._u AND after._day >= g._next_month
            )
            SELECT l._unit AS unit, NULL::DOUBLE AS amount,
                   list_filter([l.primary_location, l.next_location], lambda x: x IS NOT NULL) AS locations,
                   concat_ws('|', coalesce(l._unit, ''), strftime(l._month, '%Y-%m')) AS content,
                   year(l._month)::VARCHAR || '年' || month(l._month)::VARCHAR || '月' AS month,
                   l._month AS month_start
            FROM located AS l
        """

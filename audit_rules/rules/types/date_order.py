"""The date_order rule type (see the DateOrder class)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules import workdays
from audit_rules.rules.sql import (
    check_fields,
    content_sql,
    location_sql,
    param_or_value,
    row_variable_names,
    row_variables,
    sql_literal,
)
from audit_rules.rules.types.base import NUMBER_PARAMETER, RuleType, SqlContext
from audit_rules.rules.types.match import (
    Condition,
    condition_parameter_types,
    condition_parameters,
    where_sql,
)


class DateOrder(RuleType):
    """One date of a row must not come too late after (or too soon after) another.

    **Flags** (anti-pattern): mode `after`: a contract signed after the work started or was
    accepted (补签合同), e.g. 2019-05-06 开工、2019-05-20 才签订; an asset booked months after it was
    bought (入账不及时). Mode `min_span`: a pre-appointment notice whose period, start to end both
    included, has fewer than 5 working days (公示期不足).

    **Must not flag**: a row where either date is blank; mode `after`: a date exactly at the offset
    (later = earlier + offset, e.g. 签订当天开始履行, 取得后正好第30天入账); mode `min_span`: a
    period ending before it starts, which is a typing error left to the quality gate, not a short
    period.

    **Example**::

        - id: contract-signed-late
          title: 合同签订滞后（先履行后签合同）
          category: contract_signed_late
          severity: medium
          basis: 民法典合同编；单位合同管理制度（先签订后履行）；巡察通报第23项
          type: date_order
          table: contracts
          later: sign_date
          earlier: [start_date, acceptance_date]
          offset: 0
          offset_unit: calendar_days
          mode: after
          message: "合同{contract_no}（{name}）{later}签订，晚于{earlier_name}{earlier}（{days}天）"

    **Variables**: later, earlier (the date it is compared with), earlier_name (its Chinese
    header), days (after: days from earlier to later; working days counted after `earlier` up to
    and including `later`), span (min_span: days counted, both ends included), limit (the offset),
    calendar_note (the Chinese warning in brackets, e.g. '（2027年节假日安排未知，按周一至周五计算
    工作日）', when a year outside the state calendar was counted Monday–Friday, else ''), and
    every field of the row; amount = the `amount` field (default: the table's amount field, if
    any).

    Best practice: sign before performance starts; book assets when acquired; publicise for the
    full period.

    Fields::

        table: contracts
        later: sign_date
        earlier: [start_date, acceptance_date]   # a field or a list: flag when later is after ANY
        offset: 0                                # a number or a parameter name (asset_booking_days)
        offset_unit: calendar_days               # or working_days (Chinese state calendar)
        mode: after                              # after: later > earlier + offset
                                                 # min_span: days from earlier to later, both
                                                 #           included, < offset
        where: []                                # optional conditions on the rows
        holidays: null                           # optional parameter name: extra holiday dates
        amount: null                             # optional money field (default: amount)

    `later` and the `earlier` fields must be date fields; `offset` defaults to 0 but is required in
    mode `min_span`. `holidays` is read only with working_days; its dates are checked when the
    ruleset loads. With several `earlier` fields a register keeping only one of them is enough
    (each earlier date is a check of its own; the 规则清单 names the ones left out);
    the finding names the earliest one (the largest gap), and every row gives at most one finding.
    When a counted span touches a year the state calendar does not know, the rule's line in the
    规则清单 says so as well.
    """

    type_name: ClassVar[str] = "date_order"
    title: ClassVar[str] = "日期先后"

    table: str
    later: str
    earlier: str | list[str]
    offset: float | int | str | None = None
    offset_unit: Literal["calendar_days", "working_days"] = "calendar_days"
    mode: Literal["after", "min_span"] = "after"
    where: list[Condition] = []
    holidays: str | None = None
    amount: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> "DateOrder":
        check_fields(self.table, [self.later, *self.earlier_fields(), *(c.field for c in self.where)])
        kind = table_kinds()[self.table]
        not_dates = [f for f in [self.later, *self.earlier_fields()] if kind.fields[f].type != "date"]
        if not_dates:
            raise ValueError(f"date_order 只能比较日期字段，{'、'.join(not_dates)} 不是日期")
        if self.mode == "min_span" and self.offset is None:
            raise ValueError("date_order 的 min_span 模式须给出 offset（最少天数）")
        if self.amount:
            check_fields(self.table, [self.amount])
        return self

    def earlier_fields(self) -> list[str]:
        return [self.earlier] if isinstance(self.earlier, str) else list(self.earlier)

    def _check_title(self, earlier: str) -> str:
        fields = table_kinds()[self.table].fields
        later, first = fields[self.later].header, fields[earlier].header
        return f"{later}晚于{first}" if self.mode == "after" else f"{first}至{later}"

    def _fields_with(self, earlier: list[str]) -> list[str]:
        return list(dict.fromkeys([self.later, *earlier, *(c.field for c in self.where)]))

    def checks(self) -> dict[str, dict[str, list[str]]]:
        # Signed after the start OR after the acceptance: each earlier date is its own check, so a
        # register keeping one of them is still checked against it.
        earlier = self.earlier_fields()
        if len(earlier) < 2:
            return {}
        return {self._check_title(name): {self.table: self._fields_with([name])} for name in earlier}

    def _checked_earlier(self) -> list[str]:
        return [name for name in self.earlier_fields() if self.runs_check(self._check_title(name))]

    def needs(self) -> dict[str, list[str]]:
        return {self.table: self._fields_with(self._checked_earlier())}

    def parameters_used(self) -> list[str]:
        used = condition_parameters(self.where)
        if isinstance(self.offset, str):
            used.append(self.offset)
        if self.holidays and self.offset_unit == "working_days":
            used.append(self.holidays)
        return list(dict.fromkeys(used))

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        types = condition_parameter_types(self.where)
        if isinstance(self.offset, str):
            types[self.offset] = NUMBER_PARAMETER
        if self.holidays and self.offset_unit == "working_days":
            types[self.holidays] = ("list",)
        return types

    def check_parameter_values(self, values: dict) -> list[str]:
        if not self.holidays or self.offset_unit != "working_days" or self.holidays not in values:
            return []
        try:
            workdays.parse_holidays(values[self.holidays] or [])
        except ValueError as exc:
            return [f"参数 {self.holidays}：{exc}"]
        return []

    def output_variables(self) -> set[str]:
        measured = "days" if self.mode == "after" else "span"
        return {"later", "earlier", "earlier_name", measured, "limit", "calendar_note"} | row_variable_names(self.table)

    # -- compilation -------------------------------------------------------------------

    def _limit(self, ctx: SqlContext) -> float | int:
        value = param_or_value(self.offset, ctx.params) if self.offset is not None else 0
        return value

    def _extra_holidays(self, ctx: SqlContext) -> list:
        if not self.holidays or self.offset_unit != "working_days":
            return []
        return list(ctx.params.get(self.holidays) or [])

    def _pairs_sql(self, ctx: SqlContext) -> str:
        """One row per (source row, earlier field) with both dates present."""
        kind = table_kinds()[self.table]
        where = where_sql(self.table, self.where, "t", ctx)
        if self.mode == "min_span":
            # A period that ends before it starts is a typing error (the quality gate's business),
            # not a short period.
            where += " AND " + " AND ".join(f't."{self.later}" >= t."{name}"' for name in self._checked_earlier())
        return " UNION ALL ".join(
            f"""SELECT t.*, t."{self.later}" AS _later, t."{name}" AS _earlier,
                       {sql_literal(kind.fields[name].header)} AS _earlier_name
                FROM {self.table} AS t
                WHERE t."{self.later}" IS NOT NULL AND t."{name}" IS NOT NULL AND {where}"""
            for name in self._checked_earlier()
        )

    def _measure_sql(self) -> tuple[str, str]:
        """(FROM-clause joins, expression of the counted days) for the chosen unit and mode."""
        if self.offset_unit == "calendar_days":
            if self.mode == "after":
                return "", "date_diff('day', p._earlier, p._later)"
            return "", "(date_diff('day', p._earlier, p._later) + 1)"
        joins = (
            "LEFT JOIN cal AS ce ON ce.date = p._earlier LEFT JOIN cal AS cl ON cl.date = p._later"
        )
        # workdays_before(x) counts working days strictly before x in the span.
        through_later = "(cl.workdays_before + cl.is_workday::INTEGER)"
        through_earlier = "(ce.workdays_before + ce.is_workday::INTEGER)"
        if self.mode == "after":
            return joins, f"({through_later} - {through_earlier})"
        return joins, f"({through_later} - ce.workdays_before)"

    def _calendar_note_sql(self) -> str:
        """Per row: the Chinese warning when a counted year is outside the state calendar."""
        if self.offset_unit != "working_days":
            return "''"
        first, last = workdays.known_years()
        years = "range(year(least(p._earlier, p._later)), year(greatest(p._earlier, p._later)) + 1)"
        unknown = f"list_filter({years}, lambda y: y < {first} OR y > {last})"
        named = f"array_to_string(list_transform({unknown}, lambda y: y::VARCHAR || '年'), '、')"
        return (
            f"CASE WHEN len({unknown}) = 0 THEN '' "
            f"ELSE '（' || {named} || '节假日安排未知，按周一至周五计算工作日）' END"
        )

    def compile(self, ctx: SqlContext) -> str:
        limit = self._limit(ctx)
        joins, measure = self._measure_sql()
        comparison = ">" if self.mode == "after" else "<"
        calendar_cte = ""
        if self.offset_unit == "working_days":
            bounds = "SELECT least(min(_earlier), min(_later)) AS lo, greatest(max(_earlier), max(_later)) AS hi FROM pairs"
            calendar_cte = f", cal AS ({workdays.calendar_cte_sql(bounds, self._extra_holidays(ctx))})"
        money = self.amount or ("amount" if "amount" in table_kinds()[self.table].fields else None)
        amount = f'p."{money}"::DOUBLE' if money else "NULL::DOUBLE"
        measured_name = "days" if self.mode == "after" else "span"
        # When several earlier fields are passed, the finding names the earliest one (the
        # largest gap); every row gives at most one finding.
        return f"""
            WITH pairs AS ({self._pairs_sql(ctx)}){calendar_cte},
            measured AS (
                SELECT p.*, {measure} AS _measure, {self._calendar_note_sql()} AS _note
                FROM pairs AS p {joins}
            ),
            flagged AS (
                SELECT p.*, row_number() OVER (
                    PARTITION BY p._file, p._sheet, p._row ORDER BY p._earlier, p._earlier_name) AS _rank
                FROM measured AS p
                WHERE p._measure {comparison} {sql_literal(limit)}
            )
            SELECT p._unit AS unit, {amount} AS amount,
                   [{location_sql("p")}] AS locations,
                   {content_sql(self.table, "p", self._fields_with(self.earlier_fields()))} AS content,
                   p._later AS later, p._earlier AS earlier, p._earlier_name AS earlier_name,
                   p._measure AS {measured_name}, {sql_literal(limit)} AS "limit",
                   p._note AS calendar_note,
                   {", ".join(row_variables(self.table, "p"))}
            FROM flagged AS p
            WHERE p._rank = 1
        """

    # -- notes for the rule outcome (engine hook) ----------------------------------------

    def outcome_notes(self, con, ctx: SqlContext) -> list[str]:
        """The Chinese warning for the 规则清单 when some counted span touches a year the state
        calendar does not know (counted Monday–Friday), e.g. '2027年节假日安排未知，按周一至周五
        计算工作日'. Only the rows the rule compared count (both dates present, conditions met,
        readable). Nothing for calendar days."""
        return self.notes_from_facts([self.outcome_facts(con, ctx)])

    def outcome_facts(self, con, ctx: SqlContext) -> list:
        """The calendar years the compared spans touch (working days only)."""
        if self.offset_unit != "working_days":
            return []
        spans = f"SELECT DISTINCT unnest(range(year(least(_earlier, _later)), year(greatest(_earlier, _later)) + 1)) AS y FROM ({self._pairs_sql(ctx)})"
        return [int(row[0]) for row in con.execute(spans).fetchall()]

    def notes_from_facts(self, facts: list[list]) -> list[str]:
        warning = workdays.unknown_years_warning(year for part in facts for year in part)
        return [warning] if warning else []

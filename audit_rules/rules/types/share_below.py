"""The share_below rule type (see the ShareBelow class)."""

from __future__ import annotations

from typing import ClassVar

from audit_rules.rules.sql import account_digits_sql, sql_literal
from audit_rules.rules.types.base import NUMBER_PARAMETER, RuleType, SqlContext, TableKind


class ShareBelow(RuleType):
    """One class of spending below a share of another, per unit and year (工会经费 below 2% of payroll).

    **Flags** (anti-pattern): a unit whose 2019 journal books 基本工资, 津贴补贴, 奖金 and 绩效工资 of
    1,000,000.00 but 工会经费 (30228) of only 12,000.00: 2% is 20,000.00, the shortfall 8,000.00.

    **Must not flag**: an allocation of exactly 2% (to the cent); a year with no payroll lines; a
    unit that books its payroll but whose classes cannot be told (no 经济分类 and account names
    naming none of the classes) — nothing is known, nothing is flagged.

    **Example**::

        - id: union-dues-unpaid
          title: 工会经费未按职工工资总额2%拨缴
          category: union_dues_unpaid
          severity: medium
          basis: 中华人民共和国工会法（2021年修正）第四十三条（按每月全部职工工资总额的百分之二向工会拨缴经费）；巡察通报第20项
          type: share_below
          table: journal
          part: union_dues_classes
          whole: payroll_classes
          rate: union_dues_rate
          message: "{unit}{year}年职工工资总额{whole_total:.2f}元，计提拨缴工会经费{part_total:.2f}元，低于{rate:.0%}（应为{expected:.2f}元），少{amount:.2f}元"

    **Variables**: year, part_total, whole_total, expected (rate × whole_total), rate; amount = the
    shortfall.

    A line's class is its 经济分类 (else its account name), compared with the listed classes by code
    when both carry one (30228), else by name once codes and parent classes are dropped (norm_class);
    only debit-side expense lines (financial accounting, account codes beginning with 5) count, net
    of red-ink reversals. The location is the unit's last line of `part` that year, else its last
    line of `whole`.
    """

    type_name: ClassVar[str] = "share_below"
    title: ClassVar[str] = "占比不足"

    table: TableKind = "journal"
    part: str  # parameter: the classes whose total must reach the share
    whole: str  # parameter: the classes it is a share of
    rate: str  # parameter: the share (0.02)

    def needs(self) -> dict[str, list[str]]:
        return {self.table: ["account_code", "debit", "date"]}

    def parameters_used(self) -> list[str]:
        return [self.part, self.whole, self.rate]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return {self.part: ("list",), self.whole: ("list",), self.rate: NUMBER_PARAMETER}

    def output_variables(self) -> set[str]:
        return {"year", "part_total", "whole_total", "expected", "rate"}

    def compile(self, ctx: SqlContext) -> str:
        def matches(classes: str) -> str:
            return f"""list_bool_or(list_transform({sql_literal(ctx.params[classes])}, lambda c:
                CASE WHEN regexp_extract(c, '^\\s*(\\d{{3,}})', 1) <> '' AND _class_code <> ''
                     THEN _class_code = regexp_extract(c, '^\\s*(\\d{{3,}})', 1)
                     ELSE contains(_class_name, norm_class(c)) OR contains(norm_class(c), _class_name) END))"""

        return f"""
            WITH lines AS (
                SELECT *, coalesce(regexp_extract(coalesce(econ_class, account_name), '^\\s*(\\d{{3,}})', 1), '') AS _class_code,
                       coalesce(norm_class(coalesce(econ_class, account_name)), '') AS _class_name,
                       coalesce(debit, 0) - coalesce(credit, 0) AS _net, year(date) AS _year
                FROM {self.table}
                WHERE date IS NOT NULL AND {account_digits_sql()} LIKE '5%'
            ),
            classed AS (
                SELECT *, {matches(self.part)} AS _in_part, {matches(self.whole)} AS _in_whole FROM lines
                WHERE _class_name <> '' OR _class_code <> ''
            ),
            totals AS (
                SELECT _unit, _year,
                       coalesce(sum(_net) FILTER (WHERE _in_part), 0) AS part_total,
                       coalesce(sum(_net) FILTER (WHERE _in_whole), 0) AS whole_total,
                       arg_max({{'file': _file, 'sheet': _sheet, 'row': _row}}, CASE WHEN _in_part THEN 2 ELSE 1 END * 100000000 + _row)
                           FILTER (WHERE _in_part OR _in_whole) AS _location
                FROM classed GROUP BY _unit, _year
            )
            SELECT _unit AS unit, (round(whole_total * {ctx.param(self.rate)}, 2) - part_total)::DOUBLE AS amount,
                   [_location] AS locations,
                   concat_ws('|', coalesce(_unit, ''), _year::VARCHAR) AS content,
                   _year AS year, part_total::DOUBLE AS part_total, whole_total::DOUBLE AS whole_total,
                   round(whole_total * {ctx.param(self.rate)}, 2)::DOUBLE AS expected, {ctx.param(self.rate)}::DOUBLE AS rate
            FROM totals
            WHERE whole_total > 0 AND part_total < round(whole_total * {ctx.param(self.rate)}, 2)
        """

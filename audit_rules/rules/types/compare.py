"""The compare rule type (see the CompareRule class)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from audit_rules.rules.sql import (
    SQL_TYPES,
    as_text,
    check_field,
    column,
    content_sql,
    field_header,
    field_type,
    location_sql,
    row_variable_names,
    row_variables,
    sql_literal,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind

OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "=", "ne": "<>"}
OP_WORDS = {"gt": "大于", "ge": "不小于", "lt": "小于", "le": "不大于", "eq": "等于", "ne": "不等于"}


class Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left: str
    op: Literal["gt", "ge", "lt", "le", "eq", "ne"]
    right: str | int | float | None = None
    param: str | None = None

    @model_validator(mode="after")
    def _one_operand(self) -> "Comparison":
        if (self.right is None) == (self.param is None):
            raise ValueError(f"条件 {self.left} {self.op} 必须给出 right 或 param 二者之一")
        return self


class CompareRule(RuleType):
    """Rows where a field stands in a forbidden relation to another field or a limit.

    **Flags** (anti-pattern): minutes whose head counts do not add up: 应到10人、实到12人
    (violated = "实到人数(12)大于应到人数(10)"), and 实到10人、签到8人.

    **Must not flag**: 应到10人、实到9人、签到9人; a condition whose either side is blank is not
    checked (a blank 签到人数 is not "not equal").

    **Example**::

        - id: meeting-attendance-mismatch
          title: 会议人数不符
          category: meeting_attendance_mismatch
          severity: low
          basis: 单位会议管理制度（签到与实到人数应一致）；巡察通报第35项
          type: compare
          table: meetings
          conditions:
            - {left: present, op: gt, right: expected}
            - {left: signed_in, op: ne, right: present}
          message: "会议“{name}”人数不符：{violated}"

    **Variables**: `violated` (every condition that holds, in Chinese with the figures, joined by
    ；) and every field of the row.

    A row is flagged when ANY condition holds. Each condition is {left, op, right | param} with op
    one of gt, ge, lt, le, eq, ne. `right` is another field of the table or a number; `param` names
    a (number or integer) parameter instead; exactly one of the two is given.
    """

    type_name: ClassVar[str] = "compare"
    title: ClassVar[str] = "比较"

    table: TableKind
    conditions: list[Comparison]

    @field_validator("conditions")
    @classmethod
    def _check_conditions(cls, value: list[Comparison], info) -> list[Comparison]:
        if not value:
            raise ValueError("至少需要一个条件")
        table = info.data.get("table")
        for cond in value:
            check_field(table, cond.left)
            if isinstance(cond.right, str):
                check_field(table, cond.right)
        return value

    def needs(self) -> dict[str, list[str]]:
        fields = []
        for cond in self.conditions:
            fields.append(cond.left)
            if isinstance(cond.right, str):
                fields.append(cond.right)
        return {self.table: list(dict.fromkeys(fields))}

    def parameters_used(self) -> list[str]:
        return [c.param for c in self.conditions if c.param]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return {c.param: ("number", "integer") for c in self.conditions if c.param}

    def output_variables(self) -> set[str]:
        return row_variable_names(self.table, {"violated"}) | {"violated"}

    def _operand(self, cond: Comparison, ctx: SqlContext) -> tuple[str, str]:
        """(SQL value, SQL Chinese text) of the right-hand side."""
        if isinstance(cond.right, str):
            text = f"'{field_header(self.table, cond.right)}(' || {as_text(self.table, cond.right, 't')} || ')'"
            return column("t", cond.right), text
        value = ctx.params[cond.param] if cond.param else cond.right
        literal = f"CAST({sql_literal(value)} AS {SQL_TYPES[field_type(self.table, cond.left)]})"
        shown = sql_literal(f"{cond.param}({value})" if cond.param else str(value))
        return literal, shown

    def compile(self, ctx: SqlContext) -> str:
        holds, texts = [], []
        for cond in self.conditions:
            right, right_text = self._operand(cond, ctx)
            left = column("t", cond.left)
            test = f"({left} IS NOT NULL AND {right} IS NOT NULL AND {left} {OPS[cond.op]} {right})"
            left_text = f"'{field_header(self.table, cond.left)}(' || {as_text(self.table, cond.left, 't')} || ')'"
            holds.append(test)
            texts.append(f"CASE WHEN {test} THEN {left_text} || '{OP_WORDS[cond.op]}' || {right_text} END")
        violated = f"concat_ws('；', {', '.join(texts)})"
        fields = self.needs()[self.table]
        variables = ", ".join(row_variables(self.table, "t", {"violated"}))
        return f"""
SELECT t._unit AS unit,
       CAST(NULL AS DOUBLE) AS amount,
       [{location_sql('t')}] AS locations,
       {content_sql(self.table, 't', fields)} AS content,
       {violated} AS violated,
       {variables}
FROM {self.table} AS t
WHERE {' OR '.join(holds)}
"""

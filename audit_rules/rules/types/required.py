"""The required rule type (see the RequiredRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from audit_rules.rules.sql import (
    check_field,
    column,
    content_sql,
    field_header,
    field_type,
    is_blank,
    location_sql,
    row_variable_names,
    row_variables,
    sql_literal,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind


class RequiredRule(RuleType):
    """Rows missing an element they must have (blank text, no date, a 否 / blank flag).

    **Flags** (anti-pattern): a contract that was never signed or sealed: 签字=是, 盖章=否
    (missing = 盖章), or a blank 签订日期.

    **Must not flag**: a contract with a sign date, 签字=是 and 盖章=是.

    **Example**::

        - id: contract-missing-elements
          title: 合同要素缺失
          category: contract_missing_elements
          severity: medium
          basis: 民法典第四百九十条（合同自双方签名、盖章或按指印时成立）；单位合同管理制度；巡察通报第23项
          type: required
          table: contracts
          fields: [sign_date, signed, sealed]
          message: "合同{contract_no}（{name}）缺少：{missing}"

    **Variables**: `missing` (the Chinese headers of the missing elements joined by 、) and every
    field of the row.

    One finding per row; a bool field counts as missing when blank or false. Each field is a
    check of its own: a register without one of the columns is checked for the others, and the
    规则清单 names the element it could not check.
    """

    type_name: ClassVar[str] = "required"
    title: ClassVar[str] = "要素缺失"

    table: TableKind
    fields: list[str]

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: list[str], info) -> list[str]:
        if not value:
            raise ValueError("至少列出一个必备字段")
        for name in value:
            check_field(info.data.get("table"), name)
        return value

    def checks(self) -> dict[str, dict[str, list[str]]]:
        # Each element is its own check: a register without 盖章 is still checked for 签订日期.
        names = list(dict.fromkeys(self.fields))
        return {field_header(self.table, f): {self.table: [f]} for f in names} if len(names) > 1 else {}

    def _checked_fields(self) -> list[str]:
        return [f for f in dict.fromkeys(self.fields) if self.runs_check(field_header(self.table, f))]

    def needs(self) -> dict[str, list[str]]:
        return {self.table: self._checked_fields()}

    def output_variables(self) -> set[str]:
        return row_variable_names(self.table, {"missing"}) | {"missing"}

    def _missing_sql(self, name: str) -> str:
        blank = is_blank(self.table, name, "t")
        if field_type(self.table, name) == "bool":
            return f"({blank} OR NOT {column('t', name)})"
        return blank

    def compile(self, ctx: SqlContext) -> str:
        tests = [(self._missing_sql(f), sql_literal(field_header(self.table, f))) for f in self._checked_fields()]
        missing = ", ".join(f"CASE WHEN {test} THEN {header} END" for test, header in tests)
        any_missing = " OR ".join(f"({test})" for test, _ in tests)
        variables = ", ".join(row_variables(self.table, "t", {"missing"}))
        return f"""
SELECT t._unit AS unit,
       CAST(NULL AS DOUBLE) AS amount,
       [{location_sql('t')}] AS locations,
       {content_sql(self.table, 't', extra_sql=[f"concat_ws('、', {missing})"])} AS content,
       concat_ws('、', {missing}) AS missing,
       {variables}
FROM {self.table} AS t
WHERE {any_missing}
"""

"""The mismatch rule type (see the MismatchRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    check_field,
    check_kind,
    column,
    content_sql,
    field_type,
    is_blank,
    location_sql,
    normalised,
    row_variable_names,
    row_variables,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind

TYPE_FAMILIES = {"text": "text", "id": "text", "amount": "number", "count": "number", "ratio": "number",
                 "year": "number", "date": "date", "bool": "bool", "list": "list"}


class ExemptReference(BaseModel):
    """A reference table whose key, equal to the row's `left` (norm_name), exempts the row."""

    model_config = ConfigDict(extra="forbid")

    table: TableKind
    key: str

    @model_validator(mode="after")
    def _check(self) -> "ExemptReference":
        check_kind(self.table)
        check_field(self.table, self.key)
        return self


class MismatchRule(RuleType):
    """Two fields of a row that must agree but do not (after normalisation).

    **Flags** (anti-pattern): a payment to one party on another party's invoice: 收款单位
    "长沙甲科技有限公司" with 发票开具单位 "长沙乙贸易有限公司".

    **Must not flag**: "长沙某某科技有限公司" against "长沙某某科技(有限)公司" or
    "长沙某某科技 有限公司" (width, bracket and space differences); any row where either side is
    blank; with the exemptions, a staff member reimbursed for a bill they paid (收款人 is the 报销人,
    or is in the unit's 人员名册).

    **Example**::

        - id: payee-invoice-mismatch
          title: 收款方与开票方不一致
          category: payee_invoice_mismatch
          severity: medium
          basis: 会计法第十四条（原始凭证应真实）；发票管理办法；巡察通报第21项
          type: mismatch
          table: payments
          left: payee
          right: invoice_issuer
          exempt_if_left_is: [handler]
          exempt_if_left_in: {table: staff, key: name}
          message: "付款凭证{voucher_no}收款单位“{left}”与发票开具单位“{right}”不一致"

    **Variables**: left, right (as written) and every field of the row; amount = the row's
    `amount` field when the table has one.

    Text is compared with norm_name, ids with norm_invoice (an id against a text field: as names),
    numbers and dates by value; the two fields must be of comparable types. `exempt_if_left_is:
    [handler]` exempts a row whose `left` equals one of those fields of the row;
    `exempt_if_left_in: {table: staff, key: name}` one whose `left` names a row of that reference
    table of the same unit or shared (norm_name).
    """

    type_name: ClassVar[str] = "mismatch"
    title: ClassVar[str] = "不一致"

    table: str
    left: str
    right: str
    # A row is exempt when `left` equals one of these fields of the row (收款人 = 报销人: a
    # member of staff reimbursed for a bill they paid) ...
    exempt_if_left_is: list[str] = []
    # ... or names a row of a reference table of the same unit or shared (收款人 in 人员名册).
    exempt_if_left_in: ExemptReference | None = None

    @field_validator("left", "right")
    @classmethod
    def _check_side(cls, value: str, info) -> str:
        return check_field(info.data.get("table"), value)

    @model_validator(mode="after")
    def _comparable(self) -> "MismatchRule":
        left, right = (TYPE_FAMILIES[field_type(self.table, f)] for f in (self.left, self.right))
        if left != right:
            raise ValueError(f"字段 {self.left} 与 {self.right} 类型不同，无法比较")
        for name in self.exempt_if_left_is:
            check_field(self.table, name)
        return self

    def needs(self) -> dict[str, list[str]]:
        return {self.table: list(dict.fromkeys([self.left, self.right]))}

    def output_variables(self) -> set[str]:
        return row_variable_names(self.table, {"left", "right"}) | {"left", "right"}

    def _side(self, name: str) -> str:
        if field_type(self.table, name) == "id" and field_type(self.table, self.left) != field_type(self.table, self.right):
            return f"norm_name({column('t', name)})"  # an id against text: compare as names
        return normalised(self.table, name, "t")

    def compile(self, ctx: SqlContext) -> str:
        spec = table_kinds()[self.table].fields.get("amount")
        amount = "CAST(t.amount AS DOUBLE)" if spec is not None and spec.type == "amount" else "CAST(NULL AS DOUBLE)"
        variables = ", ".join(row_variables(self.table, "t", {"left", "right"}))
        # Exemptions read optional fields and tables: absent ones are NULL / empty, exempt nothing.
        exempt = "".join(
            f"\n  AND norm_name({column('t', self.left)}) IS DISTINCT FROM norm_name({column('t', name)})"
            for name in self.exempt_if_left_is
        )
        if self.exempt_if_left_in:
            ref = self.exempt_if_left_in
            exempt += (
                f"\n  AND NOT EXISTS (SELECT 1 FROM {ref.table} AS x WHERE (x._unit IS NULL OR x._unit = t._unit)"
                f" AND norm_name({column('x', ref.key)}) = norm_name({column('t', self.left)}))"
            )
        return f"""
SELECT t._unit AS unit,
       {amount} AS amount,
       [{location_sql('t')}] AS locations,
       {content_sql(self.table, 't', [self.left, self.right])} AS content,
       {column('t', self.left)} AS "left",
       {column('t', self.right)} AS "right",
       {variables}
FROM {self.table} AS t
WHERE NOT {is_blank(self.table, self.left, 't')} AND NOT {is_blank(self.table, self.right, 't')}
  AND {self._side(self.left)} IS DISTINCT FROM {self._side(self.right)}{exempt}
"""

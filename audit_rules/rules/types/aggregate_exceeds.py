"""The aggregate_exceeds rule type (see the AggregateExceedsRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    check_field,
    check_kind,
    column,
    content_sql,
    field_type,
    location_sql,
    normalised,
    row_variable_names,
    row_variables,
)
from audit_rules.rules.types.base import RuleType, SqlContext

OWN_VARIABLES = {"total", "limit", "excess", "count"}


class AggregateExceedsRule(RuleType):
    """The sum of rows against one reference row exceeds that row's amount.

    **Flags** (anti-pattern): paying more against a contract than the contract is worth, e.g. a
    100,000.00 元 contract paid 60,000.00 + 50,000.00 元 (已付110,000.00元，超付10,000.00元).

    **Must not flag**: a 298,000.00 元 contract paid 149,000.00 + 149,000.00 元 (sums are exact
    DECIMAL to the cent: equal is not over); payments with no contract number; payments whose
    contract is not in the ledger.

    **Example**::

        - id: payment-over-contract
          title: 超合同金额付款
          category: payment_over_contract
          severity: high
          basis: 民法典合同编；单位合同管理制度（按合同约定金额付款）；巡察通报第24项
          type: aggregate_exceeds
          table: payments
          value: amount
          key: contract_no
          ref_table: contracts
          ref_value: amount
          message: "合同{contract_no}（{name}）金额{limit:.2f}元，已付款{count}笔共{total:.2f}元，超付{excess:.2f}元"

    **Variables**: total, limit, excess, count and every field of the reference row;
    amount = excess.

    `value` (summed over the rows of `table`) and `ref_value` (the reference row's limit) must be
    numeric fields; `ref_key` names the reference table's key field when it differs from `key`
    (default: the same name).

    Keys are matched within a unit (a shared reference row, _unit NULL, matches every unit), ids
    compared with norm_invoice and text with norm_name. One finding per unit and key even when the
    reference lists the key twice: the unit's own row wins over a shared one, then the larger
    amount. Locations: the reference row first, then every summed row (by date).

    The same payment listed in two extracts (a 1-6月 sheet and a 全年 sheet: same unit, voucher
    number, date and amount) is summed and counted once, as the duplicate type treats it; every row
    is still shown.
    """

    type_name: ClassVar[str] = "aggregate_exceeds"
    title: ClassVar[str] = "累计超额"

    table: str
    value: str
    key: str
    ref_table: str
    ref_value: str
    ref_key: str | None = None  # default: the same name as key

    @field_validator("table", "ref_table")
    @classmethod
    def _check_tables(cls, value: str) -> str:
        return check_kind(value)

    @field_validator("value", "key")
    @classmethod
    def _check_fields(cls, value: str, info) -> str:
        return check_field(info.data.get("table"), value)

    @model_validator(mode="after")
    def _check_ref(self) -> "AggregateExceedsRule":
        check_field(self.ref_table, self.ref_value)
        check_field(self.ref_table, self.reference_key)
        for kind, name in ((self.table, self.value), (self.ref_table, self.ref_value)):
            if field_type(kind, name) not in ("amount", "count", "ratio"):
                raise ValueError(f"字段 {kind}.{name} 不是数值字段")
        return self

    @property
    def reference_key(self) -> str:
        return self.ref_key or self.key

    def needs(self) -> dict[str, list[str]]:
        return {
            self.table: [self.value, self.key],
            self.ref_table: list(dict.fromkeys([self.ref_value, self.reference_key])),
        }

    def output_variables(self) -> set[str]:
        return OWN_VARIABLES | row_variable_names(self.ref_table, OWN_VARIABLES)

    def compile(self, ctx: SqlContext) -> str:
        fields = table_kinds()[self.table].fields
        date = "t.date" if "date" in fields and fields["date"].type == "date" else "CAST(NULL AS DATE)"
        variables = ", ".join(row_variables(self.ref_table, "c", OWN_VARIABLES))
        key = normalised(self.table, self.key, "t")
        ref_key = normalised(self.ref_table, self.reference_key, "c")
        limit = column("c", self.ref_value)
        # One finding per (unit, key): when several reference rows carry the key (a contract
        # listed twice, or in the unit's own ledger and a shared one), the unit's own rows win,
        # then the largest amount (the most lenient limit, so a listing quirk never invents an
        # overpayment), then the first row.
        value = column("t", self.value)
        # The same payment listed in two extracts (a 1-6月 sheet and a 全年 sheet) is one
        # payment: same unit, voucher number, date and amount are summed once, as the
        # duplicate rule treats them; every row is still shown.
        if "voucher_no" in fields and date != "CAST(NULL AS DATE)":
            voucher = normalised(self.table, "voucher_no", "t")
            copy = (f"CASE WHEN {voucher} IS NULL OR {date} IS NULL THEN 1 ELSE row_number() OVER ("
                    f"PARTITION BY t._unit, {key}, {voucher}, {date}, {value} "
                    f"ORDER BY t._file, t._sheet, t._row) END")
        else:
            copy = "1"
        return f"""
WITH rows AS (
    SELECT t.*, {key} AS _key, {copy} AS _copy, {date} AS _date
    FROM {self.table} AS t
    WHERE {key} IS NOT NULL AND {value} IS NOT NULL
), sums AS (
    SELECT t._unit AS _unit, t._key AS _key,
           sum({value}) FILTER (WHERE t._copy = 1) AS _total, count(*) FILTER (WHERE t._copy = 1) AS _count,
           list({location_sql('t')} ORDER BY t._date NULLS LAST, t._file, t._sheet, t._row) AS _locations
    FROM rows AS t
    GROUP BY ALL
), candidates AS (
    SELECT c.*, s._unit AS _sum_unit, s._total, s._count, s._locations,
           row_number() OVER (
               PARTITION BY s._unit, s._key
               ORDER BY (c._unit IS NULL), {limit} DESC, c._file, c._sheet, c._row) AS _pick
    FROM {self.ref_table} AS c
    JOIN sums AS s ON s._key = {ref_key} AND (c._unit IS NULL OR c._unit = s._unit)
    WHERE {limit} IS NOT NULL
)
SELECT c._sum_unit AS unit,
       CAST(c._total - {limit} AS DOUBLE) AS amount,
       list_concat([{location_sql('c')}], c._locations) AS locations,
       {content_sql(self.ref_table, 'c', [self.reference_key, self.ref_value], ["coalesce(c._sum_unit, '')"])} AS content,
       c._total AS total,
       {limit} AS "limit",
       c._total - {limit} AS excess,
       c._count AS count,
       {variables}
FROM candidates AS c
WHERE c._pick = 1 AND c._total > {limit}
"""

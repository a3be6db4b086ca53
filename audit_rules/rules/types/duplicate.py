"""duplicate: the same bill paid more than once (also across units), one finding per group.

Anti-pattern it flags — one invoice reimbursed twice::

    - id: duplicate-payment
      type: duplicate
      table: payments
      keys: [invoice_no, amount]
      across_units: true
      message: "发票{invoice}金额{paid:.2f}元支付{count}次（{dates}；{units}）"

flags invoice "No.00571234" 3,800.00 on 2024-03-05 and "571234" 3,800.00 on 2024-06-18 (ids are
compared with norm_invoice: prefixes, punctuation, spaces and leading zeros dropped; text with
norm_name; amounts to the cent), in one unit or in two units when across_units is true.
Passes monthly rent of the same amount with different invoice numbers, a blank invoice number
(a row with a blank key is never grouped), the same invoice with a different amount.

Rows are grouped (GROUP BY, never pairwise), optionally split into runs of consecutive
payments no more than `window_days` apart on `date_field` (rows without that date are then
never grouped). Locations: latest date first (the primary one), then the
earlier ones. Variables: count, invoice (the first id key as written on the latest row),
paid (one payment's amount), units, dates, and each key field as written on the latest row;
amount = paid × (count − 1).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.engine import (
    check_field,
    check_kind,
    column,
    field_type,
    is_blank,
    location_sql,
    normalised,
    quote_ident,
)
from audit_rules.rules.types.base import RuleType, SqlContext

OWN_VARIABLES = {"count", "invoice", "paid", "units", "dates"}


class DuplicateRule(RuleType):
    type_name: ClassVar[str] = "duplicate"

    table: str
    keys: list[str]
    window_days: int | None = None
    date_field: str = "date"
    across_units: bool = False
    amount_field: str | None = None

    @field_validator("table")
    @classmethod
    def _check_table(cls, value: str) -> str:
        return check_kind(value)

    @field_validator("keys")
    @classmethod
    def _check_keys(cls, value: list[str], info) -> list[str]:
        if not value:
            raise ValueError("至少列出一个比对字段")
        for name in value:
            check_field(info.data.get("table"), name)
        return value

    @field_validator("window_days")
    @classmethod
    def _check_window(cls, value: int | None) -> int | None:
        if value is not None and value < 0:
            raise ValueError("window_days 不能为负数")
        return value

    @model_validator(mode="after")
    def _check_optional_fields(self) -> "DuplicateRule":
        if self.window_days is not None:
            check_field(self.table, self.date_field)
            if field_type(self.table, self.date_field) != "date":
                raise ValueError(f"date_field {self.date_field} 不是日期字段")
        if self.amount_field is not None:
            check_field(self.table, self.amount_field)
        return self

    def money_field(self) -> str | None:
        if self.amount_field:
            return self.amount_field
        spec = table_kinds()[self.table].fields.get("amount")
        return "amount" if spec is not None and spec.type == "amount" else None

    def has_date(self) -> bool:
        spec = table_kinds()[self.table].fields.get(self.date_field)
        return spec is not None and spec.type == "date"

    def needs(self) -> dict[str, list[str]]:
        fields = list(self.keys)
        if self.window_days is not None:
            fields.append(self.date_field)
        return {self.table: list(dict.fromkeys(fields))}

    def output_variables(self) -> set[str]:
        return OWN_VARIABLES | set(self.keys) - {"unit", "amount", "locations", "content"}

    def compile(self, ctx: SqlContext) -> str:
        kind = self.table
        key_cols = [f"{normalised(kind, k, 't')} AS _k{i}" for i, k in enumerate(self.keys)]
        not_blank = " AND ".join(
            f"NOT {is_blank(kind, k, 't')} AND {normalised(kind, k, 't')} IS NOT NULL" for k in self.keys
        )
        if self.window_days is not None:
            # A row without a date cannot be placed in a window: never grouped.
            not_blank += f" AND {column('t', self.date_field)} IS NOT NULL"
        group = [f"_k{i}" for i in range(len(self.keys))]
        if not self.across_units:
            group.append("_unit")
        date = column("r", self.date_field) if self.has_date() else "CAST(NULL AS DATE)"
        latest_first = f"{date} DESC NULLS LAST, r._file DESC, r._sheet DESC, r._row DESC"
        island = ", 0 AS _island"
        windowed = ""
        if self.window_days is not None:
            part = ", ".join(group)
            d = column("k", self.date_field)
            windowed = f"""
, w AS (
    SELECT k.*, CASE WHEN date_diff('day', lag({d}) OVER (PARTITION BY {part} ORDER BY {d}, k._file, k._sheet, k._row), {d})
                     > {int(self.window_days)} THEN 1 ELSE 0 END AS _gap
    FROM k
), i AS (
    SELECT w.*, sum(_gap) OVER (PARTITION BY {part} ORDER BY {d.replace('k.', 'w.')}, w._file, w._sheet, w._row
                               ROWS UNBOUNDED PRECEDING) AS _island
    FROM w
)"""
            island = ""
        source = "i" if windowed else "k"
        money = self.money_field()
        paid = f"max({column('r', money)})" if money else "CAST(NULL AS DECIMAL(18,2))"
        at_issue = (
            f"CAST(sum({column('r', money)}) - max({column('r', money)}) AS DOUBLE)" if money else "CAST(NULL AS DOUBLE)"
        )
        first_id = next((k for k in self.keys if field_type(kind, k) == "id"), None)
        invoice = f"list({column('r', first_id)} ORDER BY {latest_first})[1]" if first_id else "CAST(NULL AS VARCHAR)"
        key_vars = ", ".join(
            f"list({column('r', k)} ORDER BY {latest_first})[1] AS {quote_ident(k)}"
            for k in self.keys
            if k not in OWN_VARIABLES | {"unit", "amount", "locations", "content"}
        )
        dates = (
            f"array_to_string(list(strftime({date}, '%Y-%m-%d') ORDER BY {latest_first}), '、')"
            if self.has_date()
            else "CAST(NULL AS VARCHAR)"
        )
        normal_keys = " || '|' || ".join(f"coalesce(CAST(any_value(r._k{i}) AS VARCHAR), '')" for i in range(len(self.keys)))
        units = "array_to_string(list_sort(list_distinct(list(coalesce(r._unit, '')))), '、')"
        window_start = f"coalesce(strftime(min({date}), '%Y-%m-%d'), '')" if self.window_days is not None else "''"
        return f"""
WITH keyed AS (
    SELECT t.*, {', '.join(key_cols)}
    FROM {kind} AS t
    WHERE {not_blank}
), k AS (
    -- only keys seen more than once go on to the (costlier) ordered list aggregates
    SELECT keyed.* FROM keyed
    SEMI JOIN (SELECT {', '.join(group)} FROM keyed GROUP BY ALL HAVING count(*) > 1) AS g
      ON {' AND '.join(f"keyed.{c} IS NOT DISTINCT FROM g.{c}" for c in group)}
){windowed}, r AS (SELECT *{island} FROM {source})
SELECT list(r._unit ORDER BY {latest_first})[1] AS unit,
       {at_issue} AS amount,
       list({location_sql('r')} ORDER BY {latest_first}) AS locations,
       {normal_keys} || '|' || {units} || '|' || {window_start} AS content,
       count(*) AS count,
       {invoice} AS invoice,
       {paid} AS paid,
       {units} AS units,
       {dates} AS dates{', ' + key_vars if key_vars else ''}
FROM r
GROUP BY {', '.join(group)}, _island
HAVING count(*) > 1
"""

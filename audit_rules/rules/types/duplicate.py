"""The duplicate rule type (see the DuplicateRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    check_field,
    column,
    field_type,
    is_blank,
    location_sql,
    normalised,
    quote_ident,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind

OWN_VARIABLES = {"count", "invoice", "paid", "units", "dates", "reversals", "reversal_note"}


class DuplicateRule(RuleType):
    """The same bill paid more than once (also across units), one finding per group.

    **Flags** (anti-pattern): one invoice reimbursed twice: invoice "No.00571234" 3,800.00 on
    2024-03-05 and "571234" 3,800.00 on 2024-06-18 (ids are compared with norm_invoice: prefixes,
    punctuation, spaces and leading zeros dropped; text with norm_name; amounts to the cent), in one
    unit or in two units when across_units is true.

    **Must not flag**: monthly rent of the same amount with different invoice numbers; a blank
    invoice number (a row with a blank key is never grouped); the same invoice with a different
    amount. With the shipped rule's options also: a payment reversed (a negative amount) and paid
    again (net_reversals); same-numbered invoices of two different issuers (party); one voucher
    listed in two extracts (entry).

    **Example**::

        - id: duplicate-payment
          title: 重复支付
          category: duplicate_payment
          severity: high
          basis: 会计基础工作规范（财会字〔1996〕19号）第四十八条：原始凭证不得重复报销；巡察通报第24项
          type: duplicate
          table: payments
          keys: [invoice_no, amount]
          party: [invoice_issuer, payee]
          entry: [voucher_no, date]
          net_reversals: true
          across_units: true
          message: "发票号{invoice}、金额{paid:.2f}元的款项支付了{count}次（{dates}{reversal_note}；单位：{units}），重复支付{amount:.2f}元"

    **Variables**: count (payments, net of reversals), invoice (the first id key as written on the
    latest row), paid (one payment's amount), units (the units, sorted, joined by 、), dates (the
    payments' dates, latest first, joined by 、), reversals (how many reversals), reversal_note
    ('，另有红冲N笔' or ''), and each key field as written on the latest row;
    amount = paid × (count − 1) (what was paid, net of reversals, beyond one payment).

    Rows are grouped (GROUP BY, never pairwise), optionally split into runs of consecutive
    payments no more than `window_days` apart on `date_field` (rows without that date are then
    never grouped). Locations: latest date first (the primary one), then the earlier ones.

    Options: `party` (fields of the other party, the first non-blank one compared with norm_name:
    the invoice issuer, else the payee) is grouped on as well; `entry` (fields identifying one
    payment, e.g. voucher number and date) makes rows of one unit with equal entry values one
    payment; `net_reversals` lets a negative amount reverse one payment of the group (the money key
    is compared by its size) and needs a money field; `amount_field` is that money field (default:
    the table's amount field).
    """

    type_name: ClassVar[str] = "duplicate"
    title: ClassVar[str] = "重复"

    table: TableKind
    keys: list[str]
    window_days: int | None = None
    date_field: str = "date"
    across_units: bool = False
    amount_field: str | None = None
    party: list[str] = []
    entry: list[str] = []
    net_reversals: bool = False

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
        for name in [*self.party, *self.entry]:
            check_field(self.table, name)
        if self.net_reversals and self.money_field() is None:
            raise ValueError("net_reversals 需要金额字段（amount_field）")
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
        money = self.money_field()
        net = self.net_reversals and money is not None
        key_cols = [f"{self._key_sql(k, net)} AS _k{i}" for i, k in enumerate(self.keys)]
        not_blank = " AND ".join(
            f"NOT {is_blank(kind, k, 't')} AND {normalised(kind, k, 't')} IS NOT NULL" for k in self.keys
        )
        if self.window_days is not None:
            # A row without a date cannot be placed in a window: never grouped.
            not_blank += f" AND {column('t', self.date_field)} IS NOT NULL"
        group = [f"_k{i}" for i in range(len(self.keys))]
        if self.party:
            group.append("_party")
        if not self.across_units:
            group.append("_unit")
        has_date = self.has_date()
        date = column("t", self.date_field) if has_date else "CAST(NULL AS DATE)"
        row_order = "t._file || chr(1) || t._sheet || chr(1) || lpad(t._row::VARCHAR, 12, '0')"
        sign = f"CASE WHEN {column('t', money)} < 0 THEN -1 ELSE 1 END" if net else "1"
        paid_row = f"abs({column('t', money)})" if net else (column("t", money) if money else "NULL")
        # One payment ("entry") may appear on several ledger rows: the same voucher of the same
        # day listed in two extracts (1-6月 and 全年) is one payment, not two.
        entry = f"'row' || chr(1) || coalesce(t._unit, '') || chr(1) || {row_order}"
        if self.entry:
            parts = [normalised(kind, f, "t") for f in self.entry]
            present = " AND ".join(f"{p} IS NOT NULL" for p in parts)
            joined = " || chr(1) || ".join(f"CAST({p} AS VARCHAR)" for p in parts)
            entry = f"CASE WHEN {present} THEN coalesce(t._unit, '') || chr(1) || {joined} ELSE {entry} END"
        party = ""
        if self.party:
            party = ", coalesce(" + ", ".join(f"norm_name({column('t', f)})" for f in self.party) + ") AS _party"
        key_vars_entry = ", ".join(
            f"arg_max({column('t', k)}, {row_order}) AS {quote_ident('_v_' + k)}" for k in self.keys
        )
        latest_first = "(e._sign < 0), e._date DESC NULLS LAST, e._ord DESC"
        island = ", 0 AS _island"
        windowed = ""
        if self.window_days is not None:
            part = ", ".join(group)
            windowed = f"""
, w AS (
    SELECT e.*, CASE WHEN date_diff('day', lag(e._date) OVER (PARTITION BY {part} ORDER BY e._date, e._ord), e._date)
                     > {int(self.window_days)} THEN 1 ELSE 0 END AS _gap
    FROM e
), i AS (
    SELECT w.*, sum(_gap) OVER (PARTITION BY {part} ORDER BY w._date, w._ord ROWS UNBOUNDED PRECEDING) AS _island
    FROM w
)"""
            island = ""
        source = "i" if windowed else "e"
        paid = "max(e._paid)" if money else "CAST(NULL AS DECIMAL(18,2))"
        # Money at issue: what was paid (net of reversals) beyond one payment.
        at_issue = "CAST(sum(e._sign * e._paid) - max(e._paid) AS DOUBLE)" if money else "CAST(NULL AS DOUBLE)"
        first_id = next((k for k in self.keys if field_type(kind, k) == "id"), None)
        invoice = (
            f"list(e.{quote_ident('_v_' + first_id)} ORDER BY {latest_first})[1]" if first_id else "CAST(NULL AS VARCHAR)"
        )
        key_vars = ", ".join(
            f"list(e.{quote_ident('_v_' + k)} ORDER BY {latest_first})[1] AS {quote_ident(k)}"
            for k in self.keys
            if k not in OWN_VARIABLES | {"unit", "amount", "locations", "content"}
        )
        dates = (
            f"array_to_string(list(strftime(e._date, '%Y-%m-%d') ORDER BY {latest_first}) "
            f"FILTER (WHERE e._sign > 0), '、')"
            if has_date
            else "CAST(NULL AS VARCHAR)"
        )
        normal_keys = " || '|' || ".join(f"coalesce(CAST(any_value(e._k{i}) AS VARCHAR), '')" for i in range(len(self.keys)))
        if self.party:
            normal_keys += " || '|' || coalesce(any_value(e._party), '')"
        units = "array_to_string(list_sort(list_distinct(list(coalesce(e._unit, '')))), '、')"
        window_start = "coalesce(strftime(min(e._date), '%Y-%m-%d'), '')" if self.window_days is not None else "''"
        reversals = "count(*) FILTER (WHERE e._sign < 0)"
        return f"""
WITH keyed AS (
    SELECT t.*, {', '.join(key_cols)}{party},
           {sign} AS _sign, {paid_row} AS _paid_row, {entry} AS _entry, {date} AS _date_row, {row_order} AS _ord_row
    FROM {kind} AS t
    WHERE {not_blank}
), k AS (
    -- only keys seen more than once go on to the (costlier) ordered list aggregates
    SELECT keyed.* FROM keyed
    SEMI JOIN (SELECT {', '.join(group)} FROM keyed GROUP BY ALL HAVING count(*) > 1) AS g
      ON {' AND '.join(f"keyed.{c} IS NOT DISTINCT FROM g.{c}" for c in group)}
), e AS (
    -- one row per payment: its ledger rows, date, amount and sign (a negative amount reverses one)
    SELECT {', '.join(group)}, _entry, _sign,
           {'any_value(_unit) AS _unit, ' if self.across_units else ''}max(_date_row) AS _date, max(_paid_row) AS _paid,
           max(_ord_row) AS _ord,
           list({location_sql('t')} ORDER BY _ord_row DESC) AS _locs, {key_vars_entry}
    FROM k AS t
    GROUP BY ALL
){windowed}, r AS (SELECT *{island} FROM {source})
SELECT list(e._unit ORDER BY {latest_first})[1] AS unit,
       {at_issue} AS amount,
       flatten(list(e._locs ORDER BY {latest_first})) AS locations,
       {normal_keys} || '|' || {units} || '|' || {window_start} AS content,
       sum(e._sign) AS count,
       {reversals} AS reversals,
       CASE WHEN {reversals} > 0 THEN '，另有红冲' || {reversals}::VARCHAR || '笔' ELSE '' END AS reversal_note,
       {invoice} AS invoice,
       {paid} AS paid,
       {units} AS units,
       {dates} AS dates{', ' + key_vars if key_vars else ''}
FROM r AS e
GROUP BY {', '.join(group)}, _island
HAVING sum(e._sign) > 1
"""

    def _key_sql(self, name: str, net: bool) -> str:
        """A key as compared; with net_reversals the money key is compared by its size, so a
        reversal (-3,800.00) falls into the group of the payment it reverses (3,800.00)."""
        if net and name == self.money_field():
            return f"abs({column('t', name)})"
        return normalised(self.table, name, "t")

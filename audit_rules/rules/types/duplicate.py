"""The duplicate rule type (see the DuplicateRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.ledgers.schema import table_kinds as _kinds
from audit_rules.rules.sql import (
    as_text,
    check_field,
    column,
    field_type,
    is_blank,
    location_sql,
    normalised,
    quote_ident,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind
from audit_rules.rules.types.match import (
    Condition,
    check_conditions,
    condition_parameter_types,
    condition_parameters,
    where_sql,
)

OWN_VARIABLES = {"count", "invoice", "paid", "units", "dates", "reversals", "reversal_note", "details"}


class DuplicateRule(RuleType):
    """The same bill paid more than once (also across units), one finding per group.

    **Flags** (anti-pattern): one invoice reimbursed twice: invoice "No.00571234" 3,800.00 on
    2024-03-05 and "571234" 3,800.00 on 2024-06-18 (ids are compared with norm_invoice: prefixes,
    punctuation, spaces and leading zeros dropped; text with norm_name; amounts to the cent), in one
    unit or in two units when across_units is true.

    **Must not flag**: the lines of one document (rows with equal `entry` values — same voucher,
    same day — that differ in a description or line number: one payment, not duplicates of each
    other); monthly rent of the same amount with different invoice numbers; a blank
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
          message: "发票号{invoice}、金额{paid:.2f}元的款项支付了{count}次{details}，重复支付{amount:.2f}元"

    **Variables**: count (payments, net of reversals), invoice (the first id key as written on the
    latest row), paid (one payment's amount), units (the units, sorted, joined by 、), dates (the
    payments' dates, latest first, joined by 、), reversals (how many reversals), reversal_note
    ('，另有红冲N笔' or ''), details (the bracket of what is known: '（2024-06-18、2024-03-05，另有红冲1笔；
    单位：甲单位）', any part left out when unknown, '' when nothing is — built in SQL so a template
    stays plain `{name}` and never shows '（；单位：）'), and each key field as written on the latest row;
    amount = paid × (count − 1) (what was paid, net of reversals, beyond one payment).

    Rows are grouped (GROUP BY, never pairwise), optionally split into runs of consecutive
    payments no more than `window_days` apart on `date_field` (rows without that date are then
    never grouped). Locations: latest date first (the primary one), then the earlier ones.

    Options: `party` (fields of the other party, the first non-blank one compared with norm_name:
    the invoice issuer, else the payee) is grouped on as well; `entry` (fields identifying one
    payment, e.g. voucher number and date) makes rows of one unit with equal entry values one
    payment, while an identical line repeated within one sheet is a payment each time (across
    extracts, once); `net_reversals` lets a negative amount reverse one payment of the opposite
    sign (the money key is compared by its size; two identical negative lines are a duplicate, not
    reversals of each other) and needs a money field; `where` (the match type's conditions) limits
    the rows compared (the shipped duplicate-payment-no-invoice: `invoice_no is_null`, keys payee,
    amount, date); `amount_field` is that money field (default:
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
    where: list[Condition] = []

    @field_validator("where")
    @classmethod
    def _check_where(cls, value: list[Condition], info) -> list[Condition]:
        return check_conditions(info.data.get("table"), value)

    def parameters_used(self) -> list[str]:
        return condition_parameters(self.where)

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return condition_parameter_types(self.where)

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

    def compares_units(self) -> bool:
        return self.across_units

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
        if self.where:
            not_blank += f" AND {where_sql(kind, self.where, 't', ctx)}"
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
        entry = self._entry_sql(row_order)
        # A ledger line as written (every field): identical lines repeated in one sheet are
        # payments made again; the same line in two extracts (1-6月 and 全年) is one.
        line = "concat_ws(chr(1), " + ", ".join(as_text(kind, f, "t") for f in _kinds()[kind].fields) + ")"
        party = ""
        if self.party:
            party = ", coalesce(" + ", ".join(f"norm_name({column('t', f)})" for f in self.party) + ") AS _party"
        key_vars_entry = ", ".join(
            f"arg_max({column('t', k)}, {row_order}) AS {quote_ident('_v_' + k)}" for k in self.keys
        )
        # Payments of the group's net sign first (latest first), those of the opposite sign (the
        # reversals they cancel, or the payment reversed twice) last.
        latest_first = "(e._sign <> sign(e._net)), e._date DESC NULLS LAST, e._ord DESC"
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
        group_by = ", ".join([*group, "_island"])
        paid = "max(e._paid)" if money else "CAST(NULL AS DECIMAL(18,2))"
        # Payments net of reversals: a reversal cancels one payment of the opposite sign only, so
        # two identical negative lines are a refund booked twice, not reversals of each other.
        net_count = "abs(sum(e._sign * e._n))"
        # Money at issue: what was paid (net of reversals) beyond one payment.
        at_issue = (
            "CAST(abs(sum(e._sign * e._n * e._paid)) - max(e._paid) AS DOUBLE)" if net
            else "CAST(sum(e._n * e._paid) - max(e._paid) AS DOUBLE)" if money
            else "CAST(NULL AS DOUBLE)"
        )
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
            f"FILTER (WHERE e._sign = sign(e._net) AND e._date IS NOT NULL), '、')"
            if has_date
            else "''"
        )
        normal_keys = " || '|' || ".join(f"coalesce(CAST(any_value(e._k{i}) AS VARCHAR), '')" for i in range(len(self.keys)))
        if self.party:
            normal_keys += " || '|' || coalesce(any_value(e._party), '')"
        # `units` in the fingerprint keeps its historical form; the message names known units only.
        units_id = "array_to_string(list_sort(list_distinct(list(coalesce(e._unit, '')))), '、')"
        units = "coalesce(array_to_string(list_sort(list_distinct(list(e._unit) FILTER (WHERE coalesce(e._unit, '') <> ''))), '、'), '')"
        window_start = "coalesce(strftime(min(e._date), '%Y-%m-%d'), '')" if self.window_days is not None else "''"
        reversals = "coalesce(sum(e._n) FILTER (WHERE e._sign < 0 AND e._net > 0), 0)"
        reversal_note = f"CASE WHEN {reversals} > 0 THEN '另有红冲' || {reversals}::VARCHAR || '笔' END"
        # The bracket of what is known — dates, reversals, units — without empty slots: '' when
        # nothing is known, never '（；单位：）'.
        inner = f"concat_ws('；', NULLIF(concat_ws('，', NULLIF({dates}, ''), {reversal_note}), ''), NULLIF('单位：' || {units}, '单位：'))"
        details = f"CASE WHEN {inner} <> '' THEN '（' || {inner} || '）' ELSE '' END"
        return f"""
WITH keyed AS (
    SELECT t.*, {', '.join(key_cols)}{party}
    FROM {kind} AS t
    WHERE {not_blank}
), repeated AS (
    -- only keys seen more than once go on: the whole-line text and the ordered list aggregates
    -- below cost more than the keys (computed for every row, they took most of the rule's time)
    SELECT t.*, {sign} AS _sign, {paid_row} AS _paid_row, {entry} AS _entry, {date} AS _date_row,
           {row_order} AS _ord_row, t._file || chr(1) || t._sheet AS _src, {line} AS _line
    FROM keyed AS t
    SEMI JOIN (SELECT {', '.join(group)} FROM keyed GROUP BY ALL HAVING count(*) > 1) AS g
      ON {' AND '.join(f"t.{c} IS NOT DISTINCT FROM g.{c}" for c in group)}
), k AS (
    SELECT repeated.*, count(*) OVER (PARTITION BY {', '.join(group)}, _entry, _sign, _line, _src) AS _n_row
    FROM repeated
), p AS (
    -- one row per payment: its ledger rows, date, amount and sign (a negative amount reverses
    -- one); _n is how many times it was made: lines of one document are one payment, an identical
    -- line repeated within one sheet is that many payments, across extracts it is one
    SELECT {', '.join(group)}, _entry, _sign,
           {'any_value(_unit) AS _unit, ' if self.across_units else ''}max(_date_row) AS _date, max(_paid_row) AS _paid,
           max(_ord_row) AS _ord, max(_n_row) AS _n,
           list({location_sql('t')} ORDER BY _ord_row DESC) AS _locs, {key_vars_entry}
    FROM k AS t
    GROUP BY ALL
), e AS (SELECT p.* FROM p){windowed}, r AS (
    SELECT s.*, sum(s._sign * s._n) OVER (PARTITION BY {group_by}) AS _net
    FROM (SELECT *{island} FROM {source}) AS s
)
SELECT list(e._unit ORDER BY {latest_first})[1] AS unit,
       {at_issue} AS amount,
       flatten(list(e._locs ORDER BY {latest_first})) AS locations,
       {normal_keys} || '|' || {units_id} || '|' || {window_start} AS content,
       {net_count} AS count,
       {reversals} AS reversals,
       coalesce('，' || {reversal_note}, '') AS reversal_note,
       {invoice} AS invoice,
       {paid} AS paid,
       {units} AS units,
       {dates} AS dates,
       {details} AS details{', ' + key_vars if key_vars else ''}
FROM r AS e
GROUP BY {group_by}
HAVING {net_count} > 1
"""

    def _entry_sql(self, row_order: str) -> str:
        """One payment ("entry") may appear on several ledger rows: the lines of one document and
        the same voucher of the same day listed in two extracts are one payment. Rows of one unit
        with equal entry fields (those written; a row with none written is its own entry)."""
        own = f"'row' || chr(1) || coalesce(t._unit, '') || chr(1) || {row_order}"
        if not self.entry:
            return own
        parts = [f"CAST({normalised(self.table, f, 't')} AS VARCHAR)" for f in self.entry]
        written = " OR ".join(f"{p} IS NOT NULL" for p in parts)
        joined = " || chr(1) || ".join(f"coalesce({p}, '')" for p in parts)
        return f"CASE WHEN {written} THEN coalesce(t._unit, '') || chr(1) || {joined} ELSE {own} END"

    def _key_sql(self, name: str, net: bool) -> str:
        """A key as compared; with net_reversals the money key is compared by its size, so a
        reversal (-3,800.00) falls into the group of the payment it reverses (3,800.00)."""
        if net and name == self.money_field():
            return f"abs({column('t', name)})"
        return normalised(self.table, name, "t")

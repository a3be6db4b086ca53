"""The sql rule type (see the SqlRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import PrivateAttr, field_validator, model_validator

from audit_rules.rules.sql import quote_ident
from audit_rules.rules.sql_safety import check_query, referenced_kinds
from audit_rules.rules.types.base import RuleType, SqlContext

OWN_COLUMNS = ("unit", "amount", "locations", "content")


class SqlRule(RuleType):
    """An auditor's own read-only query over the ledger tables, one finding per row returned.

    **Flags** (anti-pattern): whatever the query returns, one finding per row; e.g. (a custom rule)
    cash payments above 1,000 元.

    **Must not flag**: any row the query does not return. A query that could change or read
    anything but the ledger tables is refused when the ruleset is validated, so it never runs.

    **Example**::

        - id: cash-over-1000
          title: 大额现金支付
          category: custom
          severity: medium
          basis: 现金管理暂行条例（单位现金使用范围与限额）
          type: sql
          query: |
            SELECT _file, _sheet, _row, _unit AS unit, amount, voucher_no
            FROM payments
            WHERE contains(summary, '现金') AND amount > 1000
          message: "凭证{voucher_no}现金支付{amount:.2f}元"

    **Variables**: every column the query returns; `unit` and `amount`, when returned, are also
    the finding's unit and amount (else the source row's unit and no amount).

    The query must be ONE SELECT returning `_file, _sheet, _row` (the source row) and may return
    `unit`, `amount` and `message`; every other column is a message variable. Refused when
    validating the ruleset (see sql_safety): several statements, DDL/DML, COPY, ATTACH,
    INSTALL/LOAD, PRAGMA, SET, reading files (read_csv('x.csv'), FROM 'x.csv', glob…). The
    finding's fingerprint rests on the returned values other than `_row`, so return an identifying
    column (voucher_no, contract_no…) to keep ids stable when rows move.
    """

    type_name: ClassVar[str] = "sql"
    title: ClassVar[str] = "自定义查询"

    query: str
    _columns: list[str] = PrivateAttr(default_factory=list)
    _kinds: list[str] = PrivateAttr(default_factory=list)

    @field_validator("query")
    @classmethod
    def _check_query(cls, value: str) -> str:
        errors, _ = check_query(value)
        if errors:
            raise ValueError("；".join(errors))
        return value

    @model_validator(mode="after")
    def _remember_columns(self) -> "SqlRule":
        self._columns = list(check_query(self.query)[1])
        self._kinds = referenced_kinds(self.clean_query)
        return self

    @property
    def clean_query(self) -> str:
        return self.query.strip().rstrip(";").strip()

    def needs(self) -> dict[str, list[str]]:
        return {kind: [] for kind in self._kinds}

    def compares_units(self) -> bool:
        return True  # an auditor's query may compare units: it always sees every unit's rows

    def output_variables(self) -> set[str]:
        return set(self._columns)

    def compile(self, ctx: SqlContext) -> str:
        cols = self._columns
        unit = "q.unit" if "unit" in cols else "p._unit"
        amount = "TRY_CAST(q.amount AS DOUBLE)" if "amount" in cols else "CAST(NULL AS DOUBLE)"
        identity = [c for c in cols if c != "_row"] if len(cols) > 3 else cols
        content = ", ".join(f"coalesce(CAST(q.{quote_ident(c)} AS VARCHAR), '')" for c in identity)
        variables = ", ".join(f"q.{quote_ident(c)}" for c in cols if c not in OWN_COLUMNS)
        provenance = " UNION ALL ".join(f"SELECT _file, _sheet, _row, _unit FROM {k}" for k in self._kinds)
        if not provenance:
            provenance = "SELECT NULL::VARCHAR AS _file, NULL::VARCHAR AS _sheet, NULL::INTEGER AS _row, NULL::VARCHAR AS _unit WHERE FALSE"
        return f"""
WITH q AS ({self.clean_query}),
p AS (SELECT _file, _sheet, _row, any_value(_unit) AS _unit FROM ({provenance}) GROUP BY ALL)
SELECT {unit} AS unit,
       {amount} AS amount,
       [{{'file': q._file, 'sheet': coalesce(q._sheet, ''), 'row': CAST(q._row AS INTEGER)}}] AS locations,
       concat_ws('|', {content}) AS content{', ' + variables if variables else ''}
FROM q
LEFT JOIN p ON p._file = q._file AND p._sheet = coalesce(q._sheet, '') AND p._row = q._row
"""

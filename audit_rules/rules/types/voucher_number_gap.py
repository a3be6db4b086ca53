"""The voucher_number_gap rule type (see the VoucherNumberGap class)."""

from __future__ import annotations

from typing import ClassVar

from audit_rules.rules.sql import voucher_lines_sql
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind


class VoucherNumberGap(RuleType):
    """Missing and repeated voucher numbers within a period (凭证断号 / 重号).

    **Flags** (anti-pattern): in 2019-03 the 记 vouchers run 1, 2, 3, 6, 7: 记-4 to 记-5 are missing
    (one finding for the run, between 记-3 and 记-6); two different vouchers both numbered 记-8 in
    one period (重号: the second one's first line, with the first as second location).

    **Must not flag**: numbers that restart at 1 every period; another voucher word's sequence
    (收/付/转 are numbered on their own); the lines of one voucher, however many; numbers after the
    last voucher of the period (the export may end there).

    **Example**::

        - id: voucher-number-gap
          title: 记账凭证断号、重号
          category: voucher_number_gap
          severity: medium
          basis: 会计基础工作规范第五十条（记账凭证应当连续编号）
          type: voucher_number_gap
          table: journal
          message: "{period}{word}字凭证{problem}：{numbers}"

    **Variables**: period (2019-03), word (记), problem (断号 or 重号), numbers (`4-5` for a run of
    missing numbers, `8` for a repeated one), first_missing, last_missing; no amount.

    Per unit, period and voucher word, numbers are counted from 1. A gap's locations are the first
    lines of the vouchers before and after it (a gap before the first voucher: that voucher's).
    Vouchers whose number is not a whole number (the reader keeps it as written) are left out.
    """

    type_name: ClassVar[str] = "voucher_number_gap"
    title: ClassVar[str] = "凭证断号重号"

    table: TableKind = "journal"

    def needs(self) -> dict[str, list[str]]:
        return {self.table: ["voucher_no"]}

    def output_variables(self) -> set[str]:
        return {"period", "word", "problem", "numbers", "first_missing", "last_missing"}

    def compile(self, ctx: SqlContext) -> str:
        return f"""
            WITH vouchers AS (
                SELECT DISTINCT _unit, period, coalesce(voucher_word, '') AS word, TRY_CAST(voucher_no AS BIGINT) AS n,
                       _voucher, _block, _file, _sheet, _first_row AS _row
                FROM ({voucher_lines_sql(self.table)})
            ),
            numbered AS (
                SELECT *, lag(n) OVER seq AS _previous_n, lag({{'file': _file, 'sheet': _sheet, 'row': _row}}) OVER seq AS _previous_loc
                FROM vouchers WHERE n IS NOT NULL
                WINDOW seq AS (PARTITION BY _unit, period, word ORDER BY n, _file, _sheet, _row)
            ),
            gaps AS (
                SELECT _unit, period, word, coalesce(_previous_n, 0) + 1 AS first_missing, n - 1 AS last_missing,
                       list_filter([_previous_loc, {{'file': _file, 'sheet': _sheet, 'row': _row}}], lambda x: x IS NOT NULL) AS locations,
                       '断号' AS problem
                FROM numbered WHERE n > coalesce(_previous_n, 0) + 1
            ),
            repeats AS (
                SELECT _unit, period, word, n AS first_missing, n AS last_missing,
                       [{{'file': _file, 'sheet': _sheet, 'row': _row}}, _previous_loc] AS locations, '重号' AS problem
                FROM numbered WHERE n = _previous_n
            )
            SELECT _unit AS unit, NULL::DOUBLE AS amount, locations,
                   concat_ws('|', coalesce(_unit, ''), coalesce(period, ''), word, problem, first_missing::VARCHAR) AS content,
                   period, word, problem,
                   CASE WHEN first_missing = last_missing THEN first_missing::VARCHAR
                        ELSE first_missing::VARCHAR || '-' || last_missing::VARCHAR END AS numbers,
                   first_missing, last_missing
            FROM (SELECT * FROM gaps UNION ALL SELECT * FROM repeats)
        """

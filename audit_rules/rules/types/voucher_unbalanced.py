"""The voucher_unbalanced rule type (see the VoucherUnbalanced class)."""

from __future__ import annotations

from typing import ClassVar

from audit_rules.ledgers.chart import chart
from audit_rules.rules.sql import sql_literal, voucher_lines_sql, voucher_name_sql
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind


class VoucherUnbalanced(RuleType):
    """A voucher whose debits and credits differ (借贷不平).

    **Flags** (anti-pattern): 记-12 of 2019-03 with a debit of 3,800.00 on 5001 业务活动费用 and a
    credit of 3,080.00 on 1011 零余额账户用款额度: the voucher does not balance by 720.00.

    **Must not flag**: a balanced voucher, however many lines; a 政府会计制度 voucher whose 财务会计
    lines balance and whose 预算会计 lines (6xxx/7xxx/8xxx, chart.yaml) balance among themselves —
    the two parts are checked separately, never against each other; red-ink (negative) lines that
    balance; a voucher with a line whose debit or credit could not be read (the quality gate lists
    that cell; the voucher's sums are unknown).

    **Example**::

        - id: voucher-unbalanced
          title: 记账凭证借贷不平
          category: voucher_unbalanced
          severity: high
          basis: 会计法（2024）第十三条、会计基础工作规范第五十一条（记账凭证借贷金额应相等）
          type: voucher_unbalanced
          table: journal
          message: "{period}凭证{voucher}的{part}借方合计{debits:,.2f}元、贷方合计{credits:,.2f}元，相差{amount:,.2f}元"

    **Variables**: voucher (记-12), period (2019-03), part (财务会计 or 预算会计), debits, credits;
    amount = |debits − credits|.

    One finding per voucher and part; its location is the voucher's first line. A voucher is its
    unit, file, sheet, period, voucher word and number, its lines contiguous in the export; the
    finding's id rests on unit, period, word, number and part (not on the file or rows).
    """

    type_name: ClassVar[str] = "voucher_unbalanced"
    title: ClassVar[str] = "借贷不平"

    table: TableKind = "journal"

    def needs(self) -> dict[str, list[str]]:
        return {self.table: ["voucher_no", "account_code", "debit", "credit"]}

    def readable_rows(self) -> dict[str, list[str]]:
        return {self.table: ["voucher_no"]}  # unreadable amounts put the whole voucher aside below

    def output_variables(self) -> set[str]:
        return {"voucher", "period", "part", "debits", "credits"}

    def compile(self, ctx: SqlContext) -> str:
        budget = sql_literal(list(chart().budget_accounts))
        return f"""
            WITH lines AS (
                SELECT *, CASE WHEN list_has_any({budget}, [left(_code, 1)])
                          THEN '预算会计' ELSE '财务会计' END AS _part
                FROM ({voucher_lines_sql(self.table)})
            ),
            sums AS (
                SELECT _voucher, _block, _part, any_value(_unit) AS _unit, any_value(period) AS period,
                       any_value(voucher_word) AS voucher_word, any_value(voucher_no) AS voucher_no,
                       any_value(_file) AS _file, any_value(_sheet) AS _sheet, min(_first_row) AS _row,
                       coalesce(sum(debit), 0) AS debits, coalesce(sum(credit), 0) AS credits,
                       bool_or(list_has_any(_bad, ['debit', 'credit'])) AS _unreadable
                FROM lines GROUP BY _voucher, _block, _part
            )
            SELECT s._unit AS unit, abs(s.debits - s.credits)::DOUBLE AS amount,
                   [{{'file': s._file, 'sheet': s._sheet, 'row': s._row}}] AS locations,
                   concat_ws('|', coalesce(s._unit, ''), coalesce(s.period, ''), coalesce(s.voucher_word, ''), s.voucher_no, s._part) AS content,
                   {voucher_name_sql("s")} AS voucher, s.period, s._part AS part,
                   s.debits::DOUBLE AS debits, s.credits::DOUBLE AS credits
            FROM sums AS s
            WHERE s.debits <> s.credits AND NOT s._unreadable
        """

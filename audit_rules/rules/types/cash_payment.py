"""The cash_payment rule type (see the CashPayment class)."""

from __future__ import annotations

from typing import ClassVar

from audit_rules.ledgers.chart import chart
from audit_rules.rules.sql import sql_literal, voucher_lines_sql, voucher_name_sql
from audit_rules.rules.types.base import NUMBER_PARAMETER, RuleType, SqlContext, TableKind


class CashPayment(RuleType):
    """Cash (库存现金) paid to an organisation above the settlement threshold (现金结算起点).

    **Flags** (anti-pattern): 记-31 pays 2,400.00 for a reception dinner out of 1001 库存现金 to
    长沙湘味餐饮有限公司: between units, sums above 1,000 yuan are settled by transfer, not in cash.

    **Must not flag**: a cash payment at or under the threshold; cash paid to a person (a name
    with none of `organisation_words`: 张三 reimbursed in cash); a payment out of 1002 银行存款 or
    1011 零余额账户用款额度; withdrawing cash (Dr 1001 / Cr 1002); the voucher's 预算会计 lines.

    **Example**::

        - id: cash-payment-over-limit
          title: 超结算起点使用现金支付
          category: cash_payment_over_limit
          severity: medium
          basis: 现金管理暂行条例（国务院令第12号，2011年修订）第五条（结算起点为1000元）
          type: cash_payment
          table: journal
          threshold: cash_settlement_threshold
          organisation_words: organisation_words
          message: "{period}凭证{voucher}以库存现金向“{payee}”支付{amount:,.2f}元，超过现金结算起点{cash_settlement_threshold:,.0f}元"

    **Variables**: voucher (记-31), period, payee; amount = the expense line's amount.

    One finding per expense line (chart.yaml payment_accounts) of a voucher that credits 库存现金
    (chart.yaml cash_in_hand); the payee is the line's 往来单位, else the voucher's. Its location is
    the expense line.
    """

    type_name: ClassVar[str] = "cash_payment"
    title: ClassVar[str] = "现金支付"

    table: TableKind = "journal"
    threshold: str  # parameter: the settlement threshold in 元
    organisation_words: str  # parameter: words that mark a payee as an organisation

    def needs(self) -> dict[str, list[str]]:
        return {self.table: ["voucher_no", "account_code", "debit", "credit", "counterparty"]}

    def parameters_used(self) -> list[str]:
        return [self.threshold, self.organisation_words]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return {self.threshold: NUMBER_PARAMETER, self.organisation_words: ("list",)}

    def output_variables(self) -> set[str]:
        return {"voucher", "period", "payee"}

    def compile(self, ctx: SqlContext) -> str:
        cash = sql_literal(list(chart().cash_in_hand))
        expense = sql_literal(list(chart().payment_accounts))
        words = ctx.param(self.organisation_words)
        return f"""
            WITH lines AS ({voucher_lines_sql(self.table)}),
            cash_vouchers AS (
                SELECT _voucher, _block, min(counterparty) AS _party FROM lines
                WHERE coalesce(credit, 0) > 0 AND list_has_any({cash}, [left(_code, 4)])
                GROUP BY _voucher, _block
            ),
            paid AS (
                SELECT l.*, coalesce(l.counterparty, c._party) AS payee,
                       coalesce(l.debit, 0) - coalesce(l.credit, 0) AS _paid
                FROM lines AS l JOIN cash_vouchers AS c USING (_voucher, _block)
                WHERE list_has_any({expense}, [left(l._code, 1), left(l._code, 4)])
            )
            SELECT p._unit AS unit, p._paid::DOUBLE AS amount,
                   [{{'file': p._file, 'sheet': p._sheet, 'row': p._row}}] AS locations,
                   concat_ws('|', coalesce(p._unit, ''), coalesce(p.period, ''), coalesce(p.voucher_word, ''),
                             p.voucher_no, coalesce(p.account_code, ''), p.payee) AS content,
                   {voucher_name_sql("p")} AS voucher, p.period, p.payee
            FROM paid AS p
            WHERE p._paid > {ctx.param(self.threshold)}
              AND list_bool_or(list_transform({words}, lambda w: contains(p.payee, w)))
        """

"""The cash_payment rule type (see the CashPayment class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from audit_rules.rules.sql import content_sql, location_sql
from audit_rules.rules.types.base import NUMBER_PARAMETER, RuleType, SqlContext, TableKind


class CashPayment(RuleType):
    """Payments made in cash (现金) that should have gone by transfer or by 公务卡.

    **Flags** (anti-pattern): with `threshold`, 记-31 pays 2,400.00 for a reception dinner in cash
    to 长沙湘味餐饮有限公司 — between units, sums above the 1,000 yuan settlement threshold go by
    transfer; with `classes`, cash paid for an economic class of the 公务卡强制结算目录 (差旅费
    reimbursed in cash, 办公费 bought over the counter with cash) — these go by 公务卡.

    **Must not flag**: a payment by 转账, 银行存款, 零余额账户 or 公务卡; with `threshold`, a cash
    payment at or under the threshold or cash paid to a person (a name with none of
    `organisation_words`: 张三 reimbursed in cash); with `classes`, a class outside the list; a
    red-ink reversal (a negative amount); withdrawing cash (no expense, so no payment).

    **Example**::

        - id: cash-payment-over-limit
          title: 超结算起点使用现金支付
          category: cash_payment_over_limit
          severity: medium
          basis: 现金管理暂行条例（国务院令第12号，2011年修订）第五条（结算起点为1000元）
          type: cash_payment
          threshold: cash_settlement_threshold
          organisation_words: organisation_words
          message: "{paid}以现金向“{payee}”支付{amount:,.2f}元，超过现金结算起点{cash_settlement_threshold:,.0f}元"

    **Variables**: paid (the date and voucher: '2019-06-12 凭证记-31', either left out when
    blank), voucher, payee, econ_class, summary, payment_method, listed (the list entry the class
    matched, with `classes`); amount = the payment's amount.

    It reads the `payments` table of any origin: a hand-kept 付款明细 says 支付方式 现金, a journal's
    payments carry the money accounts their voucher credits (库存现金, chart.yaml), so the same
    payment gives the same finding either way. A payment is in cash when its payment_method
    holds a word of `methods` (现金; 库存现金 and 现金支票 hold it too).

    One rule checks one thing: `threshold` (with `organisation_words`) or `classes` — the default
    ruleset has one rule of each (cash-payment-over-limit, cash-official-card-class), because they
    rest on different regulations. `classes` entries compare with the one class comparison
    (class_matches: by code when both sides carry one, else by name).
    """

    type_name: ClassVar[str] = "cash_payment"
    title: ClassVar[str] = "现金支付"

    table: TableKind = "payments"
    methods: str = "cash_payment_methods"  # parameter: words of a payment method paying in cash
    threshold: str | None = None  # parameter: the settlement threshold in 元
    organisation_words: str | None = None  # parameter: words that mark a payee as an organisation
    classes: str | None = None  # parameter: economic classes that must be paid by 公务卡

    @model_validator(mode="after")
    def _one_check(self) -> "CashPayment":
        if (self.threshold is None) == (self.classes is None):
            raise ValueError("cash_payment 规则须且只能写 threshold（结算起点）或 classes（公务卡强制结算的经济分类）之一")
        if self.threshold is not None and self.organisation_words is None:
            raise ValueError("cash_payment 规则写了 threshold 时须写 organisation_words（辨别收款方是单位的字词）")
        return self

    def needs(self) -> dict[str, list[str]]:
        judged = ["payee"] if self.threshold is not None else ["econ_class"]
        return {self.table: ["payment_method", "amount", *judged]}

    def parameters_used(self) -> list[str]:
        return [p for p in (self.methods, self.threshold, self.organisation_words, self.classes) if p]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        types = {self.methods: ("list",)}
        if self.threshold is not None:
            types |= {self.threshold: NUMBER_PARAMETER, self.organisation_words: ("list",)}
        else:
            types |= {self.classes: ("list",)}
        return types

    def output_variables(self) -> set[str]:
        return {"paid", "voucher", "payee", "econ_class", "summary", "payment_method", "listed"}

    def compile(self, ctx: SqlContext) -> str:
        if self.threshold is not None:
            words = ctx.param(self.organisation_words)
            judged = "NULL::VARCHAR"
            condition = (f"p.amount > {ctx.param(self.threshold)} "
                         f"AND list_bool_or(list_transform({words}, lambda w: contains(p.payee, w)))")
        else:
            listed = f"list_filter({ctx.param(self.classes)}, lambda c: class_matches(p.econ_class, c))"
            judged = f"{listed}[1]"
            condition = f"p.amount > 0 AND len({listed}) > 0"
        methods = ctx.param(self.methods)
        return f"""
            SELECT p._unit AS unit, p.amount::DOUBLE AS amount, [{location_sql("p")}] AS locations,
                   {content_sql(self.table, "p", ["econ_class"])} AS content,
                   concat_ws(' ', strftime(p.date, '%Y-%m-%d'), '凭证' || p.voucher_no) AS paid,
                   coalesce(p.voucher_no, '') AS voucher, p.payee, p.econ_class, p.summary,
                   p.payment_method, {judged} AS listed
            FROM {self.table} AS p
            WHERE list_bool_or(list_transform({methods}, lambda w: contains(p.payment_method, w)))
              AND {condition}
        """

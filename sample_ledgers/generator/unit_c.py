"""长沙市示范财政所: a 行政单位 keeping its books in 金蝶 — a 会计分录序时簿 xlsx export and a 科目余额表.

Its payments exist only as journal lines (no 付款明细): the engine derives them from the vouchers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .build import Invoices, month_days
from .records import UnitData
from .vouchers import VoucherBook, balances, write_balances, write_kingdee_journal
from .workbook import Registry

UNIT_C = "长沙市示范财政所"
JOURNAL_C = "会计分录序时簿-2019.xlsx"
BALANCES_C = "科目余额表-2019.xlsx"

ADMIN = "5101"  # 单位管理费用
NAMES = {"5101.01": "单位管理费用-工资福利费用", "5101.02": "单位管理费用-商品和服务费用",
         "5101.03": "单位管理费用-对个人和家庭的补助费用"}
PAYROLL = [("30101 基本工资", 62400), ("30102 津贴补贴", 31850), ("30103 奖金", 5200), ("30107 绩效工资", 24300)]
UNION = "长沙市示范财政所工会"
LANDLORD = "长沙天心物业租赁有限公司"


def workday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def build_unit_c(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_C)
    book = VoucherBook(UNIT_C, ["刘芳", "周敏"], ["陈志刚"], budget="7101")
    entries: list[tuple[date, object]] = []  # (date, action on the book), run in date order

    def at(d: date, action) -> None:
        entries.append((d, action))

    goods = "5101.02"
    for m in range(1, 13):
        payroll = [(econ, amount + 50 * (m % 3)) for econ, amount in PAYROLL]
        total = sum(a for _, a in payroll)

        def pay_wages(b, m=m, payroll=payroll, total=total):
            text = f"发放{m}月工资"
            lines = [(text, "5101.01", NAMES["5101.01"], float(a), None, {"econ_class": econ}) for econ, a in payroll]
            lines += [(text, "1011", "零余额账户用款额度", None, float(total), None),
                      (text, "7101.01", "行政支出", float(total), None, {"econ_class": "30101 基本工资"}),
                      (text, "8001", "资金结存", None, float(total), None)]
            return b.voucher(workday(date(2019, m, 5)), lines)
        at(workday(date(2019, m, 5)), pay_wages)

        def union(b, m=m, total=total):
            # exactly 2% of the month's payroll (30101+30102+30103+30107): no union-dues shortfall
            v = b.pay(workday(date(2019, m, 10)), f"计提并拨付{m}月工会经费",
                      goods, NAMES[goods], "30228 工会经费", round(total * 0.02, 2), UNION)
            if m == 12:
                v[0].near("union-dues-unpaid", "全年工会经费按工资总额（30101+30102+30103+30107）的2%足额计提拨付",
                          "Union dues allocated at exactly 2% of the year's payroll")
            return v
        at(workday(date(2019, m, 10)), union)

        d = month_days(rng, m, 12, 16)

        def rent(b, m=m, d=d):
            v = b.pay(d, f"支付{m}月办公用房租金", goods, NAMES[goods], "30214 租赁费",
                      8500.0, LANDLORD, cash="1002", invoice=inv.new())
            if m == 3:
                v[0].near("duplicate-payment", "每月房租金额相同（8,500元）但发票号不同，不是重复支付",
                          "Monthly rent of the same amount with different invoices")
                v[2].near("duplicate-payment", "预算会计分录（Dr 7101 行政支出 / Cr 8001）与财务会计分录同额、同摘要（含发票号），"
                          "不是第二笔付款", "The budget line mirrors the payment (same amount and 摘要): not a second payment")
            return v
        at(d, rent)

        d, amount = month_days(rng, m, 18, 22), round(rng.uniform(1800, 4200), 2)

        def power(b, m=m, d=d, amount=amount):
            return b.pay(d, f"支付{m}月电费", goods, NAMES[goods], "30206 电费",
                         amount, "国网湖南省电力有限公司长沙供电分公司", cash="1002",
                         invoice=inv.new())
        at(d, power)

        d, text = month_days(rng, m, 23, 27), rng.choice(["现金购买办公用品", "现金购买茶叶、纸杯", "现金支付快递费"])
        amount = float(rng.randrange(180, 960, 10))

        def petty(b, m=m, d=d, text=text, amount=amount):
            # small office purchases go by 零余额账户 (the 公务卡 rule), but April's is paid in cash
            in_cash = m == 4
            v = b.pay(d, text if in_cash else text.removeprefix("现金"), goods, NAMES[goods], "30201 办公费",
                      amount, "长沙惠民文具店", cash="1001" if in_cash else "1011", invoice=inv.new())
            if m == 4:
                v[0].near("cash-payment-over-limit", "库存现金支付单位的小额办公费，未超过1,000元结算起点",
                          "A small cash payment to a shop, under the 1,000 settlement threshold")
                v[0].plant("cash-official-card-class", "以库存现金支付办公费（公务卡强制结算目录内）",
                           "Office supplies (on the official-card list) paid in cash")
            if m == 5:
                v[0].near("cash-official-card-class", "通过零余额账户支付办公费，不是现金",
                          "Office supplies paid from the zero-balance account, not in cash")
            return v
        at(d, petty)
        if m == 6:
            # cash-payment-over-limit (planted): a reception dinner paid in cash to a restaurant company
            def dinner(b, d=workday(date(2019, 6, 20))):
                v = b.pay(d, "现金支付公务接待餐费", goods, NAMES[goods], "30217 公务接待费", 2400.0,
                          "长沙湘味餐饮有限公司", cash="1001", invoice=inv.new())
                v[0].plant("cash-payment-over-limit", "以库存现金向餐饮公司支付2,400元，超过1,000元结算起点",
                           "2,400 paid in cash to a restaurant company, above the 1,000 settlement threshold")
                v[0].plant("cash-official-card-class", "以库存现金支付公务接待费（公务卡强制结算目录内）",
                           "A reception dinner (on the official-card list) paid in cash")
                return v
            at(workday(date(2019, 6, 20)), dinner)
        d = workday(date(2019, m, 2))
        at(d, lambda b, m=m, d=d: b.voucher(d, [  # the month's 财政授权支付额度 (no payment)
            (f"收到{m}月财政授权支付额度", "1011", "零余额账户用款额度", 150000.0, None, None),
            (f"收到{m}月财政授权支付额度", "4001", "财政拨款收入", None, 150000.0, None),
            (f"收到{m}月财政授权支付额度", "8001", "资金结存", 150000.0, None, None),
            (f"收到{m}月财政授权支付额度", "6001", "财政拨款预算收入", None, 150000.0, None)]))
        if m in (1, 7):
            at(workday(date(2019, m, 3)), lambda b, m=m: b.voucher(workday(date(2019, m, 3)), [
                ("提取备用金", "1001", "库存现金", 5000.0, None, None), ("提取备用金", "1002", "银行存款", None, 5000.0, None)]))

    # --- payment rules on journal-derived payments (the expense line is the voucher's first line) ---
    meeting_invoice = inv.new()
    at(date(2019, 4, 17), lambda b: b.pay(date(2019, 4, 17), "支付财政业务培训会议场地费", goods, NAMES[goods],
                                          "30215 会议费", 4600.0, "长沙湘江宾馆有限公司", invoice=meeting_invoice))
    at(date(2019, 6, 19), lambda b: b.pay(date(2019, 6, 19), "支付财政业务培训会议场地费", goods, NAMES[goods],
                                          "30215 会议费", 4600.0, "长沙湘江宾馆有限公司", invoice=meeting_invoice)[0]
       .plant("duplicate-payment", f"同一张发票{meeting_invoice}的会议场地费4,600元4月、6月各付一次（发票号写在摘要中）",
              f"Invoice {meeting_invoice} (in the 摘要) paid in April and again in June, 4,600 each"))
    at(date(2019, 1, 22), lambda b: b.pay(date(2019, 1, 22), "购买春节职工慰问购物卡", goods, NAMES[goods],
                                          "30229 福利费", 6000.0, "长沙步步高商业连锁有限公司", invoice=inv.new())[0]
       .plant("prohibited-expense", "福利费列支春节购物卡6,000元", "Shopping cards bought as a Spring Festival benefit"))

    # A payment reversed in red ink and paid again: one payment, not a duplicate.
    archive = inv.new()
    at(date(2019, 3, 11), lambda b: b.pay(date(2019, 3, 11), "支付档案整理服务费", goods, NAMES[goods],
                                          "30227 委托业务费", 12000.0, "湖南信达档案服务有限公司", cash="1002",
                                          invoice=archive))
    at(date(2019, 3, 14), lambda b: b.pay(date(2019, 3, 14), "红字冲销档案整理服务费（收款账号有误）", goods,
                                          NAMES[goods], "30227 委托业务费", -12000.0, "湖南信达档案服务有限公司",
                                          cash="1002", invoice=archive))
    at(date(2019, 3, 15), lambda b: b.pay(date(2019, 3, 15), "重新支付档案整理服务费", goods, NAMES[goods],
                                          "30227 委托业务费", 12000.0, "湖南信达档案服务有限公司", cash="1002",
                                          invoice=archive)[0]
       .near("duplicate-payment", f"发票{archive}付款后红字冲销、再正确支付，净额只付一次，不是重复支付",
             "Paid, reversed in red ink, paid again: one payment net, not a duplicate"))

    # --- journal-rule plants (voucher-unbalanced, voucher-number-gap): each voucher rule's case is
    # planted here, on the voucher's FIRST line (where the engine locates it). If the engine's
    # location differs, adjust the `.plant(...)` target below and regenerate. ---
    def unbalanced(b):
        text = "支付办公楼空调维修费"
        v = b.voucher(date(2019, 5, 21), [
            (text, goods, NAMES[goods], 1250.0, None, {"counterparty": "长沙格力空调售后服务部", "econ_class": "30213 维修（护）费"}),
            (text, "1002", "银行存款", None, 1205.0, None),  # 1,250 typed 1,205: the voucher is 45 short
            (text, "7101.01", "行政支出", 1250.0, None, {"econ_class": "30213 维修（护）费"}),
            (text, "8001", "资金结存", None, 1250.0, None)])
        return v[0].plant("voucher-unbalanced", "凭证财务会计分录借方1,250元、贷方1,205元，借贷不平（差45元）",
                          "Financial lines debit 1,250, credit 1,205: unbalanced by 45")
    at(date(2019, 5, 21), unbalanced)

    def before_gap(b):
        v = b.pay(date(2019, 8, 14), "支付财政所网站维护费", goods, NAMES[goods], "30227 委托业务费", 3600.0,
                  "湖南网达信息技术有限公司", cash="1002", invoice=inv.new())
        b.skip(8, 2)  # two voucher numbers never used: one gap
        return v[0].plant("voucher-number-gap", "8月凭证号缺两个连续号（断号），定位于断号前的凭证",
                          "Two voucher numbers missing in August (located at the voucher before the gap)")
    at(date(2019, 8, 14), before_gap)

    entries.sort(key=lambda e: e[0])
    for _, action in entries:
        action(book)
    first_feb = next(v for v in book.vouchers if v[0].date.month == 2)
    first_feb[0].near("voucher-number-gap", "凭证号每月从1号重新编号，月初不是断号",
                      "Voucher numbers restart at 1 each month: not a gap")
    dual = next(v for v in book.vouchers if v[0].date.month == 2 and len(v) == 4)
    dual[0].near("voucher-unbalanced", "财务会计与预算会计分录各自借贷平衡（双分录）",
                 "Financial and budget lines each balance (dual entry)")
    u.journal = book.lines()
    u.account_balances = balances(u, {"1001": ("库存现金", "借", 3200.0), "1002": ("银行存款", "借", 486500.0),
                                      "1011": ("零余额账户用款额度", "借", 0.0), "8001": ("资金结存", "借", 489700.0)})
    return u


def write_unit_c(u: UnitData, root: Path, reg: Registry) -> None:
    d = root / UNIT_C
    write_kingdee_journal(u, d / JOURNAL_C, reg, f"{UNIT_C}/{JOURNAL_C}")
    write_balances(u, d / BALANCES_C, reg, f"{UNIT_C}/{BALANCES_C}")

"""长沙市示范水利站: a 事业单位 keeping its books in 用友 GRP — a 凭证明细 CSV export in GB18030
(every line carrying its voucher, 凭证类别 and 凭证编号 in two columns, 票号 and 往来单位 columns).

Its payments exist only as journal lines (no 付款明细): the engine derives them from the vouchers.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from .build import Invoices, month_days
from .records import UnitData
from .unit_c import workday
from .vouchers import VoucherBook, write_yonyou_csv
from .workbook import Registry

UNIT_D = "长沙市示范水利站"
JOURNAL_D = "凭证明细-2019.csv"

SALARY, GOODS, DEPRECIATION = "5001.01", "5001.02", "5001.05"
NAMES = {SALARY: "业务活动费用-工资福利费用", GOODS: "业务活动费用-商品和服务费用",
         DEPRECIATION: "业务活动费用-固定资产折旧费"}
PAYROLL = [("30101 基本工资", 38600), ("30102 津贴补贴", 17250), ("30103 奖金", 3000), ("30107 绩效工资", 14800)]
UNION = "长沙市示范水利站工会"


def build_unit_d(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_D)
    book = VoucherBook(UNIT_D, ["王建军", "李娟"], ["赵红英"], budget="7201", invoice_column=True, dotted=False)
    entries: list[tuple[date, object]] = []

    def at(d: date, action) -> None:
        entries.append((d, action))

    for m in range(1, 13):
        payroll = [(econ, amount + 100 * (m % 2)) for econ, amount in PAYROLL]
        total = sum(a for _, a in payroll)
        d = workday(date(2019, m, 6))

        def wages(b, m=m, d=d, payroll=payroll, total=total):
            text = f"发放{m}月工资"  # accrued to 2201 and paid from it in the same voucher
            lines = [(text, SALARY, NAMES[SALARY], float(a), None, {"econ_class": econ}) for econ, a in payroll]
            lines += [(text, "2201", "应付职工薪酬", None, float(total), None),
                      (text, "2201", "应付职工薪酬", float(total), None, None),
                      (text, "1011", "零余额账户用款额度", None, float(total), None),
                      (text, "720101", "事业支出", float(total), None, {"econ_class": "30101 基本工资"}),
                      (text, "8001", "资金结存", None, float(total), None)]
            return b.voucher(d, lines)
        at(d, wages)
        d = workday(date(2019, m, 11))
        # union-dues-unpaid (planted): the station allocates 工会经费 only for January to October
        if m <= 10:
            def union(b, m=m, d=d, total=total):
                v = b.pay(d, f"拨付{m}月工会经费", GOODS, NAMES[GOODS], "30228 工会经费", round(total * 0.02, 2), UNION)
                if m == 10:
                    v[0].plant("union-dues-unpaid", "11、12月未计提拨付工会经费，全年工会经费低于工资总额的2%",
                               "No union allocation in November and December: below 2% of the year's payroll")
                return v
            at(d, union)

        d = month_days(rng, m, 13, 17)

        def property_fee(b, m=m, d=d):
            v = b.pay(d, f"支付{m}月站区物业管理费", GOODS, NAMES[GOODS], "30209 物业管理费", 3600.0,
                      "长沙安居物业服务有限公司", cash="1002", invoice=inv.new())
            if m == 5:
                v[0].near("duplicate-payment", "每月物业费3,600元金额相同、票号不同，不是重复支付",
                          "Monthly property fee of the same amount, different invoice numbers")
            return v
        at(d, property_fee)

        d, amount = month_days(rng, m, 18, 22), round(rng.uniform(900, 2600), 2)
        at(d, lambda b, m=m, d=d, amount=amount: b.pay(
            d, f"支付{m}月水费", GOODS, NAMES[GOODS], "30205 水费", amount, "长沙水业集团有限公司", cash="1002",
            invoice=inv.new()))

        d, amount = month_days(rng, m, 23, 27), float(rng.randrange(120, 880, 10))

        def petty(b, m=m, d=d, amount=amount):
            # bought by bank transfer, but June's in cash (the 公务卡 rule)
            in_cash = m == 6
            v = b.pay(d, "现金购买巡堤用手电、雨具" if in_cash else "购买巡堤用手电、雨具", GOODS, NAMES[GOODS],
                      "30218 专用材料费", amount, "长沙市开福区利民五金店", cash="1001" if in_cash else "1002",
                      invoice=inv.new())
            if m == 6:
                v[0].near("cash-payment-over-limit", "现金支付五金店的小额材料费，低于1,000元结算起点",
                          "A small cash payment, under the 1,000 settlement threshold")
                v[0].plant("cash-official-card-class", "以现金支付专用材料费（公务卡强制结算目录内）",
                           "Special materials (on the official-card list) paid in cash")
            return v
        at(d, petty)
        if m in (1, 6, 11):
            d = workday(date(2019, m, 3))
            at(d, lambda b, d=d: b.voucher(d, [("提取备用金", "1001", "库存现金", 4000.0, None, None),
                                                ("提取备用金", "1002", "银行存款", None, 4000.0, None)]))
        d = date(2019, m, 28 if m != 2 else 27)
        at(d, lambda b, m=m, d=d: b.voucher(d, [(f"计提{m}月固定资产折旧", DEPRECIATION, NAMES[DEPRECIATION], 2150.0, None,
                                                 None),
                                                (f"计提{m}月固定资产折旧", "1602", "固定资产累计折旧", None, 2150.0, None)]))

    # --- payment rules on journal-derived payments (the expense line is the voucher's first line) ---
    test_invoice = inv.new()
    at(date(2019, 5, 15), lambda b: b.pay(date(2019, 5, 15), "支付水库水质检测费", GOODS, NAMES[GOODS],
                                          "30227 委托业务费", 3200.0, "湖南华测检测技术有限公司", invoice=test_invoice))
    at(date(2019, 9, 17), lambda b: b.pay(date(2019, 9, 17), "支付水库水质检测费", GOODS, NAMES[GOODS],
                                          "30227 委托业务费", 3200.0, "湖南华测检测技术有限公司", invoice=test_invoice)[0]
       .plant("duplicate-payment", f"票号{test_invoice}的水质检测费3,200元5月、9月各付一次",
              f"Invoice {test_invoice} (票号 column) paid in May and again in September"))
    at(date(2019, 9, 10), lambda b: b.pay(date(2019, 9, 10), "购买中秋节职工礼品", GOODS, NAMES[GOODS],
                                          "30229 福利费", 4800.0, "长沙友阿百货有限公司", invoice=inv.new())[0]
       .plant("prohibited-expense", "福利费列支中秋节礼品4,800元", "Mid-Autumn gifts for staff charged to welfare"))

    # --- journal-rule plants (voucher-maker-checker, voucher-unbalanced, voucher-number-gap), and the
    # payment rule they come with: each planted on the voucher's FIRST line (where the engine locates
    # voucher rules). If the engine's location differs, adjust the `.plant(...)` target and regenerate. ---
    def self_checked_payment(b):
        v = b.pay(date(2019, 7, 9), "支付防汛值班人员培训费", GOODS, NAMES[GOODS], "30216 培训费", 2800.0,
                  "湖南水利水电职业技术学院", invoice=inv.new(), maker="王建军", checker="王建军")
        v[0].plant("segregation-handler-approver", "付款凭证制单人与审核人都是王建军（经办=审核）",
                   "Paying voucher made and checked by 王建军")
        return v[0].plant("voucher-maker-checker", "凭证制单人与审核人为同一人（王建军）", "Voucher made and checked by one person")
    at(date(2019, 7, 9), self_checked_payment)

    def self_checked_accrual(b):
        v = b.voucher(date(2019, 10, 30), [
            ("计提10月应付水文监测服务费", GOODS, NAMES[GOODS], 6500.0, None,
             {"counterparty": "长沙市水文水资源勘测中心", "econ_class": "30227 委托业务费"}),
            ("计提10月应付水文监测服务费", "2302", "应付账款", None, 6500.0, {"counterparty": "长沙市水文水资源勘测中心"})],
            maker="李娟", checker="李娟")
        v[0].near("segregation-handler-approver", "制单=审核的凭证未付款（计提应付），不是付款记录",
                  "Made and checked by one person, but it pays nothing (an accrual)")
        return v[0].plant("voucher-maker-checker", "计提凭证制单人与审核人都是李娟", "Accrual voucher made and checked by 李娟")
    at(date(2019, 10, 30), self_checked_accrual)

    def unbalanced(b):
        text = "支付防汛编织袋款"
        v = b.voucher(date(2019, 6, 12), [
            (text, GOODS, NAMES[GOODS], 8600.0, None, {"counterparty": "湖南鑫源防汛物资有限公司",
                                                       "econ_class": "30218 专用材料费", "invoice_no": inv.new()}),
            (text, "1011", "零余额账户用款额度", None, 6800.0, None),  # 8,600 typed 6,800
            (text, "720101", "事业支出", 8600.0, None, {"econ_class": "30218 专用材料费"}),
            (text, "8001", "资金结存", None, 8600.0, None)])
        return v[0].plant("voucher-unbalanced", "财务会计分录借方8,600元、贷方6,800元，借贷不平（差1,800元）",
                          "Financial lines debit 8,600, credit 6,800: unbalanced by 1,800")
    at(date(2019, 6, 12), unbalanced)

    def before_gap(b):
        v = b.pay(date(2019, 11, 13), "支付泵站设备维修费", GOODS, NAMES[GOODS], "30213 维修（护）费", 5400.0,
                  "长沙宏达机电设备维修有限公司", cash="1002", invoice=inv.new())
        b.skip(11, 1)  # one voucher number never used
        return v[0].plant("voucher-number-gap", "11月凭证号缺一号（断号），定位于断号前的凭证",
                          "One voucher number missing in November (located at the voucher before it)")
    at(date(2019, 11, 13), before_gap)

    entries.sort(key=lambda e: e[0])
    for _, action in entries:
        action(book)
    first_may = next(v for v in book.vouchers if v[0].date.month == 5)
    first_may[0].near("voucher-number-gap", "5月凭证号从1号重新编号，不是断号", "May's numbers restart at 1: not a gap")
    first_may[0].near("voucher-maker-checker", "制单人与审核人不同", "Made and checked by different people")
    u.journal = book.lines()
    return u


def write_unit_d(u: UnitData, root: Path, reg: Registry) -> None:
    write_yonyou_csv(u, root / UNIT_D / JOURNAL_D, reg, f"{UNIT_D}/{JOURNAL_D}")

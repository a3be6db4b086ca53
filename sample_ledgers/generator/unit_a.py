"""长沙市示范科技局: its people, the data planted in its ledgers, and how its workbooks are laid out."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .build import AssetCards, Invoices, PaymentBook, month_days
from .cells import typed_amount, typed_bool, typed_date, typed_ratio
from .layout import (assign_vouchers, decision_cols, meeting_cols, special_fund_cols, st, with_month_subtotals,
                     write_payment_book)
from .records import (CHECK_READABLE, Appointment, Contract, Decision, Marker, Meeting, OvertimeMeal,
                      PriceLimit, Reception, SpecialFund, Staff, Supplier, UnitData)
from .ruleset import params
from .workbook import Col, Registry, new_book, save_stable, write_csv, write_sheet

UNIT_A = "长沙市示范科技局"
PENDING_INVOICE = "00782215"  # the invoice of the payment whose amount is typed 待定

STAFF_A_ACTIVE = [
    ("李建华", "局领导", "局长"), ("王志刚", "局领导", "副局长"), ("刘芳", "局领导", "副局长"),
    ("张敏", "办公室", "办公室主任"), ("周婷", "办公室", "科员"), ("马俊", "办公室", "驾驶员"),
    ("胡静", "财务室", "会计"), ("黄丽", "财务室", "出纳"), ("刘洋", "科技项目科", "科长"),
    ("陈晨", "科技项目科", "科员"), ("杨帆", "科技项目科", "科员"), ("赵磊", "科普宣传科", "科长"),
    ("孙倩", "科普宣传科", "科员"), ("吴昊", "成果转化科", "科长"), ("郑雪", "成果转化科", "科员"),
    ("林涛", "人事科", "科长"),
]
STAFF_A_LEFT = [
    ("陈志明", "科技项目科", "原科长", "退休", date(2018, 6, 30)),
    ("王磊", "科技项目科", "科员", "调离", date(2019, 3, 15)),
    ("何玉兰", "办公室", "原主任", "退休", date(2017, 12, 31)),
]


def build_unit_a(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_A)
    for name, dept, title in STAFF_A_ACTIVE:
        u.staff.append(Staff(UNIT_A, name, dept, title, "在职"))
    next(s for s in u.staff if s.name == "黄丽").near(
        "segregation-incompatible-posts", "会计胡静、出纳黄丽由不同的人担任，岗位已分离",
        "Accountant 胡静 and cashier 黄丽 are different people")
    for name, dept, title, status, left in STAFF_A_LEFT:
        u.staff.append(Staff(UNIT_A, name, dept, title, status, left))
    approvers = ["胡静", "王志刚"]
    handlers = ["周婷", "马俊", "陈晨", "杨帆", "孙倩", "郑雪", "黄丽"]
    pb = PaymentBook(UNIT_A, rng, inv, handlers, approvers)

    # --- reference tables -------------------------------------------------------------------
    fund_inno, fund_pop = "2019年科技创新引导专项", "2019年科普宣传专项"
    u.special_funds += [
        SpecialFund(UNIT_A, fund_inno, 2019, 800000.0, ["委托业务费", "专用材料费", "劳务费", "印刷费"],
                    "支持科技成果转化与科技服务", "长财教指〔2019〕12号"),
        SpecialFund(UNIT_A, fund_pop, 2019, 200000.0, ["印刷费", "委托业务费"], "科普宣传与科技活动周",
                    "长财教指〔2019〕21号"),
    ]
    print_a1, print_a2 = "湖南星辰印务（长沙）有限公司", "长沙彩虹印刷有限公司"
    car_a1, car_a2 = "长沙顺达汽车维修服务有限公司", "中国石化销售股份有限公司湖南长沙石油分公司"
    u.suppliers += [
        Supplier(UNIT_A, print_a1, "印刷费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_A, print_a2, "印刷费", date(2018, 7, 1), date(2020, 6, 30)),
        Supplier(UNIT_A, car_a1, "公务用车运行维护费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_A, car_a2, "公务用车运行维护费", date(2019, 1, 1), date(2021, 12, 31)),
    ]
    u.price_limits += [
        PriceLimit(UNIT_A, "便携式计算机", 7500.0, "长财资〔2019〕5号（本单位批复）"),
        PriceLimit(UNIT_A, "台式计算机", 5000.0, "财资〔2016〕27号"),
    ]

    # --- contracts (sheet 2019年合同 in 万元, sheet 2018年续签合同 in 元) ----------------------
    C = lambda *a, **k: Contract(UNIT_A, *a, **k)  # noqa: E731
    c1 = C("CSKJ-2019-001", "科技信息平台升级改造项目", "湖南智联信息技术有限公司", 681000.0, date(2019, 2, 25), True, True,
           date(2019, 3, 1), date(2019, 10, 30), 0.2, 15)
    c1.plant("payment-over-contract", "68.1万元合同累计付款72.6万元，超合同金额（验收后追加开发费无补充协议）",
             "Contract of 681,000 paid 726,000 in total (extra development fee without an amendment)")
    c2 = C("CSKJ-2019-002", "2019年科技活动周策划执行服务", "湖南博文会展服务有限公司", 298000.0, date(2019, 4, 10), True,
           True, date(2019, 4, 15), date(2019, 5, 31), None, None)
    c2.near("payment-over-contract", "29.8万元合同分两次各付14.9万元，未超合同金额",
            "Contract of 298,000 paid 149,000 + 149,000: not over")
    c3 = C("CSKJ-2019-003", "科技成果转化服务外包", "湖南科技评估咨询有限公司", 125000.0, date(2019, 5, 20), True, True,
           date(2019, 5, 20), date(2019, 12, 20), 0.3, 10)
    c3.near("contract-signed-late", "合同签订当日开工，不属于先履行后签订", "Signed the same day work started: not late")
    c3.near("contract-prepay-ratio", "预付比例恰为30%，未超过上限", "Prepayment exactly 30%: not over the limit")
    c3.near("payment-over-contract", "累计付款恰等于合同金额12.5万元", "Paid exactly the contract amount: not over")
    c4 = C("CSKJ-2019-004", "办公区网络安全等级保护测评", "湖南安信网络安全技术有限公司", 86000.0, None, True, True,
           date(2019, 6, 3), date(2019, 7, 15), None, None)
    c4.plant("contract-missing-elements", "合同未填签订日期", "Contract without a sign date")
    c5 = C("CSKJ-2019-005", "科普宣传视频制作", "长沙光影传媒有限公司", 32000.0, date(2019, 6, 20), True, False,
           date(2019, 6, 25), date(2019, 8, 30), None, None)
    c5.plant("contract-missing-elements", "合同未盖章", "Contract not sealed")
    c6 = C("CSKJ-2019-006", "科技政策研究课题委托", "湖南星城科技政策研究院", 156000.0, date(2019, 7, 15), True, True,
           date(2019, 7, 1), date(2019, 12, 15), 0.2, 15)
    c6.plant("contract-signed-late", "合同7月15日签订，晚于7月1日开始履行", "Signed 15 July, after work started on 1 July")
    c7 = C("CSKJ-2019-007", "科技成果数据库建设", "湖南数智科技有限公司", 368000.0, date(2019, 8, 5), True, True,
           date(2019, 8, 12), None, 0.5, 7)
    c7.plant("contract-prepay-ratio", "合同约定预付50%，超过30%上限", "Contract prepays 50%, over the 30% limit")
    c8 = C("CSKJ-2019-008", "办公家具采购", "长沙美居办公家具有限公司", 96000.0, date(2019, 3, 18), True, True,
           date(2019, 3, 25), date(2019, 4, 10), None, None)
    c8.near("collective-decision-missing", "9.6万元小额合同无需三重一大决策", "Contract of 96,000 below the threshold: no decision needed")
    c8.near("contract-missing-elements", "签订日期、签字、盖章三要素齐全", "Sign date, signature and seal all present")
    c9 = C("CSKJ-2019-009", "2019年度法律顾问服务", "湖南正言律师事务所", 48000.0, date(2019, 1, 8), True, True,
           date(2019, 1, 8), date(2019, 12, 31), None, None)
    c10 = C("CSKJ-2019-010", "科技大数据平台运维", "湖南智联信息技术有限公司", 100000.0, date(2019, 9, 2), True, True,
            date(2019, 9, 10), None, 0.1, 10)
    c10.near("collective-decision-missing", "恰为10万元的合同有三重一大决策记录", "Contract of exactly 100,000 with its decision")
    c11 = C("CSKJ-2018-012", "办公用房租赁合同", "长沙麓谷置业有限公司", 222000.0, date(2018, 12, 20), True, True,
            date(2019, 1, 1), date(2019, 12, 31), None, None)
    c12 = C("CSKJ-2018-013", "物业管理服务合同", "长沙华远物业管理有限公司", 38400.0, date(2018, 12, 25), True, True,
            date(2019, 1, 1), date(2019, 12, 31), None, None)
    c2.style = {"sign_date": "cn"}
    c9.style = {"start_date": "dot"}
    u.contracts += [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12]

    # --- payments -----------------------------------------------------------------------------
    rent = "长沙麓谷置业有限公司"
    for m in range(1, 13):
        p = pb.add(date(2019, m, 5) if date(2019, m, 5).weekday() < 5 else month_days(rng, m, 5, 8),
                   f"支付{m}月办公用房租金", "租赁费", 18500.0, rent, contract="CSKJ-2018-012")
        if m in (2, 3):
            p.near("duplicate-payment", f"{m}月房租与其他月份金额相同但发票号不同，不是重复支付",
                   f"Monthly rent for month {m}: same amount, different invoice numbers")
    for q, m in enumerate((1, 4, 7, 10), start=1):
        pb.add(month_days(rng, m, 10, 15), f"支付2019年第{q}季度物业管理费", "物业管理费", 9600.0,
               "长沙华远物业管理有限公司", contract="CSKJ-2018-013")
    for m in range(1, 13):
        pb.add(month_days(rng, m, 15, 20), f"支付{m}月电费", "水电费", round(rng.uniform(2000, 4500), 2),
               "国网湖南省电力有限公司长沙供电分公司")
        pb.add(month_days(rng, m, 20, 26), f"支付{m}月宽带及电话费", "邮电费", 1280.0,
               "中国电信股份有限公司长沙分公司")
        if m % 2 == 0:
            pb.add(month_days(rng, m, 10, 14), f"支付{m - 1}-{m}月水费", "水电费", round(rng.uniform(300, 700), 2),
                   "长沙水业集团有限公司")
    office = ["长沙恒信办公用品有限公司", "湖南天天办公设备有限公司"]
    office_items = ["购买办公用品（打印纸、签字笔）", "购买打印机硒鼓、墨盒", "购买档案盒、文件夹",
                    "购买复印纸", "购买会议室白板及配件", "购买U盘、移动硬盘"]
    for m in range(1, 13):
        pb.add(month_days(rng, m), rng.choice(office_items), "办公费", round(rng.uniform(300, 4800), 0),
               rng.choice(office))
    for m in (1, 3, 5, 6, 9, 11):
        pb.add(month_days(rng, m), rng.choice(["印制《科技工作简报》", "印制科技政策汇编", "印制会议材料"]), "印刷费",
               round(rng.uniform(1500, 9000), 0), rng.choice([print_a1, print_a2]))
    for m in range(1, 13):
        pb.add(month_days(rng, m), "公务用车加油费", "公务用车运行维护费", round(rng.uniform(600, 1500), 2), car_a2)
        if m % 3 == 0:
            pb.add(month_days(rng, m), "公务用车维修保养", "公务用车运行维护费", round(rng.uniform(800, 3600), 0), car_a1)
    travellers = ["刘洋", "陈晨", "杨帆", "赵磊", "孙倩", "吴昊", "郑雪", "林涛", "王志刚", "刘芳"]
    trips = ["赴北京参加科技部业务培训差旅费", "赴上海考察科技成果转化差旅费", "赴株洲开展科技项目检查差旅费",
             "赴岳阳参加全省科技工作会差旅费", "赴深圳参加高交会差旅费"]
    for m in range(1, 13):
        for _ in range(2):
            who = rng.choice(travellers)
            pb.add(month_days(rng, m), rng.choice(trips), "差旅费", round(rng.uniform(600, 4200), 0), who,
                   issuer=None, invoice=None, handler=who if who not in approvers else "周婷")
    pb.add(date(2019, 4, 16), "赴北京参加科技部业务培训差旅费", "差旅费", 2860.0, "陈晨", issuer=None, invoice=None,
           handler="陈晨")
    t2 = pb.add(date(2019, 4, 16), "赴北京参加科技部业务培训差旅费", "差旅费", 2860.0, "杨帆", issuer=None, invoice=None,
                handler="杨帆")
    t2.near("duplicate-payment", "两人同行差旅费金额相同、均无发票号，不是重复支付",
            "Two travellers' identical claims without invoice numbers: not duplicates")
    t2.near("duplicate-payment-no-invoice", "两人同日同额差旅费，收款人不同，不是重复支付",
            "Two travellers paid the same amount the same day: different payees, not duplicates")
    for m in (3, 5, 8, 10, 12):
        pb.add(month_days(rng, m), rng.choice(["接待株洲市科技局调研组工作餐", "接待湘潭市科技局考察组工作餐"]),
               "公务接待费", round(rng.uniform(500, 1100), 0), "长沙麓山宾馆有限公司")
    for m in (2, 6, 9):
        pb.add(month_days(rng, m), "办公楼空调维修", "维修（护）费", round(rng.uniform(800, 3000), 0), "长沙凯达制冷设备有限公司")
    # contract payments (the 68.1万 contract is overpaid; the 29.8万 one is paid in two equal halves)
    pb.add(date(2019, 3, 8), "科技信息平台升级改造项目预付款", "信息网络及软件购置更新", 136200.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 9, 20), "科技信息平台升级改造项目进度款", "信息网络及软件购置更新", 476700.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 11, 12), "科技信息平台升级改造项目尾款", "信息网络及软件购置更新", 68100.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 12, 10), "科技信息平台追加功能开发费", "信息网络及软件购置更新", 45000.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 4, 26), "科技活动周策划执行服务费（第一期）", "委托业务费", 149000.0, c2.counterparty,
           contract=c2.contract_no, fund=fund_pop)
    pb.add(date(2019, 6, 10), "科技活动周策划执行服务费（第二期）", "委托业务费", 149000.0, c2.counterparty,
           contract=c2.contract_no, fund=fund_pop)
    f_ok = pb.add(date(2019, 5, 28), "科技成果转化服务外包预付款", "委托业务费", 37500.0, c3.counterparty,
                  contract=c3.contract_no, fund=fund_inno)
    f_ok.near("special-fund-off-purpose", "专项资金支付允许的委托业务费，摘要正常",
              "Special fund paying an allowed class with a neutral summary")
    pb.add(date(2019, 12, 26), "科技成果转化服务外包尾款", "委托业务费", 87500.0, c3.counterparty,
           contract=c3.contract_no, fund=fund_inno)
    pb.add(date(2019, 7, 25), "网络安全等级保护测评费", "委托业务费", 86000.0, c4.counterparty, contract=c4.contract_no)
    pb.add(date(2019, 9, 5), "科普宣传视频制作费", "委托业务费", 32000.0, c5.counterparty, contract=c5.contract_no,
           fund=fund_pop)
    pb.add(date(2019, 7, 22), "科技政策研究课题预付款", "委托业务费", 31200.0, c6.counterparty, contract=c6.contract_no,
           fund=fund_inno)
    pb.add(date(2019, 8, 20), "科技成果数据库建设预付款", "信息网络及软件购置更新", 184000.0, c7.counterparty,
           contract=c7.contract_no)
    pb.add(date(2019, 4, 15), "办公家具采购款", "办公设备购置", 96000.0, c8.counterparty, contract=c8.contract_no)
    pb.add(date(2019, 6, 28), "法律顾问服务费（上半年）", "咨询费", 24000.0, c9.counterparty, contract=c9.contract_no)
    pb.add(date(2019, 12, 20), "法律顾问服务费（下半年）", "咨询费", 24000.0, c9.counterparty, contract=c9.contract_no)
    pb.add(date(2019, 10, 15), "科技大数据平台运维费", "委托业务费", 50000.0, c10.counterparty, contract=c10.contract_no)
    # special-fund printing to a listed supplier
    pb.add(date(2019, 5, 9), "印制科技活动周宣传册", "印刷费", 12600.0, print_a2, fund=fund_pop).near(
        "non-designated-supplier", "印刷费付给名录内且在有效期内的定点供应商",
        "Printing paid to a listed designated supplier within its validity")
    # experts' review fees: the outside expert and the retired former employee are not flagged
    e1 = pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "周建国", issuer=None, invoice=None,
                fund=fund_inno)
    e1.near("staff-paid-review-fee", "评审费付给外单位专家（湖南大学），不在本单位名册",
            "Review fee paid to an outside expert, not in the roster")
    e2 = pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "陈志明", issuer=None, invoice=None,
                fund=fund_inno)
    e2.near("staff-paid-review-fee", "评审费付给已退休的原科长陈志明，不属在职人员",
            "Review fee paid to a retired former section chief: not serving staff")
    e2.near("payee-invoice-mismatch", "个人劳务无发票开具单位（空白），不比对", "Personal fee with a blank issuer: not compared")
    e2.near("duplicate-payment", "多笔同额评审费均无发票号，不是重复支付", "Equal review fees with blank invoice numbers: not duplicates")
    pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "刘洋", issuer=None, invoice=None,
           fund=fund_inno).plant("staff-paid-review-fee", "向在职科长刘洋发放项目立项评审费1000元",
                                 "Review fee of 1,000 paid to serving section chief 刘洋")
    pb.add(date(2019, 11, 20), "科技成果转化项目专家咨询费", "劳务费", 1500.0, "黎晓东", issuer=None, invoice=None,
           fund=fund_inno)

    # --- planted payment findings -------------------------------------------------------------
    pb.add(date(2019, 3, 12), "科技成果展览展台搭建服务费", "委托业务费", 12800.0, "长沙华彩广告有限公司",
           invoice="00571234")
    pb.add(date(2019, 10, 15), "科技成果展览展台搭建服务费", "委托业务费", 12800.0, "长沙华彩广告有限公司",
           invoice="No.00571234").plant(
        "duplicate-payment", "同一张发票（00571234 / No.00571234）3月、10月两次支付12,800元",
        "Invoice 00571234 (No.00571234 on the copy) paid twice, March and October, 12,800 each")
    pb.add(date(2019, 5, 20), "科技文旅融合展会展服务费", "委托业务费", 6800.0, "湖南博文会展服务有限公司",
           invoice="04418876")
    pb.add(date(2019, 4, 18), "支付2018年度科技成果评价服务费", "委托业务费", 24000.0, "湖南科技评估咨询有限公司",
           fund=fund_inno).plant("special-fund-off-purpose", "用2019年专项资金支付2018年度的评价服务费",
                                 "2019 special fund paying a 2018 cost")
    pb.add(date(2019, 1, 25), "春节慰问科技特派员", "福利费", 8600.0, "长沙惠民超市有限公司", fund=fund_inno).plant(
        "special-fund-off-purpose", "科技创新专项资金用于春节慰问（福利费不在批复范围）",
        "Special fund spent on Spring Festival 慰问 (福利费 is outside the approved classes)")
    pb.add(date(2019, 9, 10), "购买购物卡（中秋职工活动）", "其他商品和服务支出", 20000.0, "长沙惠民超市有限公司").plant(
        "prohibited-expense", "以职工活动名义购买购物卡2万元", "Shopping cards bought as a staff activity, 20,000")
    pb.add(date(2019, 8, 14), "印制科普宣传折页", "印刷费", 8600.0, "长沙速印图文快印店").plant(
        "non-designated-supplier", "印刷费付给不在定点名录的图文快印店", "Printing paid to a copy shop not on the designated list")
    pb.add(date(2019, 6, 18), "购买办公耗材（硒鼓、墨盒）", "办公费", 4350.0, "长沙明达贸易有限公司",
           issuer="长沙恒远商贸有限公司").plant(
        "payee-invoice-mismatch", "收款单位长沙明达贸易有限公司与发票开具单位长沙恒远商贸有限公司不一致",
        "Paid to one company against another company's invoice")
    pb.add(date(2019, 7, 9), "印制《2019年科技工作要点》", "印刷费", 3680.0, print_a1, issuer="湖南星辰印务(长沙)有限公司").near(
        "payee-invoice-mismatch", "收款单位与开票单位仅全角/半角括号不同，视为一致",
        "Payee and issuer differ only in full/half-width brackets: the same")
    pb.add(date(2019, 5, 14), "购买会议用纸杯、矿泉水", "办公费", 680.0, "长沙恒信办公用品有限公司", handler="张敏",
           approver="张敏").plant("segregation-handler-approver", "经办人与审核人同为张敏",
                                  "Handler and approver are both 张敏")
    pb.add(date(2019, 2, 26), "购买打印纸", "办公费", 1260.0, "长沙恒信办公用品有限公司", handler="周婷",
           approver=None).near("segregation-handler-approver", "审核人空白，不判为同一人",
                               "Blank approver: not the same person")
    pb.add(date(2019, 3, 20), "购买档案密集架", "办公设备购置", 12000.0, "长沙恒信办公用品有限公司",
           style={"amount": "capital"}).near("prohibited-expense", "正常办公设备购置（金额大写录入）",
                                             "Ordinary office equipment (amount typed in 大写)")
    # Same shop, same amount, same day, no invoice number, two vouchers (handler and approver given,
    # so no random draw moves the rest of the data).
    pb.add(date(2019, 11, 6), "购买办公用品（收据报销）", "办公费", 960.0, "长沙恒信办公用品有限公司", issuer=None,
           invoice=None, handler="周婷", approver="胡静").near(
        "duplicate-payment", "无发票号码的付款不按发票比对", "No invoice number: not compared by invoice")
    pb.add(date(2019, 11, 6), "购买办公用品（收据报销）", "办公费", 960.0, "长沙恒信办公用品有限公司", issuer=None,
           invoice=None, handler="周婷", approver="胡静").plant(
        "duplicate-payment-no-invoice", "同日向长沙恒信办公用品有限公司两次支付960元，均无发票号码",
        "960 paid twice the same day to the same shop, both without an invoice number")
    # a few amounts and dates typed as text, like hand-kept ledgers
    styled = [p for p in pb.items if not p.plants and not p.nears and p.contract_no is None]
    for p, style in zip(rng.sample(styled, 10), [{"amount": "comma"}, {"amount": "comma"}, {"amount": "yen"},
                                                   {"date": "cn"}, {"date": "cn"}, {"date": "dot"}, {"date": "slash"},
                                                   {"date": "compact"}, {"date": "slash", "amount": "comma"},
                                                   {"date": "dot", "amount": "yen"}]):
        p.style = style
    for p in rng.sample([p for p in styled if p.invoice_no and not p.style], 4):
        p.invoice_no = "No." + p.invoice_no  # prefixes on unique numbers change nothing
    # A bad cell on purpose (added after the random styling, so the rest of the data is unchanged):
    # the second payment on the same invoice has its amount typed 待定. Were it read as 5,600 it
    # would duplicate the July payment; unreadable, it must give no duplicate finding.
    pb.add(date(2019, 7, 18), "科技馆巡展展品运输服务费", "委托业务费", 5600.0, "长沙速达物流有限公司",
           invoice=PENDING_INVOICE, handler="孙倩", approver="胡静")
    pb.add(date(2019, 11, 14), "科技馆巡展展品运输服务费", "委托业务费", 5600.0, "长沙速达物流有限公司",
           invoice=PENDING_INVOICE, handler="孙倩", approver="胡静").bad_cell(
        "amount", "待定", CHECK_READABLE, would="duplicate-payment",
        zh="金额填为“待定”无法识别，与7月同发票付款不据以判重复（列入数据质量问题）",
        en="Amount typed 待定: unreadable, so no duplicate with the July payment on the same invoice (a data-quality issue)")
    # Holiday gifts (every value given, so no random draw moves the rest of the data).
    pb.add(date(2019, 6, 3), "购买端午节慰问品", "福利费", 6800.0, "长沙惠民超市有限公司", invoice="05530618",
           handler="孙倩", approver="胡静").plant(
        "holiday-gift", "福利费列支端午节慰问品6,800元", "Dragon Boat Festival gifts for staff booked as 福利费, 6,800")
    pb.add(date(2019, 1, 28), "春节慰问困难职工", "福利费", 2000.0, "王建华", issuer=None, invoice=None,
           handler="孙倩", approver="胡静").near(
        "holiday-gift", "春节慰问困难职工，不属违规发放节日福利", "Spring Festival help for a staff member in hardship: allowed")
    u.payments = pb.items

    # --- receptions, overtime meals --------------------------------------------------------------
    R = lambda *a, **k: Reception(UNIT_A, *a, **k)  # noqa: E731
    guests = [("株洲市科学技术局", "株洲市"), ("湘潭市科学技术局", "湘潭市"), ("岳阳市科学技术局", "岳阳市"),
              ("衡阳市科学技术局", "衡阳市"), ("常德市科学技术局", "常德市"), ("武汉市科学技术局", "武汉市")]
    for m in (1, 3, 4, 5, 7, 9, 10, 11):
        unit_, loc_ = rng.choice(guests)
        g, c = rng.randint(2, 6), rng.randint(1, 3)
        u.receptions.append(R(month_days(rng, m), unit_, loc_, g, c, float(rng.randint(80, 140) * (g + c)),
                              rng.random() < 0.8))
    u.receptions += [
        R(date(2019, 8, 21), "株洲市科学技术局", "株洲市", 4, 2, 1280.0, True).plant(
            "meal-reception-per-head", "接待6人用餐1280元，人均213元超过150元标准", "1,280 for 6 diners: 213 per head over 150"),
        R(date(2019, 6, 12), "湘潭市科学技术局", "湘潭市", 5, 3, 1200.0, True).near(
            "meal-reception-per-head", "8人用餐1200元，人均恰为150元", "1,200 for 8 diners: exactly 150 per head"),
        R(date(2019, 2, 20), "岳阳市科学技术局", "岳阳市", None, None, 960.0, True).near(
            "meal-reception-per-head", "接待人数、陪同人数未填，不计算人均", "Counts missing: per head not computed"),
        R(date(2019, 12, 10), "长沙县科学技术局", "长沙县", 3, 2, 600.0, False).plant(
            "reception-same-city", "接待同城（长沙县）来访单位并安排公务用餐", "Official meal for guests from 长沙县 (same city)"),
        R(date(2019, 10, 24), "国家科技部火炬中心调研组", None, 3, 2, 600.0, True).near(
            "reception-same-city", "来访单位所在地空白，不判同城", "Blank guest location: not same city"),
    ]
    u.receptions.sort(key=lambda r: r.date)
    next(r for r in u.receptions if r.guest_location in ("株洲市", "湘潭市") and not r.plants).near(
        "reception-same-city", "株洲、湘潭等外地来访接待不属同城", "Guests from another city (株洲/湘潭): not same city")

    O = lambda *a, **k: OvertimeMeal(UNIT_A, *a, **k)  # noqa: E731
    reasons = ["编制年度部门预算", "科技项目申报材料集中审核", "迎接省科技厅检查准备材料", "年终决算",
               "高新技术企业认定材料初审", "科技活动周筹备"]
    dstyles = ["slash", "iso", "cn", "compact", "slash"]
    for m in (1, 3, 4, 5, 6, 9, 10, 11, 12):
        n = rng.randint(4, 12)
        u.overtime_meals.append(O(month_days(rng, m), rng.choice(reasons), n, n, float(n * rng.randint(18, 28)),
                                  "张敏", style={"date": rng.choice(dstyles)}))
    u.overtime_meals += [
        O(date(2019, 7, 16), "科技项目申报材料集中审核", 10, 10, 420.0, "张敏", style={"date": "cn"}).plant(
            "meal-overtime-per-head", "加班餐10人420元，人均42元超过30元标准", "Overtime meal 420 for 10: 42 per head over 30"),
        O(date(2019, 8, 6), "编制年度部门预算", 12, 9, 225.0, "张敏", style={"date": "slash"}).plant(
            "overtime-headcount-mismatch", "加班餐申请12人、实际就餐9人，人数不符", "Overtime meal applied for 12, 9 ate"),
        O(date(2019, 2, 27), "年终决算", 8, 8, 240.0, "张敏", style={"date": "compact", "amount": "yen"}).near(
            "meal-overtime-per-head", "加班餐8人240元，人均恰为30元", "240 for 8: exactly 30 per head"),
    ]
    u.overtime_meals[0].near("overtime-headcount-mismatch", "申请人数与实际就餐人数一致", "Applied = actual headcount")
    u.overtime_meals.sort(key=lambda r: r.date)

    # --- assets ---------------------------------------------------------------------------------
    depts = {s[0]: s[1] for s in STAFF_A_ACTIVE}
    active_users = ["周婷", "陈晨", "杨帆", "孙倩", "郑雪", "刘洋", "赵磊", "吴昊", "林涛", "胡静", "黄丽", "张敏"]
    asset = AssetCards(u, "KJ{:05d}", depts).add

    for i in range(8):
        acq = date(2019, rng.randint(1, 10), rng.randint(1, 25))
        user = active_users[i]
        asset("台式计算机", "台式计算机", rng.choice(["联想启天M420", "清华同方超越E500"]), rng.randrange(4200, 4990, 10),
              acq, acq + timedelta(days=rng.randint(3, 20)), user, dept=depts[user])
    for i in range(3):
        acq = date(2019, rng.randint(1, 10), rng.randint(1, 25))
        asset("A4黑白激光打印机", "A4黑白打印机", "惠普M403d", rng.randrange(900, 1190, 10), acq,
              acq + timedelta(days=rng.randint(2, 15)), active_users[i + 3])
    a = asset("便携式计算机", "便携式计算机", "联想ThinkPad X1", 7200, date(2019, 5, 6), date(2019, 5, 15), "刘洋")
    a.near("asset-unit-price-over-limit", "便携式计算机7200元，本单位批复限额7500元，未超标",
           "Laptop at 7,200 under the unit's own 7,500 limit")
    asset("复印机", "复印机", "理光MP3055", 26800, date(2019, 4, 8), date(2019, 4, 20), "周婷")
    asset("柜式空调", "空调机", "格力KFR-72LW", 12600, date(2019, 6, 3), date(2019, 6, 18), "张敏").near(
        "asset-unit-price-over-limit", "空调机无配置限额，不比对", "Air conditioner: no limit for the category")
    asset("台式计算机", "台式计算机", "联想启天M420", 4680, date(2018, 11, 20), date(2019, 1, 16), "陈晨").plant(
        "asset-booked-late", "2018年11月20日购置的计算机2019年1月16日才入账（57天）",
        "Computer bought 20 Nov 2018 booked 16 Jan 2019 (57 days)")
    asset("A4黑白激光打印机", "A4黑白打印机", "惠普M403d", 1150, date(2019, 3, 1), date(2019, 3, 31), "杨帆").near(
        "asset-booked-late", "购置后第30天入账，未超过30天", "Booked on day 30: within the window")
    asset("台式计算机", "台式计算机", "清华同方超越E500", 4850, date(2018, 6, 11), date(2018, 6, 20), "王磊",
          dept="科技项目科").plant("asset-user-departed", "资产使用人王磊已于2019年3月调离，资产未收回",
                                   "Asset still assigned to 王磊, transferred out in March 2019")
    asset("投影仪", "投影仪", "爱普生CB-X05", 3980, date(2019, 7, 2), date(2019, 7, 10), "周立新", dept="办公室").near(
        "asset-user-departed", "使用人周立新（借调人员）不在人员名册，不判定", "User not in the roster: not flagged")
    u.assets[0].near("asset-user-departed", "使用人在职", "User in service")
    for a in u.assets:
        if a.acquired_date.month in (2, 5, 8) and not a.plants and not a.nears:
            a.style = {"acquired_date": "dot"}

    # --- decisions, meetings, appointments -------------------------------------------------------
    members = "李建华、王志刚、刘芳、张敏、林涛"
    party_dates = []
    for m in range(1, 13):
        party_dates.append(month_days(rng, m, 3, 9))
        if m in (2, 7, 12):
            party_dates.append(month_days(rng, m, 12, 14))
    party_dates = sorted(set(party_dates))
    for k, d in enumerate(party_dates, start=1):
        u.meetings.append(Meeting(UNIT_A, d, f"2019年第{k}次党组会议", "党组会议", "李建华", "张敏", members, 5, 5, 5))
    u.meetings[4].recorder = None
    u.meetings[4].plant("meeting-record-incomplete", "党组会议记录未填记录人", "Party group minutes without a recorder")
    u.meetings[8].present, u.meetings[8].signed_in = 5, 4
    u.meetings[8].plant("meeting-attendance-mismatch", "党组会议实到5人、签到4人，人数不符", "Present 5 but 4 signed in")
    u.meetings[2].present = u.meetings[2].signed_in = 4
    u.meetings[2].near("meeting-attendance-mismatch", "应到5人、实到4人、签到4人，一致", "Expected 5, present = signed in = 4")
    u.meetings[3].near("meeting-record-incomplete", "记录要素齐全", "Complete record")
    study_members = "李建华、王志刚、刘芳、张敏、林涛、刘洋、赵磊、吴昊"
    topics = ["学习习近平新时代中国特色社会主义思想", "学习党章党规", "学习全国科技创新大会精神",
              "学习《中国共产党纪律处分条例》", "\u201c不忘初心、牢记使命\u201d主题教育专题学习"]
    for m in range(1, 13):
        d = month_days(rng, m, 16, 26)
        u.meetings.append(Meeting(UNIT_A, d, f"党组理论学习中心组2019年第{m}次集体学习（{rng.choice(topics)}）",
                                  "党组理论学习中心组学习", "李建华", "周婷", study_members, 8, 8, 8))
    u.meetings[-1].near("study-session-gap", "科技局全年每月均有中心组学习，不缺月",
                        "A unit with a study session every month: no gap")

    def decision_for(c: Contract) -> None:
        before = [m for m in u.meetings if m.kind == "党组会议" and m.date < (c.sign_date or c.start_date)]
        mt = before[-1] if before else None
        d = mt.date if mt else c.sign_date - timedelta(days=10)
        name = mt.name if mt else "2018年第12次党组会议"
        u.decisions.append(Decision(UNIT_A, d, name, f"审议{c.name}（{c.counterparty}）", c.amount, c.contract_no,
                                    "同意"))

    for c in u.contracts:
        if c.amount >= params()["major_amount_threshold"]:
            decision_for(c)
    u.decisions.append(Decision(UNIT_A, party_dates[0], "2019年第1次党组会议", "审议2019年部门预算分配方案", 5820000.0, None,
                                "同意"))
    u.decisions.sort(key=lambda x: x.date)
    next(x for x in u.decisions if x.contract_no == "CSKJ-2019-001").near(
        "collective-decision-missing", "68.1万元合同有党组会议决策记录", "The 681,000 contract has its decision")

    P = lambda *a, **k: Appointment(UNIT_A, *a, **k)  # noqa: E731
    u.appointments += [
        P("陈晨", "科技项目科副科长", date(2019, 3, 11), date(2019, 3, 14)).plant(
            "publicity-period-short", "任前公示3月11日至14日仅4个工作日", "Pre-appointment notice 11–14 March: 4 working days"),
        P("孙倩", "科普宣传科副科长", date(2019, 3, 18), date(2019, 3, 22)).near(
            "publicity-period-short", "周一至周五公示满5个工作日", "Monday to Friday: 5 working days"),
        P("郑雪", "成果转化科副科长", date(2019, 4, 10), date(2019, 4, 16), style={"start": "slash", "end": "slash"}).near(
            "publicity-period-short", "跨周末公示（周三至下周二）满5个工作日", "Wednesday to next Tuesday across a weekend: 5 working days"),
        P("杨帆", "科技项目科科长", date(2019, 11, 4), date(2019, 11, 8), style={"start": "cn", "end": "cn"}),
    ]
    return u


def write_unit_a(u: UnitData, root: Path, reg: Registry) -> None:
    d = root / UNIT_A
    note = f"编制单位：{UNIT_A}        单位：元"

    heads = {"date": "日期", "voucher_no": "凭证号", "summary": "摘要", "econ_class": "经济分类", "amount": "金额（元）",
             "payee": "收款单位", "invoice_issuer": "发票开具单位", "invoice_no": "发票号码", "contract_no": "合同编号",
             "fund_source": "资金来源", "handler": "经办人", "approver": "审核人"}
    write_payment_book(root, reg, UNIT_A, assign_vouchers(u.payments), sheets=("2019年上半年", "2019年下半年"),
                       title=f"{UNIT_A}2019年付款明细账", note=note, headers=heads,
                       rows=lambda sheet, part: with_month_subtotals(part))

    wb = new_book()
    file = f"{UNIT_A}/合同台账.xlsx"
    wan = [c for c in u.contracts if c.contract_no.startswith("CSKJ-2019")]
    yuan = [c for c in u.contracts if c.contract_no.startswith("CSKJ-2018")]
    write_sheet(wb.create_sheet("2019年合同"), reg, file, title=f"{UNIT_A}2019年合同台账", note="单位：万元", cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=28), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额(万元)", lambda c: c.amount / 10000, fmt="0.00", width=12),
        Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date, st(c, "sign_date", "excel"))),
        Col("signed", "签字", lambda c: typed_bool(c.signed, "check"), parent="合同要素", width=8),
        Col("sealed", "盖章", lambda c: typed_bool(c.sealed, "seal"), parent="合同要素", width=9),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date, st(c, "start_date", "excel"))),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date, "excel")),
        Col("prepay_ratio", "预付比例", lambda c: typed_ratio(c.prepay_ratio), width=9),
        Col("prepay_days", "预付期限（天）", width=10),
    ], rows=wan)
    write_sheet(wb.create_sheet("2018年续签合同"), reg, file, title=f"{UNIT_A}跨年度合同台账", note=note, cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=24), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额（元）", width=14), Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date)),
        Col("signed", "签字", lambda c: typed_bool(c.signed, "shi")), Col("sealed", "盖章", lambda c: typed_bool(c.sealed, "shi")),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date)),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date)),
    ], rows=yuan)
    save_stable(wb, d / "合同台账.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/固定资产卡片.xlsx"
    write_sheet(wb.create_sheet("资产卡片"), reg, file, title=f"{UNIT_A}固定资产卡片明细表", note=note, cols=[
        Col("asset_no", "资产编号", width=10), Col("name", "资产名称", width=18), Col("category", "资产分类", width=14),
        Col("model", "规格型号", width=18), Col("unit_price", "单价", width=11), Col("quantity", "数量", width=6),
        Col("acquired_date", "取得日期", lambda a: typed_date(a.acquired_date, st(a, "acquired_date", "excel"))),
        Col("booked_date", "入账日期", lambda a: typed_date(a.booked_date)),
        Col("user", "使用人", width=9), Col("department", "使用部门", width=12),
    ], rows=u.assets)
    write_sheet(wb.create_sheet("配置限额"), reg, file, title=f"{UNIT_A}通用办公设备配置限额（本单位批复）", note=note, cols=[
        Col("category", "品目名称", width=16), Col("limit", "单价上限（元）", width=14), Col("basis", "依据", width=30),
    ], rows=u.price_limits)
    save_stable(wb, d / "固定资产卡片.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/人员名册.xlsx"
    staff_cols = [Col("name", "姓名", width=9), Col("department", "部门", width=12), Col("title", "职务", width=12),
                  Col("status", "人员状态", width=9), Col("left_date", "调离（退休）日期", lambda s: typed_date(s.left_date), width=14)]
    write_sheet(wb.create_sheet("在职人员"), reg, file, title=f"{UNIT_A}在职人员名册", note=None, cols=staff_cols,
                rows=[s for s in u.staff if s.status == "在职"])
    write_sheet(wb.create_sheet("离退休及调离人员"), reg, file, title=f"{UNIT_A}离退休及调离人员名册", note=None,
                cols=staff_cols, rows=[s for s in u.staff if s.status != "在职"])
    write_sheet(wb.create_sheet("任前公示"), reg, file, title=f"{UNIT_A}2019年干部任前公示登记", note=None, cols=[
        Col("name", "姓名", width=9), Col("post", "拟任职务", width=18),
        Col("start", "公示开始日期", lambda a: typed_date(a.start, st(a, "start", "excel")), width=14),
        Col("end", "公示结束日期", lambda a: typed_date(a.end, st(a, "end", "excel")), width=14),
    ], rows=u.appointments)
    save_stable(wb, d / "人员名册.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/会议记录.xlsx"
    mcols = meeting_cols()
    write_sheet(wb.create_sheet("党组会议"), reg, file, title=f"{UNIT_A}2019年党组会议记录登记", note=None, cols=mcols,
                rows=[m for m in u.meetings if m.kind == "党组会议"])
    write_sheet(wb.create_sheet("中心组学习"), reg, file, title=f"{UNIT_A}党组理论学习中心组2019年学习登记", note=None,
                cols=mcols, rows=[m for m in u.meetings if m.kind != "党组会议"])
    write_sheet(wb.create_sheet("三重一大决策"), reg, file, title=f"{UNIT_A}2019年\u201c三重一大\u201d事项集体决策记录",
                note=None, cols=decision_cols(), rows=u.decisions)
    save_stable(wb, d / "会议记录.xlsx")

    wb = new_book()
    rec = u.receptions
    write_sheet(wb.create_sheet("2019年"), reg, f"{UNIT_A}/公务接待登记.xlsx", title=f"{UNIT_A}2019年公务接待登记表",
                note=note, cols=[
                    Col("date", "接待日期", lambda r: typed_date(r.date)), Col("guest_unit", "来访单位", width=24),
                    Col("guest_location", "来访单位所在地", width=14), Col("guest_count", "接待对象\n人数", width=9),
                    Col("companion_count", "陪同人数", width=9), Col("amount", "用餐金额（元）", width=12),
                    Col("letter", "公函", lambda r: typed_bool(r.letter, "you"), width=6)],
                rows=rec + [Marker("total", {"_seq": "合计", "amount": round(sum(r.amount for r in rec), 2)})])
    save_stable(wb, d / "公务接待登记.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("2019年专项"), reg, f"{UNIT_A}/专项资金批复.xlsx", title=f"{UNIT_A}2019年专项资金批复情况",
                note=note, cols=special_fund_cols("允许支出经济分类"), rows=u.special_funds)
    save_stable(wb, d / "专项资金批复.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("定点供应商"), reg, f"{UNIT_A}/定点供应商名录.xlsx",
                title=f"{UNIT_A}定点（协议）供应商名录", note=None, cols=[
                    Col("name", "供应商名称", width=40), Col("category", "采购品目", width=20),
                    Col("valid_from", "有效期起", lambda s: typed_date(s.valid_from)),
                    Col("valid_to", "有效期止", lambda s: typed_date(s.valid_to))], rows=u.suppliers)
    save_stable(wb, d / "定点供应商名录.xlsx")

    ot = u.overtime_meals
    write_csv(d / "加班用餐登记.csv", reg, f"{UNIT_A}/加班用餐登记.csv", encoding="gb18030",
              headers=["用餐日期", "加班事由", "申请人数", "实际就餐人数", "金额", "审批人"],
              cols=[("date", lambda o: typed_date(o.date, st(o, "date", "iso"))), ("reason", lambda o: o.reason),
                    ("applied_count", lambda o: o.applied_count), ("actual_count", lambda o: o.actual_count),
                    ("amount", lambda o: typed_amount(o.amount, st(o, "amount", "plain"))),
                    ("approver", lambda o: o.approver)],
              rows=ot + [Marker("total", {"date": "合计", "amount": f"{sum(o.amount for o in ot):.2f}"})])

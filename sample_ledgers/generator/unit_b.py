"""长沙市示范文旅中心: its people, the data planted in its ledgers, and how its workbooks are laid out."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .build import EXPERTS, AssetCards, Invoices, PaymentBook, month_days
from .cells import typed_bool, typed_date
from .layout import (amount_sum, assign_vouchers, decision_cols, meeting_cols, special_fund_cols, st,
                     with_blank_rows, write_payment_book)
from .records import (CHECK_READABLE, CHECK_TOTALS, Contract, Decision, Marker, Meeting, OvertimeMeal,
                      Reception, SpecialFund, Staff, Supplier, UnitData)
from .ruleset import params
from .workbook import Col, Registry, new_book, save_stable, write_csv, write_sheet

UNIT_B = "长沙市示范文旅中心"

STAFF_B = [
    ("欧阳明", "中心领导", "主任", "在职", None), ("谭晓燕", "中心领导", "副主任", "在职", None),
    ("彭勇", "中心领导", "副主任", "在职", None), ("罗佳", "办公室", "办公室主任", "在职", None),
    ("曾红", "财务室", "会计兼出纳", "在职", None), ("邓琳", "财务室", "出纳", "在职", None),
    ("唐亮", "非遗保护部", "部长", "在职", None), ("蒋雯", "非遗保护部", "干事", "在职", None),
    ("袁博", "群众文化部", "部长", "在职", None), ("谢婷", "群众文化部", "干事", "在职", None),
    ("贺强", "展览部", "部长", "在职", None), ("龙艳", "展览部", "干事", "在职", None),
    ("易国平", "展览部", "原部长", "退休", date(2018, 12, 31)),
    ("肖雨", "群众文化部", "干事", "调离", date(2019, 5, 10)),
]


def build_unit_b(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_B)
    for name, dept, title, status, left in STAFF_B:
        u.staff.append(Staff(UNIT_B, name, dept, title, status, left))
    next(s for s in u.staff if s.name == "曾红").plant(
        "segregation-incompatible-posts", "会计曾红兼任出纳（职务“会计兼出纳”），不相容岗位未分离",
        "Accountant 曾红 is also the cashier (title 会计兼出纳)")
    next(s for s in u.staff if s.name == "邓琳").near(
        "segregation-incompatible-posts", "邓琳只任出纳，与会计不是同一人", "邓琳 is only the cashier")
    approvers = ["曾红", "彭勇"]
    handlers = ["罗佳", "邓琳", "蒋雯", "谢婷", "龙艳", "唐亮", "袁博", "贺强"]
    pb = PaymentBook(UNIT_B, rng, inv, handlers, approvers)

    fund_ich, fund_pub = "2019年非物质文化遗产保护专项", "2019年公共文化服务体系建设专项"
    u.special_funds += [
        SpecialFund(UNIT_B, fund_ich, 2019, 500000.0, ["委托业务费", "专用材料费", "印刷费", "差旅费", "劳务费"],
                    "非遗普查、传承人培训与展示", "湘文旅非遗〔2019〕8号"),
        SpecialFund(UNIT_B, fund_pub, 2019, 300000.0, ["委托业务费", "专用材料费", "维修（护）费"],
                    "基层公共文化服务设施运行", "长财教指〔2019〕33号"),
    ]
    print_b, car_b_old, car_b = "长沙彩虹印刷有限公司", "长沙通程汽车服务有限公司", "长沙顺达汽车维修服务有限公司"
    fuel = "中国石化销售股份有限公司湖南长沙石油分公司"
    u.suppliers += [
        Supplier(UNIT_B, print_b, "印刷费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_B, car_b_old, "公务用车运行维护费", date(2018, 1, 1), date(2018, 12, 31)),
        Supplier(UNIT_B, car_b, "公务用车运行维护费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_B, fuel, "公务用车运行维护费", date(2019, 1, 1), date(2021, 12, 31)),
    ]

    C = lambda *a, **k: Contract(UNIT_B, *a, **k)  # noqa: E731
    d1 = C("CSWL-2019-01", "文化馆非遗展厅布展工程", "湖南华艺装饰工程有限公司", 681000.0, date(2019, 3, 5), True, True,
           date(2019, 3, 10), date(2019, 6, 28), 0.2, 15)
    d1.plant("collective-decision-missing", "68.1万元布展工程合同无三重一大集体决策记录",
             "Exhibition fit-out contract of 681,000 without a collective decision")
    d2 = C("CSWL-2019-02", "2019年非遗传承人培训服务", "湖南文博教育咨询有限公司", 180000.0, date(2019, 4, 1), True, True,
           date(2019, 4, 8), date(2019, 10, 31), 0.2, 10)
    d2.near("collective-decision-missing", "18万元合同有主任办公会决策记录", "Contract of 180,000 with its decision")
    d3 = C("CSWL-2019-03", "文化惠民演出服务", "长沙星城演艺有限公司", 96000.0, date(2019, 5, 10), False, True,
           date(2019, 5, 20), date(2019, 9, 30), None, None)
    d3.plant("contract-missing-elements", "演出服务合同未经签字", "Performance contract not signed")
    d4 = C("CSWL-2019-04", "文旅宣传画册设计印制", print_b, 45000.0, date(2019, 6, 28), True, True,
           date(2019, 6, 3), date(2019, 6, 25), None, None)
    d4.plant("contract-signed-late", "画册印制合同6月28日签订，晚于6月25日验收（先履行后补签）",
             "Signed 28 June, after acceptance on 25 June")
    d5 = C("CSWL-2019-05", "场馆安保服务", "湖南卫安保安服务有限公司", 260000.0, date(2018, 12, 28), True, True,
           date(2019, 1, 1), date(2019, 12, 31), None, None)
    d6 = C("CSWL-2019-06", "LED显示屏采购", "长沙光电显示科技有限公司", 58500.0, date(2019, 8, 15), True, True,
           date(2019, 8, 15), date(2019, 9, 20), None, None)
    d6.near("contract-signed-late", "签订当日开始履行", "Signed the day work started")
    d7 = C("CSWL-2019-07", "文化云平台运维", "湖南智联信息技术有限公司", 148000.0, date(2019, 2, 20), True, True,
           date(2019, 3, 1), None, 0.1, 10)
    d4.style = {"sign_date": "dot"}
    d6.style = {"acceptance_date": "cn"}
    # A bad cell on purpose: the sign date typed as 2019-02-30. The reader cannot read it; were
    # the blank believed, the contract would lack its sign date. It must give no finding.
    d8 = C("CSWL-2019-08", "非遗展演视频拍摄制作", "长沙光影传媒有限公司", 38000.0, None, True, True,
           date(2019, 3, 4), date(2019, 4, 30), None, None)
    d8.bad_cell("sign_date", "2019-02-30", CHECK_READABLE, would="contract-missing-elements",
                zh="签订日期写成不存在的“2019-02-30”，无法识别，不据以判缺少签订日期（列入数据质量问题）",
                en="Sign date typed 2019-02-30 (no such day): unreadable, not a missing sign date (a data-quality issue)")
    u.contracts += [d1, d2, d3, d4, d5, d6, d7, d8]

    for q, m in enumerate((1, 4, 7, 10), start=1):
        p = pb.add(month_days(rng, m, 8, 12), f"支付2019年第{q}季度安保服务费", "物业管理费", 65000.0, d5.counterparty,
                   contract=d5.contract_no)
        if q == 2:
            p.near("duplicate-payment", "每季度安保费金额相同、发票号不同，不是重复支付",
                   "Quarterly security fee: same amount, different invoices")
    for m in range(1, 13):
        pb.add(month_days(rng, m, 14, 20), f"支付{m}月电费", "水电费", round(rng.uniform(3000, 6500), 2),
               "国网湖南省电力有限公司长沙供电分公司")
        pb.add(month_days(rng, m, 20, 26), f"支付{m}月网络及电话费", "邮电费", 960.0, "中国联合网络通信有限公司长沙市分公司")
        pb.add(month_days(rng, m), "公务用车加油费", "公务用车运行维护费", round(rng.uniform(500, 1300), 2), fuel)
        pb.add(month_days(rng, m), rng.choice(["购买办公用品", "购买打印纸、墨盒", "购买展签、标识牌耗材"]), "办公费",
               round(rng.uniform(300, 3800), 0), rng.choice(["长沙恒信办公用品有限公司", "湖南天天办公设备有限公司"]))
    for m in (2, 5, 8, 11):
        pb.add(month_days(rng, m), "公务用车维修保养", "公务用车运行维护费", round(rng.uniform(800, 3200), 0), car_b)
    for m in (3, 6, 9, 12):
        pb.add(month_days(rng, m), rng.choice(["印制展览宣传折页", "印制非遗项目名录", "印制活动海报"]), "印刷费",
               round(rng.uniform(1200, 8000), 0), print_b)
    travellers = ["唐亮", "蒋雯", "袁博", "谢婷", "贺强", "龙艳", "谭晓燕"]
    for m in range(1, 13):
        who = rng.choice(travellers)
        pb.add(month_days(rng, m), rng.choice(["赴北京参加文化和旅游部培训差旅费", "赴湘西开展非遗调查差旅费",
                                               "赴广州考察公共文化服务差旅费"]), "差旅费",
               round(rng.uniform(600, 3800), 0), who, issuer=None, invoice=None, handler=who)
    for m in (2, 4, 7, 10, 11):
        pb.add(month_days(rng, m), rng.choice(["非遗项目评审专家评审费", "展览策划专家咨询费"]), "劳务费", 800.0,
               rng.choice(EXPERTS[2:]), issuer=None, invoice=None, fund=fund_ich)
    # contract payments
    pb.add(date(2019, 3, 15), "非遗展厅布展工程预付款", "维修（护）费", 136200.0, d1.counterparty, contract=d1.contract_no,
           fund=fund_pub)
    pb.add(date(2019, 7, 12), "非遗展厅布展工程验收款", "维修（护）费", 408600.0, d1.counterparty, contract=d1.contract_no,
           fund=fund_pub)
    pb.add(date(2019, 4, 12), "非遗传承人培训服务预付款", "委托业务费", 36000.0, d2.counterparty, contract=d2.contract_no,
           fund=fund_ich)
    pb.add(date(2019, 11, 8), "非遗传承人培训服务尾款", "委托业务费", 144000.0, d2.counterparty, contract=d2.contract_no,
           fund=fund_ich)
    pb.add(date(2019, 10, 10), "文化惠民演出服务费", "委托业务费", 96000.0, d3.counterparty, contract=d3.contract_no)
    pb.add(date(2019, 7, 10), "文旅宣传画册设计印制费", "印刷费", 45000.0, print_b, contract=d4.contract_no, fund=fund_ich)
    pb.add(date(2019, 9, 26), "LED显示屏采购款", "专用设备购置", 58500.0, d6.counterparty, contract=d6.contract_no)
    pb.add(date(2019, 3, 20), "文化云平台运维费（一期）", "委托业务费", 74000.0, d7.counterparty, contract=d7.contract_no)
    pb.add(date(2019, 9, 18), "文化云平台运维费（二期）", "委托业务费", 74000.0, d7.counterparty, contract=d7.contract_no)

    pb.add(date(2019, 6, 18), "科技文旅融合展会展服务费", "委托业务费", 6800.0, "湖南博文会展服务有限公司",
           invoice="04418876").plant(
        "duplicate-payment", "同一张发票04418876被科技局（5月）和文旅中心（6月）各付一次6,800元",
        "Invoice 04418876 paid by both units (May and June), 6,800 each")
    pb.add(date(2019, 5, 16), "文化馆LED屏维修费（首付）", "维修（护）费", 3000.0, "长沙光电显示科技有限公司",
           invoice="00663120")
    pb.add(date(2019, 6, 20), "文化馆LED屏维修费（余款）", "维修（护）费", 2600.0, "长沙光电显示科技有限公司",
           invoice="00663120").near("duplicate-payment", "同一发票分两次付款但金额不同，不判重复",
                                    "Same invoice paid in two parts of different amounts: not a duplicate")
    pb.add(date(2019, 4, 9), "公务用车更换轮胎", "公务用车运行维护费", 3480.0, car_b_old).plant(
        "non-designated-supplier", "公务用车维修付给定点资格已于2018年底到期的长沙通程汽车服务有限公司",
        "Car maintenance paid to a supplier whose designation expired end of 2018")
    pb.add(date(2019, 7, 16), "非遗普查项目组野外调查误餐补助", "差旅费", 1860.0, "唐亮", issuer=None, invoice=None,
           handler="唐亮", fund=fund_ich).plant(
        "special-fund-off-purpose", "非遗专项资金列支项目组误餐补助", "ICH special fund paying meal allowances (误餐)")
    pb.add(date(2019, 9, 12), "接待湘潭市文旅局考察团工作餐", "公务接待费", 1280.0, "长沙湘韵酒店管理有限公司",
           fund=fund_pub).plant("special-fund-off-purpose", "公共文化专项资金列支公务接待费（不在批复支出范围）",
                                "Special fund paying hospitality, outside its approved classes")
    pb.add(date(2019, 9, 5), "购买中秋节礼品", "其他商品和服务支出", 7650.0, "长沙星沙百货有限公司").plant(
        "prohibited-expense", "购买中秋节礼品7650元", "Mid-Autumn gifts bought, 7,650")
    pb.add(date(2019, 10, 22), "展厅灯具维修材料", "维修（护）费", 3260.0, "长沙鑫达五金机电有限公司",
           issuer="湖南亿光照明科技有限公司").plant(
        "payee-invoice-mismatch", "收款单位长沙鑫达五金机电有限公司，发票由湖南亿光照明科技有限公司开具",
        "Paid to one company, invoice issued by another")
    pb.add(date(2019, 3, 27), "购买展板制作材料", "专用材料费", 2380.0, "长沙 恒信办公用品有限公司",
           issuer="长沙恒信办公用品有限公司", fund=fund_pub).near(
        "payee-invoice-mismatch", "收款单位名称中多一个空格，视为与开票单位一致", "Payee differs from issuer only by a space")
    pb.add(date(2019, 11, 6), "财务室购买凭证装订机耗材", "办公费", 960.0, "长沙恒信办公用品有限公司", handler="曾红",
           approver="曾红").plant("segregation-handler-approver", "会计曾红既经办又审核", "Accountant 曾红 both handled and approved")
    pb.add(date(2019, 4, 25), "购买非遗展示专用展柜配件", "专用材料费", 5600.0, "长沙美居办公家具有限公司", fund=fund_ich).near(
        "special-fund-off-purpose", "专项资金支付允许的专用材料费", "Special fund paying an allowed class")
    pb.add(date(2019, 8, 13), "赴上海参加文旅博览会差旅费", "差旅费", 3120.0, "袁博", issuer=None, invoice=None,
           handler="袁博").near("special-fund-off-purpose", "基本支出列支的差旅费，不属专项资金",
                                "Travel paid from the ordinary budget: not a special fund")
    styled = [p for p in pb.items if not p.plants and not p.nears and p.contract_no is None]
    for p, style in zip(rng.sample(styled, 6), [{"amount": "comma"}, {"amount": "yen"}, {"date": "cn"},
                                                  {"date": "slash"}, {"date": "dot"}, {"date": "compact"}]):
        p.style = style
    u.payments = pb.items

    R = lambda *a, **k: Reception(UNIT_B, *a, **k)  # noqa: E731
    guests = [("株洲市文化旅游广电体育局", "株洲市"), ("湘潭市文化旅游广电体育局", "湘潭市"),
              ("益阳市文化馆", "益阳市"), ("邵阳市非遗保护中心", "邵阳市")]
    for m in (3, 5, 6, 9, 11):
        unit_, loc_ = rng.choice(guests)
        g, c = rng.randint(2, 8), rng.randint(1, 3)
        u.receptions.append(R(month_days(rng, m), unit_, loc_, g, c, float(rng.randint(70, 130) * (g + c)), True))
    u.receptions.append(R(date(2019, 10, 17), "长沙市岳麓区文化馆", "长沙市岳麓区", 3, 2, 600.0, False).plant(
        "reception-same-city", "接待同城长沙市岳麓区文化馆来访人员用餐", "Official meal for guests from 长沙市岳麓区 (same city)"))
    u.receptions.sort(key=lambda r: r.date)
    # A bad cell on purpose, last in date order: 来访人数 typed -2. Believed, 600 for 1 diner is
    # over the limit; a negative count is unreadable, so no per-head finding.
    u.receptions.append(R(date(2019, 12, 5), "益阳市文化馆", "益阳市", -2, 3, 600.0, True).bad_cell(
        "guest_count", None, CHECK_READABLE, would="meal-reception-per-head",
        zh="来访人数填为-2，无法识别，不计算人均（列入数据质量问题）",
        en="Guest count typed -2: unreadable, per head not computed (a data-quality issue)"))
    O = lambda *a, **k: OvertimeMeal(UNIT_B, *a, **k)  # noqa: E731
    for m in (1, 4, 6, 9, 12):
        n = rng.randint(5, 15)
        u.overtime_meals.append(O(month_days(rng, m), rng.choice(["布展加班", "春节文化活动筹备", "年度决算"]), n, n,
                                  float(n * rng.randint(15, 30)), "罗佳"))

    users = ["罗佳", "曾红", "邓琳", "唐亮", "蒋雯", "袁博", "谢婷", "贺强", "龙艳"]
    asset = AssetCards(u, "WL-{:04d}", {s[0]: s[1] for s in STAFF_B}).add

    for i in range(6):
        acq = date(2019, rng.randint(1, 11), rng.randint(1, 20))
        asset("台式计算机", "台式计算机", "联想启天M430", rng.randrange(4000, 4990, 10), acq,
              acq + timedelta(days=rng.randint(2, 25)), users[i])
    asset("多功能一体机", "多功能一体机", "兄弟DCP-7195", 2680, date(2019, 3, 4), date(2019, 3, 12), "罗佳", qty=2)
    asset("数码复印机", "复印机", "佳能iR-ADV C5535", 38500, date(2019, 5, 22), date(2019, 6, 3), "罗佳").plant(
        "asset-unit-price-over-limit", "复印机单价38,500元，超过35,000元配置标准", "Copier at 38,500 over the 35,000 limit")
    asset("笔记本电脑", "便携式计算机", "联想ThinkPad T490", 7600, date(2019, 8, 8), date(2019, 8, 20), "彭勇").plant(
        "asset-unit-price-over-limit", "便携式计算机单价7,600元，超过7,000元标准（本单位无更高批复）",
        "Laptop at 7,600 over the 7,000 limit (no higher limit of its own)")
    asset("笔记本电脑", "便携式计算机", "华为MateBook 14", 6900, date(2019, 8, 8), date(2019, 8, 20), "谭晓燕").near(
        "asset-unit-price-over-limit", "便携式计算机6,900元，未超7,000元", "Laptop at 6,900 under the limit")
    asset("机架式服务器", "服务器", "华为2288H V5", 45000, date(2019, 9, 2), date(2019, 9, 16), "贺强").near(
        "asset-unit-price-over-limit", "服务器无配置限额", "Server: no limit for the category")

    chiefs = "欧阳明、谭晓燕、彭勇、罗佳、曾红、唐亮、袁博、贺强、龙艳"
    meetings: list[Meeting] = []
    k_office = k_branch = 0
    for m in range(1, 13):
        k_office += 1
        meetings.append(Meeting(UNIT_B, month_days(rng, m, 2, 8), f"2019年第{k_office}次主任办公会", "主任办公会",
                                "欧阳明", "罗佳", "欧阳明、谭晓燕、彭勇、罗佳、曾红", 5, 5, 5))
        if m not in (4, 8):  # no study session in April and August
            k_branch += 1
            meetings.append(Meeting(UNIT_B, month_days(rng, m, 12, 18), f"党总支理论学习中心组2019年第{k_branch}次学习",
                                    "党总支理论学习中心组学习", "欧阳明", "蒋雯", chiefs, 9, 9, 9))
        if m in (3, 7, 11):
            meetings.append(Meeting(UNIT_B, month_days(rng, m, 22, 27), f"{m}月党总支委员会会议", "党总支委员会",
                                    "欧阳明", "罗佳", "欧阳明、谭晓燕、彭勇、唐亮、贺强", 5, 5, 5))
    meetings.sort(key=lambda x: x.date)
    for gap in (4, 8):
        start = date(2019, gap, 1)
        last = max((x for x in meetings if x.date < start), key=lambda x: x.date)
        assert sum(1 for x in meetings if x.date == last.date) == 1
        last.plant("study-session-gap", f"{gap}月未开展中心组学习（定位于缺月前最后一次会议）",
                   f"No study session in month {gap} (located at the last meeting before the gap)")
    office_june = next(x for x in meetings if x.date.month == 6 and x.kind == "主任办公会")
    office_june.host = None
    office_june.plant("meeting-record-incomplete", "主任办公会记录未填主持人", "Office meeting minutes without a host")
    study_oct = next(x for x in meetings if x.date.month == 10 and "中心组" in x.kind)
    study_oct.present = study_oct.signed_in = 10
    study_oct.plant("meeting-attendance-mismatch", "中心组学习应到9人、实到10人，实到多于应到",
                    "Study session: 10 present of 9 expected")
    u.meetings = meetings

    def decision_for(c: Contract) -> None:
        before = [x for x in meetings if x.kind == "主任办公会" and x.date < c.sign_date]
        mt = before[-1] if before else None
        u.decisions.append(Decision(UNIT_B, mt.date if mt else c.sign_date - timedelta(days=7),
                                    mt.name if mt else "2018年第12次主任办公会", f"研究{c.name}事项", c.amount,
                                    c.contract_no, "同意"))

    for c in u.contracts:
        if c.amount >= params()["major_amount_threshold"] and c is not d1:
            decision_for(c)
    u.decisions.sort(key=lambda x: x.date)
    return u


def write_unit_b(u: UnitData, root: Path, reg: Registry) -> None:
    d = root / UNIT_B
    note = f"编制单位：{UNIT_B}        单位：元"

    pays = assign_vouchers(u.payments)
    march = [p for p in pays if p.date.month == 3]
    march[2].voucher_no = march[1].voucher_no  # a voucher number typed twice (quality: unique)
    heads = {"date": "付款日期", "voucher_no": "凭证号", "summary": "摘要", "econ_class": "经济分类科目", "amount": "付款金额",
             "payee": "收款单位", "invoice_issuer": "发票开具\n单位", "invoice_no": "发票号", "contract_no": "合同编号",
             "fund_source": "资金来源", "handler": "经办人", "approver": "审核人"}

    def rows(sheet: str, part: list) -> list:
        total = Marker("total", {"_seq": "合计", "amount": amount_sum(part)})
        if sheet == "7-12月":  # the clerk typed 合计 by hand and slipped a digit (quality: totals)
            total.values["amount"] = round(total.values["amount"] + 900.0, 2)
            total.bad_checks["amount"] = CHECK_TOTALS
        return with_blank_rows(part, 25) + [total]

    write_payment_book(root, reg, UNIT_B, pays, sheets=("1-6月", "7-12月"), title=f"{UNIT_B}2019年支出明细表",
                       note=note, headers=heads, rows=rows)

    wb = new_book()
    write_sheet(wb.create_sheet("合同台账"), reg, f"{UNIT_B}/合同台账.xlsx", title=f"{UNIT_B}合同管理台账", note=note, cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=24), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额（元）", width=14),
        Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date, st(c, "sign_date", "excel"))),
        Col("signed", "是否签字", lambda c: typed_bool(c.signed, "shi")), Col("sealed", "是否盖章", lambda c: typed_bool(c.sealed, "shi")),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date)),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date, st(c, "acceptance_date", "excel"))),
        Col("prepay_ratio", "预付比例", lambda c: c.prepay_ratio, fmt="0%"),
    ], rows=u.contracts)
    save_stable(wb, d / "合同台账.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("固定资产明细"), reg, f"{UNIT_B}/固定资产卡片.xlsx", title=f"{UNIT_B}固定资产明细账",
                note=note, cols=[
                    Col("asset_no", "资产编号", width=10), Col("name", "资产名称", width=16), Col("category", "资产类别", width=14),
                    Col("model", "规格型号", width=18), Col("unit_price", "单价", width=11), Col("quantity", "数量", width=6),
                    Col("acquired_date", "购置日期", lambda a: typed_date(a.acquired_date)),
                    Col("booked_date", "入账日期", lambda a: typed_date(a.booked_date)),
                    Col("user", "保管人", width=9), Col("department", "使用部门", width=12)], rows=u.assets)
    save_stable(wb, d / "固定资产卡片.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("2019年人员名册"), reg, f"{UNIT_B}/人员名册.xlsx", title=f"{UNIT_B}2019年人员名册",
                note=None, cols=[
                    Col("name", "姓名", width=9), Col("department", "部门", width=12), Col("title", "岗位", width=12),
                    Col("status", "在职状态", width=9), Col("left_date", "离职日期", lambda s: typed_date(s.left_date))],
                rows=u.staff)
    save_stable(wb, d / "人员名册.xlsx")

    wb = new_book()
    file = f"{UNIT_B}/会议记录.xlsx"
    write_sheet(wb.create_sheet("2019年会议记录"), reg, file, title=f"{UNIT_B}2019年会议记录登记簿", note=None,
                cols=meeting_cols(), rows=u.meetings)
    write_sheet(wb.create_sheet("三重一大"), reg, file, title=f"{UNIT_B}\u201c三重一大\u201d集体决策事项登记", note=None,
                cols=decision_cols(), rows=u.decisions)
    save_stable(wb, d / "会议记录.xlsx")

    wb = new_book()
    file = f"{UNIT_B}/公务接待及加班用餐登记.xlsx"
    write_sheet(wb.create_sheet("公务接待"), reg, file, title=f"{UNIT_B}2019年公务接待登记", note=note, cols=[
        Col("date", "接待日期", lambda r: typed_date(r.date)), Col("guest_unit", "来访单位", width=24),
        Col("guest_location", "来访单位所在地", width=14), Col("guest_count", "来访人数", width=9),
        Col("companion_count", "陪餐人数", width=9), Col("amount", "餐费", width=10),
        Col("letter", "派出单位公函", lambda r: typed_bool(r.letter, "check"), width=8)], rows=u.receptions)
    write_sheet(wb.create_sheet("加班用餐"), reg, file, title=f"{UNIT_B}2019年加班用餐登记", note=note, cols=[
        Col("date", "用餐日期", lambda o: typed_date(o.date)), Col("reason", "加班事由", width=20),
        Col("applied_count", "申请人数", width=9), Col("actual_count", "实际就餐人数", width=9),
        Col("amount", "金额（元）", width=10), Col("approver", "审批人", width=8)], rows=u.overtime_meals)
    save_stable(wb, d / "公务接待及加班用餐登记.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("专项资金"), reg, f"{UNIT_B}/专项资金批复.xlsx", title=f"{UNIT_B}2019年专项资金批复",
                note=note, cols=special_fund_cols("支出范围"), rows=u.special_funds)
    save_stable(wb, d / "专项资金批复.xlsx")

    write_csv(d / "定点供应商名录.csv", reg, f"{UNIT_B}/定点供应商名录.csv", encoding="utf-8-sig",
              title=f"{UNIT_B}定点（协议）供应商名录",
              headers=["序号", "供应商名称", "服务类别", "有效期起", "有效期止"],
              cols=[("seq", lambda s: u.suppliers.index(s) + 1), ("name", lambda s: s.name),
                    ("category", lambda s: s.category), ("valid_from", lambda s: s.valid_from.isoformat()),
                    ("valid_to", lambda s: s.valid_to.isoformat())],
              rows=u.suppliers)

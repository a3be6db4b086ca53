"""An auditor's review of the default ruleset: what real ledgers contain that a careful 巡察/审计
reviewer would NOT accept as a finding, and what he would expect flagged.

Each test runs one rule of the shipped default ruleset (its parameters in force) on canonical
tables built like the ledgers stage builds them, and states the auditor's reasoning."""

from __future__ import annotations

import pandas as pd
from helpers.rules import concat_tables, make_table, run_default

from audit_rules.ledgers.normalize import parse_ratio


def flagged(rule_id, tables, **kw):
    findings, outcome = run_default(rule_id, tables, **kw)
    assert outcome.status == "ran", outcome.reason
    return findings


def rows(findings):
    return sorted(f.locations[0].row for f in findings)


def payments(rows_, unit="甲单位", **kw):
    base = {"payee": "某公司"}
    return make_table("payments", [{**base, **r} for r in rows_], unit=unit, **kw)


# ---- duplicate-payment ------------------------------------------------------------------------


def test_a_reversal_and_its_correct_repayment_are_not_a_duplicate():
    # 3月付款 → 4月红冲（负数，同一发票）→ 4月按正确科目重新支付：净付一次。
    table = payments([
        {"date": "2019-03-05", "voucher_no": "记-12", "invoice_no": "00571234", "amount": 3800},
        {"date": "2019-04-02", "voucher_no": "记-03", "invoice_no": "00571234", "amount": -3800, "summary": "红冲3月12号凭证"},
        {"date": "2019-04-02", "voucher_no": "记-04", "invoice_no": "00571234", "amount": 3800},
    ])
    assert flagged("duplicate-payment", {"payments": table}) == []


def test_a_reversal_does_not_hide_a_third_payment():
    # 付三次、红冲一次：仍多付一次。
    table = payments([
        {"date": "2019-03-05", "voucher_no": "记-12", "invoice_no": "571234", "amount": 3800},
        {"date": "2019-04-02", "voucher_no": "记-03", "invoice_no": "571234", "amount": -3800},
        {"date": "2019-04-02", "voucher_no": "记-04", "invoice_no": "571234", "amount": 3800},
        {"date": "2019-06-18", "voucher_no": "记-30", "invoice_no": "No.571234", "amount": 3800},
    ])
    findings = flagged("duplicate-payment", {"payments": table})
    assert len(findings) == 1
    assert findings[0].amount == 3800.00
    assert findings[0].locations[0].row == 6  # the latest payment


def test_two_instalments_of_one_invoice_are_not_a_duplicate():
    # 一张 10,000 元发票分两期支付 6,000 + 4,000。
    table = payments([
        {"date": "2019-03-05", "invoice_no": "88001234", "amount": 6000},
        {"date": "2019-05-05", "invoice_no": "88001234", "amount": 4000},
    ])
    assert flagged("duplicate-payment", {"payments": table}) == []


def test_the_same_invoice_number_from_two_issuers_is_two_invoices():
    # 发票号码只在同一开票方（发票代码）内唯一：两家公司各自的 00001234 号发票不是同一张。
    table = payments([
        {"date": "2019-03-05", "invoice_no": "00001234", "amount": 1000, "payee": "长沙甲印务有限公司"},
        {"date": "2019-05-05", "invoice_no": "00001234", "amount": 1000, "payee": "湖南乙科技有限公司"},
    ])
    assert flagged("duplicate-payment", {"payments": table}) == []


def test_one_invoice_reimbursed_to_staff_and_paid_to_the_supplier_is_a_duplicate():
    # 职工垫付报销一次（收款人为职工，开票单位为供应商），又直接付给供应商一次。
    table = payments([
        {"date": "2019-03-05", "invoice_no": "00001234", "amount": 1000, "payee": "张三",
         "invoice_issuer": "长沙甲印务有限公司"},
        {"date": "2019-05-05", "invoice_no": "1234", "amount": 1000, "payee": "长沙甲印务有限公司 "},
    ])
    findings = flagged("duplicate-payment", {"payments": table})
    assert rows(findings) == [4]


def test_the_same_entry_in_two_ledger_extracts_is_not_paid_twice():
    # 同一凭证（同日、同凭证号）既在“1-6月”表又在“全年”表：台账重复列示，不是重复支付。
    half = payments([{"date": "2019-03-05", "voucher_no": "记-12", "invoice_no": "571234", "amount": 3800}], sheet="1-6月")
    year = payments([{"date": "2019-03-05", "voucher_no": "记12", "invoice_no": "571234", "amount": 3800}], sheet="全年")
    assert flagged("duplicate-payment", {"payments": concat_tables(half, year)}) == []


def test_voucher_numbers_restart_each_month_so_same_number_other_date_is_another_payment():
    table = payments([
        {"date": "2019-03-05", "voucher_no": "记-12", "invoice_no": "571234", "amount": 3800},
        {"date": "2019-06-05", "voucher_no": "记-12", "invoice_no": "571234", "amount": 3800},
    ])
    assert len(flagged("duplicate-payment", {"payments": table})) == 1


def test_the_same_invoice_paid_by_two_units_is_flagged_once():
    a = payments([{"date": "2019-03-05", "invoice_no": "571234", "amount": 3800}], unit="甲单位")
    b = payments([{"date": "2019-04-05", "invoice_no": "571234", "amount": 3800}], unit="乙单位", file="y.xlsx")
    findings = flagged("duplicate-payment", {"payments": concat_tables(a, b)})
    assert len(findings) == 1 and findings[0].unit == "乙单位"


# ---- payment-over-contract --------------------------------------------------------------------


def contracts(rows_, unit="甲单位", **kw):
    return make_table("contracts", rows_, unit=unit, **kw)


def test_final_payment_then_retention_is_not_over_the_contract():
    # 合同100万：进度款95万，一年后付5%质保金5万，合计等于合同金额。
    c = contracts([{"contract_no": "HT2019-01", "name": "改造工程", "amount": 1_000_000}])
    p = payments([
        {"date": "2019-06-01", "contract_no": "HT2019-01", "amount": 950_000},
        {"date": "2020-06-01", "contract_no": "HT2019-01", "amount": 50_000, "summary": "质保金"},
    ])
    assert flagged("payment-over-contract", {"payments": p, "contracts": c}) == []


def test_a_refund_reduces_what_was_paid_against_the_contract():
    c = contracts([{"contract_no": "HT1", "name": "采购", "amount": 100_000}])
    p = payments([
        {"date": "2019-06-01", "contract_no": "HT1", "amount": 60_000},
        {"date": "2019-07-01", "contract_no": "HT1", "amount": 50_000},
        {"date": "2019-07-20", "contract_no": "HT1", "amount": -10_000, "summary": "多付款退回"},
    ])
    assert flagged("payment-over-contract", {"payments": p, "contracts": c}) == []


def test_contract_numbers_are_per_unit_and_never_summed_across_units():
    c = concat_tables(
        contracts([{"contract_no": "HT-001", "name": "物业", "amount": 100_000}], unit="甲单位"),
        contracts([{"contract_no": "HT-001", "name": "保洁", "amount": 80_000}], unit="乙单位", file="y.xlsx"),
    )
    p = concat_tables(
        payments([{"date": "2019-06-01", "contract_no": "HT-001", "amount": 90_000}], unit="甲单位"),
        payments([{"date": "2019-06-01", "contract_no": "HT-001", "amount": 70_000}], unit="乙单位", file="y.xlsx"),
    )
    assert flagged("payment-over-contract", {"payments": p, "contracts": c}) == []
    p2 = concat_tables(p, payments([{"date": "2019-09-01", "contract_no": "HT001", "amount": 20_000}], unit="乙单位", file="y.xlsx"))
    findings = flagged("payment-over-contract", {"payments": p2, "contracts": c})
    assert [(f.unit, f.amount) for f in findings] == [("乙单位", 10_000.0)]


# ---- meals ------------------------------------------------------------------------------------


def test_reception_with_blank_companions_is_divided_by_the_guests_only():
    # 陪同人数空白 = 没有陪同：3位来访人员用餐600元，人均200元，超标准。
    t = make_table("receptions", [
        {"date": "2019-03-01", "guest_unit": "株洲市某局", "guest_count": 3, "companion_count": None, "amount": 600},
        {"date": "2019-03-02", "guest_unit": "株洲市某局", "guest_count": 3, "companion_count": None, "amount": 450},
    ])
    assert rows(flagged("meal-reception-per-head", {"receptions": t})) == [3]


def test_reception_with_an_unknown_number_of_guests_has_no_per_head_figure():
    # 接待对象人数空白：不知道几个人吃了600元，不能按陪同人数算人均。
    t = make_table("receptions", [
        {"date": "2019-03-01", "guest_unit": "株洲市某局", "guest_count": None, "companion_count": 2, "amount": 600},
        {"date": "2019-03-02", "guest_unit": "株洲市某局", "guest_count": 1, "companion_count": 2, "amount": 600},
    ])
    assert rows(flagged("meal-reception-per-head", {"receptions": t})) == [4]


def test_payments_sharing_a_monthly_voucher_number_keep_their_ids_when_rows_are_reordered():
    # 凭证号每月重新编号：1月和2月都有“记-5”，两笔不同的付款。
    first = {"date": "2024-01-10", "voucher_no": "记-5", "summary": "购买购物卡", "amount": 1000}
    second = {"date": "2024-02-10", "voucher_no": "记-5", "summary": "购买购物卡", "amount": 2000}
    ids = []
    for order in ([first, second], [second, first]):
        found = flagged("prohibited-expense", {"payments": payments(order)})
        ids.append({f.id: f.amount for f in found})
    assert ids[0] == ids[1] and sorted(ids[0].values()) == [1000.0, 2000.0]


def test_overtime_meal_with_nobody_eating_goes_to_the_headcount_rule_not_a_division_by_zero():
    t = make_table("overtime_meals", [
        {"date": "2019-03-01", "applied_count": 5, "actual_count": 0, "amount": 150},
    ])
    assert flagged("meal-overtime-per-head", {"overtime_meals": t}) == []
    assert rows(flagged("overtime-headcount-mismatch", {"overtime_meals": t})) == [3]


# ---- contracts --------------------------------------------------------------------------------


def test_signed_the_day_work_starts_is_on_time():
    c = contracts([
        {"contract_no": "HT1", "name": "物业", "amount": 1, "sign_date": "2019-05-06", "start_date": "2019-05-06",
         "acceptance_date": "2019-12-31"},
    ])
    assert flagged("contract-signed-late", {"contracts": c}) == []


def test_prepayment_written_as_30_means_30_percent_and_is_at_the_limit():
    ratio, bad = parse_ratio(pd.Series(["30", "30%", "0.3", "50"]))
    assert not bad.any()
    c = contracts([
        {"contract_no": f"HT{i}", "name": "采购", "amount": 1000, "prepay_ratio": r} for i, r in enumerate(ratio)
    ])
    assert rows(flagged("contract-prepay-ratio", {"contracts": c})) == [6]


# ---- same-city reception ----------------------------------------------------------------------


def test_same_city_is_judged_on_the_guests_location_not_on_words_of_their_name():
    t = make_table("receptions", [
        {"date": "2019-03-01", "guest_unit": "湘潭长沙商会", "guest_location": "湘潭市", "guest_count": 2, "amount": 100},
        {"date": "2019-03-02", "guest_unit": "某局", "guest_location": "湖南省长沙市岳麓区", "guest_count": 2, "amount": 100},
        {"date": "2019-03-03", "guest_unit": "某县政府", "guest_location": "长沙县", "guest_count": 2, "amount": 100},
        {"date": "2019-03-04", "guest_unit": "某局", "guest_location": "湘潭市长沙路", "guest_count": 2, "amount": 100},
        {"date": "2019-03-05", "guest_unit": "某局", "guest_location": None, "guest_count": 2, "amount": 100},
    ])
    # 长沙市岳麓区、长沙县（长沙市辖县）同城；湘潭市的“长沙商会”“长沙路”不是。
    assert rows(flagged("reception-same-city", {"receptions": t})) == [4, 5]


def test_county_level_cities_of_changsha_are_not_same_city_by_default_but_can_be_listed():
    # 浏阳市、宁乡市是长沙市代管的县级市：是否算“同城”由本地规定；默认只认“长沙”，
    # 需要时把 local_city 设为“长沙、浏阳、宁乡”。
    t = make_table("receptions", [
        {"date": "2019-03-01", "guest_unit": "浏阳市某局", "guest_location": "浏阳市", "guest_count": 2, "amount": 100},
        {"date": "2019-03-02", "guest_unit": "宁乡市某局", "guest_location": "湖南省宁乡市", "guest_count": 2, "amount": 100},
    ])
    assert flagged("reception-same-city", {"receptions": t}) == []
    listed = flagged("reception-same-city", {"receptions": t}, overrides={"local_city": "长沙、浏阳、宁乡"})
    assert rows(listed) == [3, 4]


# ---- assets -----------------------------------------------------------------------------------


def test_asset_booked_on_the_day_it_was_acquired_is_on_time():
    a = make_table("assets", [
        {"asset_no": "A1", "name": "电脑", "unit_price": 4000, "acquired_date": "2019-03-01", "booked_date": "2019-03-01"},
        {"asset_no": "A2", "name": "电脑", "unit_price": 4000, "acquired_date": "2019-03-01", "booked_date": "2019-03-31"},
        {"asset_no": "A3", "name": "电脑", "unit_price": 4000, "acquired_date": "2019-03-01", "booked_date": "2019-04-01"},
    ])
    assert rows(flagged("asset-booked-late", {"assets": a})) == [5]


def staff(rows_, unit="甲单位", **kw):
    return make_table("staff", rows_, unit=unit, **kw)


def test_asset_user_status_words_as_rosters_write_them():
    roster = staff([
        {"name": "赵六", "status": "已调离"},
        {"name": "钱七", "status": "退休（2018年）"},
        {"name": "孙八", "status": "退休返聘"},
        {"name": "李九", "status": "在职"},
    ])
    a = make_table("assets", [
        {"asset_no": f"A{i}", "name": "电脑", "unit_price": 4000, "user": who}
        for i, who in enumerate(["赵六", "钱七", "孙八", "李九"])
    ])
    # 已调离、已退休的人名下仍有资产：是疑点；退休返聘人员仍在岗使用，不是。
    assert rows(flagged("asset-user-departed", {"assets": a, "staff": roster})) == [3, 4]


# ---- staff paid review fees -------------------------------------------------------------------


def test_review_fee_to_a_rehired_retiree_or_another_units_staff_is_not_flagged():
    roster = concat_tables(
        staff([{"name": "孙八", "status": "退休返聘"}, {"name": "张三", "status": "在职"}], unit="甲单位"),
        staff([{"name": "李四", "status": "在职"}], unit="乙单位", file="y.xlsx"),
    )
    p = payments([
        {"date": "2019-03-01", "summary": "支付项目评审费", "payee": "孙八", "amount": 800},
        {"date": "2019-03-02", "summary": "支付项目评审费", "payee": "李四", "amount": 800},
        {"date": "2019-03-03", "summary": "支付项目评审劳务费", "payee": "张三", "amount": 800},
    ])
    assert rows(flagged("staff-paid-review-fee", {"payments": p, "staff": roster})) == [5]


def test_review_fee_to_staff_whose_status_reads_in_service_differently():
    roster = staff([{"name": "张三", "status": "在职在编"}, {"name": "王五", "status": "在岗"}])
    p = payments([
        {"date": "2019-03-01", "summary": "专家咨询费", "payee": "张三", "amount": 800},
        {"date": "2019-03-02", "summary": "评审费", "payee": "王五", "amount": 800},
    ])
    assert rows(flagged("staff-paid-review-fee", {"payments": p, "staff": roster})) == [3, 4]


# ---- payee vs invoice issuer ------------------------------------------------------------------


def test_staff_reimbursed_for_a_bill_they_paid_is_not_a_payee_mismatch():
    # 报销明细：收款人是垫付的职工（也是报销人），发票开在饭店/商店名下，属正常报销。
    roster = staff([{"name": "王五", "status": "在职"}])
    p = payments([
        {"date": "2019-03-01", "voucher_no": "1", "payee": "张三", "handler": "张三", "invoice_issuer": "长沙某酒店有限公司"},
        {"date": "2019-03-02", "voucher_no": "2", "payee": "王五", "handler": "李四", "invoice_issuer": "长沙某书店"},
        {"date": "2019-03-03", "voucher_no": "3", "payee": "赵某", "handler": "李四", "invoice_issuer": "长沙某科技有限公司"},
        {"date": "2019-03-04", "voucher_no": "4", "payee": "长沙甲科技有限公司", "invoice_issuer": "长沙乙贸易有限公司"},
    ])
    # 付给非本单位人员的个人、开票方是公司（款付给了他人），以及公司对公司不一致：都是疑点。
    assert rows(flagged("payee-invoice-mismatch", {"payments": p, "staff": roster})) == [5, 6]


# ---- segregation, meetings, publicity ---------------------------------------------------------


def test_handler_with_blank_approver_is_not_the_same_person():
    p = payments([{"date": "2019-03-01", "handler": "张三", "approver": None, "amount": 100}])
    assert flagged("segregation-handler-approver", {"payments": p}) == []


def test_meeting_with_blank_expected_count_is_only_checked_on_sign_in():
    m = make_table("meetings", [
        {"date": "2019-03-01", "name": "党组会", "expected": None, "present": 9, "signed_in": 9},
        {"date": "2019-03-02", "name": "党组会", "expected": None, "present": 9, "signed_in": 8},
    ])
    assert rows(flagged("meeting-attendance-mismatch", {"meetings": m})) == [4]


def test_publicity_over_a_make_up_working_day_counts_it():
    # 2019-09-29（周日）为国庆调休上班日：2019-09-24（周二）至 2019-09-29 含5个工作日（28日周六休息）。
    a = make_table("appointments", [
        {"name": "张三", "post": "副局长", "start": "2019-09-24", "end": "2019-09-29"},
        {"name": "李四", "post": "副局长", "start": "2019-09-24", "end": "2019-09-28"},
    ])
    assert rows(flagged("publicity-period-short", {"appointments": a})) == [4]


def test_publicity_whose_end_is_before_its_start_is_a_data_error_not_a_short_period():
    a = make_table("appointments", [{"name": "张三", "post": "副局长", "start": "2019-09-20", "end": "2019-09-02"}])
    assert flagged("publicity-period-short", {"appointments": a}) == []


def test_study_sessions_of_a_one_month_extract():
    m = make_table("meetings", [
        {"date": "2019-03-05", "name": "理论学习", "kind": "理论学习中心组学习"},
        {"date": "2019-03-20", "name": "党组会", "kind": "党组会议"},
    ])
    assert flagged("study-session-gap", {"meetings": m}) == []
    no_session = make_table("meetings", [{"date": "2019-03-20", "name": "党组会", "kind": "党组会议"}])
    assert len(flagged("study-session-gap", {"meetings": no_session})) == 1


# ---- special funds ----------------------------------------------------------------------------


def funds(rows_, unit="甲单位"):
    return make_table("special_funds", rows_, unit=unit)


def test_allowed_classes_written_with_dunhao_and_full_width_commas_and_class_codes():
    f = funds([{"fund": "信息化专项", "year": 2019, "allowed_classes": ["办公费", "印刷费", "专用材料费"]}])
    p = payments([
        {"date": "2019-03-01", "fund_source": "信息化专项", "econ_class": "30201 办公费", "summary": "购买打印纸", "amount": 100},
        {"date": "2019-03-02", "fund_source": "信息化专项", "econ_class": "印刷费", "summary": "印制手册", "amount": 100},
        {"date": "2019-03-03", "fund_source": "信息化专项", "econ_class": "30229福利费", "summary": "发放", "amount": 100},
    ])
    assert rows(flagged("special-fund-off-purpose", {"payments": p, "special_funds": f})) == [5]


def test_a_summary_naming_the_funds_own_year_is_not_another_years_cost():
    f = funds([{"fund": "信息化专项", "year": 2019, "allowed_classes": ["电费", "办公费"]}])
    p = payments([
        {"date": "2019-03-01", "fund_source": "信息化专项", "econ_class": "办公费", "summary": "2019年度机房耗材", "amount": 100},
        {"date": "2019-03-02", "fund_source": "信息化专项", "econ_class": "电费", "summary": "2018-12 电费", "amount": 100},
        {"date": "2019-03-03", "fund_source": "信息化专项", "econ_class": "电费", "summary": "2018.12机房电费", "amount": 100},
        {"date": "2019-03-04", "fund_source": "信息化专项", "econ_class": "电费", "summary": "2019-01 电费", "amount": 100},
        {"date": "2019-03-05", "fund_source": "信息化专项", "econ_class": "办公费", "summary": "合同HT2018-12尾款", "amount": 100},
    ])
    assert rows(flagged("special-fund-off-purpose", {"payments": p, "special_funds": f})) == [4, 5]


# ---- prohibited expenses ----------------------------------------------------------------------


def test_official_car_fuel_cards_and_the_year_end_bonus_are_not_prohibited():
    p = payments([
        {"date": "2019-03-01", "summary": "公务用车加油卡充值", "econ_class": "公务用车运行维护费", "amount": 2000},
        {"date": "2019-12-20", "summary": "发放年终一次性奖金", "econ_class": "奖金", "amount": 50000},
        {"date": "2019-09-10", "summary": "中秋节发放购物卡", "econ_class": "福利费", "amount": 20000},
        {"date": "2019-09-11", "summary": "为职工购买加油卡", "econ_class": "其他商品和服务支出", "amount": 6000},
    ])
    assert rows(flagged("prohibited-expense", {"payments": p})) == [5, 6]


# ---- designated suppliers, study sessions, asset categories -----------------------------------


def test_designated_class_written_with_its_code_and_a_supplier_list_naming_the_service_shortly():
    # 经济分类常写成“30202 印刷费”；定点名录的服务类别常写“印刷”。
    suppliers = make_table("suppliers", [
        {"name": "湖南某印刷厂", "category": "印刷", "valid_from": "2019-01-01", "valid_to": "2020-12-31"},
    ])
    p = payments([
        {"date": "2019-05-10", "econ_class": "30202 印刷费", "payee": "湖南某印刷厂", "amount": 8000},
        {"date": "2019-05-11", "econ_class": "30202 印刷费", "payee": "长沙某印务有限公司", "amount": 8000},
        {"date": "2019-05-12", "econ_class": "30201 办公费", "payee": "长沙某印务有限公司", "amount": 8000},
    ])
    assert rows(flagged("non-designated-supplier", {"payments": p, "suppliers": suppliers})) == [4]


def test_study_sessions_recorded_under_the_names_units_use():
    # “理论学习中心组集体学习”“中心组（扩大）学习会”都是中心组学习。
    m = make_table("meetings", [
        {"date": "2019-01-10", "name": "学习", "kind": "党委理论学习中心组学习"},
        {"date": "2019-02-10", "name": "学习", "kind": "理论学习中心组集体学习"},
        {"date": "2019-03-10", "name": "学习", "kind": "中心组（扩大）学习会"},
        {"date": "2019-04-10", "name": "支部会", "kind": "支部委员会"},
        {"date": "2019-05-10", "name": "学习", "kind": "中心组学习"},
    ])
    findings = flagged("study-session-gap", {"meetings": m})
    assert [f.message for f in findings] == ["甲单位2019年4月没有理论学习中心组学习记录"]


def test_asset_categories_written_with_a_classification_code_or_a_parent_class():
    a = make_table("assets", [
        {"asset_no": "A1", "name": "电脑", "category": "A02010104 台式计算机", "unit_price": 6800},
        {"asset_no": "A2", "name": "电脑", "category": "计算机设备-台式计算机", "unit_price": 6800},
        {"asset_no": "A3", "name": "电脑", "category": "台式计算机", "unit_price": 4800},
        {"asset_no": "A4", "name": "空调", "category": "A02061802 空调机", "unit_price": 6800},
    ])
    assert rows(flagged("asset-unit-price-over-limit", {"assets": a})) == [3, 4]


def test_a_payment_listed_in_two_extracts_is_not_counted_twice_against_its_contract():
    contract = make_table("contracts", [{"contract_no": "HT-1", "name": "维修", "amount": 100000}])
    half = payments([{"date": "2024-03-01", "voucher_no": "记-3", "amount": 60000, "contract_no": "HT-1"}],
                    file="1-6月.xlsx")
    year = payments([{"date": "2024-03-01", "voucher_no": "记-3", "amount": 60000, "contract_no": "HT-1"},
                     {"date": "2024-05-01", "voucher_no": "记-9", "amount": 30000, "contract_no": "HT-1"}],
                    file="全年.xlsx")
    both = concat_tables(half, year)
    assert flagged("payment-over-contract", {"contracts": contract, "payments": both}) == []
    over = payments([{"date": "2024-06-01", "voucher_no": "记-1", "amount": 20000, "contract_no": "HT-1"}],
                    file="补充.xlsx")
    (finding,) = flagged("payment-over-contract", {"contracts": contract, "payments": concat_tables(both, over)})
    assert finding.amount == 10000.0
    assert len(finding.locations) == 5  # the contract, then every listed row

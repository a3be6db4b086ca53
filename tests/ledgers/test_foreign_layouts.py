"""Red-team the reader with ledgers laid out as real exports are, unlike sample_ledgers/.

Each builder writes one ledger the way a unit's finance system or clerk produces it (用友/金蝶
exports, 报销单 registers, hand-kept sheets with footers, merged cells, stacked tables, CSV
with other delimiters…); the tests state what an experienced auditor expects the reader to
make of it: kind, header row, fields, rows, values, and the problems and notes it reports.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from audit_rules.ledgers.journal import derive_payments
from audit_rules.ledgers import inspect_ledgers, load_ledgers

D = dt.datetime

# ---- builders ------------------------------------------------------------------------------


def _sheet(workbook: openpyxl.Workbook, name: str, rows: list[list], start_row: int = 1, start_col: int = 1):
    sheet = workbook.create_sheet(name)
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=start_col):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    return sheet


def _save(workbook: openpyxl.Workbook, path: Path) -> Path:
    if "Sheet" in workbook.sheetnames and len(workbook.sheetnames) > 1:
        workbook.remove(workbook["Sheet"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def build_yonyou_detail(folder: Path) -> Path:
    """用友 明细账 export: 4 title/info rows, header on row 5, 借方/贷方 columns, balance rows."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "明细账", [
        ["明细账"],
        ["科目：5201 行政支出—基本支出"],
        ["核算单位：长沙市示范住建局", None, None, None, None, "期间：2019.01-2019.12"],
        ["币种：人民币", None, None, None, None, "单位：元"],
        ["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "方向", "余额"],
        [None, None, "期初余额", None, None, None, None, "平", 0],
        [D(2019, 1, 8), "记-0003", "购买办公用品", "5201010201", "办公费", 1200, None, "借", 1200],
        [D(2019, 1, 15), "记-0011", "支付1月电费", "5201010206", "电费", "3,456.70", None, "借", 4656.7],
        [D(2019, 1, 31), "记-0025", "冲销记-0003多计", "5201010201", "办公费", None, 200, "借", 4456.7],
        [None, None, "本月合计", None, None, 4656.7, 200, "借", 4456.7],
        [None, None, "本年累计", None, None, 4656.7, 200, "借", 4456.7],
        [D(2019, 2, 3), "记-0002", "差旅费报销", "5201010211", "差旅费", 880, None, "借", 5336.7],
        [None, None, "本月合计", None, None, 880, None, "借", 5336.7],
        [None, None, "本年累计", None, None, 5536.7, 200, "借", 5336.7],
    ])
    return _save(workbook, folder / "用友明细账_行政支出.xlsx")


def build_kingdee_claims(folder: Path) -> Path:
    """金蝶 报销单列表: 单据日期, 报销人/审批人, 报销事由, refunds as -1,200.00 and （1,200.00）."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "报销单列表", [
        ["单据编号", "单据日期", "报销人", "所属部门", "报销事由", "报销金额", "收款人", "收款账号", "审批人", "审批状态"],
        ["BX2019-0001", "2019-03-02", "王芳", "办公室", "会议资料印刷", "1,200.00", "长沙印务有限公司",
         "6222020200112233", "李主任", "审批通过"],
        ["BX2019-0002", "2019-03-05", "赵强", "财务科", "印刷费退回", "-1,200.00", "长沙印务有限公司",
         "6222020200112233", "李主任", "审批通过"],
        ["BX2019-0003", "2019-03-09", "王芳", "办公室", "差旅费冲红", "（1,200.00）", "王芳",
         "6217000011112222", "李主任", "审批通过"],
        ["BX2019-0004", "2019-03-12", "赵强", "财务科", "购买硒鼓", "¥ 2,350.50", "星城办公设备",
         "6228480011223344", "李主任", "审批通过"],
    ])
    return _save(workbook, folder / "金蝶报销单列表.xlsx")


def build_serial_in_b_with_footer(folder: Path) -> Path:
    """A hand-kept sheet: column A empty, 序号 in B, a hidden row and column, footer lines below."""
    workbook = openpyxl.Workbook()
    sheet = _sheet(workbook, "付款登记", [
        ["长沙市示范水利局2019年付款登记表"],
        ["序号", "付款日期", "凭证号", "事由", "内部编码", "金额（元）", "收款单位", "经办人", "审核人"],
        [1, D(2019, 4, 1), "记-101", "水质检测服务费", "X-1", 5800, "湘江检测中心", "刘一", "陈二"],
        [2, D(2019, 4, 3), "记-102", "办公桌椅", "X-2", 12600, "长沙家具厂", "刘一", "陈二"],
        [3, D(2019, 4, 9), "记-103", "防汛物资", "X-3", 7300, "湘水物资公司", "刘一", "陈二"],
        ["合计", None, None, None, None, 25700],
        [],
        ["制表人：张三    审核：李四    日期：2019年12月31日"],
        ["注：本表由财务科按月登记，金额单位为元。"],
    ], start_col=2)
    sheet.row_dimensions[4].hidden = True  # the 12600 row: hidden, still a payment
    sheet.column_dimensions["F"].hidden = True  # 内部编码
    sheet.merge_cells("B9:J9")
    sheet.merge_cells("B10:J10")
    return _save(workbook, folder / "长沙市示范水利局付款登记.xlsx")


def build_text_numbers(folder: Path) -> Path:
    """Numbers and dates typed or exported as text: spaces, full width, apostrophes, serials, times."""
    workbook = openpyxl.Workbook()
    sheet = _sheet(workbook, "Sheet1", [
        ["日期", "凭证号", "摘要", "金额", "收款单位", "发票号码"],
        ["2019-05-03 14:30", "'00120", "会议室租金", "1 200.00", "星沙会展", "'00571234"],
        ["'43588", "00121", "培训费", "１２００．００", "湖南培训中心", None],
        ["2019年5月6日", "00122", "印刷费", "'1500", "长沙印务有限公司", "00571236"],
        ["2019/05/07 09:05:00", "00123", "退回多付款", "-1,200.00", "星沙会展", "00571237"],
        ["20190508", "00124", "邮寄费", "￥８６．５０", "中国邮政", "00571238"],
    ])
    sheet["F3"].value = "00571235"  # typed with a leading apostrophe in Excel: text + quotePrefix
    sheet["F3"].quotePrefix = True
    return _save(workbook, folder / "长沙市示范教育局_付款.xlsx")


def build_contracts_wanyuan(folder: Path) -> Path:
    """合同台账 with 合同金额（万元） to 4 decimals and a 单位：万元 note (must not scale twice)."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "合同台账", [
        ["2019年合同台账"],
        ["编制单位：长沙市示范卫健委", None, None, None, "单位：万元"],
        ["合同编号", "合同名称", "合同相对方", "合同金额（万元）", "签订日期", "是否签字", "是否盖章", "开工日期", "验收日期"],
        ["WJ-2019-001", "信息系统运维", "湘云科技", 12.3456, D(2019, 2, 1), "√", "√", D(2019, 2, 10), D(2019, 12, 20)],
        ["WJ-2019-002", "物业服务", "安居物业", "0.0150", D(2019, 3, 1), "√", "×", D(2019, 3, 1), None],
        ["WJ-2019-003", "办公楼维修", "楚天建设", "(0.5000)", "2019.4.1", "是", "是", "2019.3.25", "2019.6.30"],
    ])
    return _save(workbook, folder / "合同台账.xlsx")


def build_formulas(folder: Path) -> Path:
    """An assets card whose 单价 is a formula openpyxl wrote without a cached value."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "资产卡片", [
        ["资产编号", "资产名称", "资产分类", "数量", "总价", "单价", "取得日期", "入账日期", "使用人"],
        ["ZC-001", "笔记本电脑", "计算机", 2, 13000, "=E2/D2", D(2019, 5, 1), D(2019, 5, 20), "王芳"],
        ["ZC-002", "打印机", "打印设备", 1, 2600, 2600, D(2019, 6, 1), D(2019, 6, 3), "赵强"],
        ["ZC-003", "空调", "空调", 3, 11400, "=ROUND(E4/D4,2)", D(2019, 7, 1), D(2019, 9, 1), "刘一"],
    ])
    return _save(workbook, folder / "固定资产卡片.xlsx")


def build_stacked(folder: Path) -> Path:
    """Two tables stacked in one sheet, and the payments header repeated after a page break."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "台账", [
        ["一、付款明细"],
        ["日期", "凭证号", "摘要", "金额", "收款单位"],
        [D(2019, 6, 1), "记-01", "物业费", 3000, "安居物业"],
        [D(2019, 6, 2), "记-02", "维修费", 1800, "楚天建设"],
        ["日期", "凭证号", "摘要", "金额", "收款单位"],
        [D(2019, 6, 5), "记-03", "水费", 420, "长沙水业"],
        [],
        ["二、合同台账"],
        ["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期"],
        ["HT-01", "物业服务合同", "安居物业", 36000, D(2019, 1, 1)],
        ["HT-02", "维修合同", "楚天建设", 18000, D(2019, 5, 20)],
    ])
    return _save(workbook, folder / "长沙市示范档案局台账.xlsx")


def build_side_by_side(folder: Path) -> Path:
    """Assets on the left, the unit-price limits beside them after an empty column."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "资产", [
        ["资产编号", "资产名称", "品目", "单价", "购置日期", None, "品目名称", "单价上限"],
        ["A-1", "台式机", "台式计算机", 5200, D(2019, 3, 1), None, "台式计算机", 5000],
        ["A-2", "笔记本", "便携式计算机", 6800, D(2019, 3, 2), None, "便携式计算机", 7000],
        ["A-3", "复印机", "复印机", 23000, D(2019, 3, 3), None, None, None],
        ["A-4", "碎纸机", "碎纸机", 900, D(2019, 3, 4), None, None, None],
    ])
    return _save(workbook, folder / "长沙市示范林业局资产.xlsx")


def build_merged_dates(folder: Path) -> Path:
    """A 接待 register where one date and one guest unit are merged over the meals of a visit."""
    workbook = openpyxl.Workbook()
    sheet = _sheet(workbook, "接待登记", [
        ["接待日期", "来访单位", "来访单位所在地", "接待对象人数", "陪同人数", "用餐金额", "公函"],
        [D(2019, 9, 10), "岳阳市审计局", "岳阳市", 4, 2, 480, "有"],
        [None, None, "岳阳市", 4, 2, 360, "有"],
        [None, None, "岳阳市", 4, 3, 520, "有"],
        [D(2019, 9, 20), "株洲市财政局", "株洲市", 3, 2, 900, "有"],
        [None, "株洲市财政局", "株洲市", 3, 2, None, "有"],
    ])
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("A5:A6")
    sheet.merge_cells("F5:F6")  # one bill for two meals: must not be counted twice
    return _save(workbook, folder / "长沙市示范审计局公务接待登记.xlsx")


def build_csv_semicolon_gbk(folder: Path) -> Path:
    """A ; separated CSV in GB18030, as some finance systems export."""
    text = (
        "日期;凭证号;摘要;金额;收款单位;发票号码\n"
        "2019-07-01;记-7;办公用品;1,234.00;长沙文具店;00881234\n"
        "2019-07-02;记-8;印刷费;560;长沙印务有限公司;00881235\n"
    )
    path = folder / "长沙市示范民政局付款.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("gb18030"))
    return path


def build_csv_tab_with_title(folder: Path) -> Path:
    """A tab separated CSV with a title line and a blank line above the header."""
    lines = [
        "长沙市示范交通局2019年公务接待登记表",
        "",
        "接待日期\t来访单位\t来访单位所在地\t接待对象人数\t陪同人数\t用餐金额\t公函",
        "2019-08-01\t益阳市交通局\t益阳市\t5\t3\t640.00\t有",
        "2019-08-09\t长沙县交通局\t长沙市\t2\t2\t300.00\t无",
    ]
    path = folder / "公务接待登记.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def build_monthly_xlsm(folder: Path) -> Path:
    """An .xlsm with one payments sheet per month, a 说明 sheet of prose and a 汇总 sheet."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "说明", [
        ["填表说明"],
        ["一、本表按月登记，每月一个工作表。"],
        ["二、日期、摘要、金额、收款单位为必填项，金额单位为元。"],
        ["三、发票号码请以文本格式录入，保留前导零。"],
    ])
    for month in (1, 2, 3):
        _sheet(workbook, f"{month}月", [
            [f"2019年{month}月付款明细"],
            ["序号", "日期", "凭证号", "摘要", "金额", "收款单位", "发票号码"],
            *[[i + 1, D(2019, month, 5 + i), f"记-{month:02d}{i:02d}", f"{month}月第{i + 1}笔", 100 * (i + 1) + month,
               "长沙文具店", f"00{month}{i:05d}"] for i in range(month + 1)],
            [f"{month}月小计", None, None, None, sum(100 * (i + 1) + month for i in range(month + 1))],
        ])
    _sheet(workbook, "汇总", [
        ["月份", "金额", "备注"],
        ["1月", 203, None],
        ["2月", 606, None],
        ["3月", 1209, None],
    ])
    return _save(workbook, folder / "长沙市示范统计局2019年付款.xlsm")


def build_staff_roster(folder: Path) -> Path:
    """A 人员名册 whose 在职状态 uses 在岗/离岗/退休/调出."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "花名册", [
        ["长沙市示范商务局在编人员花名册"],
        ["序号", "姓名", "性别", "部门", "岗位", "在职状态", "离职日期", "身份证号"],
        [1, "王芳", "女", "办公室", "会计", "在岗", None, "430102198501011234"],
        [2, "赵强", "男", "财务科", "出纳", "离岗", D(2019, 6, 30), "430102198602021234"],
        [3, "刘一", "男", "办公室", "主任", "退休", D(2019, 3, 31), "430102195903031234"],
        [4, "陈二", "女", "采购科", "采购员", "调出", "2019.10.15", "430102199004041234"],
    ])
    return _save(workbook, folder / "人员名册.xlsx")


def build_voucher_list(folder: Path) -> Path:
    """金蝶 凭证列表: one row per entry (借/贷 lines), 日期 and 凭证字号 only on a voucher's first line."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "凭证列表", [
        ["日期", "会计期间", "凭证字号", "分录号", "摘要", "科目代码", "科目名称", "借方", "贷方", "制单", "审核", "过账"],
        [D(2019, 5, 6), "2019.5", "记-12", 1, "付办公用品款", "5201.02.01", "办公费", 860, None, "王芳", "李主任", "是"],
        [None, None, None, 2, "付办公用品款", "1002", "银行存款", None, 860, None, None, None],
        [D(2019, 5, 9), "2019.5", "记-13", 1, "付印刷费", "5201.02.02", "印刷费", 430, None, "王芳", "李主任", "是"],
        [None, None, None, 2, "付印刷费", "1002", "银行存款", None, 430, None, None, None],
    ])
    return _save(workbook, folder / "凭证列表.xlsx")


BUILDERS = {
    "yonyou_detail": build_yonyou_detail,
    "kingdee_claims": build_kingdee_claims,
    "serial_in_b": build_serial_in_b_with_footer,
    "text_numbers": build_text_numbers,
    "contracts_wanyuan": build_contracts_wanyuan,
    "formulas": build_formulas,
    "stacked": build_stacked,
    "side_by_side": build_side_by_side,
    "merged_dates": build_merged_dates,
    "csv_semicolon": build_csv_semicolon_gbk,
    "csv_tab_title": build_csv_tab_with_title,
    "monthly_xlsm": build_monthly_xlsm,
    "staff": build_staff_roster,
    "voucher_list": build_voucher_list,
}


# ---- helpers ---------------------------------------------------------------------------------


def _unit_folder(tmp_path: Path, unit: str = "长沙市示范局") -> Path:
    return tmp_path / unit


def _only(ledgers, kind: str | None = None):
    tables = [t for t in ledgers.tables if kind is None or t.kind == kind]
    assert len(tables) == 1, [(t.sheet, t.kind, t.header_row) for t in ledgers.tables]
    return tables[0]


def _column(table, name: str) -> list:
    return [None if pd.isna(v) else v for v in table.data[name].tolist()]


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---- finance-system exports -------------------------------------------------------------------


def test_yonyou_detail_ledger_is_read_as_journal_lines_with_debit_and_credit(tmp_path):
    ledgers = load_ledgers([build_yonyou_detail(tmp_path)])
    table = _only(ledgers)
    assert (table.kind, table.header_row) == ("journal", 5)
    assert table.fields == {"date": "日期", "voucher_no": "凭证字号", "summary": "摘要", "account_code": "科目编码",
                            "account_name": "科目名称", "debit": "借方金额", "credit": "贷方金额"}
    assert _column(table, "debit") == [1200.0, 3456.7, None, 880.0]  # the 贷方 reversal has no debit
    assert _column(table, "credit") == [None, None, 200.0, None]
    assert {"方向", "余额"} <= set(table.unmapped)
    # 期初余额 and the 本月合计/本年累计 lines are not transactions.
    assert table.data["_row"].tolist() == [7, 8, 9, 12]
    assert table.data["voucher_word"].tolist() == ["记"] * 4
    assert table.data["voucher_no"].tolist() == ["3", "11", "25", "2"]
    assert table.data["period"].tolist() == ["2019-01", "2019-01", "2019-01", "2019-02"]  # from the dates
    assert table.data["account_code"].tolist() == ["5201010201", "5201010206", "5201010201", "5201010211"]
    assert set(table.data["_unit"]) == {"长沙市示范住建局"}  # from 核算单位：, not the file name
    assert any("第 6 行" in note and "期初余额" in note for note in table.notes)
    assert table.problems == []
    # One account's detail ledger shows no paying side: it records no payment by itself.
    assert derive_payments(table) is None


def test_a_detail_ledger_forced_to_payments_reads_debit_as_amount_when_the_mapping_file_says_so(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('sheets:\n  - sheet: "明细账"\n    kind: payments\n    columns: {"借方金额": amount}\n',
                       encoding="utf-8")
    table = _only(load_ledgers([build_yonyou_detail(tmp_path / "u")], mapping))
    assert table.fields["amount"] == "借方金额"
    assert _column(table, "amount") == [1200.0, 3456.7, None, 880.0]  # the 贷方 reversal has no debit
    assert not any("借方金额" in note for note in table.notes)


def test_voucher_list_is_a_journal_whose_paying_vouchers_are_payments(tmp_path):
    table = _only(load_ledgers([build_voucher_list(tmp_path)]))
    assert (table.kind, table.header_row) == ("journal", 1)
    assert {"date": "日期", "period": "会计期间", "voucher_no": "凭证字号", "line_no": "分录号", "summary": "摘要",
            "account_code": "科目代码", "account_name": "科目名称", "debit": "借方", "credit": "贷方",
            "maker": "制单", "checker": "审核"}.items() <= table.fields.items()
    # The 银行存款 lines of a voucher are rows too: nothing is dropped silently.
    assert table.rows == 4 and _column(table, "account_name") == ["办公费", "银行存款", "印刷费", "银行存款"]
    assert _column(table, "checker") == ["李主任"] * 4  # filled down within each voucher
    payments = derive_payments(table).data
    assert payments["amount"].tolist() == [860.0, 430.0]
    assert payments["voucher_no"].tolist() == ["记-12", "记-13"]
    assert payments["handler"].tolist() == ["王芳", "王芳"] and payments["approver"].tolist() == ["李主任", "李主任"]


def test_kingdee_claim_register_maps_claimant_approver_and_refunds(tmp_path):
    table = _only(load_ledgers([build_kingdee_claims(tmp_path)]))
    assert (table.kind, table.header_row, table.rows) == ("payments", 1, 4)
    assert table.fields == {"date": "单据日期", "summary": "报销事由", "amount": "报销金额", "payee": "收款人",
                            "handler": "报销人", "approver": "审批人"}
    assert "单据编号" in table.unmapped  # a claim number is not an accounting voucher number
    assert _column(table, "amount") == [1200.0, -1200.0, -1200.0, 2350.5]
    assert table.data["date"].tolist() == [_day("2019-03-02"), _day("2019-03-05"), _day("2019-03-09"), _day("2019-03-12")]
    assert table.problems == []


def test_the_earlier_listed_header_wins_wherever_the_columns_stand(tmp_path):
    path = tmp_path / "u" / "付款.xlsx"
    workbook = openpyxl.Workbook()
    _sheet(workbook, "S", [["单据日期", "付款日期", "摘要", "金额", "收款单位"],
                           [D(2019, 3, 1), D(2019, 3, 20), "印刷", 100, "甲"]])
    table = _only(load_ledgers([_save(workbook, path)]))
    assert table.fields["date"] == "付款日期" and "单据日期" in table.unmapped
    assert table.data["date"].tolist() == [_day("2019-03-20")]


# ---- hand-kept sheets ------------------------------------------------------------------------


def test_serial_in_column_b_hidden_rows_and_footer_lines(tmp_path):
    table = _only(load_ledgers([build_serial_in_b_with_footer(tmp_path)]))
    assert (table.kind, table.header_row) == ("payments", 2)
    assert "序号" not in table.fields.values() and table.unmapped == ["内部编码"]
    # The hidden row is a payment like the others; the footer lines are not payments.
    assert table.data["_row"].tolist() == [3, 4, 5]
    assert _column(table, "amount") == [5800.0, 12600.0, 7300.0]
    assert table.totals == {"amount": 25700.0} and table.totals_row == 6
    assert any("第 8、9 行为表尾" in note and "制表人：张三" in note for note in table.notes)
    assert table.problems == []


def test_a_data_row_after_a_note_like_row_keeps_both_as_data(tmp_path):
    """Only the trailing block is a footer: a row reading 备注：… in the middle of the data stays."""
    workbook = openpyxl.Workbook()
    _sheet(workbook, "S", [
        ["日期", "摘要", "金额", "收款单位"],
        [D(2019, 1, 2), "备注：预付", 10, "甲"],
        ["备注：以下为补录"],
        [D(2019, 1, 3), "补录", 20, "乙"],
    ])
    table = _only(load_ledgers([_save(workbook, tmp_path / "u" / "付款.xlsx")]))
    assert table.data["_row"].tolist() == [2, 3, 4] and table.notes == []


def test_numbers_and_dates_stored_as_text(tmp_path):
    table = _only(load_ledgers([build_text_numbers(tmp_path)]))
    assert table.problems == [] and table.data["_bad"].map(len).sum() == 0
    assert _column(table, "amount") == [1200.0, 1200.0, 1500.0, -1200.0, 86.5]
    assert table.data["date"].tolist() == [_day(d) for d in
                                           ("2019-05-03", "2019-05-03", "2019-05-06", "2019-05-07", "2019-05-08")]
    # Excel's text apostrophe is not part of the value; leading zeros stay.
    assert table.data["voucher_no"].tolist() == ["00120", "00121", "00122", "00123", "00124"]
    assert _column(table, "invoice_no") == ["00571234", "00571235", "00571236", "00571237", "00571238"]


def test_contract_amounts_in_wanyuan_with_four_decimals_are_scaled_once(tmp_path):
    table = _only(load_ledgers([build_contracts_wanyuan(tmp_path)]))
    assert (table.kind, table.header_row, table.scale) == ("contracts", 3, {"amount": 10000.0})
    assert _column(table, "amount") == [123456.0, 150.0, -5000.0]
    assert table.data["signed"].tolist() == [True, True, True]
    assert table.data["sealed"].tolist() == [True, False, True]
    assert set(table.data["_unit"]) == {"长沙市示范卫健委"}


def test_formula_without_a_cached_result_is_unreadable_not_zero(tmp_path):
    table = _only(load_ledgers([build_formulas(tmp_path)]))
    assert table.kind == "assets"
    assert _column(table, "unit_price") == [None, 2600.0, None]
    assert table.data["_bad"].tolist() == [["unit_price"], [], ["unit_price"]]
    assert [(p.row, p.column, p.value) for p in table.problems] == [(2, "单价", "=E2/D2"), (4, "单价", "=ROUND(E4/D4,2)")]
    assert all("公式没有计算结果" in p.message for p in table.problems)


def test_formula_with_a_cached_result_reads_the_result(tmp_path):
    """What Excel saves: <f> with its <v>; calamine returns the cached value and nothing is flagged."""
    import zipfile

    source = build_formulas(tmp_path / "a")
    target = tmp_path / "b" / "u" / "固定资产卡片.xlsx"
    target.parent.mkdir(parents=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # the empty cached value is `<v />`, `<v/>` or `<v></v>` as the XML writer has it
                data = re.sub(rb"<f>E2/D2</f><v\s*(/>|></v>)", b"<f>E2/D2</f><v>6500</v>", data)
                data = re.sub(rb"<f>ROUND\(E4/D4,2\)</f><v\s*(/>|></v>)", b"<f>ROUND(E4/D4,2)</f><v>3800</v>", data)
            new.writestr(item, data)
    table = _only(load_ledgers([target]))
    assert _column(table, "unit_price") == [6500.0, 2600.0, 3800.0] and table.problems == []


# ---- several tables in one sheet --------------------------------------------------------------


def test_stacked_tables_are_both_read_and_a_repeated_header_is_skipped(tmp_path):
    ledgers = load_ledgers([build_stacked(tmp_path)])
    assert [(t.sheet, t.kind, t.header_row, t.rows) for t in ledgers.tables] == [
        ("台账", "payments", 2, 3), ("台账", "contracts", 9, 2)]
    payments, contracts = ledgers.tables
    assert payments.data["_row"].tolist() == [3, 4, 6]  # not the repeated header, not the 二、 title
    assert _column(payments, "amount") == [3000.0, 1800.0, 420.0] and payments.problems == []
    assert any("第 5 行重复了表头" in note for note in payments.notes)
    assert contracts.data["contract_no"].tolist() == ["HT-01", "HT-02"] and contracts.problems == []


def test_side_by_side_tables_are_read_separately(tmp_path):
    ledgers = load_ledgers([build_side_by_side(tmp_path)])
    assert [(t.kind, t.header_row, t.rows) for t in ledgers.tables] == [("assets", 1, 4), ("price_limits", 1, 2)]
    assets, limits = ledgers.tables
    assert assets.unmapped == [] and _column(assets, "unit_price") == [5200.0, 6800.0, 23000.0, 900.0]
    assert limits.data["category"].tolist() == ["台式计算机", "便携式计算机"]
    assert _column(limits, "limit") == [5000.0, 7000.0]


def test_a_spacer_column_inside_one_table_does_not_split_it(tmp_path):
    workbook = openpyxl.Workbook()
    _sheet(workbook, "S", [
        ["日期", "凭证号", "摘要", "金额", None, "收款单位", "发票号码", "经办人"],
        [D(2019, 1, 2), "记-1", "印刷", 10, None, "甲", "001", "王"],
    ])
    table = _only(load_ledgers([_save(workbook, tmp_path / "u" / "付款.xlsx")]))
    assert set(table.fields) == {"date", "voucher_no", "summary", "amount", "payee", "invoice_no", "handler"}


# ---- merged cells ---------------------------------------------------------------------------


def test_merged_data_cells_are_filled_down_but_merged_amounts_are_not_repeated(tmp_path):
    table = _only(load_ledgers([build_merged_dates(tmp_path)]))
    assert table.kind == "receptions" and table.rows == 5
    assert table.data["date"].tolist() == [_day("2019-09-10")] * 3 + [_day("2019-09-20")] * 2
    assert table.data["guest_unit"].tolist() == ["岳阳市审计局"] * 3 + ["株洲市财政局"] * 2
    assert _column(table, "amount") == [480.0, 360.0, 520.0, 900.0, None]  # one bill, counted once
    assert table.problems == []
    assert any("接待日期" in note and "合并" in note for note in table.notes)
    assert any("用餐金额" in note and "第 6 行" in note for note in table.notes)


def test_blank_cells_that_are_not_merged_stay_blank(tmp_path):
    workbook = openpyxl.Workbook()
    _sheet(workbook, "S", [
        ["接待日期", "来访单位", "接待对象人数", "用餐金额"],
        [D(2019, 9, 10), "甲局", 4, 480],
        [None, None, 4, 360],
    ])
    table = _only(load_ledgers([_save(workbook, tmp_path / "u" / "接待.xlsx")]))
    assert _column(table, "date") == [_day("2019-09-10"), None] and _column(table, "guest_unit") == ["甲局", None]
    assert table.notes == []


# ---- CSV -------------------------------------------------------------------------------------


def test_semicolon_csv_in_gb18030(tmp_path):
    table = _only(load_ledgers([build_csv_semicolon_gbk(tmp_path)]))
    assert (table.kind, table.header_row, table.sheet) == ("payments", 1, "")
    assert _column(table, "amount") == [1234.0, 560.0]
    assert table.data["invoice_no"].tolist() == ["00881234", "00881235"]


def test_tab_csv_with_a_title_line_above_the_header(tmp_path):
    table = _only(load_ledgers([build_csv_tab_with_title(tmp_path / "长沙市示范交通局")]))
    assert (table.kind, table.header_row, table.rows) == ("receptions", 3, 2)
    assert table.data["_row"].tolist() == [4, 5]
    assert table.data["guest_count"].tolist() == [5, 2] and _column(table, "amount") == [640.0, 300.0]
    assert table.data["letter"].tolist() == [True, False]


# ---- workbooks of several sheets ------------------------------------------------------------


def test_month_sheets_prose_and_summary_sheets(tmp_path):
    entries = inspect_ledgers([build_monthly_xlsm(tmp_path)])
    assert [(e["sheet"], e["kind"], e["header_row"], e["rows"]) for e in entries] == [
        ("说明", None, None, 0), ("1月", "payments", 2, 2), ("2月", "payments", 2, 3),
        ("3月", "payments", 2, 4), ("汇总", None, None, 0)]
    months = [e for e in entries if e["kind"]]
    assert all(e["problems"] == [] and e["notes"] == [] for e in months)
    ledgers = load_ledgers([tmp_path])
    payments = ledgers.by_kind()["payments"]
    assert len(payments) == 9 and payments["amount"].sum() == 302 + 606 + 1012
    assert set(payments["_unit"]) == {"长沙市示范统计局"}


def test_staff_status_words_are_kept_as_written(tmp_path):
    table = _only(load_ledgers([build_staff_roster(tmp_path)]))
    assert (table.kind, table.header_row) == ("staff", 2)
    assert table.data["status"].tolist() == ["在岗", "离岗", "退休", "调出"]
    assert _column(table, "left_date") == [None, _day("2019-06-30"), _day("2019-03-31"), _day("2019-10-15")]
    assert {"性别", "身份证号"} <= set(table.unmapped)


def test_every_unseen_ledger_is_read_without_errors_and_inspect_is_json_ready(tmp_path):
    import json

    for name, build in BUILDERS.items():
        build(tmp_path / name)
    entries = inspect_ledgers([tmp_path])
    assert not [e for e in entries if "error" in e]
    json.dumps(entries, ensure_ascii=False)
    recognised = {(e["file"].split("/")[0], e["kind"]) for e in entries if e["kind"]}
    assert len({folder for folder, _ in recognised}) == len(BUILDERS)


# ---- properties -------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from audit_rules.ledgers.normalize import parse_amount  # noqa: E402
from audit_rules.ledgers.reader import _csv_delimiter  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=-10**11, max_value=10**11), apostrophe=st.booleans(),
       full_width=st.booleans(), brackets=st.booleans())
def test_amount_text_in_export_forms_reads_back(cents, apostrophe, full_width, brackets):
    text = f"{abs(cents) / 100:,.2f}"
    text = f"（{text}）" if brackets and cents < 0 else ("-" + text if cents < 0 else text)
    if full_width:
        text = text.translate(str.maketrans("0123456789.,-", "０１２３４５６７８９．，－"))
    if apostrophe:
        text = "'" + text
    values, bad = parse_amount(pd.Series([text], dtype=object))
    assert not bad.iloc[0] and values.iloc[0] == pytest.approx(cents / 100)


@settings(max_examples=60, deadline=None)
@given(delimiter=st.sampled_from([",", "\t", ";", "|"]), width=st.integers(min_value=2, max_value=8),
       rows=st.integers(min_value=1, max_value=6), title=st.booleans())
def test_csv_delimiter_is_found_under_a_title_line(delimiter, width, rows, title):
    lines = (["某局2019年付款明细表", ""] if title else []) + [
        delimiter.join(f"c{r}{c}" for c in range(width)) for r in range(rows + 1)]
    assert _csv_delimiter("\n".join(lines)) == delimiter

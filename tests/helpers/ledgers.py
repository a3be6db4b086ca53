"""Helpers for the ledger tests: build small workbooks with openpyxl into tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl


def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per entry; rows are written from A1 down (None = blank cell)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=row_number, column=column_number, value=value)
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


D = dt.datetime

# For each kind: primary headers with one data row, and the same columns written with
# synonyms and decorations (units in brackets, line breaks, spaces, full width, trailing *).
KIND_SAMPLES: dict[str, dict[str, list]] = {
    "payments": {
        "primary": [["日期", "凭证号", "摘要", "经济分类", "金额", "收款单位", "发票号码", "经办人", "审核人"],
                    [D(2019, 5, 3), "记-001", "办公用品", "办公费", 1200, "甲公司", "00571234", "张三", "李四"]],
        "decorated": [["付款\n日期", "凭证 字号", "事由", "支出科目", "支付金额（元）", "对方单位*", "发票号：", "报销人", "审批人"],
                      ["2019/05/03", "记-001", "办公用品", "办公费", "1,200.00", "甲公司", "00571234", "张三", "李四"]],
    },
    "receptions": {
        "primary": [["接待日期", "来访单位", "来访单位所在地", "接待对象人数", "陪同人数", "用餐金额", "公函"],
                    [D(2019, 5, 3), "乙局", "长沙市", 5, 3, 800, "有"]],
        "decorated": [["接待\n日期", "来访 单位", "来访单位所在地", "来访人数（人）", "陪餐人数", "餐费(元)", "派出单位公函"],
                      ["2019年5月3日", "乙局", "长沙市", "5人", "3", "800", "有"]],
    },
    "overtime_meals": {
        "primary": [["用餐日期", "加班事由", "申请人数", "实际就餐人数", "金额", "审批人"],
                    [D(2019, 5, 3), "迎检", 6, 5, 150, "王五"]],
        "decorated": [["用餐日期*", "加班\n事由", "申请 人数", "实际就餐人数（人）", "金额（元）", "审批人："],
                      ["2019.5.3", "迎检", "6", "5", "150.00", "王五"]],
    },
    "contracts": {
        "primary": [["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期", "签字", "盖章", "履行开始日期", "验收日期"],
                    ["HT-2019-01", "维修工程", "丙公司", 50000, D(2019, 3, 1), "是", "是", D(2019, 3, 5), D(2019, 6, 1)]],
        "decorated": [["合同号", "项目名称", "乙方", "金额（万元）", "签约日期", "是否签字", "是否盖章", "开工日期", "完成日期"],
                      ["HT-2019-01", "维修工程", "丙公司", 5, "20190301", "√", "√", "2019-3-5", "2019-6-1"]],
    },
    "assets": {
        "primary": [["资产编号", "资产名称", "资产分类", "规格型号", "单价", "数量", "取得日期", "入账日期", "使用人", "使用部门"],
                    ["ZC0001", "笔记本电脑", "计算机", "X1", 7000, 1, D(2019, 1, 5), D(2019, 3, 1), "张三", "办公室"]],
        "decorated": [["资产\n编号", "资产名称", "资产类别", "规格型号", "单价（元）", "数量", "购置日期", "入账日期", "保管人", "使用部门"],
                      ["ZC0001", "笔记本电脑", "计算机", "X1", "7,000", "1", "2019.1.5", "2019.3.1", "张三", "办公室"]],
    },
    "price_limits": {
        "primary": [["品目名称", "单价上限"], ["台式计算机", 5000]],
        "decorated": [["品目", "最高单价（元）"], ["台式计算机", "5000"]],
    },
    "special_funds": {
        "primary": [["专项名称", "年度", "批复金额", "允许支出经济分类", "用途"],
                    ["信息化专项", 2019, 300000, "办公设备购置、信息网络购建", "系统建设"]],
        "decorated": [["专项名称*", "年度", "批复金额（万元）", "支出范围", "用 途"],
                      ["信息化专项", "2019年", "30", "办公设备购置；信息网络购建", "系统建设"]],
    },
    "staff": {
        "primary": [["姓名", "部门", "职务", "人员状态", "调离（退休）日期"],
                    ["张三", "办公室", "科员", "调离", D(2019, 6, 1)]],
        "decorated": [["姓 名", "部门", "岗位", "在职状态", "离职日期"],
                      ["张三", "办公室", "科员", "调离", "2019-06-01"]],
    },
    "suppliers": {
        "primary": [["供应商名称", "采购品目", "有效期起", "有效期止"],
                    ["丁公司", "印刷", D(2019, 1, 1), D(2019, 12, 31)]],
        "decorated": [["供应商\n名称", "服务类别", "有效期起：", "有效期止*"],
                      ["丁公司", "印刷", "2019年1月1日", "2019年12月31日"]],
    },
    "decisions": {
        "primary": [["会议日期", "会议名称", "议题", "涉及金额", "关联合同编号", "决策结果"],
                    [D(2019, 2, 20), "党组会", "维修工程", 50000, "HT-2019-01", "同意"]],
        "decorated": [["会议日期*", "会议\n名称", "议 题", "涉及金额（元）", "关联合同编号", "决策结果："],
                      ["2019/2/20", "党组会", "维修工程", "50,000", "HT-2019-01", "同意"]],
    },
    "meetings": {
        "primary": [["会议日期", "会议名称", "会议类型", "主持人", "记录人", "参会人员", "应到人数", "实到人数", "签到人数"],
                    [D(2019, 2, 20), "党组会", "党组会议", "赵六", "钱七", "张三、李四", 9, 8, 8]],
        "decorated": [["会议\n日期", "会议名称", "会议类型", "主持人*", "记录人：", "参会 人员", "应到人数（人）", "实到人数", "签到人数"],
                      ["2019.2.20", "党组会", "党组会议", "赵六", "钱七", "张三、李四", "9人", "8", "8"]],
    },
    "appointments": {
        "primary": [["姓名", "拟任职务", "公示开始日期", "公示结束日期"],
                    ["孙八", "副科长", D(2019, 4, 1), D(2019, 4, 5)]],
        "decorated": [["姓\n名", "拟任职务*", "公示开始日期：", "公示结束\n日期"],
                      ["孙八", "副科长", "2019年4月1日", "2019年4月5日"]],
    },
}

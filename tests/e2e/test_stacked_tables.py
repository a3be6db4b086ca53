"""Two tables stacked in one sheet: the gate's exclusions reach the right one."""

from __future__ import annotations

from datetime import date

import openpyxl

from audit_rules.pipeline import run_check


def _stacked_sheet(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["合同台账"])
    ws.append(["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期", "履行开始日期", "签字", "盖章"])
    # Signed "2091" is a typing error the gate flags as implausible: not a contract signed late.
    ws.append(["HT-001", "设备维护", "甲公司", 50000, date(2091, 3, 1), date(2019, 3, 1), "是", "是"])
    ws.append(["HT-002", "印刷服务", "乙公司", 20000, date(2019, 4, 9), date(2019, 4, 1), "是", "是"])
    ws.append([])
    ws.append(["付款明细"])
    ws.append(["日期", "凭证号", "摘要", "金额", "收款单位", "发票开具单位", "发票号码", "经办人", "审核人"])
    ws.append([date(2019, 5, 6), "记-001", "设备维护费", 50000, "甲公司", "甲公司", "10000001", "张三", "李四"])
    path.parent.mkdir(parents=True)
    wb.save(path)


def test_an_implausible_date_in_the_upper_table_gives_no_finding(tmp_path):
    _stacked_sheet(tmp_path / "ledgers" / "测试单位" / "台账.xlsx")
    result = run_check([tmp_path / "ledgers"])
    kinds = sorted((q.kind, q.field) for q in result.data_quality if not q.passed)
    assert ("contracts", "sign_date") in kinds
    late = [f for f in result.findings if f.rule_id == "contract-signed-late"]
    assert [f.locations[0].row for f in late] == [4]  # HT-002 only, not the 2091 typo on row 3


def test_tables_side_by_side_keep_their_own_unreadable_cells_and_source_rows(tmp_path):
    from datetime import datetime as D

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记"
    ws.append(["接待日期", "来访单位", "来访单位所在地", "接待对象人数", "陪同人数", "用餐金额", None,
               "用餐日期", "加班事由", "申请人数", "实际就餐人数", "金额"])
    ws.append([D(2019, 3, 1), "株洲市某局", "株洲市", 2, 1, 900, None, D(2019, 3, 2), "加班", 3, 3, "abc"])
    ws.append([D(2019, 3, 5), "株洲市某局", "株洲市", 2, 1, 300, None, D(2019, 3, 6), "加班", 3, 3, 60])
    folder = tmp_path / "ledgers" / "测试单位"
    folder.mkdir(parents=True)
    wb.save(folder / "登记.xlsx")
    result = run_check([tmp_path / "ledgers"])
    meals = [f for f in result.findings if f.rule_id == "meal-reception-per-head"]
    # The overtime table's unreadable 金额 on row 2 must not hide the reception's 900 元 for 3.
    assert [f.locations[0].row for f in meals] == [2]
    source = result.source_rows[("测试单位/登记.xlsx", "登记", 2)]
    assert "来访单位" in source and "加班事由" not in source

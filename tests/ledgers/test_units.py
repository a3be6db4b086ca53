"""Which unit a ledger belongs to when no cell says so: the folders it sits in."""

from __future__ import annotations

import openpyxl

from audit_rules.ledgers import load_ledgers


def _payments(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["日期", "凭证号", "摘要", "金额", "收款单位"])
    ws.append(["2019-05-03", "记-001", "办公用品", 100, "甲公司"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_period_and_ledger_folders_below_the_unit_folder_are_skipped(tmp_path):
    _payments(tmp_path / "甲局" / "2019年" / "付款明细.xlsx")
    _payments(tmp_path / "乙局" / "2019年" / "12月" / "付款明细.xlsx")
    _payments(tmp_path / "各单位台账" / "丙中心" / "付款" / "付款明细.xlsx")
    _payments(tmp_path / "长沙市公务接待中心" / "付款明细.xlsx")
    units = {t.file: set(t.data["_unit"]) for t in load_ledgers([tmp_path], workers=1).tables}
    assert units == {
        "甲局/2019年/付款明细.xlsx": {"甲局"},
        "乙局/2019年/12月/付款明细.xlsx": {"乙局"},
        "各单位台账/丙中心/付款/付款明细.xlsx": {"丙中心"},
        "长沙市公务接待中心/付款明细.xlsx": {"长沙市公务接待中心"},  # a unit name is kept as written
    }

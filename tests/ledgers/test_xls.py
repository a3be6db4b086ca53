"""Legacy .xls (BIFF) workbooks go through calamine like .xlsx: types, header, totals, provenance."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_rules.ledgers import load_ledgers

xlwt = pytest.importorskip("xlwt", reason="xlwt（测试依赖）未安装，无法生成 .xls 样本")


def _write_xls(path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("付款明细")
    ws.write_merge(0, 0, 0, 6, "测试局2019年付款明细账")
    ws.write(1, 0, "编制单位：测试局        单位：元")
    for col, header in enumerate(["序号", "日期", "凭证号", "摘要", "金额（元）", "收款单位", "发票号码"]):
        ws.write(2, col, header)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    rows = [
        [1, dt.date(2019, 5, 3), "记-001", "办公用品", 1200.5, "甲公司", "00571234"],
        [2, "2019年5月4日", "记-002", "印刷费", "1,000.00", "乙公司", "No.00571235"],
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values):
            ws.write(r, c, value, date_style if isinstance(value, dt.date) else xlwt.Style.default_style)
    ws.write(5, 0, "合计")
    ws.write(5, 4, 2200.5)
    wb.save(str(path))


def test_xls_ledger_is_read_with_types_header_totals_and_excel_rows(tmp_path):
    _write_xls(tmp_path / "付款明细.xls")
    ledgers = load_ledgers([tmp_path])
    assert ledgers.errors == []
    (table,) = ledgers.tables
    assert (table.kind, table.header_row, table.sheet) == ("payments", 3, "付款明细")
    assert table.data["_row"].tolist() == [4, 5]
    assert table.data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-05-03", "2019-05-04"]
    assert table.data["amount"].tolist() == [1200.5, 1000.0]
    assert table.data["invoice_no"].tolist() == ["00571234", "No.00571235"]
    assert set(table.data["_unit"]) == {"测试局"}
    assert table.totals == {"amount": 2200.5}

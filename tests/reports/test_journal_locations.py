"""A finding on a journal line names its voucher and line, as the accounting software shows it."""

from __future__ import annotations

import json

import jsonschema
import openpyxl

from audit_rules.contracts import findings_schema
from audit_rules.findings import Finding, Location
from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports
from audit_rules.reports.common import location_text, row_label

SCHEMA = findings_schema()


def _journal(tmp_path):
    """记-12 of 2019-06: its cash line first, the expense line (paid to a company) second."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "序时账"
    ws.append(["核算单位：长沙市示范某局"])
    ws.append(["日期", "会计期间", "凭证字号", "摘要", "科目代码", "科目名称", "借方", "贷方", "核算项目"])
    ws.append(["2019-06-12", "2019.6", "记-0012", "公务接待餐费", "1001", "库存现金", None, 2400, None])
    ws.append([None, None, None, "公务接待餐费", "5101.02", "单位管理费用", 2400, None,
               "往来单位:长沙湘味餐饮有限公司;经济分类:30217 公务接待费"])
    (tmp_path / "in").mkdir()
    workbook.save(tmp_path / "in" / "凭证明细.xlsx")
    return tmp_path / "in"


def test_a_journal_line_is_named_by_its_voucher_and_line_in_every_report(tmp_path):
    result = run_check([_journal(tmp_path)], quality=False)
    finding = next(f for f in result.findings if f.rule_id == "cash-payment-over-limit")
    [loc] = finding.locations
    assert (loc.row, loc.voucher, loc.voucher_line, loc.period) == (4, "记-12", 2, "2019-06")
    text = "凭证明细.xlsx / 序时账 / 第4行（2019-06 记-12 第2行）"
    assert location_text(loc) == text

    paths = write_reports(result, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    [written] = [f for f in doc["findings"] if f["rule_id"] == "cash-payment-over-limit"]
    assert written["locations"] == [{"file": "凭证明细.xlsx", "sheet": "序时账", "row": 4,
                                     "voucher": "记-12", "voucher_line": 2, "period": "2019-06"}]
    assert Finding.from_json(written).locations[0] == loc  # read back (a baseline) the same

    workbook = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")
    cells = {str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert text in cells  # 疑点明细's 来源
    assert "4（2019-06 记-12 第2行）" in cells  # the rule's own sheet
    assert text in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert paths


def test_other_rows_keep_their_plain_location():
    loc = Location("付款.xlsx", "2019年", 12)
    assert location_text(loc) == "付款.xlsx / 2019年 / 第12行"
    assert row_label(loc) == 12
    assert Location("付款.csv", "", 3).to_json() == {"file": "付款.csv", "sheet": "", "row": 3}

"""report.xlsx: sheets, headers, links, dropdown, formats, formula safety, 整改 carry-over."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string

import pytest
from helpers.reports import CONTRACTS, FORMULA_STRINGS, PAY, RECEPTIONS, make_result
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from audit_rules.reports.rectification import ReportReadError, read_rectification
from audit_rules.reports.workbook_names import FIXED_SHEETS, RECTIFICATION_COLUMNS
from audit_rules.reports.xlsx_report import excel_value, rule_sheet_name, write_xlsx


@pytest.fixture
def layout(tmp_path):
    """Ledgers in <tmp>/ledgers, the report in <tmp>/out/2024/report.xlsx (two levels down)."""
    ledger_dir = tmp_path / "ledgers"
    report = tmp_path / "out" / "2024" / "report.xlsx"
    return ledger_dir, report


def build(layout, **kwargs):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir, **kwargs)
    write_xlsx(result, report)
    return result, load_workbook(report)


def header(ws) -> list:
    return [c.value for c in ws[1]]


def rows_by_id(ws) -> dict:
    head = header(ws)
    at = head.index("编号")
    return {row[at].value: dict(zip(head, row)) for row in ws.iter_rows(min_row=2) if row[at].value}


def rule_sheet(wb, finding_id):
    """The per-rule sheet listing `finding_id` (sheets are named by the rule's Chinese title)."""
    return next(ws for ws in wb.worksheets[2:] if any(c.value == finding_id for c in ws["A"]))


def blocks(ws) -> list[list[dict]]:
    """The blocks of a per-rule sheet: each its own header row (疑点编号…) and its rows."""
    out, head = [], None
    for row in ws.iter_rows(values_only=True):
        if row[0] == "疑点编号":
            head = [v for v in row if v is not None]
            out.append([])
        elif row[0] is not None:
            out[-1].append(dict(zip(head, row)))
    return out


def test_sheets_without_baseline(layout):
    result, wb = build(layout)
    rule_ids = sorted({f.rule_id for f in result.findings})
    titles = [next(f.title for f in result.findings if f.rule_id == r) for r in rule_ids]
    assert wb.sheetnames == ["汇总", "疑点明细", *titles, "数据质量", "规则清单", "运行信息"]
    assert all(len(name) <= 31 for name in wb.sheetnames)


def test_sheets_with_baseline_add_resolved(layout):
    result, wb = build(layout, baseline=True)
    assert wb.sheetnames[:4] == ["汇总", "疑点明细", "对账销号单", "已销号"]
    resolved = rows_by_id(wb["已销号"])
    assert list(resolved) == [result.resolved[0].id]
    assert resolved[result.resolved[0].id]["状态"].value == "已整改（销号）"


def test_findings_sheet_headers_and_one_row_per_finding(layout):
    result, wb = build(layout)
    ws = wb["疑点明细"]
    assert header(ws) == [
        "序号", "单位", "问题摘要", "涉及金额", "具体描述", "定性依据", "来源", "参数待核定",
        "整改措施", "责任部门", "责任人", "完成时限", "整改状态", "进展", "下一步", "证明材料",
        "编号", "类别", "严重程度", "规则编号",
    ]
    rows = rows_by_id(ws)
    assert set(rows) == {f.id for f in result.findings}
    dup = next(f for f in result.findings if f.rule_id == "duplicate-payment")
    row = rows[dup.id]
    assert row["类别"].value == "重复支付"
    assert row["严重程度"].value == "高"
    assert row["单位"].value == "市卫健委"
    assert row["问题摘要"].value == "重复支付" and row["规则编号"].value == "duplicate-payment"
    assert [r["序号"].value for r in rows.values()] == list(range(1, len(rows) + 1))
    no_unit = next(f for f in result.findings if f.unit is None)
    assert rows[no_unit.id]["单位"].value == "（未标明单位）"


def test_status_column_only_with_baseline(layout):
    result, wb = build(layout, baseline=True)
    rows = rows_by_id(wb["疑点明细"])
    assert {rows[f.id]["状态"].value for f in result.findings} == {"新增", "未整改"}
    assert rows[result.findings[1].id]["状态"].value == "未整改"


def test_amount_is_number_with_yuan_format(layout):
    result, wb = build(layout)
    rows = rows_by_id(wb["疑点明细"])
    dup = next(f for f in result.findings if f.rule_id == "duplicate-payment")
    cell = rows[dup.id]["涉及金额"]
    assert cell.data_type == "n" and cell.value == 36500.0
    assert cell.number_format == "¥#,##0.00"
    empty = next(f for f in result.findings if f.amount is None)
    assert rows[empty.id]["涉及金额"].value is None


def test_source_lists_all_locations_and_links_the_first_relative(layout):
    result, wb = build(layout)
    rows = rows_by_id(wb["疑点明细"])
    over = next(f for f in result.findings if f.rule_id == "payment-over-contract")
    cell = rows[over.id]["来源"]
    assert cell.value.splitlines() == [
        f"{CONTRACTS} / 合同台账 / 第5行", f"{PAY} / 6月 / 第12行", f"{PAY} / 7月 / 第4行",
        "（链接到第1处；全部3处逐一链接：点本行“编号”）",
    ]
    assert cell.hyperlink.target == f"../../ledgers/{CONTRACTS}#'合同台账'!A5"
    csv = next(f for f in result.findings if f.locations[0].file == RECEPTIONS)
    assert rows[csv.id]["来源"].hyperlink.target == f"../../ledgers/{RECEPTIONS}"  # no sheet in a CSV


def _link_targets(wb) -> dict:
    """(sheet, row) of every cell -> its hyperlink: ('file', target) or ('within', sheet, row)."""
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.hyperlink is None:
                    continue
                if c.hyperlink.location:
                    sheet, _, cell = c.hyperlink.location.rpartition("!")
                    out[(ws.title, c.row, c.column)] = ("within", sheet.strip("'").replace("''", "'"), int(cell[1:]))
                else:
                    out[(ws.title, c.row, c.column)] = ("file", c.hyperlink.target)
    return out


def test_every_location_of_every_finding_is_linked_and_reachable_from_its_row(layout):
    """Each location is the target of a hyperlink in its rule sheet, on a row reached from the
    finding's 疑点明细 row by the 编号 link; the 疑点编号 there links back."""
    result, wb = build(layout)
    links = _link_targets(wb)
    ws = wb["疑点明细"]
    head = header(ws)
    id_col = head.index("编号") + 1
    for finding in result.findings:
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, id_col).value == finding.id)
        kind, sheet, first = links[("疑点明细", row, id_col)]
        assert kind == "within" and wb[sheet].cell(first, 1).value == finding.id
        rule_ws = wb[sheet]
        rows = [r for r in range(1, rule_ws.max_row + 1) if rule_ws.cell(r, 1).value == finding.id]
        assert links[(sheet, rows[0], 1)] == ("within", "疑点明细", row)
        for loc in finding.locations:
            target = f"../../ledgers/{loc.file}" + (f"#'{loc.sheet}'!A{loc.row}" if loc.sheet else "")
            shown = [r for r in rows if (rule_ws.cell(r, 2).value, rule_ws.cell(r, 3).value or "", rule_ws.cell(r, 4).value)
                     == (loc.file, loc.sheet, loc.row)]
            assert shown and links[(sheet, shown[0], 2)] == ("file", target), (finding.id, loc)


def test_no_link_when_source_path_unknown(layout):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir)
    result.source_paths = {}
    write_xlsx(result, report)
    ws = load_workbook(report)["疑点明细"]
    assert all(row["来源"].hyperlink is None for row in rows_by_id(ws).values())


def test_sheet_name_with_quote_is_escaped_in_link(layout):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir)
    result.findings[0].locations[0] = type(result.findings[0].locations[0])(PAY, "张三's表", 3)
    write_xlsx(result, report)
    rows = rows_by_id(load_workbook(report)["疑点明细"])
    assert rows[result.findings[0].id]["来源"].hyperlink.target.endswith("#'张三''s表'!A3")


def test_unverified_marker_only_on_findings_with_unverified_parameters(layout):
    result, wb = build(layout)
    rows = rows_by_id(wb["疑点明细"])
    for f in result.findings:
        marker = rows[f.id]["参数待核定"].value
        if f.unverified:
            # what the parameter is and its value in force (the header says 参数待核定)
            assert marker == "公务接待人均用餐标准：150 元/人"
        else:
            assert marker is None


def test_rectification_dropdown_covers_every_finding_row(layout):
    result, wb = build(layout)
    ws = wb["疑点明细"]
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list" and dv.formula1 == '"未整改,整改中,已整改"'
    column = header(ws).index("整改状态") + 1
    letter = get_column_letter(column)
    assert str(dv.sqref) == f"{letter}2:{letter}{len(result.findings) + 1}"
    assert dv.showErrorMessage


def test_rectification_prefilled_by_id(layout):
    result, wb = build(layout, baseline=True)
    rows = rows_by_id(wb["疑点明细"])
    carried = result.findings[1].id
    typed = {c: rows[carried][c].value for c in RECTIFICATION_COLUMNS}
    assert {c: v for c, v in typed.items() if v is not None} == result.rectification[carried]
    other = result.findings[0].id
    assert all(rows[other][c].value is None for c in RECTIFICATION_COLUMNS)


@pytest.mark.parametrize("sheet", ["疑点明细", "数据质量", "规则清单"])
def test_frozen_header_filter_and_print_setup(layout, sheet):
    _, wb = build(layout)
    ws = wb[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    # every column at least as wide as its header (a CJK character takes two width units)
    for cell in ws[1]:
        assert ws.column_dimensions[cell.column_letter].width >= 2 * len(str(cell.value)), cell.value
    assert ws["A2"].alignment.wrap_text


def test_body_cells_keep_their_own_style_beside_wrap_and_border(layout):
    """Body cells get wrap and border by style id; a link's font and a date's format stay."""
    _, wb = build(layout)
    ws = wb["疑点明细"]
    column = {c.value: c.column for c in ws[1]}
    body = [row for row in ws.iter_rows(min_row=2) if row[0].value is not None]
    assert body
    for row in body:
        for cell in row:
            assert cell.alignment.wrap_text and cell.border.left.style == "thin", cell.coordinate
    linked = [row[column["来源"] - 1] for row in body if row[column["来源"] - 1].hyperlink]
    assert linked and all(cell.font.u == "single" for cell in linked)


def test_crafted_formula_strings_stay_strings(layout):
    ledger_dir, report = layout
    result, wb = build(layout, crafted=True)
    crafted = next(f for f in result.findings if f.rule_id == "custom-formula")
    row = rows_by_id(wb["疑点明细"])[crafted.id]
    assert (row["具体描述"].value, row["具体描述"].data_type) == (FORMULA_STRINGS[0], "s")
    assert (row["单位"].value, row["单位"].data_type) == (FORMULA_STRINGS[1], "s")
    assert (row["定性依据"].value, row["定性依据"].data_type) == (FORMULA_STRINGS[2], "s")
    assert (row["问题摘要"].value, row["问题摘要"].data_type) == (FORMULA_STRINGS[3], "s")
    source_rows = [r for r in rule_sheet(wb, crafted.id).iter_rows(min_row=2) if r[0].value == crafted.id]
    values = {(c.value, c.data_type) for c in source_rows[0]}
    for text in FORMULA_STRINGS:
        assert (text, "s") in values
    # nothing anywhere in the workbook became a formula
    for ws in wb.worksheets:
        assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"], ws.title


def test_excel_value_never_returns_formula_like_type():
    assert excel_value(True) == "是"
    assert excel_value("") is None
    assert excel_value("a\x01b") == "ab"  # control characters Excel refuses
    assert excel_value(dt.date(2019, 5, 3)) == dt.datetime(2019, 5, 3)
    assert excel_value(float("nan")) is None
    assert excel_value(["礼品", "购物卡"]) == "礼品、购物卡"


def test_rule_sheets_list_source_rows_with_original_columns(layout):
    result, wb = build(layout)
    ws = wb["付款超合同金额"]
    assert header(ws)[:4] == ["疑点编号", "文件", "工作表", "行号"]
    contracts, payments = blocks(ws)  # one block per ledger layout, each with its own columns
    assert {"合同编号", "合同金额"} <= set(contracts[0]) and "凭证号" not in contracts[0]
    assert {"凭证号", "金额", "收款单位"} <= set(payments[0]) and "合同编号" not in payments[0]
    assert [(r["文件"], r["工作表"], r["行号"]) for r in contracts + payments] == [
        (CONTRACTS, "合同台账", 5), (PAY, "6月", 12), (PAY, "7月", 4)]
    assert contracts[0]["合同编号"] == "JY-2019-008"
    assert payments[1]["金额"] == 169000  # typed as text '169000' in the ledger: stored as a number
    amount = next(c for row in ws.iter_rows() for c in row if c.value == 169000)
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert ws["B2"].hyperlink.target.endswith("#'合同台账'!A5")
    assert ws.freeze_panes == "A2"


def test_a_rule_sheet_lists_at_most_its_cap_and_says_what_it_left_out(layout, monkeypatch):
    from audit_rules.reports import xlsx_report

    monkeypatch.setattr(xlsx_report, "RULE_SHEET_MAX_ROWS", 2)
    result, wb = build(layout)
    ws = wb["付款超合同金额"]
    listed = [r for block in blocks(ws) for r in block if r.get("疑点编号") and r.get("文件")]
    assert len(listed) == 3  # a rule's first finding whole, however many rows
    assert not any(isinstance(c.value, str) and c.value.startswith("本表行数上限") for c in ws["A"])
    ledger_dir, report = layout
    first = next(f for f in result.findings if f.rule_id == "duplicate-payment")
    result.findings.append(dataclasses.replace(first, id=first.id[:-1] + "x"))  # a second of that rule
    write_xlsx(result, report)
    wb = load_workbook(report)
    duplicates = [f for f in result.findings if f.rule_id == "duplicate-payment"]
    ws = rule_sheet(wb, duplicates[0].id)
    listed = {r["疑点编号"] for block in blocks(ws) for r in block if r.get("疑点编号") and r.get("文件")}
    assert listed == {duplicates[0].id}  # whole findings only: the second would pass the cap
    note = next(c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("本表行数上限"))
    assert f"只列出前 1 条疑点的 2 行来源（共 {len(duplicates)} 条疑点" in note and "findings.json" in note
    assert len(rows_by_id(wb["疑点明细"])) == len(result.findings)  # every finding still listed there
    sources = {f.id: rows_by_id(wb["疑点明细"])[f.id]["来源"].value for f in duplicates}
    assert "点本行" in sources[duplicates[0].id] and "见 findings.json" in sources[duplicates[1].id]


def test_no_sheet_for_rules_without_findings(layout):
    _, wb = build(layout)
    assert "contract-prepay-ratio" not in wb.sheetnames
    assert "study-session-gap" not in wb.sheetnames


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + "[]:*?/\\'-_规则" , min_size=0, max_size=40), min_size=1, max_size=8))
@example(["::::::::::::::::::::::::::::::':"])  # a quote left at the end by the cut to 31 characters
def test_rule_sheet_names_valid_and_unique(rule_ids):
    taken = set(FIXED_SHEETS)
    names = []
    for rule_id in rule_ids:
        name = rule_sheet_name(rule_id, taken)
        taken.add(name)
        names.append(name)
    assert all(0 < len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    lowered = [n.lower() for n in names] + [s.lower() for s in FIXED_SHEETS]
    assert len(lowered) == len(set(lowered))


def test_long_rule_ids_get_distinct_sheets(layout):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir)
    long_a = "special-fund-off-purpose-excluded-words-2019"
    long_b = "special-fund-off-purpose-excluded-words-2020"
    title = "专项资金未按批复用途使用（含排除词、跨年度结转、项目名称不一致）"
    result.findings[0].rule_id, result.findings[1].rule_id = long_a, long_b
    result.findings[0].title = result.findings[1].title = title
    write_xlsx(result, report)
    names = load_workbook(report).sheetnames
    assert title[:31] in names and (title[:29] + "~2") in names


def test_summary_counts_amounts_and_charts(layout):
    result, wb = build(layout, baseline=True)
    ws = wb["汇总"]
    cells = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(1, ws.max_row + 1)}
    assert cells["疑点总数"][0] == len(result.findings)
    assert cells["重复支付"] == (1, 36500.0)
    assert cells["市教育局"][0] == sum(1 for f in result.findings if f.unit == "市教育局")
    assert cells["高"][0] == sum(1 for f in result.findings if f.severity == "high")
    assert cells["低"][1] == pytest.approx(860.5)  # None amount counts as 0
    assert cells["合同要素缺失"] == (1, "—")  # no finding of the category carries an amount: not ¥0.00
    assert cells["新增"][0] == 5 and cells["未整改"][0] == 2 and cells["已整改（销号）"][0] == 1
    kinds = sorted(type(c).__name__ for c in ws._charts)
    assert kinds == ["BarChart", "PieChart"]


def test_summary_has_a_month_table_and_chart_when_findings_are_dated(layout):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir)
    for finding, day in zip(result.findings, ["2019-03-02", "2019-03-30", "2019-11-05"]):
        finding.date = day
    write_xlsx(result, report)
    ws = load_workbook(report)["汇总"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert cells["2019年03月"] == 2 and cells["2019年11月"] == 1
    assert sorted(type(c).__name__ for c in ws._charts) == ["BarChart", "BarChart", "PieChart"]


def test_summary_without_baseline_has_no_status_counts(layout):
    _, wb = build(layout)
    labels = {c.value for c in wb["汇总"]["A"]}
    assert "新增" not in labels and "未整改" not in labels


def test_data_quality_sheet_in_chinese(layout):
    _, wb = build(layout)
    ws = wb["数据质量"]
    assert header(ws) == ["文件", "工作表", "表类型", "字段", "检查", "结果", "不通过行数", "不通过的行及值", "说明"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0][5] == "未通过" and rows[-1][5] == "通过"  # failures first
    voucher = next(r for r in rows if r[3] == "凭证号（voucher_no）")
    assert voucher[2] == "付款/支出/报销明细" and voucher[4] == "不应重复"
    assert voucher[6] == 2 and voucher[7] == "第9行：记-0031；第22行：记-0031"


def test_rules_sheet_lists_every_rule(layout):
    result, wb = build(layout)
    rows = {r[0].value: [c.value for c in r] for r in wb["规则清单"].iter_rows(min_row=2)}
    assert set(rows) == {r.rule_id for r in result.rules}
    assert rows["study-session-gap"][5] == "已跳过" and "会议记录" in rows["study-session-gap"][6]
    assert rows["staff-paid-review-fee"][5] == "运行失败"
    assert rows["meal-reception-per-head"][7] == "meal_per_head_limit = 150 元/人（待核定）"
    assert rows["asset-unit-price-over-limit"][7] == "price_limits = 台式计算机 5000，便携式计算机 7000 元"
    assert rows["duplicate-payment"][9] == 1


def test_run_info_sheet(layout):
    result, wb = build(layout, baseline=True)
    values = [[c.value for c in r] for r in wb["运行信息"].iter_rows()]
    flat = {r[0]: r[1] for r in values}
    assert flat["规则集 SHA-256"] == "a" * 64
    assert flat["命令行"] == result.command_line
    assert flat["对比基线"] == "out/2023"
    for item in result.inputs:
        assert flat[item.file] == item.sha256
    assert flat["市教育局/损坏的台账.xlsx"].startswith("文件已损坏")


def test_read_rectification_round_trip(layout):
    ledger_dir, report = layout
    result, wb = build(layout)
    ws = wb["疑点明细"]
    head = header(ws)
    first, second = list(rows_by_id(ws))[:2]
    filled = {
        first: {"责任部门": "办公室", "整改措施": "=退回多付款项", "完成时限": dt.datetime(2024, 6, 30), "整改状态": "整改中"},
        second: {"整改状态": "已整改"},
    }
    for row in ws.iter_rows(min_row=2):
        for column, value in filled.get(row[head.index("编号")].value, {}).items():
            row[head.index(column)].value = value
            row[head.index(column)].data_type = "s" if isinstance(value, str) else row[head.index(column)].data_type
    wb.save(report)
    got = read_rectification(report)
    assert got == {
        # a date typed as a date comes back as a date, not as text
        first: {"责任部门": "办公室", "整改措施": "=退回多付款项", "完成时限": dt.datetime(2024, 6, 30), "整改状态": "整改中"},
        second: {"整改状态": "已整改"},
    }


def test_read_rectification_of_untouched_report_is_empty(layout):
    _, report = layout
    build(layout)
    assert read_rectification(report) == {}


def test_read_rectification_errors_in_chinese(tmp_path):
    with pytest.raises(ReportReadError, match="找不到"):
        read_rectification(tmp_path / "none.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReportReadError, match="无法打开"):
        read_rectification(bad)
    from openpyxl import Workbook

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    with pytest.raises(ReportReadError, match="疑点明细"):
        read_rectification(other)


def test_empty_run_still_writes_valid_workbook(layout):
    ledger_dir, report = layout
    result = make_result(ledger_dir=ledger_dir, findings=[])
    write_xlsx(result, report)
    wb = load_workbook(report)
    assert wb.sheetnames == ["汇总", "疑点明细", "数据质量", "规则清单", "运行信息"]
    assert wb["汇总"]._charts == []
    assert wb["疑点明细"].max_row == 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@（）()\"',;!AB12 中文\t\n\x01"), min_size=1, max_size=12), min_size=1, max_size=20))
def test_any_text_round_trips_as_a_string(tmp_path_factory, texts):
    from openpyxl import Workbook

    from audit_rules.reports.xlsx_report import put

    path = tmp_path_factory.mktemp("rt") / "t.xlsx"
    wb = Workbook()
    for row, text in enumerate(texts, start=1):
        put(wb.active, row, 1, text)
    wb.save(path)
    ws = load_workbook(path).active
    for row, text in enumerate(texts, start=1):
        expected = text.replace("\x01", "") or None
        cell = ws.cell(row, 1)
        assert cell.value == expected
        assert cell.data_type == ("s" if expected is not None else "n")


def test_summary_charts_never_overlap_and_amounts_fit(layout):
    _, wb = build(layout, baseline=True)
    ws = wb["汇总"]
    spans = []
    for chart in ws._charts:
        top = chart.anchor._from.row
        spans.append((top, top + chart.height / 0.53))
    spans.sort()
    assert len(spans) >= 2
    assert all(below[0] >= above[1] for above, below in zip(spans, spans[1:]))
    amount = f"¥{ws['B4'].value:,.2f}"
    assert ws.column_dimensions["B"].width >= len(amount) + 2  # no ###


def test_wrapped_text_gets_row_heights(layout):
    result, wb = build(layout)
    ws = wb["疑点明细"]
    over = next(f for f in result.findings if f.rule_id == "payment-over-contract")  # three sources
    id_column = header(ws).index("编号") + 1
    row = next(c.row for c in ws[get_column_letter(id_column)] if c.value == over.id)
    assert ws.row_dimensions[row].height >= 3 * 15


def test_rows_leave_room_for_every_line_as_cjk_fonts_set_it(layout):
    """Rendered with LibreOffice (benchmarks/render_report.py), an 11-point CJK line takes about
    20 points: a 2-line cell of the 对账销号单 (长沙市示范科技局 in 单位) gets at least 2 × 20."""
    _, wb = build(layout, baseline=True)
    ws = wb["对账销号单"]
    unit_col = header(ws).index("单位") + 1
    rows = [c.row for c in ws[get_column_letter(unit_col)][1:] if c.value and len(c.value) >= 7]
    assert rows and all(ws.row_dimensions[r].height >= 2 * 20 for r in rows)


def test_a_category_without_amounts_shows_its_dash_where_the_amounts_stand(layout):
    result, wb = build(layout)
    ws = wb["汇总"]
    dashes = [c for row in ws.iter_rows() for c in row if c.value == "—"]
    assert dashes and all(c.alignment.horizontal == "right" for c in dashes)


def test_the_printed_part_of_findings_is_the_rectification_form(layout):
    _, wb = build(layout)
    ws = wb["疑点明细"]
    last = header(ws).index("整改状态") + 1
    assert ws.print_area == f"'疑点明细'!$A$1:${get_column_letter(last)}${ws.max_row}"
    printed_width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, last + 1))
    assert printed_width <= 220  # fits an A4 page across at about 70 % or more

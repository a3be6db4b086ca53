"""Header and kind detection on the layouts people really use."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.ledgers import KIND_SAMPLES, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.ledgers import load_ledgers
from audit_rules.ledgers.header import (
    clean_header,
    detect_header,
    header_index,
    header_keys,
)
from audit_rules.ledgers.schema import table_kinds


def _only_table(tmp_path, rows, merges=None, name="S", recognised=True):
    path = write_xlsx(tmp_path / "book.xlsx", {name: rows}, {name: merges or []})
    ledgers = load_ledgers([path])
    if recognised:
        assert not ledgers.errors
    else:  # a workbook giving no ledger is never silently dropped
        assert [e.file for e in ledgers.errors] == [str(path)]
        assert "没有找到可识别的表头" in ledgers.errors[0].message
    assert len(ledgers.tables) == 1
    return ledgers.tables[0]


@pytest.mark.parametrize("kind", sorted(KIND_SAMPLES))
@pytest.mark.parametrize("variant", ["primary", "decorated"])
def test_each_kind_is_recognised_with_all_its_columns(tmp_path, kind, variant):
    rows = KIND_SAMPLES[kind][variant]
    table = _only_table(tmp_path, rows)
    assert table.kind == kind
    assert len(table.fields) == len(rows[0]), table.unmapped
    assert table.unmapped == []
    assert table.header_row == 1
    assert table.rows == 1
    assert table.problems == []


@pytest.mark.parametrize("kind", sorted(KIND_SAMPLES))
def test_primary_and_decorated_variants_read_to_the_same_values(tmp_path, kind):
    first = _only_table(tmp_path / "a", KIND_SAMPLES[kind]["primary"]).data
    second = _only_table(tmp_path / "b", KIND_SAMPLES[kind]["decorated"]).data
    fields = [c for c in first.columns if not c.startswith("_")]
    assert first[fields].astype(str).to_dict("records") == second[fields].astype(str).to_dict("records")


def test_header_text_tolerates_units_width_spaces_and_decorations():
    assert header_keys("金额（元）") == (("金额(元)", "金额"), 1.0)
    assert header_keys("合同金额(万元)")[1] == 10_000.0
    assert "发票号码" in header_keys("发票\n号 码*")[0]
    assert "经办人" in header_keys("经办人：")[0]
    assert clean_header("ＡＢ Ｃ") == "abc"
    # A bracket that is part of the header is kept, not taken for a unit.
    assert header_keys("预付期限（天）")[0][0] == "预付期限(天)"


def test_title_and_note_rows_above_the_header_with_serial_column_and_totals(tmp_path):
    rows = [
        ["XX单位2019年付款明细账"],
        ["编制单位：XX局        单位：元"],
        [],
        ["序号", "日期", "凭证号", "摘要", "金额（元）", "收款单位"],
        [1, dt.datetime(2019, 5, 3), "记-001", "办公用品", 100.5, "甲公司"],
        [2, dt.datetime(2019, 5, 4), "记-002", "印刷", 200, "乙公司"],
        ["小计", None, None, None, 300.5, None],
        [3, dt.datetime(2019, 5, 5), "记-003", "维修", 50, "丙公司"],
        ["合 计", None, None, None, 350.5, None],
    ]
    table = _only_table(tmp_path, rows, merges=["A1:F1"])
    assert table.kind == "payments"
    assert table.header_row == 4
    assert "序号" not in table.unmapped and "序号" not in table.fields.values()
    assert table.data["_row"].tolist() == [5, 6, 8]
    assert table.data["amount"].tolist() == [100.5, 200.0, 50.0]
    assert table.totals == {"amount": 350.5}
    assert table.totals_row == 9
    assert set(table.data["_unit"]) == {"XX局"}


def test_period_subtotal_rows_are_dropped_but_summaries_that_mention_totals_are_kept(tmp_path):
    rows = [
        ["日期", "凭证号", "摘要", "金额", "收款单位"],
        [dt.datetime(2019, 3, 3), "记-001", "办公用品合计采购", 100, "甲公司"],
        [None, None, "3月小计", 100, None],
        [dt.datetime(2019, 4, 4), "记-002", "印刷", 200, "乙公司"],
        [None, None, "第二季度 小计", 200, None],
        [None, None, "2019年上半年合计", 300, None],
    ]
    table = _only_table(tmp_path, rows)
    assert table.data["_row"].tolist() == [2, 4]
    assert table.data["summary"].tolist() == ["办公用品合计采购", "印刷"]
    assert table.totals == {"amount": 300.0}
    assert table.totals_row == 6


def test_wan_yuan_column_is_scaled_and_note_row_scale_applies_to_unlabelled_amounts(tmp_path):
    rows = [["合同编号", "合同名称", "合同相对方", "合同金额(万元)", "签订日期"],
            ["HT-1", "维修", "甲", 1.25, "2019-01-02"],
            ["合计", None, None, 1.25, None]]
    table = _only_table(tmp_path / "a", rows)
    assert table.data["amount"].tolist() == [12_500.0]
    assert table.scale == {"amount": 10_000.0}
    assert table.totals == {"amount": 12_500.0}

    noted = [["单位：万元"], ["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期"], ["HT-1", "维修", "甲", 2, "2019-01-02"]]
    assert _only_table(tmp_path / "b", noted).data["amount"].tolist() == [20_000.0]

    in_yuan = [["合同编号", "合同名称", "合同相对方", "合同金额（元）", "签订日期"], ["HT-1", "维修", "甲", 2, "2019-01-02"]]
    assert _only_table(tmp_path / "c", in_yuan).data["amount"].tolist() == [2.0]


def test_two_row_header_with_merged_parent_over_children(tmp_path):
    rows = [
        ["合同编号", "合同名称", "对方单位", "合同金额", "签订日期", "合同要素", None, "验收日期"],
        [None, None, None, None, None, "签字", "盖章", None],
        ["HT-1", "维修", "甲公司", 1000, "2019-03-01", "√", "×", "2019-06-01"],
    ]
    merges = ["F1:G1", "A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "H1:H2"]
    table = _only_table(tmp_path, rows, merges)
    assert table.kind == "contracts"
    assert table.header_row == 2
    assert table.fields["signed"] == "合同要素/签字"
    assert table.fields["sealed"] == "合同要素/盖章"
    assert table.data["_row"].tolist() == [3]
    assert table.data["signed"].tolist() == [True]
    assert table.data["sealed"].tolist() == [False]


def test_two_row_header_parent_amount_over_unit_children(tmp_path):
    rows = [
        ["日期", "凭证号", "摘要", "金额", None, "收款单位"],
        [None, None, None, "（元）", "备注", None],
        ["2019-01-02", "记-1", "办公", 10, "x", "甲"],
    ]
    table = _only_table(tmp_path, rows, ["D1:E1"])
    assert table.header_row == 2
    assert table.fields["amount"] == "金额/（元）"
    assert table.data["amount"].tolist() == [10.0]


def test_two_row_header_not_taken_when_the_next_row_is_data(tmp_path):
    rows = [["姓名", "部门", "职务", "人员状态"], ["张三", "办公室", "科员", "在职"], ["李四", "财务科", "科长", "在职"]]
    table = _only_table(tmp_path, rows)
    assert table.header_row == 1
    assert table.data["name"].tolist() == ["张三", "李四"]


@pytest.mark.parametrize(
    "headers, kind, field, expected",
    [
        # 金额 is a payment's amount in a payments sheet and a contract's amount in a contracts sheet
        (["日期", "凭证号", "摘要", "金额", "收款单位"], "payments", "amount", "金额"),
        (["合同编号", "合同名称", "乙方", "金额", "签订日期"], "contracts", "amount", "金额"),
        # 项目名称: a payment's fund source, a contract's name
        (["日期", "凭证号", "项目名称", "金额", "收款单位"], "payments", "fund_source", "项目名称"),
        (["合同编号", "项目名称", "对方单位", "签订日期"], "contracts", "name", "项目名称"),
        # 对方单位: payee of a payment, counterparty of a contract
        (["日期", "摘要", "金额", "对方单位"], "payments", "payee", "对方单位"),
        (["合同编号", "合同名称", "对方单位", "合同金额", "签订日期"], "contracts", "counterparty", "对方单位"),
        # 金额 in an overtime-meal register
        (["用餐日期", "加班事由", "申请人数", "实际就餐人数", "金额"], "overtime_meals", "amount", "金额"),
    ],
)
def test_generic_headers_resolved_by_the_chosen_kind(tmp_path, headers, kind, field, expected):
    table = _only_table(tmp_path, [headers, ["x"] * len(headers)])
    assert table.kind == kind
    assert table.fields[field] == expected


def test_sheet_matching_no_kind_is_unrecognised_and_reported(tmp_path):
    table = _only_table(tmp_path, [["随便", "什么"], ["1", "2"]], recognised=False)
    assert table.kind is None
    assert table.header_row is None
    assert table.rows == 0


def test_too_few_fields_or_no_anchor_is_not_recognised():
    # Two payment headers (below min_fields 3) and three without an anchor field.
    assert detect_header({1: {0: "日期", 1: "金额"}}) is None
    assert detect_header({1: {0: "日期", 1: "金额", 2: "经办人"}}) is None
    assert detect_header({1: {0: "日期", 1: "金额", 2: "收款单位"}}).kind == "payments"


def test_header_found_below_many_title_rows_but_not_beyond_the_scan(tmp_path):
    near = [["说明"]] * 10 + [["日期", "凭证号", "摘要", "金额", "收款单位"], ["2019-01-01", "1", "a", 1, "b"]]
    assert _only_table(tmp_path / "a", near).header_row == 11
    far = [["说明"]] * 60 + [["日期", "凭证号", "摘要", "金额", "收款单位"], ["2019-01-01", "1", "a", 1, "b"]]
    assert _only_table(tmp_path / "b", far, recognised=False).kind is None


def test_blank_rows_are_dropped_and_unnamed_data_columns_reported(tmp_path):
    rows = [["日期", "凭证号", "摘要", "金额", "收款单位", None],
            ["2019-01-01", "1", "a", 1, "b", "附注"],
            [None] * 6,
            ["2019-01-02", "2", "c", 2, "d", None]]
    table = _only_table(tmp_path, rows)
    assert table.data["_row"].tolist() == [2, 4]
    assert table.unmapped == ["列F"]


def test_merged_ranges_bound_the_parent_header(tmp_path):
    """金额 is merged over C:D only; E's header sits in the second row alone (E1 not merged)."""
    rows = [
        ["日期", "凭证号", "金额", None, None, "收款单位"],
        [None, None, "现金", "转账", "经办人", None],
        ["2019-01-02", "记-1", 10, None, "张三", "甲"],
    ]
    table = _only_table(tmp_path, rows, ["C1:D1", "A1:A2", "B1:B2", "F1:F2"])
    assert table.header_row == 2
    assert table.fields["amount"] == "金额/现金"
    assert table.fields["handler"] == "经办人"  # not "金额/经办人": the merge ends at D
    assert table.unmapped == ["金额/转账"]


ALL_HEADERS = sorted({(kind, h, f.name) for kind, spec in table_kinds().items()
                      for f in spec.fields.values() for h in f.headers})
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_HEADERS), st.lists(st.sampled_from([" ", "\n", "\u3000"]), max_size=3),
       st.integers(0, 10**6), st.sampled_from(["", "*", ":", "：", " *"]), st.sampled_from(["", "（元）", "(万元)", "【元】"]),
       st.booleans())
def test_decorated_headers_still_find_their_field(entry, spaces, where, trailing, unit, full_width):
    kind, header, field_name = entry
    text = header
    for space in spaces:  # spaces and line breaks typed inside the cell
        position = where % (len(text) + 1)
        text = text[:position] + space + text[position:]
    if full_width:
        text = "".join(FULL_WIDTH.get(char, char) for char in text)
    decorated = text + unit + trailing
    keys, scale = header_keys(decorated)
    lookup = header_index()[kind]
    assert next(lookup[k] for k in keys if k in lookup) == field_name
    assert scale == {"": None, "（元）": 1.0, "(万元)": 10_000.0, "【元】": 1.0}[unit]


def test_more_total_labels_are_dropped_and_only_a_grand_total_is_the_sheet_total(tmp_path):
    header = ["日期", "凭证号", "摘要", "金额", "收款单位"]
    rows = [
        header,
        [dt.datetime(2019, 1, 3), "记-001", "办公用品", 100, "甲公司"],
        [None, None, "本月合计", 100, None],
        [None, None, "本年累计", 100, None],
        [dt.datetime(2019, 2, 4), "记-001", "印刷", 200, "乙公司"],
        [None, None, "本月合计", 200, None],
        [None, None, "1-2月累计", 300, None],
        [None, None, "本年累计", 300, None],
    ]
    table = _only_table(tmp_path / "a", rows)
    assert table.data["_row"].tolist() == [2, 5]
    assert (table.totals, table.totals_row) == ({"amount": 300.0}, 8)

    pages = [header, [dt.datetime(2019, 1, 3), "记-001", "办公用品", 100, "甲公司"], ["本页小计", None, None, 100, None],
             [dt.datetime(2019, 1, 4), "记-002", "印刷", 50, "乙公司"], ["合计金额（元）", None, None, 150, None]]
    table = _only_table(tmp_path / "b", pages)
    assert table.data["_row"].tolist() == [2, 4]
    assert table.totals == {"amount": 150.0}

    only_subtotals = [header, [dt.datetime(2019, 1, 3), "记-001", "办公用品", 100, "甲公司"], ["本页小计", None, None, 100, None],
                      [dt.datetime(2019, 1, 4), "记-002", "印刷", 50, "乙公司"], ["本页小计", None, None, 50, None]]
    table = _only_table(tmp_path / "c", only_subtotals)
    assert table.totals == {} and table.totals_row is None


def test_money_units_inside_brackets_and_wan_yuan_amount_text_are_scaled(tmp_path):
    rows = [["合同编号", "合同名称", "合同相对方", "合同金额(单位：万元)", "签订日期"],
            ["HT-1", "维修", "甲", 1.2, "2019-01-02"]]
    assert _only_table(tmp_path / "a", rows).data["amount"].tolist() == [12_000.0]
    rows = [["合同编号", "合同名称", "合同相对方", "合同金额（万）", "签订日期"], ["HT-1", "维修", "甲", 2, "2019-01-02"]]
    assert _only_table(tmp_path / "b", rows).data["amount"].tolist() == [20_000.0]
    rows = [["合同编号", "合同名称", "合同相对方", "合同金额", "签订日期"], ["HT-1", "维修", "甲", "1.2万元", "2019-01-02"]]
    table = _only_table(tmp_path / "c", rows)
    assert table.data["amount"].tolist() == [12_000.0] and table.problems == []


def test_a_two_row_header_repeated_after_a_page_break_is_skipped_not_a_new_table(tmp_path):
    parent = ["合同编号", "合同名称", "合同相对方", "合同金额", "合同要素", None, "签订日期"]
    child = [None, None, None, None, "签字", "盖章", None]
    rows = [parent, child, ["HT-1", "采购", "甲公司", 1000, "是", "否", "2019-01-02"],
            parent, child, ["HT-1", "采购2", "乙公司", 2000, "是", "是", "2019-01-03"]]
    merges = ["E1:F1", "A1:A2", "B1:B2", "C1:C2", "D1:D2", "G1:G2",
              "E4:F4", "A4:A5", "B4:B5", "C4:C5", "D4:D5", "G4:G5"]
    table = _only_table(tmp_path, rows, merges)
    assert table.data["_row"].tolist() == [3, 6]
    assert table.data["sealed"].tolist() == [False, True]
    assert table.problems == []

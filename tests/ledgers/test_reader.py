"""Reading workbooks and CSV files into canonical tables: provenance, types, units, encodings."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from helpers.ledgers import KIND_SAMPLES, sha256, write_xlsx

from audit_rules.ledgers import inspect_ledgers, load_ledgers
from audit_rules.ledgers.files import discover
from audit_rules.ledgers import reader
from audit_rules.ledgers.reader import unit_from_stem

PAYMENT_HEADER = ["日期", "凭证号", "摘要", "金额", "收款单位", "发票号码"]


def _payment_rows(count: int) -> list[list]:
    return [[dt.datetime(2019, 1, 1 + i % 28), f"记-{i:03d}", f"事项{i}", 100 + i, "甲公司", f"{i:08d}"]
            for i in range(count)]


def test_row_numbers_are_the_ones_excel_shows(tmp_path):
    """Sheet starting at C3, blank rows inside, a title row: _row must point at the same cell openpyxl sees."""
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "付款"
    sheet["C3"] = "某局付款明细"
    for offset, value in enumerate(PAYMENT_HEADER):
        sheet.cell(row=5, column=3 + offset, value=value)
    row = 6
    for index, record in enumerate(_payment_rows(12)):
        row += 2 if index % 5 == 4 else 1  # a blank row now and then
        for offset, value in enumerate(record):
            sheet.cell(row=row, column=3 + offset, value=value)
    workbook.save(path)

    table = load_ledgers([path]).tables[0]
    assert table.kind == "payments" and table.header_row == 5
    check = openpyxl.load_workbook(path, read_only=True)["付款"]
    cells = {r[0].row: r for r in check.iter_rows(min_row=1, min_col=3, max_col=8) if r and hasattr(r[0], "row")}
    for record in table.data.to_dict("records"):
        assert cells[record["_row"]][1].value == record["voucher_no"]
        assert cells[record["_row"]][5].value == record["invoice_no"]
    assert len(table.data) == 12


def test_identifiers_keep_leading_zeros_and_numbers_do_not_gain_decimals(tmp_path):
    rows = [PAYMENT_HEADER,
            [dt.datetime(2019, 1, 2), "0012", "a", 1, "甲", "00571234"],
            [dt.datetime(2019, 1, 3), 13, "b", 2, "乙", 571234]]
    table = load_ledgers([write_xlsx(tmp_path / "p.xlsx", {"S": rows})]).tables[0]
    assert table.data["invoice_no"].tolist() == ["00571234", "571234"]
    assert table.data["voucher_no"].tolist() == ["0012", "13"]


def test_canonical_dtypes_and_provenance(tmp_path):
    rows = KIND_SAMPLES["contracts"]["primary"] + [["HT-2", "x", "乙", "abc", None, None, "否", None, None]]
    path = write_xlsx(tmp_path / "u" / "c.xlsx", {"合同": rows})
    table = load_ledgers([path]).tables[0]
    data = table.data
    assert data["sign_date"].dtype == "datetime64[ns]"
    assert data["amount"].dtype == "float64"
    assert data["signed"].dtype == "boolean"
    assert data["sealed"].dtype == "boolean"
    assert data["contract_no"].tolist() == ["HT-2019-01", "HT-2"]
    assert data["signed"].isna().tolist() == [False, True]
    assert data["_bad"].tolist() == [[], ["amount"]]
    assert data["_file"].tolist() == [path.as_posix()] * 2  # a file given directly: the path as given
    assert data["_sheet"].tolist() == ["合同", "合同"]
    assert data["_row"].tolist() == [2, 3]
    assert [c for c in data.columns if c.startswith("_")] == ["_file", "_sheet", "_row", "_unit", "_bad"]
    problem = table.problems[0]
    assert (problem.row, problem.column, problem.field, problem.value) == (3, "合同金额", "amount", "abc")
    assert "金额" in problem.message
    # Only mapped fields get columns: no all-null placeholders.
    assert "prepay_ratio" not in data.columns


def test_raw_keeps_the_displayed_cells_for_reports(tmp_path):
    rows = [PAYMENT_HEADER + ["备注"], [dt.datetime(2019, 5, 3), "记-1", "a", "1,200.00", "甲", "0012", None]]
    table = load_ledgers([write_xlsx(tmp_path / "p.xlsx", {"S": rows})]).tables[0]
    assert list(table.raw.columns) == PAYMENT_HEADER + ["备注"]
    assert table.raw.iloc[0].tolist() == ["2019-05-03", "记-1", "a", "1,200.00", "甲", "0012", ""]
    assert table.raw.index.equals(table.data.index)


def test_unit_from_column_then_preparer_then_folder_then_file_name(tmp_path):
    with_column = [["单位名称"] + PAYMENT_HEADER, ["乙局"] + _payment_rows(1)[0], [None] + _payment_rows(2)[1]]
    write_xlsx(tmp_path / "in" / "丙局" / "付款.xlsx", {"S": with_column})
    with_note = [["编制单位：丁局    单位：元"], PAYMENT_HEADER, *_payment_rows(1)]
    write_xlsx(tmp_path / "in" / "丙局" / "付款2.xlsx", {"S": with_note})
    write_xlsx(tmp_path / "in" / "戊局2019年付款明细账.xlsx", {"S": [PAYMENT_HEADER, *_payment_rows(1)]})
    ledgers = load_ledgers([tmp_path / "in"])
    units = {t.file: t.data["_unit"].tolist() for t in ledgers.tables}
    assert units == {
        "丙局/付款.xlsx": ["乙局", "丙局"],  # blank unit cell falls back to the folder
        "丙局/付款2.xlsx": ["丁局"],
        "戊局2019年付款明细账.xlsx": ["戊局"],
    }


@pytest.mark.parametrize(
    "stem, unit",
    [("XX局2019年付款明细账", "XX局"), ("2019年度合同台账-甲中心", "甲中心"), ("资产配置限额", None),
     ("定点供应商名录", None), ("人员名册", None)],
)
def test_unit_from_file_name(stem, unit):
    assert unit_from_stem(stem) == unit


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    text = "某局付款明细\n日期,凭证号,摘要,金额,收款单位,发票号码\n2019-05-03,记-1,办公用品,\"1,200.50\",甲公司,00571234\n2019/5/4,记-2,印刷,300,乙公司,\n"
    path = tmp_path / "付款.csv"
    path.write_bytes(text.encode(encoding))
    table = load_ledgers([path]).tables[0]
    assert table.kind == "payments"
    assert table.sheet == ""
    assert table.header_row == 2
    assert table.data["_row"].tolist() == [3, 4]
    assert table.data["summary"].tolist() == ["办公用品", "印刷"]
    assert table.data["amount"].tolist() == [1200.5, 300.0]
    assert table.data["invoice_no"].tolist() == ["00571234", None]
    assert table.data["date"].tolist() == [pd.Timestamp("2019-05-03"), pd.Timestamp("2019-05-04")]


def test_csv_multiline_cell_keeps_line_numbers_right(tmp_path):
    text = '日期,凭证号,摘要,金额,收款单位\n2019-05-03,记-1,"两行\n摘要",1,甲\n2019-05-04,记-2,b,2,乙\n'
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    table = load_ledgers([path]).tables[0]
    assert table.data["_row"].tolist() == [2, 4]
    assert table.data["summary"].tolist() == ["两行 摘要", "b"]


def test_discover_walks_directories_sorted_skipping_lock_and_hidden_files(tmp_path):
    for name in ["b/2.xlsx", "a.csv", "b/1.xls", "~$a.xlsx", ".hidden/x.xlsx", "b/.h.xlsx", "notes.txt", "c/d.XLSM"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = discover([tmp_path])
    assert [f.display for f in found] == ["a.csv", "b/1.xls", "b/2.xlsx", "c/d.XLSM"]
    path, display, base = found[0]
    assert path == (tmp_path / "a.csv").resolve() and base == tmp_path.resolve()
    direct = discover([tmp_path / "notes.txt"])
    assert direct[0].display == (tmp_path / "notes.txt").as_posix() and direct[0].base_dir is None
    with pytest.raises(FileNotFoundError):
        discover([tmp_path / "missing"])


def test_ledger_set_groups_rows_by_kind_across_files_and_records_inputs(tmp_path):
    write_xlsx(tmp_path / "甲" / "p.xlsx", {"付款": [PAYMENT_HEADER, *_payment_rows(2)],
                                             "合同": KIND_SAMPLES["contracts"]["primary"]})
    write_xlsx(tmp_path / "乙" / "p.xlsx", {"付款": [PAYMENT_HEADER, *_payment_rows(3)]})
    before = {p: sha256(p) for p in tmp_path.rglob("*.xlsx")}
    ledgers = load_ledgers([tmp_path])
    groups = ledgers.by_kind()
    assert len(groups["payments"]) == 5
    assert sorted(set(groups["payments"]["_unit"])) == ["乙", "甲"]
    assert len(groups["contracts"]) == 1
    assert {i.file: i.sha256 for i in ledgers.inputs} == {p.relative_to(tmp_path).as_posix(): h for p, h in before.items()}
    # Reading never changes an input.
    assert {p: sha256(p) for p in tmp_path.rglob("*.xlsx")} == before


def test_inspect_entries(tmp_path):
    write_xlsx(tmp_path / "p.xlsx", {"付款": [PAYMENT_HEADER + ["备注"], ["2019-02-30", "1", "a", "x", "b", "1", None]],
                                    "其他": [["随便"], ["1"]]})
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    entries = inspect_ledgers([tmp_path])
    by_sheet = {(e["file"], e["sheet"]): e for e in entries}
    payments = by_sheet[("p.xlsx", "付款")]
    assert payments["kind"] == "payments" and payments["header_row"] == 1 and payments["rows"] == 1
    assert payments["fields"]["amount"] == "金额" and payments["unmapped"] == ["备注"]
    assert [(p["row"], p["column"], p["value"]) for p in payments["problems"]] == [(2, "日期", "2019-02-30"), (2, "金额", "x")]
    assert by_sheet[("p.xlsx", "其他")]["kind"] is None
    error = by_sheet[("坏.xlsx", None)]
    assert error["kind"] is None and "坏.xlsx" in error["error"]


def test_excel_error_cells_are_unreadable_not_blank(tmp_path):
    path = tmp_path / "err.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(PAYMENT_HEADER)
    sheet.append([dt.datetime(2019, 1, 2), "记-1", "a", 5, "甲", "1"])
    sheet.append([dt.datetime(2019, 1, 3), "记-2", "b", 6, "乙", "2"])
    for cell, code in ((sheet["D2"], "#N/A"), (sheet["E3"], "#REF!")):
        cell.value, cell.data_type = code, "e"
    workbook.save(path)
    table = load_ledgers([path]).tables[0]
    assert table.data["_bad"].tolist() == [["amount"], ["payee"]]
    assert table.data["amount"].isna().tolist() == [True, False]
    assert table.data["payee"].tolist() == ["甲", None]
    assert [(p.row, p.column, p.value) for p in table.problems] == [(2, "金额", "#N/A"), (3, "收款单位", "#REF!")]


def test_xlsm_workbooks_are_read_like_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "宏.xlsm", {"S": [PAYMENT_HEADER, *_payment_rows(2)]})
    table = load_ledgers([path]).tables[0]
    assert table.kind == "payments" and table.rows == 2


def _reads_as_chinese_one_by_one(text: str) -> bool:
    """How the share of GB2312 characters was counted before: character by character."""
    def in_gb2312(char: str) -> bool:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    wide = [char for char in text if ord(char) > 127]
    return not wide or sum(1 for char in wide if in_gb2312(char)) >= reader.CHINESE_SHARE * len(wide)


@given(st.text(st.one_of(st.characters(max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
                         st.sampled_from("付款明细金额￥＄°·—“”£T蛻"), st.characters(blacklist_categories=("Cs",)))))
def test_the_share_of_chinese_is_counted_as_one_by_one(text):
    assert reader._reads_as_chinese(text) == _reads_as_chinese_one_by_one(text)

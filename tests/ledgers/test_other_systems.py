"""Ledgers written by other systems and other people: UK/US council spending exports, bank and
AP statements, ERP CSVs in every encoding and line ending, sheets whose header is the last row or
changes half-way down. Each fixture is written here, small, the way those systems write it; a
mapping file says only what detection cannot know.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.ledgers import inspect_ledgers, load_ledgers
from audit_rules.ledgers.mapping import MappingError, load_mapping
from audit_rules.ledgers.normalize import AMBIGUOUS_DATE_MESSAGE, parse_amount, parse_date
from audit_rules.ledgers.reader import decode_csv

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# ---- dates --------------------------------------------------------------------------------

# (form, the order it is written in): every form a declared order must read back.
DATE_FORMS = [
    (lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}", "day_first"),
    (lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}", "day_first"),
    (lambda d: f"{d.day}.{d.month}.{d.year}", "day_first"),
    (lambda d: f"{d.day:02d}-{d.month:02d}-{d.year} 14:30", "day_first"),
    (lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}", "month_first"),
    (lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}", "month_first"),
    (lambda d: f"{d.year % 100:02d}/{d.month:02d}/{d.day:02d}", "year_first"),
    (lambda d: f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year % 100:02d}", None),
    (lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}", None),
    (lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}", None),
    (lambda d: f"{d.day}-{MONTHS[d.month - 1][:3].upper()}-{d.year}", None),
    (lambda d: f"{d.year}年{d.month}月{d.day}日", None),
    (lambda d: d.isoformat(), None),
]
# Two-digit years read 00-68 as 20xx and 69-99 as 19xx.
DAYS = st.dates(dt.date(1969, 1, 1), dt.date(2068, 12, 31))


@settings(max_examples=200, deadline=None)
@given(day=DAYS, form=st.integers(0, len(DATE_FORMS) - 1))
def test_a_date_written_in_each_form_with_its_declared_order_reads_back(day, form):
    write, order = DATE_FORMS[form]
    values, bad = parse_date(pd.Series([write(day)]), order)
    assert not bad.iloc[0], write(day)
    assert values.iloc[0].date() == day


@settings(max_examples=100, deadline=None)
@given(days=st.lists(DAYS, min_size=1, max_size=20), proof=DAYS.filter(lambda d: d.day > 12),
       month_first=st.booleans())
def test_a_column_with_a_day_above_12_proves_its_order(days, proof, month_first):
    write = (lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}") if month_first else \
        (lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}")
    column = pd.Series([write(d) for d in [*days, proof]])
    values, bad = parse_date(column)
    assert not bad.any()
    assert [v.date() for v in values] == [*days, proof]


def test_an_ambiguous_column_is_never_guessed():
    column = pd.Series(["05/04/2019", "06/04/2019", "07/07/2019"])
    values, bad = parse_date(column)
    assert bad.tolist() == [True, True, False]  # 07/07 reads the same either way
    assert values.iloc[2] == pd.Timestamp("2019-07-07")
    assert parse_date(column, "day_first")[0].tolist() == [
        pd.Timestamp("2019-04-05"), pd.Timestamp("2019-04-06"), pd.Timestamp("2019-07-07")]


def test_a_column_mixing_both_orders_reads_only_the_cells_with_one_reading():
    values, bad = parse_date(pd.Series(["13/04/2019", "04/14/2019", "05/04/2019"]))
    assert bad.tolist() == [False, False, True]
    assert values.iloc[:2].tolist() == [pd.Timestamp("2019-04-13"), pd.Timestamp("2019-04-14")]


@pytest.mark.parametrize("text", ["31/02/2019", "13/13/2019", "5 Foo 2019", "Apr 32, 2019", "00/01/2019"])
def test_impossible_foreign_dates_are_unreadable(text):
    values, bad = parse_date(pd.Series([text]), "day_first")
    assert bad.iloc[0] and pd.isna(values.iloc[0])


# ---- amounts -------------------------------------------------------------------------------

CURRENCY = ["", "£", "$", "€", "¥", "￥", "RMB ", "CNY", "GBP "]


@settings(max_examples=200, deadline=None)
@given(cents=st.integers(-10**11, 10**11), currency=st.sampled_from(CURRENCY),
       suffix=st.sampled_from(["", "元", " RMB"]),
       sign=st.sampled_from(["minus", "trailing", "brackets", "cr"]), debit_mark=st.booleans())
def test_amounts_as_other_systems_write_them_read_back(cents, currency, suffix, sign, debit_mark):
    digits = f"{currency}{abs(cents) / 100:,.2f}{suffix}"
    if cents < 0:
        digits = {"minus": f"-{digits}", "trailing": f"{digits}-", "brackets": f"({digits})",
                  "cr": f"{digits} CR"}[sign]
    elif debit_mark:
        digits = f"{digits} DR"
    values, bad = parse_amount(pd.Series([digits], dtype=object))
    assert not bad.iloc[0], digits
    assert values.iloc[0] == pytest.approx(cents / 100), digits


@pytest.mark.parametrize("text", ["-5.00-", "(5.00)-", "-5.00 CR", "5.00 CRDR", "£", "CR"])
def test_a_value_with_two_sign_marks_is_unreadable_not_guessed(text):
    values, bad = parse_amount(pd.Series([text], dtype=object))
    assert bad.iloc[0] and pd.isna(values.iloc[0])


# ---- CSV -------------------------------------------------------------------------------------

UK_HEADER = ["Body Name", "Date", "Transaction Number", "Amount (£)", "Supplier Name", "Expense Type"]
UK_ROWS = [
    ["Exeter City Council", "05/04/2019", "TN-0001", "£309.25", "Café Rouge Ltd", "Catering"],
    ["Exeter City Council", "17/04/2019", "TN-0002", "38,937.00-", "Smith & Sons", "Building Repairs"],
    ["Exeter City Council", "18/04/2019", "TN-0003", "1,200.00 CR", "Société Générale", "Bank Charges"],
]
UK_MAPPING = """\
sheets:
  - file: "*.csv"
    kind: payments
    date_order: day_first
    unit: "Exeter City Council"
    columns:
      "Date": date
      "Transaction Number": voucher_no
      "Amount (£)": amount
      "Supplier Name": payee
      "Expense Type": summary
"""


def _csv(path: Path, rows: list[list[str]], encoding: str, newline: str) -> Path:
    text = newline.join(",".join(f'"{c}"' if "," in c else c for c in row) for row in rows) + newline
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=24, deadline=None)
@given(encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_western_csv_reads_in_any_encoding_and_line_ending(tmp_path_factory, encoding, newline):
    folder = tmp_path_factory.mktemp("uk")
    path = _csv(folder / "spend.csv", [UK_HEADER, *UK_ROWS], encoding, newline)
    ledgers = load_ledgers([path], mapping=_mapping(folder, UK_MAPPING))
    assert not ledgers.errors
    [table] = ledgers.tables
    assert table.fields["amount"] == "Amount (£)"  # £, never Ł (cp1250) or a GB18030 pair
    assert table.data["payee"].tolist() == ["Café Rouge Ltd", "Smith & Sons", "Société Générale"]
    assert table.data["amount"].tolist() == [309.25, -38937.0, -1200.0]
    assert table.data["date"].tolist() == [pd.Timestamp(f"2019-04-{d}") for d in ("05", "17", "18")]
    assert set(table.data["_unit"]) == {"Exeter City Council"}


@settings(max_examples=12, deadline=None)
@given(encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_chinese_csv_reads_in_any_encoding_and_line_ending(tmp_path_factory, encoding, newline):
    rows = [["日期", "凭证号", "摘要", "金额", "收款单位"],
            ["2019-05-03", "记-001", "购买办公用品（硒鼓）", "1,200.00", "长沙市星城办公设备有限公司"],
            ["2019-05-04", "记-002", "印刷费", "¥350元", "湖南堃昇印务有限公司"]]
    path = _csv(tmp_path_factory.mktemp("cn") / "付款.csv", rows, encoding, newline)
    [table] = load_ledgers([path]).tables
    assert table.data["payee"].tolist() == [rows[1][4], rows[2][4]]
    assert table.data["amount"].tolist() == [1200.0, 350.0]


def test_common_western_code_page_wins_over_look_alikes():
    data = "Amount (£),Supplier\n£5.00,Crème Brûlée Ltd\n".encode("cp1252")
    assert decode_csv(data, "x.csv").startswith("Amount (£)")
    # 0x80-0x9F are printable in cp1252 (€, ‘ ’) and control codes in Latin-1: cp1252 wins.
    assert decode_csv("Cost €5 ‘quoted’\n".encode("cp1252"), "x.csv") == "Cost €5 ‘quoted’\n"


def test_mapping_can_force_an_encoding(tmp_path):
    # Bytes valid in both GB18030 and cp1252: the mapping says which it is.
    path = _csv(tmp_path / "spend.csv", [UK_HEADER, *UK_ROWS], "cp1252", "\n")
    text = UK_MAPPING.replace("    kind: payments\n", "    kind: payments\n    encoding: latin-1\n")
    [table] = load_ledgers([path], mapping=_mapping(tmp_path, text)).tables
    assert table.data["payee"].iloc[0] == "Café Rouge Ltd"


def test_a_file_that_does_not_decode_in_the_forced_encoding_is_an_error_naming_it(tmp_path):
    path = _csv(tmp_path / "spend.csv", [UK_HEADER, *UK_ROWS], "cp1252", "\n")
    text = UK_MAPPING.replace("    kind: payments\n", "    kind: payments\n    encoding: utf-8\n")
    ledgers = load_ledgers([path], mapping=_mapping(tmp_path, text))
    assert not ledgers.tables
    [error] = ledgers.errors
    assert "spend.csv" in error.message and "utf-8" in error.message and "无法" in error.message


def test_binary_content_in_a_csv_is_an_error_in_chinese(tmp_path):
    path = tmp_path / "dump.csv"
    path.write_bytes(bytes(range(256)) * 8)
    [error] = load_ledgers([path]).errors
    assert "dump.csv" in error.message and "无法识别文本编码" in error.message


# ---- mapping keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("entry, words", [
    ("date_order: dayfirst", "date_order"),
    ("encoding: klingon", "未知的文本编码"),
    ("unit: {col: 单位}", "unit"),
    ("columns: {invoice_no: [发票号]}", "至少两个表头"),
    ("columns: {票号: [发票号, 行号]}", "组合列"),
])
def test_bad_mapping_keys_name_the_line_and_key(tmp_path, entry, words):
    with pytest.raises(MappingError, match=words):
        load_mapping(_mapping(tmp_path, f"sheets:\n  - file: a.xlsx\n    {entry}\n"))


def test_ambiguous_dates_without_a_declared_order_are_reported_with_how_to_declare_it(tmp_path):
    rows = [["Date", "Voucher", "Description", "Amount", "Supplier"],
            ["05/04/2019", "V1", "Stationery", "10.00", "Acme"],
            ["06/04/2019", "V2", "Printing", "20.00", "Acme"]]
    path = _csv(tmp_path / "ap.csv", rows, "utf-8", "\n")
    mapping = _mapping(tmp_path, "sheets:\n  - kind: payments\n    columns: {Date: date, Voucher: voucher_no, "
                                 "Description: summary, Amount: amount, Supplier: payee}\n")
    [table] = load_ledgers([path], mapping=mapping).tables
    assert [(p.row, p.column, p.value) for p in table.problems] == [(2, "Date", "05/04/2019"), (3, "Date", "06/04/2019")]
    assert all(AMBIGUOUS_DATE_MESSAGE in p.message and "date_order" in p.message for p in table.problems)
    declared = mapping.read_text(encoding="utf-8") + "    date_order: day_first\n"
    mapping.write_text(declared, encoding="utf-8")
    [table] = load_ledgers([path], mapping=mapping).tables
    assert not table.problems and table.data["date"].tolist() == [pd.Timestamp("2019-04-05"), pd.Timestamp("2019-04-06")]


def _xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_composite_key_joins_an_invoice_reference_and_its_line_number(tmp_path):
    path = _xlsx(tmp_path / "AP lines.xlsx", [
        ["Invoice Ref", "Line", "Posted", "Net", "Vendor", "Narrative"],
        ["INV-7", 1, "2019-04-05", 100, "Acme", "Paper"],
        ["INV-7", 2, "2019-04-05", 50, "Acme", "Toner"],
        ["INV-8", None, "2019-04-06", 70, "Bolt", "Repair"],
    ])
    mapping = _mapping(tmp_path, """\
sheets:
  - kind: payments
    columns:
      invoice_no: ["Invoice Ref", "Line"]
      Posted: date
      Net: amount
      Vendor: payee
      Narrative: summary
""")
    [table] = load_ledgers([path], mapping=mapping).tables
    assert table.data["invoice_no"].tolist() == ["INV-7-1", "INV-7-2", "INV-8"]
    assert table.fields["invoice_no"] == "Invoice Ref+Line"
    assert "Line" not in table.unmapped and "Invoice Ref" not in table.unmapped
    assert list(table.raw.columns) == ["Invoice Ref", "Line", "Posted", "Net", "Vendor", "Narrative"]
    assert any("组合列" in note for note in table.notes)


def test_unit_from_a_column_named_in_the_mapping(tmp_path):
    path = _xlsx(tmp_path / "all.xlsx", [
        ["Department", "Date", "Voucher", "Amount", "Supplier"],
        ["Housing", "2019-04-05", "V1", 10, "Acme"],
        ["Parks", "2019-04-06", "V2", 20, "Acme"],
    ])
    mapping = _mapping(tmp_path, "sheets:\n  - kind: payments\n    unit: {column: Department}\n"
                                 "    columns: {Date: date, Voucher: voucher_no, Amount: amount, Supplier: payee}\n")
    [table] = load_ledgers([path], mapping=mapping).tables
    assert table.data["_unit"].tolist() == ["Housing", "Parks"]


def _payments(path: Path) -> Path:
    return _xlsx(path, [["日期", "凭证号", "摘要", "金额", "收款单位"], ["2019-05-03", "记-001", "办公用品", 100, "甲公司"]])


def test_files_directly_in_the_folder_given_belong_to_the_folders_unit(tmp_path):
    folder = tmp_path / "长沙市示范水务局"
    _payments(folder / "付款明细-2019.xlsx")
    _payments(folder / "Spend_over_500_April_2019.xlsx")
    _payments(folder / "定点供应商名录.xlsx")
    units = {t.file: set(t.data["_unit"]) for t in load_ledgers([folder], workers=1).tables}
    assert units == {name: {"长沙市示范水务局"} for name in
                     ("Spend_over_500_April_2019.xlsx", "付款明细-2019.xlsx", "定点供应商名录.xlsx")}


def test_beside_unit_folders_a_file_keeps_what_its_name_says(tmp_path):
    _payments(tmp_path / "甲局" / "付款明细.xlsx")
    _payments(tmp_path / "乙局付款明细.xlsx")
    _payments(tmp_path / "付款明细.xlsx")  # shared by every unit: no unit
    units = {t.file: set(t.data["_unit"]) for t in load_ledgers([tmp_path], workers=1).tables}
    assert units == {"甲局/付款明细.xlsx": {"甲局"}, "乙局付款明细.xlsx": {"乙局"}, "付款明细.xlsx": {None}}


# ---- headers anywhere, blocks, nothing lost ---------------------------------------------------


def test_a_header_on_the_last_row_is_an_empty_table_with_a_note_and_counted(tmp_path):
    path = _xlsx(tmp_path / "未填.xlsx", [["某局2019年付款明细"], [], ["日期", "凭证号", "摘要", "金额", "收款单位"]])
    ledgers = load_ledgers([tmp_path])
    assert [i.file for i in ledgers.inputs] == ["未填.xlsx"] and not ledgers.errors
    [entry] = inspect_ledgers([path])
    assert (entry["kind"], entry["header_row"], entry["rows"]) == ("payments", 3, 0)
    assert entry["notes"] == ["表头（第 3 行）之下没有数据行，按空表读取。"]


def test_a_csv_whose_only_line_is_its_header_is_an_empty_table(tmp_path):
    _csv(tmp_path / "empty.csv", [UK_HEADER], "utf-8", "\r")
    [entry] = inspect_ledgers([tmp_path], mapping=_mapping(tmp_path, UK_MAPPING))
    assert (entry["kind"], entry["rows"]) == ("payments", 0) and entry["notes"]


def test_every_file_is_read_or_an_error(tmp_path):
    _payments(tmp_path / "付款.xlsx")
    _xlsx(tmp_path / "杂项.xlsx", [["备忘"], ["今天开会"]], sheet="备忘")
    _csv(tmp_path / "notes.csv", [["a", "b"], ["1", "2"]], "utf-8", "\n")
    ledgers = load_ledgers([tmp_path])
    read = {t.file for t in ledgers.tables if t.kind}
    failed = {e.file: e.message for e in ledgers.errors}
    assert {i.file for i in ledgers.inputs} == read | set(failed) == {"付款.xlsx", "杂项.xlsx", "notes.csv"}
    assert "工作表 “备忘”" in failed["杂项.xlsx"] and "没有找到可识别的表头" in failed["notes.csv"]


def test_a_later_block_with_a_shifted_header_is_read_under_its_own_header(tmp_path):
    """A council's export: April under one header, May below with a Ref column inserted."""
    path = _xlsx(tmp_path / "spend.xlsx", [
        ["Date", "Supplier", "Amount", "Purpose"],
        ["05/04/2019", "Acme", "£10.00", "Paper"],
        ["17/04/2019", "Bolt", "£20.00", "Repair"],
        [],
        ["Ref", "Date", "Supplier", "Amount", "Purpose"],
        ["R1", "02/05/2019", "Acme", "£30.00", "Paper"],
        ["R2", "13/05/2019", "Bolt", "£40.00-", "Refund"],
    ])
    mapping = _mapping(tmp_path, """\
sheets:
  - kind: payments
    date_order: day_first
    columns: {Date: date, Supplier: payee, Amount: amount, Purpose: summary, Ref: voucher_no}
""")
    tables = load_ledgers([path], mapping=mapping).tables
    assert [(t.header_row, t.rows) for t in tables] == [(1, 2), (5, 2)]
    amounts = pd.concat([t.data["amount"] for t in tables]).tolist()
    assert amounts == [10.0, 20.0, 30.0, -40.0]
    assert tables[1].data["voucher_no"].tolist() == ["R1", "R2"]
    assert not [p for t in tables for p in t.problems]


def test_a_block_shifted_by_a_serial_column_right_below_the_first_starts_a_new_table(tmp_path):
    path = _xlsx(tmp_path / "付款.xlsx", [
        ["日期", "凭证号", "摘要", "金额（元）", "收款单位"],
        ["2019-04-05", "记-1", "办公用品", 10, "甲公司"],
        ["序号", "日期", "凭证号", "摘要", "金额（元）", "收款单位"],
        [1, "2019-05-05", "记-2", "印刷费", 20, "乙公司"],
    ])
    tables = load_ledgers([path]).tables
    assert [(t.header_row, t.rows) for t in tables] == [(1, 1), (3, 1)]
    assert [t.data["amount"].tolist() for t in tables] == [[10.0], [20.0]]
    assert not [p for t in tables for p in t.problems]

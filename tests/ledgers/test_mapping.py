"""The mapping file: forcing kind, header row and column meanings; errors name file, line and key."""

from __future__ import annotations

import pytest
from helpers.ledgers import write_xlsx

from audit_rules.ledgers import MappingError, load_ledgers
from audit_rules.ledgers.mapping import load_mapping

ODD_PAYMENTS = [
    ["说明：本表由财务系统导出"],
    ["记账日", "凭证", "对方户名", "票号", "发生额"],
    ["2019-05-03", "记-1", "甲公司", "00571234", 100],
]


def _write(tmp_path, text):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_mapping_odd_headers_are_not_recognised(tmp_path):
    book = write_xlsx(tmp_path / "in" / "甲局付款.xlsx", {"Sheet1": ODD_PAYMENTS})
    assert load_ledgers([book]).tables[0].kind is None


def test_mapping_forces_kind_header_row_and_columns(tmp_path):
    write_xlsx(tmp_path / "in" / "甲局付款.xlsx", {"Sheet1": ODD_PAYMENTS})
    mapping = _write(tmp_path, """
sheets:
  - file: "*付款*.xlsx"
    sheet: "Sheet*"
    kind: payments
    header_row: 2
    columns: {"记账日": date, "对方户名": payee, "票号": invoice_no}
""")
    table = load_ledgers([tmp_path / "in"], mapping).tables[0]
    assert table.kind == "payments"
    assert table.header_row == 2
    assert table.fields == {"date": "记账日", "amount": "发生额", "payee": "对方户名", "invoice_no": "票号"}
    assert table.unmapped == ["凭证"]
    assert table.data["invoice_no"].tolist() == ["00571234"]
    assert table.data["_row"].tolist() == [3]


def test_mapping_rule_only_applies_to_matching_files_and_sheets(tmp_path):
    write_xlsx(tmp_path / "in" / "甲局付款.xlsx", {"Sheet1": ODD_PAYMENTS})
    mapping = _write(tmp_path, "sheets:\n  - file: '*合同*.xlsx'\n    kind: payments\n")
    assert load_ledgers([tmp_path / "in"], mapping).tables[0].kind is None
    mapping = _write(tmp_path, "sheets:\n  - sheet: '付款'\n    kind: payments\n")
    assert load_ledgers([tmp_path / "in"], mapping).tables[0].kind is None


def test_columns_alone_help_auto_detection(tmp_path):
    write_xlsx(tmp_path / "in" / "x.xlsx", {"S": ODD_PAYMENTS})
    mapping = _write(tmp_path, "sheets:\n  - columns: {对方户名: payee, 凭证: voucher_no}\n")
    table = load_ledgers([tmp_path / "in"], mapping).tables[0]
    assert table.kind == "payments"
    assert table.fields["payee"] == "对方户名" and table.fields["voucher_no"] == "凭证"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("sheets:\n  - kind: paymentz\n", 2, "未知的表类型“paymentz”"),
        ("sheets:\n  - kind: payments\n    header_row: 第三行\n", 3, "header_row"),
        ("sheets:\n  - kind: payments\n    colums: {a: b}\n", 3, "colums"),
        ("sheets:\n  - kind: payments\n    columns:\n      对方户名: payer\n", 4, "未知的字段名“payer”"),
        ("sheets:\n  - kind: contracts\n    columns: {对方户名: payee}\n", 2, "字段“payee”不属于表类型 contracts"),
        ("tables: []\n", 1, "未知的顶层键"),
        ("sheets:\n  - kind: [payments\n", 3, "YAML 语法错误"),
        ("sheets: payments\n", 1, "应为列表"),
    ],
)
def test_mapping_errors_name_file_line_and_key(tmp_path, text, line, words):
    path = _write(tmp_path, text)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"第 {line} 行" in message, message
    assert words in message, message


def test_missing_mapping_file(tmp_path):
    with pytest.raises(MappingError, match="找不到映射文件"):
        load_mapping(tmp_path / "nope.yaml")

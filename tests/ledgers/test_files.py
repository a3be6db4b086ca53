"""Bad input files: each becomes one clear Chinese ReadError naming the file; the rest is read."""

from __future__ import annotations

import zipfile

import pytest
from helpers.ledgers import KIND_SAMPLES, sha256, write_xlsx

from audit_rules.ledgers import files, load_ledgers
from audit_rules.ledgers.files import OLE2_MAGIC


def _good(tmp_path):
    return write_xlsx(tmp_path / "好.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})


def _encrypted(path):
    # An OLE2 container whose directory names an EncryptedPackage stream (what Excel writes
    # for a workbook with an open password).
    body = bytearray(OLE2_MAGIC + b"\x00" * 1016)
    body += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2000
    path.write_bytes(bytes(body))


def _truncated(path, source):
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (25 * 1024 * 1024))


def _not_a_workbook_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "garbage <<<")


CASES = {
    "empty": ("空.xlsx", lambda p, good: p.write_bytes(b""), "为空"),
    "corrupt": ("坏.xlsx", lambda p, good: p.write_bytes(b"PK\x03\x04" + b"\x17" * 300), "已损坏或不完整"),
    "truncated": ("截断.xlsx", _truncated, "已损坏或不完整"),
    "encrypted": ("加密.xlsx", lambda p, good: _encrypted(p), "工作簿已加密（设有打开密码），无法读取"),
    "csv named xlsx": ("文本.xlsx", lambda p, good: p.write_text("日期,金额\n", encoding="utf-8"), "内容不是 Excel 工作簿"),
    "xls named xlsx": ("旧版.xlsx", lambda p, good: p.write_bytes(OLE2_MAGIC + b"\x00" * 2000), "旧版 Excel（.xls）"),
    "xlsx named xls": ("新版.xls", lambda p, good: p.write_bytes(good.read_bytes()), "新版 Excel（.xlsx）"),
    "html named xls": ("网页.xls", lambda p, good: p.write_text("<html><table><tr><td>1</td></tr></table></html>"), "网页"),
    "zip bomb": ("炸弹.xlsx", lambda p, good: _zip_bomb(p), "压缩炸弹"),
    "zip that is no workbook": ("假.xlsx", lambda p, good: _not_a_workbook_zip(p), "无法作为 Excel 工作簿读取"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gives_clear_error_and_other_files_are_still_read(tmp_path, case):
    name, make, words = CASES[case]
    good = _good(tmp_path)
    make(tmp_path / name, good)
    before = sha256(tmp_path / name)
    ledgers = load_ledgers([tmp_path])
    assert [t.file for t in ledgers.tables] == ["好.xlsx"]
    assert ledgers.tables[0].kind == "payments" and ledgers.tables[0].rows == 1
    assert len(ledgers.errors) == 1
    error = ledgers.errors[0]
    assert error.file == name
    assert name in error.message and words in error.message, error.message
    assert sha256(tmp_path / name) == before
    # Every file found is listed with its hash, readable or not.
    assert sorted(i.file for i in ledgers.inputs) == sorted(["好.xlsx", name])


def test_total_uncompressed_size_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    path = tmp_path / "大.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 400_000)
    ledgers = load_ledgers([path])
    assert not ledgers.tables
    assert "超过上限" in ledgers.errors[0].message


def test_ordinary_workbook_is_not_mistaken_for_a_bomb(tmp_path):
    rows = [KIND_SAMPLES["payments"]["primary"][0]] + KIND_SAMPLES["payments"]["primary"][1:] * 3000
    path = write_xlsx(tmp_path / "多.xlsx", {"付款": rows})
    ledgers = load_ledgers([path])
    assert not ledgers.errors and ledgers.tables[0].rows == 3000


def test_sheet_without_recognisable_header_is_a_table_without_kind(tmp_path):
    path = write_xlsx(tmp_path / "杂.xlsx", {"备忘": [["今天开会"], ["明天出差"]], "付款": [
        ["日期", "凭证号", "摘要", "金额", "收款单位"], ["2019-05-03", "记-001", "办公用品", 100, "甲公司"]]})
    ledgers = load_ledgers([path])
    assert not ledgers.errors  # the file gave a ledger: an unrecognised sheet beside it is no error
    assert [(t.sheet, t.kind) for t in ledgers.tables] == [("备忘", None), ("付款", "payments")]


def test_workbook_in_which_no_sheet_is_recognised_is_an_error_naming_its_sheets(tmp_path):
    path = write_xlsx(tmp_path / "杂.xlsx", {"备忘": [["今天开会"], ["明天出差"]], "Sheet2": [["a", "b"], [1, 2]]})
    ledgers = load_ledgers([path])
    assert [(t.sheet, t.kind) for t in ledgers.tables] == [("备忘", None), ("Sheet2", None)]
    [error] = ledgers.errors
    assert "杂.xlsx" in error.message and "“备忘”、“Sheet2”" in error.message and "没有找到可识别的表头" in error.message


def test_workbook_with_only_empty_sheets_is_reported(tmp_path):
    path = write_xlsx(tmp_path / "空表.xlsx", {"Sheet1": [], "Sheet2": []})
    ledgers = load_ledgers([path])
    assert not ledgers.tables
    assert "没有任何内容" in ledgers.errors[0].message and "空表.xlsx" in ledgers.errors[0].message

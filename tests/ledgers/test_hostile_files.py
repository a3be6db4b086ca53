"""Hostile workbooks and CSV files end within their limits as one clear Chinese error each,
and a good ledger beside them is still read."""

from __future__ import annotations

import re
import struct
import zipfile

import openpyxl
import pytest
from helpers.ledgers import KIND_SAMPLES, write_xlsx

from audit_rules.ledgers import files, load_ledgers


def _good(folder):
    return write_xlsx(folder / "好.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})


def _far_cell(path, reference="XFD1048576"):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "日期"
    workbook.active[reference] = 1
    workbook.save(path)


def _rewrite_member(path, member, change):
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _declared_range(path):
    """Nine columns and two rows of data under a <dimension> claiming 100 million cells."""
    write_xlsx(path, {"付款": KIND_SAMPLES["payments"]["primary"]})

    def claim(xml):
        lied = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:CV1048576"', xml)
        assert lied != xml
        return lied

    _rewrite_member(path, "xl/worksheets/sheet1.xml", claim)


def _understated_sizes(path):
    """A sheet whose ZIP directory claims 50 KB but that inflates to 12 MB."""
    sheet = b"<worksheet><sheetData>" + b"<row><c><v>1</v></c></row>" * 450_000 + b"</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(path.read_bytes())
    real = struct.pack("<I", len(sheet))
    assert data.count(real) == 2  # local header and central directory
    path.write_bytes(bytes(data.replace(real, struct.pack("<I", 50_000))))


def _unsupported_compression(path):
    write_xlsx(path, {"付款": KIND_SAMPLES["payments"]["primary"]})
    data = bytearray(path.read_bytes())
    # compression method 99 (AES) in every local header and directory entry: zipfile raises
    # NotImplementedError, which is no zipfile.BadZipFile
    for magic, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(magic)
        while at != -1:
            struct.pack_into("<H", data, at + offset, 99)
            at = data.find(magic, at + 4)
    path.write_bytes(bytes(data))


def _many_sheets(path):
    workbook = openpyxl.Workbook()
    for n in range(12):
        workbook.create_sheet(f"表{n}")
    workbook.save(path)


CASES = {
    "one cell at XFD1048576": ("远处单元格.xlsx", lambda p: _far_cell(p), "超过上限 2000 万个单元格"),
    "one cell at CV1048576": ("远处单元格.xlsx", lambda p: _far_cell(p, "CV1048576"), "1048576 行 × 100 列"),
    "declared range of 100 million cells": ("声明范围.xlsx", _declared_range, "超过上限 2000 万个单元格"),
    "directory understates the size": ("谎报大小.xlsx", _understated_sizes, "申报的大小与实际不符"),
    "unsupported compression": ("不支持压缩.xlsx", _unsupported_compression, "已损坏或不完整"),
    "many sheets": ("多表.xlsx", _many_sheets, "超过上限 10 个"),
    "CSV line of 2 MB": ("长行.csv", lambda p: p.write_bytes(b"1," * 1_048_576 + b"\n"), "超过单行长度上限"),
    "CSV marked UTF-16 but cut": ("截断.csv", lambda p: p.write_bytes(b"\xff\xfe" + "日期,金额\n".encode("utf-16-le") + b"\xb2"),
                                  "无法按 UTF-16 解码"),
    "CSV of 20,000 columns": ("宽表.csv", lambda p: p.write_bytes(b"a," * 20_000 + b"\n"), "超过上限 16384 列"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_refused_before_parsing_and_the_good_one_is_read(tmp_path, monkeypatch, case):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(files, "MAX_SHEETS", 10)
    name, make, words = CASES[case]
    _good(tmp_path)
    make(tmp_path / name)
    ledgers = load_ledgers([tmp_path])
    assert [t.file for t in ledgers.tables if t.kind] == ["好.xlsx"]
    (error,) = ledgers.errors
    assert error.file == name and name in error.message and words in error.message, error.message


def _self_looping_fat(path):
    """An .xls whose directory chain points to itself: calamine's CFB open grows without bound."""
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    workbook.add_sheet("付款").write(0, 0, "日期")
    workbook.save(str(path))
    data = bytearray(path.read_bytes())
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    directory = struct.unpack_from("<I", data, 0x30)[0]
    first_fat = struct.unpack_from("<I", data, 0x4C)[0]
    struct.pack_into("<I", data, 512 + first_fat * sector + directory * 4, directory)
    path.write_bytes(bytes(data))


def test_a_reader_out_of_memory_is_that_files_error_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_RULES_FILE_MEMORY_MB", "2048")
    _good(tmp_path)
    _self_looping_fat(tmp_path / "自指.xls")
    ledgers = load_ledgers([tmp_path])
    assert [t.file for t in ledgers.tables if t.kind] == ["好.xlsx"]
    (error,) = ledgers.errors
    assert error.file == "自指.xls"
    assert "内存超过上限 2048 MB" in error.message and "AUDIT_RULES_FILE_MEMORY_MB" in error.message
    assert [i.file for i in ledgers.inputs] == ["好.xlsx", "自指.xls"]

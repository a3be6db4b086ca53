"""Symbolic links in the input folder are never followed out of it; dangling ones are listed."""

from __future__ import annotations

import os

from helpers.ledgers import KIND_SAMPLES, write_xlsx

from audit_rules.ledgers import load_ledgers


def _inputs(tmp_path):
    folder = tmp_path / "台账"
    write_xlsx(folder / "好.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})
    outside = tmp_path / "外面"
    write_xlsx(outside / "机密.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})
    (outside / "secret.csv").write_text("日期,金额,收款单位\n2019-05-03,1200,甲公司\n", encoding="utf-8")
    return folder, outside


def test_links_out_of_the_folder_and_dangling_links_are_errors_and_never_read(tmp_path):
    folder, outside = _inputs(tmp_path)
    os.symlink(outside / "secret.csv", folder / "链接.csv")
    os.symlink(outside / "机密.xlsx", folder / "shadow.xlsx")
    os.symlink(outside, folder / "外部文件夹")
    os.symlink(tmp_path / "没有这个文件.xlsx", folder / "悬空.xlsx")
    ledgers = load_ledgers([folder])
    assert [t.file for t in ledgers.tables] == ["好.xlsx"]
    assert [i.file for i in ledgers.inputs] == ["好.xlsx"]  # nothing outside is hashed
    errors = {e.file: e.message for e in ledgers.errors}
    assert sorted(errors) == ["shadow.xlsx", "外部文件夹", "悬空.xlsx", "链接.csv"]
    assert "指向输入文件夹之外的文件" in errors["链接.csv"] and "未读取" in errors["链接.csv"]
    assert "指向输入文件夹之外的文件夹" in errors["外部文件夹"]
    assert "悬空链接" in errors["悬空.xlsx"]
    assert all(str(outside) not in message for message in errors.values())


def test_a_link_inside_the_folder_is_read_once(tmp_path):
    folder, _outside = _inputs(tmp_path)
    os.symlink(folder / "好.xlsx", folder / "好的副本.xlsx")
    ledgers = load_ledgers([folder])
    assert ledgers.errors == []
    assert len(ledgers.tables) == 1

"""Atomic writes: complete file or the old one, never half a report, no temp files left."""

from __future__ import annotations

import os
import stat

import pytest

from audit_rules.reports.atomic import (
    atomic_path,
    write_bytes_atomic,
    write_text_atomic,
)


def test_writes_new_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "report.html"
    write_text_atomic(target, "<p>疑点</p>")
    assert target.read_text(encoding="utf-8") == "<p>疑点</p>"
    assert os.listdir(target.parent) == ["report.html"]


def test_replaces_existing_file(tmp_path):
    target = tmp_path / "findings.json"
    target.write_text("old", encoding="utf-8")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"


def test_error_keeps_old_file_and_removes_temp(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half a rep")
            assert tmp.parent == target.parent  # same directory: rename stays atomic
            raise RuntimeError("中断")
    assert target.read_bytes() == b"previous report"
    assert os.listdir(tmp_path) == ["report.xlsx"]


def test_interrupt_before_first_write_leaves_nothing(tmp_path):
    target = tmp_path / "report.html"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target):
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_file_mode_follows_umask_not_mkstemp(tmp_path):
    target = write_text_atomic(tmp_path / "r.json", "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask

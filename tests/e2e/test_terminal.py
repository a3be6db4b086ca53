"""What the terminal shows (issue 11.6, 12.7): failures first, one clear line for a file that is
not a ledger, and names from ledgers never interpreted (markup, ANSI escapes)."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from helpers.paths import SAMPLES

from audit_rules.cli import main
from audit_rules.cli_output import printable

PAYMENTS = SAMPLES / "长沙市示范文旅中心" / "付款明细-2019.xlsx"


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_file_that_is_not_a_ledger_is_one_chinese_line_and_no_success_line(tmp_path):
    docx = tmp_path / "x.docx"
    docx.write_bytes(b"PK\x03\x04 not a ledger")
    result = _run("check", str(docx), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0, result.output
    assert "不是台账文件" in result.output and "检查完成" not in result.output


def test_a_lock_file_says_to_close_the_workbook(tmp_path):
    lock = tmp_path / "~$付款明细.xlsx"
    lock.write_bytes(b"\x00" * 162)
    for command in ("check", "quality"):
        result = _run(command, str(lock))
        assert result.exit_code == 2
        assert "关闭" in result.output and "Excel/WPS" in result.output and "付款明细.xlsx" in result.output


def test_an_unreadable_ledger_alone_never_prints_a_success_line(tmp_path):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    result = _run("check", str(broken), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "检查完成" not in result.output and "未发现疑点" not in result.output
    assert "无法读取" in result.output


def test_quality_prints_failures_first_and_one_summary_line(tmp_path):
    result = _run("quality", str(SAMPLES))
    lines = result.output.splitlines()
    summary = [line for line in lines if line.startswith("数据质量检查：共")]
    assert len(summary) == 1 and "未通过" in summary[0]
    assert "通过" not in "".join(line for line in lines if "│" in line).replace("未通过", "")
    assert len(lines) < 120  # not one line per passing check


def test_names_are_printed_literally_markup_and_escapes_included(tmp_path):
    folder = tmp_path / "[bold red]单位\x1b[31m"
    folder.mkdir()
    shutil.copy(PAYMENTS, folder / "付款[red]明细.xlsx")
    for command in ("inspect", "quality"):
        result = _run(command, str(tmp_path))
        assert "\x1b" not in result.output
        assert "[bold red]单位\\x1b[31m" in result.output, result.output
    result = _run("check", str(tmp_path), "--out", str(tmp_path.parent / "out-names"), "--format", "json")
    assert "\x1b" not in result.output


def test_printable_escapes_control_and_format_characters():
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("名\u202e称") == "名\\u202e称"
    assert printable("[bold red]") == "[bold red]"


def test_a_run_tells_its_stages_to_a_progress_line():
    from audit_rules.pipeline import run_check

    stages = []
    run_check([PAYMENTS], progress=stages.append)
    assert stages == ["正在读取台账", "正在检查数据质量", "正在运行规则"]


def test_the_progress_line_is_off_when_not_a_terminal_and_shown_on_one():
    import io

    from rich.console import Console

    from audit_rules.cli_output import progress_line

    piped = io.StringIO()
    with progress_line(Console(file=piped)) as progress:
        progress("正在读取台账")
    assert piped.getvalue() == ""
    terminal = io.StringIO()
    with progress_line(Console(file=terminal, force_terminal=True)) as progress:
        progress("正在读取台账")
    assert "正在" in terminal.getvalue()

"""Batch runs of many units (issue 13.2): the run in parts equals the one-database run, the
progress bar shows only on a terminal and not under --quiet, and --split-by-unit writes one
report set per unit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from helpers.batch import UNITS, copy_units, findings_json
from hypothesis import given
from hypothesis import strategies as st

from audit_rules import batch
from audit_rules.batch import Group, LocalRunner, group_files, read_part, split_by_size
from audit_rules.cli import main
from audit_rules.ledgers.files import FoundFile, discover_all
from audit_rules.pipeline import run_check


def bar_shown(output: str) -> bool:
    """The reading bar's line (读取台账 ━━━╸ 12/40 个文件，… 已用 0:00:03), or the cursor
    movements and spinner of a live display."""
    bar = any("读取台账" in line and "个文件" in line and "━" in line for line in output.splitlines())
    return bar or "\x1b[?25l" in output or "\r" in output or "正在" in output


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    return copy_units(tmp_path_factory.mktemp("batch") / "ledgers", 2)


@pytest.fixture(scope="module")
def at_once(units):
    return run_check([units], command_line="audit-rules check")


@pytest.mark.parametrize("parts", [1, 3, 9])
def test_the_run_in_parts_equals_the_run_at_once(units, at_once, parts):
    in_parts = run_check([units], command_line="audit-rules check", runner=LocalRunner(), parts=parts)
    assert findings_json(in_parts) == findings_json(at_once)
    assert [(o.rule_id, o.status, o.reason, o.findings) for o in in_parts.rules] == \
        [(o.rule_id, o.status, o.reason, o.findings) for o in at_once.rules]
    assert in_parts.source_rows == at_once.source_rows
    assert in_parts.file_units == at_once.file_units
    # the copies are what makes this a test: findings in many units, and across units; some
    # copies name their unit in a cell (编制单位), so that one unit's rows lie in two folders
    assert len({f.unit for f in at_once.findings}) > len(UNITS)
    assert any(len({file.split("/")[0] for file, us in at_once.file_units.items() if unit in us}) > 1
               for unit in {f.unit for f in at_once.findings})
    assert any(f.rule_id == "duplicate-payment" for f in at_once.findings)


JOURNAL_SQL_RULE = """
id: with-journal-sql
title: 含序时账查询
extends: default
rules:
  - id: big-journal-debits
    title: 大额借方
    category: custom
    severity: low
    type: sql
    query: "SELECT _file, _sheet, _row, _unit AS unit, debit AS amount, voucher_no FROM journal WHERE debit > 50000"
    message: "{voucher_no}"
"""


def test_a_cross_unit_rule_on_journal_lines_names_their_vouchers_in_parts_too(units, tmp_path):
    """An auditor's sql rule compares units, so it runs on the client, where no journal was read:
    its findings on journal lines still carry their voucher, as in the run at once."""
    ruleset = tmp_path / "ruleset.yaml"
    ruleset.write_text(JOURNAL_SQL_RULE, encoding="utf-8")

    def vouchers(result):
        return sorted((f.id, loc.voucher, loc.voucher_line) for f in result.findings
                      if f.rule_id == "big-journal-debits" for loc in f.locations)

    once = run_check([units], ruleset=ruleset, command_line="x")
    assert vouchers(once) and all(v for _, v, _ in vouchers(once))
    assert vouchers(run_check([units], ruleset=ruleset, command_line="x", runner=LocalRunner(), parts=3)) == vouchers(once)


def test_a_unit_in_two_parts_is_checked_as_one(tmp_path, at_once):
    """A unit's rows in two top-level places (its folder, and a file named for it beside the
    folders) are checked together, whatever part each lies in."""
    root = copy_units(tmp_path / "ledgers", 1)
    unit = UNITS[0].name + "01"
    shutil.move(root / unit / "付款明细-2019.xlsx", root / f"{unit}付款明细-2019.xlsx")
    reference = run_check([root], command_line="x")
    for parts in (1, 5):
        assert findings_json(run_check([root], command_line="x", runner=LocalRunner(), parts=parts)) == \
            findings_json(reference)


def test_every_file_read_is_told_once(units):
    told = []
    run_check([units], runner=LocalRunner(), parts=4, file_done=lambda *args: told.append(args))
    total = len([f for f in discover_all([units])])
    assert told[-1][:2] == (total, total)
    assert [done for done, _, _ in told] == sorted(done for done, _, _ in told)
    assert sum(rows for _, _, rows in told) > 0
    told.clear()
    run_check([units], file_done=lambda *args: told.append(args))
    assert [done for done, _, _ in told] == list(range(1, total + 1))


def test_a_file_gone_from_a_worker_is_that_files_error(units, tmp_path):
    groups, _ = group_files(discover_all([units]))
    order, found = groups[0].files[0]
    missing = found._replace(path=tmp_path / "不在这台计算机上.xlsx")
    groups[0].files[0] = (order, missing)
    part = read_part(groups[:1], None, quality=False)
    errors = [e for _, e in part.errors]
    assert any(e.file == found.display and "不存在" in e.message and "相同路径" in e.message for e in errors)
    assert len(part.inputs) == len(groups[0].files) - 1


def _groups_of_sizes(sizes: list[int]) -> list[Group]:
    return [Group(n, [(n, FoundFile(Path("无此目录") / str(size), f"单位{n}/{size}.xlsx", None))])
            for n, size in enumerate(sizes)]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=40), st.integers(1, 12))
def test_parts_are_runs_of_consecutive_units_of_about_equal_bytes(sizes, count):
    with mock.patch.object(batch, "_size", lambda found: int(found.path.name)):
        parts = split_by_size(_groups_of_sizes(sizes), count)
    assert len(parts) == min(count, len(sizes)) and all(parts)
    assert [group.index for part in parts for group in part] == list(range(len(sizes)))
    weights = [max(1, size) for size in sizes]
    loads = [sum(weights[g.index] for g in part) for part in parts]
    # a part passes its share by at most the group that crossed the line
    assert max(loads) <= sum(weights) / len(parts) + max(weights)


def test_parts_of_equal_units_are_as_even_as_can_be():
    with mock.patch.object(batch, "_size", lambda found: int(found.path.name)):
        assert sorted(len(part) for part in split_by_size(_groups_of_sizes([5] * 7), 3)) == [2, 2, 3]
        assert [[g.index for g in part] for part in split_by_size(_groups_of_sizes([10, 10, 500, 10, 10]), 3)] == \
            [[0, 1], [2], [3, 4]]
        assert len(split_by_size(_groups_of_sizes([1]), 4)) == 1


# ---- the terminal -----------------------------------------------------------------------------


def _check(args, env=None):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False, env=env)


def test_no_progress_bar_when_the_output_is_not_a_terminal(units, tmp_path):
    result = _check([str(units), "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 1
    assert not bar_shown(result.output)


def test_the_bar_shows_on_a_terminal_and_not_under_quiet(units, tmp_path):
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}
    shown = _check([str(units), "--out", str(tmp_path / "a"), "--format", "json"], env=terminal)
    assert bar_shown(shown.output) and "个文件" in shown.output, shown.output
    quiet = _check([str(units), "--out", str(tmp_path / "b"), "--format", "json", "--quiet"], env=terminal)
    assert quiet.exit_code == 1
    assert not bar_shown(quiet.output)


# ---- --split-by-unit --------------------------------------------------------------------------


def test_split_by_unit_writes_each_units_findings_in_its_folder(units, at_once, tmp_path):
    from audit_rules.pipeline import finding_units
    from audit_rules.reports import unit_folder_names

    out = tmp_path / "out"
    result = _check([str(units), "--out", str(out), "--split-by-unit"])
    assert result.exit_code == 1
    whole = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    unit_names = {u for us in at_once.file_units.values() for u in us if u is not None}
    folders = unit_folder_names(sorted(unit_names))
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(folders.values())
    concern = {f.id: finding_units(f, at_once.file_units) for f in at_once.findings}
    seen = set()
    for unit, folder in folders.items():
        assert {p.name for p in (out / folder).iterdir()} >= {"findings.json", "report.xlsx", "report.html"}
        own = json.loads((out / folder / "findings.json").read_text(encoding="utf-8"))
        assert {f["id"] for f in own["findings"]} == {i for i, us in concern.items() if unit in us}
        own_files = {i["file"] for i in own["run"]["inputs"]}
        assert own_files == {file for file, us in at_once.file_units.items() if unit in us or us == [None]}
        seen |= {f["id"] for f in own["findings"]}
    assert seen == {f["id"] for f in whole["findings"]}
    across = [f for f in at_once.findings if f.rule_id == "duplicate-payment" and len(concern[f.id]) > 1]
    assert across  # a cross-unit duplicate is in the report set of every unit that paid
    for finding in across:
        for unit in concern[finding.id]:
            own = json.loads((out / folders[unit] / "findings.json").read_text(encoding="utf-8"))
            assert finding.id in {f["id"] for f in own["findings"]}
    assert "跨单位疑点写入所涉及的每个单位" in result.output


def test_unit_folder_names_are_safe_and_distinct():
    from audit_rules.reports import unit_folder_names

    names = unit_folder_names(["甲/局", "甲_局", None, "..乙", "丙\x1b局"])
    assert names == {"甲/局": "甲_局", "甲_局": "甲_局-2", None: "（未标明单位）", "..乙": "乙", "丙\x1b局": "丙_局"}


def test_a_rule_cut_at_the_findings_cap_lists_the_same_findings_in_parts(monkeypatch):
    """Over the per-rule cap every run keeps the first findings by location: the same in one
    database and in parts (each part's first rows are the merged list's first)."""
    from helpers.paths import SAMPLES

    from audit_rules.rules.database import MAX_FINDINGS_ENV

    monkeypatch.setenv(MAX_FINDINGS_ENV, "1")
    once = run_check([SAMPLES], command_line="x")
    assert any("上限" in o.reason for o in once.rules)
    assert findings_json(run_check([SAMPLES], command_line="x", runner=LocalRunner(), parts=3)) == findings_json(once)

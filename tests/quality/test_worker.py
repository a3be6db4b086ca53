"""The gate's worker process: same results as in-process, light tables, reuse, fallback, clean exit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers.paths import ROOT as REPO
from helpers.paths import TESTS
from helpers.quality import TODAY, messy_tables, only, payments_table

from audit_rules.quality import run_quality, start_gx_import, validation
from audit_rules.quality.suites import CHECK_READABLE, CHECK_TOTALS, CHECK_UNIQUE
from audit_rules.quality.worker import light_copy, worker_pid


@pytest.fixture(scope="module", autouse=True)
def worker():
    start_gx_import()
    assert worker_pid() is not None
    return worker_pid()


def test_worker_gives_exactly_the_in_process_results_on_messy_tables(monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("validated in the parent, not in the worker")

    with monkeypatch.context() as patched:
        patched.setattr(validation, "validate_tables", not_here)
        served = run_quality(messy_tables(), today=TODAY)
    in_process = validation.validate_tables(messy_tables(), TODAY, None)
    assert served == in_process  # dataclass equality: every field, excludes_rows included
    # Not vacuous: the raw text of `_bad` cells survived the light copy, by label and by position.
    by_file = {(r.file, r.field, r.check): r for r in served}
    assert by_file[("a.xlsx", "amount", CHECK_READABLE)].failed == [
        {"row": 4, "value": "待定"}, {"row": 6, "value": "约三万"}]
    assert by_file[("a.xlsx", "headcount", CHECK_READABLE)].failed == [
        {"row": 4, "value": "两人"}, {"row": 7, "value": "三人"}]
    assert by_file[("b.xlsx", "headcount", CHECK_READABLE)].failed == [{"row": 4, "value": "若干"}]
    assert [c["row"] for c in by_file[("a.xlsx", "voucher_no", CHECK_UNIQUE)].failed] == [3, 4, 6, 7]
    assert not by_file[("a.xlsx", "amount", CHECK_TOTALS)].passed


def test_light_copy_keeps_data_and_only_the_raw_rows_with_bad_cells():
    table = messy_tables()[0]
    table.data["_unit"] = "某单位"
    light = light_copy(table)
    assert list(light.data.columns) == list(table.data.columns)
    assert light.data.index.equals(table.data.index)
    read = ["date", "voucher_no", "amount", "payee", "headcount", "_row"]  # what checks read
    assert light.data[read].equals(table.data[read])
    # `_bad`: the same lists where a cell is bad, None (not []) elsewhere.
    expected_bad = [names or None for names in table.data["_bad"]]
    assert light.data["_bad"].tolist() == expected_bad
    assert light.data[["_file", "_sheet", "_unit"]].isna().all().all()  # present, values not sent
    assert table.data["_unit"].eq("某单位").all()  # the caller's table is untouched
    assert light.problems == table.problems
    assert (light.totals, light.totals_row, light.fields) == (table.totals, table.totals_row, table.fields)
    assert sorted(light.raw.index) == [3, 7, 12]  # the labels whose `_bad` is non-empty
    assert light.raw.loc[3, "金额（元）"] == "约三万"
    clean = light_copy(payments_table())
    assert len(clean.raw) == 0 and list(clean.raw.columns) == list(payments_table().raw.columns)


def test_light_copy_keeps_all_raw_rows_when_labels_repeat():
    table = messy_tables()[1]
    assert light_copy(table).raw.equals(table.raw)


def test_raw_lookup_by_label_matches_the_full_raw():
    table = messy_tables()[0]
    full = only(validation.validate_tables([table], TODAY, None), "amount", CHECK_READABLE)
    light = only(validation.validate_tables([light_copy(table)], TODAY, None), "amount", CHECK_READABLE)
    assert full == light


def test_one_worker_per_process_reused_by_every_call(worker):
    start_gx_import()
    start_gx_import()
    run_quality([payments_table()], today=TODAY)
    run_quality(messy_tables(), today=TODAY)
    assert worker_pid() == worker


def test_a_table_that_cannot_be_sent_is_validated_here_and_the_worker_keeps_serving(worker):
    table = payments_table()
    expected = validation.validate_tables([table], TODAY, None)
    table.totals["payee"] = lambda: None  # unpicklable; a text field's 合计 is ignored by the gate
    assert run_quality([table], today=TODAY) == expected
    assert worker_pid() == worker


# ---------------------------------------------------------------------------------------------
# Fresh interpreters: fallback when the worker dies, never started, clean exit
# ---------------------------------------------------------------------------------------------


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                          text=True, timeout=120,
                          env={"PYTHONPATH": f"{TESTS}:{REPO}", "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def test_worker_dying_mid_request_falls_back_silently_and_leaves_no_zombie(tmp_path):
    proc = run_python("""
        import os, signal, sys, threading
        from helpers.quality import messy_tables, TODAY
        from audit_rules.quality import run_quality, start_gx_import
        from audit_rules.quality.worker import worker_pid
        start_gx_import()
        served = run_quality(messy_tables(), today=TODAY)
        pid = worker_pid()
        os.kill(pid, signal.SIGSTOP)  # the request is sent, no reply comes …
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()  # … and the worker dies
        after = run_quality(messy_tables(), today=TODAY)
        zombie = os.path.exists(f"/proc/{pid}")
        print(served == after, "great_expectations" in sys.modules, worker_pid(), zombie)
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "None", "False"]
    assert proc.stderr == ""


def test_without_start_the_gate_validates_in_process_and_starts_no_worker(tmp_path):
    proc = run_python("""
        import multiprocessing, sys
        from helpers.quality import messy_tables, TODAY
        from audit_rules.quality import run_quality
        from audit_rules.quality.worker import worker_pid
        results = run_quality(messy_tables(), today=TODAY)
        print(len(results) > 0, "great_expectations" in sys.modules, worker_pid(),
              len(multiprocessing.active_children()))
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "None", "0"]


def test_interpreter_exit_stops_the_worker(tmp_path):
    proc = run_python("""
        from helpers.quality import TODAY
        from helpers.quality import payments_table
        from audit_rules.quality import run_quality, start_gx_import
        from audit_rules.quality.worker import worker_pid
        start_gx_import()
        run_quality([payments_table()], today=TODAY)
        print(worker_pid())
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    pid = int(proc.stdout.strip())
    assert not os.path.exists(f"/proc/{pid}")  # stopped and reaped, not orphaned
    assert proc.stderr == ""

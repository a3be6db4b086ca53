"""The data-quality gate run with great_expectations on hand-built canonical tables."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.paths import ROOT as REPO
from helpers.paths import TESTS
from helpers.quality import (
    TODAY,
    contracts_table,
    make_table,
    only,
    payments_columns,
    payments_table,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_rules.ledgers.model import CellProblem
from audit_rules.quality import (
    exclude_untrusted_cells,
    run_quality,
    start_gx_import,
    unusable_fields,
)
from audit_rules.quality.suites import (
    CHECK_BETWEEN,
    CHECK_COLUMNS_PRESENT,
    CHECK_IN_SET,
    CHECK_NOT_NULL,
    CHECK_READABLE,
    CHECK_TOTALS,
    CHECK_UNIQUE,
)


@pytest.fixture(scope="session", autouse=True)
def gx_runtime():
    """Import GX and build the ephemeral context once for the whole file."""
    start_gx_import()
    run_quality([payments_table()], today=TODAY)


# ---------------------------------------------------------------------------------------------
# Clean data
# ---------------------------------------------------------------------------------------------


def test_clean_table_passes_every_check_and_reports_each_one():
    results = run_quality([payments_table()], today=TODAY)
    assert results and all(r.passed for r in results), [r for r in results if not r.passed]
    assert all(r.failed == [] for r in results)
    checks = {(r.field, r.check) for r in results}
    assert (None, CHECK_COLUMNS_PRESENT) in checks
    assert ("amount", CHECK_READABLE) in checks
    assert ("voucher_no", CHECK_UNIQUE) in checks
    assert ("headcount", CHECK_BETWEEN) in checks
    assert {r.file for r in results} == {"台账.xlsx"} and {r.kind for r in results} == {"payments"}


def test_unrecognised_tables_are_not_checked():
    table = payments_table()
    table.kind = None
    assert run_quality([table], today=TODAY) == []


# ---------------------------------------------------------------------------------------------
# Planted bad cells
# ---------------------------------------------------------------------------------------------


def test_unreadable_amount_is_reported_with_excel_row_and_raw_value():
    columns = payments_columns()
    columns["amount"][1] = np.nan  # the reader nulls what it cannot read
    problem = CellProblem(row=4, column="金额（元）", field="amount", value="待定", message="无法识别的金额")
    table = payments_table(columns=columns, problems=[problem], bad=[[], ["amount"], [], []])
    result = only(run_quality([table], today=TODAY), "amount", CHECK_READABLE)
    assert not result.passed
    assert result.failed == [{"row": 4, "value": "待定"}]
    assert result.excludes_rows is True
    assert result.detail == "“金额（元）”无法识别：'待定'（第4行）"


def test_an_unreadable_key_cell_is_reported_as_unreadable_not_also_as_empty():
    columns = payments_columns()
    columns["amount"][1] = np.nan  # unreadable: 待定
    columns["amount"][3] = np.nan  # really blank
    problem = CellProblem(row=4, column="金额（元）", field="amount", value="待定", message="无法识别的金额")
    results = run_quality([payments_table(columns=columns, problems=[problem])], today=TODAY)
    assert only(results, "amount", CHECK_READABLE).failed == [{"row": 4, "value": "待定"}]
    empty = only(results, "amount", CHECK_NOT_NULL)
    assert empty.failed == [{"row": 6, "value": None}]
    assert empty.detail == "“金额（元）”为空：第6行"


def test_a_key_field_whose_only_gap_is_unreadable_passes_the_not_null_check():
    columns = payments_columns()
    columns["amount"][1] = np.nan
    problem = CellProblem(row=4, column="金额（元）", field="amount", value="待定", message="无法识别的金额")
    results = run_quality([payments_table(columns=columns, problems=[problem])], today=TODAY)
    assert only(results, "amount", CHECK_NOT_NULL).passed
    assert not only(results, "amount", CHECK_READABLE).passed


def test_a_blank_amount_is_empty_not_unreadable():
    columns = payments_columns()
    columns["amount"][2] = np.nan
    results = run_quality([payments_table(columns=columns)], today=TODAY)
    assert only(results, "amount", CHECK_READABLE).passed
    empty = only(results, "amount", CHECK_NOT_NULL)
    assert empty.failed == [{"row": 5, "value": None}]
    assert empty.excludes_rows is False
    assert "第5行" in empty.detail


def test_cell_marked_bad_without_a_problem_takes_its_raw_value_from_the_sheet():
    columns = payments_columns()
    columns["headcount"][3] = pd.NA
    table = payments_table(columns=columns, bad=[[], [], [], ["headcount"]])
    table.raw.loc[3, "人数"] = "三人"
    result = only(run_quality([table], today=TODAY), "headcount", CHECK_READABLE)
    assert result.failed == [{"row": 6, "value": "三人"}]


def test_impossible_date_is_unreadable_with_raw_value():
    columns = payments_columns()
    columns["date"] = columns["date"].where([True, True, False, True])
    problem = CellProblem(row=5, column="付款日期", field="date", value="2019-02-30", message="无效日期")
    results = run_quality([payments_table(columns=columns, problems=[problem])], today=TODAY)
    readable = only(results, "date", CHECK_READABLE)
    assert readable.failed == [{"row": 5, "value": "2019-02-30"}]
    assert "不是有效日期" in readable.detail
    assert only(results, "date", CHECK_BETWEEN).passed  # null dates are not out of range


def test_implausible_dates_outside_the_window_are_flagged_and_edges_are_not():
    columns = payments_columns()
    columns["date"] = pd.to_datetime(["1979-12-31", "1980-01-01", "2025-06-01", "2025-06-02"])
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "date", CHECK_BETWEEN)
    assert result.failed == [{"row": 3, "value": "1979-12-31"}, {"row": 6, "value": "2025-06-02"}]
    assert result.excludes_rows is True
    assert "1980-01-01至2025-06-01" in result.detail


def test_date_window_start_is_a_parameter():
    columns = payments_columns()
    columns["date"] = pd.to_datetime(["1999-12-31", "2001-01-01", "2002-01-01", "2003-01-01"])
    results = run_quality([payments_table(columns=columns)], today=TODAY, earliest=date(1990, 1, 1))
    assert only(results, "date", CHECK_BETWEEN).passed


def test_repeated_voucher_numbers_flag_every_occurrence_and_blanks_do_not_repeat():
    columns = payments_columns(5)
    columns["voucher_no"] = ["记-001", "记-002", "记-001", None, None]
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "voucher_no", CHECK_UNIQUE)
    assert result.failed == [{"row": 3, "value": "记-001"}, {"row": 5, "value": "记-001"}]
    assert result.excludes_rows is False
    assert result.detail == "“凭证号”同月重复：'记-001'（第3、5行）"


def test_a_voucher_number_may_repeat_in_another_month_but_not_in_the_same_one():
    columns = payments_columns(5)
    columns["date"] = pd.to_datetime(["2019-01-05", "2019-02-05", "2019-01-28", "2020-01-05", None])
    columns["voucher_no"] = ["记-001", "记-001", "记-001", "记-001", "记-001"]
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "voucher_no", CHECK_UNIQUE)
    # January 2019 twice; February 2019, January 2020 and the undated row each stand alone.
    assert result.failed == [{"row": 3, "value": "记-001"}, {"row": 5, "value": "记-001"}]


def test_dates_in_any_datetime_resolution_are_checked():
    columns = payments_columns()
    columns["date"] = pd.to_datetime(["1979-12-31", "2001-01-01", "2002-01-01", "2003-01-01"]).astype("datetime64[s]")
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "date", CHECK_BETWEEN)
    assert result.failed == [{"row": 3, "value": "1979-12-31"}]


def test_negative_count_is_flagged_and_zero_is_not():
    columns = payments_columns()
    columns["headcount"] = pd.array([0, -2, None, 4], dtype="Int64")
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "headcount", CHECK_BETWEEN)
    assert result.failed == [{"row": 4, "value": -2}]
    assert type(result.failed[0]["value"]) is int  # the canonical Int64 value, not a float
    assert result.excludes_rows is True
    assert "为负数" in result.detail


def test_ratio_out_of_range_is_flagged_and_bounds_are_not():
    table = contracts_table(prepay_ratio=[0.3, 1.5, -0.1])
    results = run_quality([table], today=TODAY)
    result = only(results, "prepay_ratio", CHECK_BETWEEN)
    assert result.failed == [{"row": 3, "value": 1.5}, {"row": 4, "value": -0.1}]
    assert result.excludes_rows is True
    assert only(run_quality([contracts_table()], today=TODAY), "prepay_ratio", CHECK_BETWEEN).passed


def test_bool_fields_accept_true_false_and_blank_only():
    assert only(run_quality([contracts_table()], today=TODAY), "signed", CHECK_IN_SET).passed
    odd = contracts_table(signed=pd.Series([True, "已签", False], dtype=object))
    result = only(run_quality([odd], today=TODAY), "signed", CHECK_IN_SET)
    assert result.failed == [{"row": 3, "value": "已签"}]


def test_year_outside_the_window_is_flagged():
    table = make_table("special_funds", {
        "fund": ["专项A", "专项B", "专项C"],
        "year": pd.array([2023, 1899, 2030], dtype="Int64"),
    })
    result = only(run_quality([table], today=TODAY), "year", CHECK_BETWEEN)
    assert result.failed == [{"row": 4, "value": 1899}, {"row": 5, "value": 2030}]


def test_missing_key_column_fails_the_columns_check_and_its_column_checks_are_not_run():
    columns = payments_columns()
    del columns["payee"]
    results = run_quality([payments_table(columns=columns)], today=TODAY)
    present = only(results, None, CHECK_COLUMNS_PRESENT)
    assert not present.passed
    assert present.detail == "缺少必需列：收款单位"
    assert not [r for r in results if r.field == "payee"]
    assert all(r.passed for r in results if r.check != CHECK_COLUMNS_PRESENT)


def test_rows_map_to_excel_rows_whatever_the_dataframe_index():
    columns = payments_columns()
    columns["payee"] = ["甲", None, "丙", None]
    table = payments_table(columns=columns, first_row=10, index=[40, 7, 99, 3])
    result = only(run_quality([table], today=TODAY), "payee", CHECK_NOT_NULL)
    assert result.failed == [{"row": 11, "value": None}, {"row": 13, "value": None}]


def test_many_failures_are_summarised_in_the_detail():
    columns = payments_columns(8)
    columns["payee"] = [None] * 8
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "payee", CHECK_NOT_NULL)
    assert len(result.failed) == 8
    assert result.detail.endswith("等共8行")


# ---------------------------------------------------------------------------------------------
# 合计 row
# ---------------------------------------------------------------------------------------------


def test_totals_row_matching_the_sum_to_the_cent_passes():
    columns = payments_columns(3)
    columns["amount"] = [0.1, 0.2, 1234.56]  # float sums are not exact; the cent is what counts
    table = payments_table(columns=columns, totals={"amount": 1234.86}, totals_row=6)
    result = only(run_quality([table], today=TODAY), "amount", CHECK_TOTALS)
    assert result.passed and result.failed == []


def test_totals_row_off_by_a_cent_fails_on_the_totals_row():
    columns = payments_columns(3)
    columns["amount"] = [100.0, 200.0, 300.0]
    table = payments_table(columns=columns, totals={"amount": 600.01}, totals_row=6)
    result = only(run_quality([table], today=TODAY), "amount", CHECK_TOTALS)
    assert not result.passed
    assert result.failed == [{"row": 6, "value": 600.01}]
    assert result.detail == "合计行“金额（元）”为600.01，明细之和为600，相差0.01（第6行）"
    assert result.excludes_rows is False


def test_no_totals_row_no_totals_check():
    results = run_quality([payments_table()], today=TODAY)
    assert not [r for r in results if r.check == CHECK_TOTALS]


# ---------------------------------------------------------------------------------------------
# Determinism, order, unusable fields, excluded cells
# ---------------------------------------------------------------------------------------------


def messy_tables():
    columns = payments_columns()
    columns["voucher_no"] = ["记-1", "记-1", "记-2", "记-2"]
    columns["amount"][0] = np.nan
    problem = CellProblem(row=3, column="金额（元）", field="amount", value="约三万", message="无法识别的金额")
    a = payments_table(columns=columns, problems=[problem], file="b.xlsx", totals={"amount": 1.0}, totals_row=7)
    b = payments_table(file="a.xlsx", sheet="二月")
    return [a, b, contracts_table(prepay_ratio=[2.0, 0.1, 0.2])]


def test_running_twice_gives_identical_ordered_results():
    first = [r.to_json() | {"x": r.excludes_rows} for r in run_quality(messy_tables(), today=TODAY)]
    second = [r.to_json() | {"x": r.excludes_rows} for r in run_quality(messy_tables(), today=TODAY)]
    assert first == second
    order = [(r["file"], r["sheet"], r["field"] or "", r["check"]) for r in first]
    assert order == sorted(order)
    json.dumps(first, ensure_ascii=False)  # JSON-ready values only


def test_unusable_fields_names_absent_and_entirely_unreadable_fields():
    columns = payments_columns(2)
    columns["amount"] = [np.nan, np.nan]
    problems = [CellProblem(row=r, column="金额（元）", field="amount", value="待定", message="无法识别")
                for r in (3, 4)]
    tables = [payments_table(columns=columns, problems=problems)]
    unusable = unusable_fields(tables, run_quality(tables, today=TODAY))
    reasons = unusable["payments"]
    assert "amount" in reasons and "全部为空或无法识别" in reasons["amount"]
    assert "summary" in reasons and "没有“摘要”列" in reasons["summary"]
    assert "date" not in reasons and "payee" not in reasons


def test_a_field_usable_in_one_table_of_the_kind_is_usable():
    columns = payments_columns(2)
    columns["date"] = pd.to_datetime(["1960-01-01", "1961-01-01"])  # implausible: excluded
    bad = payments_table(columns=columns, file="a.xlsx")
    assert "date" in unusable_fields([bad], run_quality([bad], today=TODAY)).get("payments", {})
    tables = [bad, payments_table(file="b.xlsx")]
    assert "date" not in unusable_fields(tables, run_quality(tables, today=TODAY))["payments"]


def test_exclude_untrusted_cells_marks_only_untrusted_cells():
    tables = messy_tables()
    results = run_quality(tables, today=TODAY)
    assert not any(bad for t in tables for bad in t.data["_bad"])
    exclude_untrusted_cells(tables, results)
    got = {(t.file, t.sheet, int(row), name)
           for t in tables for row, bad in zip(t.data["_row"], t.data["_bad"]) for name in bad}
    assert got == {("b.xlsx", "Sheet1", 3, "amount"), ("台账.xlsx", "Sheet1", 2, "prepay_ratio")}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.booleans(), min_size=1, max_size=30), st.integers(min_value=2, max_value=50))
def test_readable_check_fails_exactly_on_the_planted_cells(unreadable, first_row):
    n = len(unreadable)
    columns = payments_columns(n)
    columns["amount"] = [np.nan if bad else 1.0 for bad in unreadable]
    problems = [CellProblem(row=first_row + i, column="金额（元）", field="amount", value=f"坏{i}", message="x")
                for i, bad in enumerate(unreadable) if bad]
    table = payments_table(columns=columns, problems=problems, first_row=first_row)
    result = only(run_quality([table], today=TODAY), "amount", CHECK_READABLE)
    expected = [{"row": first_row + i, "value": f"坏{i}"} for i, bad in enumerate(unreadable) if bad]
    assert result.failed == expected
    assert result.passed == (not expected)


# ---------------------------------------------------------------------------------------------
# Import cost and side effects (subprocesses: a fresh interpreter)
# ---------------------------------------------------------------------------------------------


def run_python(code: str, cwd: Path, path: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    pythonpath = ":".join(str(p) for p in (*path, REPO))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": pythonpath, "PATH": "/usr/bin:/bin",
                                                       "HOME": str(cwd)})


def test_importing_the_package_does_not_import_great_expectations(tmp_path):
    proc = run_python("""
        import sys
        import audit_rules.quality
        from audit_rules.quality import kind_checks
        kind_checks("payments")
        print("great_expectations" in sys.modules)
    """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


# Loaded by every interpreter started with this directory on PYTHONPATH, hence also by the
# gate's spawned worker: refuses network connections and logs, per process id, that it ran,
# any connection attempt, and whether great_expectations was imported by the time it exited.
NETWORK_GUARD = """
import atexit, os, socket, sys

def _log(text):
    with open({log!r}, "a", encoding="utf-8") as f:
        f.write(f"{{os.getpid()}} {{text}}\\n")

def _refuse(*args, **kwargs):
    _log("connect")
    raise AssertionError("network access attempted")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
_log("guarded")
atexit.register(lambda: _log("gx" if "great_expectations" in sys.modules else "no-gx"))
"""


def test_gate_writes_no_files_prints_nothing_and_opens_no_connection(tmp_path):
    hook, work = tmp_path / "hook", tmp_path / "work"
    hook.mkdir()
    work.mkdir()
    log = hook / "guard.log"
    (hook / "sitecustomize.py").write_text(NETWORK_GUARD.format(log=str(log)), encoding="utf-8")
    proc = run_python(f"""
        import os
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from helpers.quality import payments_table, TODAY
        from audit_rules.quality import run_quality, start_gx_import
        from audit_rules.quality.worker import worker_pid
        start_gx_import()
        results = run_quality([payments_table()], today=TODAY)
        print(len(results), "great_expectations" in sys.modules, os.getpid(), worker_pid())
    """, work, path=(hook,))
    assert proc.returncode == 0, proc.stderr
    count, parent_imported, parent, child = proc.stdout.split()
    assert int(count) > 0
    assert parent_imported == "False"  # the worker served: the parent never imported GX
    by_pid: dict[str, list[str]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        pid, event = line.split()
        by_pid.setdefault(pid, []).append(event)
    assert by_pid.pop(parent) == ["guarded", "no-gx"]
    assert by_pid.pop(child) == ["guarded", "gx"]  # the guard was active in the worker too
    # Any other process is multiprocessing's resource tracker: guarded, no GX, no connection.
    assert all(events == ["guarded", "no-gx"] for events in by_pid.values()), by_pid
    assert "Calculating Metrics" not in proc.stderr  # tqdm progress bars are off
    assert proc.stderr == ""
    assert sorted(p.name for p in work.iterdir()) == []


def test_a_table_without_data_rows_is_checked_without_failures_on_values():
    table = payments_table(columns={name: values[:0] for name, values in payments_columns().items()})
    results = run_quality([table], today=TODAY)
    assert results and all(r.passed for r in results)
    reasons = unusable_fields([table], results)["payments"]
    assert reasons["amount"] == "付款/支出/报销明细没有数据行"


JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)).map(pd.Timestamp),
    st.integers(-1000, 1000).map(np.int64), st.floats(-1e6, 1e6).map(np.float64),
)


@given(st.one_of(JSON_LEAVES, st.lists(JSON_LEAVES, max_size=4)))
def test_failed_values_are_always_json_ready(value):
    from audit_rules.values import plain as plain_of

    plain = plain_of(value)
    json.dumps(plain, allow_nan=False)
    if isinstance(value, (str, bool)) or (isinstance(value, int) and not isinstance(value, bool)):
        assert plain == value  # what the user typed is kept as is


def test_tables_validated_together_are_reported_each_on_its_own_rows():
    # Same voucher numbers in two sheets are not repeats; a repeat inside one sheet is, there only.
    clean = payments_table(file="a.xlsx")
    repeated = payments_columns()
    repeated["voucher_no"] = ["记-001", "记-002", "记-001", "记-004"]
    repeated["amount"] = [100.0, None, 300.0, 400.0]
    second = payments_table(columns=repeated, file="b.xlsx")
    results = run_quality([clean, second, payments_table(file="c.xlsx")], today=TODAY)
    by_file = {r.file: r for r in results if r.field == "voucher_no" and r.check == CHECK_UNIQUE}
    assert by_file["a.xlsx"].passed and by_file["c.xlsx"].passed
    assert [c["row"] for c in by_file["b.xlsx"].failed] == [3, 5]
    nulls = {r.file: r for r in results if r.field == "amount" and r.check == CHECK_NOT_NULL}
    assert nulls["a.xlsx"].passed and nulls["c.xlsx"].passed
    assert nulls["b.xlsx"].failed == [{"row": 4, "value": None}]


def test_voucher_numbers_restart_each_month_so_they_repeat_only_within_a_month():
    columns = payments_columns(5)
    columns["date"] = pd.to_datetime(["2019-03-02", "2019-03-09", "2019-04-01", "2019-04-20", None])
    columns["voucher_no"] = ["记-001", "记-002", "记-001", "记-001", "记-002"]
    result = only(run_quality([payments_table(columns=columns)], today=TODAY), "voucher_no", CHECK_UNIQUE)
    assert result.failed == [{"row": 5, "value": "记-001"}, {"row": 6, "value": "记-001"}]
    assert result.detail == "“凭证号”同月重复：'记-001'（第5、6行）"


def test_a_totals_row_of_a_wan_yuan_column_reads_in_wan_yuan(tmp_path):
    """金额（万元）: the figures of the 合计 check are in the unit the header states (元 beside)."""
    from audit_rules.ledgers import load_ledgers

    folder = tmp_path / "甲单位"
    folder.mkdir()
    (folder / "付款.csv").write_text(
        "日期,凭证号,摘要,金额（万元）,收款单位\n"
        "2019-03-01,记-1,物业费,1.2,甲物业\n2019-03-02,记-2,维修费,0.5,乙公司\n合计,,,1.8,\n",
        encoding="utf-8",
    )
    [table] = load_ledgers([folder]).tables
    assert table.scale == {"amount": 10000.0}  # the rules see 元
    result = only(run_quality([table], today=TODAY), "amount", CHECK_TOTALS)
    assert not result.passed
    assert result.detail == (
        "合计行“金额（万元）”为1.8万元（18,000元），明细之和为1.7万元（17,000元），相差0.1万元（1,000元）（第4行）"
    )
    assert result.failed == [{"row": 4, "value": 1.8}]  # the cell as the sheet shows it


def test_validating_does_not_hash_the_whole_frame(monkeypatch):
    """GX's batch fingerprint (pandas' row hashes of the whole frame) is not computed: it cost
    most of a large table's validation and nothing reads it."""
    from audit_rules.quality.validation import validate_tables

    def refuse(*args, **kwargs):
        raise AssertionError("the whole frame was hashed")

    monkeypatch.setattr(pd.util, "hash_pandas_object", refuse)
    results = validate_tables([payments_table()], today=TODAY)
    assert results and all(r.passed for r in results), [r.detail for r in results if not r.passed]

"""The batch run on a Dask cluster (issue 13.3): findings.json equal to the serial run's."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from helpers.batch import copy_units, findings_json

from audit_rules.cli import main
from audit_rules.pipeline import run_check

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def runner():
    from audit_rules.distributed import DaskRunner

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield DaskRunner(client)


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    return copy_units(tmp_path_factory.mktemp("dask") / "ledgers", 1)


def test_a_run_on_two_dask_workers_equals_the_serial_run(runner, units):
    serial = run_check([units], command_line="audit-rules check")
    told = []
    on_dask = run_check([units], command_line="audit-rules check", runner=runner, parts=runner.parts(5),
                        file_done=lambda *args: told.append(args))
    assert findings_json(on_dask) == findings_json(serial)
    assert serial.findings and serial.data_quality
    assert told[-1][0] == told[-1][1] == len(serial.inputs) + len(serial.errors)
    assert len(told) == runner.parts(5)


def test_parts_follow_the_clusters_threads(runner):
    assert runner.parts(200) == 4  # 2 workers × 1 thread × 2 parts each
    assert runner.parts(3) == 3


def test_without_distributed_one_chinese_line_says_what_to_install(monkeypatch, units, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    for option in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        result = CliRunner().invoke(main, ["check", str(units), "--out", str(tmp_path / "out"), *option])
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0, result.output
        assert "pip install 'audit-rules[dask]'" in result.output and "需要安装" in result.output


def test_workers_and_scheduler_together_are_refused(units, tmp_path):
    result = CliRunner().invoke(main, ["check", str(units), "--workers", "2", "--scheduler", "tcp://h:1"])
    assert result.exit_code == 2 and "只能选一个" in result.output


def test_a_malformed_scheduler_address_is_one_chinese_line(units, tmp_path):
    result = CliRunner().invoke(main, ["check", str(units), "--out", str(tmp_path / "out"), "--scheduler", "foo:bar"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0 and "地址格式不正确" in result.output, result.output

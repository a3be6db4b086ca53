"""`--set` with `--verified`: a value the user vouches for no longer tags findings 参数待核定,
and a --set value is never described as a default."""

from __future__ import annotations

import json

from click.testing import CliRunner
from helpers.paths import SAMPLES

from audit_rules.cli import main

RECEPTION = SAMPLES / "长沙市示范文旅中心" / "公务接待及加班用餐登记.xlsx"


def _check(tmp_path, *extra):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(RECEPTION), "--out", str(out), "--format", "json",
                                       "--no-quality", *extra], catch_exceptions=False)
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return result, findings


def _tagged(findings, name):
    return [f for f in findings["findings"] if name in f.get("unverified_parameters", [])]


def test_a_set_value_marked_verified_is_no_longer_pending(tmp_path):
    result, findings = _check(tmp_path, "--set", "local_city=长沙", "--verified", "local_city")
    assert result.exit_code == 1, result.output
    assert not _tagged(findings, "local_city")
    assert findings["run"]["parameters"]["local_city"]["verified"] is True
    assert "local_city" not in result.output


def test_a_set_value_not_marked_is_pending_but_never_called_a_default(tmp_path):
    result, findings = _check(tmp_path, "--set", "local_city=长沙")
    assert _tagged(findings, "local_city")
    line = next(line for line in result.output.splitlines() if "local_city" in line)
    assert "默认" not in line and "--set" in line and "--verified" in line


def test_verified_for_an_unknown_parameter_is_refused_in_chinese(tmp_path):
    result = CliRunner().invoke(main, ["check", str(RECEPTION), "--out", str(tmp_path / "o"), "--verified", "no_such"])
    assert result.exit_code == 2
    assert "--verified no_such" in result.output and "没有参数" in result.output

"""The `check` command: exit codes, outputs chosen, clear errors, nothing half-written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from audit_rules.cli import main

CONTRACT_HEADERS = ["序号", "合同编号", "合同名称", "合同相对方", "合同金额（元）", "签订日期", "签字", "盖章"]


def _write_contracts(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "合同台账"
    ws.append(["测试单位合同台账"])
    ws.append(CONTRACT_HEADERS)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _clean_contract(n: int) -> list:
    return [n, f"HT-2019-{n:03d}", "办公设备维护", "长沙某科技有限公司", 50000, date(2019, 3, n), "是", "是"]


@pytest.fixture()
def ledgers(tmp_path) -> Path:
    folder = tmp_path / "ledgers" / "测试单位"
    _write_contracts(folder / "合同台账.xlsx", [_clean_contract(1), _clean_contract(2)])
    return tmp_path / "ledgers"


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_no_findings_exits_0_and_writes_all_three_reports(ledgers, tmp_path):
    out = tmp_path / "out"
    result = _run(["check", str(ledgers), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "未发现疑点" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "report.html", "report.xlsx"]


def test_findings_exit_1_and_the_summary_names_the_category(ledgers, tmp_path):
    unsealed = _clean_contract(3)
    unsealed[-1] = "否"
    _write_contracts(ledgers / "测试单位" / "合同台账2.xlsx", [unsealed])
    out = tmp_path / "out"
    result = _run(["check", str(ledgers), "--out", str(out), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "合同要素缺失" in result.output
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    hits = [f for f in data["findings"] if f["category"] == "contract_missing_elements"]
    assert [(f["locations"][0]["file"], f["locations"][0]["row"]) for f in hits] == [("测试单位/合同台账2.xlsx", 3)]
    assert [p.name for p in out.iterdir()] == ["findings.json"]


def test_a_broken_ruleset_exits_2_naming_file_and_line(ledgers, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: 坏规则集\nversion: '1'\nrules:\n  - id: r1\n    severity: urgent\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(ledgers), "--ruleset", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "行" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_an_unknown_format_is_refused_in_chinese(ledgers, tmp_path):
    result = CliRunner().invoke(main, ["check", str(ledgers), "--format", "pdf", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "不支持的输出格式" in result.output


def test_set_overrides_a_parameter_and_a_bad_name_is_refused(ledgers, tmp_path):
    ok = _run(["check", str(ledgers), "--out", str(tmp_path / "a"), "--format", "json",
               "--set", "major_amount_threshold=10000"])
    data = json.loads((tmp_path / "a" / "findings.json").read_text(encoding="utf-8"))
    assert data["run"]["parameters"]["major_amount_threshold"]["value"] == 10000
    assert ok.exit_code in (0, 1)
    bad = CliRunner().invoke(main, ["check", str(ledgers), "--out", str(tmp_path / "b"), "--set", "no_such_param=1"])
    assert bad.exit_code == 2
    assert "no_such_param" in bad.output


def test_an_existing_report_is_replaced_whole_and_no_temporary_file_is_left(ledgers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "findings.json").write_text("old", encoding="utf-8")
    _run(["check", str(ledgers), "--out", str(out)])
    assert json.loads((out / "findings.json").read_text(encoding="utf-8"))["schema_version"] == 1
    assert sorted(p.name for p in out.iterdir()) == ["findings.json", "report.html", "report.xlsx"]


def test_a_bad_mapping_file_exits_2_naming_file_and_line(ledgers, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("sheets:\n  - kind: no_such_kind\n", encoding="utf-8")
    for extra in ([], ["--quality-only"]):
        result = CliRunner().invoke(main, ["check", str(ledgers), "--mapping", str(mapping), "--out", str(tmp_path / "o"), *extra])
        assert result.exit_code == 2, result.output
        assert "map.yaml" in result.output and "行" in result.output and "no_such_kind" in result.output


def test_quality_only_prints_the_gate_and_writes_nothing(ledgers, tmp_path):
    out = tmp_path / "o"
    result = _run(["check", str(ledgers), "--quality-only", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "数据质量检查" in result.output and "通过" in result.output
    assert not out.exists()


def test_ledgers_no_rule_can_use_exit_2_not_a_clean_bill(tmp_path):
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "杂项.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(folder), "--out", str(out), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "没有一条规则能够运行" in result.output and "inspect" in result.output
    assert (out / "findings.json").exists()  # the reports still say why every rule was skipped


@pytest.mark.parametrize(
    "args, words",
    [
        (["check", "{missing}"], "找不到路径"),
        (["check", "{ledgers}", "--baseline", "{missing}"], "找不到基线文件"),
        (["check", "{ledgers}", "--mapping", "{missing}"], "找不到映射文件"),
        (["inspect", "{missing}"], "找不到路径"),
        (["quality", "{missing}"], "找不到路径"),
    ],
)
def test_a_path_that_does_not_exist_is_named_in_chinese_with_exit_2(ledgers, tmp_path, args, words):
    missing = str(tmp_path / "不存在")
    argv = [a.format(missing=missing, ledgers=ledgers) for a in args] + (["--out", str(tmp_path / "o")] if args[0] == "check" else [])
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert words in result.output and "不存在" in result.output
    assert "does not exist" not in result.output


@pytest.mark.parametrize("argv, words", [
    (["check"], "缺少参数"),
    (["check", ".", "--bogus"], "没有这个选项"),
    (["no-such-command"], "没有这个命令"),
    (["check", ".", "--format"], "需要一个值"),
])
def test_usage_errors_are_told_in_chinese(argv, words):
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert words in result.output and "查看用法" in result.output
    assert "Missing" not in result.output and "No such" not in result.output


def test_help_and_version_still_exit_0():
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    helped = CliRunner().invoke(main, ["check", "--help"])
    assert helped.exit_code == 0 and "退出码" in helped.output


def test_ctrl_c_exits_130_in_chinese_and_leaves_the_previous_report(ledgers, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["check", str(ledgers), "--out", str(out)]).exit_code in (0, 1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("audit_rules.pipeline.run_check", interrupted)
    result = CliRunner().invoke(main, ["check", str(ledgers), "--out", str(out)])
    assert result.exit_code == 130  # never 1, which means "findings found"
    assert "已中止" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_format_choices_come_from_the_report_writers(ledgers, tmp_path):
    from audit_rules.reports import FORMATS

    result = CliRunner().invoke(main, ["check", str(ledgers), "--out", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 2 and "、".join(FORMATS) in result.output

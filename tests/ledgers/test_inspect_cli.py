"""`audit-rules inspect`: Chinese table, --json, exit status."""

from __future__ import annotations

import json

from click.testing import CliRunner
from helpers.ledgers import KIND_SAMPLES, write_xlsx

from audit_rules.cli import main


def _run(*args):
    return CliRunner().invoke(main, ["inspect", *map(str, args)], terminal_width=200)


def test_human_output_lists_sheets_kinds_and_errors(tmp_path):
    write_xlsx(tmp_path / "甲局" / "合同.xlsx", {"合同台账": KIND_SAMPLES["contracts"]["primary"]})
    (tmp_path / "坏.xlsx").write_bytes(b"")
    result = _run(tmp_path)
    assert result.exit_code == 0, result.output
    for heading in ("文件", "工作表", "类型（中文名）", "表头行", "字段映射", "未映射列", "数据行数", "问题数"):
        assert heading in result.output
    assert "合同台账" in result.output and "contracts" in result.output
    assert "无法读取" in result.output and "坏.xlsx" in result.output and "为空" in result.output


def test_field_mapping_lists_one_field_per_line(tmp_path):
    """Piped output once showed the mapping's own line breaks as \\x0a."""
    write_xlsx(tmp_path / "p.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})
    result = _run(tmp_path)
    assert result.exit_code == 0, result.output
    assert "\\x0a" not in result.output
    assert sum("→" in line for line in result.output.splitlines()) >= 3


def test_json_output_is_the_inspect_list(tmp_path):
    write_xlsx(tmp_path / "p.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"], "杂": [["随便"]]})
    result = _run(tmp_path, "--json")
    assert result.exit_code == 0
    entries = json.loads(result.output)
    assert [(e["sheet"], e["kind"]) for e in entries] == [("付款", "payments"), ("杂", None)]
    assert entries[0]["fields"]["payee"] == "收款单位"
    assert "收款单位" in result.output  # ensure_ascii=False: Chinese kept readable


def test_exit_2_when_nothing_could_be_read(tmp_path):
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04junk")
    result = _run(tmp_path, "--json")
    assert result.exit_code == 2
    assert json.loads(result.output)[0]["kind"] is None


def test_bad_mapping_file_is_a_clear_error(tmp_path):
    write_xlsx(tmp_path / "p.xlsx", {"付款": KIND_SAMPLES["payments"]["primary"]})
    mapping = tmp_path / "m.yaml"
    mapping.write_text("sheets:\n  - kind: nope\n", encoding="utf-8")
    result = _run(tmp_path / "p.xlsx", "--mapping", mapping)
    assert result.exit_code == 2
    assert "未知的表类型" in result.output and "第 2 行" in result.output

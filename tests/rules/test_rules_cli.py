"""`audit-rules rules list / show / validate`."""

from __future__ import annotations

from click.testing import CliRunner

from audit_rules.cli import main


def invoke(*args):
    return CliRunner().invoke(main, list(args), terminal_width=400)


def test_rules_list_shows_every_rule_in_chinese():
    result = invoke("rules", "list")
    assert result.exit_code == 0, result.output
    assert "meal-reception-per-head" in result.output
    assert "超标准用餐" in result.output and "高" in result.output and "启用" in result.output


def test_rules_list_marks_disabled_rules(tmp_path):
    child = tmp_path / "c.yaml"
    child.write_text("id: c\ntitle: 子\nextends: default\ndisable: [duplicate-payment]\n", encoding="utf-8")
    result = invoke("rules", "list", "--ruleset", str(child))
    assert result.exit_code == 0
    line = next(l for l in result.output.splitlines() if "duplicate-payment" in l)
    assert "否" in line


def test_rules_show_parameters_basis_and_examples():
    result = invoke("rules", "show", "meal-reception-per-head")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "公务接待人均用餐超标准" in out
    assert "meal_per_head_limit = 150 元/人" in out and "请按本单位/本地标准核定" in out
    assert "示例（应检出）" in out and "人均200元" in out
    assert "per_head:" in out


def test_rules_show_unknown_rule_exits_2():
    result = invoke("rules", "show", "no-such-rule")
    assert result.exit_code == 2
    assert "没有规则 no-such-rule" in result.output


def test_rules_validate_ok_and_errors(tmp_path):
    from audit_rules.rules.loader import builtin_dir

    result = invoke("rules", "validate", str(builtin_dir() / "default.yaml"))
    assert result.exit_code == 0 and result.output.startswith("规则集有效：")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: b\ntitle: b\nrules:\n  - id: r\n    title: r\n    category: custom\n    severity: urgent\n"
        "    type: match\n    table: payments\n    where: [{field: summary, op: is_null}]\n    message: x\n",
        encoding="utf-8",
    )
    result = invoke("rules", "validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad} 第 7 行，规则 r 的字段 severity：取值必须是 high/medium/low 之一，实际为 \"urgent\"" in result.output
    assert "规则集无效：1 处错误" in result.output

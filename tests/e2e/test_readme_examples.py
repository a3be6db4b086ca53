"""The examples users copy from the README must work as printed."""

from __future__ import annotations

import re

from helpers.paths import ROOT

from audit_rules.ledgers.mapping import load_mapping
from audit_rules.rules import load_ruleset, validate_ruleset_file

README = ROOT / "README.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_local_ruleset_example_validates_and_overrides_the_default(tmp_path):
    (block,) = [b for b in _yaml_blocks() if "extends: default" in b]
    path = tmp_path / "my.yaml"
    path.write_text(block, encoding="utf-8")
    assert validate_ruleset_file(path) == []
    ruleset = load_ruleset(path)
    assert ruleset.parameters["meal_per_head_limit"].value == 120
    assert ruleset.parameters["meal_per_head_limit"].verified is True
    assert ruleset.rule("reception-same-city").enabled is False
    assert ruleset.rule("cash-over-1000").enabled is True


def test_the_mapping_example_loads(tmp_path):
    (block,) = [b for b in _yaml_blocks() if block_is_mapping(b)]
    path = tmp_path / "map.yaml"
    path.write_text(block, encoding="utf-8")
    rule = load_mapping(path).for_sheet("长沙/付款明细.xlsx", "Sheet1")
    assert rule is not None and rule.kind == "payments" and rule.columns["对方户名"] == "payee"


def block_is_mapping(block: str) -> bool:
    return block.lstrip().startswith("sheets:")


def test_the_readme_gives_the_windows_and_the_offline_routes():
    text = README.read_text(encoding="utf-8")
    assert "py -m venv .venv" in text and r".venv\Scripts\audit-rules" in text
    assert "pip wheel --wheel-dir wheelhouse" in text
    assert "pip install --no-index --find-links wheelhouse audit-rules" in text

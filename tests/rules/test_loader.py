"""Ruleset loading: errors naming file, line and field; extends, overrides, disable, --set; the
shipped default ruleset."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from audit_rules.findings import CATEGORY_TITLES
from audit_rules.rules.loader import load_ruleset, validate_ruleset_file
from audit_rules.rules.model import RulesetError

RULE = """\
id: t
title: 测试
version: "1"
parameters:
  limit_a: {value: 100, type: number, unit: 元, basis: 测试, verified: true}
rules:
  - id: r1
    title: 规则一
    category: meal_over_standard
    severity: medium
    basis: 测试依据
    type: limit
    table: receptions
    value: amount
    limit_param: limit_a
    message: "金额{value:.2f}元超过{limit:.2f}元"
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(tmp_path, text: str, name: str = "my.yaml") -> list[str]:
    return validate_ruleset_file(write(tmp_path, name, text))


def test_valid_file_loads(tmp_path):
    assert errors_of(tmp_path, RULE) == []
    ruleset = load_ruleset(tmp_path / "my.yaml")
    assert [r.id for r in ruleset.rules] == ["r1"]
    assert len(ruleset.sha256) == 64


def test_bad_severity_names_file_line_field_and_value(tmp_path):
    errors = errors_of(tmp_path, RULE.replace("severity: medium", "severity: urgent"))
    assert errors == [
        f"{tmp_path / 'my.yaml'} 第 10 行，规则 r1 的字段 severity：取值必须是 high/medium/low 之一，实际为 \"urgent\""
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        ("category: meal_over_standard", "category: lunch", 9, "category", "实际为 \"lunch\""),
        ("type: limit", "type: limits", 12, "type", "未知的规则类型 \"limits\""),
        ("    limit_param: limit_a\n", "    limit_param: limit_a\n    colour: red\n", 16, "colour", "规则类型 limit 没有此字段"),
        ("    message: \"金额{value:.2f}元超过{limit:.2f}元\"\n", "", 7, None, "message"),
        ("金额{value:.2f}", "金额{price:.2f}", 16, "message", "{price}"),
        ("limit_param: limit_a", "limit_param: limit_b", 7, None, "不存在的参数 limit_b"),
        ("value: amount", "value: price", 14, "value", "没有字段 \"price\""),
        ("table: receptions", "table: receipts", 13, "table", "未知的表类型 \"receipts\""),
    ],
)
def test_rule_errors_name_line_and_field(tmp_path, old, new, line, field, words):
    assert old in RULE
    errors = errors_of(tmp_path, RULE.replace(old, new))
    assert len(errors) >= 1, errors
    text = errors[0]
    assert text.startswith(f"{tmp_path / 'my.yaml'} 第 {line} 行，规则 r1"), text
    if field:
        assert f"的字段 {field}：" in text
    assert words in "\n".join(errors)


def test_missing_id_is_reported(tmp_path):
    errors = errors_of(tmp_path, RULE.replace("  - id: r1\n    title", "  - title"))
    assert any("字段 id：缺少必填字段" in e for e in errors), errors


def test_duplicate_rule_ids(tmp_path):
    second = RULE.split("rules:\n")[1]
    errors = errors_of(tmp_path, RULE + second)
    assert len(errors) == 1
    assert "第 17 行，规则 r1 的字段 id：规则 id 重复（第 7 行已定义）" in errors[0]


def test_yaml_syntax_error_has_the_line(tmp_path):
    errors = errors_of(tmp_path, RULE.replace("    table: receptions", "    table: [receptions"))
    assert len(errors) == 1 and "YAML 语法错误" in errors[0] and "第 1" in errors[0]


def test_parameter_value_of_wrong_type(tmp_path):
    errors = errors_of(tmp_path, RULE.replace("value: 100, type: number", "value: 一百, type: number"))
    assert errors[0].startswith(f"{tmp_path / 'my.yaml'} 第 5 行，参数 limit_a 的字段 value：应为数字")


def test_unknown_top_level_key(tmp_path):
    errors = errors_of(tmp_path, RULE + "colour: red\n")
    assert any("第 17 行，字段 colour：未知字段" in e for e in errors), errors


def test_extends_override_disable_replace_and_add(tmp_path):
    write(tmp_path, "base.yaml", RULE)
    child = """\
    id: child
    title: 子规则集
    extends: base.yaml
    disable: []
    parameters:
      limit_a: 200
      new_words: {value: [礼品], type: list, verified: true}
    rules:
      - id: r1
        title: 规则一（本单位）
        category: meal_over_standard
        severity: high
        type: limit
        table: receptions
        value: amount
        limit_param: limit_a
        message: "超过{limit:.0f}元"
      - id: r2
        title: 礼品
        category: prohibited_expense
        severity: high
        type: match
        table: payments
        where: [{field: summary, op: contains_any, param: new_words}]
        message: "{matched}"
    """
    ruleset = load_ruleset(write(tmp_path, "child.yaml", child))
    assert [r.id for r in ruleset.rules] == ["r1", "r2"]
    assert ruleset.rule("r1").severity == "high"  # replaced by the child's version
    param = ruleset.parameters["limit_a"]
    assert param.value == 200 and param.unit == "元" and param.verified  # metadata kept from parent
    assert ruleset.version == "1"


def test_disable_parent_rule_and_unknown_disable(tmp_path):
    write(tmp_path, "base.yaml", RULE)
    ruleset = load_ruleset(write(tmp_path, "c.yaml", "id: c\ntitle: c\nextends: base.yaml\ndisable: [r1]\n"))
    assert [r.enabled for r in ruleset.rules] == [False]
    assert ruleset.enabled_rules == []
    errors = errors_of(tmp_path, "id: c\ntitle: c\nextends: base.yaml\ndisable: [r9]\n", "d.yaml")
    assert errors == [f"{tmp_path / 'd.yaml'} 第 4 行，字段 disable：父规则集中没有规则 r9"]


def test_extends_cycle_and_missing_parent(tmp_path):
    write(tmp_path, "a.yaml", "id: a\ntitle: a\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "id: b\ntitle: b\nextends: a.yaml\n")
    errors = validate_ruleset_file(tmp_path / "a.yaml")
    assert len(errors) == 1 and "循环继承" in errors[0] and "第 3 行，字段 extends" in errors[0]
    errors = errors_of(tmp_path, "id: x\ntitle: x\nextends: nowhere.yaml\n", "x.yaml")
    assert errors[0].startswith(f"{tmp_path / 'x.yaml'} 第 3 行，字段 extends：找不到父规则集 \"nowhere.yaml\"")


def test_child_of_builtin_default_by_name(tmp_path):
    ruleset = load_ruleset(write(tmp_path, "mine.yaml", "id: mine\ntitle: 本单位\nextends: default\nparameters:\n  local_city: 株洲\n"))
    default = load_ruleset(None)
    assert [r.id for r in ruleset.rules] == [r.id for r in default.rules]
    assert ruleset.parameters["local_city"].value == "株洲"
    assert ruleset.sha256 != default.sha256


def test_set_overrides_parsed_per_type_and_change_sha():
    default = load_ruleset(None)
    changed = load_ruleset(
        None,
        {
            "meal_per_head_limit": "120.5",
            "asset_booking_days": "45",
            "prohibited_keywords": "礼品，烟酒、红包",
            "price_limits": "复印机:40000,碎纸机：800",
            "local_city": "株洲",
        },
    )
    p = changed.parameters
    assert p["meal_per_head_limit"].value == 120.5
    assert p["asset_booking_days"].value == 45
    assert p["prohibited_keywords"].value == ["礼品", "烟酒", "红包"]
    assert p["price_limits"].value["复印机"] == 40000 and p["price_limits"].value["碎纸机"] == 800
    assert p["price_limits"].value["台式计算机"] == 5000  # other entries kept
    assert p["local_city"].value == "株洲"
    assert changed.sha256 != default.sha256
    assert load_ruleset(None).sha256 == default.sha256  # deterministic


def test_set_unknown_or_bad_value_is_a_clear_error():
    with pytest.raises(RulesetError, match="没有参数 meal_limit"):
        load_ruleset(None, {"meal_limit": "1"})
    with pytest.raises(RulesetError, match="--set asset_booking_days：应为整数"):
        load_ruleset(None, {"asset_booking_days": "三十"})


def test_missing_file_is_a_ruleset_error(tmp_path):
    with pytest.raises(RulesetError, match="找不到规则集文件"):
        load_ruleset(tmp_path / "none.yaml")


# ---- the shipped default ruleset ------------------------------------------------------------


def test_default_ruleset_validates_and_documents_every_rule():
    ruleset = load_ruleset(None)
    assert ruleset.id == "default"
    assert len(ruleset.rules) >= 13
    for rule in ruleset.rules:
        assert rule.basis and rule.message and rule.title and rule.description, rule.id
        assert rule.examples.flags and rule.examples.passes, rule.id
        assert rule.category in CATEGORY_TITLES
        for name in rule.parameters_used():
            assert name in ruleset.parameters


def test_default_parameters_match_the_documented_table():
    p = load_ruleset(None).parameters
    expected = {
        "meal_per_head_limit": (150, False),
        "overtime_meal_per_head_limit": (30, False),
        "local_city": ("长沙", False),
        "prepay_ratio_limit": (0.3, False),
        "asset_booking_days": (30, False),
        "major_amount_threshold": (100000, False),
        "publicity_min_working_days": (5, True),
        "review_fee_keywords": (["评审费", "劳务费", "专家咨询费"], True),
        "active_status": (["在职", "在岗", "在编"], True),
        "departed_statuses": (["调离", "调出", "退休", "离职", "辞职"], True),
        "excluded_fund_purposes": (["慰问", "误餐", "福利", "奖金", "过节"], True),
        "prohibited_keywords": (["购物卡", "礼品", "礼金", "奖金", "过节费", "加油卡", "商场卡", "烟酒"], True),
        "designated_classes": (["30202 印刷费", "30231 公务用车运行维护费"], True),
    }
    for name, (value, verified) in expected.items():
        assert (p[name].value, p[name].verified) == (value, verified), name
        assert p[name].basis and p[name].description
    assert p["price_limits"].value == {
        "台式计算机": 5000, "便携式计算机": 7000, "A4黑白打印机": 1200, "复印机": 35000, "多功能一体机": 3000, "传真机": 3000,
    }


def test_my_rules_of_the_default_ruleset_are_present_with_their_types():
    rules = {r.id: r for r in load_ruleset(None).rules}
    expected = {
        "meal-reception-per-head": "limit", "meal-overtime-per-head": "limit", "reception-same-city": "match",
        "overtime-headcount-mismatch": "mismatch", "duplicate-payment": "duplicate",
        "payment-over-contract": "aggregate_exceeds", "contract-missing-elements": "required",
        "contract-prepay-ratio": "limit", "asset-unit-price-over-limit": "limit",
        "payee-invoice-mismatch": "mismatch", "prohibited-expense": "match",
        "meeting-record-incomplete": "required", "meeting-attendance-mismatch": "compare",
    }
    assert {k: rules[k].type for k in expected} == expected


def test_default_yaml_is_plain_yaml_with_the_marker_for_the_other_rules():
    from audit_rules.rules.loader import builtin_dir

    text = (builtin_dir() / "default.yaml").read_text(encoding="utf-8")
    assert "# ---- rules of date_order / lookup / purpose / same_person / periodic types below" in text
    assert yaml.safe_load(text)["id"] == "default"


def test_extends_only_names_a_builtin_or_a_yaml_file_and_never_quotes_other_files(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", encoding="utf-8")
    errors = errors_of(tmp_path, f"id: x\ntitle: x\nextends: {secret}\n", "x.yaml")
    assert len(errors) == 1 and "只能写内置规则集名" in errors[0] and "19000" not in errors[0]
    disguised = tmp_path / "shadow.yaml"
    disguised.write_text(secret.read_text(encoding="utf-8"), encoding="utf-8")
    errors = errors_of(tmp_path, "id: x\ntitle: x\nextends: shadow.yaml\n", "y.yaml")
    assert len(errors) == 1 and "不是规则集文件" in errors[0]
    assert "19000" not in errors[0] and "daemon" not in errors[0]
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    errors = errors_of(tmp_path, "id: x\ntitle: x\nextends: binary.yaml\n", "z.yaml")
    assert len(errors) == 1 and "不是规则集文件" in errors[0]


def test_a_file_that_is_no_ruleset_is_named_and_never_quoted(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$s3cretHash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(secret)
    text = "\n".join(caught.value.errors)
    assert "不是规则集文件" in text and "s3cretHash" not in text and "daemon" not in text

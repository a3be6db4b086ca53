"""Message templates: plain variables with simple format specs, nothing that reaches live objects."""

from __future__ import annotations

import os
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_rules.rules.loader import load_ruleset
from audit_rules.rules.model import RulesetError
from audit_rules.rules.template import TemplateError, render, template_fields

LEAKS = [
    "{amount.__class__.__mro__}",
    "{v.__class__.__format__.__globals__[pd].io.common.os.environ}",
    "{amount.real}",
    "{units[0]}",
    "{amount!r}",
    "{amount!s:>10}",
    "{}",
    "{0}",
    "{amount:{limit}}",
    "{amount:>999999999}",
    "{amount:.999f}",
    "{amount:#x}",
    "{amount",
    "amount}",
]


@pytest.mark.parametrize("template", LEAKS)
def test_templates_that_reach_objects_or_blow_up_are_refused(template):
    with pytest.raises(TemplateError):
        template_fields(template)


@pytest.mark.parametrize("template", LEAKS)
def test_rendering_refuses_them_too_even_past_validation(template):
    with pytest.raises(TemplateError):
        render(template, {"amount": 1.5, "limit": 3, "units": ["a"], "v": 1.0})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("金额{amount:.2f}元", "金额1234.50元"),
        ("金额{amount:,.2f}元", "金额1,234.50元"),
        ("比例{ratio:.0%}", "比例25%"),
        ("[{name:>6}]", "[    张三]"),
        ("{name}{missing}！", "张三（未填写）！"),
        ("花括号{{字面}}", "花括号{字面}"),
    ],
)
def test_plain_fields_and_simple_specs_render(template, expected):
    assert render(template, {"amount": 1234.5, "ratio": 0.25, "name": "张三", "missing": None}) == expected


def test_a_blank_value_is_named_whatever_its_spec_never_an_empty_slot():
    assert render("超付{excess:,.2f}元", {"excess": None}) == "超付（未填写）元"
    assert render("会议记录“{name}”缺少：会议名称", {"name": None}) == "会议记录“（未填写）”缺少：会议名称"


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True))
def test_any_plain_variable_name_is_accepted(name):
    assert template_fields("{" + name + ":.2f}") == [name]


def _ruleset(tmp_path, message: str):
    path = tmp_path / "r.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            id: t
            title: 测试
            version: "1"
            rules:
              - id: cash
                title: 现金
                category: custom
                severity: low
                basis: 测试
                type: sql
                query: "SELECT _file, _sheet, _row, _unit AS unit, amount FROM payments"
                message: '{message}'
            """
        ),
        encoding="utf-8",
    )
    return path


def test_the_loader_refuses_an_attribute_template_of_a_sql_rule_with_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_RULES_TEST_SECRET", "s3cret")
    path = _ruleset(tmp_path, "{amount.__class__.__format__.__globals__[pd].io.common.os.environ}")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    text = "\n".join(caught.value.errors)
    assert "第 12 行" in text and "只能写变量名" in text
    assert "s3cret" not in text and os.environ["PATH"] not in text


def test_the_loader_refuses_a_huge_width(tmp_path):
    with pytest.raises(RulesetError) as caught:
        load_ruleset(_ruleset(tmp_path, "{amount:>999999999}"))
    assert "宽度" in "\n".join(caught.value.errors)


def test_the_loader_accepts_thousands_separators(tmp_path):
    assert load_ruleset(_ruleset(tmp_path, "金额{amount:,.2f}元")).rules[0].message == "金额{amount:,.2f}元"

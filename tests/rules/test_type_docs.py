"""Every rule type documents itself in one format on its class (modelled on sqlfluff's rule
classes): **Flags**, **Must not flag**, **Example**, **Variables** sections, a Chinese `title`,
and an Example that is a complete rule which loads as a rule of that type."""

from __future__ import annotations

import inspect
import textwrap

import pytest
import yaml
from helpers.rules import ruleset_yaml_for

from audit_rules.rules.loader import load_ruleset_text
from audit_rules.rules.types.base import RuleType, rule_types

SECTIONS = ("**Flags**", "**Must not flag**", "**Example**::", "**Variables**")
EXAMPLE_MARK = "**Example**::"
TYPES = sorted(rule_types().items())


def example_yaml(doc: str) -> str:
    """The literal block after `**Example**::`, dedented: the lines up to the next paragraph
    that starts at the docstring's own indentation."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == EXAMPLE_MARK) + 1
    block: list[str] = []
    for line in lines[start:]:
        if line.strip() and not line[0].isspace():
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip("\n") + "\n"


def class_doc(cls: type[RuleType]) -> str:
    # The class's own docstring, never one inherited from RuleType.
    return inspect.cleandoc(cls.__dict__.get("__doc__") or "")


def test_every_type_module_is_documented():
    assert len(TYPES) >= 13
    assert {name for name, _ in TYPES} >= {
        "aggregate_exceeds", "compare", "date_order", "duplicate", "limit", "lookup", "match",
        "mismatch", "periodic", "purpose", "required", "same_person", "sql",
    }


@pytest.mark.parametrize("type_name, cls", TYPES, ids=[name for name, _ in TYPES])
def test_type_class_docstring_has_sections_title_and_loading_example(type_name, cls):
    doc = class_doc(cls)
    assert doc, f"{cls.__name__} has no class docstring"
    summary = doc.splitlines()[0]
    assert summary.strip() and not summary.startswith("**"), "the docstring starts with a one-line summary"
    for section in SECTIONS:
        assert doc.count(section) == 1, f"{cls.__name__} docstring: section {section} missing or repeated"
    positions = [doc.index(s) for s in SECTIONS]
    assert positions == sorted(positions), f"{cls.__name__} docstring: sections out of order"

    assert isinstance(cls.title, str) and cls.title.strip(), f"{cls.__name__} has no Chinese title"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in cls.title), f"{cls.__name__}.title is not Chinese"
    # A class attribute, not a rule field: it must not reach the YAML schema or the ruleset hash.
    assert "title" not in cls.model_fields

    text = example_yaml(doc)
    data = yaml.safe_load(text)
    assert isinstance(data, list) and len(data) == 1, "the Example is one rule, as a YAML list item"
    raw = data[0]
    for key in ("id", "title", "category", "severity", "basis", "type", "message"):
        assert raw.get(key), f"{cls.__name__} Example lacks {key}"
    ruleset = load_ruleset_text(ruleset_yaml_for(text))
    rule = ruleset.rule(raw["id"])
    assert rule.enabled
    assert rule.type == type_name == cls.type_name
    assert isinstance(rule.spec, cls)

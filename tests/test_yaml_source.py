"""YAML written by people: line numbers, Chinese errors, and bounds a hostile file cannot pass."""

from __future__ import annotations

import resource
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_rules.ledgers import MappingError
from audit_rules.ledgers.mapping import load_mapping
from audit_rules.rules.loader import load_ruleset
from audit_rules.rules.model import RulesetError
from audit_rules.yaml_source import MAX_BYTES, YamlSourceError, load_with_lines

LAUGHS = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def test_lines_of_keys_and_items():
    data, lines = load_with_lines("id: x\nrules:\n  - id: a\n    title: 甲\n  - id: b\n")
    assert data == {"id": "x", "rules": [{"id": "a", "title": "甲"}, {"id": "b"}]}
    assert lines[("rules", 0, "title")] == 4 and lines[("rules", 1)] == 5


def test_anchors_and_aliases_are_refused_with_their_line():
    with pytest.raises(YamlSourceError) as caught:
        load_with_lines("x: 1\ny: &a [1]\nz: *a\n")
    assert caught.value.line == 2 and "锚点" in caught.value.message


def test_nested_aliases_are_refused_quickly_in_a_ruleset(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert "锚点" in "\n".join(caught.value.errors) and "第 1 行" in "\n".join(caught.value.errors)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no blow-up


def test_nested_aliases_are_refused_in_a_mapping(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    with pytest.raises(MappingError, match="锚点"):
        load_mapping(path)


def test_an_oversized_file_is_refused_before_parsing():
    with pytest.raises(YamlSourceError, match="文件过大"):
        load_with_lines("a: " + "x" * (MAX_BYTES + 1))


def test_a_syntax_error_names_its_line():
    with pytest.raises(YamlSourceError) as caught:
        load_with_lines("a: 1\nb: [1, 2\n")
    assert caught.value.line is not None and "YAML 语法错误" in caught.value.message


# Control characters and line separators are PyYAML's own business (it folds NEL into a space).
TYPED_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), TYPED_TEXT, max_size=6))
def test_any_plain_mapping_round_trips(mapping):
    import yaml

    data, lines = load_with_lines(yaml.safe_dump(mapping, allow_unicode=True))
    assert (data or {}) == mapping
    assert all((key,) in lines for key in mapping)


# ---- libyaml for the shipped files, the pure-Python parser for the users' ---------------------


def test_the_shipped_files_load_alike_with_either_parser():
    from importlib import resources

    import yaml

    from audit_rules import yaml_source

    assert yaml_source.FAST_LOADER is not None  # the venv's PyYAML is built with libyaml
    for package, name in (("audit_rules.rulesets", "default.yaml"), ("audit_rules.rulesets", "changsha.yaml"),
                          ("audit_rules.ledgers", "kinds.yaml"), ("audit_rules.ledgers", "chart.yaml")):
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        fast = yaml.compose(text, Loader=yaml.CSafeLoader)
        assert yaml.SafeLoader("").construct_document(fast) == yaml.safe_load(text)
        lines_fast, lines_pure = {}, {}
        yaml_source._record_lines(fast, (), lines_fast)
        yaml_source._record_lines(yaml.compose(text, Loader=yaml.SafeLoader), (), lines_pure)
        assert lines_fast == lines_pure
        assert load_with_lines(text) == (yaml.safe_load(text), lines_pure)
        assert yaml_source.safe_load(text) == yaml.safe_load(text)


def test_a_users_file_keeps_the_pure_parsers_judgement():
    # libyaml would take the tab after the value; PyYAML refuses it, as a user's ruleset always was
    with pytest.raises(YamlSourceError, match="YAML 语法错误") as caught:
        load_with_lines("id: x\ntitle: 甲\t\n")
    assert caught.value.line == 2

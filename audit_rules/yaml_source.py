"""YAML written by people (rulesets, header mappings): parsed once, with the line of every key,
Chinese syntax errors, and bounds so that a small hostile file cannot take the machine.

Anchors and aliases (&a / *a) are refused: a few hundred bytes of nested aliases expand to
billions of nodes (the "billion laughs"), and no ruleset or mapping needs them. Files larger
than MAX_BYTES are refused before parsing.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024
Path_ = tuple[str | int, ...]  # keys and list indexes from the document root


class YamlSourceError(ValueError):
    """The text cannot be used as YAML; `line` is 1-based or None, `message` is Chinese."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


# libyaml, when PyYAML was built with it, parses the shipped YAML ten times faster than the
# pure-Python parser. Only the shipped files go through it (tests hold it to the same result on
# them): on a user's file the two differ (libyaml takes a tab after a value, PyYAML refuses it),
# and a user's file keeps the judgement and the Chinese-worded errors of the pure parser.
FAST_LOADER = getattr(yaml, "CSafeLoader", None)


@lru_cache(maxsize=1)
def _shipped_rulesets() -> frozenset[str]:
    folder = resources.files("audit_rules.rulesets")
    return frozenset(entry.read_text(encoding="utf-8") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def safe_load(text: str) -> Any:
    """yaml.safe_load of a file shipped with the package, with libyaml when there is one."""
    return yaml.load(text, Loader=FAST_LOADER or yaml.SafeLoader)  # noqa: S506 - a safe loader


def compose(text: str) -> yaml.Node | None:
    """The node tree of `text` (None for an empty document). Raises YamlSourceError."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise YamlSourceError(f"文件过大（超过 {MAX_BYTES // (1024 * 1024)} MB），不像是规则集或映射文件")
    if FAST_LOADER is not None and text in _shipped_rulesets():
        return _compose(text, FAST_LOADER)
    return _compose(text, yaml.SafeLoader)


def _compose(text: str, loader) -> yaml.Node | None:
    try:
        events = list(yaml.parse(text, Loader=loader))
        alias = next((e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)), None)
        if alias is not None:
            raise YamlSourceError("不支持 YAML 锚点和别名（& 与 *），请直接写出内容", alias.start_mark.line + 1)
        return yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSourceError(f"YAML 语法错误：{problem}", mark.line + 1 if mark else None) from None


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """The plain data of `text` and, for every mapping key / list item, the line it starts on."""
    node = compose(text)
    if node is None:
        return None, {}
    data = yaml.SafeLoader("").construct_document(node)
    lines: dict[Path_, int] = {}
    _record_lines(node, (), lines)
    return data, lines


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)

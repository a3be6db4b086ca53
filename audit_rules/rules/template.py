"""Message templates of rules: what a ruleset may write between braces, and how it is filled.

Rulesets come from other units and other people, and a message ends up in every report. So a
template may only name a variable and give it a simple format spec (fill/align, sign, width up
to MAX_WIDTH, thousands separator, precision up to MAX_PRECISION, a number type): no attribute
or item access (`{v.__class__}`, `{v[0]}`), no conversion flags (`{v!r}`), no nested fields,
no huge widths. The loader refuses any other template with its line; rendering applies the same
check again, so a template that reached the engine another way cannot leak or blow up either.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from typing import Any

MAX_WIDTH = 64
MAX_PRECISION = 6

# [[fill]align][sign][width][,|_][.precision][type] — Python's format mini-language, minus
# '#', 'z', the nesting it allows and the integer-only types.
_SPEC = re.compile(
    r"(?:(?P<fill>[^{}])?(?P<align>[<>^=]))?(?P<sign>[+\- ])?(?P<width>\d+)?(?P<group>[,_])?"
    r"(?:\.(?P<precision>\d+))?(?P<type>[sdfFeEgG%n])?"
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """A message template that may not be used (message in Chinese)."""


def template_fields(template: str) -> list[str]:
    """The variable names a template uses, in order. Raises TemplateError for any placeholder
    that is not a plain variable with a simple format spec."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"消息模板格式错误：{_python_error(exc)}") from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        _check_placeholder(name, spec or "", conversion)
        names.append(name)
    return names


def render(template: str, variables: Mapping[str, Any]) -> str:
    """The template filled with `variables`; a value the ledger left blank (None) prints as
    MISSING, so a message never shows an empty slot (`接待，` or `会议记录“”`). The template is
    checked first, so one that bypassed the loader cannot reach live objects either."""
    _checked(template)
    return _MissingShown().vformat(template, (), variables)


@functools.lru_cache(maxsize=1024)
def _checked(template: str) -> None:
    template_fields(template)


def _check_placeholder(name: str, spec: str, conversion: str | None) -> None:
    shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    if not name:
        raise TemplateError(f"消息模板的占位符 {shown} 必须写变量名，如 {{limit}}")
    if not _NAME.fullmatch(name):
        raise TemplateError(f"消息模板的占位符 {shown} 只能写变量名（不能用 . [ ] 取属性或下标，也不能写数字）")
    if conversion:
        raise TemplateError(f"消息模板的占位符 {shown} 不能使用 !{conversion} 转换")
    _check_spec(shown, spec)


def _check_spec(shown: str, spec: str) -> None:
    match = _SPEC.fullmatch(spec)
    if not match or "{" in spec:
        raise TemplateError(
            f"消息模板的占位符 {shown} 的格式“{spec}”不支持（可用如 :.2f、:,.2f、:.0%、:>10）"
        )
    if match["width"] and int(match["width"]) > MAX_WIDTH:
        raise TemplateError(f"消息模板的占位符 {shown} 的宽度 {match['width']} 过大（最多 {MAX_WIDTH}）")
    if match["precision"] and int(match["precision"]) > MAX_PRECISION:
        raise TemplateError(f"消息模板的占位符 {shown} 的小数位数 {match['precision']} 过多（最多 {MAX_PRECISION}）")


def _python_error(exc: ValueError) -> str:
    text = str(exc)
    if "Single '}'" in text:
        return "有单独的 }（要显示花括号请写 }}）"
    if "Single '{'" in text or "expected '}'" in text:
        return "有未闭合的 {（要显示花括号请写 {{）"
    return text


# What a message shows for a value the ledger left blank.
MISSING = "（未填写）"


class _MissingShown(string.Formatter):
    """str.format where a None value prints as MISSING whatever its format spec."""

    def format_field(self, value, format_spec):
        return MISSING if value is None else format(value, format_spec)

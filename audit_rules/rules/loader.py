"""Load and validate ruleset YAML: line-numbered Chinese errors, `extends`, overrides, `--set`.

    load_ruleset(None)                     built-in default ruleset
    load_ruleset("default")                a built-in by name
    load_ruleset("my.yaml", {"meal_per_head_limit": "120"})   a file, with --set values
    validate_ruleset_file("my.yaml")       -> list of errors ([] when valid)

Every error names the file, the line and the field, e.g.
`default.yaml 第 42 行，规则 meal-reception-per-head 的字段 severity：取值必须是 high/medium/low 之一，实际为 "urgent"`.
"""

from __future__ import annotations

import copy
import re
from importlib import resources
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from audit_rules.rules.model import (
    PARAMETER_TYPES,
    RULE_COMMON_KEYS,
    RULESET_KEYS,
    Examples,
    Parameter,
    Rule,
    RuleHeader,
    Ruleset,
    RulesetError,
)
from audit_rules.rules.template import TemplateError, template_fields
from audit_rules.rules.types.base import rule_types
from audit_rules.yaml_source import YamlSourceError, load_with_lines

DEFAULT_RULESET = "default"
PARAMETER_KEYS = ("value", "type", "unit", "description", "basis", "verified")
LIST_SEPARATORS = r"[,，、;；]"
# Variables every message may use besides the rule type's own and the parameters.
ENGINE_VARIABLES = frozenset({"unit", "amount"})

Path_ = tuple[Any, ...]


# ---- built-in rulesets ----------------------------------------------------------------------


def builtin_dir() -> Path:
    """Directory of the built-in rulesets (package `audit_rules.rulesets`, i.e. `rulesets/`)."""
    try:
        return Path(str(resources.files("audit_rules.rulesets")))
    except ModuleNotFoundError:
        # Source checkout or an editable install whose finder does not map the package:
        # the rulesets directory sits next to the audit_rules package.
        return Path(__file__).resolve().parents[2] / "rulesets"


def builtin_rulesets() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def _is_builtin_name(source: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_-]+", source)) and (builtin_dir() / f"{source}.yaml").is_file()


def _parse_yaml(text: str, display: str) -> tuple[Any, dict[Path_, int]]:
    """The YAML data and, for every mapping key / list item, the line it starts on."""
    try:
        return load_with_lines(text)
    except YamlSourceError as exc:
        line = f"第 {exc.line} 行，" if exc.line else ""
        raise RulesetError(f"{display} {line}{exc.message}") from None


class _Source:
    """One YAML file being loaded: collects errors with file and line."""

    def __init__(self, display: str, lines: dict[Path_, int]):
        self.display = display
        self.lines = lines
        self.errors: list[str] = []

    def line(self, path: Path_) -> int:
        probe = tuple(str(p) if not isinstance(p, int) else p for p in path)
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return self.lines.get(probe, 1)

    def error(self, path: Path_, subject: str, message: str) -> None:
        self.errors.append(f"{self.display} 第 {self.line(path)} 行，{subject}：{message}")


def _field_label(loc: Path_) -> str:
    label = ""
    for part in loc:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label


def explain_validation_error(err: dict[str, Any]) -> str:
    """A pydantic error in Chinese, with the value found."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"取值必须是 {'/'.join(options)} 之一，实际为 {shown}"
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "未知字段（此处不接受该字段）"
    if kind in ("string_type",):
        return f"应为文本，实际为 {shown}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"应为整数，实际为 {shown}"
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return f"应为数字，实际为 {shown}"
    if kind in ("bool_type", "bool_parsing"):
        return f"应为 true 或 false，实际为 {shown}"
    if kind in ("list_type", "tuple_type"):
        return f"应为列表，实际为 {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为映射（键: 值），实际为 {shown}"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "too_short":
        return "不能为空列表"
    if kind == "string_pattern_mismatch":
        return f"只能由字母、数字、-、_、. 组成（以字母或数字开头），实际为 {shown}"
    if kind in ("value_error", "assertion_error"):
        message = str(err.get("msg", ""))
        return re.sub(r"^(Value error|Assertion failed), ", "", message)
    return f"{err.get('msg', '取值无效')}（实际为 {shown}）"


# ---- parameters -----------------------------------------------------------------------------


def infer_parameter_type(value: Any) -> str:
    """The type of a parameter given by its value alone (a child ruleset's new parameter)."""
    if isinstance(value, bool):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "string"


def coerce_parameter_value(value: Any, type_: str) -> Any:
    """A parameter value checked against its type (ValueError with a Chinese reason)."""
    if type_ == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"应为数字，实际为 {value!r}")
        return value
    if type_ == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValueError(f"应为整数，实际为 {value!r}")
        return value
    if type_ == "string":
        if isinstance(value, (dict, list)) or value is None:
            raise ValueError(f"应为文本，实际为 {value!r}")
        return str(value)
    if type_ == "list":
        if isinstance(value, str):
            value = [v.strip() for v in re.split(LIST_SEPARATORS, value)]
        if not isinstance(value, list) or not all(_list_item_ok(v) for v in value):
            raise ValueError(f"应为文本列表，实际为 {value!r}")
        # Items are texts, or groups of texts (e.g. pairs of incompatible posts).
        return [[str(x) for x in v] if isinstance(v, list) else str(v) for v in value if str(v).strip()]
    if type_ == "mapping":
        if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
            raise ValueError(f"应为映射（名称: 数值），实际为 {value!r}")
        return {str(k): v for k, v in value.items()}
    raise ValueError(f"参数类型必须是 {'/'.join(PARAMETER_TYPES)} 之一，实际为 {type_!r}")


def _list_item_ok(item: Any) -> bool:
    if isinstance(item, list):
        return all(x is not None and not isinstance(x, (dict, list)) for x in item)
    return item is not None and not isinstance(item, dict)


def parse_override_text(text: str, type_: str) -> Any:
    """A `--set name=value` value parsed per the parameter's type."""
    text = text.strip()
    if type_ == "number":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"应为数字，实际为 \"{text}\"") from None
        return int(number) if re.fullmatch(r"[+-]?\d+", text.replace(",", "")) else number
    if type_ == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"应为整数，实际为 \"{text}\"") from None
    if type_ == "list":
        return [v.strip() for v in re.split(LIST_SEPARATORS, text) if v.strip()]
    if type_ == "mapping":
        mapping: dict[str, Any] = {}
        for item in re.split(r"[,，;；]", text):
            if not item.strip():
                continue
            parts = re.split(r"[:：=]", item, maxsplit=1)
            if len(parts) != 2 or not parts[0].strip():
                raise ValueError(f"映射应写成 名称:数值,名称:数值，实际为 \"{text}\"")
            key, raw = parts[0].strip(), parts[1].strip()
            try:
                mapping[key] = parse_override_text(raw, "number")
            except ValueError:
                mapping[key] = raw
        return mapping
    return text


def _merge_value(old: Parameter | None, value: Any) -> Any:
    # A mapping override adds to / changes the parent's entries (e.g. one more price limit)
    # instead of dropping every entry it does not name.
    if old is not None and old.type == "mapping" and isinstance(value, dict) and isinstance(old.value, dict):
        return {**old.value, **value}
    return value


def _is_parameter_spec(raw: Any, parent: Parameter | None) -> bool:
    if not isinstance(raw, dict) or not raw:
        return False
    keys = set(raw)
    if not keys <= set(PARAMETER_KEYS):
        return False
    return "value" in keys or parent is not None


def _load_parameters(
    raw: Any, parent: dict[str, Parameter], src: _Source
) -> dict[str, Parameter]:
    params = {name: p.model_copy(deep=True) for name, p in parent.items()}
    if raw is None:
        return params
    if not isinstance(raw, dict):
        src.error(("parameters",), "字段 parameters", "应为映射（参数名: 定义）")
        return params
    for name, spec in raw.items():
        name = str(name)
        where = ("parameters", name)
        subject = f"参数 {name}"
        old = params.get(name)
        if _is_parameter_spec(spec, old):
            fields = dict(spec)
        else:
            fields = {"value": spec}
        if old is None and "value" not in fields:
            src.error(where, subject, "新参数必须给出 value")
            continue
        merged = old.model_dump() if old is not None else {"name": name}
        merged.update(fields)
        merged["name"] = name
        if "type" not in merged:
            merged["type"] = infer_parameter_type(merged["value"])
        if old is not None and "type" in fields and fields["type"] != old.type:
            src.error((*where, "type"), f"{subject} 的字段 type", f"不能改变父规则集中参数的类型（{old.type}）")
            continue
        try:
            merged["value"] = coerce_parameter_value(_merge_value(old, merged["value"]), merged["type"])
        except ValueError as exc:
            src.error((*where, "value"), f"{subject} 的字段 value", str(exc))
            continue
        try:
            params[name] = Parameter.model_validate(merged)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                src.error((*where, *loc), f"{subject} 的字段 {_field_label(loc)}", explain_validation_error(err))
    return params


def apply_overrides(ruleset: Ruleset, overrides: dict[str, Any], verified: Iterable[str] = ()) -> Ruleset:
    """Parameter values from `--set name=value` (text parsed per type) or Python values.

    Names in `verified` (`--verified name`) are marked verified: the user vouches that the
    value in force (their --set value, or the ruleset's) is their unit's own standard."""
    errors: list[str] = []
    params = {name: p.model_copy(deep=True) for name, p in ruleset.parameters.items()}
    for name in dict.fromkeys(verified):
        if name not in params:
            known = "、".join(sorted(params))
            errors.append(f"--verified {name}：规则集 {ruleset.id} 没有参数 {name}（已有参数：{known}）")
        else:
            params[name] = params[name].model_copy(update={"verified": True})
    for name, raw in overrides.items():
        if name not in params:
            known = "、".join(sorted(params))
            errors.append(f"--set {name}：规则集 {ruleset.id} 没有参数 {name}（已有参数：{known}）")
            continue
        param = params[name]
        try:
            value = parse_override_text(raw, param.type) if isinstance(raw, str) else raw
            value = coerce_parameter_value(_merge_value(param, value), param.type)
        except ValueError as exc:
            errors.append(f"--set {name}：{exc}")
            continue
        params[name] = param.model_copy(update={"value": value})
    if errors:
        raise RulesetError(errors)
    _check_rule_parameters(ruleset.rules, params, errors)
    if errors:
        raise RulesetError(errors)
    return Ruleset(
        id=ruleset.id,
        title=ruleset.title,
        version=ruleset.version,
        parameters=params,
        rules=ruleset.rules,
        description=ruleset.description,
        source=ruleset.source,
    )


def _check_rule_parameters(rules: list[Rule], params: dict[str, Parameter], errors: list[str]) -> None:
    for rule in rules:
        expected = rule.spec.parameter_types()
        for name, types in expected.items():
            if name in params and params[name].type not in types:
                errors.append(
                    f"{rule.source}，规则 {rule.id}：参数 {name} 的类型应为 {'/'.join(types)}，实际为 {params[name].type}"
                )
        values = {name: p.value for name, p in params.items()}
        for problem in rule.spec.check_parameter_values(values):
            errors.append(f"{rule.source}，规则 {rule.id}：{problem}")


# ---- rules ----------------------------------------------------------------------------------


def _load_rule(raw: Any, index: int, params: dict[str, Parameter], src: _Source) -> Rule | None:
    where: Path_ = ("rules", index)
    if not isinstance(raw, dict):
        src.error(where, f"规则 #{index + 1}", "应为映射（字段: 值）")
        return None
    rule_id = str(raw.get("id") or f"#{index + 1}")
    subject = f"规则 {rule_id}"
    header_raw = {k: v for k, v in raw.items() if k in RULE_COMMON_KEYS}
    own_raw = {k: v for k, v in raw.items() if k not in RULE_COMMON_KEYS}
    before = len(src.errors)
    header: RuleHeader | None = None
    try:
        header = RuleHeader.model_validate(header_raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            src.error((*where, *loc), f"{subject} 的字段 {_field_label(loc)}", explain_validation_error(err))
    type_name = raw.get("type")
    types = rule_types()
    type_cls = types.get(type_name) if isinstance(type_name, str) else None
    if type_cls is None:
        if type_name is not None and not any("字段 type" in e for e in src.errors[before:]):
            src.error(
                (*where, "type"),
                f"{subject} 的字段 type",
                f"未知的规则类型 \"{type_name}\"（可用：{'/'.join(sorted(types))}）",
            )
        return None
    try:
        spec = type_cls.model_validate(own_raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = explain_validation_error(err)
            if err.get("type") == "extra_forbidden":
                message = f"规则类型 {type_name} 没有此字段"
            label = f"{subject} 的字段 {_field_label(loc)}" if loc else f"{subject}（类型 {type_name}）"
            src.error((*where, *loc), label, message)
        return None
    for name in spec.parameters_used():
        if name not in params:
            src.error(where, subject, f"引用了不存在的参数 {name}（请在 parameters 中定义）")
    for name, accepted in spec.parameter_types().items():
        if name in params and params[name].type not in accepted:
            src.error(
                where, subject, f"参数 {name} 的类型应为 {'/'.join(accepted)}，实际为 {params[name].type}"
            )
    if header is None:
        return None
    try:
        names = template_fields(header.message)
    except TemplateError as exc:
        src.error((*where, "message"), f"{subject} 的字段 message", str(exc))
        names = []
    produced = spec.output_variables()
    if produced is not None:
        allowed = produced | set(params) | ENGINE_VARIABLES
        for name in names:
            if name not in allowed:
                src.error(
                    (*where, "message"),
                    f"{subject} 的字段 message",
                    f"消息模板使用了规则不产生的变量 {{{name}}}（可用：{'、'.join(sorted(produced | ENGINE_VARIABLES))}，以及各参数名）",
                )
    if len(src.errors) > before:
        return None
    return Rule(
        id=header.id,
        title=header.title,
        category=header.category,
        severity=header.severity,
        basis=header.basis,
        type=header.type,
        message=header.message,
        description=header.description,
        examples=header.examples if isinstance(header.examples, Examples) else Examples(),
        enabled=header.enabled,
        spec=spec,
        source=f"{src.display} 第 {src.line(where)} 行",
    )


# ---- rulesets -------------------------------------------------------------------------------


RULESET_SUFFIXES = (".yaml", ".yml")


class _NotARuleset(Exception):
    """`extends` names something that may not be read as a ruleset (Chinese message)."""


def _resolve_parent(extends: str, base_dir: Path | None) -> tuple[str, Path]:
    """(display name, file) of a parent ruleset: a built-in name or a .yaml/.yml path relative to the child.

    Anything else (/etc/shadow, a ledger, a device) is never opened.
    """
    if _is_builtin_name(extends):
        candidate = (base_dir / extends) if base_dir is not None else Path(extends)
        if not candidate.is_file():
            return f"{extends}.yaml", (builtin_dir() / f"{extends}.yaml").resolve()
    if Path(extends).suffix.lower() not in RULESET_SUFFIXES:
        raise _NotARuleset(
            f"extends 只能写内置规则集名（{'、'.join(builtin_rulesets())}）或 .yaml/.yml 规则集文件，不能是“{extends}”"
        )
    candidate = (base_dir / extends) if base_dir is not None else Path(extends)
    if candidate.is_file():
        return str(extends), candidate.resolve()
    raise FileNotFoundError(extends)


def _parent_ruleset(path: Path, display: str, chain: tuple[str, ...]) -> Ruleset:
    """The parent's ruleset. A parent that is no ruleset at all (not YAML, not a mapping with an
    id and a title) is reported by name only: its errors would quote its content, and `extends`
    may point at any file. A ruleset with mistakes reports them as usual, with its name and lines."""
    not_a_ruleset = _NotARuleset(f"父规则集“{display}”不是规则集文件（应为含 id、title 的 YAML 映射），未使用其内容")
    try:
        text = path.read_text(encoding="utf-8")
        data, _lines = _parse_yaml(text, display)
    except (OSError, UnicodeDecodeError, RulesetError):
        raise not_a_ruleset from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
        raise not_a_ruleset
    return _build_ruleset(text, display, path.parent, chain)


def _build_ruleset(
    text: str, display: str, base_dir: Path | None, chain: tuple[str, ...]
) -> Ruleset:
    data, lines = _parse_yaml(text, display)
    src = _Source(display, lines)
    if not isinstance(data, dict):
        raise RulesetError(f"{display} 第 1 行：规则集应为映射（id、title、rules……）")
    if not any(key in RULESET_KEYS for key in data):
        # Not a ruleset at all (a file named by mistake, or on purpose): never quote its content.
        raise RulesetError(f"{display} 不是规则集文件：没有 id、title、rules 等字段")
    for key in data:
        if key not in RULESET_KEYS:
            src.error((str(key),), f"字段 {key}", f"未知字段（可用：{'、'.join(RULESET_KEYS)}）")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data.get(key):
            src.error((key,) if key in data else (), f"字段 {key}", "缺少或不是文本")

    parent: Ruleset | None = None
    extends = data.get("extends")
    if extends is not None:
        try:
            parent_display, parent_path = _resolve_parent(str(extends), base_dir)
        except FileNotFoundError:
            src.error(("extends",), "字段 extends", f"找不到父规则集 \"{extends}\"（内置：{'、'.join(builtin_rulesets())}，或相对本文件的路径）")
        except _NotARuleset as exc:
            src.error(("extends",), "字段 extends", str(exc))
        else:
            key = str(parent_path)
            if key in chain:
                src.error(("extends",), "字段 extends", f"规则集循环继承：{' → '.join([*chain, key])}")
            else:
                try:
                    parent = _parent_ruleset(parent_path, parent_display, (*chain, key))
                except _NotARuleset as exc:
                    src.error(("extends",), "字段 extends", str(exc))

    params = _load_parameters(data.get("parameters"), parent.parameters if parent else {}, src)

    parent_rules = [copy.copy(r) for r in parent.rules] if parent else []
    disable = data.get("disable") or []
    if not isinstance(disable, list):
        src.error(("disable",), "字段 disable", "应为规则 id 列表")
        disable = []
    parent_ids = {r.id for r in parent_rules}
    for i, rule_id in enumerate(disable):
        if str(rule_id) not in parent_ids:
            src.error(("disable", i), "字段 disable", f"父规则集中没有规则 {rule_id}")
    for rule in parent_rules:
        if rule.id in {str(d) for d in disable}:
            rule.enabled = False

    raw_rules = data.get("rules")
    if raw_rules is None:
        raw_rules = []
    if not isinstance(raw_rules, list):
        src.error(("rules",), "字段 rules", "应为规则列表")
        raw_rules = []
    own: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            if raw["id"] in seen:
                src.error(
                    ("rules", index, "id"),
                    f"规则 {raw['id']} 的字段 id",
                    f"规则 id 重复（第 {src.line(('rules', seen[raw['id']]))} 行已定义）",
                )
                continue
            seen[raw["id"]] = index
        rule = _load_rule(raw, index, params, src)
        if rule is not None:
            own.append(rule)
    # Parent rules keep their checks against the parameters now in force (a child may change types).
    errors_params: list[str] = []
    _check_rule_parameters(parent_rules, params, errors_params)
    src.errors.extend(errors_params)
    if src.errors:
        raise RulesetError(src.errors)

    rules = list(parent_rules)
    positions = {r.id: i for i, r in enumerate(rules)}
    for rule in own:
        if rule.id in positions:
            rules[positions[rule.id]] = rule  # same id: the child's version replaces the parent's
        else:
            rules.append(rule)
    return Ruleset(
        id=str(data["id"]),
        title=str(data["title"]),
        version=str(data.get("version") or (parent.version if parent else "")),
        description=str(data.get("description") or ""),
        parameters=params,
        rules=rules,
        source=display,
    )


def load_ruleset_text(
    text: str,
    overrides: dict[str, Any] | None = None,
    base_dir: str | Path | None = None,
    display: str = "<规则集文本>",
) -> Ruleset:
    """A ruleset from YAML text (`extends` paths relative to base_dir, else the working directory)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    ruleset = _build_ruleset(text, display, base, (display,))
    return apply_overrides(ruleset, overrides) if overrides else ruleset


def load_ruleset(
    source: str | Path | None = None, overrides: dict[str, Any] | None = None, verified: Iterable[str] = ()
) -> Ruleset:
    """A resolved ruleset: None → built-in default; a bare name → built-in; else a file path.

    `overrides` are `--set` values: name -> text parsed per the parameter's type (or a Python
    value of that type); `verified` names parameters the user marks verified (`--verified`).
    Raises RulesetError (Chinese, naming file, line and field)."""
    if source is None:
        source = DEFAULT_RULESET
    source_text = str(source)
    path = Path(source_text)
    if not isinstance(source, Path) and not path.is_file() and _is_builtin_name(source_text):
        path = builtin_dir() / f"{source_text}.yaml"
        display = path.name
    else:
        display = source_text
    if not path.is_file():
        raise RulesetError(f"找不到规则集文件：{source_text}（内置规则集：{'、'.join(builtin_rulesets())}）")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(f"{display}：无法读取规则集文件（{exc}）") from None
    ruleset = _build_ruleset(text, display, path.resolve().parent, (str(path.resolve()),))
    verified = tuple(verified)
    return apply_overrides(ruleset, overrides or {}, verified) if overrides or verified else ruleset


def validate_ruleset_file(path: str | Path) -> list[str]:
    """Every error of a ruleset file (file, line, field named); [] when it is valid."""
    try:
        load_ruleset(Path(path))
    except RulesetError as exc:
        return exc.errors
    return []

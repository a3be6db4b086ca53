"""The ruleset model: parameters and rules, resolved (parent merged, overrides applied).

A `Ruleset` is what the loader returns and the engine runs. Its rules carry their type's own
fields as a validated `RuleType` instance (`rule.spec`), so compiling a rule is `rule.spec.compile`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from audit_rules.findings import CATEGORY_TITLES, SEVERITY_TITLES
from audit_rules.rules.types.base import RuleType

PARAMETER_TYPES = ("number", "integer", "string", "list", "mapping")
SEVERITIES = tuple(SEVERITY_TITLES)
CATEGORIES = tuple(CATEGORY_TITLES)

# Keys every rule has whatever its type; the remaining keys of a rule are its type's fields.
RULE_COMMON_KEYS = (
    "id",
    "title",
    "category",
    "severity",
    "basis",
    "type",
    "message",
    "description",
    "examples",
    "enabled",
)
RULESET_KEYS = ("id", "title", "version", "description", "extends", "disable", "parameters", "rules")


class RulesetError(Exception):
    """A ruleset that cannot be used. `errors` are Chinese messages naming file, line and field."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


class Parameter(BaseModel):
    """A named value rules read (a limit, a keyword list…), with where it comes from."""

    model_config = ConfigDict(extra="forbid")

    name: str
    value: Any
    type: Literal["number", "integer", "string", "list", "mapping"]
    unit: str = ""
    description: str = ""
    basis: str = ""
    # False: the value is a placeholder default; findings using it say "请按本单位/本地标准核定".
    verified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "type": self.type,
            "unit": self.unit,
            "description": self.description,
            "basis": self.basis,
            "verified": self.verified,
        }


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flags: list[str] = Field(default_factory=list)
    passes: list[str] = Field(default_factory=list)


class RuleHeader(BaseModel):
    """The fields every rule has, whatever its type (validated before the type's own fields)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = Field(min_length=1)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    severity: Literal["high", "medium", "low"]
    basis: str = ""
    type: str
    message: str = Field(min_length=1)
    description: str = ""
    examples: Examples = Field(default_factory=Examples)
    enabled: bool = True


@dataclass
class Rule:
    """One resolved rule: its header fields and its type's validated fields (`spec`)."""

    id: str
    title: str
    category: str
    severity: str
    basis: str
    type: str
    message: str
    spec: RuleType
    description: str = ""
    examples: Examples = field(default_factory=Examples)
    enabled: bool = True
    source: str = ""  # "file:line" where the rule was defined (for messages)

    @property
    def category_title(self) -> str:
        return CATEGORY_TITLES.get(self.category, self.category)

    @property
    def severity_title(self) -> str:
        return SEVERITY_TITLES.get(self.severity, self.severity)

    def parameters_used(self) -> list[str]:
        return list(dict.fromkeys(self.spec.parameters_used()))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "severity": self.severity,
            "basis": self.basis,
            "type": self.type,
            "message": self.message,
            "description": self.description,
            "examples": self.examples.model_dump(),
            "enabled": self.enabled,
        }
        out.update(self.spec.model_dump(mode="json", exclude_none=True))
        return out


@dataclass
class Ruleset:
    """A resolved ruleset: parent merged, child overrides and `--set` values applied."""

    id: str
    title: str
    version: str
    parameters: dict[str, Parameter]
    rules: list[Rule]  # every rule, disabled ones with enabled=False
    description: str = ""
    source: str = ""  # the file it came from ("<built-in default>" style for built-ins)
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def canonical_json(self) -> str:
        """The resolved ruleset as canonical JSON (its sha256 identifies the rules in force)."""
        payload = {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "parameters": {n: p.to_json() for n, p in sorted(self.parameters.items())},
            "rules": [r.to_json() for r in self.rules],
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)

    @property
    def enabled_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def parameter_values(self) -> dict[str, Any]:
        """name -> value in force (what rule types compile with)."""
        return {name: p.value for name, p in self.parameters.items()}

    def parameters_json(self) -> dict[str, dict[str, Any]]:
        """name -> {value, type, unit, description, basis, verified} (RunResult.parameters)."""
        return {name: p.to_json() for name, p in self.parameters.items()}

    def parameters_in_force(self) -> dict[str, dict[str, Any]]:
        """Every parameter with its value in force and metadata (findings.json run.parameters)."""
        return self.parameters_json()

    def unverified_parameters(self, rule: Rule) -> list[str]:
        return [p for p in rule.parameters_used() if p in self.parameters and not self.parameters[p].verified]

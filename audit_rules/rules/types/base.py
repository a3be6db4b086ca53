"""The contract every rule type follows, and the registry derived from the modules present.

A rule type is one module in this package defining one subclass of `RuleType`: a pydantic model
of the type's own YAML fields, which compiles to ONE DuckDB SELECT over the canonical tables.

The SELECT must return these columns (one row per finding):
  unit       VARCHAR   the audited unit (_unit of the primary row)
  amount     DOUBLE    money at issue in 元, or NULL
  locations  STRUCT(file VARCHAR, sheet VARCHAR, "row" INTEGER)[]  every source row, primary first
  content    VARCHAR   what the finding rests on, for its fingerprint: normalised values, never
                       row numbers, file order or anything a re-save or re-sort would change
and any further columns, which become variables of the rule's Chinese `message` template
(parameters in force are variables too).

Tables are named by kind (payments, contracts, …) and always have every field of the kind
(fields the ledgers lacked are typed NULL columns) plus _file, _sheet, _row, _unit, _bad.
Reference rows whose `_unit` is NULL are shared (they apply to every unit): joins to a reference
table match `ref._unit IS NULL OR ref._unit = t._unit`. Rows whose needed fields could not be
read are already filtered out of the views a rule sees.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, PrivateAttr

from audit_rules.rules.sql import check_kind, location_sql, sql_literal


@dataclass
class SqlContext:
    """What a rule type may use while compiling: parameter values and SQL helpers."""

    params: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> str:
        """The parameter's value in force, as a SQL literal."""
        return sql_literal(self.params[name])

    @staticmethod
    def location(alias: str) -> str:
        """SQL for one location struct of a table alias's row."""
        return location_sql(alias)


# A rule field naming a table kind: refused at validation (Chinese) unless kinds.yaml has it.
TableKind = Annotated[str, AfterValidator(check_kind)]

# The parameter types a number-valued field accepts (a `parameter_types` value).
NUMBER_PARAMETER = ("number", "integer")


class RuleType(BaseModel):
    """Base of a rule type's own fields. Subclasses set `type_name` and implement the methods.

    A subclass documents its type in its class docstring: a one-line summary, then the
    sections **Flags** (the anti-pattern it reports), **Must not flag** (what it leaves alone),
    **Example** (a literal block holding one complete rule that loads) and **Variables** (the
    message variables it produces), then further notes as plain paragraphs. `title` is a short
    Chinese name of the type.
    """

    model_config = ConfigDict(extra="forbid")

    type_name: ClassVar[str] = ""
    title: ClassVar[str] = ""

    # The checks this copy makes (None: all of them); set by `only_checks`.
    _kept_checks: frozenset[str] | None = PrivateAttr(default=None)

    def needs(self) -> dict[str, list[str]]:
        """table -> fields this rule cannot run without (the rule is skipped if one is absent
        or unusable; rows where one is unreadable are excluded)."""
        raise NotImplementedError

    def readable_rows(self) -> dict[str, list[str]]:
        """table -> fields whose unreadable cell takes the row out of what the rule sees (default:
        every needed field). A type that judges whole groups (a voucher's lines) narrows this and
        leaves groups with an unreadable cell out itself, rather than see a group with a line
        missing. Optional hook."""
        return self.needs()

    def any_of(self) -> dict[str, list[list[str]]]:
        """table -> groups among the needed fields of which one present column is enough
        (a ledger may record only some of them; the others are then typed NULL columns)."""
        return {}

    def checks(self) -> dict[str, dict[str, list[str]]]:
        """For a rule making several separate checks (one per required element, per pair of
        roles, per earlier date): Chinese title of each check -> table -> the fields it needs.
        A ledger lacking one check's field (or with it unusable) has that check left out and
        named in the reports; the others still run. `needs()` and `compile()` honour
        `runs_check`. Optional hook: {} (the rule is one check, skipped when a field is absent)."""
        return {}

    def only_checks(self, titles: list[str]) -> "RuleType":
        """A copy of this rule making only the named checks (a non-empty part of `checks()`)."""
        copy = self.model_copy()
        copy._kept_checks = frozenset(titles)
        return copy

    def runs_check(self, title: str) -> bool:
        """Whether this copy makes the check of that title (see `checks`)."""
        return self._kept_checks is None or title in self._kept_checks

    def parameters_used(self) -> list[str]:
        """Names of ruleset parameters this rule reads (shown in reports with their values)."""
        return []

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        """Parameter name -> the parameter types it accepts (e.g. NUMBER_PARAMETER), checked when
        the ruleset loads. Optional hook: {} accepts any type."""
        return {}

    def output_variables(self) -> set[str] | None:
        """The message variables the compiled SELECT produces, so a template naming another
        one is refused when the ruleset loads. Optional hook: None means not known in advance
        (the template is then only checked for its form)."""
        return None

    def compile(self, ctx: SqlContext) -> str:
        """One DuckDB SELECT returning unit, amount, locations, content and message variables."""
        raise NotImplementedError

    def check_parameter_values(self, values: dict[str, Any]) -> list[str]:
        """Chinese problems with the values in force of the parameters this rule reads, beyond
        their declared type (e.g. a holiday that is not a date), so a bad `--set` is refused
        when the ruleset loads rather than failing the rule at run time. Optional hook."""
        return []

    def outcome_notes(self, con: Any, ctx: SqlContext) -> list[str]:
        """Chinese notes for the rule's line in the reports' 规则清单 after it ran (e.g. a
        calendar year counted Monday–Friday). `con` sees the same per-rule views as the
        compiled SELECT. Optional hook: most types have nothing to add."""
        return []

    def outcome_facts(self, con: Any, ctx: SqlContext) -> list:
        """What the notes are made of, read from one database (picklable). A batch run reads
        one database per unit and `notes_from_facts` makes the notes of all of them together,
        so they are the notes one database of every unit would give. Optional hook: by default
        the notes themselves."""
        return self.outcome_notes(con, ctx)

    def notes_from_facts(self, facts: list[list]) -> list[str]:
        """The notes of several databases' `outcome_facts` (default: each note once, in order)."""
        return list(dict.fromkeys(note for part in facts for note in part))

    def compares_units(self) -> bool:
        """True when a finding may rest on rows of several units, so that the rule must see every
        unit's rows at once (a batch run evaluates the other rules unit by unit). Optional hook:
        the built-in types match rows within a unit (and the shared reference rows)."""
        return False


@lru_cache(maxsize=1)
def rule_types() -> dict[str, type[RuleType]]:
    """Every rule type, found by importing each module of this package (never hand-listed)."""
    package = importlib.import_module("audit_rules.rules.types")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "base":
            importlib.import_module(f"audit_rules.rules.types.{module.name}")
    found: dict[str, type[RuleType]] = {}
    stack = list(RuleType.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.type_name:
            found[cls.type_name] = cls
    return found

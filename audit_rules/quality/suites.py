"""Data-quality checks derived from the table-kind schema (kinds.yaml), never hand-written per kind.

Every field type and key/unique flag in `audit_rules.ledgers.schema` turns into checks:

- key fields: the column is present (one table-level check) and no value is empty;
- unique fields: no value repeats within one sheet;
- typed fields (date, amount, count, ratio, year, bool): every cell could be read — a numeric or
  date column cannot hold '待定', so the reader nulls such cells and lists them in
  `Table.problems`; the gate turns them into a boolean helper column `_readable_<field>`
  that must be all True, so the failures are exactly those cells, with their raw values;
- dates and years inside a plausible window, counts >= 0, ratios in 0..1, bools in {True, False};
- a sheet's 合计 row equals the sum of its rows to the cent (a computed check, see gate.py).

This module is plain data and imports no great_expectations: `build_suite` imports it lazily,
so importing audit_rules.quality stays cheap (the gate starts the slow import in the background).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit_rules.ledgers.schema import FieldSpec, table_kinds

# Check names as reported in QualityResult.check (the GX expectation type, snake_case).
CHECK_COLUMNS_PRESENT = "expect_table_columns_to_match_set"
CHECK_NOT_NULL = "expect_column_values_to_not_be_null"
CHECK_UNIQUE = "expect_column_values_to_be_unique"
CHECK_READABLE = "expect_column_values_to_be_readable"  # custom GX subclass, see _gx_custom.py
CHECK_BETWEEN = "expect_column_values_to_be_between"
CHECK_IN_SET = "expect_column_values_to_be_in_set"
CHECK_TOTALS = "totals_row_matches_sum"  # computed in plain pandas, recorded the same way

# The same checks in the words an auditor reads (reports show these).
CHECK_TITLES = {
    CHECK_COLUMNS_PRESENT: "应有必需列",
    CHECK_NOT_NULL: "不应为空",
    CHECK_UNIQUE: "不应重复",
    CHECK_READABLE: "应可识别（日期、金额、人数、是/否）",
    CHECK_BETWEEN: "应在合理范围内",
    CHECK_IN_SET: "取值应在允许范围内",
    CHECK_TOTALS: "合计行应等于明细之和",
}

# Field types whose cells the reader parses, so a cell can be unreadable.
PARSED_TYPES = ("date", "amount", "count", "ratio", "year", "bool")
# Field types a 合计 row can total.
SUMMABLE_TYPES = ("amount", "count")

# Suite parameters, resolved at validation time (GX "$PARAMETER"), so one suite serves any day.
# Fixed assets bought in the 1980s and 1990s are still on the cards of many units.
EARLIEST_PLAUSIBLE_DATE = date(1980, 1, 1)
PARAM_MIN_DATE = "min_date"
PARAM_MAX_DATE = "max_date"
PARAM_MIN_YEAR = "min_year"
PARAM_MAX_YEAR = "max_year"

READABLE_PREFIX = "_readable_"


def readable_column(field_name: str) -> str:
    """Name of the helper column that is False where the field's cell could not be read."""
    return READABLE_PREFIX + field_name


@dataclass(frozen=True)
class CheckSpec:
    """One check of a kind's suite, as plain data.

    `expectation` names the GX class (in great_expectations.expectations, or our custom one);
    `kwargs` are its arguments; `column` is the column of the validated frame (a field or a
    helper column); `excludes_rows` marks checks whose failing cells cannot be trusted as values.
    """

    kind: str
    field: str | None
    check: str
    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    column: str | None = None
    excludes_rows: bool = False

    @property
    def key(self) -> str:
        """Identifies the check within a table's suite (stored in the expectation's meta)."""
        return f"{self.field or ''}|{self.check}"


def validation_parameters(today: date | None = None, earliest: date | None = None) -> dict[str, Any]:
    """Values for the suite parameters: dates from `earliest` (1980-01-01) to today + 1 year."""
    import pandas as pd

    today = today or date.today()
    earliest = earliest or EARLIEST_PLAUSIBLE_DATE
    latest = pd.Timestamp(today) + pd.DateOffset(years=1)  # 29 Feb rolls to 28 Feb
    return {
        PARAM_MIN_DATE: pd.Timestamp(earliest),
        PARAM_MAX_DATE: latest.normalize(),
        PARAM_MIN_YEAR: earliest.year,
        PARAM_MAX_YEAR: latest.year,
    }


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _field_checks(kind: str, spec: FieldSpec) -> list[CheckSpec]:
    """The checks one field's type and flags call for."""
    name = spec.name
    checks: list[CheckSpec] = []
    if spec.key:
        checks.append(CheckSpec(kind, name, CHECK_NOT_NULL, "ExpectColumnValuesToNotBeNull",
                                {"column": name}, name))
    if spec.unique:
        checks.append(CheckSpec(kind, name, CHECK_UNIQUE, "ExpectColumnValuesToBeUnique",
                                {"column": name}, name))
    if spec.type in PARSED_TYPES:
        helper = readable_column(name)
        checks.append(CheckSpec(kind, name, CHECK_READABLE, "ExpectColumnValuesToBeReadable",
                                {"column": helper}, helper, excludes_rows=True))
    range_kwargs = {
        "date": {"min_value": _param(PARAM_MIN_DATE), "max_value": _param(PARAM_MAX_DATE)},
        "year": {"min_value": _param(PARAM_MIN_YEAR), "max_value": _param(PARAM_MAX_YEAR)},
        "count": {"min_value": 0},
        "ratio": {"min_value": 0, "max_value": 1},
    }.get(spec.type)
    if range_kwargs is not None:
        checks.append(CheckSpec(kind, name, CHECK_BETWEEN, "ExpectColumnValuesToBeBetween",
                                {"column": name, **range_kwargs}, name, excludes_rows=True))
    if spec.type == "bool":
        checks.append(CheckSpec(kind, name, CHECK_IN_SET, "ExpectColumnValuesToBeInSet",
                                {"column": name, "value_set": [True, False]}, name,
                                excludes_rows=True))
    return checks


def kind_checks(kind: str) -> list[CheckSpec]:
    """Every GX check of a kind, derived from its schema (table-level check first)."""
    spec = table_kinds()[kind]
    required = sorted(f.name for f in spec.fields.values() if f.key)
    checks: list[CheckSpec] = []
    if required:
        checks.append(CheckSpec(kind, None, CHECK_COLUMNS_PRESENT, "ExpectTableColumnsToMatchSet",
                                {"column_set": required, "exact_match": False}))
    for field_spec in spec.fields.values():
        checks.extend(_field_checks(kind, field_spec))
    return checks


def table_checks(kind: str, columns: set[str] | list[str]) -> list[CheckSpec]:
    """The kind's checks that apply to a table with these mapped fields.

    A field the table lacks has no column to check: its absence is reported once by the
    columns-present check (for key fields) and by `unusable_fields`, not by failing every
    column check on it.
    """
    present = set(columns)
    return [c for c in kind_checks(kind) if c.field is None or c.field in present]


def build_suite(kind: str, checks: list[CheckSpec] | None = None):
    """A great_expectations ExpectationSuite for a kind (all its checks unless given).

    Imports great_expectations: call it from the gate, not at import time.
    """
    import great_expectations as gx

    from audit_rules.quality._gx_custom import expectation_class

    suite = gx.ExpectationSuite(name=f"audit_rules.{kind}")
    for check in kind_checks(kind) if checks is None else checks:
        expectation = expectation_class(check.expectation)(**check.kwargs, meta={"check": check.key})
        suite.add_expectation(expectation)
    return suite

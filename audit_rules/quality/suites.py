"""Data-quality checks derived from the table-kind schema (kinds.yaml), never hand-written per kind.

Every field type and key/unique flag in `audit_rules.ledgers.schema` turns into checks:

- key fields: the column is present (one table-level check) and no value is empty;
- unique fields: no value repeats within one sheet;
- typed fields (date, amount, count, ratio, year, bool): every cell could be read — a numeric or
  date column cannot hold '待定', so the reader nulls such cells and lists them in
  `Table.problems`; the gate turns them into a boolean helper column `_readable_<field>`
  that must be all True, so the failures are exactly those cells, with their raw values;
- dates and years inside a plausible window, counts >= 0, ratios in 0..1, bools in {True, False};
- a sheet's 合计 row equals the sum of its rows to the cent (computed in pandas, see validation.py);
- a unit's 科目余额表 本期借方/贷方 equal its journal's totals (computed in pandas, see agreement.py).

Each kind of check is declared once in `CHECK_TYPES`, with its Chinese title and how the detail
of its result is worded (as pandera's registered checks carry their `error=` message).

This module is plain data and imports no great_expectations (runtime.py builds the GX suites),
so importing audit_rules.quality stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
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
CHECK_BALANCE_ROLLS = "balance_rolls_forward"  # 科目余额表: opening ± period = closing, in pandas
CHECK_JOURNAL_AGREES = "journal_agrees_with_balances"  # 序时账 totals = 科目余额表 本期, in pandas

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
# How many failing cells a detail message quotes before summarising.
DETAIL_CELLS = 5
# Half a cent: totals and sums are compared to the cent.
CENT_TOLERANCE = 0.005


def readable_column(field_name: str) -> str:
    """Name of the helper column that is False where the field's cell could not be read."""
    return READABLE_PREFIX + field_name


# ---------------------------------------------------------------------------------------------
# What a check found, and how it is said (Chinese, for the report)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What one check found on one table: everything the wording of its result may quote."""

    header: str = ""  # the checked field's header as the sheet shows it ("" for the whole table)
    spec: FieldSpec | None = None  # the checked field's schema (type, unique_within)
    failed: list[dict] = field(default_factory=list)  # [{"row": excel_row, "value": raw}], row order
    params: Mapping[str, Any] = field(default_factory=dict)  # the suite parameters (date window)
    missing: list[str] = field(default_factory=list)  # columns check: headers of absent key fields
    total: object = None  # 合计 check: the value of the 合计 row
    rows_sum: float = 0.0  # 合计 check: the sum of the rows
    totals_row: int | None = None  # 合计 check: the Excel row of the 合计
    scale: float = 1.0  # 合计 check: the column's unit in 元 (10000 for a 金额（万元） header)
    compared: str = ""  # journal check: the journal files and years the balances were compared with
    skipped: str = ""  # journal check: why no comparison could be made ("" when it was made)


def quote(value: object) -> str:
    """A failing value as the detail shows it: text in quotes, numbers grouped, empty named."""
    if value is None:
        return "（空）"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float):
        return number(value)
    return str(value)


def number(value: float) -> str:
    """2 decimals for money-like values, no trailing .00 for whole numbers."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _summarised(items: list[str], count: int, unit: str) -> str:
    text = "、".join(items[:DETAIL_CELLS])
    if count > DETAIL_CELLS:
        text += f"等共{count}{unit}"
    return text


def _cells(failed: list[dict]) -> str:
    """'待定'（第12行）、… — at most DETAIL_CELLS cells quoted."""
    return _summarised([f"{quote(cell['value'])}（第{cell['row']}行）" for cell in failed], len(failed), "处")


def _repeated_values(failed: list[dict]) -> str:
    """'记-1'（第3、4行）、… — repeats grouped by value, at most DETAIL_CELLS values quoted."""
    groups: dict[str, list[int]] = {}
    for cell in failed:
        groups.setdefault(quote(cell["value"]), []).append(cell["row"])
    items = [f"{value}（第{'、'.join(map(str, rows))}行）" for value, rows in groups.items()]
    return _summarised(items, len(groups), "个值")


def _rows(failed: list[dict]) -> str:
    """第3、5、9行 — at most DETAIL_CELLS rows quoted."""
    rows = "、".join(str(cell["row"]) for cell in failed[:DETAIL_CELLS])
    more = f"等共{len(failed)}行" if len(failed) > DETAIL_CELLS else ""
    return f"第{rows}行{more}"


Phrases = Callable[[FieldSpec, Mapping[str, Any]], "tuple[str, str]"]


def _cells_wording(phrases: Phrases, cells: Callable[[list[dict]], str]) -> Callable[[Found], str]:
    """The detail of a check on a field's cells: “header”<passing>, or “header”<failing>：<cells>."""

    def describe(found: Found) -> str:
        failing, passing = phrases(found.spec, found.params)
        if not found.failed:
            return f"“{found.header}”{passing}"
        return f"“{found.header}”{failing}：{cells(found.failed)}"

    return describe


def _unique_phrases(spec: FieldSpec, params: Mapping[str, Any]) -> tuple[str, str]:
    if spec.unique_within == "month":
        return "同月重复", "同月无重复"
    return "重复", "无重复"


def _readable_phrases(spec: FieldSpec, params: Mapping[str, Any]) -> tuple[str, str]:
    return {"date": "不是有效日期", "bool": "无法识别为是/否"}.get(spec.type, "无法识别"), "均可识别"


def _between_phrases(spec: FieldSpec, params: Mapping[str, Any]) -> tuple[str, str]:
    if spec.type == "date":
        window = f"{params[PARAM_MIN_DATE]:%Y-%m-%d}至{params[PARAM_MAX_DATE]:%Y-%m-%d}"
        return f"超出合理日期范围（{window}）", f"均在合理日期范围内（{window}）"
    if spec.type == "year":
        window = f"{params[PARAM_MIN_YEAR]}至{params[PARAM_MAX_YEAR]}"
        return f"超出合理年度范围（{window}）", f"均在合理年度范围内（{window}）"
    if spec.type == "count":
        return "为负数", "均不为负数"
    if spec.type == "ratio":
        return "不在0～1（0%～100%）之间", "均在0～1之间"
    return "未通过检查", "通过检查"


def _columns_wording(found: Found) -> str:
    return "缺少必需列：" + "、".join(found.missing) if found.missing else "必需列齐全"


def is_number(value: object) -> bool:
    """A 合计 value that can be compared with a sum (not text, not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def totals_match(total: object, rows_sum: float) -> bool:
    """The 合计 is a number equal to the sum of the rows, to the cent."""
    return is_number(total) and abs(float(total) - rows_sum) < CENT_TOLERANCE


SCALE_UNITS = {1_000.0: "千元", 10_000.0: "万元", 1e8: "亿元"}


def as_typed(value: float, scale: float) -> float:
    """A figure in 元 in the unit its column is written in (1.8 for 18,000 under 金额（万元））."""
    return round(float(value) / scale, 6) if scale != 1 else float(value)


def _money(value: float, found: Found) -> str:
    """A 合计 figure in the unit its header states, so a 金额（万元） column reads in 万元 (with the 元
    the rules use beside it); a column in 元 reads as before."""
    if found.scale == 1 or found.scale not in SCALE_UNITS:
        return number(value)
    typed = f"{as_typed(value, found.scale):,.6f}".rstrip("0").rstrip(".")  # 1.2345万元 keeps its digits
    return f"{typed}{SCALE_UNITS[found.scale]}（{number(value)}元）"


def _totals_wording(found: Found) -> str:
    header, total, rows_sum = found.header, found.total, found.rows_sum
    where = f"（第{found.totals_row}行）" if found.totals_row else ""
    if totals_match(total, rows_sum):
        return f"合计行“{header}”{_money(rows_sum, found)}与明细之和相符"
    if not is_number(total):
        return f"合计行“{header}”无法识别：{quote(total)}{where}"
    difference = float(total) - rows_sum
    return (f"合计行“{header}”为{_money(total, found)}，明细之和为{_money(rows_sum, found)}，"
            f"相差{_money(difference, found)}{where}")


def _agreement_wording(found: Found) -> str:
    """科目余额表 against the journal: both figures of each account that differs, with its row."""
    if found.skipped:
        return f"未核对：{found.skipped}"
    if not found.failed:
        return f"“{found.header}”均与序时账（{found.compared}）相符"
    items = [f"{cell['account']}为{number(cell['value'])}，序时账合计{number(cell['journal'])}（第{cell['row']}行）"
             for cell in found.failed]
    return f"“{found.header}”与序时账（{found.compared}）不符：" + _summarised(items, len(items), "个科目")


def not_run_detail(message: str) -> str:
    """The detail of any check great_expectations could not run."""
    return f"检查未能执行：{message or '未知错误'}"


@dataclass(frozen=True)
class CheckType:
    """One kind of check, declared with its Chinese title and the wording of its detail.

    `expectation` names the GX class (in great_expectations.expectations, or our custom one;
    None for a check computed in pandas); `excludes_rows` marks checks whose failing cells
    cannot be trusted as values, so rules take no finding from them.
    """

    name: str  # QualityResult.check
    title: str  # what the check asks, as reports head it
    describe: Callable[[Found], str]  # the detail of one result
    expectation: str | None = None
    excludes_rows: bool = False


CHECK_TYPES: Mapping[str, CheckType] = MappingProxyType({t.name: t for t in (
    CheckType(CHECK_COLUMNS_PRESENT, "应有必需列", _columns_wording, "ExpectTableColumnsToMatchSet"),
    CheckType(CHECK_NOT_NULL, "不应为空",
              _cells_wording(lambda spec, params: ("为空", "均已填写"), _rows), "ExpectColumnValuesToNotBeNull"),
    CheckType(CHECK_UNIQUE, "不应重复",
              _cells_wording(_unique_phrases, _repeated_values), "ExpectColumnValuesToBeUnique"),
    CheckType(CHECK_READABLE, "应可识别（日期、金额、人数、是/否）",
              _cells_wording(_readable_phrases, _cells), "ExpectColumnValuesToBeReadable", excludes_rows=True),
    CheckType(CHECK_BETWEEN, "应在合理范围内",
              _cells_wording(_between_phrases, _cells), "ExpectColumnValuesToBeBetween", excludes_rows=True),
    CheckType(CHECK_IN_SET, "取值应在允许范围内",
              _cells_wording(lambda spec, params: ("不是是/否", "均为是/否"), _cells),
              "ExpectColumnValuesToBeInSet", excludes_rows=True),
    CheckType(CHECK_TOTALS, "合计行应等于明细之和", _totals_wording),
    CheckType(CHECK_BALANCE_ROLLS, "期初余额加减本期发生额应等于期末余额",
              _cells_wording(lambda spec, params: ("与期初余额加减本期借贷发生额不符", "均与期初余额加减本期发生额相符"),
                             _cells)),
    CheckType(CHECK_JOURNAL_AGREES, "本期借贷发生额应与序时账一致", _agreement_wording),
)})

# The checks' titles by name, read off CHECK_TYPES.
CHECK_TITLES: Mapping[str, str] = MappingProxyType({t.name: t.title for t in CHECK_TYPES.values()})


# ---------------------------------------------------------------------------------------------
# The checks of a kind
# ---------------------------------------------------------------------------------------------


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

    @property
    def type(self) -> CheckType:
        """The kind of check, with its title and wording."""
        return CHECK_TYPES[self.check]


def _spec(kind: str, name: str | None, check: str, kwargs: dict[str, Any], column: str | None = None) -> CheckSpec:
    declared = CHECK_TYPES[check]
    return CheckSpec(kind, name, check, declared.expectation, kwargs, column, declared.excludes_rows)


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
        checks.append(_spec(kind, name, CHECK_NOT_NULL, {"column": name}, name))
    if spec.unique:
        checks.append(_spec(kind, name, CHECK_UNIQUE, {"column": name}, name))
    if spec.type in PARSED_TYPES:
        helper = readable_column(name)
        checks.append(_spec(kind, name, CHECK_READABLE, {"column": helper}, helper))
    range_kwargs = {
        "date": {"min_value": _param(PARAM_MIN_DATE), "max_value": _param(PARAM_MAX_DATE)},
        "year": {"min_value": _param(PARAM_MIN_YEAR), "max_value": _param(PARAM_MAX_YEAR)},
        "count": {"min_value": 0},
        "ratio": {"min_value": 0, "max_value": 1},
    }.get(spec.type)
    if range_kwargs is not None:
        checks.append(_spec(kind, name, CHECK_BETWEEN, {"column": name, **range_kwargs}, name))
    if spec.type == "bool":
        checks.append(_spec(kind, name, CHECK_IN_SET, {"column": name, "value_set": [True, False]}, name))
    return checks


def kind_checks(kind: str) -> list[CheckSpec]:
    """Every GX check of a kind, derived from its schema (table-level check first)."""
    spec = table_kinds()[kind]
    required = sorted(f.name for f in spec.fields.values() if f.key)
    checks: list[CheckSpec] = []
    if required:
        checks.append(_spec(kind, None, CHECK_COLUMNS_PRESENT, {"column_set": required, "exact_match": False}))
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

"""Validation as a function: tables in, every check's QualityResult out (worded, ordered).

Auditors must know when a ledger cannot be trusted (amounts typed as 待定, 2019-02-30,
a voucher number used twice, a 合计 row that does not add up). Every check of each table is
reported, passed or not; GX's failing row positions are mapped back to the Excel rows with the
values as typed; checks whose failing cells cannot be trusted as values keep `excludes_rows`
so the engine takes no finding from them. The 合计 check is computed here in pandas.

Tables of one kind with the same fields are validated in one GX run (runtime.py); this runs
the same in the gate's worker process and in the caller's process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from audit_rules.ledgers.model import BAD_FIELDS, Table
from audit_rules.ledgers.schema import KindSpec, table_kinds
from audit_rules.quality import agreement, runtime
from audit_rules.quality.suites import (
    CHECK_BALANCE_ROLLS,
    CHECK_COLUMNS_PRESENT,
    CHECK_NOT_NULL,
    CHECK_READABLE,
    CHECK_TOTALS,
    CHECK_TYPES,
    CHECK_UNIQUE,
    SUMMABLE_TYPES,
    CheckSpec,
    Found,
    as_typed,
    is_number,
    not_run_detail,
    table_checks,
    totals_match,
    validation_parameters,
)
from audit_rules.result import QualityResult
from audit_rules.values import plain

# Helper column holding a unique-checked value qualified by its table within a group.
UNIQUE_PREFIX = "_unique_"


def recognised(tables: list[Table]) -> list[Table]:
    """The tables of a kind the schema knows: the only ones with checks."""
    kinds = table_kinds()
    return [t for t in tables if t.kind is not None and t.kind in kinds]


def validate_tables(tables: list[Table], today: date | None = None, earliest: date | None = None) -> list[QualityResult]:
    """Every check of every recognised table, passed or not, ordered by file, sheet, field, check.

    Dates must lie between `earliest` (default 1980-01-01) and `today` + 1 year.
    """
    tables = recognised(tables)
    if not tables:
        return []
    kinds = table_kinds()
    params = validation_parameters(today, earliest)
    results: list[QualityResult] = []
    for group in _groups_sharing_a_suite(tables):
        results.extend(_check_group(group, kinds[group[0].kind], params))
    results.extend(agreement.agreement_results(tables))
    results.sort(key=_result_order)
    return results


def bad_positions(data: pd.DataFrame) -> dict[str, np.ndarray]:
    """Field -> row positions whose `_bad` list names it (the reader's invalid cells)."""
    if BAD_FIELDS not in data.columns:
        return {}
    exploded = data[BAD_FIELDS].explode().dropna()
    if exploded.empty:
        return {}
    return {
        str(name): positions.to_numpy()
        for name, positions in exploded.groupby(exploded.astype(str)).groups.items()
    }


def _groups_sharing_a_suite(tables: list[Table]) -> list[list[Table]]:
    """Tables of one kind with the same mapped fields: one suite, validated in one GX run.

    A batch run costs GX a fixed ~0.1 s whatever its size, so hundreds of units' ledgers are
    validated kind by kind rather than sheet by sheet; results are still reported per sheet.
    """
    groups: dict[tuple, list[Table]] = {}
    for table in tables:
        present = tuple(sorted(c for c in table.data.columns if not c.startswith("_")))
        groups.setdefault((table.kind, present), []).append(table)
    return list(groups.values())


def _result_order(result: QualityResult) -> tuple:
    return (result.file, result.sheet, result.field or "", result.check)


# ---------------------------------------------------------------------------------------------
# One group of tables, one table
# ---------------------------------------------------------------------------------------------


@dataclass
class _TableView:
    """A table prepared for validation: positional frame, its Excel rows and raw cell values."""

    table: Table
    spec: KindSpec
    data: pd.DataFrame  # the canonical data with a RangeIndex
    labels: pd.Index  # the table's own index labels, by position (Table.raw shares them)
    frame: pd.DataFrame  # what GX validates; RangeIndex: its failing positions are positions
    excel_rows: np.ndarray
    raw_unreadable: dict[tuple[str, int], object]  # (field, excel row) -> raw cell value

    def header(self, field_name: str | None) -> str:
        """The header the user's sheet shows for a field (else the kind's primary header)."""
        if field_name is None:
            return ""
        return self.table.fields.get(field_name) or self.spec.fields[field_name].header


def _check_group(tables: list[Table], spec: KindSpec, params: dict) -> list[QualityResult]:
    """Validate tables sharing a suite in one GX run, then report each table on its own."""
    present = [f for f in spec.fields if f in tables[0].data.columns]
    checks = [_per_table_uniqueness(c) for c in table_checks(spec.name, present)]
    views = [_table_view(table, spec, checks) for table in tables]
    frame = pd.concat([_qualified_for_uniqueness(v, part, checks) for part, v in enumerate(views)],
                      ignore_index=True)
    outcomes = runtime.run_suite(spec.name, checks, frame, params)
    offsets = np.cumsum([0] + [len(v.frame) for v in views])
    results: list[QualityResult] = []
    for view, start, end in zip(views, offsets[:-1], offsets[1:]):
        table_results = [_check_result(view, check, outcomes[check.key], start, end, params) for check in checks]
        results.extend(_without_unreadable_blanks(view, checks, table_results, params))
        results.extend(_totals_results(view))
        results.extend(_balance_results(view))
    return results


def _per_table_uniqueness(check: CheckSpec) -> CheckSpec:
    """Uniqueness holds within a sheet: it is checked on the value qualified by its table."""
    if check.check != CHECK_UNIQUE:
        return check
    helper = UNIQUE_PREFIX + check.field
    return replace(check, kwargs={**check.kwargs, "column": helper}, column=helper)


def _qualified_for_uniqueness(view: _TableView, part: int, checks: list[CheckSpec]) -> pd.DataFrame:
    frame = view.frame
    for check in checks:
        if check.check == CHECK_UNIQUE:
            values = view.data[check.field]
            scope = f"{part}\x1f" + _period(view, check.field)
            frame[check.column] = (scope + "\x1f" + values.astype("string")).where(values.notna(), None)
    return frame


def _period(view: _TableView, field_name: str) -> pd.Series | str:
    """The part of the sheet a value must be unique in: the row's month, or the whole sheet."""
    if view.spec.fields[field_name].unique_within == "month" and "date" in view.data.columns:
        dates = view.data["date"].dt
        # A month key (201906), not a formatted date: strftime took 0.3 s per 500k rows.
        return dates.year.mul(100).add(dates.month).astype("Int64").astype("string").fillna("")
    return ""


def _table_view(table: Table, spec: KindSpec, checks: list[CheckSpec]) -> _TableView:
    data = table.data.reset_index(drop=True)
    excel_rows = data["_row"].to_numpy(dtype="int64")
    problems = {
        (p.field, int(p.row)): p.value for p in table.problems if p.field is not None
    }
    # Only the columns some check reads: GX hashes the whole frame when it makes a batch.
    checked = sorted({c.field for c in checks if c.field is not None and c.column == c.field})
    frame = pd.DataFrame({name: _fast_dtype(data[name]) for name in checked}, index=data.index)
    bad = bad_positions(data)
    for check in checks:
        if check.check != CHECK_READABLE:
            continue
        problem_rows = [row for (f, row) in problems if f == check.field]
        unreadable = np.isin(excel_rows, problem_rows)
        positions = bad.get(check.field)
        if positions is not None:
            unreadable[positions] = True
        frame[check.column] = ~unreadable
    return _TableView(table, spec, data, table.data.index, frame, excel_rows, problems)


def _fast_dtype(column: pd.Series) -> pd.Series:
    """The column in a dtype GX compares vectorised (it maps a Python function otherwise).

    GX's pandas between-check is vectorised only for numpy int/float and datetime64[ns]:
    nullable Int64 becomes float64 (NA -> NaN, ignored like nulls), other datetimes become [ns].
    Failing values are reported from the canonical column, so the cast never shows.
    """
    if isinstance(column.dtype, pd.Int64Dtype):
        return column.astype("float64")
    if pd.api.types.is_datetime64_dtype(column.dtype) and column.dtype != np.dtype("datetime64[ns]"):
        return column.astype("datetime64[ns]")
    return column


def _result(view: _TableView, check: CheckSpec, **fields) -> QualityResult:
    table = view.table
    return QualityResult(file=table.file, sheet=table.sheet, kind=table.kind, field=check.field,
                         check=check.check, title=check.type.title, **fields)


def _check_result(view: _TableView, check: CheckSpec, outcome: runtime.CheckOutcome, start: int, end: int,
                  params: dict) -> QualityResult:
    """One table's result of a check GX ran on its group; the table is rows start..end of the frame."""
    if outcome.error is not None:
        return _result(view, check, passed=False, detail=not_run_detail(outcome.error))
    if check.check == CHECK_COLUMNS_PRESENT:
        missing = [f for f in check.kwargs["column_set"] if f not in view.data.columns]
        found = Found(missing=[view.spec.fields[f].header for f in missing])
        return _result(view, check, passed=not missing, detail=check.type.describe(found))
    positions = outcome.positions
    failed = _failed_cells(view, check, positions[(positions >= start) & (positions < end)] - start)
    return _result(view, check, passed=not failed, failed=failed, detail=_detail(view, check, failed, params),
                   excludes_rows=check.excludes_rows)


def _detail(view: _TableView, check: CheckSpec, failed: list[dict], params: dict) -> str:
    found = Found(header=view.header(check.field), spec=view.spec.fields[check.field], failed=failed, params=params)
    return check.type.describe(found)


def _without_unreadable_blanks(view: _TableView, checks: list[CheckSpec], results: list[QualityResult],
                               params: dict) -> list[QualityResult]:
    """An unreadable cell is null too; report it once, as unreadable with its raw value.

    Otherwise a key amount typed as 待定 would also read "金额为空", which misleads the auditor.
    `checks` and `results` are parallel lists.
    """
    unreadable = {
        (r.field, cell["row"]) for r in results if r.check == CHECK_READABLE for cell in r.failed
    }
    if not unreadable:
        return results
    cleaned = []
    for check, result in zip(checks, results):
        if check.check == CHECK_NOT_NULL:
            failed = [c for c in result.failed if (result.field, c["row"]) not in unreadable]
            if len(failed) != len(result.failed):
                result = replace(result, passed=not failed, failed=failed,
                                 detail=_detail(view, check, failed, params))
        cleaned.append(result)
    return cleaned


def _failed_cells(view: _TableView, check: CheckSpec, positions: np.ndarray) -> list[dict]:
    """[{"row": excel_row, "value": raw}] for GX's failing positions, in row order."""
    if not len(positions):
        return []
    index = np.asarray(positions, dtype="int64")
    rows = view.excel_rows[index]
    if check.check == CHECK_READABLE:
        values = [_raw_value(view, check.field, pos, int(row)) for pos, row in zip(index, rows)]
    else:
        values = [plain(v) for v in view.data[check.field].iloc[index].tolist()]
    cells = [{"row": int(row), "value": value} for row, value in zip(rows, values)]
    cells.sort(key=lambda cell: cell["row"])
    return cells


def _raw_value(view: _TableView, field_name: str, position: int, row: int) -> object:
    """The cell as the user typed it: from Table.problems, else Table.raw, else the parsed value."""
    key = (field_name, row)
    if key in view.raw_unreadable:
        return plain(view.raw_unreadable[key])
    header = view.table.fields.get(field_name)
    raw = view.table.raw
    if header is not None and raw is not None and header in raw.columns:
        if raw.index.is_unique:
            # By label: the worker's copy keeps only the raw rows it may quote.
            label = view.labels[position]
            if label in raw.index:
                return plain(raw.at[label, header])
        elif position < len(raw):
            return plain(raw[header].iloc[position])
    return plain(view.data[field_name].iloc[position])


# Accounts whose balance is a debit unless the row says otherwise: 资产 (1), 费用 (5), 预算支出 (7).
_DEBIT_NORMAL = ("1", "5", "7")
_BALANCE_FIELDS = ("opening", "period_debit", "period_credit", "closing")
# Fields table-level checks (computed here, not per field by GX) read, by kind: what a light copy
# of a table must keep for them.
TABLE_CHECK_FIELDS = {
    "account_balances": (*_BALANCE_FIELDS, "direction", "account_code", "account_name", *agreement.FIELDS["account_balances"]),
    "journal": agreement.FIELDS["journal"],  # checked against the unit's 科目余额表
}


def _balance_results(view: _TableView) -> list[QualityResult]:
    """科目余额表: each account's 期初 + 借方 − 贷方 = 期末 (借方向), 期初 − 借方 + 贷方 = 期末 (贷方向),
    to the cent. The direction is the row's 方向 (借/贷; 平 with zero balances either way), else
    the account's normal side by its code. Rows lacking one of the four amounts are not checked."""
    table, data = view.table, view.data
    if table.kind != "account_balances" or not all(f in data.columns for f in _BALANCE_FIELDS):
        return []
    amounts = data[list(_BALANCE_FIELDS)].apply(pd.to_numeric, errors="coerce")
    direction = data["direction"].astype("string").str.strip().str[:1] if "direction" in data else None
    code = data["account_code"].astype("string").str.strip().str[:1] if "account_code" in data else None
    debit_side = pd.Series(True, index=data.index) if code is None else code.isin(_DEBIT_NORMAL).fillna(True)
    if direction is not None:
        debit_side = debit_side.where(~direction.isin(["借", "贷"]).fillna(False), direction == "借")
    moved = amounts["period_debit"] - amounts["period_credit"]
    expected = amounts["opening"] + moved.where(debit_side, -moved)
    checked = amounts.notna().all(axis=1)
    wrong = checked & ((expected - amounts["closing"]).abs().round(2) > 0.004)
    positions = np.flatnonzero(wrong.to_numpy())
    failed = [{"row": int(data["_row"].iloc[p]), "value": plain(amounts["closing"].iloc[p])} for p in positions]
    declared = CHECK_TYPES[CHECK_BALANCE_ROLLS]
    found = Found(header=view.header("closing"), failed=failed)
    return [QualityResult(file=table.file, sheet=table.sheet, kind=table.kind, field="closing",
                          check=declared.name, title=declared.title, passed=not failed, failed=failed,
                          detail=declared.describe(found))]


def _totals_results(view: _TableView) -> list[QualityResult]:
    """The 合计 row equals the sum of the rows, to the cent (a computed, non-GX check)."""
    table = view.table
    declared = CHECK_TYPES[CHECK_TOTALS]
    results = []
    for name, total in sorted(table.totals.items()):
        spec = view.spec.fields.get(name)
        if spec is None or spec.type not in SUMMABLE_TYPES or name not in view.data.columns:
            continue
        rows_sum = float(pd.to_numeric(view.data[name], errors="coerce").sum())
        total_value = plain(total)
        passed = totals_match(total_value, rows_sum)
        scale = float(table.scale.get(name) or 1.0)
        found = Found(header=view.header(name), spec=spec, total=total_value, rows_sum=rows_sum,
                      totals_row=table.totals_row, scale=scale)
        # the failing cell's value as the sheet shows it: in the column's own unit (万元)
        shown = as_typed(total_value, scale) if is_number(total_value) else total_value
        failed = [] if passed or not table.totals_row else [{"row": int(table.totals_row), "value": shown}]
        results.append(QualityResult(file=table.file, sheet=table.sheet, kind=table.kind, field=name,
                                     check=declared.name, title=declared.title, passed=passed, failed=failed,
                                     detail=declared.describe(found)))
    return results

"""The data-quality gate: runs each table's suite once with great_expectations 1.x.

Auditors must know when a ledger cannot be trusted (amounts typed as 待定, 2019-02-30,
a voucher number used twice, a 合计 row that does not add up). The gate reports every check
per table, passed or not, maps GX's failing row indices back to the Excel rows, and marks the
checks whose failing cells cannot be trusted as values (`excludes_rows`) so the engine takes
no finding from them.

great_expectations takes ~3 s to import; `start_gx_import()` starts a worker process
(audit_rules.quality.worker) that imports it while this process reads the ledgers, and
`run_quality` sends it light copies of the tables (only what the checks read). Without a worker,
or when it is gone, the same validation runs in this process. GX runs in an ephemeral context:
nothing written to disk, analytics off, no progress bars.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from audit_rules.ledgers.model import BAD_FIELDS, Table
from audit_rules.ledgers.schema import KindSpec, kind_title, table_kinds
from audit_rules.quality import worker
from audit_rules.quality.suites import (
    CHECK_BETWEEN,
    CHECK_COLUMNS_PRESENT,
    CHECK_IN_SET,
    CHECK_NOT_NULL,
    CHECK_READABLE,
    CHECK_TOTALS,
    CHECK_UNIQUE,
    PARAM_MAX_DATE,
    PARAM_MAX_YEAR,
    PARAM_MIN_DATE,
    PARAM_MIN_YEAR,
    SUMMABLE_TYPES,
    CheckSpec,
    build_suite,
    readable_column,
    table_checks,
    validation_parameters,
)
from audit_rules.result import QualityResult

# Helper column holding a unique-checked value qualified by its table within a group.
UNIQUE_PREFIX = "_unique_"
# COMPLETE returns every failing row index; the index query string is not needed (and costs).
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
# How many failing cells a detail message quotes before summarising.
DETAIL_CELLS = 5
# Half a cent: totals and sums are compared to the cent.
CENT_TOLERANCE = 0.005

# ---------------------------------------------------------------------------------------------
# great_expectations: in a worker process when started, else in this process
# ---------------------------------------------------------------------------------------------


def _quiet_gx_environment() -> None:
    """GX reads this before import: no usage statistics leave the machine."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"


def start_gx_import() -> None:
    """Start the gate's worker process, which imports GX at once (idempotent, returns at once).

    The import then runs truly in parallel with the reading of the ledgers; `run_quality`
    hands the tables to that worker. One worker per process, reused by every later call.
    """
    _quiet_gx_environment()
    worker.start_worker()


def _import_gx():
    _quiet_gx_environment()
    import great_expectations as gx
    import great_expectations.expectations  # noqa: F401

    return gx


@dataclass
class _GxRuntime:
    context: Any
    batch_definition: Any
    lock: threading.Lock


_runtime: _GxRuntime | None = None
_runtime_lock = threading.Lock()


def _gx_runtime() -> _GxRuntime:
    """One ephemeral context and one pandas dataframe batch definition per process."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            gx = _import_gx()
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            # Without this GX prints tqdm "Calculating Metrics" bars to stderr on every validate.
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            context.variables.analytics_enabled = False
            source = context.data_sources.add_pandas("audit_rules_quality")
            asset = source.add_dataframe_asset("ledger_table")
            batch_definition = asset.add_batch_definition_whole_dataframe("whole_table")
            _runtime = _GxRuntime(context, batch_definition, threading.Lock())
        return _runtime


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def run_quality(
    tables: list[Table], *, today: date | None = None, earliest: date | None = None
) -> list[QualityResult]:
    """Every check of every recognised table, passed or not, ordered by file, sheet, field, check.

    Dates must lie between `earliest` (default 1980-01-01) and `today` + 1 year.
    """
    kinds = table_kinds()
    recognised = [t for t in tables if t.kind is not None and t.kind in kinds]
    if not recognised:
        return []
    served = worker.validate([_light_copy(t) for t in recognised], today, earliest)
    if served is not None:
        return served
    return _validate_in_process(recognised, today, earliest)


def _validate_in_process(tables: list[Table], today: date | None, earliest: date | None) -> list[QualityResult]:
    """run_quality's work in this process (the worker runs exactly this on its copies)."""
    kinds = table_kinds()
    recognised = [t for t in tables if t.kind is not None and t.kind in kinds]
    if not recognised:
        return []
    params = validation_parameters(today, earliest)
    runtime = _gx_runtime()
    results: list[QualityResult] = []
    for group in _groups_sharing_a_suite(recognised):
        results.extend(_check_group(runtime, group, kinds[group[0].kind], params))
    results.sort(key=_result_order)
    return results


def _light_copy(table: Table) -> Table:
    """What the gate reads of a table, cheap to pickle for the worker (same results).

    Pickling text columns dominates the cost (≈1.2 s for 200k payment rows), so columns no
    check reads keep only their presence; raw cells are kept only for rows with `_bad` cells,
    the only ones the gate may quote (`_raw_value` finds them by index label).
    """
    bad_rows = _rows_with_bad_cells(table.data)
    return Table(file=table.file, sheet=table.sheet, kind=table.kind, header_row=table.header_row,
                 fields=table.fields, unmapped=[], data=_data_the_gate_reads(table, bad_rows),
                 raw=_raw_of_bad_rows(table, bad_rows), problems=table.problems, totals=table.totals,
                 totals_row=table.totals_row)


def _data_the_gate_reads(table: Table, bad_rows: np.ndarray) -> pd.DataFrame:
    """Every column, with values only where the gate reads them; the others all null.

    Read: checked fields (their values, or the parsed value a readable check falls back to),
    fields with a 合计, the date (month of a monthly-unique value), `_row` and `_bad`. Every
    other column counts only by its presence (suite grouping, required columns).
    """
    data = table.data
    spec = table_kinds()[table.kind]
    present = [f for f in spec.fields if f in data.columns]
    read = {c.field for c in table_checks(spec.name, present) if c.field is not None}
    read |= set(table.totals) | {"date", "_row"}
    absent = np.full(len(data), None, dtype=object)
    columns = {c: data[c] if c in read else absent for c in data.columns}
    if BAD_FIELDS in data.columns:
        # An empty list and None read alike (no bad cell); None pickles ~5x faster than [].
        bad = absent.copy()
        bad[bad_rows] = data[BAD_FIELDS].to_numpy()[bad_rows]
        columns[BAD_FIELDS] = bad
    return pd.DataFrame(columns, index=data.index)


def _rows_with_bad_cells(data: pd.DataFrame) -> np.ndarray:
    """Positions of the rows whose `_bad` names at least one field."""
    positions = list(_bad_positions(data.reset_index(drop=True)).values())
    return np.unique(np.concatenate(positions)) if positions else np.array([], dtype="int64")


def _raw_of_bad_rows(table: Table, bad_rows: np.ndarray) -> pd.DataFrame | None:
    raw, data = table.raw, table.data
    if raw is None or not raw.index.is_unique:
        return raw  # looked up by position (see _raw_value): every row must stay
    return raw[raw.index.isin(data.index[bad_rows])]


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


def unusable_fields(tables: list[Table], results: list[QualityResult]) -> dict[str, dict[str, str]]:
    """Fields no rule can use for a whole kind: absent everywhere, or no usable value anywhere.

    A value is usable when it is not null and not in a failing `excludes_rows` check.
    Returns {kind: {field: 中文原因}}, for the kinds among the recognised tables.
    """
    kinds = table_kinds()
    excluded = _excluded_rows_by_cell(results)
    by_kind: dict[str, list[Table]] = {}
    for table in tables:
        if table.kind in kinds:
            by_kind.setdefault(table.kind, []).append(table)
    unusable: dict[str, dict[str, str]] = {}
    for kind in sorted(by_kind):
        reasons = _unusable_in_kind(kinds[kind], by_kind[kind], excluded)
        if reasons:
            unusable[kind] = reasons
    return unusable


def excluded_cells(results: list[QualityResult]) -> pd.DataFrame:
    """Cells rules must not take findings from: columns _file, _sheet, _row, field.

    Shaped for an anti-join with the canonical tables (provenance columns) in DuckDB or pandas.
    """
    records = [
        (r.file, r.sheet, int(cell["row"]), r.field)
        for r in results
        if r.excludes_rows and not r.passed and r.field is not None
        for cell in r.failed
    ]
    frame = pd.DataFrame(records, columns=["_file", "_sheet", "_row", "field"])
    frame = frame.drop_duplicates().sort_values(["_file", "_sheet", "field", "_row"])
    return frame.reset_index(drop=True).astype({"_row": "int64"})


# ---------------------------------------------------------------------------------------------
# One table
# ---------------------------------------------------------------------------------------------


@dataclass
class _TableView:
    """A table prepared for validation: positional frame, its Excel rows and raw cell values."""

    table: Table
    spec: KindSpec
    data: pd.DataFrame  # the canonical data with a RangeIndex
    labels: pd.Index  # the table's own index labels, by position (Table.raw shares them)
    frame: pd.DataFrame  # what GX validates; RangeIndex: its unexpected_index_list are positions
    excel_rows: np.ndarray
    raw_unreadable: dict[tuple[str, int], object]  # (field, excel row) -> raw cell value

    def header(self, field_name: str | None) -> str:
        """The header the user's sheet shows for a field (else the kind's primary header)."""
        if field_name is None:
            return ""
        return self.table.fields.get(field_name) or self.spec.fields[field_name].header


def _check_group(runtime: _GxRuntime, tables: list[Table], spec: KindSpec, params: dict) -> list[QualityResult]:
    """Validate tables sharing a suite in one GX run, then report each table on its own."""
    present = [f for f in spec.fields if f in tables[0].data.columns]
    checks = [_per_table_uniqueness(c) for c in table_checks(spec.name, present)]
    views = [_table_view(table, spec, checks) for table in tables]
    frame = pd.concat([_qualified_for_uniqueness(v, part, checks) for part, v in enumerate(views)],
                      ignore_index=True)
    suite = build_suite(spec.name, checks)
    with runtime.lock:
        batch = runtime.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=params)
    by_key = {r.expectation_config.meta["check"]: r for r in validation.results}
    offsets = np.cumsum([0] + [len(v.frame) for v in views])
    results: list[QualityResult] = []
    for view, start, end in zip(views, offsets[:-1], offsets[1:]):
        table_results = [
            _gx_result(view, check, by_key[check.key], _positions_within(by_key[check.key], start, end), params)
            for check in checks
        ]
        results.extend(_without_unreadable_blanks(view, checks, table_results, params))
        results.extend(_totals_results(view))
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
        return view.data["date"].dt.strftime("%Y-%m").fillna("")
    return ""


def _positions_within(outcome, start: int, end: int) -> list[int]:
    """GX's failing positions that fall in one table's slice of the group frame, made local."""
    positions = np.asarray((outcome.result or {}).get("unexpected_index_list") or [], dtype="int64")
    return (positions[(positions >= start) & (positions < end)] - start).tolist()


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


def _table_view(table: Table, spec: KindSpec, checks: list[CheckSpec]) -> _TableView:
    data = table.data.reset_index(drop=True)
    excel_rows = data["_row"].to_numpy(dtype="int64")
    problems = {
        (p.field, int(p.row)): p.value for p in table.problems if p.field is not None
    }
    # Only the columns some check reads: GX hashes the whole frame when it makes a batch.
    checked = sorted({c.field for c in checks if c.field is not None and c.column == c.field})
    frame = pd.DataFrame({name: _fast_dtype(data[name]) for name in checked}, index=data.index)
    bad_positions = _bad_positions(data)
    for check in checks:
        if check.check != CHECK_READABLE:
            continue
        problem_rows = [row for (f, row) in problems if f == check.field]
        unreadable = np.isin(excel_rows, problem_rows)
        positions = bad_positions.get(check.field)
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


def _bad_positions(data: pd.DataFrame) -> dict[str, np.ndarray]:
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


def _gx_result(view: _TableView, check: CheckSpec, outcome, positions: list[int], params: dict) -> QualityResult:
    table = view.table
    base = dict(file=table.file, sheet=table.sheet, kind=table.kind, field=check.field,
                check=check.check, excludes_rows=check.excludes_rows)
    if outcome.exception_info and _raised(outcome.exception_info):
        return QualityResult(**base, passed=False, excludes_rows=False,
                             detail=f"检查未能执行：{_exception_message(outcome.exception_info)}")
    if check.check == CHECK_COLUMNS_PRESENT:
        missing = [f for f in check.kwargs["column_set"] if f not in view.data.columns]
        detail = ("缺少必需列：" + "、".join(view.spec.fields[f].header for f in missing)
                  if missing else "必需列齐全")
        return QualityResult(**{**base, "excludes_rows": False}, passed=not missing, detail=detail)
    failed = _failed_cells(view, check, positions)
    passed = not failed
    detail = _detail(view, check, failed, params)
    return QualityResult(**base, passed=passed, failed=failed, detail=detail)


def _raised(info: dict) -> bool:
    if "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _exception_message(info: dict) -> str:
    if info.get("exception_message"):
        return str(info["exception_message"])
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return "；".join(str(m) for m in messages if m) or "未知错误"


def _failed_cells(view: _TableView, check: CheckSpec, positions: list[int]) -> list[dict]:
    """[{"row": excel_row, "value": raw}] for GX's failing positions, in row order."""
    if not positions:
        return []
    index = np.asarray(positions, dtype="int64")
    rows = view.excel_rows[index]
    if check.check == CHECK_READABLE:
        values = [_raw_value(view, check.field, pos, int(row)) for pos, row in zip(index, rows)]
    else:
        values = [_plain(v) for v in view.data[check.field].iloc[index].tolist()]
    cells = [{"row": int(row), "value": value} for row, value in zip(rows, values)]
    cells.sort(key=lambda cell: cell["row"])
    return cells


def _raw_value(view: _TableView, field_name: str, position: int, row: int) -> object:
    """The cell as the user typed it: from Table.problems, else Table.raw, else the parsed value."""
    key = (field_name, row)
    if key in view.raw_unreadable:
        return _plain(view.raw_unreadable[key])
    header = view.table.fields.get(field_name)
    raw = view.table.raw
    if header is not None and raw is not None and header in raw.columns:
        if raw.index.is_unique:
            # By label: the worker's copy keeps only the raw rows it may quote.
            label = view.labels[position]
            if label in raw.index:
                return _plain(raw.at[label, header])
        elif position < len(raw):
            return _plain(raw[header].iloc[position])
    return _plain(view.data[field_name].iloc[position])


def _totals_results(view: _TableView) -> list[QualityResult]:
    """The 合计 row equals the sum of the rows, to the cent (a computed, non-GX check)."""
    table = view.table
    results = []
    for name, total in sorted(table.totals.items()):
        spec = view.spec.fields.get(name)
        if spec is None or spec.type not in SUMMABLE_TYPES or name not in view.data.columns:
            continue
        rows_sum = float(pd.to_numeric(view.data[name], errors="coerce").sum())
        total_value = _plain(total)
        readable = isinstance(total_value, (int, float)) and not isinstance(total_value, bool)
        passed = readable and abs(float(total_value) - rows_sum) < CENT_TOLERANCE
        header = view.header(name)
        where = f"（第{table.totals_row}行）" if table.totals_row else ""
        if passed:
            detail = f"合计行“{header}”{_number(rows_sum)}与明细之和相符"
        elif not readable:
            detail = f"合计行“{header}”无法识别：{_quote(total_value)}{where}"
        else:
            difference = float(total_value) - rows_sum
            detail = (f"合计行“{header}”为{_number(total_value)}，明细之和为{_number(rows_sum)}，"
                      f"相差{_number(difference)}{where}")
        failed = [] if passed or not table.totals_row else [{"row": int(table.totals_row), "value": total_value}]
        results.append(QualityResult(file=table.file, sheet=table.sheet, kind=table.kind, field=name,
                                     check=CHECK_TOTALS, passed=passed, failed=failed, detail=detail))
    return results


# ---------------------------------------------------------------------------------------------
# Messages (Chinese, for the report)
# ---------------------------------------------------------------------------------------------


def _detail(view: _TableView, check: CheckSpec, failed: list[dict], params: dict) -> str:
    header = view.header(check.field)
    field_type = view.spec.fields[check.field].type if check.field else None
    problem, ok = _check_wording(check, field_type, params)
    if not failed:
        return f"“{header}”{ok}"
    if check.check == CHECK_NOT_NULL:
        return f"“{header}”{problem}：{_rows_text(failed)}"
    return f"“{header}”{problem}：{_cells_text(check, failed)}"


def _check_wording(check: CheckSpec, field_type: str | None, params: dict) -> tuple[str, str]:
    """(what failing means, what passing means) for a check on a field of this type."""
    if check.check == CHECK_NOT_NULL:
        return "为空", "均已填写"
    if check.check == CHECK_UNIQUE:
        monthly = table_kinds()[check.kind].fields[check.field].unique_within == "month"
        return ("同月重复", "同月无重复") if monthly else ("重复", "无重复")
    if check.check == CHECK_READABLE:
        noun = {"date": "不是有效日期", "bool": "无法识别为是/否"}.get(field_type, "无法识别")
        return noun, "均可识别"
    if check.check == CHECK_IN_SET:
        return "不是是/否", "均为是/否"
    if check.check == CHECK_BETWEEN:
        if field_type == "date":
            low, high = params[PARAM_MIN_DATE], params[PARAM_MAX_DATE]
            window = f"{low:%Y-%m-%d}至{high:%Y-%m-%d}"
            return f"超出合理日期范围（{window}）", f"均在合理日期范围内（{window}）"
        if field_type == "year":
            window = f"{params[PARAM_MIN_YEAR]}至{params[PARAM_MAX_YEAR]}"
            return f"超出合理年度范围（{window}）", f"均在合理年度范围内（{window}）"
        if field_type == "count":
            return "为负数", "均不为负数"
        if field_type == "ratio":
            return "不在0～1（0%～100%）之间", "均在0～1之间"
    return "未通过检查", "通过检查"


def _cells_text(check: CheckSpec, failed: list[dict]) -> str:
    """'待定'（第12行）、… — duplicates grouped by value, at most DETAIL_CELLS items quoted."""
    if check.check == CHECK_UNIQUE:
        groups: dict[str, list[int]] = {}
        for cell in failed:
            groups.setdefault(_quote(cell["value"]), []).append(cell["row"])
        items = [f"{value}（第{'、'.join(map(str, rows))}行）" for value, rows in groups.items()]
        count = len(groups)
        unit = "个值"
    else:
        items = [f"{_quote(cell['value'])}（第{cell['row']}行）" for cell in failed]
        count = len(failed)
        unit = "处"
    text = "、".join(items[:DETAIL_CELLS])
    if count > DETAIL_CELLS:
        text += f"等共{count}{unit}"
    return text


def _rows_text(failed: list[dict]) -> str:
    """第3、5、9行 — at most DETAIL_CELLS rows quoted."""
    rows = "、".join(str(cell["row"]) for cell in failed[:DETAIL_CELLS])
    more = f"等共{len(failed)}行" if len(failed) > DETAIL_CELLS else ""
    return f"第{rows}行{more}"


def _quote(value: object) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """2 decimals for money-like values, no trailing .00 for whole numbers."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _plain(value: object) -> object:
    """A JSON-ready Python value: None for missing, ISO text for dates, builtins for numpy."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Unusable fields
# ---------------------------------------------------------------------------------------------


def _excluded_rows_by_cell(results: list[QualityResult]) -> dict[tuple[str, str, str], set[int]]:
    excluded: dict[tuple[str, str, str], set[int]] = {}
    for r in results:
        if r.excludes_rows and not r.passed and r.field is not None:
            excluded.setdefault((r.file, r.sheet, r.field), set()).update(c["row"] for c in r.failed)
    return excluded


def _unusable_in_kind(spec: KindSpec, tables: list[Table], excluded: dict) -> dict[str, str]:
    title = kind_title(spec.name)
    total_rows = sum(len(t.data) for t in tables)
    reasons: dict[str, str] = {}
    for name, field_spec in spec.fields.items():
        with_column = [t for t in tables if name in t.data.columns]
        if not with_column:
            reasons[name] = f"{title}中没有“{field_spec.header}”列"
        elif total_rows == 0:
            reasons[name] = f"{title}没有数据行"
        elif not any(_usable_values(t, name, excluded) for t in with_column):
            reasons[name] = f"{title}的“{field_spec.header}”列全部为空或无法识别"
    return reasons


def _usable_values(table: Table, name: str, excluded: dict) -> int:
    """How many cells of the field hold a value rules can trust."""
    column = table.data[name]
    filled = column.notna().to_numpy().copy()
    bad_rows = excluded.get((table.file, table.sheet, name))
    if bad_rows:
        filled &= ~np.isin(table.data["_row"].to_numpy(), list(bad_rows))
    return int(filled.sum())


def _result_order(result: QualityResult) -> tuple:
    return (result.file, result.sheet, result.field or "", result.check)

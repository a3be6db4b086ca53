"""What the rules may use of the ledgers, given the gate's results.

A cell a check with `excludes_rows` failed on (unreadable, impossible date, negative count)
cannot be trusted as a value: `exclude_untrusted_cells` adds its field to the row's `_bad`, so
rules take no finding from it, and `unusable_fields` names the fields with no trusted value at
all, so rules that need them are skipped with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from audit_rules.ledgers.model import BAD_FIELDS, Table
from audit_rules.ledgers.schema import kind_title, table_kinds
from audit_rules.result import QualityResult

# kind, file, sheet, field, Excel row
Cell = tuple[str, str, str, str, int]


def untrusted_cells(results: list[QualityResult]) -> Iterator[Cell]:
    """Every cell rules must not take a value from: failed by a check that excludes rows."""
    for result in results:
        if result.excludes_rows and not result.passed and result.field:
            for cell in result.failed:
                yield result.kind, result.file, result.sheet, result.field, cell["row"]


def exclude_untrusted_cells(tables: list[Table], results: list[QualityResult]) -> None:
    """Add to each row's `_bad` the fields whose value the gate found untrustworthy.

    One sheet may hold several tables (stacked or side by side): kind and rows tell them apart.
    """
    wanted: dict[tuple[str, str, str], dict[str, set[int]]] = {}
    for kind, file, sheet, name, row in untrusted_cells(results):
        wanted.setdefault((kind, file, sheet), {}).setdefault(name, set()).add(row)
    for table in tables:
        for name, rows in wanted.get((table.kind, table.file, table.sheet), {}).items():
            hit = table.data["_row"].isin(rows)
            if hit.any():
                table.data.loc[hit, BAD_FIELDS] = pd.Series(
                    [sorted({*bad, name}) for bad in table.data.loc[hit, BAD_FIELDS]],
                    index=table.data.index[hit],
                    dtype=object,
                )


# kind -> (rows, {field: (has a column, usable values)}): what `unusable_fields` reads of the
# tables, so that a batch run can add up one such summary per unit.
FieldUsage = dict[str, tuple[int, dict[str, tuple[bool, int]]]]


def unusable_fields(tables: list[Table], results: list[QualityResult]) -> dict[str, dict[str, str]]:
    """Fields no rule can use for a whole kind: absent everywhere, or no usable value anywhere.

    A value is usable when it is not null and not in a failing `excludes_rows` check.
    Returns {kind: {field: 中文原因}}, for the kinds among the recognised tables.
    """
    return unusable_from_usage([field_usage(tables, results)])


def field_usage(tables: list[Table], results: list[QualityResult]) -> FieldUsage:
    """Per recognised kind: its rows, and per field whether a table has its column and how many
    of its values rules can trust."""
    kinds = table_kinds()
    excluded: dict[tuple[str, str, str], set[int]] = {}
    for _, file, sheet, name, row in untrusted_cells(results):
        excluded.setdefault((file, sheet, name), set()).add(row)
    by_kind: dict[str, list[Table]] = {}
    for table in tables:
        if table.kind in kinds:
            by_kind.setdefault(table.kind, []).append(table)
    usage: FieldUsage = {}
    for kind, of_kind in by_kind.items():
        fields = {}
        for name in kinds[kind].fields:
            with_column = [t for t in of_kind if name in t.data.columns]
            fields[name] = (bool(with_column), sum(_usable_values(t, name, excluded) for t in with_column))
        usage[kind] = (sum(len(t.data) for t in of_kind), fields)
    return usage


def unusable_from_usage(usages: list[FieldUsage]) -> dict[str, dict[str, str]]:
    """`unusable_fields` of the tables the summaries were made of, all together."""
    kinds = table_kinds()
    unusable: dict[str, dict[str, str]] = {}
    for kind in sorted({k for usage in usages for k in usage}):
        parts = [usage[kind] for usage in usages if kind in usage]
        total_rows = sum(rows for rows, _ in parts)
        title = kind_title(kind)
        reasons: dict[str, str] = {}
        for name, field_spec in kinds[kind].fields.items():
            if not any(fields[name][0] for _, fields in parts):
                reasons[name] = f"{title}中没有“{field_spec.header}”列"
            elif total_rows == 0:
                reasons[name] = f"{title}没有数据行"
            elif not any(fields[name][1] for _, fields in parts):
                reasons[name] = f"{title}的“{field_spec.header}”列全部为空或无法识别"
        if reasons:
            unusable[kind] = reasons
    return unusable


def _usable_values(table: Table, name: str, excluded: dict) -> int:
    """How many cells of the field hold a value rules can trust."""
    column = table.data[name]
    filled = column.notna().to_numpy().copy()
    bad_rows = excluded.get((table.file, table.sheet, name))
    if bad_rows:
        filled &= ~np.isin(table.data["_row"].to_numpy(), list(bad_rows))
    return int(filled.sum())

"""The library API: wires ledgers → quality → rules → result. The CLI and Python users call this.

Each stage stays ignorant of the others; this module is the only place that knows the order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from audit_rules import __version__
from audit_rules.findings import Finding
from audit_rules.ledgers import MappingError, load_ledgers
from audit_rules.ledgers.model import LedgerSet, Table
from audit_rules.ledgers.schema import table_kinds
from audit_rules.result import QualityResult, RunResult
from audit_rules.timings import mark


class PipelineError(Exception):
    """The run could not be done at all (bad ruleset, unreadable baseline…); message in Chinese."""


@dataclass
class QualityRun:
    ledgers: LedgerSet
    results: list[QualityResult] = field(default_factory=list)


def run_quality_only(paths: Sequence[str | Path], mapping: str | Path | None = None) -> QualityRun:
    """Read the ledgers and run only the data-quality gate."""
    from audit_rules.quality import run_quality, start_gx_import

    start_gx_import()
    ledgers = _read_ledgers(paths, mapping)
    return QualityRun(ledgers=ledgers, results=run_quality(_recognised(ledgers.tables)))


def run_check(
    paths: Sequence[str | Path],
    ruleset: str | Path | None = None,
    overrides: dict[str, str] | None = None,
    mapping: str | Path | None = None,
    baseline: str | Path | None = None,
    quality: bool = True,
    command_line: str = "",
    verified: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a whole check and return its result (nothing is written; see reports.write_reports).

    `overrides` are --set values; `verified` names the parameters the user vouches for;
    `progress` is told each stage as it starts (in Chinese, for a progress line)."""
    step = progress or (lambda stage: None)
    mark("ruleset")
    from audit_rules.rules import RulesetError, load_ruleset, run_rules

    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if quality:
        from audit_rules.quality import start_gx_import

        start_gx_import()  # the ~3 s import overlaps the reading of the ledgers
    try:
        rules = load_ruleset(ruleset, overrides or {}, verified)
    except RulesetError as exc:
        raise PipelineError(str(exc)) from exc
    previous = _load_baseline(baseline)

    step("正在读取台账")
    mark("reading")
    ledgers = _read_ledgers(paths, mapping)
    tables = _recognised(ledgers.tables)
    _share_reference_tables(tables)

    quality_results: list[QualityResult] = []
    unusable: dict[str, dict[str, str]] = {}
    if quality:
        from audit_rules.quality import run_quality, unusable_fields

        step("正在检查数据质量")
        mark("quality")
        quality_results = run_quality(tables)
        _exclude_untrusted_cells(tables, quality_results)
        unusable = unusable_fields(tables, quality_results)

    step("正在运行规则")
    mark("derive")
    tables += _payments_of_journals(tables)
    mark("rules")
    findings, outcomes = run_rules(_tables_by_kind(tables), rules, unusable)
    mark("result")
    rule_kinds = {rule.id: list(rule.spec.needs()) for rule in rules.rules}
    _date_findings(tables, findings, rule_kinds)
    result = RunResult(
        tool_version=__version__,
        started_at=started_at,
        command_line=command_line or " ".join(sys.argv),
        ruleset_id=rules.id,
        ruleset_title=rules.title,
        ruleset_version=str(rules.version),
        ruleset_sha256=rules.sha256,
        parameters=_mark_set(rules.parameters_in_force(), overrides or {}),
        inputs=ledgers.inputs,
        findings=findings,
        rules=outcomes,
        data_quality=quality_results,
        errors=ledgers.errors,
        baseline=str(baseline) if baseline else None,
        source_rows=_source_rows(tables, findings, rule_kinds),
        source_paths={t.file: t.path for t in ledgers.tables if t.path},
    )
    if previous is not None:
        ran = (o.rule_id for o in outcomes if o.status == "ran")
        read = (t.file for t in tables)
        reconciled = previous.reconcile(findings, ran, read)
        result.findings, result.resolved = reconciled.findings, reconciled.resolved
        result.not_rechecked, result.rectification = reconciled.not_rechecked, reconciled.entries
        result.gone_entries = reconciled.gone_entries
    return result


def _mark_set(parameters: dict[str, dict], overrides: dict[str, str]) -> dict[str, dict]:
    """Flag the parameters given by --set, so that no report calls their value a default."""
    for name in overrides:
        if name in parameters:
            parameters[name]["set"] = True
    return parameters


def _read_ledgers(paths: Sequence[str | Path], mapping: str | Path | None) -> LedgerSet:
    """Read every ledger; a missing path, an unusable mapping file or a report of ours among the
    inputs stops the run."""
    try:
        _refuse_reports_among_inputs(paths)
        return load_ledgers(list(paths), mapping=mapping)
    except (MappingError, FileNotFoundError) as exc:
        raise PipelineError(str(exc)) from exc


def _refuse_reports_among_inputs(paths: Sequence[str | Path]) -> None:
    """A report.xlsx written by audit-rules is not a ledger: read as one, its findings became
    findings again (40 became 86). Refuse, naming the file, rather than count them twice."""
    from audit_rules.ledgers.files import discover
    from audit_rules.reports.workbook_names import is_report_workbook

    reports = [found.display for found in discover(list(paths)) if is_report_workbook(found.path)]
    if reports:
        raise PipelineError(
            f"输入中有 audit-rules 生成的报告，不是台账：{'、'.join(reports)}。"
            "请把报告移出台账目录（或用 --out 把报告写到台账目录之外）后再检查。"
        )


def _recognised(tables: Iterable[Table]) -> list[Table]:
    return [t for t in tables if t.kind is not None]


def _payments_of_journals(tables: list[Table]) -> list[Table]:
    """The payments each journal records, derived after the quality gate has checked the journal
    itself (a voucher's several lines share its number: no uniqueness failure for them)."""
    from audit_rules.ledgers.journal import derive_payments

    derived = (derive_payments(t) for t in tables if t.kind == "journal")
    return [t for t in derived if t is not None]


def _tables_by_kind(tables: list[Table]) -> dict[str, pd.DataFrame]:
    return LedgerSet(tables=tables).by_kind()


def _share_reference_tables(tables: list[Table]) -> None:
    """Mark reference rows of units that own no transaction ledger as shared (_unit = None)."""
    reference = {name for name, spec in table_kinds().items() if spec.reference}
    transaction_units = {
        unit
        for t in tables
        if t.kind not in reference
        for unit in t.data["_unit"].dropna().unique()
    }
    for table in tables:
        if table.kind in reference and len(table.data):
            shared = ~table.data["_unit"].isin(transaction_units)
            if shared.any():
                table.data["_unit"] = table.data["_unit"].where(~shared, None)


def _exclude_untrusted_cells(tables: list[Table], results: list[QualityResult]) -> None:
    """Add to each row's _bad the fields whose value the gate found untrustworthy."""
    from audit_rules.quality import exclude_untrusted_cells

    exclude_untrusted_cells(tables, results)


RowKey = tuple[str, str, str, int]  # kind, file, sheet, Excel row


def _rows_named(tables: list[Table], keys: Iterable[RowKey]) -> Iterable[tuple[Table, pd.Series]]:
    """Each table holding some of the (kind, file, sheet, row) keys, with the mask of those rows."""
    wanted: dict[tuple[str, str, str], set[int]] = {}
    for kind, file, sheet, row in keys:
        wanted.setdefault((kind, file, sheet), set()).add(row)
    for table in tables:
        rows = wanted.get((table.kind, table.file, table.sheet))
        if rows:
            hit = table.data["_row"].isin(rows)
            if hit.any():
                yield table, hit


def _location_keys(findings: list[Finding], rule_kinds: dict[str, list[str]], primary_only: bool = False):
    """Per finding and location, the row keys to look for, the rule's own tables' kinds first."""
    every_kind = list(table_kinds())
    for finding in findings:
        kinds = rule_kinds.get(finding.rule_id) or every_kind
        for loc in finding.locations[:1] if primary_only else finding.locations:
            yield (loc.file, loc.sheet, loc.row), [(kind, loc.file, loc.sheet, loc.row) for kind in kinds]


def _source_rows(tables: list[Table], findings: list[Finding], rule_kinds: dict[str, list[str]]) -> dict:
    """The original cells of every row a finding names, for the per-rule report sheets."""
    wanted = list(_location_keys(findings, rule_kinds))
    records: dict[RowKey, dict] = {}
    for table, hit in _rows_named(tables, (key for _, keys in wanted for key in keys)):
        for excel_row, record in zip(table.data.loc[hit, "_row"], table.raw.loc[hit].to_dict("records")):
            records[(table.kind, table.file, table.sheet, int(excel_row))] = record
    out: dict[tuple[str, str, int], dict] = {}
    for location, keys in wanted:
        found = next((records[k] for k in keys if k in records), None)
        if found is not None:
            out.setdefault(location, found)
    return out


def _date_findings(tables: list[Table], findings: list[Finding], rule_kinds: dict[str, list[str]]) -> None:
    """Give each finding the date of its primary row (its kind's first dated field that is set)."""
    kinds = table_kinds()
    wanted = list(_location_keys(findings, rule_kinds, primary_only=True))
    dates: dict[RowKey, str] = {}
    for table, hit in _rows_named(tables, (key for _, keys in wanted for key in keys)):
        fields = [n for n, spec in kinds[table.kind].fields.items() if spec.type == "date" and n in table.data]
        if not fields:
            continue
        first = table.data.loc[hit, fields].bfill(axis=1).iloc[:, 0]
        for excel_row, value in zip(table.data.loc[hit, "_row"], first):
            if pd.notna(value):
                dates[(table.kind, table.file, table.sheet, int(excel_row))] = value.date().isoformat()
    for finding, (_, keys) in zip(findings, wanted):
        finding.date = next((dates[k] for k in keys if k in dates), None)


def _load_baseline(baseline: str | Path | None):
    """The baseline given, loaded before any ledger is read so that a bad one stops the run early."""
    if not baseline:
        return None
    from audit_rules.reports.rectification import Baseline, BaselineError

    try:
        return Baseline.load(baseline)
    except BaselineError as exc:
        raise PipelineError(str(exc)) from exc

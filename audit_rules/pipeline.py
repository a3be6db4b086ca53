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
from audit_rules.result import Checked, QualityResult, RunResult
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
    file_done: Callable[[int, int, int], None] | None = None,
    runner=None,
    parts: int = 1,
) -> RunResult:
    """Run a whole check and return its result (nothing is written; see reports.write_reports).

    `overrides` are --set values; `verified` names the parameters the user vouches for;
    `progress` is told each stage as it starts (in Chinese, for a progress line) and
    `file_done(files done, files in all, rows of the file)` each file read.

    With a `runner` (batch.LocalRunner, or distributed.DaskRunner for a Dask cluster) the files
    are read, gated and checked in `parts` parts, unit by unit (see audit_rules/batch.py); the
    result is the same."""
    step = progress or (lambda stage: None)
    mark("ruleset")
    from audit_rules.rules import RulesetError, load_ruleset
    from audit_rules.rules.engine import location_kinds

    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if runner is None:
        from audit_rules.ledgers import start_reading

        start_reading(list(paths))  # its imports overlap the loading of the ruleset
    if quality and runner is None:
        from audit_rules.quality import start_gx_import

        start_gx_import()  # the ~3 s import overlaps the reading of the ledgers
    try:
        rules = load_ruleset(ruleset, overrides or {}, verified)
    except RulesetError as exc:
        raise PipelineError(str(exc)) from exc
    previous = _load_baseline(baseline)

    step("正在读取台账")
    mark("reading")
    if runner is None:
        checked = _check_at_once(paths, rules, mapping, quality, step, file_done)
    else:
        checked = _check_in_parts(paths, rules, mapping, quality, step, file_done, runner, parts)
    mark("result")
    findings = checked.findings
    rule_kinds = location_kinds(rules)
    _date_findings(findings, rule_kinds, checked.dates)
    _name_journal_lines(findings, checked.voucher_names)
    result = RunResult(
        tool_version=__version__,
        started_at=started_at,
        command_line=command_line or " ".join(sys.argv),
        ruleset_id=rules.id,
        ruleset_title=rules.title,
        ruleset_version=str(rules.version),
        ruleset_sha256=rules.sha256,
        parameters=_mark_set(rules.parameters_in_force(), overrides or {}),
        inputs=checked.inputs,
        findings=findings,
        rules=checked.outcomes,
        data_quality=checked.quality,
        errors=checked.errors,
        baseline=str(baseline) if baseline else None,
        source_rows=_source_rows(findings, rule_kinds, checked.records),
        source_paths=checked.source_paths,
        file_units=checked.file_units,
    )
    if previous is not None:
        # A rule that ran without a check the baseline run made did not look again at its findings.
        ran = (o.rule_id for o in checked.outcomes if previous.rechecked_by(o))
        reconciled = previous.reconcile(findings, ran, checked.files_read)
        result.findings, result.resolved = reconciled.findings, reconciled.resolved
        result.not_rechecked, result.rectification = reconciled.not_rechecked, reconciled.entries
        result.gone_entries = reconciled.gone_entries
    return result


def _check_at_once(paths, rules, mapping, quality, step, file_done) -> Checked:
    """Every unit's tables in one database (the reference the batch run is held to)."""
    from audit_rules.rules import run_rules
    from audit_rules.rules.engine import location_kinds

    ledgers = _read_ledgers(paths, mapping, file_done)
    tables = _recognised(ledgers.tables)
    file_units = units_of_files(tables)
    _share_reference_tables(tables)

    quality_results: list[QualityResult] = []
    unusable: dict[str, dict[str, str]] = {}
    if quality:
        from audit_rules.quality import run_quality, unusable_fields

        step("正在检查数据质量")
        mark("quality")
        quality_results = run_quality(tables)
        _exclude_untrusted_cells(tables, quality_results)
    # Derived after the journal's untrusted cells are marked, and before the fields are judged:
    # a field only the journal's payments carry (支付方式) is usable.
    mark("derive")
    tables += _payments_of_journals(tables, organisation_words(rules))
    if quality:
        unusable = unusable_fields(tables, quality_results)

    step("正在运行规则")
    mark("rules")
    findings, outcomes = run_rules(_tables_by_kind(tables), rules, unusable)
    rule_kinds = location_kinds(rules)
    found = located(findings)
    return Checked(
        inputs=ledgers.inputs,
        errors=ledgers.errors,
        quality=quality_results,
        findings=findings,
        outcomes=outcomes,
        records=row_records(tables, found, rule_kinds),
        dates=row_dates(tables, found, rule_kinds),
        source_paths={t.file: t.path for t in ledgers.tables if t.path},
        files_read={t.file for t in tables},
        file_units=file_units,
        voucher_names=journal_line_names(tables, (key for _, keys in found for key in keys)),
    )


def _check_in_parts(paths, rules, mapping, quality, step, file_done, runner, parts) -> Checked:
    from audit_rules.batch import run_units
    from audit_rules.ledgers.mapping import load_mapping

    try:
        _refuse_reports_among_inputs(paths)
        rules_of_sheets = load_mapping(mapping) if mapping else None
        step("正在读取和检查台账")
        return run_units(paths, rules, rules_of_sheets, quality, runner, parts, file_done)
    except (MappingError, FileNotFoundError) as exc:
        raise PipelineError(str(exc)) from exc


def units_of_files(tables: Iterable[Table]) -> dict[str, list[str | None]]:
    """The units each file's recognised rows belong to (None: rows of no unit), as read."""
    units: dict[str, set] = {}
    for table in tables:
        if len(table.data):
            column = table.data["_unit"]
            found = units.setdefault(table.file, set())
            found.update(column.dropna().unique().tolist())
            if column.isna().any():
                found.add(None)
    return {file: sorted(found, key=lambda u: (u is not None, u or "")) for file, found in units.items()}


def _mark_set(parameters: dict[str, dict], overrides: dict[str, str]) -> dict[str, dict]:
    """Flag the parameters given by --set, so that no report calls their value a default."""
    for name in overrides:
        if name in parameters:
            parameters[name]["set"] = True
    return parameters


def _read_ledgers(paths: Sequence[str | Path], mapping: str | Path | None, file_done=None) -> LedgerSet:
    """Read every ledger; a missing path, an unusable mapping file or a report of ours among the
    inputs stops the run."""
    try:
        _refuse_reports_among_inputs(paths)
        return load_ledgers(list(paths), mapping=mapping, file_done=file_done)
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


# The ruleset parameter whose words mark a name as an organisation's: a journal line naming no
# 往来单位 gets its payee from the 摘要 with them (the cash rule judges payees with the same words).
ORGANISATION_WORDS = "organisation_words"


def organisation_words(rules) -> Sequence[str]:
    return rules.parameter_values().get(ORGANISATION_WORDS) or ()


def _payments_of_journals(tables: list[Table], organisation_words: Sequence[str] = ()) -> list[Table]:
    """The payments each journal records, derived after the quality gate has checked the journal
    itself (a voucher's several lines share its number: no uniqueness failure for them)."""
    from audit_rules.ledgers.journal import derive_payments

    derived = (derive_payments(t, organisation_words) for t in tables if t.kind == "journal")
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
    _share_units(tables, transaction_units)


def _share_units(tables: list[Table], transaction_units: set[str]) -> None:
    """Make shared (_unit = None) the reference rows of no unit in `transaction_units`."""
    reference = {name for name, spec in table_kinds().items() if spec.reference}
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


Located = tuple[str, list[tuple[str, str, int]]]  # a finding's rule id and its (file, sheet, row)s


def located(findings: Iterable[Finding]) -> list[Located]:
    return [(f.rule_id, [(loc.file, loc.sheet, loc.row) for loc in f.locations]) for f in findings]


def _location_keys(found: list[Located], rule_kinds: dict[str, list[str]], primary_only: bool = False):
    """Per finding and location, the row keys to look for, the rule's own tables' kinds first."""
    every_kind = list(table_kinds())
    for rule_id, locations in found:
        kinds = rule_kinds.get(rule_id) or every_kind
        for loc in locations[:1] if primary_only else locations:
            yield loc, [(kind, *loc) for kind in kinds]


def row_records(tables: list[Table], found: list[Located], rule_kinds: dict[str, list[str]]) -> dict[RowKey, dict]:
    """The original cells of every row the findings may name, by row key."""
    wanted = (key for _, keys in _location_keys(found, rule_kinds) for key in keys)
    records: dict[RowKey, dict] = {}
    for table, hit in _rows_named(tables, wanted):
        for excel_row, record in zip(table.data.loc[hit, "_row"], table.raw.loc[hit].to_dict("records")):
            records[(table.kind, table.file, table.sheet, int(excel_row))] = record
    return records


def row_dates(tables: list[Table], found: list[Located], rule_kinds: dict[str, list[str]]) -> dict[RowKey, str]:
    """The date of every primary row the findings may name (its kind's first dated field set)."""
    kinds = table_kinds()
    wanted = (key for _, keys in _location_keys(found, rule_kinds, primary_only=True) for key in keys)
    dates: dict[RowKey, str] = {}
    for table, hit in _rows_named(tables, wanted):
        fields = [n for n, spec in kinds[table.kind].fields.items() if spec.type == "date" and n in table.data]
        if not fields:
            continue
        first = table.data.loc[hit, fields].bfill(axis=1).iloc[:, 0]
        for excel_row, value in zip(table.data.loc[hit, "_row"], first):
            if pd.notna(value):
                dates[(table.kind, table.file, table.sheet, int(excel_row))] = value.date().isoformat()
    return dates


def _source_rows(findings: list[Finding], rule_kinds: dict[str, list[str]], records: dict[RowKey, dict]) -> dict:
    """The original cells of every row a finding names, for the per-rule report sheets."""
    out: dict[tuple[str, str, int], dict] = {}
    for location, keys in _location_keys(located(findings), rule_kinds):
        found = next((records[k] for k in keys if k in records), None)
        if found is not None:
            out.setdefault(location, found)
    return out


def _date_findings(findings: list[Finding], rule_kinds: dict[str, list[str]], dates: dict[RowKey, str]) -> None:
    """Give each finding the date of its primary row."""
    wanted = list(_location_keys(located(findings), rule_kinds, primary_only=True))
    for finding, (_, keys) in zip(findings, wanted):
        finding.date = next((dates[k] for k in keys if k in dates), None)


LineKey = tuple[str, str, int]  # file, sheet, Excel row


def journal_line_names(tables: Iterable[Table], rows: Iterable[LineKey]) -> dict[LineKey, dict]:
    """The voucher, line and period (记-12 第2行) of each of these rows that is a journal line."""
    from audit_rules.ledgers.journal import voucher_lines

    wanted: dict[tuple[str, str], set[int]] = {}
    for file, sheet, row in rows:
        wanted.setdefault((file, sheet), set()).add(row)
    names: dict[LineKey, dict] = {}
    for table in tables:
        here = wanted.get((table.file, table.sheet))
        if table.kind != "journal" or not here:
            continue
        lines = voucher_lines(table)
        lines = lines[lines["_row"].isin(here)]
        for row, voucher, line, period in lines.itertuples(index=False):
            names[(table.file, table.sheet, int(row))] = {
                "voucher": voucher, "voucher_line": int(line), "period": period if isinstance(period, str) else None}
    return names


def _name_journal_lines(findings: list[Finding], names: dict[LineKey, dict]) -> None:
    """Give each location on a journal line its voucher and line, as the reports name it."""
    from dataclasses import replace

    if not names:
        return
    for finding in findings:
        finding.locations = [
            replace(loc, **names[key]) if (key := (loc.file, loc.sheet, loc.row)) in names else loc
            for loc in finding.locations
        ]


def _load_baseline(baseline: str | Path | None):
    """The baseline given, loaded before any ledger is read so that a bad one stops the run early."""
    if not baseline:
        return None
    from audit_rules.reports.rectification import Baseline, BaselineError

    try:
        return Baseline.load(baseline)
    except BaselineError as exc:
        raise PipelineError(str(exc)) from exc


# ---- one result per unit (--split-by-unit) ---------------------------------------------------


def finding_units(finding: Finding, file_units: dict[str, list[str | None]]) -> set[str | None]:
    """The units a finding concerns: its own, and the unit of each file it names that holds one
    unit's rows only (a cross-unit duplicate concerns every unit that paid)."""
    units: set[str | None] = {finding.unit}
    for loc in finding.locations:
        of_file = file_units.get(loc.file, [])
        if len(of_file) == 1 and of_file[0] is not None:
            units.add(of_file[0])
    return units


def split_by_unit(result: RunResult) -> dict[str | None, RunResult]:
    """One result per unit: its findings (cross-unit ones in each unit they concern), the files
    of its rows and the shared files (reference lists of no unit), their quality checks and
    errors. None is the result of findings of no unit, when there are any."""
    from dataclasses import replace

    units = sorted({u for us in result.file_units.values() for u in us if u is not None}
                   | {f.unit for f in result.findings if f.unit is not None})
    concern = {f.id: finding_units(f, result.file_units) for f in result.findings}
    if any(concern[f.id] == {None} for f in result.findings):
        units.append(None)
    shared = {file for file, us in result.file_units.items() if all(u is None for u in us)}
    out: dict[str | None, RunResult] = {}
    for unit in units:
        files = {file for file, us in result.file_units.items() if unit in us} | shared
        findings = [f for f in result.findings if unit in concern[f.id]]
        counts = {o.rule_id: 0 for o in result.rules}
        for f in findings:
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
        out[unit] = replace(
            result,
            inputs=[i for i in result.inputs if i.file in files],
            findings=findings,
            rules=[replace(o, findings=counts[o.rule_id]) if o.status == "ran" else o for o in result.rules],
            data_quality=[q for q in result.data_quality if q.file in files],
            errors=[e for e in result.errors if e.file in files or (unit and e.file.split("/")[0] == unit)],
            resolved=None if result.resolved is None else [f for f in result.resolved if f.unit == unit],
            not_rechecked=[f for f in result.not_rechecked if f.unit == unit],
        )
    return out

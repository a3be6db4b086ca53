"""A check of many units in parts: each part read, gated and checked on its own (on Dask workers
or in this process), the rules that compare units run on every unit's rows at the end.

The result equals the one-database run of `pipeline.run_check`: the built-in rule types match
rows within a unit (and the shared reference rows), so a database holding whole units gives the
findings of those units, whatever other units it holds. What a rule's skip decision, the
reference rows shared by all and the unusable fields depend on is read from every part before
any rule runs:

  1. `read_part` (per part, on a worker): read the part's files, run the quality gate on them,
     derive the journals' payments; `outline` sends back what the plan needs (small).
  2. the plan (here): the rules that run (`plan_rules`), the transaction units, which reference
     rows are shared (`shared_rows`), which parts hold one unit (units spread over parts are
     checked together).
  3. `check_part` (per set of whole units, on a worker): the rules that do not compare units, on
     a database of those units and the shared reference rows; back come the rows of its own units,
     the source cells and dates they name, and its rows of the kinds cross-unit rules read.
  4. here: the cross-unit rules on those rows, then the findings of every rule (`assemble_rules`).

A part is the files of top-level folders (one folder per unit: 甲局/…, 乙局/…), the files beside
them together; the gate's checks across two tables (a journal against its 科目余额表,
quality/agreement.py) pair tables of one such group only, so a part sees every pair whole. Parts
are numbered in the order the files were found, and every list of the
result (inputs, errors, quality) keeps that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from audit_rules.ledgers.files import FoundFile, RefusedLink, discover_all, top_folder
from audit_rules.ledgers.mapping import Mapping
from audit_rules.ledgers.model import InputFile, LedgerSet, ReadError, Table
from audit_rules.ledgers.schema import table_kinds
from audit_rules.result import Checked, QualityResult
from audit_rules.rules.engine import Present, RuleRows, location_kinds

# A file's place in the order the files were found: inputs and errors are sorted by it.
Order = int


# ---- runners: where the tasks run ------------------------------------------------------------


class Runner(Protocol):
    """Runs the tasks: in this process (`LocalRunner`) or on a Dask cluster (`distributed.py`)."""

    def submit(self, function: Callable, *args: Any) -> Any: ...

    def gather(self, handles: Sequence[Any]) -> list: ...

    def completed(self, handles: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...


class LocalRunner:
    """Each task at once, in this process (tests and `run_units` without a cluster)."""

    def submit(self, function: Callable, *args: Any) -> Any:
        return function(*args)

    def gather(self, handles: Sequence[Any]) -> list:
        return list(handles)

    def completed(self, handles: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        yield from enumerate(handles)


# ---- parts ------------------------------------------------------------------------------------


@dataclass
class Group:
    """The files of one top-level folder (or the files beside the folders)."""

    index: int
    files: list[tuple[Order, FoundFile]]


def group_files(found: Iterable[FoundFile | RefusedLink]) -> tuple[list[Group], list[tuple[Order, ReadError]]]:
    """The groups of the files found, and the links refused (errors, never opened)."""
    groups: dict[str, Group] = {}
    refused: list[tuple[Order, ReadError]] = []
    for order, entry in enumerate(found):
        if isinstance(entry, RefusedLink):
            refused.append((order, ReadError(entry.display, entry.message)))
            continue
        # the files beside the folders are one group: a unit's journal and 科目余额表 given there
        # are compared with each other by the gate, which sees one part at a time
        groups.setdefault(top_folder(entry.display), Group(len(groups), [])).files.append((order, entry))
    return list(groups.values()), refused


def split_by_size(groups: list[Group], count: int) -> list[list[Group]]:
    """`groups` in `count` runs of consecutive groups (none empty) of about equal bytes.

    Parts cut by count alone left one worker reading a 500-row journal while the other, done
    with its small workbooks, waited; runs stay consecutive, as the units' folders are listed."""
    count = max(1, min(count, len(groups)))
    sizes = [max(1, sum(_size(found) for _, found in group.files)) for group in groups]
    total = sum(sizes)
    parts: list[list[Group]] = []
    start, done = 0, 0
    for n in range(count - 1):
        # at least one group per part, and enough left for the parts still to come
        end = start + 1
        done += sizes[start]
        while end < len(groups) - (count - 1 - n) and done + sizes[end] / 2 <= total * (n + 1) / count:
            done += sizes[end]
            end += 1
        parts.append(groups[start:end])
        start = end
    parts.append(groups[start:])
    return parts


def _size(found: FoundFile) -> int:
    try:
        return found.path.stat().st_size
    except OSError:  # gone, or on a share this machine cannot see: counted as small
        return 0


@dataclass
class GroupTables:
    """One group read and gated: its recognised tables (untrusted cells marked) and the payments
    derived from its journals, with the order of each table's file."""

    index: int
    tables: list[tuple[Order, Table]] = field(default_factory=list)
    derived: list[tuple[Order, Table]] = field(default_factory=list)


@dataclass
class Part:
    """A part read on a worker (it stays there: only its `Outline` travels)."""

    groups: list[GroupTables]
    inputs: list[tuple[Order, InputFile]]
    errors: list[tuple[Order, ReadError]]
    quality: list[QualityResult]
    usage: dict
    source_paths: dict[str, str] = field(default_factory=dict)


@dataclass
class GroupOutline:
    index: int
    files: set[str]
    transaction_units: set[str | None]  # _unit of its transaction rows (None: rows of no unit)
    reference_units: set[str | None]


@dataclass
class Outline:
    """What the plan needs of a part: counts, fields present, field usage, units."""

    groups: list[GroupOutline]
    present: Present
    usage: dict
    inputs: list[tuple[Order, InputFile]]
    errors: list[tuple[Order, ReadError]]
    quality: list[QualityResult]
    rows: int
    files: int
    source_paths: dict[str, str]
    file_units: dict[str, list[str | None]]


def read_part(groups: list[Group], mapping: Mapping | None, quality: bool,
              organisation_words: Sequence[str] = ()) -> Part:
    """Read a part's files, gate them, derive the journals' payments. The files are read as
    `load_ledgers` reads them (in a worker process under limits where processes can be started)."""
    from audit_rules.ledgers import _read_isolated
    from audit_rules.ledgers.journal import derive_payments
    from audit_rules.pipeline import _exclude_untrusted_cells

    inputs, errors, read, paths = [], [], [], {}
    for group in groups:
        present = [(order, found) for order, found in group.files if found.path.is_file()]
        errors.extend((order, _not_here(found)) for order, found in group.files if not found.path.is_file())
        tables = []
        outcomes = _read_isolated([found for _, found in present], mapping, 1)
        for (order, _found), (input_file, file_tables, file_errors) in zip(present, outcomes):
            inputs.append((order, input_file))
            errors.extend((order, error) for error in file_errors)
            paths.update({t.file: t.path for t in file_tables if t.path})
            tables.extend((order, t) for t in file_tables if t.kind is not None)
        read.append(GroupTables(group.index, tables))
    every = [t for g in read for _, t in g.tables]
    results: list[QualityResult] = []
    usage: dict = {}
    if quality:
        from audit_rules.quality import field_usage, run_quality

        results = run_quality(every)
        _exclude_untrusted_cells(every, results)
    for group in read:
        # after the gate, as in pipeline.run_check: the gate checks the journal itself
        derived = ((order, derive_payments(t, organisation_words)) for order, t in group.tables if t.kind == "journal")
        group.derived = [(order, d) for order, d in derived if d is not None]
    if quality:
        # the derived payments' fields count as in pipeline.run_check (支付方式 only they carry)
        usage = field_usage([*every, *(t for g in read for _, t in g.derived)], results)
    return Part(read, inputs, errors, results, usage, paths)


def outline(part: Part) -> Outline:
    from audit_rules.pipeline import units_of_files
    from audit_rules.rules.engine import present_fields

    reference = _reference_kinds()
    groups = []
    for group in part.groups:
        tables = [t for _, t in group.tables]
        groups.append(GroupOutline(
            index=group.index,
            files={t.file for t in tables} | {t.file for _, t in group.derived},
            transaction_units=_units_of(t for t in tables if t.kind not in reference),
            reference_units=_units_of(t for t in tables if t.kind in reference),
        ))
    every = [t for g in part.groups for _, t in (*g.tables, *g.derived)]
    return Outline(
        groups=groups,
        present=present_fields(LedgerSet(tables=every).by_kind()),
        usage=part.usage,
        inputs=part.inputs,
        errors=part.errors,
        quality=part.quality,
        rows=sum(t.rows for g in part.groups for _, t in g.tables),
        files=len(part.inputs),
        source_paths=part.source_paths,
        file_units=units_of_files(t for g in part.groups for _, t in g.tables),
    )


def _not_here(found: FoundFile) -> ReadError:
    """A file the client found that this machine cannot see (a worker without the shared folder)."""
    import socket

    return ReadError(found.display, f"文件“{found.display}”在计算机 {socket.gethostname()} 上不存在或无法访问"
                     f"（{found.path}）：各台计算机须以相同路径挂载台账目录，已跳过。")


def _reference_kinds() -> set[str]:
    return {name for name, spec in table_kinds().items() if spec.reference}


def _units_of(tables: Iterable[Table]) -> set[str | None]:
    units: set[str | None] = set()
    for table in tables:
        if len(table.data):
            column = table.data["_unit"]
            units.update(column.dropna().unique().tolist())
            if column.isna().any():
                units.add(None)
    return units


def shared_rows(part: Part, transaction_units: set[str]) -> list[tuple[int, Order, Table]]:
    """The part's reference rows shared by every unit (of no unit, or of a unit with no
    transaction ledger), with their group and file order, their unit made None."""
    reference = _reference_kinds()
    shared = []
    for group in part.groups:
        for order, table in group.tables:
            if table.kind in reference and len(table.data):
                mask = ~table.data["_unit"].isin(transaction_units)
                if mask.any():
                    data = table.data.loc[mask].copy()
                    data["_unit"] = None
                    shared.append((group.index, order, _with_data(table, data, table.raw.loc[mask])))
    return shared


def _with_data(table: Table, data, raw) -> Table:
    from dataclasses import replace

    return replace(table, data=data, raw=raw)


@dataclass
class CheckPlan:
    """What every `check_part` task is told: the rules it runs and what it sends back."""

    ruleset: Any
    rule_ids: list[str]
    rule_kinds: dict[str, list[str]]
    transaction_units: set[str]
    cross_kinds: set[str]


@dataclass
class PartRun:
    """One set of whole units checked: its rule rows, the cells and dates they name, and its
    rows of the kinds the cross-unit rules read."""

    rows: dict[str, RuleRows]
    records: dict
    dates: dict
    voucher_names: dict  # journal lines the rows name, and those the cross-unit rules may name
    cross_tables: list[tuple[tuple[int, Order], int, Table]]  # (derived, file order), place, table


def check_part(parts: list[Part], groups: set[int], shared: list[list[tuple[int, Order, Table]]],
               plan: CheckPlan) -> PartRun:
    """The rules that do not compare units on the groups' units with the shared reference rows."""
    from audit_rules.pipeline import _share_units, journal_line_names, row_dates, row_records
    from audit_rules.rules.engine import query_rules

    own = [g for part in parts for g in part.groups if g.index in groups]
    # copies of the reference tables: the part may serve other tasks at the same time
    reference = _reference_kinds()
    own_tables = [(order, _with_data(t, t.data.copy(), t.raw) if t.kind in reference else t)
                  for g in own for order, t in g.tables]
    _share_units([t for _, t in own_tables], plan.transaction_units)
    derived = [(order, t) for g in own for order, t in g.derived]
    others = [t for rows in shared for group, _, t in rows if group not in groups]
    tables = [t for _, t in own_tables] + [t for _, t in derived] + others
    ran = query_rules(LedgerSet(tables=tables).by_kind(), plan.ruleset, plan.rule_ids)
    files = {t.file for _, t in (*own_tables, *derived)}
    units = {u for t in (t for _, t in (*own_tables, *derived)) for u in t.data["_unit"].dropna().unique()}
    kept = {rule_id: _own_rows(rows, units, files) for rule_id, rows in ran.items()}
    found = [(rule_id, _locations(row)) for rule_id, rows in kept.items() for row in rows.rows]
    # ordered as pipeline.run_check orders them: files in order, then the derived payments
    every = [(0, order, t) for order, t in own_tables] + [(1, order, t) for order, t in derived]
    cross = [(key, n, t) for n, (key, t) in enumerate(((d, o), t) for d, o, t in every) if t.kind in plan.cross_kinds]
    # a cross-unit finding on a payment derived here is named on the client, which has no journal
    lines = [key for _, keys in found for key in keys]
    if "payments" in plan.cross_kinds:
        lines += [(t.file, t.sheet, int(r)) for _, t in derived for r in t.data["_row"]]
    names = journal_line_names([t for _, t in own_tables], lines)
    return PartRun(kept, row_records(tables, found, plan.rule_kinds), row_dates(tables, found, plan.rule_kinds),
                   names, cross)


def _own_rows(rows: RuleRows, units: set, files: set[str]) -> RuleRows:
    """The rows of this part's units; a row of no unit (a shared reference row's) where its
    primary row's file lies, so that no other part counts it again."""
    def own(row: dict) -> bool:
        if row.get("unit") is not None:
            return row["unit"] in units
        locations = _locations(row)
        return bool(locations) and locations[0][0] in files

    kept = [row for row in rows.rows if own(row)]
    dropped = len(rows.rows) - len(kept)
    return RuleRows(kept, rows.total - dropped, rows.facts, rows.failure)


def _locations(row: dict) -> list[tuple[str, str, int]]:
    return [(str(loc["file"]), str(loc["sheet"] or ""), int(loc["row"]))
            for loc in row.get("locations") or [] if loc is not None and loc.get("row") is not None]


# ---- the whole run ----------------------------------------------------------------------------


def run_units(
    paths: Sequence[str | Path],
    rules,
    mapping: Mapping | None,
    quality: bool,
    runner: Runner,
    parts: int = 1,
    file_done: Callable[[int, int, int], None] | None = None,
) -> Checked:
    """The check of `pipeline.run_check`, part by part on `runner` (see the module docstring)."""
    from audit_rules.pipeline import organisation_words
    from audit_rules.quality import unusable_from_usage
    from audit_rules.rules.engine import (
        assemble_rules,
        narrow_ruleset,
        plan_rules,
        query_rules,
        runnable,
    )

    groups, refused = group_files(discover_all(list(paths)))
    runs = split_by_size(groups, parts) if groups else []
    words = organisation_words(rules)
    handles = [runner.submit(read_part, run, mapping, quality, words) for run in runs]
    outlines = _outlines(runner, handles, sum(len(g.files) for g in groups), file_done)

    transaction_units = {u for o in outlines for g in o.groups for u in g.transaction_units if u is not None}
    present: Present = {}
    for o in outlines:
        for kind, fields in o.present.items():
            present.setdefault(kind, set()).update(fields)
    unusable = unusable_from_usage([o.usage for o in outlines]) if quality else {}
    rule_kinds = location_kinds(rules)
    rules, left_out = narrow_ruleset(rules, present, unusable)
    plan = plan_rules(rules, present, unusable)
    cross_ids = runnable(rules, plan, compares_units=True)
    check = CheckPlan(rules, runnable(rules, plan, compares_units=False), rule_kinds, transaction_units,
                      {kind for rule in rules.rules if rule.id in cross_ids for kind in rule_kinds[rule.id]})

    shared = [runner.submit(shared_rows, h, transaction_units) for h in handles]
    checks = [
        runner.submit(check_part, [handles[p] for p in sorted(places)], members, shared, check)
        for members, places in _unit_sets(outlines, transaction_units)
    ]
    done = runner.gather(checks)

    ran: dict[str, list[RuleRows]] = {}
    records, dates, voucher_names = {}, {}, {}
    for part_run in done:
        for rule_id, rows in part_run.rows.items():
            ran.setdefault(rule_id, []).append(rows)
        records.update(part_run.records)
        dates.update(part_run.dates)
        voucher_names.update(part_run.voucher_names)
    cross_tables = [t for _, _, t in sorted((c for r in done for c in r.cross_tables), key=lambda c: c[:2])]
    if cross_ids:
        from audit_rules.pipeline import journal_line_names, row_dates, row_records

        for rule_id, rows in query_rules(LedgerSet(tables=cross_tables).by_kind(), rules, cross_ids).items():
            ran[rule_id] = [rows]
            found = [(rule_id, _locations(row)) for row in rows.rows]
            records.update(row_records(cross_tables, found, rule_kinds))
            dates.update(row_dates(cross_tables, found, rule_kinds))
            # a cross-unit rule reading the journal itself: its lines are here
            voucher_names.update(journal_line_names(cross_tables, (key for _, keys in found for key in keys)))
    findings, outcomes = assemble_rules(rules, plan, ran, left_out)
    return Checked(
        inputs=[i for _, i in sorted((i for o in outlines for i in o.inputs), key=lambda x: x[0])],
        errors=[e for _, e in sorted([*refused, *(e for o in outlines for e in o.errors)], key=lambda x: x[0])],
        quality=sorted((q for o in outlines for q in o.quality),
                       key=lambda r: (r.file, r.sheet, r.field or "", r.check)),
        findings=findings,
        outcomes=outcomes,
        records=records,
        dates=dates,
        source_paths={file: path for o in outlines for file, path in o.source_paths.items()},
        files_read={file for o in outlines for g in o.groups for file in g.files},
        file_units={file: units for o in outlines for file, units in o.file_units.items()},
        voucher_names=voucher_names,
    )


def _outlines(runner: Runner, handles: list, files: int, file_done) -> list[Outline]:
    """Every part's outline, telling `file_done(done, total, rows)` as each part is read."""
    outlines: list[Outline | None] = [None] * len(handles)
    done = 0
    for index, part_outline in runner.completed([runner.submit(outline, h) for h in handles]):
        outlines[index] = part_outline
        done += part_outline.files
        if file_done is not None:
            file_done(done, files, part_outline.rows)
    return outlines  # type: ignore[return-value]


def _unit_sets(outlines: list[Outline], transaction_units: set[str]) -> list[tuple[set[int], set[int]]]:
    """Groups checked together (those holding rows of one unit), with the parts they lie in.

    Mostly one set per part; a unit whose rows lie in several parts joins them in one set."""
    parent: dict[int, int] = {}

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[object, int] = {}
    place: dict[int, int] = {}
    for part_index, o in enumerate(outlines):
        for g in o.groups:
            parent[g.index] = g.index
            place[g.index] = part_index
            keys = set(g.transaction_units) | {u for u in g.reference_units if u in transaction_units}
            for key in keys:
                if key in owner:
                    parent[root(g.index)] = root(owner[key])
                else:
                    owner[key] = g.index
    sets: dict[int, set[int]] = {}
    for g in parent:
        sets.setdefault(root(g), set()).add(g)
    # One task per part where the part's groups form whole sets; sets spread over parts alone.
    by_part: dict[tuple[int, ...], set[int]] = {}
    for members in sets.values():
        places = tuple(sorted({place[g] for g in members}))
        by_part.setdefault(places, set()).update(members)
    return [(members, set(places)) for places, members in sorted(by_part.items())]

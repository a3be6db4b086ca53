"""Ledger reading: files in, canonical typed tables out (see shared/design.md, ledgers/).

    load_ledgers(paths, mapping=None) -> LedgerSet
    inspect_ledgers(paths, mapping=None) -> list[dict]   (what `audit-rules inspect` shows)
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from audit_rules.ledgers.files import FoundFile, discover, sha256_of
from audit_rules.ledgers.journal import journal_summary
from audit_rules.ledgers.mapping import Mapping, MappingError, load_mapping
from audit_rules.ledgers.model import InputFile, LedgerSet, ReadError, Table
from audit_rules.ledgers.reader import read_file
from audit_rules.processes import main_module_hidden

__all__ = ["load_ledgers", "inspect_ledgers", "MappingError", "LedgerSet", "Table", "ReadError"]


# Below this many files a pool's start-up (a fresh interpreter importing pandas) costs more
# than it saves; above it, files are read in parallel, one worker per core.
PARALLEL_FROM_FILES = 24
WORKERS_ENV = "AUDIT_RULES_WORKERS"  # e.g. 1 to read in this process only


def load_ledgers(
    paths: list[str | Path], mapping: str | Path | Mapping | None = None, workers: int | None = None
) -> LedgerSet:
    """Read every ledger file under ``paths``: all tables (recognised or not), inputs, errors.

    A path that does not exist raises FileNotFoundError and a bad mapping file MappingError
    (both with Chinese messages): those are mistakes in the command, not in a ledger. A ledger
    file that cannot be read becomes a ReadError and the others are still read. Many files
    (hundreds of units at once) are read by a pool of `workers` processes; the result is the
    same as reading them one by one, in the same order.
    """
    rules = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    found = discover(list(paths))
    count = _worker_count(len(found), workers)
    results = _read_in_pool(found, rules, count) if count > 1 else None
    if results is None:
        results = [_read_one(f, rules) for f in found]
    ledgers = LedgerSet()
    for input_file, tables, errors in results:
        ledgers.inputs.append(input_file)
        ledgers.tables.extend(tables)
        ledgers.errors.extend(errors)
    return ledgers


def _read_in_pool(found: list[FoundFile], rules: Mapping | None, count: int) -> list | None:
    """Read the files in `count` worker processes; None when a pool cannot be had here."""
    # spawn, not fork: the caller may have threads running (forked locks could deadlock).
    context = multiprocessing.get_context("spawn")
    chunk = max(1, len(found) // (count * 8))
    try:
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            with main_module_hidden():  # the workers all start while the tasks are submitted
                pending = pool.map(_read_one, found, [rules] * len(found), chunksize=chunk)
            return list(pending)
    except (BrokenProcessPool, OSError, RuntimeError):
        # No processes in this environment (a daemon, a sandbox): read in this process.
        return None


def _read_one(found: FoundFile, rules: Mapping | None) -> tuple[InputFile, list[Table], list[ReadError]]:
    tables, errors = read_file(found, rules)
    return InputFile(found.display, sha256_of(found.path), str(found.path)), tables, errors


def _worker_count(files: int, asked: int | None) -> int:
    if asked is None:
        asked = int(os.environ.get(WORKERS_ENV, "0") or 0) or None
    if asked is not None:
        return max(1, min(asked, files))
    if files < PARALLEL_FROM_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def inspect_ledgers(paths: list[str | Path], mapping: str | Path | Mapping | None = None) -> list[dict]:
    """One plain dict per table and per read error (JSON-ready), in reading order."""
    ledgers = load_ledgers(paths, mapping)
    entries = [_table_entry(table) for table in ledgers.tables]
    entries.extend(
        {"file": error.file, "sheet": error.sheet, "kind": None, "error": error.message}
        for error in ledgers.errors
    )
    return entries


def _table_entry(table: Table) -> dict:
    entry = _plain_entry(table)
    if table.kind == "journal":
        summary = journal_summary(table)
        entry["journal"] = summary
        entry["notes"].append(
            f"序时账：{summary['vouchers']} 张凭证，生成付款记录 {summary['payments']} 条"
            + (f"；辅助核算含 {'、'.join(summary['auxiliaries'])}" if summary["auxiliaries"] else "")
        )
    return entry


def _plain_entry(table: Table) -> dict:
    return {
        "file": table.file,
        "sheet": table.sheet,
        "kind": table.kind,
        "header_row": table.header_row,
        "fields": dict(table.fields),
        "unmapped": list(table.unmapped),
        "rows": table.rows,
        "notes": list(table.notes),
        "problems": [
            {"row": p.row, "column": p.column, "value": _jsonable(p.value), "message": p.message}
            for p in table.problems
        ],
    }


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)

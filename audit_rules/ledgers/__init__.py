"""Ledger reading: files in, canonical typed tables out (see shared/design.md, ledgers/).

    load_ledgers(paths, mapping=None) -> LedgerSet
    inspect_ledgers(paths, mapping=None) -> list[dict]   (what `audit-rules inspect` shows)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from audit_rules.ledgers.files import FoundFile, Limits, RefusedLink, discover_all, sha256_of
from audit_rules.ledgers.journal import journal_summary
from audit_rules.ledgers.mapping import Mapping, MappingError, load_mapping
from audit_rules.ledgers.model import InputFile, LedgerSet, ReadError, Table
from audit_rules.ledgers.reader import read_file
from audit_rules.processes import TaskFailed, shared_workers

__all__ = ["load_ledgers", "inspect_ledgers", "MappingError", "LedgerSet", "Table", "ReadError"]


# Every file is read in a worker process (a hostile workbook can make the native readers
# allocate without bound, loop or abort). Workers stay up between calls; with many files several
# read in parallel, one per core.
PARALLEL_FROM_FILES = 24
WORKERS_ENV = "AUDIT_RULES_WORKERS"  # how many workers read at once (default: 1, or up to 4 cores)
# Address space of one reading worker. Its baseline (Python, pandas, the readers' thread pools)
# reserves about 1.6 GB; a large honest workbook needs well under 1 GB more.
FILE_MEMORY_ENV = "AUDIT_RULES_FILE_MEMORY_MB"  # 0: no limit
DEFAULT_FILE_MEMORY_MB = 4096
# Time to read one file; the largest honest ledgers read in well under a minute.
FILE_SECONDS_ENV = "AUDIT_RULES_FILE_SECONDS"  # 0: no limit
DEFAULT_FILE_SECONDS = 300
_READER_MODULE = "audit_rules.ledgers.reader"  # what a reading worker imports as it starts


def load_ledgers(
    paths: list[str | Path],
    mapping: str | Path | Mapping | None = None,
    workers: int | None = None,
    file_done: Callable[[int, int, int], None] | None = None,
) -> LedgerSet:
    """Read every ledger file under ``paths``: all tables (recognised or not), inputs, errors.

    A path that does not exist raises FileNotFoundError and a bad mapping file MappingError
    (both with Chinese messages): those are mistakes in the command, not in a ledger. A ledger
    file that cannot be read becomes a ReadError and the others are still read — also a file
    whose reading ran out of memory or time or crashed the reader (its worker is replaced).
    Many files (hundreds of units at once) are read by `workers` processes at once; the result
    is the same as reading them one by one, in the same order. A link refused by `discover_all` is
    an error and is never opened (not even hashed). `file_done(files done, files in all, rows
    of that file)` is told as each file is read, in the order they finish (a progress bar).
    """
    rules = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    found = discover_all(list(paths))
    readable = [f for f in found if isinstance(f, FoundFile)]
    results = iter(_read_isolated(readable, rules, _worker_count(len(readable), workers), file_done))
    ledgers = LedgerSet()
    for entry in found:
        if isinstance(entry, RefusedLink):
            ledgers.errors.append(ReadError(entry.display, entry.message))
            continue
        input_file, tables, errors = next(results)
        ledgers.inputs.append(input_file)
        ledgers.tables.extend(tables)
        ledgers.errors.extend(errors)
    return ledgers


def start_reading(paths: list[str | Path], workers: int | None = None) -> None:
    """Start the workers that will read the ledgers under `paths`, and return at once.

    A worker takes half a second to import pandas and the readers: started before the ruleset
    is loaded, it is ready when load_ledgers hands it the first file. Anything amiss (a missing
    path, no processes here) is left for load_ledgers to report."""
    try:
        readable = [f for f in discover_all(list(paths)) if isinstance(f, FoundFile)]
        if readable:
            memory_mb = _limit(FILE_MEMORY_ENV, DEFAULT_FILE_MEMORY_MB)
            pool = shared_workers(memory_mb * 1024 * 1024 or None, preload=_READER_MODULE)
            pool.start(_worker_count(len(readable), workers))
    except (OSError, AssertionError, ValueError):
        pass


def _limit(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    try:
        return max(0, int(text)) if text else default
    except ValueError:
        raise ValueError(f"环境变量 {name} 应为整数（当前为“{text}”）") from None


def _read_isolated(found: list[FoundFile], rules: Mapping | None, count: int, file_done=None) -> list:
    """Each file read in a worker under the memory and time limits; a failed worker = that file's error."""
    if not found:
        return []
    told = _Counter(len(found), file_done)
    memory_mb = _limit(FILE_MEMORY_ENV, DEFAULT_FILE_MEMORY_MB)
    seconds = _limit(FILE_SECONDS_ENV, DEFAULT_FILE_SECONDS)
    limits = Limits.current()
    tasks = [(f, rules, limits) for f in found]
    try:
        pool = shared_workers(memory_mb * 1024 * 1024 or None, preload=_READER_MODULE)
        outcomes = pool.run(_read_one, tasks, count, seconds or None, done=told)
    except (OSError, AssertionError):
        # No processes here (a sandbox, or inside a daemonic process): read in this process.
        told.restart()
        return [told(n, _read_one(*task)) for n, task in enumerate(tasks)]
    return [
        _failed(f, outcome, memory_mb, seconds) if isinstance(outcome, TaskFailed) else outcome
        for f, outcome in zip(found, outcomes)
    ]


class _Counter:
    """Tells `file_done(done, total, rows)` of each file read (nothing without a `file_done`)."""

    def __init__(self, total: int, file_done):
        self.total, self.file_done, self.done = total, file_done, 0

    def restart(self) -> None:
        self.done = 0

    def __call__(self, index: int, outcome):
        self.done += 1
        if self.file_done is not None:
            rows = 0 if isinstance(outcome, TaskFailed) else sum(t.rows for t in outcome[1])
            self.file_done(self.done, self.total, rows)
        return outcome


def _failed(found: FoundFile, failure: TaskFailed, memory_mb: int, seconds: int) -> tuple:
    """The one error of a file whose worker gave no result: which limit, which file."""
    display = found.display
    if failure.limit == "memory":
        message = (f"文件“{display}”读取时内存超过上限 {memory_mb} MB（环境变量 {FILE_MEMORY_ENV}），已中止读取。"
                   "文件可能已损坏或被篡改；如确为正常台账，可调高该上限后重试。")
    elif failure.limit == "time":
        message = (f"文件“{display}”读取超过时间上限 {seconds} 秒（环境变量 {FILE_SECONDS_ENV}），已中止读取。"
                   "文件可能已损坏或被篡改；如确为正常台账，可调高该上限后重试。")
    elif failure.limit == "crash":
        message = f"文件“{display}”读取时读取程序异常退出（{failure.detail}），文件可能已损坏，已跳过。"
    else:
        message = f"文件“{display}”无法读取，可能已损坏（{failure.detail}）。"
    return _input_of(found), [], [ReadError(display, message)]


def _input_of(found: FoundFile) -> InputFile:
    return InputFile(found.display, sha256_of(found.path), str(found.path))


def _read_one(found: FoundFile, rules: Mapping | None, limits: Limits | None = None) -> tuple[InputFile, list[Table], list[ReadError]]:
    if limits is not None:
        limits.install()
    try:
        tables, errors = read_file(found, rules)
    except (MemoryError, KeyboardInterrupt, SystemExit):
        raise  # the worker reports memory; the others end the run
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException is no Exception
        tables, errors = [], [ReadError(found.display, _unexpected(found.display, error))]
    return _input_of(found), tables, errors


def _unexpected(display: str, error: BaseException) -> str:
    """A file the reader could not handle: a native reader's panic (a corrupt workbook), or a bug."""
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    if type(error).__name__ == "PanicException":
        return f"文件“{display}”无法作为 Excel 工作簿读取，可能已损坏（读取库内部错误：{detail}）。"
    return f"文件“{display}”读取时出现未预期的错误（{type(error).__name__}：{detail}），已跳过。"


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

"""One persistent worker process that imports great_expectations and validates for the gate.

Importing GX takes ~2.5 s of pure Python; in a thread it holds the GIL and slows the reading
of the ledgers it was meant to overlap. A separate process imports it truly in parallel (the
machine has 2 cores) and then serves every `run_quality` call of its parent:

    request  (tables, today, earliest)        reply  ("ok", [QualityResult, ...])
                                                      ("error", "TypeError: ...")
    request  None                             the worker exits

The tables sent are light copies (`light_copy`: only what the checks read), cheap to pickle.
The worker only transports: it runs `validation.validate_tables` on what it receives.

The worker is started with "spawn" (never fork: the parent has threads), is a daemon, and is
stopped at interpreter exit (stop message, join with a timeout, terminate if needed). Whatever
goes wrong on the way (the worker died, the pipe broke, a table cannot be pickled),
`validate()` returns None and the gate validates in its own process instead, silently.

Starting the worker imports no great_expectations in the parent.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pandas as pd

from audit_rules.ledgers import wire
from audit_rules.ledgers.model import BAD_FIELDS, Table
from audit_rules.ledgers.schema import table_kinds
from audit_rules.processes import main_module_hidden, release_memory
from audit_rules.quality import runtime, validation
from audit_rules.quality.suites import table_checks

# How often a waiting parent checks that the worker is still alive.
POLL_SECONDS = 0.2
# How long interpreter exit waits for the worker to stop by itself before terminating it.
STOP_TIMEOUT_SECONDS = 5.0
STOP = None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    owner_pid: int  # the parent that started it; a forked child must not share its pipe
    lock: threading.Lock
    broken: bool = False


_worker: _Worker | None = None
_start_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Parent side
# ---------------------------------------------------------------------------------------------


def start_worker() -> None:
    """Start the worker once per process (idempotent, returns at once)."""
    global _worker
    with _start_lock:
        if _worker is not None and _worker.owner_pid == os.getpid():
            return
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent_conn, child_conn = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(child_conn,), name="audit-rules-gx", daemon=True)
        try:
            with main_module_hidden():
                process.start()
        except Exception:  # noqa: BLE001 - e.g. inside a daemonic process: validate in-process
            parent_conn.close()
            child_conn.close()
            return
        # The child holds its own end now; closing ours lets recv() see EOF when the child dies.
        child_conn.close()
        _worker = _Worker(process, parent_conn, os.getpid(), threading.Lock())
        atexit.register(stop_worker)


def worker_pid() -> int | None:
    """The worker's process id while it can serve this process, else None."""
    worker = _serving_worker()
    return worker.process.pid if worker is not None else None


def validate(tables: list[Table], today, earliest) -> list | None:
    """The worker's results for these (recognised) tables, or None when it cannot give them."""
    worker = _serving_worker()
    if worker is None:
        return None
    # A small table pickles quicker whole than its light copy is made.
    light = [light_copy(t) if t.rows >= wire.PACK_FROM_ROWS else t for t in tables]
    try:
        # Pickled here, before anything is written: a table that cannot be pickled leaves the
        # pipe clean and the worker usable for the next call.
        request = bytes(ForkingPickler.dumps((light, today, earliest)))
    except Exception:  # noqa: BLE001
        return None
    with worker.lock:
        if worker.broken:
            return None
        finished = False
        try:
            worker.conn.send_bytes(request)
            reply = _wait_for_reply(worker)
            finished = reply is not None
        except Exception:  # noqa: BLE001 - EOF, broken pipe, reset: the worker is gone
            reply = None
        finally:
            if not finished:
                # Interrupted or dead mid-request: a late reply would answer the wrong call.
                worker.broken = True
                _discard(worker)
    if reply is None:
        return None
    status, payload = reply
    return payload if status == "ok" else None


def stop_worker() -> None:
    """Stop the worker cleanly (registered with atexit); leaves no zombie."""
    global _worker
    worker = _worker
    if worker is None or worker.owner_pid != os.getpid():
        return
    _worker = None
    if not worker.broken:
        try:
            worker.conn.send(STOP)
        except Exception:  # noqa: BLE001 - already gone
            pass
        worker.process.join(STOP_TIMEOUT_SECONDS)
    _discard(worker)


def _serving_worker() -> _Worker | None:
    worker = _worker
    if worker is None or worker.owner_pid != os.getpid() or worker.broken:
        return None
    if not worker.process.is_alive():
        worker.broken = True
        _discard(worker)
        return None
    return worker


def _wait_for_reply(worker: _Worker):
    """The worker's reply, or None when it died before giving one."""
    while not worker.conn.poll(POLL_SECONDS):
        if not worker.process.is_alive() and not worker.conn.poll(0):
            return None
    return worker.conn.recv()


def _discard(worker: _Worker) -> None:
    """Terminate if still running, reap (no zombie), close the pipe."""
    process = worker.process
    if process.is_alive():
        process.terminate()
        process.join(1.0)
    if process.is_alive():
        process.kill()
    process.join()
    worker.conn.close()


# ---------------------------------------------------------------------------------------------
# Light copies: what is sent
# ---------------------------------------------------------------------------------------------


def light_copy(table: Table) -> Table:
    """What the checks read of a table, cheap to pickle for the worker (same results).

    Pickling text columns dominates the cost (≈1.2 s for 200k payment rows), so columns no
    check reads keep only their presence; raw cells are kept only for rows with `_bad` cells,
    the only ones the checks may quote (found by index label).
    """
    bad_rows = _rows_with_bad_cells(table.data)
    return Table(file=table.file, sheet=table.sheet, kind=table.kind, header_row=table.header_row,
                 fields=table.fields, unmapped=[], data=_data_the_checks_read(table, bad_rows),
                 raw=_raw_of_bad_rows(table, bad_rows), problems=table.problems, totals=table.totals,
                 totals_row=table.totals_row, scale=table.scale, period=table.period)


def _data_the_checks_read(table: Table, bad_rows: np.ndarray) -> pd.DataFrame:
    """Every column, with values only where the checks read them; the others all null.

    Read: checked fields (their values, or the parsed value a readable check falls back to),
    fields with a 合计, the fields of a kind's table-level check (a trial balance's roll-forward),
    the date (month of a monthly-unique value), `_row` and `_bad`. Every
    other column counts only by its presence (suite grouping, required columns).
    """
    data = table.data
    spec = table_kinds()[table.kind]
    present = [f for f in spec.fields if f in data.columns]
    read = {c.field for c in table_checks(spec.name, present) if c.field is not None}
    read |= set(table.totals) | {"date", "_row"} | set(validation.TABLE_CHECK_FIELDS.get(table.kind, ()))
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
    positions = list(validation.bad_positions(data.reset_index(drop=True)).values())
    return np.unique(np.concatenate(positions)) if positions else np.array([], dtype="int64")


def _raw_of_bad_rows(table: Table, bad_rows: np.ndarray) -> pd.DataFrame | None:
    raw, data = table.raw, table.data
    if raw is None or not raw.index.is_unique:
        return raw  # looked up by position by the checks: every row must stay
    return raw[raw.index.isin(data.index[bad_rows])]


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """The worker's life: import GX and build the runtime at once, then answer requests."""
    # Ctrl-C belongs to the parent, which then stops us; our own traceback would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    runtime.quiet_environment()
    _thread_only_tqdm_lock()
    try:
        runtime.prepare()
    except Exception:  # noqa: BLE001 - each request then reports the error itself
        pass
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            _exit_at_once()
        if request is STOP:
            _exit_at_once()
        conn.send_bytes(_answer(request))
        del request
        release_memory()  # the tables it validated are gone; their memory goes back too


def _exit_at_once() -> None:
    """End the worker without tearing down great_expectations' modules one by one (half a
    second that the parent, joining us as it exits, would wait for): nothing is left to write."""
    atexit._run_exitfuncs()  # what was registered to run at exit still runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _thread_only_tqdm_lock() -> None:
    """GX makes (disabled) tqdm bars, and tqdm's write lock is a multiprocessing semaphore.

    No process shares this worker's bars; a thread lock leaves nothing for multiprocessing's
    resource tracker to warn about on stderr if the worker is ever killed.
    """
    try:
        from tqdm import tqdm
    except ImportError:
        return
    tqdm.set_lock(threading.RLock())


def _answer(request) -> bytes:
    """The pickled reply; an error (even one pickling the results) is a message, not a crash."""
    try:
        tables, today, earliest = request
        results = validation.validate_tables(tables, today, earliest)
        return bytes(ForkingPickler.dumps(("ok", results)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which validates itself
        return bytes(ForkingPickler.dumps(("error", f"{type(exc).__name__}: {exc}")))

"""One persistent worker process that imports great_expectations and validates for the gate.

Importing GX takes ~2.5 s of pure Python; in a thread it holds the GIL and slows the reading
of the ledgers it was meant to overlap. A separate process imports it truly in parallel (the
machine has 2 cores) and then serves every `run_quality` call of its parent:

    request  (tables, today, earliest)        reply  ("ok", [QualityResult, ...])
                                                      ("error", "TypeError: ...")
    request  None                             the worker exits

The worker is started with "spawn" (never fork: the parent has threads), is a daemon, and is
stopped at interpreter exit (stop message, join with a timeout, terminate if needed). Whatever
goes wrong on the way (the worker died, the pipe broke, a table cannot be pickled),
`validate()` returns None and the gate validates in its own process instead, silently.

This module imports neither pandas nor great_expectations in the parent.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler

from audit_rules.processes import main_module_hidden

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


def validate(tables: list, today, earliest) -> list | None:
    """The worker's results for these tables, or None when it cannot give them."""
    worker = _serving_worker()
    if worker is None:
        return None
    try:
        # Pickled here, before anything is written: a table that cannot be pickled leaves the
        # pipe clean and the worker usable for the next call.
        request = bytes(ForkingPickler.dumps((tables, today, earliest)))
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
# Worker side
# ---------------------------------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """The worker's life: import GX and build the runtime at once, then answer requests."""
    # Ctrl-C belongs to the parent, which then stops us; our own traceback would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    _thread_only_tqdm_lock()
    from audit_rules.quality import gate

    try:
        gate._gx_runtime()
    except Exception:  # noqa: BLE001 - each request then reports the error itself
        pass
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if request is STOP:
            return
        conn.send_bytes(_answer(gate, request))


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


def _answer(gate, request) -> bytes:
    """The pickled reply; an error (even one pickling the results) is a message, not a crash."""
    try:
        tables, today, earliest = request
        results = gate._validate_in_process(tables, today, earliest)
        return bytes(ForkingPickler.dumps(("ok", results)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which validates itself
        return bytes(ForkingPickler.dumps(("error", f"{type(exc).__name__}: {exc}")))

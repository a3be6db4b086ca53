"""Helpers for the worker processes the stages start (spawned, never forked)."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import types
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any, NamedTuple


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """While processes are spawned, show them a bare `__main__`.

    Spawn re-imports the caller's script in each child before running its target. A script
    without an `if __name__ == "__main__":` guard (the natural way to call `run_check` from
    Python) would then run again in every child: read every ledger again, or start workers
    from a worker, which multiprocessing refuses. The children need nothing from the script
    (their targets live in this package), and spawn reads `__main__` only while starting them.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


# ---- workers under limits ----------------------------------------------------------------------
# Native readers (calamine, fastexcel) can be made by a hostile file to allocate without bound,
# loop, or abort the whole process. Such work runs in spawned worker processes that each have an
# address-space limit (set once, when the worker starts) and a time limit per task (the parent
# kills and replaces a worker that overruns). A worker that dies takes only its task with it.


STARTUP_SECONDS = 120  # a fresh worker imports its modules before it takes the first task


class TaskFailed(NamedTuple):
    """A task that gave no result. `limit` is "memory", "time", "crash" or "error"."""

    limit: str
    detail: str  # for the user: which limit, what the worker said (Chinese where ours)


def _set_memory_limit(memory_bytes: int | None) -> None:
    if not memory_bytes:
        return
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


def _serve(conn, memory_bytes: int | None, stderr_path: str, preload: str | None) -> None:
    """A worker's loop: (function, args) in, ("ok", result) or (limit, detail) out."""
    # Ctrl-C reaches the whole process group; the parent decides and ends its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What a native library prints before it aborts ("memory allocation of … failed") tells the
    # parent why the worker died, and would otherwise clutter the user's terminal.
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    _set_memory_limit(memory_bytes)
    if preload:
        __import__(preload)
    conn.send(("ready", None))  # the parent starts a task's clock from here, not from the spawn
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            # At once, without tearing pandas and pyarrow down module by module: the parent
            # joins its workers as it exits, and there is nothing left to write.
            atexit._run_exitfuncs()  # what was registered to run at exit still runs
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        function, args = message
        started = time.monotonic()
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except MemoryError:
            reply = ("memory", "")
        except BaseException as error:  # noqa: BLE001 - pyo3 PanicException is a BaseException
            reply = ("error", f"{type(error).__name__}: {error}"[:500])
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", ""))
        except Exception as error:  # noqa: BLE001 - a result that cannot be sent back
            conn.send(("error", f"{type(error).__name__}: {error}"[:500]))
        del reply
        if time.monotonic() - started > LARGE_TASK_SECONDS:
            release_memory()


# A task that ran this long read a large file: the memory it freed is given back to the system.
# (Not after every task: a collection costs tens of milliseconds, a small file's whole read.)
LARGE_TASK_SECONDS = 1.0


def release_memory() -> None:
    """Give the system back what the last task freed.

    A worker stays up between tasks and would otherwise keep its largest file's peak (half a
    gigabyte for 500k rows) while its parent goes on with the rules and the reports: the
    machine then holds both."""
    import gc

    gc.collect()
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)  # glibc: free heap pages back to the system
    except (OSError, AttributeError, TypeError):
        pass  # not glibc (macOS, Windows, musl)


class _Worker:
    def __init__(self, context, memory_bytes: int | None, preload: str | None):
        self.conn, child = context.Pipe()
        handle, self.stderr_path = tempfile.mkstemp(prefix="audit-rules-worker-", suffix=".log")
        os.close(handle)
        self.process = context.Process(
            target=_serve, args=(child, memory_bytes, self.stderr_path, preload), daemon=True
        )
        with main_module_hidden():
            self.process.start()
        child.close()
        self.ready = False

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr_path, "rb") as handle:
                # a Rust abort prints its reason first, then a backtrace of some 10 KB
                handle.seek(max(0, os.path.getsize(self.stderr_path) - 64 * 1024))
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        try:
            os.unlink(self.stderr_path)
        except OSError:
            pass


# What Rust ("memory allocation of 512 GB failed"), C++ and Python print when an allocation fails.
_OUT_OF_MEMORY = ("memory allocation of", "MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")


def _death(worker: _Worker, memory_bytes: int | None) -> TaskFailed:
    """Why a worker that stopped answering died: memory (abort after a failed allocation), or a crash."""
    worker.process.join(5)
    code = worker.process.exitcode
    said = worker.stderr_tail()
    lines = [line for line in said.splitlines() if any(sign in line for sign in _OUT_OF_MEMORY)]
    if lines:
        return TaskFailed("memory", lines[0].strip()[:300])
    name = f"信号 {-code}" if code is not None and code < 0 else f"退出码 {code}"
    return TaskFailed("crash", name)


class LimitedWorkers:
    """Persistent spawned workers, each under an address-space limit, one task at a time.

    Reused across calls (a worker imports pandas once, not once per batch); a worker that dies or
    overruns its time is replaced by a fresh one before the next task.
    """

    def __init__(self, memory_bytes: int | None, preload: str | None = None):
        self.memory_bytes = memory_bytes
        self.preload = preload
        self._context = multiprocessing.get_context("spawn")  # not fork: the caller may hold threads' locks
        self._workers: list[_Worker] = []

    def start(self, count: int) -> None:
        """Have `count` workers starting now (they import their modules meanwhile)."""
        self._grow(count)

    def _grow(self, count: int) -> None:
        self._workers = [w for w in self._workers if w.process.is_alive()] or []
        while len(self._workers) < count:
            self._workers.append(_Worker(self._context, self.memory_bytes, self.preload))

    def _replace(self, worker: _Worker, kill: bool) -> _Worker:
        """A fresh worker in `worker`'s place (the old one ended, killed when `kill`)."""
        worker.stop(kill=kill)
        fresh = _Worker(self._context, self.memory_bytes, self.preload)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def run(self, function: Callable, tasks: Sequence[tuple], count: int, seconds: float | None,
            done: Callable[[int, Any], None] | None = None) -> list:
        """function(*task) for every task, in order: its result, or a TaskFailed.
        `done(task index, result)` is told each task as it finishes (for a progress bar)."""
        finished = done or (lambda index, result: None)
        count = max(1, min(count, len(tasks)))
        self._grow(count)
        results: list[Any] = [None] * len(tasks)
        waiting = deque(range(len(tasks)))
        busy: dict[_Worker, tuple[int, float]] = {}  # worker -> (task, deadline)
        while waiting or busy:
            for worker in self._workers[:count]:
                if worker not in busy and waiting:
                    index = waiting.popleft()
                    try:
                        worker.conn.send((function, tasks[index]))
                    except OSError:  # it died while idle: the task waits for the fresh one
                        waiting.appendleft(index)
                        self._replace(worker, kill=True)
                        continue
                    busy[worker] = (index, self._deadline(worker, seconds))
            if not busy:
                continue
            first = min(deadline for _index, deadline in busy.values())
            timeout = None if first == float("inf") else max(0.0, first - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=timeout)
            for worker, (index, deadline) in list(busy.items()):
                if worker.conn in ready:
                    del busy[worker]
                    try:
                        status, payload = worker.conn.recv()
                    except (EOFError, OSError):  # it died: signal, abort after a failed allocation…
                        results[index] = _death(worker, self.memory_bytes)
                        self._replace(worker, kill=True)
                        finished(index, results[index])
                        continue
                    if status == "ready":
                        worker.ready = True
                        busy[worker] = (index, self._deadline(worker, seconds))
                        continue
                    results[index] = payload if status == "ok" else TaskFailed(status, payload)
                    finished(index, results[index])
                elif time.monotonic() >= deadline:
                    del busy[worker]
                    results[index] = TaskFailed("time", "")
                    self._replace(worker, kill=True)
                    finished(index, results[index])
        return results

    @staticmethod
    def _deadline(worker: _Worker, seconds: float | None) -> float:
        if not seconds:
            return float("inf")
        # A worker still starting (importing pandas) is given the start-up on top.
        return time.monotonic() + seconds + (0 if worker.ready else STARTUP_SECONDS)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []


_SHARED: dict[tuple, LimitedWorkers] = {}


def shared_workers(memory_bytes: int | None, preload: str | None = None) -> LimitedWorkers:
    """The process-wide workers for these limits, started on first use and ended at exit."""
    key = (memory_bytes, preload)
    if key not in _SHARED:
        for other in list(_SHARED):  # limits changed (another environment): old workers go
            _SHARED.pop(other).close()
        _SHARED[key] = LimitedWorkers(memory_bytes, preload)
    return _SHARED[key]


@atexit.register
def _close_shared() -> None:
    for workers in _SHARED.values():
        workers.close()
    _SHARED.clear()

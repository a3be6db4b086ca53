"""The batch run's tasks (audit_rules/batch.py) on a Dask distributed cluster: `--scheduler
tcp://HOST:PORT` for a running one, `--workers N` for N local worker processes.

Workers read the ledgers by the paths the client found them at: every machine must see the
ledger folder at the same path (a shared folder mounted alike). Files are never sent to the
workers; a file a worker cannot see is that file's error, named. `distributed` is the optional
extra `audit-rules[dask]`, needed on the client and on every worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

INSTALL_HINT = "pip install 'audit-rules[dask]'"
# Parts per worker thread: enough for a worker that finishes early to take another part,
# few enough that each part's fixed costs (a quality-gate run, a rules database: about a second)
# stay small; parts are cut to about equal bytes (batch.split_by_size).
PARTS_PER_THREAD = 2


class DaskError(Exception):
    """Dask cannot be used (not installed, scheduler unreachable); the message is Chinese."""


class DaskRunner:
    """batch.Runner on a distributed Client: tasks are futures, results stay on the workers
    until gathered."""

    def __init__(self, client):
        self.client = client

    def submit(self, function: Callable, *args: Any):
        return self.client.submit(function, *args, pure=False)

    def gather(self, handles: Sequence[Any]) -> list:
        return self.client.gather(list(handles))

    def completed(self, handles: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        place = {future.key: n for n, future in enumerate(handles)}
        for future in as_completed(list(handles)):
            yield place[future.key], future.result()

    def parts(self, groups: int) -> int:
        """How many parts to cut `groups` units' folders into for this cluster."""
        threads = sum(self.client.nthreads().values()) or 1
        return max(1, min(groups, threads * PARTS_PER_THREAD))


def _distributed():
    try:
        import distributed
    except ImportError:
        raise DaskError(f"使用 --workers 或 --scheduler 需要安装 Dask 分布式组件 distributed：{INSTALL_HINT}") from None
    return distributed


@contextmanager
def dask_runner(scheduler: str | None = None, workers: int | None = None) -> Iterator[DaskRunner]:
    """A runner on the cluster at `scheduler`, else on `workers` local worker processes
    (one thread each: the readers and DuckDB use cores of their own)."""
    distributed = _distributed()
    cluster = None
    try:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise DaskError(f"无法连接 Dask 调度器 {scheduler}：{exc}") from None
            except (ValueError, TypeError):  # e.g. foo:bar, a port that is no number
                raise DaskError(f"无法连接 Dask 调度器 {scheduler}：地址格式不正确，应为 tcp://主机:端口"
                                "（如 tcp://192.168.1.10:8786）") from None
        else:
            from audit_rules.processes import main_module_hidden

            with main_module_hidden():  # spawned workers must not run the caller's script again
                cluster = distributed.LocalCluster(
                    n_workers=max(1, workers or 1), threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR,
                )
            client = distributed.Client(cluster)
        try:
            yield DaskRunner(client)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()

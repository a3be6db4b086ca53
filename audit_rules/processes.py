"""Helpers for the worker processes the stages start (spawned, never forked)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager


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

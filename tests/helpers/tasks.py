"""Tasks for worker-process tests: importable by name, so a spawned worker can run them."""

from __future__ import annotations

import os
import time


def echo(value):
    return value


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def abort() -> None:
    os.abort()


class NativePanic(BaseException):
    """Like pyo3_runtime.PanicException: not an Exception."""


def panic() -> None:
    raise NativePanic("calamine panicked")


def pid() -> int:
    return os.getpid()

"""The great_expectations runtime: one ephemeral context per process, suites run on a frame.

GX takes ~3 s to import, so nothing here imports it before it is first needed. GX runs in an
ephemeral context: nothing written to disk, analytics off, no progress bars. What a suite run
gives back is plain data (`CheckOutcome` per check key), so no other module reads GX objects.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from audit_rules.quality.suites import CheckSpec

# COMPLETE returns every failing row index; the index query string is not needed (and costs).
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}


def quiet_environment() -> None:
    """GX reads this before import (here and in a spawned worker): no usage statistics leave the machine."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"


def _import_gx():
    quiet_environment()
    import great_expectations as gx
    import great_expectations.expectations  # noqa: F401

    return gx


@dataclass
class _GxRuntime:
    context: Any
    batch_definition: Any
    lock: threading.Lock


_runtime: _GxRuntime | None = None
_runtime_lock = threading.Lock()


def prepare() -> None:
    """Import GX and build this process's context now rather than at the first suite run."""
    _gx_runtime()


def _gx_runtime() -> _GxRuntime:
    """One ephemeral context and one pandas dataframe batch definition per process."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            gx = _import_gx()
            _batch_tokens_for_frame_hashes()
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            # Without this GX prints tqdm "Calculating Metrics" bars to stderr on every validate.
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            context.variables.analytics_enabled = False
            source = context.data_sources.add_pandas("audit_rules_quality")
            asset = source.add_dataframe_asset("ledger_table")
            batch_definition = asset.add_batch_definition_whole_dataframe("whole_table")
            _runtime = _GxRuntime(context, batch_definition, threading.Lock())
        return _runtime


def _batch_tokens_for_frame_hashes() -> None:
    """GX fingerprints the whole frame (md5 of pandas' row hashes) each time it makes a batch,
    twice per suite run, only to keep it among the batch's markers, which nothing here reads:
    0.55 s of the 0.9 s that validating 500k payment rows took. A token unique in the process
    stands in for it."""
    from great_expectations.execution_engine import pandas_execution_engine

    tokens = itertools.count()
    pandas_execution_engine.hash_pandas_dataframe = lambda frame: f"audit-rules-batch-{next(tokens)}"


def build_suite(kind: str, checks: list[CheckSpec]):
    """A great_expectations ExpectationSuite holding these checks of a kind."""
    import great_expectations as gx

    from audit_rules.quality._gx_custom import expectation_class

    suite = gx.ExpectationSuite(name=f"audit_rules.{kind}")
    for check in checks:
        expectation = expectation_class(check.expectation)(**check.kwargs, meta={"check": check.key})
        suite.add_expectation(expectation)
    return suite


@dataclass(frozen=True)
class CheckOutcome:
    """One check's run on a frame: the failing row positions, or why GX could not run it."""

    positions: np.ndarray  # int64 positions in the validated frame (it has a RangeIndex)
    error: str | None = None  # None when the check ran; else GX's message ("" if it gave none)


def run_suite(kind: str, checks: list[CheckSpec], frame, params: dict) -> dict[str, CheckOutcome]:
    """Run the checks on the frame in one GX validation: CheckSpec.key -> its outcome."""
    runtime = _gx_runtime()
    suite = build_suite(kind, checks)
    with runtime.lock:
        batch = runtime.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=params)
    return {r.expectation_config.meta["check"]: _outcome(r) for r in validation.results}


def _outcome(result) -> CheckOutcome:
    positions = np.asarray((result.result or {}).get("unexpected_index_list") or [], dtype="int64")
    info = result.exception_info
    error = _exception_message(info) if info and _raised(info) else None
    return CheckOutcome(positions, error)


def _raised(info: dict) -> bool:
    if "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _exception_message(info: dict) -> str:
    if info.get("exception_message"):
        return str(info["exception_message"])
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return "；".join(str(m) for m in messages if m)

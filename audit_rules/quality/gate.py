"""The data-quality gate: where the checks run — in the worker process when there is one.

great_expectations takes ~3 s to import; `start_gx_import()` starts a worker process
(audit_rules.quality.worker) that imports it while this process reads the ledgers, and
`run_quality` sends it the tables. Without a worker, or when it is gone, the same validation
(audit_rules.quality.validation) runs in this process.
"""

from __future__ import annotations

from datetime import date

from audit_rules.ledgers.model import Table
from audit_rules.quality import runtime, validation, worker
from audit_rules.result import QualityResult


def start_gx_import() -> None:
    """Start the gate's worker process, which imports GX at once (idempotent, returns at once).

    The import then runs truly in parallel with the reading of the ledgers; `run_quality`
    hands the tables to that worker. One worker per process, reused by every later call.
    """
    runtime.quiet_environment()
    worker.start_worker()


def run_quality(
    tables: list[Table], *, today: date | None = None, earliest: date | None = None
) -> list[QualityResult]:
    """Every check of every recognised table, passed or not, ordered by file, sheet, field, check.

    Dates must lie between `earliest` (default 1980-01-01) and `today` + 1 year.
    """
    recognised = validation.recognised(tables)
    if not recognised:
        return []
    served = worker.validate(recognised, today, earliest)
    if served is not None:
        return served
    return validation.validate_tables(recognised, today, earliest)

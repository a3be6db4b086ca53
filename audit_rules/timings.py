"""Stage timings for benchmarks: where a whole `check` spends its time, seen from outside.

With AUDIT_RULES_TIMINGS naming a file, each `mark(stage)` records when a stage starts and the
process writes, as it exits, one JSON object {"stages": [[stage, seconds], ...]} to that file:
each stage's seconds run to the next mark (the last one to the exit). Without the variable
`mark` does nothing. The benchmarks (benchmarks/bench_scale.py) read the file; no test times.
"""

from __future__ import annotations

import atexit
import json
import os
import time

TIMINGS_ENV = "AUDIT_RULES_TIMINGS"

_marks: list[tuple[str, float]] = []


def mark(stage: str) -> None:
    """Stage `stage` starts now (recorded only when AUDIT_RULES_TIMINGS is set)."""
    if not os.environ.get(TIMINGS_ENV):
        return
    if not _marks:
        atexit.register(_dump)
    _marks.append((stage, time.perf_counter()))


def _dump() -> None:
    path = os.environ.get(TIMINGS_ENV)
    if not path or not _marks:
        return
    ends = [at for _stage, at in _marks[1:]] + [time.perf_counter()]
    stages = [[stage, round(end - at, 4)] for (stage, at), end in zip(_marks, ends)]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"stages": stages}, handle, ensure_ascii=False)

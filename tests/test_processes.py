"""Workers under limits: a task that runs out of memory or time, crashes or panics fails alone."""

from __future__ import annotations

import pytest
from helpers import tasks

from audit_rules.processes import LARGE_TASK_SECONDS, LimitedWorkers, TaskFailed, release_memory


@pytest.fixture(scope="module")
def workers():
    pool = LimitedWorkers(memory_bytes=1024 * 1024 * 1024)
    yield pool
    pool.close()


def test_results_come_back_in_order(workers):
    assert workers.run(tasks.echo, [(n,) for n in range(5)], count=2, seconds=60) == list(range(5))


def test_memory_over_the_limit_fails_that_task_and_the_next_one_runs(workers):
    results = workers.run(tasks.allocate, [(4096,), (1,)], count=1, seconds=60)
    assert isinstance(results[0], TaskFailed) and results[0].limit == "memory"
    assert results[1] == 1024 * 1024


def test_a_task_past_its_time_has_its_worker_replaced(workers):
    before = workers.run(tasks.pid, [()], count=1, seconds=60)[0]
    results = workers.run(tasks.sleep, [(30,), (0,)], count=1, seconds=1)
    assert results == [TaskFailed("time", ""), "slept"]
    assert workers.run(tasks.pid, [()], count=1, seconds=60)[0] != before


def test_a_crash_and_a_panic_fail_alone(workers):
    results = workers.run(tasks.abort, [()], count=1, seconds=60)
    assert isinstance(results[0], TaskFailed) and results[0].limit == "crash" and "6" in results[0].detail
    results = workers.run(tasks.panic, [()], count=1, seconds=60)
    assert results[0].limit == "error" and "NativePanic" in results[0].detail
    assert workers.run(tasks.echo, [("still here",)], count=1, seconds=60) == ["still here"]


def test_workers_are_reused_between_calls(workers):
    first = set(workers.run(tasks.pid, [()] * 4, count=2, seconds=60))
    again = set(workers.run(tasks.pid, [()] * 4, count=2, seconds=60))
    assert first == again and len(first) <= 2


def test_a_worker_gives_back_memory_after_a_long_task_and_serves_the_next(workers):
    # Over LARGE_TASK_SECONDS: the worker collects and trims its heap after replying.
    assert workers.run(tasks.sleep, [(LARGE_TASK_SECONDS + 0.2,), (0,)], count=1, seconds=60) == ["slept", "slept"]
    assert workers.run(tasks.echo, [("still here",)], count=1, seconds=60) == ["still here"]


def test_releasing_memory_is_harmless_anywhere():
    release_memory()
    release_memory()

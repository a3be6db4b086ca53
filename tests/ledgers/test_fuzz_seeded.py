"""A short seeded run of the reader fuzzer (benchmarks/fuzz_readers.py runs it for minutes):
every mutant ends as a table or its own clear error, and the good ledger beside them is read."""

from __future__ import annotations

import importlib.util
import random

from helpers.paths import ROOT


def _fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_readers", ROOT / "benchmarks" / "fuzz_readers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_seeded_handful_of_mutants_ends_cleanly(tmp_path):
    fuzzer = _fuzzer()
    rng = random.Random(20261202)
    batch = [(suffix, mutation.__name__, mutation(data, rng))
             for suffix, data in sorted(fuzzer.seed_files_cache().items())
             for mutation in fuzzer.MUTATIONS[suffix][:4]]
    counts, problems = fuzzer.run_batch(tmp_path, batch)
    assert counts["unhandled"] == 0 and counts["escaped the reader"] == 0, problems
    assert sum(counts.values()) >= len(batch)

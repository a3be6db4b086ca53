"""Reading many files in worker processes gives exactly what reading them one by one gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from audit_rules.ledgers import load_ledgers

SAMPLES = Path(__file__).resolve().parents[1] / "sample_ledgers"


def _summary(ledgers):
    return (
        [(i.file, i.sha256) for i in ledgers.inputs],
        [(e.file, e.sheet, e.message) for e in ledgers.errors],
        [(t.file, t.sheet, t.kind, t.header_row, t.fields, t.totals) for t in ledgers.tables],
    )


def test_a_pool_of_workers_reads_the_same_tables_in_the_same_order(tmp_path):
    for n in range(2):
        shutil.copytree(SAMPLES / "长沙市示范科技局", tmp_path / f"单位{n}")
    (tmp_path / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    alone = load_ledgers([tmp_path], workers=1)
    pooled = load_ledgers([tmp_path], workers=2)
    assert _summary(pooled) == _summary(alone)
    assert alone.errors, "the broken file is reported by both"
    for a, b in zip(alone.tables, pooled.tables):
        pd.testing.assert_frame_equal(a.data, b.data)
        pd.testing.assert_frame_equal(a.raw, b.raw)
        assert a.problems == b.problems

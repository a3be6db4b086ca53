"""Reading many files in worker processes gives exactly what reading them one by one gives."""

from __future__ import annotations

import shutil

import pandas as pd
from helpers.paths import SAMPLES

from audit_rules.ledgers import load_ledgers


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


def test_a_script_without_a_main_guard_can_read_in_a_pool(tmp_path):
    import subprocess
    import sys

    shutil.copytree(SAMPLES / "长沙市示范文旅中心", tmp_path / "ledgers" / "单位")
    script = tmp_path / "script.py"
    script.write_text(
        "from audit_rules.ledgers import load_ledgers\n"
        f"ledgers = load_ledgers([{str(tmp_path / 'ledgers')!r}], workers=2)\n"
        "print('tables', len(ledgers.tables), 'errors', len(ledgers.errors))\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    alone = load_ledgers([tmp_path / "ledgers"], workers=1)
    # printed once: the workers did not run the script again
    assert done.stdout.splitlines() == [f"tables {len(alone.tables)} errors {len(alone.errors)}"]

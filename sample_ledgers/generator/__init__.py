"""Generate the sample ledgers of four fictional units (two keeping their books in accounting software), their answer key and the other-synonym fixtures.

Run: ``.venv/bin/python sample_ledgers/generate.py`` (or ``make samples``). It rewrites everything
below sample_ledgers/ except the generator and README.md, and tests/fixtures/other_synonyms/.

The ledgers are messy on purpose, like real exports (title and note rows, 序号, two-row headers,
万元 columns, 小计/合计 rows, blank rows, amounts and dates typed in several ways), and they plant
exactly the findings that docs/default-ruleset.md describes, next to near misses that must not be
flagged. Every planted record is kept as a small Python object; the writers record the Excel row
(or CSV line) each object lands on, so the answer key is computed, never typed by hand. Before
anything is written, the oracle re-derives every rule of the default ruleset from those objects and
refuses to write ledgers whose findings differ from the planted ones (nothing else may trip a rule).
Limits and keyword lists come from audit_rules/rulesets/default.yaml through the project's loader.

Output is deterministic: one seeded random.Random, fixed workbook properties, fixed zip timestamps.

Modules: records (the row objects), cells (how values are typed), workbook (sheet and CSV writers),
build and layout (what the units share), unit_a and unit_b (each unit's data and workbooks), vouchers
(vouchers, journal and trial-balance writers), unit_c and unit_d (the units whose books are journals),
ruleset (what is read from the default ruleset), oracle (the rules, shared with tests/e2e/test_generated_samples.py),
plants (the check before writing), keys (answer_key.csv, quality_key.csv, planted.md), synonyms
(the other-synonym fixtures).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from .build import Invoices
from .cells import capital_amount
from .keys import write_answer_key, write_planted_md, write_quality_key
from .plants import check_plants, expected_findings
from .records import all_records
from .synonyms import write_other_synonyms
from .unit_a import PENDING_INVOICE, UNIT_A, build_unit_a, write_unit_a
from .unit_b import UNIT_B, build_unit_b, write_unit_b
from .unit_c import UNIT_C, build_unit_c, write_unit_c
from .unit_d import UNIT_D, build_unit_d, write_unit_d
from .workbook import Registry

SEED = 20191103
SAMPLES = Path(__file__).resolve().parents[1]
REPO = SAMPLES.parent
SAMPLE_KEYS = REPO / "sample_keys"  # answer_key.csv, quality_key.csv: beside the ledgers, not among them
# Invoice numbers typed by hand in the units' data, never handed out at random.
RESERVED_INVOICES = {"00571234", "04418876", "00663120", PENDING_INVOICE}

__all__ = ["SEED", "PENDING_INVOICE", "Invoices", "build_unit_a", "build_unit_b", "check_plants",
           "build_unit_c", "build_unit_d", "expected_findings", "all_records", "capital_amount", "generate", "main"]


def generate(out_dir: Path, fixtures_dir: Path | None = None, keys_dir: Path | None = None) -> list[dict]:
    """Write both units' ledgers and planted.md below out_dir, answer_key.csv and quality_key.csv in
    keys_dir (default: out_dir), and the other-synonym fixtures below fixtures_dir when given.
    Returns the answer-key rows. The keys are CSV files: kept out of the ledger folder, so that
    checking the samples reads only ledgers."""
    out_dir = Path(out_dir)
    keys_dir = Path(keys_dir) if keys_dir is not None else out_dir
    keys_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    inv = Invoices(rng, RESERVED_INVOICES)
    units = [build_unit_a(rng, inv), build_unit_b(rng, inv), build_unit_c(rng, inv), build_unit_d(rng, inv)]
    check_plants(units)
    for unit in (UNIT_A, UNIT_B, UNIT_C, UNIT_D):
        if (out_dir / unit).exists():
            shutil.rmtree(out_dir / unit)
    reg = Registry()
    write_unit_a(units[0], out_dir, reg)
    write_unit_b(units[1], out_dir, reg)
    write_unit_c(units[2], out_dir, reg)
    write_unit_d(units[3], out_dir, reg)
    rows = write_answer_key(reg, keys_dir)
    write_quality_key(reg, keys_dir)
    write_planted_md(reg, out_dir)
    if fixtures_dir is not None:
        write_other_synonyms(Path(fixtures_dir))
    return rows


def main() -> int:
    rows = generate(SAMPLES, REPO / "tests" / "fixtures" / "other_synonyms", SAMPLE_KEYS)
    print(f"已生成样例台账：{len(rows)} 条埋设问题，答案见 sample_keys/answer_key.csv")
    return 0

"""Where things are in the repository, for tests at any depth of tests/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SAMPLES = ROOT / "sample_ledgers"
SAMPLE_KEYS = ROOT / "sample_keys"  # the samples' answer keys, kept out of the ledger folder
FIXTURES = TESTS / "fixtures"

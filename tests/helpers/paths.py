"""Where things are in the repository, for tests at any depth of tests/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SAMPLES = ROOT / "sample_ledgers"
FIXTURES = TESTS / "fixtures"
# The answer keys beside the sample ledgers are not ledgers: a run on SAMPLES lists each in
# `errors` (no recognisable header), as it must any file it cannot read.
SAMPLE_KEYS = ("answer_key.csv", "quality_key.csv")


def errors_beyond_sample_keys(errors) -> list:
    """The run's read errors other than the expected one per answer-key file."""
    expected = [e for e in errors if e.file in SAMPLE_KEYS and "没有找到可识别的表头" in e.message]
    assert sorted(e.file for e in expected) == sorted(SAMPLE_KEYS), errors
    return [e for e in errors if e not in expected]

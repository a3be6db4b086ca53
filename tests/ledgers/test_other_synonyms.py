"""`inspect --json` on ledgers laid out like the samples but written with the other synonyms."""

from __future__ import annotations

from helpers.paths import FIXTURES

SYNONYM_FIXTURES = FIXTURES / "other_synonyms"

import json

from click.testing import CliRunner

from audit_rules.cli import main


def _expected() -> dict:
    return json.loads((SYNONYM_FIXTURES / "expected.json").read_text(encoding="utf-8"))


def test_inspect_json_recognises_every_sheet_kind_header_row_and_fields():
    result = CliRunner().invoke(main, ["inspect", str(SYNONYM_FIXTURES), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    seen = {(entry["file"], entry["sheet"]): entry for entry in json.loads(result.output)}
    expected = _expected()
    assert expected, "the fixture lists its sheets"
    for file, sheets in expected.items():
        for sheet, want in sheets.items():
            got = seen[(file, sheet)]
            assert got["kind"] == want["kind"], (file, sheet)
            assert got["header_row"] == want["header_row"], (file, sheet)
            assert {f: " ".join(h.split()) for f, h in got["fields"].items()} == {
                f: " ".join(h.split()) for f, h in want["fields"].items()
            }, (file, sheet)
            assert got["rows"] == want["last_data_row"] - want["first_data_row"] + 1, (file, sheet)
            assert got["problems"] == [], (file, sheet)

"""The quality suites are derived from kinds.yaml (plain data; no great_expectations needed)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from audit_rules.ledgers.schema import table_kinds
from audit_rules.quality.suites import (
    CHECK_BETWEEN,
    CHECK_COLUMNS_PRESENT,
    CHECK_IN_SET,
    CHECK_NOT_NULL,
    CHECK_READABLE,
    CHECK_UNIQUE,
    PARSED_TYPES,
    kind_checks,
    readable_column,
    table_checks,
    validation_parameters,
)

KINDS = list(table_kinds())


def _checks_by_field(kind: str) -> dict[str | None, set[str]]:
    grouped: dict[str | None, set[str]] = {}
    for check in kind_checks(kind):
        grouped.setdefault(check.field, set()).add(check.check)
    return grouped


@pytest.mark.parametrize("kind", KINDS)
def test_every_flag_and_type_of_the_schema_becomes_its_check(kind):
    checks = _checks_by_field(kind)
    for name, spec in table_kinds()[kind].fields.items():
        got = checks.get(name, set())
        assert (CHECK_NOT_NULL in got) == spec.key, name
        assert (CHECK_UNIQUE in got) == spec.unique, name
        assert (CHECK_READABLE in got) == (spec.type in PARSED_TYPES), name
        assert (CHECK_BETWEEN in got) == (spec.type in ("date", "year", "count", "ratio")), name
        assert (CHECK_IN_SET in got) == (spec.type == "bool"), name


@pytest.mark.parametrize("kind", KINDS)
def test_required_columns_check_lists_exactly_the_key_fields(kind):
    key_fields = sorted(f.name for f in table_kinds()[kind].fields.values() if f.key)
    table_level = [c for c in kind_checks(kind) if c.check == CHECK_COLUMNS_PRESENT]
    if key_fields:
        assert [c.kwargs["column_set"] for c in table_level] == [key_fields]
        assert table_level[0].kwargs["exact_match"] is False  # extra columns are fine
    else:
        assert table_level == []


def test_payments_suite_has_the_documented_checks():
    checks = {(c.field, c.check): c for c in kind_checks("payments")}
    assert checks[("voucher_no", CHECK_UNIQUE)].excludes_rows is False
    assert checks[("headcount", CHECK_BETWEEN)].kwargs == {"column": "headcount", "min_value": 0}
    date_window = checks[("date", CHECK_BETWEEN)]
    assert date_window.kwargs["min_value"] == {"$PARAMETER": "min_date"}
    assert date_window.kwargs["max_value"] == {"$PARAMETER": "max_date"}
    readable = checks[("amount", CHECK_READABLE)]
    assert readable.column == readable_column("amount") == "_readable_amount"
    assert readable.excludes_rows is True
    assert ("summary", CHECK_NOT_NULL) not in checks  # summary is not a key field


def test_value_checks_that_distrust_cells_exclude_rows_and_the_others_do_not():
    for kind in KINDS:
        for check in kind_checks(kind):
            expected = check.check in (CHECK_READABLE, CHECK_BETWEEN, CHECK_IN_SET)
            assert check.excludes_rows is expected, (kind, check)


def test_ratio_checks_are_between_zero_and_one():
    ratio = [c for c in kind_checks("contracts") if c.field == "prepay_ratio" and c.check == CHECK_BETWEEN]
    assert [(c.kwargs["min_value"], c.kwargs["max_value"]) for c in ratio] == [(0, 1)]


def test_table_checks_drop_the_fields_a_table_lacks_but_keep_the_columns_check():
    checks = table_checks("payments", ["date", "amount"])
    fields = {c.field for c in checks}
    assert fields == {None, "date", "amount"}
    assert CHECK_COLUMNS_PRESENT in {c.check for c in checks}


def test_check_keys_are_unique_within_a_kind():
    for kind in KINDS:
        keys = [c.key for c in kind_checks(kind)]
        assert len(keys) == len(set(keys)), kind


def test_date_window_runs_from_1980_to_a_year_after_today():
    params = validation_parameters(date(2024, 3, 15))
    assert params["min_date"] == pd.Timestamp("1980-01-01")
    assert params["max_date"] == pd.Timestamp("2025-03-15")
    assert (params["min_year"], params["max_year"]) == (1980, 2025)


def test_date_window_from_a_leap_day_ends_on_a_real_date():
    assert validation_parameters(date(2024, 2, 29))["max_date"] == pd.Timestamp("2025-02-28")


def test_date_window_start_can_be_moved():
    params = validation_parameters(date(2024, 1, 1), earliest=date(1990, 1, 1))
    assert params["min_date"] == pd.Timestamp("1990-01-01")
    assert params["min_year"] == 1990

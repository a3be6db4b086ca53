"""Each check is declared with its Chinese title and wording; every result carries both."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from helpers.quality import contracts_table, only, payments_columns, payments_table

from audit_rules.ledgers.schema import table_kinds
from audit_rules.quality import CHECK_TITLES, kind_checks, run_quality
from audit_rules.quality.suites import (
    CHECK_BALANCE_ROLLS,
    CHECK_BETWEEN,
    CHECK_JOURNAL_AGREES,
    CHECK_TOTALS,
    CHECK_TYPES,
)
from audit_rules.quality.validation import validate_tables

TODAY = date(2024, 6, 1)
JSON_KEYS = ["file", "sheet", "kind", "field", "check", "passed", "failed", "detail"]


def test_every_check_of_every_kind_is_declared_with_a_chinese_title():
    names = {c.check for kind in table_kinds() for c in kind_checks(kind)} | {CHECK_TOTALS, CHECK_BALANCE_ROLLS, CHECK_JOURNAL_AGREES}
    assert names == set(CHECK_TYPES) == set(CHECK_TITLES)
    for name, declared in CHECK_TYPES.items():
        assert declared.name == name and declared.title == CHECK_TITLES[name]
        assert declared.title and not declared.title.isascii()


def test_every_result_carries_its_checks_title_and_findings_json_keys_stay_the_same():
    columns = payments_columns()
    columns["amount"][0] = np.nan
    tables = [payments_table(columns=columns, totals={"amount": 1.0}, totals_row=7), contracts_table()]
    results = run_quality(tables, today=TODAY)
    assert {r.check for r in results} >= {CHECK_TOTALS, CHECK_BETWEEN}
    for result in results:
        assert result.title == CHECK_TYPES[result.check].title
        assert list(result.to_json()) == JSON_KEYS  # the title is for reports, not findings.json


def test_a_check_great_expectations_cannot_run_is_reported_as_not_run():
    columns = payments_columns()
    columns["headcount"] = pd.Series(["两人", 1, None, 2.5], dtype=object)  # GX cannot compare these
    result = only(validate_tables([payments_table(columns=columns)], TODAY), "headcount", CHECK_BETWEEN)
    assert not result.passed and not result.excludes_rows and result.failed == []
    assert result.detail.startswith("检查未能执行：")
    assert result.title == "应在合理范围内"

"""An auditor's SQL is bounded: introspection refused, time, memory and result rows capped;
a rule stopped by a limit fails alone, naming the limit, and the other rules still run."""

from __future__ import annotations

import pytest
from helpers.rules import run

from audit_rules.rules.sql_safety import check_query
from rules.test_sql_safety import PAYMENTS


def _sql(rule_id: str, query: str) -> dict:
    return {"id": rule_id, "title": "自定义", "category": "custom", "severity": "low", "type": "sql",
            "query": query, "message": "第{_row}行"}


OK = _sql("ok", "SELECT _file, _sheet, _row FROM payments WHERE amount > 1000")


@pytest.mark.parametrize("call", [
    "current_setting('temp_directory')", "current_setting('secret_directory')", "version()",
    "which_secret('s3://x', 's3')", "getvariable('x')", "current_database()", "pg_typeof(1)",
])
def test_introspection_functions_are_refused_at_validation_even_inside_a_cte(call):
    errors, _ = check_query(f"WITH t AS (SELECT {call} AS leak) SELECT _file, _sheet, _row, leak FROM payments, t")
    assert errors and "不允许调用函数" in errors[0]


def test_a_query_past_the_time_limit_fails_alone_naming_the_limit(monkeypatch):
    monkeypatch.setenv("AUDIT_RULES_RULE_SECONDS", "1")
    slow = _sql("slow", "SELECT p._file, p._sheet, p._row FROM payments p, range(100000) a(x), range(100000) b(y) "
                        "WHERE x * y = -1")
    findings, outcomes = run([slow, OK], PAYMENTS)
    assert [(o.rule_id, o.status) for o in outcomes] == [("slow", "failed"), ("ok", "ran")]
    assert "时间上限 1 秒" in outcomes[0].reason and "AUDIT_RULES_RULE_SECONDS" in outcomes[0].reason
    assert len(findings) == 1


def test_a_query_past_the_memory_limit_fails_alone_naming_the_limit(monkeypatch):
    monkeypatch.setenv("AUDIT_RULES_SQL_MEMORY_MB", "256")
    hungry = _sql("hungry", "SELECT p._file, p._sheet, p._row FROM payments p, "
                            "(SELECT list(x) AS l FROM range(200000000) t(x)) WHERE len(l) = 0")
    findings, outcomes = run([hungry, OK], PAYMENTS)
    assert [(o.rule_id, o.status) for o in outcomes] == [("hungry", "failed"), ("ok", "ran")]
    assert "内存上限 256 MB" in outcomes[0].reason and "AUDIT_RULES_SQL_MEMORY_MB" in outcomes[0].reason


def test_result_rows_are_capped_and_the_outcome_says_by_how_much(monkeypatch):
    monkeypatch.setenv("AUDIT_RULES_MAX_FINDINGS", "3")
    many = _sql("many", "SELECT p._file, p._sheet, p._row, x FROM payments p, range(5) a(x)")
    findings, outcomes = run(many, PAYMENTS)
    assert len(findings) == 3
    assert outcomes[0].status == "ran"
    assert "只列出 3 条" in outcomes[0].reason and "另有 7 条未列出（共 10 条）" in outcomes[0].reason

"""The `sql` rule type: an auditor's own SELECT runs; anything that is not a read-only SELECT
over the ledger tables is refused when the ruleset is validated."""

from __future__ import annotations

import pytest
import yaml
from helpers.rules import make_table, run_rule_yaml

from audit_rules.rules.model import RulesetError
from audit_rules.rules.sql_safety import check_query


def sql_rule(query: str, message: str = "第{_row}行") -> str:
    rule = {
        "id": "own",
        "title": "自定义",
        "category": "custom",
        "severity": "low",
        "type": "sql",
        "query": query,
        "message": message,
    }
    return yaml.safe_dump(rule, allow_unicode=True)


PAYMENTS = {
    "payments": make_table(
        "payments",
        [
            dict(date="2024-01-01", amount=1500, voucher_no="记-7", econ_class="现金", payee="甲"),
            dict(date="2024-01-02", amount=500, voucher_no="记-8", econ_class="现金", payee="乙"),
        ],
    )
}


def test_own_query_produces_findings_with_unit_amount_and_variables():
    query = "SELECT _file, _sheet, _row, amount, voucher_no FROM payments WHERE econ_class = '现金' AND amount > 1000;"
    findings, outcomes = run_rule_yaml(sql_rule(query, "凭证{voucher_no}现金支付{amount:.2f}元"), PAYMENTS)
    assert outcomes[0].status == "ran"
    assert len(findings) == 1
    f = findings[0]
    assert f.message == "凭证记-7现金支付1500.00元"
    assert f.unit == "甲单位"  # taken from the source row when the query gives none
    assert f.amount == 1500.0 and f.locations[0].row == 3


def test_own_query_with_cte_and_unit_column():
    query = """
    WITH big AS (SELECT * FROM payments WHERE amount > 100)
    SELECT _file, _sheet, _row, '某单位' AS unit, voucher_no FROM big
    """
    findings, _ = run_rule_yaml(sql_rule(query, "{voucher_no}"), PAYMENTS)
    assert sorted(f.message for f in findings) == ["记-7", "记-8"]
    assert {f.unit for f in findings} == {"某单位"}


def test_sql_rule_skipped_when_its_table_is_missing():
    _, outcomes = run_rule_yaml(sql_rule("SELECT _file, _sheet, _row FROM contracts"), PAYMENTS)
    assert outcomes[0].status == "skipped" and "合同台账" in outcomes[0].reason


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELECT * FROM read_parquet('x.parquet')", "read_parquet"),
        ("SELECT * FROM read_json_auto('x.json')", "read_json_auto"),
        ("SELECT * FROM '/etc/passwd'", "不能读取 \"/etc/passwd\""),
        ("SELECT _file, _sheet, _row FROM glob('*')", "glob"),
        ("SELECT _file, _sheet, _row FROM payments WHERE summary IN (SELECT content FROM read_text('/etc/passwd'))", "read_text"),
        ("SELECT _file, _sheet, _row, getenv('HOME') AS h FROM payments", "getenv"),
        ("SELECT * FROM sniff_csv('x.csv')", "sniff_csv"),
        ("SELECT * FROM query('SELECT 1')", "query"),
        ("ATTACH '/tmp/x.db' AS other", "ATTACH"),
        ("SELECT _file, _sheet, _row FROM other.main.payments", "其他数据库"),
        ("INSTALL httpfs", "不允许"),
        ("LOAD httpfs", "不允许"),
        ("COPY payments TO '/tmp/out.csv'", "COPY"),
        ("CREATE TABLE x AS SELECT 1", "CREATE"),
        ("INSERT INTO payments SELECT * FROM payments", "INSERT"),
        ("UPDATE payments SET amount = 0", "UPDATE"),
        ("DELETE FROM payments", "DELETE"),
        ("PRAGMA database_list", "PRAGMA"),
        ("SET threads = 1", "SET"),
        ("SELECT _file, _sheet, _row FROM payments; DROP TABLE payments", "2 条语句"),
        ("SELECT 1 AS x", "_file、_sheet、_row"),
        ("SELECT _file, _sheet, _row FROM payments WHERE nonsense_column > 1", "查询无法执行"),
        ("SELEC _file FROM payments", "语法错误"),
    ],
)
def test_unsafe_or_invalid_queries_are_refused_at_validation(query, words):
    with pytest.raises(RulesetError) as info:
        run_rule_yaml(sql_rule(query), PAYMENTS)
    message = str(info.value)
    assert "规则 own 的字段 query：" in message
    assert words in message


def test_check_query_accepts_safe_helpers():
    errors, columns = check_query(
        "SELECT _file, _sheet, _row, norm_invoice(invoice_no) AS inv FROM payments, range(1) AS r(i)"
    )
    assert errors == [] and columns == ["_file", "_sheet", "_row", "inv"]

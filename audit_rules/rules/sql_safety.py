"""Checks that an auditor's own `sql` rule is one read-only SELECT over the ledger tables.

Refused at validation time, with a Chinese reason: several statements, anything but SELECT
(CREATE, INSERT, UPDATE, DELETE, COPY, ATTACH, INSTALL/LOAD, PRAGMA, SET…), reading anything but
the ledger tables and the query's own WITH names (a file name as a table, another schema or
database), table functions other than range/generate_series/unnest (read_csv, read_parquet,
read_json, read_text, read_blob, glob, sniff_csv, query…), and scalar functions that reach
outside the data. The engine's connection is locked down as well (external access off), so a
query that slipped through still could not touch a file or the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import duckdb

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.database import connect, prepare_database

ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
FORBIDDEN_FUNCTION_PREFIXES = ("read_", "parquet_", "sniff_", "glob", "getenv", "query", "duckdb_", "pragma_", "pg_")
# Introspection: settings (temp and secret directories, memory), secrets, version, session and
# catalog details. None says anything about the ledgers; some tell about the machine.
FORBIDDEN_FUNCTIONS = frozenset({
    "current_setting", "which_secret", "version", "getvariable", "stats",
    "current_catalog", "current_database", "current_schema", "current_schemas", "current_role",
    "current_user", "session_user", "user", "current_query", "current_query_id",
    "current_connection_id", "current_transaction_id", "has_database_privilege", "has_schema_privilege",
    "add_grammar_extension", "remove_grammar_extension", "parse_duckdb_log_message", "truncate_duckdb_logs",
})
REQUIRED_COLUMNS = ("_file", "_sheet", "_row")


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _cte_names(tree: Any) -> set[str]:
    names = set()
    for node in _walk(tree):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            names.update(str(item.get("key", "")).lower() for item in cte_map.get("map", []))
    return names


def _statement_errors(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        return [f"SQL 语法错误：{_first_line(exc)}"]
    if len(statements) != 1:
        return [f"只能写一条 SELECT 查询，实际有 {len(statements)} 条语句"]
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        return [f"只允许只读的 SELECT 查询，不允许 {kind.name} 语句（不能建表、改数据、读写文件、挂接数据库、安装扩展或改设置）"]
    return []


def _tree_errors(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    raw = con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0]
    tree = json.loads(raw)
    if tree.get("error"):
        return [f"SQL 语法错误：{tree.get('error_message', '')}"]
    kinds = set(table_kinds())
    allowed_tables = kinds | _cte_names(tree)
    errors: list[str] = []
    table_functions = {
        str((n.get("function") or {}).get("function_name", "")).lower()
        for n in _walk(tree)
        if n.get("type") == "TABLE_FUNCTION"
    }
    for node in _walk(tree):
        ref_type = node.get("type")
        if ref_type == "BASE_TABLE":
            name = str(node.get("table_name", ""))
            if node.get("catalog_name") or node.get("schema_name") not in ("", "main"):
                errors.append(f"只能读取台账表，不能读取其他数据库或模式中的表：{name}")
            elif name.lower() not in allowed_tables:
                errors.append(
                    f"只能读取台账表（{'、'.join(sorted(kinds))}）和查询自身的 WITH 子查询，不能读取 \"{name}\""
                )
        elif ref_type == "TABLE_FUNCTION":
            function = node.get("function") or {}
            name = str(function.get("function_name", "")).lower()
            if name not in ALLOWED_TABLE_FUNCTIONS:
                errors.append(f"不允许调用表函数 {name}（不能读取文件、网络或数据库）")
        if node.get("class") == "FUNCTION" and ref_type != "TABLE_FUNCTION":
            name = str(node.get("function_name", "")).lower()
            forbidden = name.startswith(FORBIDDEN_FUNCTION_PREFIXES) or name in FORBIDDEN_FUNCTIONS
            if forbidden and name not in table_functions:
                errors.append(f"不允许调用函数 {name}（不能读取文件、环境或数据库信息）")
    return list(dict.fromkeys(errors))


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@lru_cache(maxsize=256)
def referenced_kinds(query: str) -> list[str]:
    """Table kinds a (checked) query reads."""
    con = connect()
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
    finally:
        con.close()
    names = {str(n.get("table_name", "")).lower() for n in _walk(tree) if n.get("type") == "BASE_TABLE"}
    return [k for k in table_kinds() if k in names]


@lru_cache(maxsize=256)
def check_query(query: str) -> tuple[list[str], list[str]]:
    """(errors, output column names) of an auditor's query; errors are Chinese."""
    query = query.strip().rstrip(";").strip()
    if not query:
        return ["查询为空"], []
    con = prepare_database({})
    try:
        errors = _statement_errors(con, query) or _tree_errors(con, query)
        if errors:
            return errors, []
        try:
            # Bound, not run: even LIMIT 0 runs a recursive CTE to its end.
            columns = list(con.sql(f"SELECT * FROM ({query}) AS _checked").columns)
        except duckdb.Error as exc:
            return [f"查询无法执行：{_first_line(exc)}"], []
    finally:
        con.close()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [f"查询必须返回来源列 _file、_sheet、_row（缺少 {'、'.join(missing)}）"], columns
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        return [f"查询的输出列重名：{'、'.join(duplicated)}"], columns
    return [], columns

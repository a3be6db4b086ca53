"""The rules' database: an in-memory DuckDB, locked down, holding every table kind typed.

Each kind becomes a table `src.<kind>` with EVERY field of kinds.yaml, typed (date→DATE,
amount→DECIMAL(18,2) so sums are exact to the cent, count/year→BIGINT, ratio→DOUBLE,
bool→BOOLEAN, list→VARCHAR[], text/id→VARCHAR) plus _file, _sheet, _row INTEGER, _unit,
_bad VARCHAR[]. Kinds not read exist as empty tables. Rules read views named by kind. The
connection has external access off (no files, network, extensions) and its configuration
locked before any rule runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    MACROS,
    PROVENANCE_SQL,
    SQL_TYPES,
    quote_ident,
    sql_list,
)
from audit_rules.values import is_missing

SOURCE_SCHEMA = "src"  # full tables; rules see per-rule views of them in the main schema

# Bounds on an auditor's SQL (a recursive CTE reached 19 GiB, a cross join ran for minutes).
# Environment variables override the defaults; all are whole numbers.
SQL_MEMORY_ENV = "AUDIT_RULES_SQL_MEMORY_MB"
DEFAULT_SQL_MEMORY_MB = 2048  # the whole rules database (ledger tables included) and its queries
SQL_THREADS_ENV = "AUDIT_RULES_SQL_THREADS"
DEFAULT_SQL_THREADS = 2
RULE_SECONDS_ENV = "AUDIT_RULES_RULE_SECONDS"
DEFAULT_RULE_SECONDS = 120  # every statement of one rule together
MAX_FINDINGS_ENV = "AUDIT_RULES_MAX_FINDINGS"
DEFAULT_MAX_FINDINGS = 20_000  # per rule; more is no longer a list anyone reads


def setting(name: str, default: int) -> int:
    """A positive whole number from the environment, else `default`."""
    text = os.environ.get(name, "").strip()
    try:
        value = int(text) if text else default
    except ValueError:
        raise ValueError(f"环境变量 {name} 应为正整数（当前为“{text}”）") from None
    return value if value > 0 else default


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with no access to files, network or extensions, bounded in memory
    and threads; nothing spills to disk (an empty temp_directory), a query over the limit fails."""
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": f"{setting(SQL_MEMORY_ENV, DEFAULT_SQL_MEMORY_MB)}MB",
            "threads": setting(SQL_THREADS_ENV, DEFAULT_SQL_THREADS),
            "temp_directory": "",
        },
    )


class Watch:
    """Whether the time limit of a `time_limit` block ran out."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[Watch]:
    """Interrupt whatever the connection runs once `seconds` have passed, until the block ends.

    DuckDB has no statement timeout; a watchdog thread calls `interrupt()` — repeatedly, since
    an interrupt between two statements would otherwise be lost and the next one run on.
    """
    watch = Watch(seconds)
    done = threading.Event()

    def watchdog() -> None:
        if done.wait(seconds):
            return
        watch.expired = True
        while not done.is_set():
            con.interrupt()
            done.wait(0.05)

    thread = threading.Thread(target=watchdog, name="rule-time-limit", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        done.set()
        thread.join()


def _arrow_column(series: pd.Series, ftype: str) -> pa.Array:
    """A pandas column as an Arrow array DuckDB can cast to the field's SQL type."""
    if ftype == "date":
        return pa.array(pd.to_datetime(series, errors="coerce"), from_pandas=True)
    if ftype in ("amount", "ratio"):
        return pa.array(pd.to_numeric(series, errors="coerce").astype("float64"), from_pandas=True)
    if ftype in ("count", "year"):
        return pa.array(pd.to_numeric(series, errors="coerce").astype("Int64"), from_pandas=True)
    if ftype == "bool":
        return pa.array(series.astype("boolean"), from_pandas=True)
    if ftype in ("list", "_bad"):
        return _vectorised_or(series, pa.list_(pa.string()), _as_list)
    if ftype == "_row":
        return pa.array(pd.to_numeric(series, errors="coerce").astype("Int64"), from_pandas=True)
    return _vectorised_or(series, pa.string(), _as_text)


def _vectorised_or(series: pd.Series, arrow_type: pa.DataType, convert) -> pa.Array:
    """Arrow's own conversion when the column holds what the contract says (str / list[str],
    missing as None or NaN) — vectorised, no Python loop over rows; else the tolerant per-value
    `convert` (numbers in a text column, a bare string in a list column…)."""
    if isinstance(series.dtype, pd.StringDtype) and arrow_type == pa.string():
        # Already Arrow (the provenance columns): taken as it is, not made Python objects and back.
        return pa.array(series.array).cast(arrow_type)
    values = series.astype(object)
    try:
        return pa.array(values, type=arrow_type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array([convert(v) for v in values], type=arrow_type)


def _as_text(value: Any) -> str | None:
    return None if is_missing(value) else str(value)


def _as_list(value: Any) -> list[str] | None:
    if is_missing(value):
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if not is_missing(v)]


def _create_table(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame | None) -> None:
    spec = table_kinds()[kind]
    columns = [(name, SQL_TYPES[f.type], f.type) for name, f in spec.fields.items()]
    columns += [(name, sql, name if name in ("_bad", "_row") else "text") for name, sql in PROVENANCE_SQL.items()]
    target = f"{SOURCE_SCHEMA}.{quote_ident(kind)}"
    if frame is None or frame.empty:
        ddl = ", ".join(f"{quote_ident(n)} {sql}" for n, sql, _ in columns)
        con.execute(f"CREATE TABLE {target} ({ddl})")
        return
    present = {name: _arrow_column(frame[name], ftype) for name, _, ftype in columns if name in frame.columns}
    arrow = pa.table(present) if present else pa.table({"_dummy": pa.nulls(len(frame))})
    view = f"_load_{kind}"
    con.register(view, arrow)
    select = []
    for name, sql, ftype in columns:
        if name not in present:
            select.append(f"CAST(NULL AS {sql}) AS {quote_ident(name)}")
        elif ftype == "amount":
            # Amounts are money: rounded to the cent once, then exact DECIMAL arithmetic.
            select.append(f"CAST(round({quote_ident(name)}, 2) AS {sql}) AS {quote_ident(name)}")
        elif name == "_bad":
            select.append(f"coalesce(CAST({quote_ident(name)} AS {sql}), []::VARCHAR[]) AS {quote_ident(name)}")
        else:
            select.append(f"CAST({quote_ident(name)} AS {sql}) AS {quote_ident(name)}")
    con.execute(f"CREATE TABLE {target} AS SELECT {', '.join(select)} FROM {view}")
    con.unregister(view)


def prepare_database(
    tables: dict[str, pd.DataFrame], lock: bool = True
) -> duckdb.DuckDBPyConnection:
    """A connection holding every kind as `src.<kind>`, views `<kind>` on them, and the macros."""
    con = connect()
    con.execute(f"CREATE SCHEMA {SOURCE_SCHEMA}")
    for kind in table_kinds():
        _create_table(con, kind, tables.get(kind))
        con.execute(f"CREATE VIEW {quote_ident(kind)} AS SELECT * FROM {SOURCE_SCHEMA}.{quote_ident(kind)}")
    for macro in MACROS:
        con.execute(macro)
    if lock:
        con.execute("SET lock_configuration = true")
    return con


class RuleViews:
    """The views by kind of one database, for one rule at a time: rows whose needed fields
    could not be read are left out. Each view is made again only when a rule needs other rows
    of that kind than the rule before: a dozen views for each of 32 rules, made on every
    database of a batch run, cost more than the rules on a small unit's rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, shown: dict[str, str] | None = None):
        self.con = con
        # kind -> the WHERE its view has now: by default plain, as prepare_database makes them;
        # `shown={}` for views in an unknown state (every one is then made again)
        self.shown = {kind: "" for kind in table_kinds()} if shown is None else shown

    def use(self, needs: dict[str, list[str]]) -> None:
        for kind in table_kinds():
            fields = needs.get(kind, [])
            where = f" WHERE NOT list_has_any(_bad, {sql_list(fields)})" if fields else ""
            if self.shown.get(kind) == where:
                continue
            self.con.execute(
                f"CREATE OR REPLACE VIEW {quote_ident(kind)} AS "
                f"SELECT * FROM {SOURCE_SCHEMA}.{quote_ident(kind)}{where}"
            )
            self.shown[kind] = where

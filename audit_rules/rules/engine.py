"""Run a ruleset over canonical tables in an embedded, locked-down DuckDB.

    findings, outcomes = run_rules(ledgers.by_kind(), load_ruleset(None))

Each kind becomes a DuckDB table named by kind with EVERY field of kinds.yaml, typed
(date→DATE, amount→DECIMAL(18,2) so sums are exact to the cent, count/year→BIGINT,
ratio→DOUBLE, bool→BOOLEAN, list→VARCHAR[], text/id→VARCHAR) plus _file, _sheet,
_row INTEGER, _unit, _bad VARCHAR[]. Kinds not read exist as empty tables. The connection has
external access off (no files, network, extensions) and its configuration locked before any
rule runs. A rule whose inputs are missing is skipped with a Chinese reason; a rule that
errors fails alone.

The module also holds the small SQL helpers rule types share (field types, normalised
expressions, row identity for fingerprints).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from audit_rules.findings import Finding, Location, fingerprint
from audit_rules.ledgers.schema import FieldSpec, table_kinds
from audit_rules.result import RuleOutcome
from audit_rules.rules.model import Rule, Ruleset
from audit_rules.rules.template import render, template_fields
from audit_rules.rules.types.base import SqlContext

SQL_TYPES = {
    "date": "DATE",
    "amount": "DECIMAL(18,2)",
    "count": "BIGINT",
    "year": "BIGINT",
    "ratio": "DOUBLE",
    "bool": "BOOLEAN",
    "list": "VARCHAR[]",
    "text": "VARCHAR",
    "id": "VARCHAR",
}
PROVENANCE_SQL = {"_file": "VARCHAR", "_sheet": "VARCHAR", "_row": "INTEGER", "_unit": "VARCHAR", "_bad": "VARCHAR[]"}
SOURCE_SCHEMA = "src"  # full tables; rules see per-rule views of them in the main schema
REQUIRED_COLUMNS = ("unit", "amount", "locations", "content")

# norm_name: names compared ignoring spaces and every kind of bracket (the reader applied NFKC,
# so full-width brackets are already half-width; the full-width ones are listed anyway).
# norm_invoice: invoice-like numbers without prefixes (No. / № / 发票号…), punctuation and
# leading zeros, so 'No.00571234' = '571234'.
MACROS = (
    r"""CREATE MACRO norm_name(x) AS
        NULLIF(lower(regexp_replace(CAST(x AS VARCHAR),
            '[\s\(\)（）\[\]【】\{\}〔〕〖〗<>《》〈〉「」『』]', '', 'g')), '')""",
    r"""CREATE MACRO norm_invoice(x) AS
        NULLIF(ltrim(regexp_replace(
            regexp_replace(upper(trim(CAST(x AS VARCHAR))),
                '^(NO\.?|№|发票号码|发票号|票据号码|票据号|票号)\s*[:：#]?', ''),
            '[^0-9A-Z]', '', 'g'), '0'), '')""",
    # norm_class: a class or category as ledgers write it, compared as a name without a leading
    # classification code (3+ digits: '30201 办公费', 'A02010104 台式计算机') and without a parent
    # class ('计算机设备-台式计算机', '商品和服务支出/办公费').
    r"""CREATE MACRO norm_class(x) AS
        norm_name(regexp_replace(regexp_replace(CAST(x AS VARCHAR),
            '^\s*[A-Za-z]?[0-9]{3,}[\s.、\-]*', ''), '^.*[-/>＞—|]', ''))""",
    # norm_place: a place name without spaces and a leading province / autonomous region, so
    # '湖南省长沙市岳麓区' and '湖南长沙' begin with '长沙'.
    r"""CREATE MACRO norm_place(x) AS
        regexp_replace(lower(regexp_replace(CAST(x AS VARCHAR), '\s', '', 'g')),
            '^(中国)?(河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾)省?|^(中国)?(内蒙古|广西|西藏|宁夏|新疆)([^市]{0,4}自治区)?', '')""",
)


# ---- helpers for rule types ---------------------------------------------------------------


def field_spec(kind: str, name: str) -> FieldSpec:
    return table_kinds()[kind].fields[name]


def field_type(kind: str, name: str) -> str:
    return field_spec(kind, name).type


def field_header(kind: str, name: str) -> str:
    return field_spec(kind, name).header


def check_kind(kind: str) -> str:
    """ValueError (Chinese) unless `kind` is a table kind."""
    if kind not in table_kinds():
        raise ValueError(f"未知的表类型 \"{kind}\"（可用：{'、'.join(table_kinds())}）")
    return kind


def check_field(kind: str | None, name: str) -> str:
    """ValueError (Chinese) unless `name` is a field of `kind`."""
    if kind is None or kind not in table_kinds():
        return name  # the table error is reported on its own field
    fields = table_kinds()[kind].fields
    if name not in fields:
        raise ValueError(
            f"{table_kinds()[kind].title}（{kind}）没有字段 \"{name}\"（可用：{'、'.join(fields)}）"
        )
    return name


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column(alias: str, name: str) -> str:
    return f"{alias}.{quote_ident(name)}"


def normalised(kind: str, name: str, alias: str) -> str:
    """SQL comparing a field the way people mean it: ids as invoice numbers, text as names."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype == "id":
        return f"norm_invoice({col})"
    if ftype == "text":
        return f"norm_name({col})"
    if ftype == "list":
        return f"list_sort(list_transform({col}, lambda v: norm_name(v)))"
    return col


def is_blank(kind: str, name: str, alias: str) -> str:
    """SQL true when the field holds nothing usable (NULL, blank text, empty list)."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype in ("text", "id"):
        return f"({col} IS NULL OR trim({col}) = '')"
    if ftype == "list":
        return f"({col} IS NULL OR len({col}) = 0)"
    return f"({col} IS NULL)"


def as_text(kind: str, name: str, alias: str) -> str:
    """SQL for a field's value as display/fingerprint text ('' when NULL)."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype == "date":
        return f"coalesce(strftime({col}, '%Y-%m-%d'), '')"
    if ftype == "list":
        return f"coalesce(array_to_string({col}, '、'), '')"
    return f"coalesce(CAST({col} AS VARCHAR), '')"


def identity_fields(kind: str) -> list[str]:
    """Fields that identify a row of `kind` (unique ones, else key ones, else all): a finding's
    fingerprint rests on them, never on row numbers."""
    fields = table_kinds()[kind].fields.values()
    unique = [f.name for f in fields if f.unique]
    keys = [f.name for f in fields if f.key]
    if unique and not any(f.unique_within for f in fields if f.unique):
        return unique
    # A number unique only within a period (凭证号 restarts every month) names a row only
    # together with its key fields (date, amount, payee).
    return list(dict.fromkeys([*unique, *keys])) or [f.name for f in fields]


def content_sql(kind: str, alias: str, extra_fields: list[str] = (), extra_sql: list[str] = ()) -> str:
    """SQL for a finding's fingerprint content: unit, the row's identity and the rule's fields."""
    names = list(dict.fromkeys([*identity_fields(kind), *extra_fields]))
    parts = [f"coalesce({alias}._unit, '')", *(as_text(kind, n, alias) for n in names), *extra_sql]
    return f"concat_ws('|', {', '.join(parts)})"


def row_variables(kind: str, alias: str, reserved: set[str]) -> list[str]:
    """`alias.field AS field` for every field of the kind not clashing with reserved names,
    so a message can name the row's values ({guest_unit}, {contract_no}…)."""
    taken = set(REQUIRED_COLUMNS) | set(reserved)
    return [
        f"{column(alias, f)} AS {quote_ident(f)}"
        for f in table_kinds()[kind].fields
        if f not in taken
    ]


def row_variable_names(kind: str, reserved: set[str]) -> set[str]:
    taken = set(REQUIRED_COLUMNS) | set(reserved)
    return {f for f in table_kinds()[kind].fields if f not in taken}


def location_sql(alias: str) -> str:
    return SqlContext.location(alias)


# ---- connection and tables ----------------------------------------------------------------


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with no access to files, network or extensions."""
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )


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
    values = series.astype(object)
    try:
        return pa.array(values, type=arrow_type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array([convert(v) for v in values], type=arrow_type)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: Any) -> str | None:
    return None if _is_missing(value) else str(value)


def _as_list(value: Any) -> list[str] | None:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if not _is_missing(v)]


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


# ---- inputs of a rule ---------------------------------------------------------------------


def _present_fields(tables: dict[str, pd.DataFrame], kind: str) -> set[str]:
    frame = tables.get(kind)
    if frame is None or frame.empty:
        return set()
    # A mapped column counts even when every cell is blank (a blank 盖章 column is a finding).
    return {c for c in frame.columns if c in table_kinds()[kind].fields}


def missing_inputs(
    rule: Rule, tables: dict[str, pd.DataFrame], unusable: dict[str, dict[str, str]]
) -> str:
    """Chinese reason the rule cannot run ('' when it can)."""
    reasons = []
    for kind, fields in rule.spec.needs().items():
        spec = table_kinds().get(kind)
        title = spec.title if spec else kind
        frame = tables.get(kind)
        if frame is None or frame.empty:
            reasons.append(f"缺少{title}（{kind}）")
            continue
        present = _present_fields(tables, kind)
        absent = [f for f in fields if f not in present]
        for group in rule.spec.any_of().get(kind, []):
            if any(f in present for f in group):
                absent = [f for f in absent if f not in group]
        if absent:
            names = "、".join(f"{field_header(kind, f)}（{f}）" for f in absent)
            reasons.append(f"{title}缺少字段：{names}")
        bad = [f for f in fields if f in present and f in unusable.get(kind, {})]
        for f in bad:
            why = unusable[kind][f]
            reasons.append(f"{title}的字段 {field_header(kind, f)}（{f}）不可用" + (f"：{why}" if why else ""))
    return "；".join(reasons)


def _use_views(con: duckdb.DuckDBPyConnection, needs: dict[str, list[str]]) -> None:
    """Views by kind for one rule: rows whose needed fields could not be read are left out."""
    for kind in table_kinds():
        fields = needs.get(kind, [])
        where = ""
        if fields:
            where = f" WHERE NOT list_has_any(_bad, {sql_list(fields)})"
        con.execute(
            f"CREATE OR REPLACE VIEW {quote_ident(kind)} AS "
            f"SELECT * FROM {SOURCE_SCHEMA}.{quote_ident(kind)}{where}"
        )


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"


# ---- findings -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A DuckDB value as a message variable: DECIMAL → float, dates → 'YYYY-MM-DD'."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return "、".join("" if v is None else str(_plain(v)) for v in value)
    return value


def _findings_of(rule: Rule, ruleset: Ruleset, rows: list[dict[str, Any]]) -> list[Finding]:
    params = ruleset.parameter_values()
    unverified = ruleset.unverified_parameters(rule)
    findings = []
    seen: dict[str, int] = {}
    for row in rows:
        locations = [
            Location(file=str(loc["file"]), sheet=str(loc["sheet"] or ""), row=int(loc["row"]))
            for loc in (row.get("locations") or [])
            if loc is not None and loc.get("row") is not None
        ]
        if not locations:
            raise ValueError("规则查询返回的疑点没有来源行（locations 为空）")
        variables = {**params, **{k: _plain(v) for k, v in row.items() if k not in ("locations", "content")}}
        amount = row.get("amount")
        content = row.get("content")
        if content is None or content == "":
            content = [(loc.file, loc.sheet, loc.row) for loc in locations]
        finding_id = fingerprint(rule.id, content)
        # Identical content twice (e.g. the same row copied): keep both, with distinct ids.
        seen[finding_id] = seen.get(finding_id, 0) + 1
        if seen[finding_id] > 1:
            finding_id = fingerprint(rule.id, [content, seen[finding_id]])
        findings.append(
            Finding(
                id=finding_id,
                rule_id=rule.id,
                category=rule.category,
                severity=rule.severity,
                message=render(rule.message, variables),
                locations=locations,
                unit=row.get("unit"),
                amount=None if amount is None else round(float(amount), 2),
                basis=rule.basis,
                title=rule.title,
                unverified=list(unverified),
            )
        )
    return findings


def _run_one(con: duckdb.DuckDBPyConnection, rule: Rule, ruleset: Ruleset) -> tuple[list[Finding], list[str]]:
    """The rule's findings and its type's notes for the 规则清单."""
    _use_views(con, rule.spec.needs())
    ctx = SqlContext(params=ruleset.parameter_values())
    sql = rule.spec.compile(ctx)
    names = con.sql(sql).columns  # bound, not run
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ValueError(f"规则查询缺少输出列：{'、'.join(missing)}")
    # Only the columns a finding is built from: converting every field of every flagged row
    # to Python would cost more than the query itself.
    used = set(template_fields(rule.message))
    wanted = [*REQUIRED_COLUMNS, *(n for n in dict.fromkeys(names) if n in used and n not in REQUIRED_COLUMNS)]
    cursor = con.execute(f"SELECT {', '.join(quote_ident(n) for n in wanted)} FROM ({sql}) AS _rule")
    rows = [dict(zip(wanted, values)) for values in cursor.fetchall()]
    # Sorted by content first so the suffix given to identical findings does not follow row order.
    rows.sort(key=lambda r: (str(r.get("content")), [(l["file"], l["sheet"], l["row"]) for l in r["locations"] or []]))
    return _findings_of(rule, ruleset, rows), list(rule.spec.outcome_notes(con, ctx))


def _outcome(rule: Rule, ruleset: Ruleset, status: str, reason: str = "", findings: int = 0) -> RuleOutcome:
    values = ruleset.parameter_values()
    return RuleOutcome(
        rule_id=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        basis=rule.basis,
        type=rule.type,
        parameters={p: values.get(p) for p in rule.parameters_used()},
        status=status,
        reason=reason,
        findings=findings,
    )


def finding_sort_key(finding: Finding, order: dict[str, int]) -> tuple:
    first = finding.locations[0]
    return (order.get(finding.rule_id, len(order)), finding.unit or "", first.file, first.sheet, first.row, finding.id)


DISABLED_REASON = "规则集已停用此规则"


def run_rules(
    tables: dict[str, pd.DataFrame],
    ruleset: Ruleset,
    unusable: dict[str, dict[str, str]] | None = None,
) -> tuple[list[Finding], list[RuleOutcome]]:
    """Run every enabled rule. `tables`: kind -> canonical DataFrame (all units together);
    `unusable`: kind -> {field: Chinese reason} for fields the quality gate found unusable.
    Returns findings (sorted by rule order, unit, first location) and one outcome per rule of
    the ruleset, in ruleset order, so the reports' 规则清单 lists every rule: ran (reason: the
    rule type's notes, e.g. an unknown calendar year, else '') | skipped | failed (with a Chinese
    reason) | disabled ("规则集已停用此规则": enabled: false, or switched off by a child ruleset)."""
    unusable = unusable or {}
    tables = {k: v for k, v in tables.items() if k in table_kinds()}
    findings: list[Finding] = []
    outcomes: list[RuleOutcome] = []
    con = prepare_database(tables)
    try:
        for rule in ruleset.rules:
            if not rule.enabled:
                outcomes.append(_outcome(rule, ruleset, "disabled", DISABLED_REASON))
                continue
            reason = missing_inputs(rule, tables, unusable)
            if reason:
                outcomes.append(_outcome(rule, ruleset, "skipped", reason))
                continue
            try:
                found, notes = _run_one(con, rule, ruleset)
            except Exception as exc:  # one broken rule must not stop the others
                outcomes.append(_outcome(rule, ruleset, "failed", f"规则执行出错：{type(exc).__name__}：{exc}"))
                continue
            findings.extend(found)
            outcomes.append(_outcome(rule, ruleset, "ran", "；".join(notes), findings=len(found)))
    finally:
        con.close()
    order = {rule.id: i for i, rule in enumerate(ruleset.rules)}
    findings.sort(key=lambda f: finding_sort_key(f, order))
    return findings, outcomes

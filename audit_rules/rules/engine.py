"""Run a ruleset over canonical tables in the rules' database (`rules/database.py`).

    findings, outcomes = run_rules(ledgers.by_kind(), load_ruleset(None))

A rule whose inputs are missing is skipped with a Chinese reason; a rule that errors fails
alone. Each rule's SELECT (compiled by its type with the helpers of `rules/sql.py`) becomes
findings: locations, amount, a fingerprint id and the Chinese message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from audit_rules.findings import Finding, Location, finding_sort_key, fingerprint
from audit_rules.ledgers.schema import table_kinds
from audit_rules.result import RuleOutcome
from audit_rules.rules.database import (
    DEFAULT_MAX_FINDINGS,
    DEFAULT_RULE_SECONDS,
    DEFAULT_SQL_MEMORY_MB,
    MAX_FINDINGS_ENV,
    RULE_SECONDS_ENV,
    SQL_MEMORY_ENV,
    RuleViews,
    prepare_database,
    setting,
    time_limit,
)
from audit_rules.rules.model import Rule, Ruleset
from audit_rules.rules.sql import REQUIRED_COLUMNS, field_header, quote_ident
from audit_rules.rules.template import render, template_fields
from audit_rules.rules.types.base import SqlContext
from audit_rules.values import message_value


def _present_fields(tables: dict[str, pd.DataFrame], kind: str) -> set[str]:
    frame = tables.get(kind)
    if frame is None or frame.empty:
        return set()
    # A mapped column counts even when every cell is blank (a blank 盖章 column is a finding).
    return {c for c in frame.columns if c in table_kinds()[kind].fields}


Present = dict[str, set[str]]  # kind with rows -> its mapped fields (columns present)


def present_fields(tables: dict[str, pd.DataFrame]) -> Present:
    """The kinds that have rows and the fields they have: all a rule's skip decision reads of
    the data, so that it can be made from per-unit summaries as well as from the tables."""
    return {kind: _present_fields(tables, kind) for kind, frame in tables.items() if frame is not None and not frame.empty}


def _missing_reason(
    needs: dict[str, list[str]],
    any_of: dict[str, list[list[str]]],
    present_by_kind: Present,
    unusable: dict[str, dict[str, str]],
) -> str:
    """Chinese reason these tables / fields are not there to use ('' when they are)."""
    reasons = []
    for kind, fields in needs.items():
        spec = table_kinds().get(kind)
        title = spec.title if spec else kind
        if kind not in present_by_kind:
            reasons.append(f"缺少{title}（{kind}）")
            continue
        present = present_by_kind[kind]
        absent = [f for f in fields if f not in present]
        for group in any_of.get(kind, []):
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


def missing_inputs(
    rule: Rule, tables: dict[str, pd.DataFrame], unusable: dict[str, dict[str, str]]
) -> str:
    """Chinese reason the rule cannot run ('' when it can)."""
    return missing_inputs_of(rule, present_fields(tables), unusable)


def missing_inputs_of(rule: Rule, present_by_kind: Present, unusable: dict[str, dict[str, str]]) -> str:
    """`missing_inputs` from the kinds and fields present."""
    return _missing_reason(rule.spec.needs(), rule.spec.any_of(), present_by_kind, unusable)


def checks_left_out(
    rule: Rule, present_by_kind: Present, unusable: dict[str, dict[str, str]]
) -> tuple[Rule, list[dict[str, str]]]:
    """The rule narrowed to the checks its inputs allow, and the checks left out
    ({"check": title, "reason": Chinese reason}).

    A rule of several checks (`RuleType.checks`) runs each check whose fields the ledgers have:
    one missing 盖章 column must not hide a contract without 签订日期. When no check can run, the
    rule is returned whole, for `missing_inputs` to give the reason it is skipped."""
    checks = rule.spec.checks()
    why = {title: _missing_reason(needs, {}, present_by_kind, unusable) for title, needs in checks.items()}
    kept = [title for title, reason in why.items() if not reason]
    if not kept or len(kept) == len(checks):
        return rule, []
    narrowed = dataclasses.replace(rule, spec=rule.spec.only_checks(kept))
    return narrowed, [{"check": title, "reason": reason} for title, reason in why.items() if reason]


def location_kinds(ruleset: Ruleset) -> dict[str, list[str]]:
    """Per rule, the kinds of the tables its findings' rows may lie in: those it needs and those
    it reads when present (an approval a special-fund finding names, with `fund_words` set, is
    not needed but is a location), so the reports find their cells."""
    return {rule.id: list(dict.fromkeys([*rule.spec.needs(), *rule.spec.readable_rows()])) for rule in ruleset.rules}


LeftOut = dict[str, list[dict[str, str]]]  # rule id -> the checks it runs without


def narrow_ruleset(ruleset: Ruleset, present: Present, unusable: dict[str, dict[str, str]]) -> tuple[Ruleset, LeftOut]:
    """The ruleset with each enabled rule narrowed to the checks the data allows, and the checks
    left out per rule: decided once from the kinds and fields present, so every database a batch
    runs on queries the same checks."""
    rules, left_out = [], {}
    for rule in ruleset.rules:
        narrowed, missing = checks_left_out(rule, present, unusable) if rule.enabled else (rule, [])
        rules.append(narrowed)
        if missing:
            left_out[rule.id] = missing
    return dataclasses.replace(ruleset, rules=rules), left_out


PARTIAL_PREFIX = "部分检查未运行："


# ---- findings -----------------------------------------------------------------------------


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
        variables = {**params, **{k: message_value(v) for k, v in row.items() if k not in ("locations", "content")}}
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


@dataclass
class RuleRows:
    """What one rule's query gave on one database: its rows (at most the cap), how many it
    had, and its type's `outcome_facts`; `failure` says in Chinese why it failed ('' if not).
    A batch run gives one per unit, `rule_result` turns them into findings and notes."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    facts: list = field(default_factory=list)
    failure: str = ""


def query_rule(con: duckdb.DuckDBPyConnection, rule: Rule, ruleset: Ruleset, views: RuleViews | None = None) -> RuleRows:
    """The rows of the rule's SELECT on this database (not yet findings). `views`: the
    database's views as the rules before left them (default: every view made again)."""
    (views if views is not None else RuleViews(con, shown={})).use(rule.spec.readable_rows())
    ctx = SqlContext(params=ruleset.parameter_values())
    sql = rule.spec.compile(ctx)
    names = _output_columns(con, sql)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ValueError(f"规则查询缺少输出列：{'、'.join(missing)}")
    # Only the columns a finding is built from: converting every field of every flagged row
    # to Python would cost more than the query itself.
    used = set(template_fields(rule.message))
    wanted = [*REQUIRED_COLUMNS, *(n for n in dict.fromkeys(names) if n in used and n not in REQUIRED_COLUMNS)]
    # Ordered by location so that a capped rule lists the same findings on every run, and a
    # batch part's first rows are the ones the merged list keeps (rule_result cuts in that order).
    cursor = con.execute(f"SELECT {', '.join(quote_ident(n) for n in wanted)} FROM ({sql}) AS _rule ORDER BY locations")
    cap = setting(MAX_FINDINGS_ENV, DEFAULT_MAX_FINDINGS)
    rows = [dict(zip(wanted, values)) for values in cursor.fetchmany(cap + 1)]
    total = len(rows)
    if total > cap:
        rows = rows[:cap]
        total = con.execute(f"SELECT count(*) FROM ({sql}) AS _rule").fetchone()[0]
    return RuleRows(rows, total, rule.spec.outcome_facts(con, ctx))


_COLUMNS_OF: dict[str, list[str]] = {}  # a rule's SQL -> its output columns
_COLUMNS_KEPT = 1024


def _output_columns(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The columns the SQL gives, bound once per process: every database prepare_database makes
    has the same tables, views and macros, and binding cost as much as running the rule on a
    small unit's rows (a batch run binds each rule on every part)."""
    names = _COLUMNS_OF.get(sql)
    if names is None:
        names = con.sql(sql).columns  # bound, not run
        if len(_COLUMNS_OF) >= _COLUMNS_KEPT:
            _COLUMNS_OF.clear()
        _COLUMNS_OF[sql] = names
    return names


def rule_result(rule: Rule, ruleset: Ruleset, parts: list[RuleRows]) -> tuple[list[Finding], list[str]]:
    """The findings and notes of a rule from its rows on one or several databases."""
    rows = [row for part in parts for row in part.rows]
    total = sum(part.total for part in parts)
    cap = setting(MAX_FINDINGS_ENV, DEFAULT_MAX_FINDINGS)
    cut = ""
    if total > cap:
        # the first by location, as each database listed them (ORDER BY locations)
        rows = sorted(rows, key=_location_order)[:cap]
        cut = (f"疑点超过每条规则 {cap} 条的上限（环境变量 {MAX_FINDINGS_ENV}），只列出 {cap} 条，"
               f"另有 {total - cap} 条未列出（共 {total} 条）")
    # Sorted by content first so the suffix given to identical findings does not follow row order.
    rows.sort(key=lambda r: (str(r.get("content")), _location_order(r)))
    notes = [cut] if cut else []
    return _findings_of(rule, ruleset, rows), [*notes, *rule.spec.notes_from_facts([p.facts for p in parts])]


def _location_order(row: dict) -> list:
    """The order of `ORDER BY locations` in DuckDB: by file, sheet, row of each location in turn."""
    return [(str(l["file"]), str(l["sheet"] or ""), int(l["row"])) for l in row.get("locations") or [] if l is not None]


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule, ruleset: Ruleset) -> tuple[list[Finding], list[str]]:
    """The rule's findings and its type's notes for the 规则清单."""
    return rule_result(rule, ruleset, [query_rule(con, rule, ruleset)])


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


DISABLED_REASON = "规则集已停用此规则"


def _failure(exc: Exception, expired: bool, seconds: int) -> str:
    """Why a rule failed, in Chinese; a limit that stopped it is named with its variable."""
    if expired:
        return f"规则执行超过时间上限 {seconds} 秒（环境变量 {RULE_SECONDS_ENV}），已中止"
    if isinstance(exc, duckdb.OutOfMemoryException):
        limit = setting(SQL_MEMORY_ENV, DEFAULT_SQL_MEMORY_MB)
        return f"规则查询超过内存上限 {limit} MB（环境变量 {SQL_MEMORY_ENV}），已中止"
    return f"规则执行出错：{type(exc).__name__}：{exc}"


def run_rules(
    tables: dict[str, pd.DataFrame],
    ruleset: Ruleset,
    unusable: dict[str, dict[str, str]] | None = None,
) -> tuple[list[Finding], list[RuleOutcome]]:
    """Run every enabled rule. `tables`: kind -> canonical DataFrame (all units together);
    `unusable`: kind -> {field: Chinese reason} for fields the quality gate found unusable.
    Returns findings (sorted by rule order, unit, first location) and one outcome per rule of
    the ruleset, in ruleset order, so the reports' 规则清单 lists every rule: ran (reason: the
    rule type's notes, e.g. an unknown calendar year, and the checks left out for want of a field,
    also in `skipped_checks`, else '') | skipped | failed (with a Chinese reason) | disabled ("规则集已停用此规则": enabled: false, or switched off by a child ruleset)."""
    tables = {k: v for k, v in tables.items() if k in table_kinds()}
    present = present_fields(tables)
    ruleset, left_out = narrow_ruleset(ruleset, present, unusable or {})
    plan = plan_rules(ruleset, present, unusable or {})
    ran = query_rules(tables, ruleset, runnable(ruleset, plan))
    return assemble_rules(ruleset, plan, {rule_id: [rows] for rule_id, rows in ran.items()}, left_out)


def plan_rules(ruleset: Ruleset, present: Present, unusable: dict[str, dict[str, str]]) -> dict[str, RuleOutcome | None]:
    """Per rule: its outcome when it will not run (disabled, skipped), None when it will."""
    plan: dict[str, RuleOutcome | None] = {}
    for rule in ruleset.rules:
        if not rule.enabled:
            plan[rule.id] = _outcome(rule, ruleset, "disabled", DISABLED_REASON)
        elif reason := missing_inputs_of(rule, present, unusable):
            plan[rule.id] = _outcome(rule, ruleset, "skipped", reason)
        else:
            plan[rule.id] = None
    return plan


def runnable(ruleset: Ruleset, plan: dict[str, RuleOutcome | None], compares_units: bool | None = None) -> list[str]:
    """The rules the plan runs; with `compares_units`, only those that do (or do not) compare units."""
    return [
        rule.id for rule in ruleset.rules
        if plan[rule.id] is None and (compares_units is None or rule.spec.compares_units() == compares_units)
    ]


def query_rules(tables: dict[str, pd.DataFrame], ruleset: Ruleset, rule_ids: list[str]) -> dict[str, RuleRows]:
    """The rows of each named rule on one database of these tables; a rule that errors fails alone."""
    seconds = setting(RULE_SECONDS_ENV, DEFAULT_RULE_SECONDS)
    wanted = set(rule_ids)
    out: dict[str, RuleRows] = {}
    con = prepare_database({k: v for k, v in tables.items() if k in table_kinds()})
    views = RuleViews(con)
    try:
        for rule in ruleset.rules:
            if rule.id not in wanted:
                continue
            try:
                with time_limit(con, seconds) as watch:
                    out[rule.id] = query_rule(con, rule, ruleset, views)
            except Exception as exc:  # one broken rule must not stop the others
                out[rule.id] = RuleRows(failure=_failure(exc, watch.expired, seconds))
    finally:
        con.close()
    return out


def assemble_rules(
    ruleset: Ruleset, plan: dict[str, RuleOutcome | None], ran: dict[str, list[RuleRows]],
    left_out: LeftOut | None = None,
) -> tuple[list[Finding], list[RuleOutcome]]:
    """Findings and outcomes from the plan and the rows each run rule gave (on one database or
    one per unit). A rule failed when it failed on any database (the first reason is told);
    `left_out` names the checks a rule ran without (`narrow_ruleset`)."""
    findings: list[Finding] = []
    outcomes: list[RuleOutcome] = []
    for rule in ruleset.rules:
        planned = plan[rule.id]
        if planned is not None:
            outcomes.append(planned)
            continue
        parts = ran.get(rule.id, [])
        failure = next((p.failure for p in parts if p.failure), "")
        if failure:
            outcomes.append(_outcome(rule, ruleset, "failed", failure))
            continue
        try:
            found, notes = rule_result(rule, ruleset, parts)
        except Exception as exc:  # e.g. a query's row without locations
            outcomes.append(_outcome(rule, ruleset, "failed", _failure(exc, False, 0)))
            continue
        findings.extend(found)
        outcome = _outcome(rule, ruleset, "ran", findings=len(found))
        outcome.capped = sum(part.total for part in parts) > len(found)
        outcome.skipped_checks = (left_out or {}).get(rule.id, [])
        if outcome.skipped_checks:
            notes = [PARTIAL_PREFIX + outcome.skipped_checks_text, *notes]
        outcome.reason = "；".join(notes)
        outcomes.append(outcome)
    findings.sort(key=finding_sort_key)
    return findings, outcomes

"""Run a ruleset over canonical tables in the rules' database (`rules/database.py`).

    findings, outcomes = run_rules(ledgers.by_kind(), load_ruleset(None))

A rule whose inputs are missing is skipped with a Chinese reason; a rule that errors fails
alone. Each rule's SELECT (compiled by its type with the helpers of `rules/sql.py`) becomes
findings: locations, amount, a fingerprint id and the Chinese message.
"""

from __future__ import annotations

import dataclasses
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
    prepare_database,
    setting,
    time_limit,
    use_views,
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


def _missing_reason(
    needs: dict[str, list[str]],
    any_of: dict[str, list[list[str]]],
    tables: dict[str, pd.DataFrame],
    unusable: dict[str, dict[str, str]],
) -> str:
    """Chinese reason these tables / fields are not there to use ('' when they are)."""
    reasons = []
    for kind, fields in needs.items():
        spec = table_kinds().get(kind)
        title = spec.title if spec else kind
        frame = tables.get(kind)
        if frame is None or frame.empty:
            reasons.append(f"缺少{title}（{kind}）")
            continue
        present = _present_fields(tables, kind)
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
    return _missing_reason(rule.spec.needs(), rule.spec.any_of(), tables, unusable)


def checks_left_out(
    rule: Rule, tables: dict[str, pd.DataFrame], unusable: dict[str, dict[str, str]]
) -> tuple[Rule, list[dict[str, str]]]:
    """The rule narrowed to the checks its inputs allow, and the checks left out
    ({"check": title, "reason": Chinese reason}).

    A rule of several checks (`RuleType.checks`) runs each check whose fields the ledgers have:
    one missing 盖章 column must not hide a contract without 签订日期. When no check can run, the
    rule is returned whole, for `missing_inputs` to give the reason it is skipped."""
    checks = rule.spec.checks()
    why = {title: _missing_reason(needs, {}, tables, unusable) for title, needs in checks.items()}
    kept = [title for title, reason in why.items() if not reason]
    if not kept or len(kept) == len(checks):
        return rule, []
    narrowed = dataclasses.replace(rule, spec=rule.spec.only_checks(kept))
    return narrowed, [{"check": title, "reason": reason} for title, reason in why.items() if reason]


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


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule, ruleset: Ruleset) -> tuple[list[Finding], list[str]]:
    """The rule's findings and its type's notes for the 规则清单."""
    use_views(con, rule.spec.readable_rows())
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
    cap = setting(MAX_FINDINGS_ENV, DEFAULT_MAX_FINDINGS)
    rows = [dict(zip(wanted, values)) for values in cursor.fetchmany(cap + 1)]
    cut = ""
    if len(rows) > cap:
        rows = rows[:cap]
        total = con.execute(f"SELECT count(*) FROM ({sql}) AS _rule").fetchone()[0]
        cut = (f"疑点超过每条规则 {cap} 条的上限（环境变量 {MAX_FINDINGS_ENV}），只列出 {cap} 条，"
               f"另有 {total - cap} 条未列出（共 {total} 条）")
    # Sorted by content first so the suffix given to identical findings does not follow row order.
    rows.sort(key=lambda r: (str(r.get("content")), [(l["file"], l["sheet"], l["row"]) for l in r["locations"] or []]))
    notes = [cut] if cut else []
    return _findings_of(rule, ruleset, rows), [*notes, *rule.spec.outcome_notes(con, ctx)]


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
    also in `skipped_checks`, else '') | skipped | failed (with a Chinese
    reason) | disabled ("规则集已停用此规则": enabled: false, or switched off by a child ruleset)."""
    unusable = unusable or {}
    tables = {k: v for k, v in tables.items() if k in table_kinds()}
    findings: list[Finding] = []
    outcomes: list[RuleOutcome] = []
    seconds = setting(RULE_SECONDS_ENV, DEFAULT_RULE_SECONDS)
    con = prepare_database(tables)
    try:
        for rule in ruleset.rules:
            if not rule.enabled:
                outcomes.append(_outcome(rule, ruleset, "disabled", DISABLED_REASON))
                continue
            narrowed, left_out = checks_left_out(rule, tables, unusable)
            reason = missing_inputs(narrowed, tables, unusable)
            if reason:
                outcomes.append(_outcome(rule, ruleset, "skipped", reason))
                continue
            try:
                with time_limit(con, seconds) as watch:
                    found, notes = run_rule(con, narrowed, ruleset)
            except Exception as exc:  # one broken rule must not stop the others
                outcomes.append(_outcome(rule, ruleset, "failed", _failure(exc, watch.expired, seconds)))
                continue
            findings.extend(found)
            outcome = _outcome(rule, ruleset, "ran", findings=len(found))
            outcome.skipped_checks = left_out
            if left_out:
                notes = [PARTIAL_PREFIX + outcome.skipped_checks_text, *notes]
            outcome.reason = "；".join(notes)
            outcomes.append(outcome)
    finally:
        con.close()
    findings.sort(key=finding_sort_key)
    return findings, outcomes

"""Helpers shared by the report writers: ordering, Chinese labels and plain-value conversion.

Reports never decide findings; everything here only presents what a RunResult already holds.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from audit_rules.findings import (
    CATEGORY_TITLES,
    SEVERITY_TITLES,
    STATUS_TITLES,
    Finding,
    Location,
)
from audit_rules.ledgers.schema import kind_title
from audit_rules.result import QualityResult, RunResult
from audit_rules.values import plain, plain_number

NO_UNIT = "（未标明单位）"
UNVERIFIED_MARK = "参数待核定"
SEVERITY_ORDER = ("high", "medium", "low")
RULE_STATUS_TITLES = {"ran": "已运行", "skipped": "已跳过", "failed": "运行失败", "disabled": "已停用"}
PARTLY_RAN_TITLE = "部分运行"  # ran without some of its checks (RuleOutcome.skipped_checks)



def category_title(category: str) -> str:
    return CATEGORY_TITLES.get(category, category)


def severity_title(severity: str) -> str:
    return SEVERITY_TITLES.get(severity, severity)


def status_title(status: str | None) -> str:
    return STATUS_TITLES.get(status, status) if status else ""


def unit_title(unit: str | None) -> str:
    return unit if unit else NO_UNIT


def check_title(result: QualityResult) -> str:
    """Chinese words for a data-quality check: its own title, else its name so nothing is hidden."""
    return result.title or result.check


def rule_status_title(status: str) -> str:
    return RULE_STATUS_TITLES.get(status, status)


def rule_outcome_title(rule) -> str:
    """How a report names what happened to a rule: 已运行, 部分运行 (some checks left out), …"""
    return PARTLY_RAN_TITLE if rule.partly_ran else rule_status_title(rule.status)


def kind_label(kind: str | None) -> str:
    return kind_title(kind)


def has_baseline(result: RunResult) -> bool:
    return result.resolved is not None


def location_text(loc: Location) -> str:
    """`付款.xlsx / 2019年 / 第12行` — how a source row is named to a reader; a journal line adds its
    voucher and line: `凭证明细.xlsx / 序时账 / 第12行（2019-03 记-12 第2行）`."""
    sheet = f" / {loc.sheet}" if loc.sheet else ""
    return f"{loc.file}{sheet} / 第{loc.row}行{voucher_text(loc)}"


def voucher_text(loc: Location) -> str:
    """`（2019-03 记-12 第2行）` for a journal line, '' for any other row."""
    if not loc.voucher:
        return ""
    period = f"{loc.period} " if loc.period else ""
    line = f" 第{loc.voucher_line}行" if loc.voucher_line else ""
    return f"（{period}{loc.voucher}{line}）"


def row_label(loc: Location) -> int | str:
    """The Excel row as a per-rule sheet shows it: the number, with the voucher line of a journal
    row (`12（2019-03 记-12 第2行）`)."""
    return f"{loc.row}{voucher_text(loc)}" if loc.voucher else loc.row


def rule_title(finding: Finding) -> str:
    return finding.title or finding.rule_id


def display_value(value: object) -> str:
    """A parameter or cell value as one line of Chinese-friendly text."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "，".join(f"{k} {display_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(display_value(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parameter_text(name: str, value: object, result: RunResult) -> str:
    """`meal_per_head_limit = 150 元/人（待核定）` for the rule list."""
    spec = result.parameters.get(name, {})
    unit = spec.get("unit") or ""
    unit = "" if unit in ("—", "-") else f" {unit}"
    mark = "" if spec.get("verified", True) else "（待核定）"
    return f"{name} = {display_value(value)}{unit}{mark}"


def unverified_texts(names: list[str], result: RunResult, with_ids: bool = True) -> list[str]:
    """Each parameter a finding rests on that nobody vouched for, as a person reads it:
    `资产取得后应在多少个自然日内入账：30 天（asset_booking_days）` — the id for `--set`, left out
    where a narrow column has no room for it (the workbook's 规则清单 lists the ids)."""
    texts = []
    for name in names:
        spec = result.parameters.get(name, {})
        unit = spec.get("unit") or ""
        unit = f" {unit}" if unit and unit not in ("—", "-") else ""
        # a list (a catalogue of classes, keywords) is too long for the cell: its name says enough
        scalar = "value" in spec and not isinstance(spec["value"], (list, dict))
        value = display_value(spec["value"]) if scalar else ""
        described = re.split(r"[：（(]", spec.get("description") or name, maxsplit=1)[0] or name
        named = f"{described}：{value}{unit}" if value else described
        texts.append(f"{named}（{name}）" if with_ids else named)
    return texts


def relative_link(source_path: str, report_path: str | os.PathLike) -> str:
    """The source file as seen from the report's folder, '/' separated (absolute when no
    relative path exists, e.g. another drive on Windows)."""
    report_dir = os.path.dirname(os.path.abspath(os.fspath(report_path)))
    try:
        rel = os.path.relpath(os.path.abspath(source_path), report_dir)
    except ValueError:
        return os.path.abspath(source_path).replace(os.sep, "/")
    return rel.replace(os.sep, "/")


@dataclass
class Tally:
    count: int = 0
    amount: float = 0.0
    has_amount: bool = False  # some finding carries an amount (a missing seal has none: —, not 0.00)


def tally(findings: list[Finding], key) -> dict[str, Tally]:
    """Count and total amount of findings by key(finding), keeping first-seen order."""
    out: dict[str, Tally] = defaultdict(Tally)
    for finding in findings:
        entry = out[key(finding)]
        entry.count += 1
        amount = plain_number(finding.amount)
        if amount is not None:
            entry.amount += amount
            entry.has_amount = True
    return dict(out)


def by_category(findings: list[Finding]) -> dict[str, Tally]:
    """Chinese category title -> tally, largest count first (ties by name for stable output)."""
    raw = tally(findings, lambda f: category_title(f.category))
    return dict(sorted(raw.items(), key=lambda kv: (-kv[1].count, kv[0])))


def by_unit(findings: list[Finding]) -> dict[str, Tally]:
    raw = tally(findings, lambda f: unit_title(f.unit))
    return dict(sorted(raw.items(), key=lambda kv: (-kv[1].count, kv[0])))


def by_month(findings: list[Finding]) -> dict[str, Tally]:
    """'2019年03月' -> tally in calendar order; findings without a date are left out."""
    raw = tally([f for f in findings if f.date], lambda f: f"{f.date[:4]}年{f.date[5:7]}月")
    return dict(sorted(raw.items()))


def by_severity(findings: list[Finding]) -> dict[str, Tally]:
    """高/中/低 in that order, every level present (zero when none)."""
    raw = tally(findings, lambda f: f.severity)
    ordered = {severity_title(s): raw.get(s, Tally()) for s in SEVERITY_ORDER}
    for key, value in raw.items():  # an unexpected severity is still shown
        if key not in SEVERITY_ORDER:
            ordered[severity_title(key)] = value
    return ordered


def status_counts(result: RunResult) -> dict[str, int]:
    """新增 / 未整改 / 已整改（销号） counts (empty without a baseline), and 整改不到位（不予销号）
    when the unit marked findings 已整改 that this run still finds."""
    from audit_rules.reports.rectification import NOT_ACCEPTED_TITLE, not_accepted_ids

    rejected = len(not_accepted_ids(result))
    if not has_baseline(result):
        return {NOT_ACCEPTED_TITLE: rejected} if rejected else {}
    counts = Counter(f.status for f in result.findings)
    out = {
        STATUS_TITLES["new"]: counts.get("new", 0),
        STATUS_TITLES["open"]: counts.get("open", 0),
        STATUS_TITLES["resolved"]: len(result.resolved or []),
    }
    if rejected:
        out[NOT_ACCEPTED_TITLE] = rejected
    return out


def total_amount(findings: list[Finding]) -> float:
    return sum(a for a in (plain_number(f.amount) for f in findings) if a is not None)


def failed_quality(result: RunResult):
    return [q for q in result.data_quality if not q.passed]


def rules_ran(result: RunResult) -> int:
    return sum(1 for r in result.rules if r.status == "ran")


def rules_not_ran(result: RunResult) -> int:
    return sum(1 for r in result.rules if r.could_not_run)

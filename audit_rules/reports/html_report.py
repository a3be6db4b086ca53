"""report.html: one self-contained page (inline CSS, JS and SVG charts; nothing from the network).

Charts are drawn here as SVG strings so the page needs no chart library. Every text from a
ledger or finding goes through jinja2 autoescaping (or markupsafe.escape inside the SVG).
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from audit_rules.findings import UNVERIFIED_NOTE, Finding, sorted_findings
from audit_rules.reports.atomic import write_text_atomic
from audit_rules.reports.common import (
    SEVERITY_ORDER,
    UNVERIFIED_MARK,
    Tally,
    by_category,
    by_month,
    by_severity,
    by_unit,
    category_title,
    check_title,
    display_value,
    failed_quality,
    has_baseline,
    kind_label,
    location_text,
    parameter_text,
    relative_link,
    rule_outcome_title,
    rule_title,
    rules_not_ran,
    rules_ran,
    severity_title,
    status_counts,
    status_title,
    total_amount,
    unit_title,
    unverified_texts,
)
from audit_rules.result import RunResult
from audit_rules.values import plain_number

TEMPLATE = "report.html.j2"
MAX_FAILED_SHOWN = 30  # failed cells listed per data-quality check in the page
SEVERITY_COLOURS = {"高": "#c0392b", "中": "#e67e22", "低": "#2e86c1"}


def write_html(result: RunResult, path: str | os.PathLike, links_from: str | os.PathLike | None = None) -> Path:
    """Write report.html for `result` to `path` (atomically); links to the source ledgers are
    relative to the folder of `links_from` (where the report will finally live; default `path`)."""
    path = Path(path)
    return write_text_atomic(path, render_html(result, links_from or path))


def render_html(result: RunResult, report_path: str | os.PathLike = "report.html") -> str:
    return _environment().get_template(TEMPLATE).render(**_context(result, report_path))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("audit_rules.reports", "templates"),
        autoescape=True,  # every value is ledger text until proven otherwise
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def money(value: object) -> str:
    number = plain_number(value)
    return "" if number is None else f"¥{number:,.2f}"


# ---- context ----------------------------------------------------------------------------------


@dataclass
class SourceRef:
    text: str
    href: str | None


@dataclass
class FindingView:
    id: str
    unit: str
    rule: str
    rule_id: str
    category: str
    severity: str
    severity_rank: int
    amount: str
    amount_value: float | None
    message: str
    basis: str
    sources: list[SourceRef]
    status: str
    unverified: list[str]


def _context(result: RunResult, report_path) -> dict:
    from audit_rules.reports.rectification import (
        NOT_ACCEPTED_TITLE,
        local_time,
        not_accepted_ids,
        reconciliation_rows,
    )

    findings = sorted_findings(result.findings)
    rejected = not_accepted_ids(result)
    views = [_view(f, result, report_path) for f in findings]
    for view in views:
        if view.id in rejected:
            view.status = NOT_ACCEPTED_TITLE
    return {
        "result": result,
        "started_at": local_time(result.started_at),
        "findings": views,
        "with_status": has_baseline(result) or bool(rejected),
        "not_accepted": [v for v in views if v.id in rejected],
        "not_accepted_title": NOT_ACCEPTED_TITLE,
        "reconciliation": [_reconciliation_view(row) for row in reconciliation_rows(result)],
        "resolved": [_view(f, result, report_path) for f in sorted_findings(result.resolved or [])],
        "not_rechecked": [_view(f, result, report_path) for f in sorted_findings(result.not_rechecked)],
        "with_baseline": has_baseline(result),
        "cards": _cards(result, findings),
        "charts": _charts(findings),
        "categories": sorted({v.category for v in views}),
        "units": sorted({v.unit for v in views}),
        "severities": [severity_title(s) for s in SEVERITY_ORDER],
        "skipped": [_rule_view(r, result) for r in result.rules if r.could_not_run or r.partly_ran],
        "rules": [_rule_view(r, result) for r in result.rules],
        "quality_failed": [_quality_view(q) for q in failed_quality(result)],
        "quality_passed": sum(1 for q in result.data_quality if q.passed),
        "errors": result.errors,
        "parameters": _parameter_views(result),
        "inputs": sorted(result.inputs, key=lambda i: i.file),
        "unverified_mark": UNVERIFIED_MARK,
        "unverified_hint": UNVERIFIED_NOTE,
        "money": money,
    }


def _view(finding: Finding, result: RunResult, report_path) -> FindingView:
    return FindingView(
        id=finding.id,
        unit=unit_title(finding.unit),
        rule=rule_title(finding),
        rule_id=finding.rule_id,
        category=category_title(finding.category),
        severity=severity_title(finding.severity),
        severity_rank=_severity_rank(finding.severity),
        amount=money(finding.amount),
        amount_value=plain_number(finding.amount),
        message=finding.message,
        basis=finding.basis,
        sources=[_source_ref(loc, result, report_path) for loc in finding.locations],
        status=status_title(finding.status),
        unverified=unverified_texts(finding.unverified, result),
    )


def _reconciliation_view(row) -> dict:
    from audit_rules.reports.workbook_names import STATE_HEADER

    entry = row.entry
    done_by = entry.get("完成时限")
    return {
        "id": row.finding.id, "unit": unit_title(row.finding.unit), "rule": rule_title(row.finding),
        "amount": money(row.finding.amount), "measures": display_value(entry.get("整改措施")),
        "deadline": done_by.strftime("%Y-%m-%d") if hasattr(done_by, "strftime") else display_value(done_by),
        "evidence": display_value(entry.get("证明材料")), "state": display_value(entry.get(STATE_HEADER)),
        "verdict": row.verdict, "not_accepted": row.not_accepted, "closed_on": row.closed_on,
        "rechecked_by": row.rechecked_by,
    }


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _source_ref(loc, result: RunResult, report_path) -> SourceRef:
    source = result.source_paths.get(loc.file)
    # a relative file link (browsers cannot open a sheet/row, so the text names them)
    href = urllib.parse.quote(relative_link(source, report_path)) if source else None
    return SourceRef(location_text(loc), href)


def _cards(result: RunResult, findings: list[Finding]) -> list[tuple[str, str, bool]]:
    """(title, value, warn) for the summary cards."""
    cards = [
        ("疑点数", str(len(findings)), bool(findings)),
        ("涉及金额", money(total_amount(findings)), False),
        ("涉及单位", str(len({unit_title(f.unit) for f in findings})), False),
        ("已运行规则", str(rules_ran(result)), False),
        ("未运行规则", str(rules_not_ran(result)), rules_not_ran(result) > 0),
        ("数据质量问题", str(len(failed_quality(result))), bool(failed_quality(result))),
        ("无法读取的文件", str(len(result.errors)), bool(result.errors)),
    ]
    for title, count in status_counts(result).items():
        cards.append((title, str(count), False))
    return cards


def _rule_view(rule, result: RunResult) -> dict:
    return {
        "rule_id": rule.rule_id,
        "title": rule.title,
        "category": category_title(rule.category),
        "severity": severity_title(rule.severity),
        "status": rule_outcome_title(rule),
        "ran": rule.status == "ran" and not rule.partly_ran,
        "reason": rule.reason,
        "parameters": [parameter_text(k, v, result) for k, v in rule.parameters.items()],
        "basis": rule.basis,
        "findings": rule.findings,
    }


def _quality_view(q) -> dict:
    failed = [f"第{item.get('row')}行：{display_value(item.get('value'))}" for item in q.failed[:MAX_FAILED_SHOWN]]
    return {
        "file": q.file,
        "sheet": q.sheet,
        "kind": kind_label(q.kind),
        "field": q.field or "（整表）",
        "check": check_title(q),
        "count": len(q.failed),
        "failed": failed,
        "more": max(0, len(q.failed) - MAX_FAILED_SHOWN),
        "detail": q.detail,
    }


def _parameter_views(result: RunResult) -> list[dict]:
    out = []
    for name, spec in sorted(result.parameters.items()):
        unit = spec.get("unit") or ""
        out.append(
            {
                "name": name,
                "description": spec.get("description", ""),
                "value": display_value(spec.get("value")) + ("" if unit in ("", "—", "-") else f" {unit}"),
                "verified": bool(spec.get("verified", False)),
                "basis": spec.get("basis", ""),
            }
        )
    return out


# ---- SVG charts -------------------------------------------------------------------------------


def _charts(findings: list[Finding]) -> list[tuple[str, Markup]]:
    if not findings:
        return []
    severity = by_severity(findings)
    charts = [
        ("各类别疑点数", bar_chart_svg(by_category(findings), "各类别疑点数")),
        ("各单位疑点数", bar_chart_svg(by_unit(findings), "各单位疑点数")),
        ("各严重程度疑点数", bar_chart_svg(severity, "各严重程度疑点数", SEVERITY_COLOURS)),
    ]
    months = by_month(findings)
    if months:
        charts.append(("各月份疑点数", bar_chart_svg(months, "各月份疑点数（按疑点所在行的日期）")))
    return charts


def bar_chart_svg(
    tallies: dict[str, Tally], title: str, colours: dict[str, str] | None = None, width: int = 460
) -> Markup:
    """A horizontal bar chart (count, with the amount beside it) as an inline SVG element."""
    label_w, bar_h, gap, top = 150, 20, 8, 6
    value_w = 150
    bar_area = width - label_w - value_w
    peak = max((t.count for t in tallies.values()), default=0) or 1
    height = top * 2 + len(tallies) * (bar_h + gap)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, entry) in enumerate(tallies.items()):
        y = top + i * (bar_h + gap)
        length = round(bar_area * entry.count / peak, 1)
        colour = (colours or {}).get(label, "#305496")
        short = label if len(label) <= 11 else label[:10] + "…"
        amount = f"，{money(entry.amount)}" if entry.amount else ""
        parts.append(
            f'<g><title>{escape(label)}：{entry.count} 条{escape(amount)}</title>'
            f'<text x="{label_w - 6}" y="{y + bar_h * 0.72}" text-anchor="end" class="lbl">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar_h}" rx="2" fill="{colour}"></rect>'
            f'<text x="{label_w + length + 4}" y="{y + bar_h * 0.72}" class="val">{entry.count}{escape(amount)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))

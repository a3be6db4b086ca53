"""Rectification tracking against a baseline run (对账销号).

A baseline is an earlier run's output folder (or its findings.json). Findings are matched by
id, which is a fingerprint of rule and content, so a problem keeps its id when rows move:
  new      — in this run, not in the baseline (新增)
  open     — in both (未整改)
  resolved — in the baseline, gone from this run (已整改/销号)
When the baseline folder also holds report.xlsx, the 整改 columns people filled there are
carried over to this run's report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from audit_rules.findings import Finding
from audit_rules.reports.atomic import atomic_path
from audit_rules.reports.xlsx_report import ReportReadError, read_rectification
from audit_rules.result import RunResult

FINDINGS_JSON = "findings.json"
REPORT_XLSX = "report.xlsx"


class BaselineError(ValueError):
    """The baseline cannot be used (message in Chinese, names the path and the cause)."""


def baseline_json_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path / FINDINGS_JSON if path.is_dir() else path


def load_baseline(path: str | os.PathLike) -> list[Finding]:
    """The findings of a baseline run: `path` is its output folder or its findings.json."""
    json_path = baseline_json_path(path)
    if not json_path.exists():
        raise BaselineError(f"找不到基线文件：{json_path}（请指定上次运行的输出目录或其中的 {FINDINGS_JSON}）")
    try:
        doc = json.loads(json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"基线文件 {json_path} 不是有效的 JSON：{exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"基线文件 {json_path} 不是 audit-rules 的 findings.json（缺少 findings 列表）")
    return [_finding(item, index, json_path) for index, item in enumerate(doc["findings"], start=1)]


def _finding(item: object, index: int, json_path: Path) -> Finding:
    try:
        finding = Finding.from_json(item)  # type: ignore[arg-type]
    except KeyError as exc:
        raise BaselineError(f"基线文件 {json_path} 第 {index} 条疑点缺少字段 {exc.args[0]}") from exc
    except (TypeError, AttributeError) as exc:
        raise BaselineError(f"基线文件 {json_path} 第 {index} 条疑点格式不正确：{exc}") from exc
    if not finding.id:
        raise BaselineError(f"基线文件 {json_path} 第 {index} 条疑点没有编号（id），无法对账")
    return finding


def compare(current: list[Finding], baseline: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(current findings with status new/open, baseline findings no longer found).

    Inputs are not modified: copies carry the status. Resolved findings carry no status (the
    schema's status is only new/open; being in `resolved` says it)."""
    baseline_ids = {f.id for f in baseline}
    current_ids = {f.id for f in current}
    with_status = [
        dataclasses.replace(f, status="open" if f.id in baseline_ids else "new") for f in current
    ]
    resolved = [dataclasses.replace(f, status=None) for f in baseline if f.id not in current_ids]
    return with_status, _unique_by_id(resolved)


def _unique_by_id(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.id not in seen:
            seen.add(finding.id)
            out.append(finding)
    return out


def load_rectification(path: str | os.PathLike) -> dict[str, dict[str, str]]:
    """The 整改 entries of the baseline's report.xlsx, by finding id ({} when there is none)."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    xlsx = folder / REPORT_XLSX
    if not xlsx.exists():
        return {}
    try:
        return read_rectification(xlsx)
    except ReportReadError as exc:
        raise BaselineError(str(exc)) from exc


def apply_baseline(result: RunResult, path: str | os.PathLike) -> RunResult:
    """Set status, resolved, baseline and carried-over 整改 entries on `result` (in place, and
    returned for convenience). Entries already in result.rectification win over carried ones;
    only entries of findings still open are carried."""
    baseline = load_baseline(path)
    result.findings, result.resolved = compare(result.findings, baseline)
    result.baseline = str(path)
    current_ids = {f.id for f in result.findings}
    carried = {k: v for k, v in load_rectification(path).items() if k in current_ids}
    result.rectification = {**carried, **result.rectification}
    return result



@dataclass
class PreviousEntries:
    """What became of the 整改 entries typed into the report.xlsx a run is about to replace."""

    carried: int = 0  # entries carried into the new report (their finding is still found)
    kept_copy: Path | None = None  # the old workbook, kept beside the new one
    reason: str = ""  # Chinese: why the old workbook was kept


def carry_over_previous(result: RunResult, xlsx_path: str | os.PathLike) -> tuple[RunResult, PreviousEntries]:
    """Before `xlsx_path` is overwritten, take over the 整改 entries a unit typed into it.

    Entries of findings this run still has go into the new report (entries already in
    `result`, from a baseline, win). When some cannot go there — their finding is gone, an
    entry differs from the baseline's, or the old workbook cannot be read — the old workbook is
    kept beside the new one as report.<its time>.xlsx, so nothing a unit typed is ever lost.
    Returns a copy of `result` with the entries, and what was done."""
    path = Path(xlsx_path)
    if not path.is_file():
        return result, PreviousEntries()
    try:
        previous = read_rectification(path)
    except ReportReadError as exc:
        return result, PreviousEntries(kept_copy=_keep_copy(path), reason=f"无法读取其中的整改信息（{exc}）")
    current_ids = {f.id for f in result.findings}
    entries = {**{k: v for k, v in previous.items() if k in current_ids}, **result.rectification}
    # Only the entries of findings listed in 疑点明细 are shown (and read back) next time.
    lost = [k for k, v in previous.items() if k not in current_ids or entries[k] != v]
    carried = len(previous) - len(lost)
    updated = dataclasses.replace(result, rectification=entries)
    if not lost:
        return updated, PreviousEntries(carried=carried)
    reason = f"其中 {len(lost)} 条整改记录无法带入新报告（对应疑点本次未检出或与基线不同）"
    return updated, PreviousEntries(carried=carried, kept_copy=_keep_copy(path), reason=reason)


def _keep_copy(path: Path) -> Path:
    """Copy `path` to report.<YYYY-MM-DDTHHMM of its last change>.xlsx beside it (a free name)."""
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%dT%H%M")
    target = path.with_name(f"{path.stem}.{stamp}{path.suffix}")
    number = 2
    while target.exists():
        target = path.with_name(f"{path.stem}.{stamp}-{number}{path.suffix}")
        number += 1
    with atomic_path(target) as tmp:
        shutil.copy2(path, tmp)
    return target

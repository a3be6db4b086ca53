"""Rectification (整改 / 对账销号): everything a run needs from the runs before it.

A baseline is an earlier run's output folder (or its findings.json). Findings are matched by
id, which is a fingerprint of rule and content (see rules/sql.py), so a problem keeps its id
when rows move:
  new           — in this run, not in the baseline (新增)
  open          — in both (未整改)
  resolved      — in the baseline, gone from this run, and this run looked again: its rule ran
                  and the ledger file it was found in was read (已整改/销号)
  not rechecked — gone, but this run could not look again (未复核): never 销号
The 整改 columns a unit filled in the baseline's report.xlsx are carried over to this run's
report, and so are those of a report.xlsx about to be replaced in the output folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from audit_rules.findings import Finding
from audit_rules.reports.atomic import atomic_path
from audit_rules.reports.workbook_names import (
    DONE_STATE,
    FINDINGS_JSON,
    ID_HEADER,
    LEGACY_COLUMNS,
    RECTIFICATION_COLUMNS,
    REPORT_XLSX,
    SHEET_FINDINGS,
    STATE_HEADER,
)
from audit_rules.result import RunResult

Entry = dict[str, object]  # {整改 column: the value as typed — text, a date, a number}
Entries = dict[str, Entry]  # finding id -> its entry

NOT_ACCEPTED = "not_accepted"  # findings.json: the unit marked it 已整改, this run still finds it
NOT_ACCEPTED_TITLE = "整改不到位（不予销号）"
CLOSED_TITLE = "已销号"


class BaselineError(ValueError):
    """The baseline cannot be used (message in Chinese, names the path and the cause)."""


class ReportReadError(ValueError):
    """A previous report cannot be read back (message in Chinese)."""


def read_rectification(xlsx_path: str | os.PathLike) -> Entries:
    """The 整改 columns filled in a previous report.xlsx, by finding id.

    Only findings with at least one filled 整改 cell are returned; values come back as typed:
    text stripped, a date typed into 完成时限 as a date (datetime), a number as a number. Columns
    of older reports (整改时限) are read under their new name. Raises ReportReadError with a Chinese message when
    the file or its 疑点明细 sheet cannot be read."""
    try:
        workbook = load_workbook(xlsx_path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise ReportReadError(f"找不到上次的报告文件：{xlsx_path}") from exc
    except Exception as exc:  # zip / xml errors of a damaged or foreign file
        raise ReportReadError(f"无法打开上次的报告文件 {xlsx_path}：{exc}") from exc
    try:
        if SHEET_FINDINGS not in workbook.sheetnames:
            raise ReportReadError(f"上次的报告 {xlsx_path} 中没有“{SHEET_FINDINGS}”工作表，无法读取整改情况")
        return _rectification_rows(workbook[SHEET_FINDINGS], xlsx_path)
    finally:
        workbook.close()


def _rectification_rows(ws, xlsx_path) -> Entries:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    index = {str(title).strip(): i for i, title in enumerate(header) if title is not None}
    if ID_HEADER not in index:
        raise ReportReadError(f"上次的报告 {xlsx_path} 的“{SHEET_FINDINGS}”工作表缺少“{ID_HEADER}”列")
    for old, new in LEGACY_COLUMNS.items():
        if old in index and new not in index:
            index[new] = index.pop(old)
    present = [c for c in RECTIFICATION_COLUMNS if c in index]
    out: Entries = {}
    for values in rows:
        finding_id = _cell_text(values[index[ID_HEADER]] if index[ID_HEADER] < len(values) else None)
        if not finding_id:
            continue
        entry = {c: _as_typed(values[index[c]]) for c in present if index[c] < len(values)}
        entry = {c: v for c, v in entry.items() if v is not None and v != ""}
        if entry:
            out[finding_id] = entry
    return out


def _as_typed(value: object) -> object:
    """A cell's value as the unit typed it: text stripped, dates and numbers kept as such."""
    if isinstance(value, str):
        return value.strip()
    return value


def unit_state(entry: Entry | None) -> str:
    """The 整改状态 the unit chose for a finding ("" when none)."""
    return _cell_text((entry or {}).get(STATE_HEADER))


def not_accepted_ids(result: RunResult) -> set[str]:
    """Findings the unit marked 已整改 that this run still finds: 整改不到位，不予销号."""
    current = {f.id for f in result.findings}
    return {fid for fid, entry in result.rectification.items() if fid in current and unit_state(entry) == DONE_STATE}


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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


def load_left_out_checks(path: str | os.PathLike) -> dict[str, set[str]]:
    """Rule id -> the checks a baseline run left out (its findings.json skipped_rules)."""
    try:
        doc = json.loads(baseline_json_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # load_baseline reports an unreadable file
    out: dict[str, set[str]] = {}
    for item in doc.get("skipped_rules") or []:
        if isinstance(item, dict) and isinstance(item.get("skipped_checks"), list):
            out[str(item.get("rule_id"))] = {str(c.get("check")) for c in item["skipped_checks"] if isinstance(c, dict)}
    return out


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


def load_rectification(path: str | os.PathLike) -> Entries:
    """The 整改 entries of the baseline's report.xlsx, by finding id ({} when there is none)."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    xlsx = folder / REPORT_XLSX
    if not xlsx.exists():
        return {}
    try:
        return read_rectification(xlsx)
    except ReportReadError as exc:
        raise BaselineError(str(exc)) from exc


@dataclass
class Reconciliation:
    """This run's findings against a baseline's."""

    findings: list[Finding]  # this run's, with status new / open
    resolved: list[Finding]  # gone and rechecked: 销号
    not_rechecked: list[Finding]  # gone, but this run could not look again
    entries: Entries  # the baseline report's 整改 entries of findings still found
    gone_entries: Entries = dataclasses.field(default_factory=dict)  # … and of findings gone


@dataclass
class Baseline:
    """An earlier run: its findings and the 整改 entries typed into its report.xlsx."""

    path: str
    findings: list[Finding]
    entries: Entries
    # rule id -> titles of the checks the baseline run left out (findings.json skipped_checks)
    left_out: dict[str, set[str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        """The baseline at `path` (its folder or its findings.json); BaselineError if unusable."""
        return cls(str(path), load_baseline(path), load_rectification(path), load_left_out_checks(path))

    def rechecked_by(self, outcome) -> bool:
        """Whether a rule's outcome in this run looked again at everything the baseline found
        with it: it ran, listed all it found (not cut at the per-rule cap: a baseline finding past
        the cut is not gone), and any check it left out was left out of the baseline run as well."""
        if outcome.status != "ran" or outcome.capped:
            return False
        return {c["check"] for c in outcome.skipped_checks} <= self.left_out.get(outcome.rule_id, set())

    def reconcile(self, current: list[Finding], ran_rules: Iterable[str], read_files: Iterable[str]) -> Reconciliation:
        """Compare this run's findings with the baseline's.

        A finding no longer found is only rectified if this run looked again: its rule ran
        (`ran_rules`) and the ledger file it was found in was read (`read_files`). A ledger
        left out of this run, or a rule that could not run, says nothing about whether it was
        fixed."""
        findings, gone = compare(current, self.findings)
        ran, read = set(ran_rules), set(read_files)
        resolved, not_rechecked = [], []
        for finding in gone:
            rechecked = finding.rule_id in ran and finding.locations[0].file in read
            (resolved if rechecked else not_rechecked).append(finding)
        current_ids = {f.id for f in findings}
        entries = {k: v for k, v in self.entries.items() if k in current_ids}
        gone_entries = {k: v for k, v in self.entries.items() if k not in current_ids}
        return Reconciliation(findings, resolved, not_rechecked, entries, gone_entries)


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


# ---- 对账销号单: every problem with what the unit reported and what this run found -------------


@dataclass
class ReconciliationRow:
    finding: Finding
    entry: Entry  # what the unit typed (整改措施 … 整改状态), as typed
    verdict: str  # Chinese: 整改不到位（不予销号） / 已销号 / 未复核（不作销号） / 未销号（本次仍检出）
    closed_on: str = ""  # YYYY-MM-DD of the run that rechecked and closed it
    rechecked_by: str = ""  # that run, in words

    @property
    def not_accepted(self) -> bool:
        return self.verdict == NOT_ACCEPTED_TITLE


NOT_RECHECKED_TITLE = "未复核（不作销号）"
STILL_FOUND_TITLE = "未销号（本次仍检出）"


def run_words(result: RunResult) -> str:
    """The run that rechecked, as a reader names it: time, tool, ruleset."""
    return (f"{local_time(result.started_at)} audit-rules {result.tool_version} 复核"
            f"（规则集 {result.ruleset_id} {result.ruleset_version}）")


def local_time(iso: str) -> str:
    """`2026-12-02T09:30:18+08:00` → `2026-12-02 09:30` (the run's own local time)."""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso


def reconciliation_rows(result: RunResult) -> list[ReconciliationRow]:
    """The 对账销号单: this run's findings (not accepted first), then those closed, then those
    this run could not recheck. Empty when there is nothing to reconcile (no baseline, no entry)."""
    if result.resolved is None and not result.rectification:
        return []
    from audit_rules.findings import sorted_findings

    rejected = not_accepted_ids(result)
    current = [
        ReconciliationRow(f, result.rectification.get(f.id, {}),
                          NOT_ACCEPTED_TITLE if f.id in rejected else STILL_FOUND_TITLE)
        for f in sorted_findings(result.findings)
    ]
    current.sort(key=lambda row: not row.not_accepted)
    closed_on = local_time(result.started_at)[:10]
    closed = [
        ReconciliationRow(f, result.gone_entries.get(f.id, {}), CLOSED_TITLE, closed_on, run_words(result))
        for f in sorted_findings(result.resolved or [])
    ]
    unchecked = [
        ReconciliationRow(f, result.gone_entries.get(f.id, {}), NOT_RECHECKED_TITLE)
        for f in sorted_findings(result.not_rechecked)
    ]
    return current + closed + unchecked

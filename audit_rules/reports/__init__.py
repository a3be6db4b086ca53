"""Report writers: findings.json, report.xlsx, report.html, and the baseline comparison.

Reports turn a RunResult into files and never decide a finding."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from audit_rules.result import RunResult

FORMATS = ("json", "xlsx", "html")
FILE_NAMES = {"json": "findings.json", "xlsx": "report.xlsx", "html": "report.html"}


def _writers() -> dict[str, Callable[[RunResult, Path], Path]]:
    # imported here so that `import audit_rules.reports` stays cheap for the CLI's --help
    from audit_rules.reports.html_report import write_html
    from audit_rules.reports.json_report import write_findings_json
    from audit_rules.reports.xlsx_report import write_xlsx

    return {"json": write_findings_json, "xlsx": write_xlsx, "html": write_html}


class WrittenReports(dict):
    """{format: path} of the reports written, and what became of the 整改 entries typed into
    the report.xlsx that was replaced (`previous`)."""

    def __init__(self, paths: dict[str, Path], previous):
        super().__init__(paths)
        self.previous = previous


def write_reports(
    result: RunResult, out_dir: str | os.PathLike, formats: Iterable[str] = FORMATS
) -> WrittenReports:
    """Write the chosen reports into out_dir (created when missing), each one atomically.
    Returns {format: path}. Unknown formats raise ValueError before anything is written.

    A report.xlsx already in out_dir may hold 整改 entries a unit typed: they are carried
    into the new one, and the old workbook is kept beside it when some cannot be."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FILE_NAMES]
    if unknown:
        raise ValueError(f"未知的报告格式：{'、'.join(unknown)}（可选：{'、'.join(FORMATS)}）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from audit_rules.reports.rectification import PreviousEntries, carry_over_previous

    previous = PreviousEntries()
    if "xlsx" in formats:
        result, previous = carry_over_previous(result, out / FILE_NAMES["xlsx"])
    writers = _writers()
    return WrittenReports({fmt: writers[fmt](result, out / FILE_NAMES[fmt]) for fmt in formats}, previous)


__all__ = ["FILE_NAMES", "FORMATS", "WrittenReports", "write_reports"]

"""The names in report.xlsx that the next run reads back: written and read from here only.

The writer (`xlsx_report.py`) lays the workbook out with them and rectification
(`rectification.py`) finds the 整改 entries a unit typed by them, so the two never drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

REPORT_XLSX = "report.xlsx"
FINDINGS_JSON = "findings.json"

SHEET_SUMMARY = "汇总"
SHEET_FINDINGS = "疑点明细"
SHEET_RESOLVED = "已销号"
SHEET_NOT_RECHECKED = "未复核"
SHEET_QUALITY = "数据质量"
SHEET_RULES = "规则清单"
SHEET_RUN = "运行信息"
FIXED_SHEETS = (SHEET_SUMMARY, SHEET_FINDINGS, SHEET_RESOLVED, SHEET_NOT_RECHECKED, SHEET_QUALITY, SHEET_RULES, SHEET_RUN)

ID_HEADER = "编号"
STATUS_HEADER = "状态"
# The columns of 疑点明细 a unit fills in, and the choices of its 整改状态 dropdown.
RECTIFICATION_COLUMNS = ("责任部门", "整改措施", "整改时限", "整改状态")
RECTIFICATION_STATES = ("未整改", "整改中", "已整改")

# report.xlsx, and report.<time>.xlsx kept when a rerun replaced it
REPORT_FILE = re.compile(r"report(\.[0-9T:\-]+)?\.xlsx", re.IGNORECASE)
# The sheets every report has: a workbook named like a report and holding them is one of ours.
REPORT_SIGNATURE = (SHEET_FINDINGS, SHEET_RUN)


def is_report_workbook(path: str | Path) -> bool:
    """Whether `path` is a report.xlsx written by audit-rules (by its name, then its sheets)."""
    path = Path(path)
    if not REPORT_FILE.fullmatch(path.name):
        return False
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except Exception:  # not readable as a workbook: the reader reports it as any other file
        return False
    try:
        return all(name in workbook.sheetnames for name in REPORT_SIGNATURE)
    finally:
        workbook.close()

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
SHEET_RECONCILIATION = "对账销号单"
SHEET_QUALITY = "数据质量"
SHEET_RULES = "规则清单"
SHEET_RUN = "运行信息"
FIXED_SHEETS = (SHEET_SUMMARY, SHEET_FINDINGS, SHEET_RECONCILIATION, SHEET_RESOLVED, SHEET_NOT_RECHECKED,
                SHEET_QUALITY, SHEET_RULES, SHEET_RUN)

ID_HEADER = "编号"
STATUS_HEADER = "状态"
# The columns of 疑点明细 a unit fills in, as the forms units keep: 整改情况 (整改措施, 责任部门,
# 责任人, 完成时限) and 整改推进 (进展, 下一步, 证明材料), then the 整改状态 dropdown's choices.
PLAN_COLUMNS = ("整改措施", "责任部门", "责任人", "完成时限")
PROGRESS_COLUMNS = ("进展", "下一步", "证明材料")
STATE_HEADER = "整改状态"
RECTIFICATION_COLUMNS = (*PLAN_COLUMNS, *PROGRESS_COLUMNS, STATE_HEADER)
RECTIFICATION_STATES = ("未整改", "整改中", "已整改")
DONE_STATE = "已整改"
# Columns of reports written before the forms' names were used, read back under the new name.
LEGACY_COLUMNS = {"整改时限": "完成时限"}
# The tool's own columns of 疑点明细, named as on the 整改情况 form.
SUMMARY_HEADER = "问题摘要"  # the rule's title
DESCRIPTION_HEADER = "具体描述"  # the finding's message
AMOUNT_HEADER = "涉及金额"
BASIS_HEADER = "定性依据"

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

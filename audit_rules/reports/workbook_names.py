"""The names in report.xlsx that the next run reads back: written and read from here only.

The writer (`xlsx_report.py`) lays the workbook out with them and rectification
(`rectification.py`) finds the 整改 entries a unit typed by them, so the two never drift apart.
"""

from __future__ import annotations

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

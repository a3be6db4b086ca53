"""Findings and the result of one run: the plain data the rules produce and the reports consume."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

SEVERITY_TITLES = {"high": "高", "medium": "中", "low": "低"}
STATUS_TITLES = {"new": "新增", "open": "未整改", "resolved": "已整改（销号）"}
# What a finding resting on a parameter without a national figure (verified: false) tells its reader.
UNVERIFIED_NOTE = "请按本单位/本地标准核定"

# Chinese names of the finding categories (shared/design.md).
CATEGORY_TITLES = {
    "meal_over_standard": "超标准用餐",
    "same_city_reception": "同城公务接待",
    "overtime_meal_headcount_mismatch": "加班餐人数不符",
    "duplicate_payment": "重复支付",
    "possible_duplicate_payment": "疑似重复支付",
    "payment_over_contract": "超合同金额付款",
    "contract_missing_elements": "合同要素缺失",
    "contract_signed_late": "合同签订滞后",
    "contract_payment_terms": "合同付款条款不当",
    "unit_price_over_limit": "超配置标准购置资产",
    "non_designated_supplier": "未在定点供应商采购",
    "special_fund_off_purpose": "专项资金未按用途使用",
    "payee_invoice_mismatch": "收款方与开票方不一致",
    "staff_paid_review_fee": "向在职人员发放评审费/劳务费",
    "prohibited_expense": "违规列支费用",
    "asset_booked_late": "资产入账不及时",
    "asset_user_departed": "资产使用人已调离",
    "collective_decision_missing": "未经集体决策",
    "segregation_of_duties": "不相容岗位未分离",
    "meeting_record_incomplete": "会议记录不完整",
    "meeting_attendance_mismatch": "会议人数不符",
    "publicity_period_short": "任前公示期不足",
    "study_session_gap": "理论学习缺月",
    "union_dues_unpaid": "工会会费未缴",
    "voucher_number_gap": "凭证断号重号",
    "voucher_unbalanced": "凭证借贷不平",
    "cash_payment_over_limit": "超限额现金支付",
    "digit_test_anomaly": "数字分布异常",
    "custom": "自定义规则",
}


@dataclass(frozen=True)
class Location:
    file: str
    sheet: str
    row: int
    # A journal line's voucher (记-12), its line within the voucher (1 = first) and the voucher's
    # accounting period (2019-06: numbers restart every period), so a reader finds it as the
    # accounting software shows it. Not part of a location's identity.
    voucher: str | None = field(default=None, compare=False)
    voucher_line: int | None = field(default=None, compare=False)
    period: str | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out = {"file": self.file, "sheet": self.sheet, "row": self.row}
        if self.voucher:
            out["voucher"] = self.voucher
            for name in ("voucher_line", "period"):
                if getattr(self, name):
                    out[name] = getattr(self, name)
        return out


@dataclass
class Finding:
    rule_id: str
    category: str
    severity: str
    message: str
    locations: list[Location]
    id: str = ""
    unit: str | None = None
    amount: float | None = None
    basis: str = ""
    title: str = ""  # the rule's title (optional field in findings.json)
    unverified: list[str] = field(default_factory=list)  # parameters used whose value is not verified
    status: str | None = None  # with a baseline: new | open
    date: str | None = None  # YYYY-MM-DD of the primary row (its first dated field), for by-month views

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "unit": self.unit,
            "amount": self.amount,
            "message": self.message,
            "basis": self.basis,
            "locations": [loc.to_json() for loc in self.locations],
        }
        if self.title:
            out["title"] = self.title
        if self.unverified:
            out["unverified_parameters"] = list(self.unverified)
        if self.date:
            out["date"] = self.date
        if self.status:
            out["status"] = self.status
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Finding":
        return cls(
            id=data["id"],
            rule_id=data["rule_id"],
            category=data["category"],
            severity=data["severity"],
            message=data["message"],
            locations=[Location(**loc) for loc in data["locations"]],
            unit=data.get("unit"),
            amount=data.get("amount"),
            basis=data.get("basis", ""),
            title=data.get("title", ""),
            unverified=list(data.get("unverified_parameters", [])),
            status=data.get("status"),
            date=data.get("date"),
        )


def fingerprint(rule_id: str, content: object) -> str:
    """A stable id from the rule and the content a finding rests on (never row numbers)."""
    payload = json.dumps([rule_id, content], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def finding_sort_key(finding: Finding) -> tuple:
    """category, unit, file, sheet, row, id: the order of every report (None units first)."""
    primary = finding.locations[0] if finding.locations else Location("", "", 0)
    return (
        finding.category,
        finding.unit or "",
        primary.file,
        primary.sheet,
        primary.row,
        finding.id,
    )


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)

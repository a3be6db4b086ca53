"""Realistic synthetic RunResult objects for the report tests.

Several units, categories, severities and amounts; a duplicate payment across two units and a
contract overpaid by two payments (multi-location findings); a finding with no unit; skipped
and failed rules; passed and failed data-quality checks; unreadable files; unverified
parameters; Chinese text; and, on request, crafted hostile ledger text (formula injection,
HTML/script) so the writers can be shown to keep it inert.
"""

from __future__ import annotations

import copy
from pathlib import Path

from audit_rules.findings import Finding, Location, fingerprint
from audit_rules.ledgers.model import InputFile, ReadError
from audit_rules.result import QualityResult, RuleOutcome, RunResult

PAY = "市教育局/2019年付款明细.xlsx"
PAY_HEALTH = "市卫健委/付款明细.xlsx"
CONTRACTS = "市教育局/合同台账.xlsx"
RECEPTIONS = "市教育局/公务接待登记.csv"
ASSETS = "第一中学/固定资产卡片.xlsx"

FORMULA_STRINGS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)")
SCRIPT_TEXT = "<script>alert('x')</script>会议费"

PARAMETERS = {
    "meal_per_head_limit": {
        "value": 150,
        "unit": "元/人",
        "description": "公务接待人均用餐标准",
        "basis": "无全国统一标准，由各省市规定；请按本单位/本地标准核定",
        "verified": False,
    },
    "prepay_ratio_limit": {
        "value": 0.3,
        "unit": "比例",
        "description": "合同预付款比例上限",
        "basis": "单位合同管理制度；请按本单位标准核定",
        "verified": False,
    },
    "price_limits": {
        "value": {"台式计算机": 5000, "便携式计算机": 7000},
        "unit": "元",
        "description": "资产配置单价上限",
        "basis": "财资〔2016〕27号 中央行政单位通用办公设备家具配置标准",
        "verified": True,
    },
    "prohibited_keywords": {
        "value": ["购物卡", "礼品", "过节费"],
        "unit": "—",
        "description": "违规列支关键词",
        "basis": "中央八项规定及其实施细则；巡察通报第21项",
        "verified": True,
    },
}


def _finding(rule_id, title, category, severity, unit, amount, message, basis, locations, content, unverified=()):
    return Finding(
        id=fingerprint(rule_id, content),
        rule_id=rule_id,
        title=title,
        category=category,
        severity=severity,
        unit=unit,
        amount=amount,
        message=message,
        basis=basis,
        locations=[Location(*loc) for loc in locations],
        unverified=list(unverified),
    )


def base_findings(crafted: bool = False) -> list[Finding]:
    findings = [
        _finding(
            "meal-reception-per-head", "公务接待人均用餐超标准", "meal_over_standard", "medium",
            "市教育局", 380.0,
            "2019-05-03 接待省教育厅一行，用餐 1,280.00 元，8 人，人均 160.00 元，超过标准 150 元/人。",
            "公务接待管理办法；人均标准由本地规定", [(RECEPTIONS, "", 7)], ["市教育局", "2019-05-03", 1280],
            unverified=["meal_per_head_limit"],
        ),
        _finding(
            "duplicate-payment", "重复支付", "duplicate_payment", "high", "市卫健委", 36500.0,
            "发票号 00571234 金额 36,500.00 元被支付两次（市卫健委 2019-07-15 与 市教育局 2019-06-02）。",
            "会计基础工作规范第四十八条", [(PAY_HEALTH, "7月", 15), (PAY, "6月", 9)], ["571234", 36500],
        ),
        _finding(
            "payment-over-contract", "付款超合同金额", "payment_over_contract", "high", "市教育局", 20000.0,
            "合同 JY-2019-008 金额 298,000.00 元，已付款 318,000.00 元，超付 20,000.00 元。",
            "政府采购法第四十九条", [(CONTRACTS, "合同台账", 5), (PAY, "6月", 12), (PAY, "7月", 4)],
            ["JY-2019-008"],
        ),
        _finding(
            "contract-missing-elements", "合同要素缺失", "contract_missing_elements", "low", "市教育局", None,
            "合同 JY-2019-011 未盖章。", "合同法第三十二条", [(CONTRACTS, "合同台账", 8)], ["JY-2019-011"],
        ),
        _finding(
            "asset-unit-price-over-limit", "超配置标准购置资产", "unit_price_over_limit", "medium", "第一中学",
            1500.0, "资产 ZC-0032 台式计算机单价 6,500.00 元，超过限额 5,000.00 元。",
            "财资〔2016〕27号", [(ASSETS, "卡片", 33)], ["ZC-0032"],
        ),
        _finding(
            "segregation-handler-approver", "经办与审核为同一人", "segregation_of_duties", "low", None, 860.5,
            "凭证 记-0045 经办人与审核人均为 张三。", "内部控制规范（试行）第十二条", [(PAY, "6月", 20)], ["记-0045"],
        ),
        _finding(
            "prohibited-expense", "违规列支费用", "prohibited_expense", "high", "市卫健委", 5000.0,
            "凭证 记-0102 摘要「中秋过节费」含违规列支关键词「过节费」。",
            "中央八项规定及其实施细则", [(PAY_HEALTH, "9月", 6)], ["记-0102"],
        ),
    ]
    if crafted:
        findings.append(
            _finding(
                "custom-formula", FORMULA_STRINGS[3], "custom", "low", FORMULA_STRINGS[1], 1.0,
                FORMULA_STRINGS[0], FORMULA_STRINGS[2], [(PAY, "6月", 30)], ["crafted"],
            )
        )
        findings.append(
            _finding(
                "custom-script", "摘要含脚本", "custom", "low", "市教育局", 2.0,
                f"凭证 记-0200 摘要「{SCRIPT_TEXT}」。", "自定义", [(PAY, "6月", 31)], ["script"],
            )
        )
    return findings


def _source_rows(crafted: bool) -> dict:
    pay_header = ["日期", "凭证号", "摘要", "金额", "收款单位", "发票号码"]
    rows = {
        (RECEPTIONS, "", 7): {"接待日期": "2019-05-03", "来访单位": "省教育厅", "用餐金额": "1280", "接待对象人数": "5", "陪同人数": "3"},
        (PAY_HEALTH, "7月", 15): dict(zip(pay_header, ["2019-07-15", "记-0088", "设备维护费", "36,500.00", "长沙某某科技有限公司", "00571234"])),
        (PAY, "6月", 9): dict(zip(pay_header, ["2019-06-02", "记-0031", "设备维护费", "36500", "长沙某某科技有限公司", "No.571234"])),
        (CONTRACTS, "合同台账", 5): {"合同编号": "JY-2019-008", "合同名称": "教学楼维修", "合同金额": "298000"},
        (PAY, "6月", 12): dict(zip(pay_header, ["2019-06-10", "记-0035", "维修款", "149000", "湖南某建设公司", "1001"])),
        (PAY, "7月", 4): dict(zip(pay_header, ["2019-07-03", "记-0061", "维修尾款", "169000", "湖南某建设公司", "1002"])),
        (CONTRACTS, "合同台账", 8): {"合同编号": "JY-2019-011", "合同名称": "印刷服务", "盖章": "否"},
        (ASSETS, "卡片", 33): {"资产编号": "ZC-0032", "资产名称": "台式计算机", "单价": 6500},
        (PAY, "6月", 20): dict(zip(pay_header, ["2019-06-20", "记-0045", "办公用品", "860.50", "文具店", "2002"])),
        (PAY_HEALTH, "9月", 6): dict(zip(pay_header, ["2019-09-06", "记-0102", "中秋过节费", "5000", "某商场", "3003"])),
    }
    if crafted:
        rows[(PAY, "6月", 30)] = dict(zip(pay_header, ["2019-06-30", *FORMULA_STRINGS, "4004"]))
        rows[(PAY, "6月", 31)] = dict(zip(pay_header, ["2019-06-30", "记-0200", SCRIPT_TEXT, "2", "x", "5005"]))
    return rows


def _rules() -> list[RuleOutcome]:
    def ran(rule_id, title, category, severity, basis, rtype, params, n):
        return RuleOutcome(rule_id, title, category, severity, basis, rtype, params, "ran", findings=n)

    return [
        ran("meal-reception-per-head", "公务接待人均用餐超标准", "meal_over_standard", "medium",
            "公务接待管理办法", "limit", {"meal_per_head_limit": 150}, 1),
        ran("duplicate-payment", "重复支付", "duplicate_payment", "high", "会计基础工作规范", "duplicate", {}, 1),
        ran("payment-over-contract", "付款超合同金额", "payment_over_contract", "high", "政府采购法", "aggregate_exceeds", {}, 1),
        ran("contract-missing-elements", "合同要素缺失", "contract_missing_elements", "low", "合同法", "required", {}, 1),
        ran("contract-prepay-ratio", "预付款比例过高", "contract_payment_terms", "medium", "单位合同管理制度",
            "limit", {"prepay_ratio_limit": 0.3}, 0),
        ran("asset-unit-price-over-limit", "超配置标准购置资产", "unit_price_over_limit", "medium", "财资〔2016〕27号",
            "limit", {"price_limits": {"台式计算机": 5000, "便携式计算机": 7000}}, 1),
        ran("segregation-handler-approver", "经办与审核为同一人", "segregation_of_duties", "low", "内部控制规范",
            "same_person", {}, 1),
        ran("prohibited-expense", "违规列支费用", "prohibited_expense", "high", "中央八项规定",
            "match", {"prohibited_keywords": ["购物卡", "礼品", "过节费"]}, 1),
        RuleOutcome("study-session-gap", "中心组学习缺月", "study_session_gap", "low", "党委（党组）理论学习中心组学习规则",
                    "periodic", {}, "skipped", reason="未找到会议记录表（meetings），无法检查"),
        RuleOutcome("staff-paid-review-fee", "向在职人员发放评审费", "staff_paid_review_fee", "medium", "公务员法第四十四条",
                    "lookup", {}, "failed", reason="规则执行出错：人员名册缺少“人员状态”列"),
    ]


def _quality() -> list[QualityResult]:
    return [
        QualityResult(PAY, "6月", "payments", "amount", "expect_column_values_to_not_be_null", True,
                      title="不应为空"),
        QualityResult(PAY, "6月", "payments", "voucher_no", "expect_column_values_to_be_unique", False,
                      failed=[{"row": 9, "value": "记-0031"}, {"row": 22, "value": "记-0031"}],
                      detail="凭证号重复", title="不应重复"),
        QualityResult(CONTRACTS, "合同台账", "contracts", "sign_date", "expect_column_values_to_be_readable", False,
                      failed=[{"row": 11, "value": "2019年13月1日"}], detail="无法识别的日期", excludes_rows=True,
                      title="应可识别（日期、金额、人数、是/否）"),
    ]


def make_result(
    *,
    ledger_dir: str | Path = "/data/ledgers",
    crafted: bool = False,
    baseline: bool = False,
    findings: list[Finding] | None = None,
) -> RunResult:
    """A complete run. With baseline=True, two findings are open (also in the baseline), the
    rest new, and one former finding is resolved; rectification entries are carried over."""
    ledger_dir = Path(ledger_dir)
    found = base_findings(crafted) if findings is None else findings
    files = sorted({loc.file for f in found for loc in f.locations} | {PAY, PAY_HEALTH, CONTRACTS, RECEPTIONS, ASSETS})
    result = RunResult(
        tool_version="0.1.0",
        started_at="2024-03-01T09:30:00+08:00",
        command_line="audit-rules check ledgers --out out/2024",
        ruleset_id="default",
        ruleset_title="行政事业单位巡察常见问题默认规则集",
        ruleset_version="2024.1",
        ruleset_sha256="a" * 64,
        parameters=copy.deepcopy(PARAMETERS),
        inputs=[InputFile(f, f"{i:064x}", str(ledger_dir / f)) for i, f in enumerate(files, start=1)],
        findings=copy.deepcopy(found),
        rules=_rules(),
        data_quality=_quality(),
        errors=[ReadError("市教育局/损坏的台账.xlsx", "文件已损坏或不是有效的 Excel 文件，无法打开"),
                ReadError(PAY_HEALTH, "工作表为空，已跳过", sheet="说明")],
        source_rows=_source_rows(crafted),
        source_paths={f: str(ledger_dir / f) for f in files},
    )
    if baseline:
        _apply_fake_baseline(result)
    return result


def resolved_finding() -> Finding:
    return _finding(
        "prohibited-expense", "违规列支费用", "prohibited_expense", "high", "市教育局", 3000.0,
        "凭证 记-0009 摘要「购买购物卡」含违规列支关键词「购物卡」。", "中央八项规定及其实施细则",
        [(PAY, "1月", 5)], ["记-0009"],
    )


def _apply_fake_baseline(result: RunResult) -> None:
    open_ids = {result.findings[1].id, result.findings[2].id}
    for f in result.findings:
        f.status = "open" if f.id in open_ids else "new"
    result.resolved = [resolved_finding()]
    result.baseline = "out/2023"
    result.rectification = {
        result.findings[1].id: {"责任部门": "财务科", "整改措施": "已追回重复款项", "完成时限": "2024-06-30", "整改状态": "整改中"},
    }

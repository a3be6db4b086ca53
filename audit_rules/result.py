"""The result of one `check` run: plain data the pipeline assembles and the reports write out."""

from __future__ import annotations

from dataclasses import dataclass, field

from audit_rules.findings import Finding
from audit_rules.ledgers.model import InputFile, ReadError


@dataclass
class RuleOutcome:
    """What happened to one rule in a run (the 规则清单 of the reports)."""

    rule_id: str
    title: str
    category: str
    severity: str
    basis: str
    type: str
    parameters: dict[str, object]  # the parameters this rule uses, with the values in force
    status: str  # ran | skipped | failed | disabled
    reason: str = ""  # Chinese: why skipped / failed / disabled, or notes on a rule that ran
    findings: int = 0
    # A rule of several checks that ran without some (a field they need is missing): each check
    # left out as {"check": Chinese title, "reason": Chinese reason}; `reason` names them too.
    skipped_checks: list[dict[str, str]] = field(default_factory=list)
    # More findings than the per-rule cap: only the first ones are listed (reason says how many).
    capped: bool = False

    @property
    def could_not_run(self) -> bool:
        """Enabled but not run (inputs missing, or an error): what users must be told about."""
        return self.status in ("skipped", "failed")

    @property
    def partly_ran(self) -> bool:
        """Ran, but without some of its checks: users must be told which were left out."""
        return self.status == "ran" and bool(self.skipped_checks)

    @property
    def skipped_checks_text(self) -> str:
        """The checks left out as a reader sees them: 盖章（合同台账缺少字段：盖章（sealed））；…"""
        return "；".join(f"{c['check']}（{c['reason']}）" for c in self.skipped_checks)


@dataclass
class QualityResult:
    """One data-quality check on one table (findings.json `data_quality`)."""

    file: str
    sheet: str
    kind: str
    field: str | None
    check: str  # e.g. expect_column_values_to_not_be_null
    passed: bool
    failed: list[dict] = field(default_factory=list)  # [{"row": excel_row, "value": raw}]
    detail: str = ""  # Chinese explanation
    # True when a failing cell cannot be trusted as a value (unreadable, impossible date,
    # negative count): rules then take no finding from that row and field.
    excludes_rows: bool = False
    # Chinese name of the check, as reports head it (e.g. 不应重复); not written to findings.json.
    title: str = ""

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "field": self.field,
            "check": self.check,
            "passed": self.passed,
            "failed": self.failed,
            "detail": self.detail,
        }


@dataclass
class RunResult:
    tool_version: str
    started_at: str  # ISO 8601, local time with offset
    command_line: str
    ruleset_id: str
    ruleset_title: str
    ruleset_version: str
    ruleset_sha256: str
    parameters: dict[str, dict]  # name -> {value, unit, description, basis, verified}
    inputs: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rules: list[RuleOutcome] = field(default_factory=list)
    data_quality: list[QualityResult] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    resolved: list[Finding] | None = None  # None: no baseline given
    # With a baseline: its findings this run could not recheck (rule not run, ledger not given):
    # neither resolved nor open.
    not_rechecked: list[Finding] = field(default_factory=list)
    baseline: str | None = None  # the baseline path given
    # (file, sheet, row) -> {original header: value as shown}, for every row a finding names
    source_rows: dict[tuple[str, str, int], dict[str, object]] = field(default_factory=dict)
    source_paths: dict[str, str] = field(default_factory=dict)  # file -> absolute path
    # finding id -> {整改 column: value as typed} carried over from an earlier report.xlsx (findings still found)
    rectification: dict[str, dict[str, object]] = field(default_factory=dict)
    # The same for baseline findings gone from this run (resolved / not rechecked): the 对账销号单
    # shows what the unit reported for them.
    gone_entries: dict[str, dict[str, object]] = field(default_factory=dict)
    # file -> the units its rows belong to (None: rows of no unit, e.g. a shared reference list),
    # for the per-unit report sets (--split-by-unit); not written to findings.json.
    file_units: dict[str, list[str | None]] = field(default_factory=dict)

    @property
    def skipped_rules(self) -> list[dict]:
        """Rules that could not run, and rules that ran without some checks (`skipped_checks`)."""
        out = []
        for r in self.rules:
            if r.could_not_run:
                out.append({"rule_id": r.rule_id, "reason": r.reason})
            elif r.partly_ran:
                out.append({"rule_id": r.rule_id, "reason": r.reason, "skipped_checks": [dict(c) for c in r.skipped_checks]})
        return out


@dataclass
class Checked:
    """What the reading, the gate and the rules gave, however they ran (in one database, or part
    by part in audit_rules/batch.py): `pipeline.run_check` makes the RunResult of it."""

    inputs: list[InputFile]
    errors: list[ReadError]
    quality: list[QualityResult]
    findings: list[Finding]
    outcomes: list[RuleOutcome]
    records: dict  # RowKey -> original cells, for the rows findings may name
    dates: dict  # RowKey -> date, for the rows findings may name first
    source_paths: dict[str, str]
    files_read: set[str]  # files with a recognised table
    file_units: dict[str, list[str | None]]
    voucher_names: dict = field(default_factory=dict)  # (file, sheet, row) of a journal line -> its voucher

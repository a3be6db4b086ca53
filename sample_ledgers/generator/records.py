"""Records: one small object per ledger row, the data of every planted finding and near miss.

`plants`/`nears` carry (rule_id, 中文, English); `loc` is filled in by the writer with (file, sheet, row).
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from datetime import date
from typing import Any

BASIC_BUDGET = "基本支出"

# Data-quality check names as the gate reports them (audit_rules/quality/suites.py).
CHECK_NOT_NULL = "expect_column_values_to_not_be_null"
CHECK_UNIQUE = "expect_column_values_to_be_unique"
CHECK_READABLE = "expect_column_values_to_be_readable"
CHECK_TOTALS = "totals_row_matches_sum"


@dataclass
class Record:
    unit: str
    plants: list = field(default_factory=list, kw_only=True)
    nears: list = field(default_factory=list, kw_only=True)
    loc: tuple | None = field(default=None, kw_only=True)
    # How the row is typed when not the plain default (e.g. {"date": "cn", "amount": "yen"}).
    style: dict = field(default_factory=dict, kw_only=True)
    # Bad cells planted on purpose: field -> the literal cell text (e.g. {"amount": "待定"}) ...
    typed_as: dict = field(default_factory=dict, kw_only=True)
    # ... and field -> the data-quality check that must fail on it. A bad field is invisible to the
    # rules that need it (the reader marks it in `_bad`); the attribute keeps the value a careless
    # reader would believe, so check_plants can prove the row WOULD trip `would` if it were believed.
    bad_checks: dict = field(default_factory=dict, kw_only=True)
    would: list = field(default_factory=list, kw_only=True)

    @property
    def bad_fields(self) -> set[str]:
        return set(self.bad_checks)

    def bad_cell(self, field_name: str, typed: Any, check: str, *, would: str, zh: str, en: str) -> "Record":
        """Type `typed` in the field's cell (None: write the attribute as is); the rule `would`
        flag the row if the value were believed, so it is listed as a near miss of that rule."""
        if typed is not None:
            self.typed_as[field_name] = typed
        self.bad_checks[field_name] = check
        self.would.append(would)
        return self.near(would, zh, en)

    def plant(self, rule_id: str, zh: str, en: str) -> "Record":
        self.plants.append((rule_id, zh, en))
        return self

    def near(self, rule_id: str, zh: str, en: str) -> "Record":
        self.nears.append((rule_id, zh, en))
        return self


@dataclass
class Payment(Record):
    date: date
    summary: str
    econ_class: str
    amount: float
    payee: str
    invoice_issuer: str | None
    invoice_no: str | None
    contract_no: str | None = None
    fund_source: str = BASIC_BUDGET
    handler: str | None = None
    approver: str | None = None
    voucher_no: str | None = None


@dataclass
class Reception(Record):
    date: date
    guest_unit: str
    guest_location: str | None
    guest_count: int | None
    companion_count: int | None
    amount: float
    letter: bool


@dataclass
class OvertimeMeal(Record):
    date: date
    reason: str
    applied_count: int
    actual_count: int
    amount: float
    approver: str


@dataclass
class Contract(Record):
    contract_no: str
    name: str
    counterparty: str
    amount: float  # 元
    sign_date: date | None
    signed: bool | None
    sealed: bool | None
    start_date: date | None
    acceptance_date: date | None
    prepay_ratio: float | None
    prepay_days: int | None


@dataclass
class Asset(Record):
    asset_no: str
    name: str
    category: str
    model: str
    unit_price: float
    quantity: int
    acquired_date: date
    booked_date: date
    user: str
    department: str


@dataclass
class PriceLimit(Record):
    category: str
    limit: float
    basis: str


@dataclass
class SpecialFund(Record):
    fund: str
    year: int
    approved_amount: float
    allowed_classes: list
    purpose: str
    doc_no: str


@dataclass
class Staff(Record):
    name: str
    department: str
    title: str
    status: str
    left_date: date | None = None


@dataclass
class Supplier(Record):
    name: str
    category: str
    valid_from: date
    valid_to: date


@dataclass
class Decision(Record):
    date: date
    meeting: str
    topic: str
    amount: float | None
    contract_no: str | None
    result: str


@dataclass
class Meeting(Record):
    date: date
    name: str
    kind: str
    host: str | None
    recorder: str | None
    attendees: str | None
    expected: int
    present: int
    signed_in: int


@dataclass
class Appointment(Record):
    name: str
    post: str
    start: date
    end: date


@dataclass
class JournalLine(Record):
    """One line (分录) of a voucher in a journal export, its 辅助核算 already parsed into fields."""
    date: date
    period: str
    voucher_word: str
    voucher_no: str
    line_no: int
    summary: str
    account_code: str
    account_name: str
    debit: float | None
    credit: float | None
    counterparty: str | None = None
    project: str | None = None
    econ_class: str | None = None
    invoice_no: str | None = None
    maker: str | None = None
    checker: str | None = None


@dataclass
class Balance(Record):
    """One account of a 科目余额表 (trial balance)."""
    account_code: str
    account_name: str
    direction: str  # 借 | 贷
    opening: float
    period_debit: float
    period_credit: float
    closing: float


@dataclass
class Marker:
    """A non-data row: blank, 小计 or 合计 (values by field)."""
    kind: str  # "blank" | "subtotal" | "total"
    values: dict = field(default_factory=dict)
    # Checks that must fail on this row, by field (e.g. {"amount": CHECK_TOTALS} for a wrong 合计).
    bad_checks: dict = field(default_factory=dict)


# Table kind (audit_rules/ledgers/kinds.yaml) of each record type.
KIND_OF_RECORD = {"Payment": "payments", "Reception": "receptions", "OvertimeMeal": "overtime_meals",
                  "Contract": "contracts", "Asset": "assets", "PriceLimit": "price_limits",
                  "SpecialFund": "special_funds", "Staff": "staff", "Supplier": "suppliers",
                  "Decision": "decisions", "Meeting": "meetings", "Appointment": "appointments",
                  "JournalLine": "journal", "Balance": "account_balances"}

# One unit's records: `unit` and a list per table kind (u.payments, u.receptions, … u.appointments).
UnitData = make_dataclass("UnitData", [("unit", str)] + [(kind, list, field(default_factory=list))
                                                         for kind in KIND_OF_RECORD.values()])
UnitData.__module__ = __name__


def all_records(u: UnitData) -> list[Record]:
    return [r for kind in KIND_OF_RECORD.values() for r in getattr(u, kind)]

"""Generate the sample ledgers of two fictional units, their answer key and the other-synonym fixtures.

Run: ``.venv/bin/python sample_ledgers/generate.py``. It rewrites everything below sample_ledgers/
except this script and README.md, and tests/fixtures/other_synonyms/.

The ledgers are messy on purpose, like real exports (title and note rows, 序号, two-row headers,
万元 columns, 小计/合计 rows, blank rows, amounts and dates typed in several ways), and they plant
exactly the findings that docs/default-ruleset.md describes, next to near misses that must not be
flagged. Every planted record is kept as a small Python object; the writers record the Excel row
(or CSV line) each object lands on, so the answer key is computed, never typed by hand. Before
anything is written, an oracle re-derives every rule of the default ruleset from those objects and
refuses to write ledgers whose findings differ from the planted ones (nothing else may trip a rule).

Output is deterministic: one seeded random.Random, fixed workbook properties, fixed zip timestamps.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import save_workbook

SEED = 20191103
PENDING_INVOICE = "00782215"  # the invoice of the payment whose amount is typed 待定
FIXED_TIME = datetime(2020, 1, 6, 9, 0, 0)
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KINDS_YAML = REPO / "audit_rules" / "ledgers" / "kinds.yaml"

UNIT_A = "长沙市示范科技局"
UNIT_B = "长沙市示范文旅中心"

# Parameters of docs/default-ruleset.md, used by the oracle that checks what we plant.
MEAL_LIMIT = 150
OVERTIME_LIMIT = 30
LOCAL_CITY = "长沙"
PREPAY_LIMIT = 0.3
BOOKING_DAYS = 30
MAJOR_AMOUNT = 100000
PRICE_LIMITS = {"台式计算机": 5000, "便携式计算机": 7000, "A4黑白打印机": 1200, "复印机": 35000,
                "多功能一体机": 3000, "传真机": 3000}
REVIEW_FEE_WORDS = ("评审费", "劳务费", "专家咨询费")
DEPARTED = ("调离", "退休", "离职")
EXCLUDED_FUND_WORDS = ("慰问", "误餐", "福利", "奖金", "过节")
PROHIBITED_WORDS = ("购物卡", "礼品", "礼金", "奖金", "过节费", "加油卡", "商场卡", "烟酒")
DESIGNATED = ("印刷费", "公务用车运行维护费")
BASIC_BUDGET = "基本支出"

RULE_CATEGORIES = {
    "meal-reception-per-head": "meal_over_standard",
    "meal-overtime-per-head": "meal_over_standard",
    "reception-same-city": "same_city_reception",
    "overtime-headcount-mismatch": "overtime_meal_headcount_mismatch",
    "duplicate-payment": "duplicate_payment",
    "payment-over-contract": "payment_over_contract",
    "contract-missing-elements": "contract_missing_elements",
    "contract-signed-late": "contract_signed_late",
    "contract-prepay-ratio": "contract_payment_terms",
    "asset-unit-price-over-limit": "unit_price_over_limit",
    "non-designated-supplier": "non_designated_supplier",
    "special-fund-off-purpose": "special_fund_off_purpose",
    "payee-invoice-mismatch": "payee_invoice_mismatch",
    "staff-paid-review-fee": "staff_paid_review_fee",
    "prohibited-expense": "prohibited_expense",
    "asset-booked-late": "asset_booked_late",
    "asset-user-departed": "asset_user_departed",
    "collective-decision-missing": "collective_decision_missing",
    "segregation-handler-approver": "segregation_of_duties",
    "meeting-record-incomplete": "meeting_record_incomplete",
    "meeting-attendance-mismatch": "meeting_attendance_mismatch",
    "publicity-period-short": "publicity_period_short",
    "study-session-gap": "study_session_gap",
    "segregation-incompatible-posts": "segregation_of_duties",
}
INCOMPATIBLE_POSTS = (("会计", "出纳"), ("会计", "采购"), ("出纳", "稽核"))

# Data-quality check names as the gate reports them (audit_rules/quality/suites.py).
CHECK_NOT_NULL = "expect_column_values_to_not_be_null"
CHECK_UNIQUE = "expect_column_values_to_be_unique"
CHECK_READABLE = "expect_column_values_to_be_readable"
CHECK_TOTALS = "totals_row_matches_sum"


# ---------------------------------------------------------------------------------------------
# Records: one small object per ledger row. `plants`/`nears` carry (rule_id, 中文, English);
# `loc` is filled in by the writer with (file, sheet, row).
# ---------------------------------------------------------------------------------------------

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
class Marker:
    """A non-data row: blank, 小计 or 合计 (values by field)."""
    kind: str  # "blank" | "subtotal" | "total"
    values: dict = field(default_factory=dict)
    # Checks that must fail on this row, by field (e.g. {"amount": CHECK_TOTALS} for a wrong 合计).
    bad_checks: dict = field(default_factory=dict)


@dataclass
class UnitData:
    unit: str
    payments: list = field(default_factory=list)
    receptions: list = field(default_factory=list)
    overtime_meals: list = field(default_factory=list)
    contracts: list = field(default_factory=list)
    assets: list = field(default_factory=list)
    price_limits: list = field(default_factory=list)
    special_funds: list = field(default_factory=list)
    staff: list = field(default_factory=list)
    suppliers: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    appointments: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Cell typing: the many ways people type dates, amounts and yes/no.
# ---------------------------------------------------------------------------------------------

def typed_date(d: date | None, style: str = "excel") -> Any:
    if d is None:
        return None
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "compact":
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "iso":
        return d.isoformat()
    return datetime(d.year, d.month, d.day)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_amount(value: float) -> str:
    """Whole-yuan amount in 大写, e.g. 12000 → 壹万贰仟元整 (enough for the samples: < 1 亿)."""
    n = int(round(value))
    assert n == value and 0 < n < 100_000_000, value

    def four(x: int) -> str:
        out, zero = "", False
        for unit, div in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
            dgt = x // div % 10
            if dgt:
                out += ("零" if zero and out else "") + _DIGITS[dgt] + unit
                zero = False
            else:
                zero = True
        return out

    high, low = divmod(n, 10000)
    text = (four(high) + "万" if high else "") + (("零" if high and 0 < low < 1000 else "") + four(low) if low else "")
    return text + "元整"


def typed_amount(v: float | None, style: str = "number") -> Any:
    if v is None:
        return None
    if style == "comma":
        return f"{v:,.2f}"
    if style == "yen":
        return f"¥{v:,.0f}元" if v == int(v) else f"¥{v:,.2f}元"
    if style == "capital":
        return capital_amount(v)
    if style == "plain":
        return f"{v:.2f}"
    return float(v)


YES_NO = {"check": ("√", "×"), "shi": ("是", "否"), "seal": ("已盖章", "未盖章"), "you": ("有", "无")}


def typed_bool(v: bool | None, style: str) -> Any:
    if v is None:
        return None
    yes, no = YES_NO[style]
    return yes if v else no


def typed_ratio(v: float | None) -> Any:
    if v is None:
        return None
    return f"{v * 100:g}%"


# ---------------------------------------------------------------------------------------------
# Writers. A sheet is a list of columns (field, header, optional parent for a two-row header,
# a function turning the record into the cell value) and a list of records/markers.
# ---------------------------------------------------------------------------------------------

@dataclass
class Col:
    field: str | None  # None: the 序号 column
    header: str
    value: Any = None  # callable(record) -> cell value; default getattr(record, field)
    parent: str | None = None
    fmt: str | None = None
    width: int = 12


class Registry:
    """Every planted finding and near miss, with the (file, sheet, row) it was written to, and
    every cell the data-quality gate must report (quality_key.csv)."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.quality: list[dict] = []

    def add(self, rec: Record, file: str, sheet: str, row: int) -> None:
        rec.loc = (file, sheet, row)
        self.records.append(rec)

    def expect(self, file: str, sheet: str, row: int, field_name: str, check: str, value: Any) -> None:
        self.quality.append({"file": file, "sheet": sheet, "row": row, "field": field_name, "check": check,
                             "value": value})


KIND_OF_RECORD = {"Payment": "payments", "Reception": "receptions", "OvertimeMeal": "overtime_meals",
                  "Contract": "contracts", "Asset": "assets", "PriceLimit": "price_limits",
                  "SpecialFund": "special_funds", "Staff": "staff", "Supplier": "suppliers",
                  "Decision": "decisions", "Meeting": "meetings", "Appointment": "appointments"}


_KINDS_CACHE: dict = {}


def kind_flags(rec: Record) -> tuple[set[str], set[str]]:
    """(key fields, unique fields) of the record's table kind, from kinds.yaml."""
    import yaml  # pyyaml is a project dependency

    if not _KINDS_CACHE:
        _KINDS_CACHE.update(yaml.safe_load(KINDS_YAML.read_text(encoding="utf-8"))["kinds"])
    fields = _KINDS_CACHE[KIND_OF_RECORD[type(rec).__name__]]["fields"]
    return ({n for n, f in fields.items() if f.get("key")}, {n for n, f in fields.items() if f.get("unique")})


def cell_value(col: Col, rec: Record) -> Any:
    if col.field in rec.typed_as:
        return rec.typed_as[col.field]
    if col.value is not None:
        return col.value(rec)
    return getattr(rec, col.field)


def expect_quality(reg: Registry, file: str, sheet: str, written: list[tuple[Record, int, dict]]) -> None:
    """The data-quality failures of one written sheet: planted bad cells, blank key fields,
    values of a unique field that repeat within the sheet (every row of the repeat)."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rec, row, values in written:
        keys, uniques = kind_flags(rec)
        for name, value in values.items():
            if name in rec.bad_checks:
                reg.expect(file, sheet, row, name, rec.bad_checks[name], value)
            elif name in keys and value in (None, ""):
                reg.expect(file, sheet, row, name, CHECK_NOT_NULL, None)
            if name in uniques and value not in (None, ""):
                seen[(name, str(value).strip())].append(row)
    for (name, value), rows in seen.items():
        if len(rows) > 1:
            for row in rows:
                reg.expect(file, sheet, row, name, CHECK_UNIQUE, value)


def write_sheet(ws, reg: Registry, file: str, *, title: str, note: str | None, cols: list[Col],
                rows: list, seq: bool = True) -> None:
    """Title row merged across the table, a note row, a (one- or two-row) header, the data."""
    cols = ([Col(None, "序号", width=6)] if seq else []) + cols
    ncol = len(cols)
    last = get_column_letter(ncol)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    r = 2
    if note:
        ws.cell(2, 1, note)
        ws.merge_cells(f"A2:{last}2")
        r = 3
    two_rows = any(c.parent for c in cols)
    for j, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = c.width
        wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if two_rows and c.parent:
            ws.cell(r, j, c.parent).alignment = wrap
            ws.cell(r + 1, j, c.header).alignment = wrap
        else:
            ws.cell(r, j, c.header).alignment = wrap
            if two_rows:
                ws.merge_cells(start_row=r, start_column=j, end_row=r + 1, end_column=j)
        ws.cell(r, j).font = Font(bold=True)
    if two_rows:  # merge each parent across its children
        j = 1
        while j <= ncol:
            p = cols[j - 1].parent
            k = j
            while p and k < ncol and cols[k].parent == p:
                k += 1
            if p and k > j:
                ws.merge_cells(start_row=r, start_column=j, end_row=r, end_column=k)
            j = k + 1
        r += 1
    r += 1
    n = 0
    written = []
    for item in rows:
        if isinstance(item, Marker):
            if item.kind != "blank":
                for j, c in enumerate(cols, start=1):
                    key = c.field if c.field else "_seq"
                    if key in item.values:
                        v = item.values[key]
                        ws.cell(r, j, v)
                        if isinstance(v, float):
                            ws.cell(r, j).number_format = "#,##0.00"
            for name, check in item.bad_checks.items():
                reg.expect(file, ws.title, r, name, check, item.values.get(name))
            r += 1
            continue
        n += 1
        values = {}
        for j, c in enumerate(cols, start=1):
            v = n if c.field is None else cell_value(c, item)
            if c.field is not None:
                values[c.field] = v
            if v is None:
                continue
            cell = ws.cell(r, j, v)
            if isinstance(v, datetime):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(v, float):
                cell.number_format = c.fmt or "#,##0.00"
            elif isinstance(v, str) and "\n" in v:
                cell.alignment = Alignment(wrap_text=True)
        reg.add(item, file, ws.title, r)
        written.append((item, r, values))
        r += 1
    expect_quality(reg, file, ws.title, written)


def save_stable(wb, path: Path) -> None:
    """Save with fixed document times and zip entry times so the bytes do not change between runs."""
    wb.properties.creator = "audit-rules sample generator"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    save_workbook(wb, buf)  # stamps `modified` with now(); pinned below
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def new_book():
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def write_csv(path: Path, reg: Registry, file: str, *, encoding: str, headers: list[str],
              cols: list, rows: list, title: str | None = None) -> None:
    """CSV ledger. Row numbers are physical lines counted from 1 (header line = 1 without a title)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    line = 0
    if title:
        w.writerow([title] + [""] * (len(headers) - 1))
        line += 1
    w.writerow(headers)
    line += 1
    written = []
    for item in rows:
        line += 1
        if isinstance(item, Marker):
            w.writerow([item.values.get(c if isinstance(c, str) else c[0], "") for c in cols])
            for name, check in item.bad_checks.items():
                reg.expect(file, "", line, name, check, item.values.get(name))
            continue
        values = {name: item.typed_as[name] if name in item.typed_as else fn(item) for name, fn in cols
                  if name != "seq"}
        w.writerow(["" if (v := (values[name] if name in values else fn(item))) is None else v for name, fn in cols])
        reg.add(item, file, "", line)
        written.append((item, line, values))
    expect_quality(reg, file, "", written)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


# ---------------------------------------------------------------------------------------------
# People and counterparties (all fictional).
# ---------------------------------------------------------------------------------------------

STAFF_A_ACTIVE = [
    ("李建华", "局领导", "局长"), ("王志刚", "局领导", "副局长"), ("刘芳", "局领导", "副局长"),
    ("张敏", "办公室", "办公室主任"), ("周婷", "办公室", "科员"), ("马俊", "办公室", "驾驶员"),
    ("胡静", "财务室", "会计"), ("黄丽", "财务室", "出纳"), ("刘洋", "科技项目科", "科长"),
    ("陈晨", "科技项目科", "科员"), ("杨帆", "科技项目科", "科员"), ("赵磊", "科普宣传科", "科长"),
    ("孙倩", "科普宣传科", "科员"), ("吴昊", "成果转化科", "科长"), ("郑雪", "成果转化科", "科员"),
    ("林涛", "人事科", "科长"),
]
STAFF_A_LEFT = [
    ("陈志明", "科技项目科", "原科长", "退休", date(2018, 6, 30)),
    ("王磊", "科技项目科", "科员", "调离", date(2019, 3, 15)),
    ("何玉兰", "办公室", "原主任", "退休", date(2017, 12, 31)),
]
STAFF_B = [
    ("欧阳明", "中心领导", "主任", "在职", None), ("谭晓燕", "中心领导", "副主任", "在职", None),
    ("彭勇", "中心领导", "副主任", "在职", None), ("罗佳", "办公室", "办公室主任", "在职", None),
    ("曾红", "财务室", "会计兼出纳", "在职", None), ("邓琳", "财务室", "出纳", "在职", None),
    ("唐亮", "非遗保护部", "部长", "在职", None), ("蒋雯", "非遗保护部", "干事", "在职", None),
    ("袁博", "群众文化部", "部长", "在职", None), ("谢婷", "群众文化部", "干事", "在职", None),
    ("贺强", "展览部", "部长", "在职", None), ("龙艳", "展览部", "干事", "在职", None),
    ("易国平", "展览部", "原部长", "退休", date(2018, 12, 31)),
    ("肖雨", "群众文化部", "干事", "调离", date(2019, 5, 10)),
]
EXPERTS = ["周建国", "黎晓东", "邹红梅", "甘文斌", "傅卫", "钟海涛"]  # outside experts, in no roster


# ---------------------------------------------------------------------------------------------
# Building the two units' data.
# ---------------------------------------------------------------------------------------------

class Invoices:
    """Fresh 8-digit invoice numbers, unique across both units after dropping leading zeros."""

    def __init__(self, rng: random.Random, reserved: set[str]) -> None:
        self.rng = rng
        self.used = {r.lstrip("0") for r in reserved}

    def new(self) -> str:
        while True:
            s = f"{self.rng.randrange(1_000_000, 99_999_999):08d}"
            if s.lstrip("0") not in self.used:
                self.used.add(s.lstrip("0"))
                return s


def month_days(rng: random.Random, month: int, lo: int = 2, hi: int = 27) -> date:
    d = date(2019, month, rng.randint(lo, hi))
    while d.weekday() >= 5:  # payments are booked on weekdays
        d += timedelta(days=1)
    return d


class PaymentBook:
    """Collects one unit's payments and fills handler/approver when a payment does not set them."""

    def __init__(self, unit: str, rng: random.Random, inv: Invoices, handlers: list[str],
                 approvers: list[str]) -> None:
        self.unit, self.rng, self.inv = unit, rng, inv
        self.handlers, self.approvers = handlers, approvers
        self.items: list[Payment] = []

    def add(self, d: date, summary: str, econ: str, amount: float, payee: str, *,
            issuer: str | None | bool = True, invoice: str | None | bool = True,
            contract: str | None = None, fund: str = BASIC_BUDGET, handler: str | None = None,
            approver: str | None | bool = True, style: dict | None = None) -> Payment:
        p = Payment(
            self.unit, d, summary, econ, round(amount, 2), payee,
            payee if issuer is True else issuer,
            self.inv.new() if invoice is True else invoice,
            contract, fund,
            handler or self.rng.choice(self.handlers),
            self.rng.choice(self.approvers) if approver is True else approver,
            style=style or {},
        )
        self.items.append(p)
        return p


def build_unit_a(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_A)
    for name, dept, title in STAFF_A_ACTIVE:
        u.staff.append(Staff(UNIT_A, name, dept, title, "在职"))
    next(s for s in u.staff if s.name == "黄丽").near(
        "segregation-incompatible-posts", "会计胡静、出纳黄丽由不同的人担任，岗位已分离",
        "Accountant 胡静 and cashier 黄丽 are different people")
    for name, dept, title, status, left in STAFF_A_LEFT:
        u.staff.append(Staff(UNIT_A, name, dept, title, status, left))
    approvers = ["胡静", "王志刚"]
    handlers = ["周婷", "马俊", "陈晨", "杨帆", "孙倩", "郑雪", "黄丽"]
    pb = PaymentBook(UNIT_A, rng, inv, handlers, approvers)

    # --- reference tables -------------------------------------------------------------------
    fund_inno, fund_pop = "2019年科技创新引导专项", "2019年科普宣传专项"
    u.special_funds += [
        SpecialFund(UNIT_A, fund_inno, 2019, 800000.0, ["委托业务费", "专用材料费", "劳务费", "印刷费"],
                    "支持科技成果转化与科技服务", "长财教指〔2019〕12号"),
        SpecialFund(UNIT_A, fund_pop, 2019, 200000.0, ["印刷费", "委托业务费"], "科普宣传与科技活动周",
                    "长财教指〔2019〕21号"),
    ]
    print_a1, print_a2 = "湖南星辰印务（长沙）有限公司", "长沙彩虹印刷有限公司"
    car_a1, car_a2 = "长沙顺达汽车维修服务有限公司", "中国石化销售股份有限公司湖南长沙石油分公司"
    u.suppliers += [
        Supplier(UNIT_A, print_a1, "印刷费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_A, print_a2, "印刷费", date(2018, 7, 1), date(2020, 6, 30)),
        Supplier(UNIT_A, car_a1, "公务用车运行维护费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_A, car_a2, "公务用车运行维护费", date(2019, 1, 1), date(2021, 12, 31)),
    ]
    u.price_limits += [
        PriceLimit(UNIT_A, "便携式计算机", 7500.0, "长财资〔2019〕5号（本单位批复）"),
        PriceLimit(UNIT_A, "台式计算机", 5000.0, "财资〔2016〕27号"),
    ]

    # --- contracts (sheet 2019年合同 in 万元, sheet 2018年续签合同 in 元) ----------------------
    C = lambda *a, **k: Contract(UNIT_A, *a, **k)  # noqa: E731
    c1 = C("CSKJ-2019-001", "科技信息平台升级改造项目", "湖南智联信息技术有限公司", 681000.0, date(2019, 2, 25), True, True,
           date(2019, 3, 1), date(2019, 10, 30), 0.2, 15)
    c1.plant("payment-over-contract", "68.1万元合同累计付款72.6万元，超合同金额（验收后追加开发费无补充协议）",
             "Contract of 681,000 paid 726,000 in total (extra development fee without an amendment)")
    c2 = C("CSKJ-2019-002", "2019年科技活动周策划执行服务", "湖南博文会展服务有限公司", 298000.0, date(2019, 4, 10), True,
           True, date(2019, 4, 15), date(2019, 5, 31), None, None)
    c2.near("payment-over-contract", "29.8万元合同分两次各付14.9万元，未超合同金额",
            "Contract of 298,000 paid 149,000 + 149,000: not over")
    c3 = C("CSKJ-2019-003", "科技成果转化服务外包", "湖南科技评估咨询有限公司", 125000.0, date(2019, 5, 20), True, True,
           date(2019, 5, 20), date(2019, 12, 20), 0.3, 10)
    c3.near("contract-signed-late", "合同签订当日开工，不属于先履行后签订", "Signed the same day work started: not late")
    c3.near("contract-prepay-ratio", "预付比例恰为30%，未超过上限", "Prepayment exactly 30%: not over the limit")
    c3.near("payment-over-contract", "累计付款恰等于合同金额12.5万元", "Paid exactly the contract amount: not over")
    c4 = C("CSKJ-2019-004", "办公区网络安全等级保护测评", "湖南安信网络安全技术有限公司", 86000.0, None, True, True,
           date(2019, 6, 3), date(2019, 7, 15), None, None)
    c4.plant("contract-missing-elements", "合同未填签订日期", "Contract without a sign date")
    c5 = C("CSKJ-2019-005", "科普宣传视频制作", "长沙光影传媒有限公司", 32000.0, date(2019, 6, 20), True, False,
           date(2019, 6, 25), date(2019, 8, 30), None, None)
    c5.plant("contract-missing-elements", "合同未盖章", "Contract not sealed")
    c6 = C("CSKJ-2019-006", "科技政策研究课题委托", "湖南星城科技政策研究院", 156000.0, date(2019, 7, 15), True, True,
           date(2019, 7, 1), date(2019, 12, 15), 0.2, 15)
    c6.plant("contract-signed-late", "合同7月15日签订，晚于7月1日开始履行", "Signed 15 July, after work started on 1 July")
    c7 = C("CSKJ-2019-007", "科技成果数据库建设", "湖南数智科技有限公司", 368000.0, date(2019, 8, 5), True, True,
           date(2019, 8, 12), None, 0.5, 7)
    c7.plant("contract-prepay-ratio", "合同约定预付50%，超过30%上限", "Contract prepays 50%, over the 30% limit")
    c8 = C("CSKJ-2019-008", "办公家具采购", "长沙美居办公家具有限公司", 96000.0, date(2019, 3, 18), True, True,
           date(2019, 3, 25), date(2019, 4, 10), None, None)
    c8.near("collective-decision-missing", "9.6万元小额合同无需三重一大决策", "Contract of 96,000 below the threshold: no decision needed")
    c8.near("contract-missing-elements", "签订日期、签字、盖章三要素齐全", "Sign date, signature and seal all present")
    c9 = C("CSKJ-2019-009", "2019年度法律顾问服务", "湖南正言律师事务所", 48000.0, date(2019, 1, 8), True, True,
           date(2019, 1, 8), date(2019, 12, 31), None, None)
    c10 = C("CSKJ-2019-010", "科技大数据平台运维", "湖南智联信息技术有限公司", 100000.0, date(2019, 9, 2), True, True,
            date(2019, 9, 10), None, 0.1, 10)
    c10.near("collective-decision-missing", "恰为10万元的合同有三重一大决策记录", "Contract of exactly 100,000 with its decision")
    c11 = C("CSKJ-2018-012", "办公用房租赁合同", "长沙麓谷置业有限公司", 222000.0, date(2018, 12, 20), True, True,
            date(2019, 1, 1), date(2019, 12, 31), None, None)
    c12 = C("CSKJ-2018-013", "物业管理服务合同", "长沙华远物业管理有限公司", 38400.0, date(2018, 12, 25), True, True,
            date(2019, 1, 1), date(2019, 12, 31), None, None)
    c2.style = {"sign_date": "cn"}
    c9.style = {"start_date": "dot"}
    u.contracts += [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12]

    # --- payments -----------------------------------------------------------------------------
    rent = "长沙麓谷置业有限公司"
    for m in range(1, 13):
        p = pb.add(date(2019, m, 5) if date(2019, m, 5).weekday() < 5 else month_days(rng, m, 5, 8),
                   f"支付{m}月办公用房租金", "租赁费", 18500.0, rent, contract="CSKJ-2018-012")
        if m in (2, 3):
            p.near("duplicate-payment", f"{m}月房租与其他月份金额相同但发票号不同，不是重复支付",
                   f"Monthly rent for month {m}: same amount, different invoice numbers")
    for q, m in enumerate((1, 4, 7, 10), start=1):
        pb.add(month_days(rng, m, 10, 15), f"支付2019年第{q}季度物业管理费", "物业管理费", 9600.0,
               "长沙华远物业管理有限公司", contract="CSKJ-2018-013")
    for m in range(1, 13):
        pb.add(month_days(rng, m, 15, 20), f"支付{m}月电费", "水电费", round(rng.uniform(2000, 4500), 2),
               "国网湖南省电力有限公司长沙供电分公司")
        pb.add(month_days(rng, m, 20, 26), f"支付{m}月宽带及电话费", "邮电费", 1280.0,
               "中国电信股份有限公司长沙分公司")
        if m % 2 == 0:
            pb.add(month_days(rng, m, 10, 14), f"支付{m - 1}-{m}月水费", "水电费", round(rng.uniform(300, 700), 2),
                   "长沙水业集团有限公司")
    office = ["长沙恒信办公用品有限公司", "湖南天天办公设备有限公司"]
    office_items = ["购买办公用品（打印纸、签字笔）", "购买打印机硒鼓、墨盒", "购买档案盒、文件夹",
                    "购买复印纸", "购买会议室白板及配件", "购买U盘、移动硬盘"]
    for m in range(1, 13):
        pb.add(month_days(rng, m), rng.choice(office_items), "办公费", round(rng.uniform(300, 4800), 0),
               rng.choice(office))
    for m in (1, 3, 5, 6, 9, 11):
        pb.add(month_days(rng, m), rng.choice(["印制《科技工作简报》", "印制科技政策汇编", "印制会议材料"]), "印刷费",
               round(rng.uniform(1500, 9000), 0), rng.choice([print_a1, print_a2]))
    for m in range(1, 13):
        pb.add(month_days(rng, m), "公务用车加油费", "公务用车运行维护费", round(rng.uniform(600, 1500), 2), car_a2)
        if m % 3 == 0:
            pb.add(month_days(rng, m), "公务用车维修保养", "公务用车运行维护费", round(rng.uniform(800, 3600), 0), car_a1)
    travellers = ["刘洋", "陈晨", "杨帆", "赵磊", "孙倩", "吴昊", "郑雪", "林涛", "王志刚", "刘芳"]
    trips = ["赴北京参加科技部业务培训差旅费", "赴上海考察科技成果转化差旅费", "赴株洲开展科技项目检查差旅费",
             "赴岳阳参加全省科技工作会差旅费", "赴深圳参加高交会差旅费"]
    for m in range(1, 13):
        for _ in range(2):
            who = rng.choice(travellers)
            pb.add(month_days(rng, m), rng.choice(trips), "差旅费", round(rng.uniform(600, 4200), 0), who,
                   issuer=None, invoice=None, handler=who if who not in approvers else "周婷")
    t1 = pb.add(date(2019, 4, 16), "赴北京参加科技部业务培训差旅费", "差旅费", 2860.0, "陈晨", issuer=None, invoice=None,
                handler="陈晨")
    t2 = pb.add(date(2019, 4, 16), "赴北京参加科技部业务培训差旅费", "差旅费", 2860.0, "杨帆", issuer=None, invoice=None,
                handler="杨帆")
    t2.near("duplicate-payment", "两人同行差旅费金额相同、均无发票号，不是重复支付",
            "Two travellers' identical claims without invoice numbers: not duplicates")
    for m in (3, 5, 8, 10, 12):
        pb.add(month_days(rng, m), rng.choice(["接待株洲市科技局调研组工作餐", "接待湘潭市科技局考察组工作餐"]),
               "公务接待费", round(rng.uniform(500, 1100), 0), "长沙麓山宾馆有限公司")
    for m in (2, 6, 9):
        pb.add(month_days(rng, m), "办公楼空调维修", "维修（护）费", round(rng.uniform(800, 3000), 0), "长沙凯达制冷设备有限公司")
    # contract payments (the 68.1万 contract is overpaid; the 29.8万 one is paid in two equal halves)
    pb.add(date(2019, 3, 8), "科技信息平台升级改造项目预付款", "信息网络及软件购置更新", 136200.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 9, 20), "科技信息平台升级改造项目进度款", "信息网络及软件购置更新", 476700.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 11, 12), "科技信息平台升级改造项目尾款", "信息网络及软件购置更新", 68100.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 12, 10), "科技信息平台追加功能开发费", "信息网络及软件购置更新", 45000.0, c1.counterparty,
           contract=c1.contract_no)
    pb.add(date(2019, 4, 26), "科技活动周策划执行服务费（第一期）", "委托业务费", 149000.0, c2.counterparty,
           contract=c2.contract_no, fund=fund_pop)
    pb.add(date(2019, 6, 10), "科技活动周策划执行服务费（第二期）", "委托业务费", 149000.0, c2.counterparty,
           contract=c2.contract_no, fund=fund_pop)
    f_ok = pb.add(date(2019, 5, 28), "科技成果转化服务外包预付款", "委托业务费", 37500.0, c3.counterparty,
                  contract=c3.contract_no, fund=fund_inno)
    f_ok.near("special-fund-off-purpose", "专项资金支付允许的委托业务费，摘要正常",
              "Special fund paying an allowed class with a neutral summary")
    pb.add(date(2019, 12, 26), "科技成果转化服务外包尾款", "委托业务费", 87500.0, c3.counterparty,
           contract=c3.contract_no, fund=fund_inno)
    pb.add(date(2019, 7, 25), "网络安全等级保护测评费", "委托业务费", 86000.0, c4.counterparty, contract=c4.contract_no)
    pb.add(date(2019, 9, 5), "科普宣传视频制作费", "委托业务费", 32000.0, c5.counterparty, contract=c5.contract_no,
           fund=fund_pop)
    pb.add(date(2019, 7, 22), "科技政策研究课题预付款", "委托业务费", 31200.0, c6.counterparty, contract=c6.contract_no,
           fund=fund_inno)
    pb.add(date(2019, 8, 20), "科技成果数据库建设预付款", "信息网络及软件购置更新", 184000.0, c7.counterparty,
           contract=c7.contract_no)
    pb.add(date(2019, 4, 15), "办公家具采购款", "办公设备购置", 96000.0, c8.counterparty, contract=c8.contract_no)
    pb.add(date(2019, 6, 28), "法律顾问服务费（上半年）", "咨询费", 24000.0, c9.counterparty, contract=c9.contract_no)
    pb.add(date(2019, 12, 20), "法律顾问服务费（下半年）", "咨询费", 24000.0, c9.counterparty, contract=c9.contract_no)
    pb.add(date(2019, 10, 15), "科技大数据平台运维费", "委托业务费", 50000.0, c10.counterparty, contract=c10.contract_no)
    # special-fund printing to a listed supplier
    pb.add(date(2019, 5, 9), "印制科技活动周宣传册", "印刷费", 12600.0, print_a2, fund=fund_pop).near(
        "non-designated-supplier", "印刷费付给名录内且在有效期内的定点供应商",
        "Printing paid to a listed designated supplier within its validity")
    # experts' review fees: the outside expert and the retired former employee are not flagged
    e1 = pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "周建国", issuer=None, invoice=None,
                fund=fund_inno)
    e1.near("staff-paid-review-fee", "评审费付给外单位专家（湖南大学），不在本单位名册",
            "Review fee paid to an outside expert, not in the roster")
    e2 = pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "陈志明", issuer=None, invoice=None,
                fund=fund_inno)
    e2.near("staff-paid-review-fee", "评审费付给已退休的原科长陈志明，不属在职人员",
            "Review fee paid to a retired former section chief: not serving staff")
    e2.near("payee-invoice-mismatch", "个人劳务无发票开具单位（空白），不比对", "Personal fee with a blank issuer: not compared")
    e2.near("duplicate-payment", "多笔同额评审费均无发票号，不是重复支付", "Equal review fees with blank invoice numbers: not duplicates")
    pb.add(date(2019, 6, 25), "2019年度科技计划项目立项评审费", "劳务费", 1000.0, "刘洋", issuer=None, invoice=None,
           fund=fund_inno).plant("staff-paid-review-fee", "向在职科长刘洋发放项目立项评审费1000元",
                                 "Review fee of 1,000 paid to serving section chief 刘洋")
    pb.add(date(2019, 11, 20), "科技成果转化项目专家咨询费", "劳务费", 1500.0, "黎晓东", issuer=None, invoice=None,
           fund=fund_inno)

    # --- planted payment findings -------------------------------------------------------------
    pb.add(date(2019, 3, 12), "科技成果展览展台搭建服务费", "委托业务费", 12800.0, "长沙华彩广告有限公司",
           invoice="00571234")
    pb.add(date(2019, 10, 15), "科技成果展览展台搭建服务费", "委托业务费", 12800.0, "长沙华彩广告有限公司",
           invoice="No.00571234").plant(
        "duplicate-payment", "同一张发票（00571234 / No.00571234）3月、10月两次支付12,800元",
        "Invoice 00571234 (No.00571234 on the copy) paid twice, March and October, 12,800 each")
    pb.add(date(2019, 5, 20), "科技文旅融合展会展服务费", "委托业务费", 6800.0, "湖南博文会展服务有限公司",
           invoice="04418876")
    pb.add(date(2019, 4, 18), "支付2018年度科技成果评价服务费", "委托业务费", 24000.0, "湖南科技评估咨询有限公司",
           fund=fund_inno).plant("special-fund-off-purpose", "用2019年专项资金支付2018年度的评价服务费",
                                 "2019 special fund paying a 2018 cost")
    pb.add(date(2019, 1, 25), "春节慰问科技特派员", "福利费", 8600.0, "长沙惠民超市有限公司", fund=fund_inno).plant(
        "special-fund-off-purpose", "科技创新专项资金用于春节慰问（福利费不在批复范围）",
        "Special fund spent on Spring Festival 慰问 (福利费 is outside the approved classes)")
    pb.add(date(2019, 9, 10), "购买购物卡（中秋职工活动）", "其他商品和服务支出", 20000.0, "长沙惠民超市有限公司").plant(
        "prohibited-expense", "以职工活动名义购买购物卡2万元", "Shopping cards bought as a staff activity, 20,000")
    pb.add(date(2019, 8, 14), "印制科普宣传折页", "印刷费", 8600.0, "长沙速印图文快印店").plant(
        "non-designated-supplier", "印刷费付给不在定点名录的图文快印店", "Printing paid to a copy shop not on the designated list")
    pb.add(date(2019, 6, 18), "购买办公耗材（硒鼓、墨盒）", "办公费", 4350.0, "长沙明达贸易有限公司",
           issuer="长沙恒远商贸有限公司").plant(
        "payee-invoice-mismatch", "收款单位长沙明达贸易有限公司与发票开具单位长沙恒远商贸有限公司不一致",
        "Paid to one company against another company's invoice")
    pb.add(date(2019, 7, 9), "印制《2019年科技工作要点》", "印刷费", 3680.0, print_a1, issuer="湖南星辰印务(长沙)有限公司").near(
        "payee-invoice-mismatch", "收款单位与开票单位仅全角/半角括号不同，视为一致",
        "Payee and issuer differ only in full/half-width brackets: the same")
    pb.add(date(2019, 5, 14), "购买会议用纸杯、矿泉水", "办公费", 680.0, "长沙恒信办公用品有限公司", handler="张敏",
           approver="张敏").plant("segregation-handler-approver", "经办人与审核人同为张敏",
                                  "Handler and approver are both 张敏")
    pb.add(date(2019, 2, 26), "购买打印纸", "办公费", 1260.0, "长沙恒信办公用品有限公司", handler="周婷",
           approver=None).near("segregation-handler-approver", "审核人空白，不判为同一人",
                               "Blank approver: not the same person")
    pb.add(date(2019, 3, 20), "购买档案密集架", "办公设备购置", 12000.0, "长沙恒信办公用品有限公司",
           style={"amount": "capital"}).near("prohibited-expense", "正常办公设备购置（金额大写录入）",
                                             "Ordinary office equipment (amount typed in 大写)")
    # a few amounts and dates typed as text, like hand-kept ledgers
    styled = [p for p in pb.items if not p.plants and not p.nears and p.contract_no is None]
    for p, st in zip(rng.sample(styled, 10), [{"amount": "comma"}, {"amount": "comma"}, {"amount": "yen"},
                                                {"date": "cn"}, {"date": "cn"}, {"date": "dot"}, {"date": "slash"},
                                                {"date": "compact"}, {"date": "slash", "amount": "comma"},
                                                {"date": "dot", "amount": "yen"}]):
        p.style = st
    for p in rng.sample([p for p in styled if p.invoice_no and not p.style], 4):
        p.invoice_no = "No." + p.invoice_no  # prefixes on unique numbers change nothing
    # A bad cell on purpose (added after the random styling, so the rest of the data is unchanged):
    # the second payment on the same invoice has its amount typed 待定. Were it read as 5,600 it
    # would duplicate the July payment; unreadable, it must give no duplicate finding.
    pb.add(date(2019, 7, 18), "科技馆巡展展品运输服务费", "委托业务费", 5600.0, "长沙速达物流有限公司",
           invoice=PENDING_INVOICE, handler="孙倩", approver="胡静")
    pb.add(date(2019, 11, 14), "科技馆巡展展品运输服务费", "委托业务费", 5600.0, "长沙速达物流有限公司",
           invoice=PENDING_INVOICE, handler="孙倩", approver="胡静").bad_cell(
        "amount", "待定", CHECK_READABLE, would="duplicate-payment",
        zh="金额填为“待定”无法识别，与7月同发票付款不据以判重复（列入数据质量问题）",
        en="Amount typed 待定: unreadable, so no duplicate with the July payment on the same invoice (a data-quality issue)")
    u.payments = pb.items

    # --- receptions, overtime meals --------------------------------------------------------------
    R = lambda *a, **k: Reception(UNIT_A, *a, **k)  # noqa: E731
    guests = [("株洲市科学技术局", "株洲市"), ("湘潭市科学技术局", "湘潭市"), ("岳阳市科学技术局", "岳阳市"),
              ("衡阳市科学技术局", "衡阳市"), ("常德市科学技术局", "常德市"), ("武汉市科学技术局", "武汉市")]
    for m in (1, 3, 4, 5, 7, 9, 10, 11):
        unit_, loc_ = rng.choice(guests)
        g, c = rng.randint(2, 6), rng.randint(1, 3)
        u.receptions.append(R(month_days(rng, m), unit_, loc_, g, c, float(rng.randint(80, 140) * (g + c)),
                              rng.random() < 0.8))
    u.receptions += [
        R(date(2019, 8, 21), "株洲市科学技术局", "株洲市", 4, 2, 1280.0, True).plant(
            "meal-reception-per-head", "接待6人用餐1280元，人均213元超过150元标准", "1,280 for 6 diners: 213 per head over 150"),
        R(date(2019, 6, 12), "湘潭市科学技术局", "湘潭市", 5, 3, 1200.0, True).near(
            "meal-reception-per-head", "8人用餐1200元，人均恰为150元", "1,200 for 8 diners: exactly 150 per head"),
        R(date(2019, 2, 20), "岳阳市科学技术局", "岳阳市", None, None, 960.0, True).near(
            "meal-reception-per-head", "接待人数、陪同人数未填，不计算人均", "Counts missing: per head not computed"),
        R(date(2019, 12, 10), "长沙县科学技术局", "长沙县", 3, 2, 600.0, False).plant(
            "reception-same-city", "接待同城（长沙县）来访单位并安排公务用餐", "Official meal for guests from 长沙县 (same city)"),
        R(date(2019, 10, 24), "国家科技部火炬中心调研组", None, 3, 2, 600.0, True).near(
            "reception-same-city", "来访单位所在地空白，不判同城", "Blank guest location: not same city"),
    ]
    u.receptions.sort(key=lambda r: r.date)
    next(r for r in u.receptions if r.guest_location in ("株洲市", "湘潭市") and not r.plants).near(
        "reception-same-city", "株洲、湘潭等外地来访接待不属同城", "Guests from another city (株洲/湘潭): not same city")

    O = lambda *a, **k: OvertimeMeal(UNIT_A, *a, **k)  # noqa: E731
    reasons = ["编制年度部门预算", "科技项目申报材料集中审核", "迎接省科技厅检查准备材料", "年终决算",
               "高新技术企业认定材料初审", "科技活动周筹备"]
    dstyles = ["slash", "iso", "cn", "compact", "slash"]
    for m in (1, 3, 4, 5, 6, 9, 10, 11, 12):
        n = rng.randint(4, 12)
        u.overtime_meals.append(O(month_days(rng, m), rng.choice(reasons), n, n, float(n * rng.randint(18, 28)),
                                  "张敏", style={"date": rng.choice(dstyles)}))
    u.overtime_meals += [
        O(date(2019, 7, 16), "科技项目申报材料集中审核", 10, 10, 420.0, "张敏", style={"date": "cn"}).plant(
            "meal-overtime-per-head", "加班餐10人420元，人均42元超过30元标准", "Overtime meal 420 for 10: 42 per head over 30"),
        O(date(2019, 8, 6), "编制年度部门预算", 12, 9, 225.0, "张敏", style={"date": "slash"}).plant(
            "overtime-headcount-mismatch", "加班餐申请12人、实际就餐9人，人数不符", "Overtime meal applied for 12, 9 ate"),
        O(date(2019, 2, 27), "年终决算", 8, 8, 240.0, "张敏", style={"date": "compact", "amount": "yen"}).near(
            "meal-overtime-per-head", "加班餐8人240元，人均恰为30元", "240 for 8: exactly 30 per head"),
    ]
    u.overtime_meals[0].near("overtime-headcount-mismatch", "申请人数与实际就餐人数一致", "Applied = actual headcount")
    u.overtime_meals.sort(key=lambda r: r.date)

    # --- assets ---------------------------------------------------------------------------------
    depts = {s[0]: s[1] for s in STAFF_A_ACTIVE}
    active_users = ["周婷", "陈晨", "杨帆", "孙倩", "郑雪", "刘洋", "赵磊", "吴昊", "林涛", "胡静", "黄丽", "张敏"]
    n_asset = iter(range(1, 100))

    def asset(name, cat, model, price, acq, booked, user, *, qty=1, dept=None):
        a = Asset(UNIT_A, f"KJ{next(n_asset):05d}", name, cat, model, float(price), qty, acq, booked, user,
                  dept or depts.get(user, "办公室"))
        u.assets.append(a)
        return a

    for i in range(8):
        acq = date(2019, rng.randint(1, 10), rng.randint(1, 25))
        user = active_users[i]
        asset("台式计算机", "台式计算机", rng.choice(["联想启天M420", "清华同方超越E500"]), rng.randrange(4200, 4990, 10),
              acq, acq + timedelta(days=rng.randint(3, 20)), user, dept=depts[user])
    for i in range(3):
        acq = date(2019, rng.randint(1, 10), rng.randint(1, 25))
        asset("A4黑白激光打印机", "A4黑白打印机", "惠普M403d", rng.randrange(900, 1190, 10), acq,
              acq + timedelta(days=rng.randint(2, 15)), active_users[i + 3])
    a = asset("便携式计算机", "便携式计算机", "联想ThinkPad X1", 7200, date(2019, 5, 6), date(2019, 5, 15), "刘洋")
    a.near("asset-unit-price-over-limit", "便携式计算机7200元，本单位批复限额7500元，未超标",
           "Laptop at 7,200 under the unit's own 7,500 limit")
    asset("复印机", "复印机", "理光MP3055", 26800, date(2019, 4, 8), date(2019, 4, 20), "周婷")
    asset("柜式空调", "空调机", "格力KFR-72LW", 12600, date(2019, 6, 3), date(2019, 6, 18), "张敏").near(
        "asset-unit-price-over-limit", "空调机无配置限额，不比对", "Air conditioner: no limit for the category")
    asset("台式计算机", "台式计算机", "联想启天M420", 4680, date(2018, 11, 20), date(2019, 1, 16), "陈晨").plant(
        "asset-booked-late", "2018年11月20日购置的计算机2019年1月16日才入账（57天）",
        "Computer bought 20 Nov 2018 booked 16 Jan 2019 (57 days)")
    asset("A4黑白激光打印机", "A4黑白打印机", "惠普M403d", 1150, date(2019, 3, 1), date(2019, 3, 31), "杨帆").near(
        "asset-booked-late", "购置后第30天入账，未超过30天", "Booked on day 30: within the window")
    asset("台式计算机", "台式计算机", "清华同方超越E500", 4850, date(2018, 6, 11), date(2018, 6, 20), "王磊",
          dept="科技项目科").plant("asset-user-departed", "资产使用人王磊已于2019年3月调离，资产未收回",
                                   "Asset still assigned to 王磊, transferred out in March 2019")
    asset("投影仪", "投影仪", "爱普生CB-X05", 3980, date(2019, 7, 2), date(2019, 7, 10), "周立新", dept="办公室").near(
        "asset-user-departed", "使用人周立新（借调人员）不在人员名册，不判定", "User not in the roster: not flagged")
    u.assets[0].near("asset-user-departed", "使用人在职", "User in service")
    for a in u.assets:
        if a.acquired_date.month in (2, 5, 8) and not a.plants and not a.nears:
            a.style = {"acquired_date": "dot"}

    # --- decisions, meetings, appointments -------------------------------------------------------
    members = "李建华、王志刚、刘芳、张敏、林涛"
    party_dates = []
    for m in range(1, 13):
        party_dates.append(month_days(rng, m, 3, 9))
        if m in (2, 7, 12):
            party_dates.append(month_days(rng, m, 12, 14))
    party_dates = sorted(set(party_dates))
    for k, d in enumerate(party_dates, start=1):
        u.meetings.append(Meeting(UNIT_A, d, f"2019年第{k}次党组会议", "党组会议", "李建华", "张敏", members, 5, 5, 5))
    u.meetings[4].recorder = None
    u.meetings[4].plant("meeting-record-incomplete", "党组会议记录未填记录人", "Party group minutes without a recorder")
    u.meetings[8].present, u.meetings[8].signed_in = 5, 4
    u.meetings[8].plant("meeting-attendance-mismatch", "党组会议实到5人、签到4人，人数不符", "Present 5 but 4 signed in")
    u.meetings[2].present = u.meetings[2].signed_in = 4
    u.meetings[2].near("meeting-attendance-mismatch", "应到5人、实到4人、签到4人，一致", "Expected 5, present = signed in = 4")
    u.meetings[3].near("meeting-record-incomplete", "记录要素齐全", "Complete record")
    study_members = "李建华、王志刚、刘芳、张敏、林涛、刘洋、赵磊、吴昊"
    topics = ["学习习近平新时代中国特色社会主义思想", "学习党章党规", "学习全国科技创新大会精神",
              "学习《中国共产党纪律处分条例》", "\u201c不忘初心、牢记使命\u201d主题教育专题学习"]
    for m in range(1, 13):
        d = month_days(rng, m, 16, 26)
        u.meetings.append(Meeting(UNIT_A, d, f"党组理论学习中心组2019年第{m}次集体学习（{rng.choice(topics)}）",
                                  "党组理论学习中心组学习", "李建华", "周婷", study_members, 8, 8, 8))
    u.meetings[-1].near("study-session-gap", "科技局全年每月均有中心组学习，不缺月",
                        "A unit with a study session every month: no gap")

    def decision_for(c: Contract) -> None:
        before = [m for m in u.meetings if m.kind == "党组会议" and m.date < (c.sign_date or c.start_date)]
        mt = before[-1] if before else None
        d = mt.date if mt else c.sign_date - timedelta(days=10)
        name = mt.name if mt else "2018年第12次党组会议"
        u.decisions.append(Decision(UNIT_A, d, name, f"审议{c.name}（{c.counterparty}）", c.amount, c.contract_no,
                                    "同意"))

    for c in u.contracts:
        if c.amount >= MAJOR_AMOUNT:
            decision_for(c)
    u.decisions.append(Decision(UNIT_A, party_dates[0], "2019年第1次党组会议", "审议2019年部门预算分配方案", 5820000.0, None,
                                "同意"))
    u.decisions.sort(key=lambda x: x.date)
    next(x for x in u.decisions if x.contract_no == "CSKJ-2019-001").near(
        "collective-decision-missing", "68.1万元合同有党组会议决策记录", "The 681,000 contract has its decision")

    P = lambda *a, **k: Appointment(UNIT_A, *a, **k)  # noqa: E731
    u.appointments += [
        P("陈晨", "科技项目科副科长", date(2019, 3, 11), date(2019, 3, 14)).plant(
            "publicity-period-short", "任前公示3月11日至14日仅4个工作日", "Pre-appointment notice 11–14 March: 4 working days"),
        P("孙倩", "科普宣传科副科长", date(2019, 3, 18), date(2019, 3, 22)).near(
            "publicity-period-short", "周一至周五公示满5个工作日", "Monday to Friday: 5 working days"),
        P("郑雪", "成果转化科副科长", date(2019, 4, 10), date(2019, 4, 16), style={"start": "slash", "end": "slash"}).near(
            "publicity-period-short", "跨周末公示（周三至下周二）满5个工作日", "Wednesday to next Tuesday across a weekend: 5 working days"),
        P("杨帆", "科技项目科科长", date(2019, 11, 4), date(2019, 11, 8), style={"start": "cn", "end": "cn"}),
    ]
    return u


def build_unit_b(rng: random.Random, inv: Invoices) -> UnitData:
    u = UnitData(UNIT_B)
    for name, dept, title, status, left in STAFF_B:
        u.staff.append(Staff(UNIT_B, name, dept, title, status, left))
    next(s for s in u.staff if s.name == "曾红").plant(
        "segregation-incompatible-posts", "会计曾红兼任出纳（职务“会计兼出纳”），不相容岗位未分离",
        "Accountant 曾红 is also the cashier (title 会计兼出纳)")
    next(s for s in u.staff if s.name == "邓琳").near(
        "segregation-incompatible-posts", "邓琳只任出纳，与会计不是同一人", "邓琳 is only the cashier")
    approvers = ["曾红", "彭勇"]
    handlers = ["罗佳", "邓琳", "蒋雯", "谢婷", "龙艳", "唐亮", "袁博", "贺强"]
    pb = PaymentBook(UNIT_B, rng, inv, handlers, approvers)

    fund_ich, fund_pub = "2019年非物质文化遗产保护专项", "2019年公共文化服务体系建设专项"
    u.special_funds += [
        SpecialFund(UNIT_B, fund_ich, 2019, 500000.0, ["委托业务费", "专用材料费", "印刷费", "差旅费", "劳务费"],
                    "非遗普查、传承人培训与展示", "湘文旅非遗〔2019〕8号"),
        SpecialFund(UNIT_B, fund_pub, 2019, 300000.0, ["委托业务费", "专用材料费", "维修（护）费"],
                    "基层公共文化服务设施运行", "长财教指〔2019〕33号"),
    ]
    print_b, car_b_old, car_b = "长沙彩虹印刷有限公司", "长沙通程汽车服务有限公司", "长沙顺达汽车维修服务有限公司"
    fuel = "中国石化销售股份有限公司湖南长沙石油分公司"
    u.suppliers += [
        Supplier(UNIT_B, print_b, "印刷费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_B, car_b_old, "公务用车运行维护费", date(2018, 1, 1), date(2018, 12, 31)),
        Supplier(UNIT_B, car_b, "公务用车运行维护费", date(2019, 1, 1), date(2019, 12, 31)),
        Supplier(UNIT_B, fuel, "公务用车运行维护费", date(2019, 1, 1), date(2021, 12, 31)),
    ]

    C = lambda *a, **k: Contract(UNIT_B, *a, **k)  # noqa: E731
    d1 = C("CSWL-2019-01", "文化馆非遗展厅布展工程", "湖南华艺装饰工程有限公司", 681000.0, date(2019, 3, 5), True, True,
           date(2019, 3, 10), date(2019, 6, 28), 0.2, 15)
    d1.plant("collective-decision-missing", "68.1万元布展工程合同无三重一大集体决策记录",
             "Exhibition fit-out contract of 681,000 without a collective decision")
    d2 = C("CSWL-2019-02", "2019年非遗传承人培训服务", "湖南文博教育咨询有限公司", 180000.0, date(2019, 4, 1), True, True,
           date(2019, 4, 8), date(2019, 10, 31), 0.2, 10)
    d2.near("collective-decision-missing", "18万元合同有主任办公会决策记录", "Contract of 180,000 with its decision")
    d3 = C("CSWL-2019-03", "文化惠民演出服务", "长沙星城演艺有限公司", 96000.0, date(2019, 5, 10), False, True,
           date(2019, 5, 20), date(2019, 9, 30), None, None)
    d3.plant("contract-missing-elements", "演出服务合同未经签字", "Performance contract not signed")
    d4 = C("CSWL-2019-04", "文旅宣传画册设计印制", print_b, 45000.0, date(2019, 6, 28), True, True,
           date(2019, 6, 3), date(2019, 6, 25), None, None)
    d4.plant("contract-signed-late", "画册印制合同6月28日签订，晚于6月25日验收（先履行后补签）",
             "Signed 28 June, after acceptance on 25 June")
    d5 = C("CSWL-2019-05", "场馆安保服务", "湖南卫安保安服务有限公司", 260000.0, date(2018, 12, 28), True, True,
           date(2019, 1, 1), date(2019, 12, 31), None, None)
    d6 = C("CSWL-2019-06", "LED显示屏采购", "长沙光电显示科技有限公司", 58500.0, date(2019, 8, 15), True, True,
           date(2019, 8, 15), date(2019, 9, 20), None, None)
    d6.near("contract-signed-late", "签订当日开始履行", "Signed the day work started")
    d7 = C("CSWL-2019-07", "文化云平台运维", "湖南智联信息技术有限公司", 148000.0, date(2019, 2, 20), True, True,
           date(2019, 3, 1), None, 0.1, 10)
    d4.style = {"sign_date": "dot"}
    d6.style = {"acceptance_date": "cn"}
    # A bad cell on purpose: the sign date typed as 2019-02-30. The reader cannot read it; were
    # the blank believed, the contract would lack its sign date. It must give no finding.
    d8 = C("CSWL-2019-08", "非遗展演视频拍摄制作", "长沙光影传媒有限公司", 38000.0, None, True, True,
           date(2019, 3, 4), date(2019, 4, 30), None, None)
    d8.bad_cell("sign_date", "2019-02-30", CHECK_READABLE, would="contract-missing-elements",
                zh="签订日期写成不存在的“2019-02-30”，无法识别，不据以判缺少签订日期（列入数据质量问题）",
                en="Sign date typed 2019-02-30 (no such day): unreadable, not a missing sign date (a data-quality issue)")
    u.contracts += [d1, d2, d3, d4, d5, d6, d7, d8]

    for q, m in enumerate((1, 4, 7, 10), start=1):
        p = pb.add(month_days(rng, m, 8, 12), f"支付2019年第{q}季度安保服务费", "物业管理费", 65000.0, d5.counterparty,
                   contract=d5.contract_no)
        if q == 2:
            p.near("duplicate-payment", "每季度安保费金额相同、发票号不同，不是重复支付",
                   "Quarterly security fee: same amount, different invoices")
    for m in range(1, 13):
        pb.add(month_days(rng, m, 14, 20), f"支付{m}月电费", "水电费", round(rng.uniform(3000, 6500), 2),
               "国网湖南省电力有限公司长沙供电分公司")
        pb.add(month_days(rng, m, 20, 26), f"支付{m}月网络及电话费", "邮电费", 960.0, "中国联合网络通信有限公司长沙市分公司")
        pb.add(month_days(rng, m), "公务用车加油费", "公务用车运行维护费", round(rng.uniform(500, 1300), 2), fuel)
        pb.add(month_days(rng, m), rng.choice(["购买办公用品", "购买打印纸、墨盒", "购买展签、标识牌耗材"]), "办公费",
               round(rng.uniform(300, 3800), 0), rng.choice(["长沙恒信办公用品有限公司", "湖南天天办公设备有限公司"]))
    for m in (2, 5, 8, 11):
        pb.add(month_days(rng, m), "公务用车维修保养", "公务用车运行维护费", round(rng.uniform(800, 3200), 0), car_b)
    for m in (3, 6, 9, 12):
        pb.add(month_days(rng, m), rng.choice(["印制展览宣传折页", "印制非遗项目名录", "印制活动海报"]), "印刷费",
               round(rng.uniform(1200, 8000), 0), print_b)
    travellers = ["唐亮", "蒋雯", "袁博", "谢婷", "贺强", "龙艳", "谭晓燕"]
    for m in range(1, 13):
        who = rng.choice(travellers)
        pb.add(month_days(rng, m), rng.choice(["赴北京参加文化和旅游部培训差旅费", "赴湘西开展非遗调查差旅费",
                                               "赴广州考察公共文化服务差旅费"]), "差旅费",
               round(rng.uniform(600, 3800), 0), who, issuer=None, invoice=None, handler=who)
    for m in (2, 4, 7, 10, 11):
        pb.add(month_days(rng, m), rng.choice(["非遗项目评审专家评审费", "展览策划专家咨询费"]), "劳务费", 800.0,
               rng.choice(EXPERTS[2:]), issuer=None, invoice=None, fund=fund_ich)
    # contract payments
    pb.add(date(2019, 3, 15), "非遗展厅布展工程预付款", "维修（护）费", 136200.0, d1.counterparty, contract=d1.contract_no,
           fund=fund_pub)
    pb.add(date(2019, 7, 12), "非遗展厅布展工程验收款", "维修（护）费", 408600.0, d1.counterparty, contract=d1.contract_no,
           fund=fund_pub)
    pb.add(date(2019, 4, 12), "非遗传承人培训服务预付款", "委托业务费", 36000.0, d2.counterparty, contract=d2.contract_no,
           fund=fund_ich)
    pb.add(date(2019, 11, 8), "非遗传承人培训服务尾款", "委托业务费", 144000.0, d2.counterparty, contract=d2.contract_no,
           fund=fund_ich)
    pb.add(date(2019, 10, 10), "文化惠民演出服务费", "委托业务费", 96000.0, d3.counterparty, contract=d3.contract_no)
    pb.add(date(2019, 7, 10), "文旅宣传画册设计印制费", "印刷费", 45000.0, print_b, contract=d4.contract_no, fund=fund_ich)
    pb.add(date(2019, 9, 26), "LED显示屏采购款", "专用设备购置", 58500.0, d6.counterparty, contract=d6.contract_no)
    pb.add(date(2019, 3, 20), "文化云平台运维费（一期）", "委托业务费", 74000.0, d7.counterparty, contract=d7.contract_no)
    pb.add(date(2019, 9, 18), "文化云平台运维费（二期）", "委托业务费", 74000.0, d7.counterparty, contract=d7.contract_no)

    pb.add(date(2019, 6, 18), "科技文旅融合展会展服务费", "委托业务费", 6800.0, "湖南博文会展服务有限公司",
           invoice="04418876").plant(
        "duplicate-payment", "同一张发票04418876被科技局（5月）和文旅中心（6月）各付一次6,800元",
        "Invoice 04418876 paid by both units (May and June), 6,800 each")
    pb.add(date(2019, 5, 16), "文化馆LED屏维修费（首付）", "维修（护）费", 3000.0, "长沙光电显示科技有限公司",
           invoice="00663120")
    pb.add(date(2019, 6, 20), "文化馆LED屏维修费（余款）", "维修（护）费", 2600.0, "长沙光电显示科技有限公司",
           invoice="00663120").near("duplicate-payment", "同一发票分两次付款但金额不同，不判重复",
                                    "Same invoice paid in two parts of different amounts: not a duplicate")
    pb.add(date(2019, 4, 9), "公务用车更换轮胎", "公务用车运行维护费", 3480.0, car_b_old).plant(
        "non-designated-supplier", "公务用车维修付给定点资格已于2018年底到期的长沙通程汽车服务有限公司",
        "Car maintenance paid to a supplier whose designation expired end of 2018")
    pb.add(date(2019, 7, 16), "非遗普查项目组野外调查误餐补助", "差旅费", 1860.0, "唐亮", issuer=None, invoice=None,
           handler="唐亮", fund=fund_ich).plant(
        "special-fund-off-purpose", "非遗专项资金列支项目组误餐补助", "ICH special fund paying meal allowances (误餐)")
    pb.add(date(2019, 9, 12), "接待湘潭市文旅局考察团工作餐", "公务接待费", 1280.0, "长沙湘韵酒店管理有限公司",
           fund=fund_pub).plant("special-fund-off-purpose", "公共文化专项资金列支公务接待费（不在批复支出范围）",
                                "Special fund paying hospitality, outside its approved classes")
    pb.add(date(2019, 9, 5), "购买中秋节礼品", "其他商品和服务支出", 7650.0, "长沙星沙百货有限公司").plant(
        "prohibited-expense", "购买中秋节礼品7650元", "Mid-Autumn gifts bought, 7,650")
    pb.add(date(2019, 10, 22), "展厅灯具维修材料", "维修（护）费", 3260.0, "长沙鑫达五金机电有限公司",
           issuer="湖南亿光照明科技有限公司").plant(
        "payee-invoice-mismatch", "收款单位长沙鑫达五金机电有限公司，发票由湖南亿光照明科技有限公司开具",
        "Paid to one company, invoice issued by another")
    pb.add(date(2019, 3, 27), "购买展板制作材料", "专用材料费", 2380.0, "长沙 恒信办公用品有限公司",
           issuer="长沙恒信办公用品有限公司", fund=fund_pub).near(
        "payee-invoice-mismatch", "收款单位名称中多一个空格，视为与开票单位一致", "Payee differs from issuer only by a space")
    pb.add(date(2019, 11, 6), "财务室购买凭证装订机耗材", "办公费", 960.0, "长沙恒信办公用品有限公司", handler="曾红",
           approver="曾红").plant("segregation-handler-approver", "会计曾红既经办又审核", "Accountant 曾红 both handled and approved")
    pb.add(date(2019, 4, 25), "购买非遗展示专用展柜配件", "专用材料费", 5600.0, "长沙美居办公家具有限公司", fund=fund_ich).near(
        "special-fund-off-purpose", "专项资金支付允许的专用材料费", "Special fund paying an allowed class")
    pb.add(date(2019, 8, 13), "赴上海参加文旅博览会差旅费", "差旅费", 3120.0, "袁博", issuer=None, invoice=None,
           handler="袁博").near("special-fund-off-purpose", "基本支出列支的差旅费，不属专项资金",
                                "Travel paid from the ordinary budget: not a special fund")
    styled = [p for p in pb.items if not p.plants and not p.nears and p.contract_no is None]
    for p, st in zip(rng.sample(styled, 6), [{"amount": "comma"}, {"amount": "yen"}, {"date": "cn"},
                                               {"date": "slash"}, {"date": "dot"}, {"date": "compact"}]):
        p.style = st
    u.payments = pb.items

    R = lambda *a, **k: Reception(UNIT_B, *a, **k)  # noqa: E731
    guests = [("株洲市文化旅游广电体育局", "株洲市"), ("湘潭市文化旅游广电体育局", "湘潭市"),
              ("益阳市文化馆", "益阳市"), ("邵阳市非遗保护中心", "邵阳市")]
    for m in (3, 5, 6, 9, 11):
        unit_, loc_ = rng.choice(guests)
        g, c = rng.randint(2, 8), rng.randint(1, 3)
        u.receptions.append(R(month_days(rng, m), unit_, loc_, g, c, float(rng.randint(70, 130) * (g + c)), True))
    u.receptions.append(R(date(2019, 10, 17), "长沙市岳麓区文化馆", "长沙市岳麓区", 3, 2, 600.0, False).plant(
        "reception-same-city", "接待同城长沙市岳麓区文化馆来访人员用餐", "Official meal for guests from 长沙市岳麓区 (same city)"))
    u.receptions.sort(key=lambda r: r.date)
    # A bad cell on purpose, last in date order: 来访人数 typed -2. Believed, 600 for 1 diner is
    # over the limit; a negative count is unreadable, so no per-head finding.
    u.receptions.append(R(date(2019, 12, 5), "益阳市文化馆", "益阳市", -2, 3, 600.0, True).bad_cell(
        "guest_count", None, CHECK_READABLE, would="meal-reception-per-head",
        zh="来访人数填为-2，无法识别，不计算人均（列入数据质量问题）",
        en="Guest count typed -2: unreadable, per head not computed (a data-quality issue)"))
    O = lambda *a, **k: OvertimeMeal(UNIT_B, *a, **k)  # noqa: E731
    for m in (1, 4, 6, 9, 12):
        n = rng.randint(5, 15)
        u.overtime_meals.append(O(month_days(rng, m), rng.choice(["布展加班", "春节文化活动筹备", "年度决算"]), n, n,
                                  float(n * rng.randint(15, 30)), "罗佳"))

    n_asset = iter(range(1, 100))
    users = ["罗佳", "曾红", "邓琳", "唐亮", "蒋雯", "袁博", "谢婷", "贺强", "龙艳"]
    depts = {s[0]: s[1] for s in STAFF_B}

    def asset(name, cat, model, price, acq, booked, user, *, qty=1):
        a = Asset(UNIT_B, f"WL-{next(n_asset):04d}", name, cat, model, float(price), qty, acq, booked, user,
                  depts.get(user, "办公室"))
        u.assets.append(a)
        return a

    for i in range(6):
        acq = date(2019, rng.randint(1, 11), rng.randint(1, 20))
        asset("台式计算机", "台式计算机", "联想启天M430", rng.randrange(4000, 4990, 10), acq,
              acq + timedelta(days=rng.randint(2, 25)), users[i])
    asset("多功能一体机", "多功能一体机", "兄弟DCP-7195", 2680, date(2019, 3, 4), date(2019, 3, 12), "罗佳", qty=2)
    asset("数码复印机", "复印机", "佳能iR-ADV C5535", 38500, date(2019, 5, 22), date(2019, 6, 3), "罗佳").plant(
        "asset-unit-price-over-limit", "复印机单价38,500元，超过35,000元配置标准", "Copier at 38,500 over the 35,000 limit")
    asset("笔记本电脑", "便携式计算机", "联想ThinkPad T490", 7600, date(2019, 8, 8), date(2019, 8, 20), "彭勇").plant(
        "asset-unit-price-over-limit", "便携式计算机单价7,600元，超过7,000元标准（本单位无更高批复）",
        "Laptop at 7,600 over the 7,000 limit (no higher limit of its own)")
    asset("笔记本电脑", "便携式计算机", "华为MateBook 14", 6900, date(2019, 8, 8), date(2019, 8, 20), "谭晓燕").near(
        "asset-unit-price-over-limit", "便携式计算机6,900元，未超7,000元", "Laptop at 6,900 under the limit")
    asset("机架式服务器", "服务器", "华为2288H V5", 45000, date(2019, 9, 2), date(2019, 9, 16), "贺强").near(
        "asset-unit-price-over-limit", "服务器无配置限额", "Server: no limit for the category")

    chiefs = "欧阳明、谭晓燕、彭勇、罗佳、曾红、唐亮、袁博、贺强、龙艳"
    meetings: list[Meeting] = []
    k_office = k_branch = 0
    for m in range(1, 13):
        k_office += 1
        meetings.append(Meeting(UNIT_B, month_days(rng, m, 2, 8), f"2019年第{k_office}次主任办公会", "主任办公会",
                                "欧阳明", "罗佳", "欧阳明、谭晓燕、彭勇、罗佳、曾红", 5, 5, 5))
        if m not in (4, 8):  # no study session in April and August
            k_branch += 1
            meetings.append(Meeting(UNIT_B, month_days(rng, m, 12, 18), f"党总支理论学习中心组2019年第{k_branch}次学习",
                                    "党总支理论学习中心组学习", "欧阳明", "蒋雯", chiefs, 9, 9, 9))
        if m in (3, 7, 11):
            meetings.append(Meeting(UNIT_B, month_days(rng, m, 22, 27), f"{m}月党总支委员会会议", "党总支委员会",
                                    "欧阳明", "罗佳", "欧阳明、谭晓燕、彭勇、唐亮、贺强", 5, 5, 5))
    meetings.sort(key=lambda x: x.date)
    for gap in (4, 8):
        start = date(2019, gap, 1)
        last = max((x for x in meetings if x.date < start), key=lambda x: x.date)
        assert sum(1 for x in meetings if x.date == last.date) == 1
        last.plant("study-session-gap", f"{gap}月未开展中心组学习（定位于缺月前最后一次会议）",
                   f"No study session in month {gap} (located at the last meeting before the gap)")
    office_june = next(x for x in meetings if x.date.month == 6 and x.kind == "主任办公会")
    office_june.host = None
    office_june.plant("meeting-record-incomplete", "主任办公会记录未填主持人", "Office meeting minutes without a host")
    study_oct = next(x for x in meetings if x.date.month == 10 and "中心组" in x.kind)
    study_oct.present = study_oct.signed_in = 10
    study_oct.plant("meeting-attendance-mismatch", "中心组学习应到9人、实到10人，实到多于应到",
                    "Study session: 10 present of 9 expected")
    u.meetings = meetings

    def decision_for(c: Contract) -> None:
        before = [x for x in meetings if x.kind == "主任办公会" and x.date < c.sign_date]
        mt = before[-1] if before else None
        u.decisions.append(Decision(UNIT_B, mt.date if mt else c.sign_date - timedelta(days=7),
                                    mt.name if mt else "2018年第12次主任办公会", f"研究{c.name}事项", c.amount,
                                    c.contract_no, "同意"))

    for c in u.contracts:
        if c.amount >= MAJOR_AMOUNT and c is not d1:
            decision_for(c)
    u.decisions.sort(key=lambda x: x.date)
    return u


# ---------------------------------------------------------------------------------------------
# The oracle: re-derive every rule of docs/default-ruleset.md from the records.
# ---------------------------------------------------------------------------------------------

def _norm_invoice(s: str | None) -> str | None:
    if not s:
        return None
    digits = re.sub(r"^[A-Za-z]+[.:：]?", "", s.strip())
    digits = re.sub(r"[\s\-_.,:：]", "", digits).lstrip("0")
    return digits or None


def _norm_name(s: str | None) -> str | None:
    if s is None:
        return None
    return re.sub(r"\s+", "", s.replace("（", "(").replace("）", ")"))


def _working_days(a: date, b: date) -> int:
    """Working days of an ordinary calendar (the samples avoid holidays; see the appointments)."""
    return sum(1 for i in range((b - a).days + 1) if (a + timedelta(days=i)).weekday() < 5)


def oracle(units: list[UnitData], trust_bad: bool = False) -> set[tuple[str, Record]]:
    """(rule_id, primary record) of every finding the default ruleset should produce.

    A rule sees a record only when none of the fields it needs is a bad cell (the engine leaves
    such rows out of that rule); `trust_bad=True` believes the bad cells instead, to prove that
    each planted bad cell sits on a row that would otherwise trip its rule.
    """
    out: set = set()
    add = lambda rule, rec: out.add((rule, id(rec)))  # noqa: E731

    def seen(recs: list, *fields: str) -> list:
        return recs if trust_bad else [r for r in recs if not r.bad_fields & set(fields)]

    all_pay = [p for u in units for p in u.payments]
    groups = defaultdict(list)
    for p in seen(all_pay, "invoice_no", "amount"):
        key = _norm_invoice(p.invoice_no)
        if key:
            groups[(key, round(p.amount, 2))].append(p)
    for g in groups.values():
        if len(g) > 1:
            add("duplicate-payment", max(g, key=lambda p: p.date))
    for u in units:
        staff_status = {s.name: s.status for s in u.staff}
        funds = {f.fund: f for f in u.special_funds}
        decided = {d.contract_no for d in u.decisions if d.contract_no}
        own_limits = {p.category: p.limit for p in u.price_limits}
        for r in seen(u.receptions, "amount", "guest_count", "companion_count"):
            if r.guest_count is not None and r.companion_count is not None and \
                    r.guest_count + r.companion_count > 0 and \
                    r.amount / (r.guest_count + r.companion_count) > MEAL_LIMIT:
                add("meal-reception-per-head", r)
        for r in seen(u.receptions, "guest_location"):
            if r.guest_location and LOCAL_CITY in r.guest_location:
                add("reception-same-city", r)
        for o in seen(u.overtime_meals, "amount", "actual_count"):
            if o.amount / o.actual_count > OVERTIME_LIMIT:
                add("meal-overtime-per-head", o)
        for o in seen(u.overtime_meals, "applied_count", "actual_count"):
            if o.applied_count != o.actual_count:
                add("overtime-headcount-mismatch", o)
        paid = defaultdict(float)
        for p in seen(u.payments, "contract_no", "amount"):
            if p.contract_no:
                paid[p.contract_no] += p.amount
        for c in seen(u.contracts, "contract_no", "amount"):
            if round(paid.get(c.contract_no, 0), 2) > round(c.amount, 2):
                add("payment-over-contract", c)
        for c in seen(u.contracts, "sign_date", "signed", "sealed"):
            if c.sign_date is None or not c.signed or not c.sealed:
                add("contract-missing-elements", c)
        for c in seen(u.contracts, "sign_date", "start_date", "acceptance_date"):
            if c.sign_date and ((c.start_date and c.sign_date > c.start_date) or
                                (c.acceptance_date and c.sign_date > c.acceptance_date)):
                add("contract-signed-late", c)
        for c in seen(u.contracts, "prepay_ratio"):
            if c.prepay_ratio is not None and c.prepay_ratio > PREPAY_LIMIT:
                add("contract-prepay-ratio", c)
        for c in seen(u.contracts, "amount", "contract_no"):
            if c.amount >= MAJOR_AMOUNT and c.contract_no not in decided:
                add("collective-decision-missing", c)
        by_person = defaultdict(list)
        for s in seen(u.staff, "name", "title"):
            if s.name and s.title:
                by_person[_norm_name(s.name)].append(s)
        for recs in by_person.values():  # primary: the person's first roster row holding a post
            held = [(a, b) for a, b in INCOMPATIBLE_POSTS
                    if any(a in s.title for s in recs) and any(b in s.title for s in recs)]
            if held:
                posts = {w for pair in held for w in pair}
                add("segregation-incompatible-posts", next(s for s in recs if any(w in s.title for w in posts)))
        for a in u.assets:
            limit = own_limits.get(a.category, PRICE_LIMITS.get(a.category))
            if limit is not None and a.unit_price > limit:
                add("asset-unit-price-over-limit", a)
            if a.booked_date > a.acquired_date + timedelta(days=BOOKING_DAYS):
                add("asset-booked-late", a)
            if staff_status.get(a.user) in DEPARTED:
                add("asset-user-departed", a)
        for p in u.payments:
            if p.econ_class in DESIGNATED and not any(
                    s.name == p.payee and s.category == p.econ_class and s.valid_from <= p.date <= s.valid_to
                    for s in u.suppliers):
                add("non-designated-supplier", p)
            f = funds.get(p.fund_source)
            if f and (p.econ_class not in f.allowed_classes or any(w in p.summary for w in EXCLUDED_FUND_WORDS)
                      or any(int(y) < f.year for y in re.findall(r"(\d{4})年", p.summary))):
                add("special-fund-off-purpose", p)
            if p.invoice_issuer and _norm_name(p.payee) != _norm_name(p.invoice_issuer):
                add("payee-invoice-mismatch", p)
            if any(w in p.summary for w in REVIEW_FEE_WORDS) and staff_status.get(p.payee) == "在职":
                add("staff-paid-review-fee", p)
            if any(w in p.summary for w in PROHIBITED_WORDS):
                add("prohibited-expense", p)
            if p.approver and _norm_name(p.handler) == _norm_name(p.approver):
                add("segregation-handler-approver", p)
        for m in u.meetings:
            if not (m.date and m.name and m.attendees and m.recorder and m.host):
                add("meeting-record-incomplete", m)
            if m.present > m.expected or m.signed_in != m.present:
                add("meeting-attendance-mismatch", m)
        for ap in u.appointments:
            if _working_days(ap.start, ap.end) < 5:
                add("publicity-period-short", ap)
        if u.meetings:
            first = min(m.date for m in u.meetings)
            last = max(m.date for m in u.meetings)
            studied = {(m.date.year, m.date.month) for m in u.meetings if "中心组学习" in m.kind}
            y, mo = first.year, first.month
            while (y, mo) <= (last.year, last.month):
                if (y, mo) not in studied:
                    start = date(y, mo, 1)
                    add("study-session-gap", max((m for m in u.meetings if m.date < start), key=lambda m: m.date))
                y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


def all_records(u: UnitData) -> list[Record]:
    return [r for name in ("payments", "receptions", "overtime_meals", "contracts", "assets", "price_limits",
                           "special_funds", "staff", "suppliers", "decisions", "meetings", "appointments")
            for r in getattr(u, name)]


def check_plants(units: list[UnitData]) -> None:
    """Refuse to write samples whose findings differ from what was planted, or whose bad cells
    sit on rows that would not trip their rule if believed (the exclusion would prove nothing)."""
    expected = oracle(units)
    by_id = {id(r): r for u in units for r in all_records(u)}
    would = {(rule, id(r)) for u in units for r in all_records(u) for rule in r.would}
    believed = oracle(units, trust_bad=True) - expected
    assert believed == would, (f"bad cells that would trip a rule: {sorted(believed)}; "
                               f"declared: {sorted(would)}")
    planted = {(rule, id(r)) for u in units for r in all_records(u) for rule, _, _ in r.plants}
    if expected != planted:
        def show(s):
            return sorted((rule, type(by_id[i]).__name__, getattr(by_id[i], "summary", None) or
                           getattr(by_id[i], "name", None) or str(by_id[i])[:80]) for rule, i in s)
        raise AssertionError(f"unplanted findings: {show(expected - planted)}\nplanted but not found: "
                             f"{show(planted - expected)}")
    rules_planted = {rule for rule, _ in planted}
    missing = set(RULE_CATEGORIES) - rules_planted
    assert not missing, f"rules without a planted finding: {missing}"
    rules_near = {rule for u in units for r in all_records(u) for rule, _, _ in r.nears}
    assert not set(RULE_CATEGORIES) - rules_near, f"rules without a near miss: {set(RULE_CATEGORIES) - rules_near}"


# ---------------------------------------------------------------------------------------------
# Writing each unit's workbooks.
# ---------------------------------------------------------------------------------------------

def st(rec: Record, key: str, default: str) -> str:
    return rec.style.get(key, default)


def payment_cols(headers: dict[str, str]) -> list[Col]:
    h = headers
    return [
        Col("date", h["date"], lambda p: typed_date(p.date, st(p, "date", "excel")), width=12),
        Col("voucher_no", h["voucher_no"], width=11),
        Col("summary", h["summary"], width=34),
        Col("econ_class", h["econ_class"], width=16),
        Col("amount", h["amount"], lambda p: typed_amount(p.amount, st(p, "amount", "number")), width=14),
        Col("payee", h["payee"], width=30),
        Col("invoice_issuer", h["invoice_issuer"], width=30),
        Col("invoice_no", h["invoice_no"], width=13),
        Col("contract_no", h["contract_no"], width=15),
        Col("fund_source", h["fund_source"], width=26),
        Col("handler", h["handler"], width=8),
        Col("approver", h["approver"], width=8),
    ]


def assign_vouchers(payments: list[Payment]) -> list[Payment]:
    payments.sort(key=lambda p: p.date)
    seq = defaultdict(int)
    for p in payments:
        seq[p.date.month] += 1
        p.voucher_no = f"记-{p.date.month:02d}-{seq[p.date.month]:03d}"
    return payments


def amount_sum(items: list) -> float:
    """What the clerk's SUM() shows: an amount typed as text (待定) counts for nothing."""
    return round(sum(p.amount for p in items if "amount" not in p.bad_fields), 2)


def with_month_subtotals(payments: list[Payment], total_label_field: str = "summary") -> list:
    rows: list = []
    for m in sorted({p.date.month for p in payments}):
        month = [p for p in payments if p.date.month == m]
        rows += month
        rows.append(Marker("subtotal", {total_label_field: f"{m}月小计", "amount": amount_sum(month)}))
    rows.append(Marker("total", {"_seq": "合计", "amount": amount_sum(payments)}))
    return rows


def with_blank_rows(items: list, every: int) -> list:
    rows: list = []
    for i, p in enumerate(items, start=1):
        rows.append(p)
        if i % every == 0 and i < len(items):
            rows.append(Marker("blank"))
    return rows


def write_unit_a(u: UnitData, root: Path, reg: Registry) -> None:
    d = root / UNIT_A
    note = f"编制单位：{UNIT_A}        单位：元"

    wb = new_book()
    pays = assign_vouchers(u.payments)
    heads = {"date": "日期", "voucher_no": "凭证号", "summary": "摘要", "econ_class": "经济分类", "amount": "金额（元）",
             "payee": "收款单位", "invoice_issuer": "发票开具单位", "invoice_no": "发票号码", "contract_no": "合同编号",
             "fund_source": "资金来源", "handler": "经办人", "approver": "审核人"}
    for sheet, months in (("2019年上半年", range(1, 7)), ("2019年下半年", range(7, 13))):
        part = [p for p in pays if p.date.month in months]
        write_sheet(wb.create_sheet(sheet), reg, f"{UNIT_A}/付款明细-2019.xlsx",
                    title=f"{UNIT_A}2019年付款明细账", note=note, cols=payment_cols(heads),
                    rows=with_month_subtotals(part))
    save_stable(wb, d / "付款明细-2019.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/合同台账.xlsx"
    wan = [c for c in u.contracts if c.contract_no.startswith("CSKJ-2019")]
    yuan = [c for c in u.contracts if c.contract_no.startswith("CSKJ-2018")]
    write_sheet(wb.create_sheet("2019年合同"), reg, file, title=f"{UNIT_A}2019年合同台账", note="单位：万元", cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=28), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额(万元)", lambda c: c.amount / 10000, fmt="0.00", width=12),
        Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date, st(c, "sign_date", "excel"))),
        Col("signed", "签字", lambda c: typed_bool(c.signed, "check"), parent="合同要素", width=8),
        Col("sealed", "盖章", lambda c: typed_bool(c.sealed, "seal"), parent="合同要素", width=9),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date, st(c, "start_date", "excel"))),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date, "excel")),
        Col("prepay_ratio", "预付比例", lambda c: typed_ratio(c.prepay_ratio), width=9),
        Col("prepay_days", "预付期限（天）", width=10),
    ], rows=wan)
    write_sheet(wb.create_sheet("2018年续签合同"), reg, file, title=f"{UNIT_A}跨年度合同台账", note=note, cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=24), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额（元）", width=14), Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date)),
        Col("signed", "签字", lambda c: typed_bool(c.signed, "shi")), Col("sealed", "盖章", lambda c: typed_bool(c.sealed, "shi")),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date)),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date)),
    ], rows=yuan)
    save_stable(wb, d / "合同台账.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/固定资产卡片.xlsx"
    write_sheet(wb.create_sheet("资产卡片"), reg, file, title=f"{UNIT_A}固定资产卡片明细表", note=note, cols=[
        Col("asset_no", "资产编号", width=10), Col("name", "资产名称", width=18), Col("category", "资产分类", width=14),
        Col("model", "规格型号", width=18), Col("unit_price", "单价", width=11), Col("quantity", "数量", width=6),
        Col("acquired_date", "取得日期", lambda a: typed_date(a.acquired_date, st(a, "acquired_date", "excel"))),
        Col("booked_date", "入账日期", lambda a: typed_date(a.booked_date)),
        Col("user", "使用人", width=9), Col("department", "使用部门", width=12),
    ], rows=u.assets)
    write_sheet(wb.create_sheet("配置限额"), reg, file, title=f"{UNIT_A}通用办公设备配置限额（本单位批复）", note=note, cols=[
        Col("category", "品目名称", width=16), Col("limit", "单价上限（元）", width=14), Col("basis", "依据", width=30),
    ], rows=u.price_limits)
    save_stable(wb, d / "固定资产卡片.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/人员名册.xlsx"
    staff_cols = [Col("name", "姓名", width=9), Col("department", "部门", width=12), Col("title", "职务", width=12),
                  Col("status", "人员状态", width=9), Col("left_date", "调离（退休）日期", lambda s: typed_date(s.left_date), width=14)]
    write_sheet(wb.create_sheet("在职人员"), reg, file, title=f"{UNIT_A}在职人员名册", note=None, cols=staff_cols,
                rows=[s for s in u.staff if s.status == "在职"])
    write_sheet(wb.create_sheet("离退休及调离人员"), reg, file, title=f"{UNIT_A}离退休及调离人员名册", note=None,
                cols=staff_cols, rows=[s for s in u.staff if s.status != "在职"])
    write_sheet(wb.create_sheet("任前公示"), reg, file, title=f"{UNIT_A}2019年干部任前公示登记", note=None, cols=[
        Col("name", "姓名", width=9), Col("post", "拟任职务", width=18),
        Col("start", "公示开始日期", lambda a: typed_date(a.start, st(a, "start", "excel")), width=14),
        Col("end", "公示结束日期", lambda a: typed_date(a.end, st(a, "end", "excel")), width=14),
    ], rows=u.appointments)
    save_stable(wb, d / "人员名册.xlsx")

    wb = new_book()
    file = f"{UNIT_A}/会议记录.xlsx"
    mcols = meeting_cols()
    write_sheet(wb.create_sheet("党组会议"), reg, file, title=f"{UNIT_A}2019年党组会议记录登记", note=None, cols=mcols,
                rows=[m for m in u.meetings if m.kind == "党组会议"])
    write_sheet(wb.create_sheet("中心组学习"), reg, file, title=f"{UNIT_A}党组理论学习中心组2019年学习登记", note=None,
                cols=mcols, rows=[m for m in u.meetings if m.kind != "党组会议"])
    write_sheet(wb.create_sheet("三重一大决策"), reg, file, title=f"{UNIT_A}2019年\u201c三重一大\u201d事项集体决策记录",
                note=None, cols=decision_cols(), rows=u.decisions)
    save_stable(wb, d / "会议记录.xlsx")

    wb = new_book()
    rec = u.receptions
    write_sheet(wb.create_sheet("2019年"), reg, f"{UNIT_A}/公务接待登记.xlsx", title=f"{UNIT_A}2019年公务接待登记表",
                note=note, cols=[
                    Col("date", "接待日期", lambda r: typed_date(r.date)), Col("guest_unit", "来访单位", width=24),
                    Col("guest_location", "来访单位所在地", width=14), Col("guest_count", "接待对象\n人数", width=9),
                    Col("companion_count", "陪同人数", width=9), Col("amount", "用餐金额（元）", width=12),
                    Col("letter", "公函", lambda r: typed_bool(r.letter, "you"), width=6)],
                rows=rec + [Marker("total", {"_seq": "合计", "amount": round(sum(r.amount for r in rec), 2)})])
    save_stable(wb, d / "公务接待登记.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("2019年专项"), reg, f"{UNIT_A}/专项资金批复.xlsx", title=f"{UNIT_A}2019年专项资金批复情况",
                note=note, cols=special_fund_cols("允许支出经济分类"), rows=u.special_funds)
    save_stable(wb, d / "专项资金批复.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("定点供应商"), reg, f"{UNIT_A}/定点供应商名录.xlsx",
                title=f"{UNIT_A}定点（协议）供应商名录", note=None, cols=[
                    Col("name", "供应商名称", width=40), Col("category", "采购品目", width=20),
                    Col("valid_from", "有效期起", lambda s: typed_date(s.valid_from)),
                    Col("valid_to", "有效期止", lambda s: typed_date(s.valid_to))], rows=u.suppliers)
    save_stable(wb, d / "定点供应商名录.xlsx")

    ot = u.overtime_meals
    write_csv(d / "加班用餐登记.csv", reg, f"{UNIT_A}/加班用餐登记.csv", encoding="gb18030",
              headers=["用餐日期", "加班事由", "申请人数", "实际就餐人数", "金额", "审批人"],
              cols=[("date", lambda o: typed_date(o.date, st(o, "date", "iso"))), ("reason", lambda o: o.reason),
                    ("applied_count", lambda o: o.applied_count), ("actual_count", lambda o: o.actual_count),
                    ("amount", lambda o: typed_amount(o.amount, st(o, "amount", "plain"))),
                    ("approver", lambda o: o.approver)],
              rows=ot + [Marker("total", {"date": "合计", "amount": f"{sum(o.amount for o in ot):.2f}"})])


def meeting_cols() -> list[Col]:
    return [Col("date", "会议日期", lambda m: typed_date(m.date)), Col("name", "会议名称", width=40),
            Col("kind", "会议类型", width=22), Col("host", "主持人", width=8), Col("recorder", "记录人", width=8),
            Col("attendees", "参会人员", width=40), Col("expected", "应到人数", width=8),
            Col("present", "实到人数", width=8), Col("signed_in", "签到人数", width=8)]


def decision_cols() -> list[Col]:
    return [Col("date", "会议日期", lambda x: typed_date(x.date)), Col("meeting", "会议名称", width=22),
            Col("topic", "议题", width=44), Col("amount", "涉及金额（元）", width=14),
            Col("contract_no", "关联合同编号", width=15), Col("result", "决策结果", width=9)]


def special_fund_cols(classes_header: str) -> list[Col]:
    return [Col("fund", "专项名称", width=30), Col("year", "年度", width=7), Col("approved_amount", "批复金额", width=13),
            Col("allowed_classes", classes_header, lambda f: "、".join(f.allowed_classes), width=36),
            Col("purpose", "用途", width=28), Col("doc_no", "批复文号", width=22)]


def write_unit_b(u: UnitData, root: Path, reg: Registry) -> None:
    d = root / UNIT_B
    note = f"编制单位：{UNIT_B}        单位：元"

    wb = new_book()
    pays = assign_vouchers(u.payments)
    march = [p for p in pays if p.date.month == 3]
    march[2].voucher_no = march[1].voucher_no  # a voucher number typed twice (quality: unique)
    heads = {"date": "付款日期", "voucher_no": "凭证号", "summary": "摘要", "econ_class": "经济分类科目", "amount": "付款金额",
             "payee": "收款单位", "invoice_issuer": "发票开具\n单位", "invoice_no": "发票号", "contract_no": "合同编号",
             "fund_source": "资金来源", "handler": "经办人", "approver": "审核人"}
    for sheet, months in (("1-6月", range(1, 7)), ("7-12月", range(7, 13))):
        part = [p for p in pays if p.date.month in months]
        total = Marker("total", {"_seq": "合计", "amount": amount_sum(part)})
        if sheet == "7-12月":  # the clerk typed 合计 by hand and slipped a digit (quality: totals)
            total.values["amount"] = round(total.values["amount"] + 900.0, 2)
            total.bad_checks["amount"] = CHECK_TOTALS
        rows = with_blank_rows(part, 25) + [total]
        write_sheet(wb.create_sheet(sheet), reg, f"{UNIT_B}/付款明细-2019.xlsx", title=f"{UNIT_B}2019年支出明细表",
                    note=note, cols=payment_cols(heads), rows=rows)
    save_stable(wb, d / "付款明细-2019.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("合同台账"), reg, f"{UNIT_B}/合同台账.xlsx", title=f"{UNIT_B}合同管理台账", note=note, cols=[
        Col("contract_no", "合同编号", width=15), Col("name", "合同名称", width=24), Col("counterparty", "合同相对方", width=28),
        Col("amount", "合同金额（元）", width=14),
        Col("sign_date", "签订日期", lambda c: typed_date(c.sign_date, st(c, "sign_date", "excel"))),
        Col("signed", "是否签字", lambda c: typed_bool(c.signed, "shi")), Col("sealed", "是否盖章", lambda c: typed_bool(c.sealed, "shi")),
        Col("start_date", "履行开始日期", lambda c: typed_date(c.start_date)),
        Col("acceptance_date", "验收日期", lambda c: typed_date(c.acceptance_date, st(c, "acceptance_date", "excel"))),
        Col("prepay_ratio", "预付比例", lambda c: c.prepay_ratio, fmt="0%"),
    ], rows=u.contracts)
    save_stable(wb, d / "合同台账.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("固定资产明细"), reg, f"{UNIT_B}/固定资产卡片.xlsx", title=f"{UNIT_B}固定资产明细账",
                note=note, cols=[
                    Col("asset_no", "资产编号", width=10), Col("name", "资产名称", width=16), Col("category", "资产类别", width=14),
                    Col("model", "规格型号", width=18), Col("unit_price", "单价", width=11), Col("quantity", "数量", width=6),
                    Col("acquired_date", "购置日期", lambda a: typed_date(a.acquired_date)),
                    Col("booked_date", "入账日期", lambda a: typed_date(a.booked_date)),
                    Col("user", "保管人", width=9), Col("department", "使用部门", width=12)], rows=u.assets)
    save_stable(wb, d / "固定资产卡片.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("2019年人员名册"), reg, f"{UNIT_B}/人员名册.xlsx", title=f"{UNIT_B}2019年人员名册",
                note=None, cols=[
                    Col("name", "姓名", width=9), Col("department", "部门", width=12), Col("title", "岗位", width=12),
                    Col("status", "在职状态", width=9), Col("left_date", "离职日期", lambda s: typed_date(s.left_date))],
                rows=u.staff)
    save_stable(wb, d / "人员名册.xlsx")

    wb = new_book()
    file = f"{UNIT_B}/会议记录.xlsx"
    write_sheet(wb.create_sheet("2019年会议记录"), reg, file, title=f"{UNIT_B}2019年会议记录登记簿", note=None,
                cols=meeting_cols(), rows=u.meetings)
    write_sheet(wb.create_sheet("三重一大"), reg, file, title=f"{UNIT_B}\u201c三重一大\u201d集体决策事项登记", note=None,
                cols=decision_cols(), rows=u.decisions)
    save_stable(wb, d / "会议记录.xlsx")

    wb = new_book()
    file = f"{UNIT_B}/公务接待及加班用餐登记.xlsx"
    write_sheet(wb.create_sheet("公务接待"), reg, file, title=f"{UNIT_B}2019年公务接待登记", note=note, cols=[
        Col("date", "接待日期", lambda r: typed_date(r.date)), Col("guest_unit", "来访单位", width=24),
        Col("guest_location", "来访单位所在地", width=14), Col("guest_count", "来访人数", width=9),
        Col("companion_count", "陪餐人数", width=9), Col("amount", "餐费", width=10),
        Col("letter", "派出单位公函", lambda r: typed_bool(r.letter, "check"), width=8)], rows=u.receptions)
    write_sheet(wb.create_sheet("加班用餐"), reg, file, title=f"{UNIT_B}2019年加班用餐登记", note=note, cols=[
        Col("date", "用餐日期", lambda o: typed_date(o.date)), Col("reason", "加班事由", width=20),
        Col("applied_count", "申请人数", width=9), Col("actual_count", "实际就餐人数", width=9),
        Col("amount", "金额（元）", width=10), Col("approver", "审批人", width=8)], rows=u.overtime_meals)
    save_stable(wb, d / "公务接待及加班用餐登记.xlsx")

    wb = new_book()
    write_sheet(wb.create_sheet("专项资金"), reg, f"{UNIT_B}/专项资金批复.xlsx", title=f"{UNIT_B}2019年专项资金批复",
                note=note, cols=special_fund_cols("支出范围"), rows=u.special_funds)
    save_stable(wb, d / "专项资金批复.xlsx")

    write_csv(d / "定点供应商名录.csv", reg, f"{UNIT_B}/定点供应商名录.csv", encoding="utf-8-sig",
              title=f"{UNIT_B}定点（协议）供应商名录",
              headers=["序号", "供应商名称", "服务类别", "有效期起", "有效期止"],
              cols=[("seq", lambda s: u.suppliers.index(s) + 1), ("name", lambda s: s.name),
                    ("category", lambda s: s.category), ("valid_from", lambda s: s.valid_from.isoformat()),
                    ("valid_to", lambda s: s.valid_to.isoformat())],
              rows=u.suppliers)


# ---------------------------------------------------------------------------------------------
# Answer key and planted.md
# ---------------------------------------------------------------------------------------------

def write_answer_key(reg: Registry, root: Path) -> list[dict]:
    rows = []
    for rec in reg.records:
        for rule, _, _ in rec.plants:
            file, sheet, row = rec.loc
            rows.append({"file": file, "sheet": sheet, "row": row, "category": RULE_CATEGORIES[rule], "rule_id": rule})
    order = list(RULE_CATEGORIES)
    rows.sort(key=lambda r: (order.index(r["rule_id"]), r["file"], r["sheet"], r["row"]))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["file", "sheet", "row", "category", "rule_id"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (root / "answer_key.csv").write_text(buf.getvalue(), encoding="utf-8")
    return rows


def write_quality_key(reg: Registry, root: Path) -> list[dict]:
    """quality_key.csv: one line per cell the data-quality gate must report as failing."""
    rows = sorted({(q["file"], q["sheet"], q["row"], q["field"], q["check"]) for q in reg.quality})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "sheet", "row", "field", "check"])
    w.writerows(rows)
    (root / "quality_key.csv").write_text(buf.getvalue(), encoding="utf-8")
    return [dict(zip(("file", "sheet", "row", "field", "check"), r)) for r in rows]


def _quality_line(q: dict) -> str:
    file, sheet, row = q["file"], q["sheet"], q["row"]
    where = f"{file} · {sheet} · {row}" if sheet else f"{file} · 行 {row}"
    value = "（空）" if q["value"] in (None, "") else f"“{q['value']}”"
    return f"- `{q['field']}` {value}: {q['check']} — `{where}`"


def write_planted_md(reg: Registry, root: Path) -> None:
    lines = ["# 样例台账埋设的问题与\u201c近似但不应报\u201d的对照 / Planted findings and near misses", "",
             "由 `generate.py` 生成，请勿手改。位置为 `文件 · 工作表 · 行`（CSV 为行号，表头行 = 1）。",
             "Generated by `generate.py`; do not edit. Location is `file · sheet · row` (CSV: line, header = 1).", ""]
    for rule in RULE_CATEGORIES:
        lines.append(f"## `{rule}` ({RULE_CATEGORIES[rule]})")
        lines.append("")
        for tag, attr in (("应报 / planted", "plants"), ("不应报 / near miss", "nears")):
            for rec in reg.records:
                for r, zh, en in getattr(rec, attr):
                    if r == rule:
                        file, sheet, row = rec.loc
                        where = f"{file} · {sheet} · {row}" if sheet else f"{file} · 行 {row}"
                        lines.append(f"- {tag}: {zh} / {en} — `{where}`")
        lines.append("")
    lines += ["## 数据质量 / Data quality (`quality_key.csv`)", "",
              "数据质量检查应报告的单元格（含故意写错的单元格；无法识别的值不作为任何疑点的依据）。",
              "Cells the data-quality gate must report (bad cells planted on purpose; no finding rests on an "
              "unreadable value).", ""]
    ordered = sorted(reg.quality, key=lambda q: (q["file"], q["sheet"], q["row"], q["field"], q["check"]))
    lines += [_quality_line(q) for q in ordered] + [""]
    (root / "planted.md").write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Other-synonym fixtures: one workbook per kind, headers taken from the synonyms of kinds.yaml.
# ---------------------------------------------------------------------------------------------

SAMPLE_TEXT = {
    "summary": ["购买办公用品", "印制宣传册", "支付物业费"], "econ_class": ["办公费", "印刷费", "物业管理费"],
    "payee": ["长沙恒信办公用品有限公司", "长沙彩虹印刷有限公司", "长沙华远物业管理有限公司"],
    "invoice_issuer": ["长沙恒信办公用品有限公司", "长沙彩虹印刷有限公司", "长沙华远物业管理有限公司"],
    "fund_source": ["基本支出", "2019年科普宣传专项", "基本支出"], "handler": ["周婷", "陈晨", "杨帆"],
    "approver": ["胡静", "王志刚", "胡静"], "guest_unit": ["株洲市科学技术局", "湘潭市科学技术局", "岳阳市科学技术局"],
    "guest_location": ["株洲市", "湘潭市", "岳阳市"], "reason": ["编制预算", "年终决算", "项目评审准备"],
    "name": ["张三", "李四", "王五"], "counterparty": ["湖南智联信息技术有限公司", "长沙光影传媒有限公司", "湖南数智科技有限公司"],
    "category": ["台式计算机", "便携式计算机", "复印机"], "model": ["联想M420", "ThinkPad X1", "理光MP3055"],
    "user": ["周婷", "陈晨", "杨帆"], "department": ["办公室", "科技项目科", "财务室"],
    "fund": ["2019年科技创新引导专项", "2019年科普宣传专项", "2019年非遗保护专项"],
    "purpose": ["科技服务", "科普宣传", "非遗保护"], "title": ["科员", "科长", "副局长"],
    "status": ["在职", "调离", "退休"], "meeting": ["第1次党组会议", "第2次党组会议", "第3次党组会议"],
    "topic": ["审议信息平台项目", "审议预算方案", "审议家具采购"], "result": ["同意", "同意", "暂缓"],
    "kind": ["党组会议", "中心组学习", "党组会议"], "host": ["李建华", "李建华", "王志刚"],
    "recorder": ["张敏", "周婷", "张敏"], "attendees": ["李建华、王志刚、刘芳", "李建华、张敏", "王志刚、刘芳"],
    "post": ["科技项目科副科长", "办公室副主任", "财务室主任"],
}
KIND_NAME_TEXT = {("contracts", "name"): ["信息平台升级", "视频制作", "数据库建设"],
                  ("assets", "name"): ["台式计算机", "笔记本电脑", "复印机"],
                  ("suppliers", "name"): ["长沙彩虹印刷有限公司", "长沙顺达汽车维修服务有限公司", "湖南星辰印务有限公司"],
                  ("suppliers", "category"): ["印刷费", "公务用车运行维护费", "印刷费"],
                  ("price_limits", "category"): ["台式计算机", "便携式计算机", "复印机"],
                  ("meetings", "name"): ["第1次党组会议", "中心组第1次学习", "第2次党组会议"],
                  ("decisions", "meeting"): ["第1次党组会议", "第2次党组会议", "第3次党组会议"]}


def fixture_value(kind: str, fname: str, ftype: str, i: int, scale: int) -> Any:
    if (kind, fname) in KIND_NAME_TEXT:
        return KIND_NAME_TEXT[(kind, fname)][i]
    if ftype == "date":
        return datetime(2019, 3 + i, 5 + i)
    if ftype == "amount":
        v = [1200.0, 35000.0, 9600.0][i]
        return v / scale
    if ftype == "id":
        return f"00{57123 + i * 7}" if fname != "contract_no" else f"HT-2019-00{i + 1}"
    if ftype == "count":
        return [5, 8, 3][i]
    if ftype == "ratio":
        return ["30%", "20%", "0%"][i]
    if ftype == "bool":
        return ["是", "否", "是"][i]
    if ftype == "year":
        return 2019
    if ftype == "list":
        return ["印刷费、委托业务费", "专用材料费，差旅费", "委托业务费"][i]
    return SAMPLE_TEXT.get(fname, [f"{fname}{i + 1}"] * 3)[i]


def decorate(header: str, ftype: str, round_: int, position: int) -> tuple[str, int]:
    """A header as people type it: units in brackets, full-width brackets, a line break. Returns (text, scale)."""
    if ftype == "amount":
        if round_ % 3 == 0:
            return header + "（元）", 1
        if round_ % 3 == 1:
            return header + "(元)", 1
    if position == 2 and len(header) >= 4:
        return header[:2] + "\n" + header[2:], 1
    return header, 1


def write_other_synonyms(fixtures: Path) -> dict:
    import yaml  # only needed for the fixtures; pyyaml is a project dependency

    kinds = yaml.safe_load(KINDS_YAML.read_text(encoding="utf-8"))["kinds"]
    if fixtures.exists():
        shutil.rmtree(fixtures)
    fixtures.mkdir(parents=True)
    expected: dict = {}
    for kind, spec in kinds.items():
        fields = spec["fields"]
        rounds = max(1, max(len(f.get("synonyms", [])) for f in fields.values()))
        wb = new_book()
        file = f"{kind}.xlsx"
        expected[file] = {}
        for rnd in range(rounds):
            sheet = f"其他写法{rnd + 1}"
            ws = wb.create_sheet(sheet)
            headers, scales = {}, {}
            for pos, (fname, f) in enumerate(fields.items()):
                syn = f.get("synonyms") or []
                base = syn[rnd % len(syn)] if syn else f["header"]
                text, scale = decorate(base, f.get("type", "text"), rnd, pos)
                if kind == "contracts" and fname == "amount" and rnd == 0:
                    text, scale = base + "（万元）", 10000
                headers[fname], scales[fname] = text, scale
            ncol = len(fields) + 1
            ws.cell(1, 1, f"示范单位{spec['title']}（其他表头写法 {rnd + 1}）")
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
            ws.cell(2, 1, "编制单位：示范单位        单位：元")
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
            ws.cell(3, 1, "序号")
            for j, fname in enumerate(fields, start=2):
                ws.cell(3, j, headers[fname]).alignment = Alignment(wrap_text=True)
            for i in range(3):
                ws.cell(4 + i, 1, i + 1)
                for j, (fname, f) in enumerate(fields.items(), start=2):
                    v = fixture_value(kind, fname, f.get("type", "text"), i, scales[fname])
                    c = ws.cell(4 + i, j, v)
                    if isinstance(v, datetime):
                        c.number_format = "yyyy-mm-dd"
            entry = {"kind": kind, "header_row": 3, "first_data_row": 4, "last_data_row": 6,
                     "fields": headers}
            scaled = {k: v for k, v in scales.items() if v != 1}
            if scaled:
                entry["scale"] = scaled
            expected[file][sheet] = entry
        save_stable(wb, fixtures / file)
    (fixtures / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                            encoding="utf-8")
    return expected


# ---------------------------------------------------------------------------------------------

def generate(out_dir: Path, fixtures_dir: Path | None = None) -> list[dict]:
    """Write both units' ledgers, answer_key.csv, quality_key.csv and planted.md below out_dir (and the
    other-synonym fixtures below fixtures_dir when given). Returns the answer-key rows."""
    out_dir = Path(out_dir)
    rng = random.Random(SEED)
    inv = Invoices(rng, {"00571234", "04418876", "00663120", PENDING_INVOICE})
    units = [build_unit_a(rng, inv), build_unit_b(rng, inv)]
    check_plants(units)
    for unit in (UNIT_A, UNIT_B):
        if (out_dir / unit).exists():
            shutil.rmtree(out_dir / unit)
    reg = Registry()
    write_unit_a(units[0], out_dir, reg)
    write_unit_b(units[1], out_dir, reg)
    rows = write_answer_key(reg, out_dir)
    write_quality_key(reg, out_dir)
    write_planted_md(reg, out_dir)
    if fixtures_dir is not None:
        write_other_synonyms(Path(fixtures_dir))
    return rows


def main() -> int:
    rows = generate(HERE, REPO / "tests" / "fixtures" / "other_synonyms")
    print(f"已生成样例台账：{len(rows)} 条埋设问题，答案见 sample_ledgers/answer_key.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sheet layouts and row markers both units write their ledgers with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from .cells import typed_amount, typed_date
from .records import Marker, Payment, Record
from .workbook import Col, Registry, new_book, save_stable, write_sheet

PAYMENT_BOOK = "付款明细-2019.xlsx"


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


def write_payment_book(root: Path, reg: Registry, unit: str, payments: list[Payment], *, sheets: tuple[str, str],
                       title: str, note: str, headers: dict[str, str], rows: Callable[[str, list], list]) -> None:
    """付款明细-2019.xlsx: the year's payments (vouchers assigned) in two sheets, January–June and
    July–December; `rows(sheet, payments)` adds the sheet's markers (小计, 合计, blank rows)."""
    wb = new_book()
    for sheet, months in zip(sheets, (range(1, 7), range(7, 13))):
        part = [p for p in payments if p.date.month in months]
        write_sheet(wb.create_sheet(sheet), reg, f"{unit}/{PAYMENT_BOOK}", title=title, note=note,
                    cols=payment_cols(headers), rows=rows(sheet, part))
    save_stable(wb, root / unit / PAYMENT_BOOK)


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

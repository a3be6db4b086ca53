"""The one oracle of the samples: every rule of docs/default-ruleset.md re-derived in plain Python,
with the parameters of the default ruleset in force.

It reads tables of rows: kind -> list of mappings with the kind's canonical fields (a field a sheet
lacks reads as None), `_unit` (the unit the row belongs to) and `_bad` (the fields whose cell could
not be read: a rule leaves a row out when a field it needs is bad, as the engine does). The generator
runs it over its records before writing anything (plants.py); tests/e2e/test_generated_samples.py runs it over
what it reads back from the written files. Both must give exactly the planted findings.

It is deliberately simpler than the engine (categories and classes compared as typed, working days
Monday to Friday, no rehired retirees; red-ink reversals only netted in duplicates): it only has to
be right on the samples, whose findings and near misses are all planted on purpose. A journal's
payments are derived from its lines as the engine does (journal_payments), and the three journal
rules the answer key lists ahead of the ruleset are re-derived in journal_findings.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from datetime import date, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from .ruleset import params, rule_setting

CHART_YAML = Path(__file__).resolve().parents[2] / "audit_rules" / "ledgers" / "chart.yaml"

Row = Mapping[str, Any]
Tables = Mapping[str, list[Row]]


def norm_invoice(s: str | None) -> str | None:
    """An invoice number without its prefix (No.), punctuation, spaces and leading zeros."""
    if not s:
        return None
    digits = re.sub(r"^[A-Za-z]+[.:：]?", "", s.strip())
    digits = re.sub(r"[\s\-_.,:：]", "", digits).lstrip("0")
    return digits or None


def norm_name(s: str | None) -> str | None:
    """A name as people mean it: full-/half-width forms alike, spaces dropped."""
    return None if s is None else re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def working_days(a: date, b: date) -> int:
    """Working days of an ordinary calendar, both ends counted (the samples' notices avoid holidays)."""
    return sum(1 for i in range((b - a).days + 1) if (a + timedelta(days=i)).weekday() < 5)


def class_name(s: str) -> str:
    """A class without its leading code ('30202 印刷费' → 印刷费; the samples write names)."""
    return re.sub(r"^\s*[0-9]{3,}\s*", "", s)


def contains_any(text: str | None, words: list[str]) -> bool:
    return bool(text) and any(w in text for w in words)


@cache
def chart() -> dict:
    """The 政府会计制度 chart shipped with the package (cash, expense and budget account prefixes)."""
    return yaml.safe_load(CHART_YAML.read_text(encoding="utf-8"))


INVOICE_IN_SUMMARY = re.compile(r"(?:发票号码?|票号|No\.?|NO\.?|№)\s*[:：#]?\s*([A-Za-z0-9]{6,})")


def vouchers(lines: list[Row]) -> dict[tuple, list[Row]]:
    """A journal's lines by voucher (unit, file, sheet, period, word, number), in the order given."""
    out: dict[tuple, list[Row]] = defaultdict(list)
    for line in lines:
        if line.get("voucher_no"):
            out[(line["_unit"], line.get("_file"), line.get("_sheet"), line.get("period"),
                 line.get("voucher_word"), line["voucher_no"])].append(line)
    return out


def code_digits(line: Row) -> str:
    return re.sub(r"\D", "", line.get("account_code") or "")


def journal_payments(lines: list[Row]) -> list[dict]:
    """The payments a journal records: one per expense line (chart payment_accounts) of a voucher
    with a credit on a cash account; the budget-accounting lines (6/7/8xxx) never are one. Each keeps
    the underscore keys (unit, record or file/sheet/row) of its expense line."""
    c = chart()
    cash, expense = set(c["cash_accounts"]), set(c["payment_accounts"])
    out = []
    for vlines in vouchers(lines).values():
        if not any(line.get("credit") and code_digits(line)[:4] in cash for line in vlines):
            continue
        parties = sorted(line["counterparty"] for line in vlines if line.get("counterparty") and line.get("credit"))
        method = "、".join(sorted({c["cash_accounts"][code_digits(line)[:4]] for line in vlines
                                  if line.get("credit") and code_digits(line)[:4] in cash}))
        for line in vlines:
            code = code_digits(line)
            if not (code[:1] in expense or code[:4] in expense) or not (line.get("debit") or line.get("credit")):
                continue
            found = INVOICE_IN_SUMMARY.search(line.get("summary") or "")
            out.append({
                **{k: v for k, v in line.items() if k.startswith("_")},
                "date": line.get("date"), "voucher_no": f"{line.get('voucher_word') or ''}-{line['voucher_no']}",
                "summary": line.get("summary"), "econ_class": line.get("econ_class") or line.get("account_name"),
                "amount": round((line.get("debit") or 0) - (line.get("credit") or 0), 2),
                "payee": line.get("counterparty") or (parties[0] if parties else None), "invoice_issuer": None,
                "invoice_no": line.get("invoice_no") or (found[1] if found else None), "contract_no": None,
                "fund_source": line.get("project"), "handler": line.get("maker"), "approver": line.get("checker"),
                "payment_method": method,
            })
    return out


def journal_findings(lines: list[Row], flag: Callable[[str, Row], None]) -> None:
    """The journal rules of issue 10 as the samples plant them: an unbalanced voucher (财务会计 lines,
    located at its first line), a run of missing voucher numbers per unit, period and word (located
    at the first line of the voucher before the gap), a voucher whose maker is its checker."""
    budget = tuple(chart()["budget_accounts"])
    numbered: dict[tuple, dict[int, Row]] = defaultdict(dict)
    for (unit, file, sheet, period, word, number), vlines in vouchers(lines).items():
        first = vlines[0]
        financial = [line for line in vlines if not code_digits(line).startswith(budget)]
        if round(sum(line.get("debit") or 0 for line in financial) - sum(line.get("credit") or 0 for line in financial), 2):
            flag("voucher-unbalanced", first)
        if first.get("maker") and norm_name(first.get("maker")) == norm_name(first.get("checker")):
            flag("voucher-maker-checker", first)
        numbered[(unit, period, word)][int(number)] = first
    for by_number in numbered.values():
        ordered = sorted(by_number)
        for a, b in pairwise(ordered):
            if b - a > 1:
                flag("voucher-number-gap", by_number[a])
    union_dues_findings(lines, flag)


def cash_findings(payments: list[Row], flag: Callable[[str, Row], None]) -> None:
    """cash-payment-over-limit and cash-official-card-class as the samples plant them, on payments of
    any origin: paid in cash (a payment_method holding a cash_payment_methods word), above the
    settlement threshold to a payee whose name holds an organisation word; or, of a positive amount,
    for a class of the 公务卡强制结算目录 (compared by code when both carry one, else by name)."""
    p = params()
    for pay in payments:
        method, amount = pay.get("payment_method") or "", pay.get("amount")
        if amount is None or not any(w in method for w in p["cash_payment_methods"]):
            continue
        payee = pay.get("payee") or ""
        if amount > p["cash_settlement_threshold"] and any(w in payee for w in p["organisation_words"]):
            flag("cash-payment-over-limit", pay)
        if amount > 0 and any(same_class(pay.get("econ_class") or "", c) for c in p["official_card_classes"]):
            flag("cash-official-card-class", pay)


def same_class(a: str, b: str) -> bool:
    """The one class comparison as the samples need it: by code when both carry one, else by name."""
    code_a, code_b = (re.match(r"\s*([0-9]{3,})", x) for x in (a, b))
    if code_a and code_b:
        return code_a[1].startswith(code_b[1])
    name_a, name_b = class_name(a).strip(), class_name(b).strip()
    return bool(name_a and name_b) and (name_a in name_b or name_b in name_a)


def union_dues_findings(lines: list[Row], flag: Callable[[str, Row], None]) -> None:
    """union-dues-unpaid as the samples plant it: per unit and year, expense lines (5xxx) classed
    30228 below 2% of those classed 30101/30102/30103/30107, located at the last 30228 line."""
    p = params()
    def code(line: Row) -> str:
        return str(line.get("econ_class") or "").split(" ")[0]
    part = {str(c).split(" ")[0] for c in p["union_dues_classes"]}
    whole = {str(c).split(" ")[0] for c in p["payroll_classes"]}
    years: dict[tuple, list[Row]] = defaultdict(list)
    for line in lines:
        if line.get("date") and code_digits(line).startswith("5"):
            years[(line["_unit"], line["date"].year)].append(line)
    for year_lines in years.values():
        net = lambda line: (line.get("debit") or 0) - (line.get("credit") or 0)  # noqa: E731
        dues = [line for line in year_lines if code(line) in part]
        payroll = sum(net(line) for line in year_lines if code(line) in whole)
        if payroll > 0 and round(sum(net(line) for line in dues), 2) < round(payroll * p["union_dues_rate"], 2):
            flag("union-dues-unpaid", dues[-1] if dues else year_lines[-1])


def findings(tables: Tables, key: Callable[[Row], Hashable],
             values: Mapping[str, Any] | None = None) -> set[tuple[str, Hashable]]:
    """(rule_id, key(primary row)) of every finding the default ruleset should give on `tables`;
    `values` overrides the parameters of default.yaml."""
    p = values if values is not None else params()
    out: set[tuple[str, Hashable]] = set()
    journal = [r for r in tables.get("journal", []) if not r["_bad"]]
    tables = {**tables, "payments": [*tables.get("payments", []), *journal_payments(journal)]}

    def flag(rule_id: str, row: Row) -> None:
        out.add((rule_id, key(row)))

    def rows(kind: str, unit: str | None, *needs: str) -> list[Row]:
        """The kind's rows (of one unit, or all) whose needed cells could all be read."""
        return [r for r in tables.get(kind, []) if (unit is None or r["_unit"] == unit) and not r["_bad"] & set(needs)]

    groups = defaultdict(list)  # duplicates: within a unit and across units
    for pay in rows("payments", None, "invoice_no", "amount"):
        invoice = norm_invoice(pay.get("invoice_no"))
        if invoice and pay.get("amount") is not None:
            groups[(invoice, abs(round(pay["amount"], 2)))].append(pay)
    for group in groups.values():  # a red-ink reversal (negative amount) cancels one payment
        paid = [r for r in group if r["amount"] > 0]
        if len(paid) - (len(group) - len(paid)) > 1:
            flag("duplicate-payment", max(paid, key=lambda r: r["date"]))
    no_invoice = defaultdict(list)  # payments without an invoice number: same unit, payee, amount, day
    for pay in rows("payments", None, "payee", "amount", "date"):
        if not norm_invoice(pay.get("invoice_no")) and pay.get("payee") and pay.get("amount") is not None and pay.get("date"):
            no_invoice[(pay["_unit"], norm_name(pay["payee"]), round(pay["amount"], 2), pay["date"])].append(pay)
    for group in no_invoice.values():
        if len(group) > 1:
            flag("duplicate-payment-no-invoice", group[-1])  # the later row of the day
    journal_findings(journal, flag)
    cash_findings(rows("payments", None, "payment_method", "amount"), flag)

    cities = [c for c in re.split(r"[、，,;；\s]+", p["local_city"]) if c]
    incompatible = rule_setting("segregation-incompatible-posts", "incompatible")
    for unit in {r["_unit"] for recs in tables.values() for r in recs}:
        status = {norm_name(s["name"]): s.get("status") for s in rows("staff", unit, "name", "status") if s.get("name")}

        for r in rows("receptions", unit, "amount", "guest_count", "companion_count"):
            heads = None if None in (r.get("guest_count"), r.get("companion_count")) else \
                r["guest_count"] + r["companion_count"]
            if heads and heads > 0 and r.get("amount") is not None and r["amount"] / heads > p["meal_per_head_limit"]:
                flag("meal-reception-per-head", r)
        for r in rows("receptions", unit, "guest_location"):
            if any((r.get("guest_location") or "").startswith(c) for c in [*cities, *p["local_place_words"]]):
                flag("reception-same-city", r)
        for o in rows("overtime_meals", unit, "amount", "actual_count"):
            if o.get("actual_count") and o.get("amount") is not None and \
                    o["amount"] / o["actual_count"] > p["overtime_meal_per_head_limit"]:
                flag("meal-overtime-per-head", o)
        for o in rows("overtime_meals", unit, "applied_count", "actual_count"):
            if None not in (o.get("applied_count"), o.get("actual_count")) and o["applied_count"] != o["actual_count"]:
                flag("overtime-headcount-mismatch", o)

        paid = defaultdict(float)
        for pay in rows("payments", unit, "contract_no", "amount"):
            if pay.get("contract_no") and pay.get("amount") is not None:
                paid[pay["contract_no"]] += pay["amount"]
        decided = {d["contract_no"] for d in rows("decisions", unit, "contract_no") if d.get("contract_no")}
        for c in rows("contracts", unit, "contract_no", "amount"):
            if c.get("amount") is not None and round(paid.get(c.get("contract_no"), 0), 2) > round(c["amount"], 2):
                flag("payment-over-contract", c)
            if c.get("amount") is not None and c["amount"] >= p["major_amount_threshold"] and \
                    c.get("contract_no") not in decided:
                flag("collective-decision-missing", c)
        for c in rows("contracts", unit, "sign_date", "start_date", "acceptance_date"):
            signed = c.get("sign_date")
            if signed and any(c.get(k) and signed > c[k] for k in ("start_date", "acceptance_date")):
                flag("contract-signed-late", c)
        for c in rows("contracts", unit, "prepay_ratio"):
            if c.get("prepay_ratio") is not None and c["prepay_ratio"] > p["prepay_ratio_limit"]:
                flag("contract-prepay-ratio", c)
        for rule_id, kind in (("contract-missing-elements", "contracts"), ("meeting-record-incomplete", "meetings")):
            needed = rule_setting(rule_id, "fields")
            for r in rows(kind, unit, *needed):
                if not all(r.get(f) for f in needed):
                    flag(rule_id, r)

        own_limits = {x["category"]: x["limit"] for x in rows("price_limits", unit, "category", "limit")}
        limits = {**p["price_limits"], **own_limits}  # the unit's own table wins
        for a in rows("assets", unit, "category", "unit_price"):
            limit = limits.get(a.get("category"))
            if limit is not None and a.get("unit_price") is not None and a["unit_price"] > limit:
                flag("asset-unit-price-over-limit", a)
        for a in rows("assets", unit, "acquired_date", "booked_date"):
            if a.get("acquired_date") and a.get("booked_date") and \
                    a["booked_date"] > a["acquired_date"] + timedelta(days=p["asset_booking_days"]):
                flag("asset-booked-late", a)
        for a in rows("assets", unit, "user"):
            if contains_any(status.get(norm_name(a.get("user"))), p["departed_statuses"]):
                flag("asset-user-departed", a)

        suppliers = rows("suppliers", unit, "name", "category", "valid_from", "valid_to")
        funds = {f["fund"]: f for f in rows("special_funds", unit, "fund", "year", "allowed_classes") if f.get("fund")}
        for pay in rows("payments", unit, "date", "econ_class", "payee"):
            econ = pay.get("econ_class")
            if contains_any(econ, [class_name(c) for c in p["designated_classes"]]) and not any(
                    norm_name(s.get("name")) == norm_name(pay.get("payee")) and s.get("category") == econ
                    and (s.get("valid_from") or date.min) <= pay["date"] <= (s.get("valid_to") or date.max)
                    for s in suppliers):
                flag("non-designated-supplier", pay)
        for pay in rows("payments", unit, "fund_source", "econ_class", "summary"):
            fund, summary = funds.get(pay.get("fund_source")), pay.get("summary") or ""
            if fund and (pay.get("econ_class") not in (fund.get("allowed_classes") or [])
                         or contains_any(summary, p["excluded_fund_purposes"])
                         or any(int(y) < fund["year"] for y in re.findall(r"(\d{4})年", summary))):
                flag("special-fund-off-purpose", pay)
        for pay in rows("payments", unit, "payee", "invoice_issuer"):
            if pay.get("invoice_issuer") and norm_name(pay.get("payee")) != norm_name(pay["invoice_issuer"]):
                flag("payee-invoice-mismatch", pay)
        for pay in rows("payments", unit, "summary", "payee"):
            if contains_any(pay.get("summary"), p["review_fee_keywords"]) and \
                    contains_any(status.get(norm_name(pay.get("payee"))), p["active_status"]):
                flag("staff-paid-review-fee", pay)
            if contains_any(pay.get("summary"), p["prohibited_keywords"]):
                flag("prohibited-expense", pay)
            elif contains_any(pay.get("summary"), p["holiday_names"]) and \
                    contains_any(pay.get("summary"), p["holiday_gift_words"]) and \
                    not contains_any(pay.get("summary"), p["holiday_gift_allowed"]):
                flag("holiday-gift", pay)
        for pay in rows("payments", unit, "handler", "approver"):
            if pay.get("approver") and norm_name(pay.get("handler")) == norm_name(pay["approver"]):
                flag("segregation-handler-approver", pay)

        by_person = defaultdict(list)
        for s in rows("staff", unit, "name", "title"):
            if s.get("name") and s.get("title"):
                by_person[norm_name(s["name"])].append(s)
        for held in by_person.values():  # primary: the person's first roster row holding one of the posts
            posts = {w for a, b in incompatible
                     if any(a in s["title"] for s in held) and any(b in s["title"] for s in held) for w in (a, b)}
            if posts:
                flag("segregation-incompatible-posts", next(s for s in held if any(w in s["title"] for w in posts)))

        meetings = [m for m in rows("meetings", unit, "date") if m.get("date")]
        for m in rows("meetings", unit, "expected", "present", "signed_in"):
            if None not in (m.get("expected"), m.get("present"), m.get("signed_in")) and \
                    (m["present"] > m["expected"] or m["signed_in"] != m["present"]):
                flag("meeting-attendance-mismatch", m)
        if meetings:  # months between the unit's first and last meeting without a 中心组 session
            studied = {(m["date"].year, m["date"].month) for m in meetings if "中心组" in (m.get("kind") or "")}
            month, last = min(m["date"] for m in meetings).replace(day=1), max(m["date"] for m in meetings)
            while month <= last:
                if (month.year, month.month) not in studied:  # primary: the last meeting before the month
                    before = [m for m in meetings if m["date"] < month]
                    flag("study-session-gap", max(before, key=lambda m: m["date"]) if before else
                         min(meetings, key=lambda m: m["date"]))
                month = (month + timedelta(days=32)).replace(day=1)

        for ap in rows("appointments", unit, "start", "end"):
            if ap.get("start") and ap.get("end") and \
                    working_days(ap["start"], ap["end"]) < p["publicity_min_working_days"]:
                flag("publicity-period-short", ap)
    return out

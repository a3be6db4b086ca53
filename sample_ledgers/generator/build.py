"""Helpers both units build their data with: invoice numbers, booking days, the payment book."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from .records import BASIC_BUDGET, Asset, Payment, UnitData

EXPERTS = ["周建国", "黎晓东", "邹红梅", "甘文斌", "傅卫", "钟海涛"]  # outside experts, in no roster


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


class AssetCards:
    """Adds asset cards to a unit, numbered in order (`number` formats 1, 2, …), each in its user's
    department unless one is given."""

    def __init__(self, u: UnitData, number: str, departments: dict[str, str]) -> None:
        self.u, self.number, self.departments = u, number, departments
        self.seq = itertools.count(1)

    def add(self, name: str, category: str, model: str, price: float, acquired: date, booked: date, user: str, *,
            qty: int = 1, dept: str | None = None) -> Asset:
        a = Asset(self.u.unit, self.number.format(next(self.seq)), name, category, model, float(price), qty, acquired,
                  booked, user, dept or self.departments.get(user, "办公室"))
        self.u.assets.append(a)
        return a

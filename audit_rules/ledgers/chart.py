"""The chart of accounts journals are read with (chart.yaml, shipped with the package)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from audit_rules.yaml_source import safe_load


@dataclass(frozen=True)
class Chart:
    cash_accounts: dict[str, str]
    cash_in_hand: tuple[str, ...]
    payment_accounts: dict[str, str]
    clearing_accounts: dict[str, str]
    budget_accounts: tuple[str, ...]


@lru_cache(maxsize=1)
def chart() -> Chart:
    text = resources.files("audit_rules.ledgers").joinpath("chart.yaml").read_text(encoding="utf-8")
    raw = safe_load(text)
    return Chart(
        cash_accounts={str(k): v for k, v in raw["cash_accounts"].items()},
        cash_in_hand=tuple(str(c) for c in raw["cash_in_hand"]),
        payment_accounts={str(k): v for k, v in raw["payment_accounts"].items()},
        clearing_accounts={str(k): v for k, v in raw["clearing_accounts"].items()},
        budget_accounts=tuple(str(c) for c in raw["budget_accounts"]),
    )

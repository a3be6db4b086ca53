"""Cell typing: the many ways people type dates, amounts and yes/no."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


# Date styles: an Excel date, or text as people type it.
DATE_STYLES = {
    "excel": lambda d: datetime(d.year, d.month, d.day),
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "slash": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "compact": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    "iso": lambda d: d.isoformat(),
}


def typed_date(d: date | None, style: str = "excel") -> Any:
    return None if d is None else DATE_STYLES[style](d)


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


# Amount styles: an Excel number, or text as people type it.
AMOUNT_STYLES = {
    "number": float,
    "comma": lambda v: f"{v:,.2f}",
    "yen": lambda v: f"¥{v:,.0f}元" if v == int(v) else f"¥{v:,.2f}元",
    "capital": capital_amount,
    "plain": lambda v: f"{v:.2f}",
}


def typed_amount(v: float | None, style: str = "number") -> Any:
    return None if v is None else AMOUNT_STYLES[style](v)


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

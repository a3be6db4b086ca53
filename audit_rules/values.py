"""Values as they leave pandas, numpy and DuckDB: the one place that turns them into plain
Python (for findings.json, the reports, the quality gate's cell lists and message templates)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT (never for containers, whose emptiness is a value)."""
    if value is None:
        return True
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return result is True or (isinstance(result, bool) and result)


def plain_number(value: object) -> float | int | None:
    """A JSON/Excel-safe number: numpy scalars become Python numbers, NaN/inf become None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # numpy and Decimal too
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if isinstance(value, numbers.Integral):  # numpy integers are registered here too
        return int(value)
    return number


def date_text(value: dt.date, sep: str = "T") -> str:
    """ISO text of a date or datetime; a datetime at midnight reads best without the time."""
    if isinstance(value, dt.datetime):  # pandas Timestamps too
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=sep)
    return value.isoformat()


def plain(value: object) -> object:
    """Ledger values (numpy, pandas, Decimal, dates, tuples, sets) as plain JSON values."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if is_missing(value):  # before dates: NaT is a datetime
        return None
    if isinstance(value, dt.date):
        return date_text(value)
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, (int, float)):
        return plain_number(value) if isinstance(value, float) else value
    return str(value)


def message_value(value: Any) -> Any:
    """A DuckDB value as a message template variable: DECIMAL → float (so {amount:.2f} works),
    dates → 'YYYY-MM-DD', a list of values → one text joined with 、."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date) and not is_missing(value):
        return date_text(value, sep=" ")
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return "、".join("" if v is None else str(message_value(v)) for v in value)
    return value

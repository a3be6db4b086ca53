"""Checks across two tables of a unit: its journal (序时账) against its trial balance (科目余额表).

Per unit and account, the journal's debit and credit totals (a line's account code rolled up to
the balance row's code: 5101.01 and 510102 count for 5101) must equal the balance table's 本期借方
and 本期贷方 to the cent, over the months the balance table covers: its 期间 note (期间：2019年1期-
2019年6期, Table.period), else the calendar years of the journal's periods. Journal lines outside
those months are left out; a journal lacking one of them cannot be compared and says so rather
than fail every account. Run only where a unit has both tables, and only with the journals kept
in the same top folder as the balance table (a unit's folder, or beside the folders): two
folders holding the same unit's books for the same year are two copies, not one ledger twice
as large — and so every part of a batch run sees the whole pair.

Computed in pandas on small frames: the journal is summed by account code first (a few hundred
codes), then each balance row takes the codes it rolls up.
"""

from __future__ import annotations

import re

import pandas as pd

from audit_rules.ledgers.files import top_folder
from audit_rules.ledgers.model import Table
from audit_rules.quality.suites import CENT_TOLERANCE, CHECK_JOURNAL_AGREES, CHECK_TYPES, Found
from audit_rules.result import QualityResult

# The balance table's field of each journal amount: 本期借方 is the journal's debits.
MOVEMENTS = {"period_debit": "debit", "period_credit": "credit"}
# Fields the check reads, by kind (what a light copy of a table sent to the worker keeps).
FIELDS = {
    "journal": ("account_code", "debit", "credit", "period", "date", "_unit"),
    "account_balances": ("account_code", "period_debit", "period_credit", "_unit"),
}


def agreement_results(tables: list[Table]) -> list[QualityResult]:
    """For each trial balance of a unit that also has a journal: one result per movement field."""
    journals = [t for t in tables if t.kind == "journal" and _has(t, "journal")]
    results: list[QualityResult] = []
    for balances in (t for t in tables if t.kind == "account_balances" and _has(t, "account_balances")):
        for unit in balances.data["_unit"].dropna().unique():
            own = [t for t in journals
                   if (t.data["_unit"] == unit).any() and top_folder(t.file) == top_folder(balances.file)]
            if own:
                results.extend(_compare(balances, unit, own))
    return results


def _has(table: Table, kind: str) -> bool:
    return all(f in table.data.columns for f in FIELDS[kind] if f not in ("period", "date"))


def _digits(codes: pd.Series) -> pd.Series:
    return codes.astype("string").str.replace(r"[^0-9]", "", regex=True).fillna("")


def _lines(journals: list[Table], unit: str) -> pd.DataFrame:
    """The unit's journal lines: code digits, debit, credit and period (YYYY-MM)."""
    frames = []
    for table in journals:
        data = table.data[table.data["_unit"] == unit]
        period = data["period"] if "period" in data else pd.Series(None, index=data.index, dtype=object)
        if "date" in data:
            period = period.fillna(pd.to_datetime(data["date"], errors="coerce").dt.strftime("%Y-%m"))
        frames.append(pd.DataFrame({
            "code": _digits(data["account_code"]),
            "debit": pd.to_numeric(data["debit"], errors="coerce").fillna(0.0),
            "credit": pd.to_numeric(data["credit"], errors="coerce").fillna(0.0),
            "period": period.astype("string"),
        }))
    return pd.concat(frames, ignore_index=True)


def _covered(balances: Table, periods: pd.Series) -> list[str]:
    """The months (YYYY-MM) the balance table covers: its 期间 note, else the journal's years."""
    if balances.period:
        first, last = (pd.Period(m, "M") for m in balances.period)
        return [str(p) for p in pd.period_range(first, last, freq="M")]
    years = sorted({p[:4] for p in periods.dropna() if re.fullmatch(r"\d{4}-\d{2}", p)})
    return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]


def _span_text(months: list[str]) -> str:
    return f"{months[0]}至{months[-1]}" if months else ""


def _compare(balances: Table, unit: str, journals: list[Table]) -> list[QualityResult]:
    lines = _lines(journals, unit)
    files = "、".join(dict.fromkeys(t.file for t in journals))
    rows = balances.data[balances.data["_unit"] == unit]
    covered = _covered(balances, lines["period"])
    lines = lines[lines["period"].isin(covered).fillna(False)]
    missing = sorted(set(covered) - set(lines["period"].dropna()))
    compared = f"{files}，{_span_text(covered)}" if covered else files
    totals = lines.groupby("code")[["debit", "credit"]].sum().reset_index()
    balance = pd.DataFrame({"position": range(len(rows)), "code": _digits(rows["account_code"]).to_numpy()})
    # each balance row with every journal code it rolls up (a code starting with the row's code)
    pairs = balance.merge(totals, how="cross")
    # a boolean Series, not a list: an empty list would select no columns (no journal line at all
    # in the months covered, e.g. a balance table of another year)
    rolls_up = pd.Series([b != "" and j.startswith(b) for b, j in zip(pairs["code_x"], pairs["code_y"])],
                         index=pairs.index, dtype=bool)
    rolled = pairs[rolls_up].groupby("position")[["debit", "credit"]].sum().reindex(range(len(rows)), fill_value=0.0)
    rolled.index = rows.index
    results = []
    for field_name, journal_field in MOVEMENTS.items():
        if field_name not in rows:
            continue
        stated = pd.to_numeric(rows[field_name], errors="coerce")
        wrong = stated.notna() & ((stated - rolled[journal_field]).abs() >= CENT_TOLERANCE)
        failed = [] if missing else [
            {"row": int(rows.at[i, "_row"]), "value": float(stated[i]), "journal": float(rolled.at[i, journal_field]),
             "account": _account(rows, i)}
            for i in rows.index[wrong.to_numpy()]
        ]
        failed.sort(key=lambda cell: cell["row"])
        header = balances.fields.get(field_name) or field_name
        skipped = (f"序时账（{files}）缺少{_months_text(missing)}的分录，无法与科目余额表"
                   f"（{_span_text(covered)}）核对" if missing else "")
        found = Found(header=header, failed=failed, compared=compared, skipped=skipped)
        declared = CHECK_TYPES[CHECK_JOURNAL_AGREES]
        results.append(QualityResult(
            file=balances.file, sheet=balances.sheet, kind=balances.kind, field=field_name, check=declared.name,
            title=declared.title, passed=not failed, failed=failed, detail=declared.describe(found)))
    return results


def _account(rows: pd.DataFrame, index) -> str:
    name = rows.at[index, "account_name"] if "account_name" in rows else None
    code = rows.at[index, "account_code"]
    return f"{code} {name}" if isinstance(name, str) and name else str(code)


def _months_text(months: list[str]) -> str:
    shown = "、".join(months[:6])
    return shown + (f"等{len(months)}个月" if len(months) > 6 else "")

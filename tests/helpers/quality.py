"""Canonical tables built by hand for the data-quality gate's tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from audit_rules.ledgers.model import CellProblem, Table

TODAY = date(2024, 6, 1)


PAYMENT_HEADERS = {
    "date": "付款日期",
    "voucher_no": "凭证号",
    "amount": "金额（元）",
    "payee": "收款单位",
    "headcount": "人数",
}


def make_table(kind, columns, *, first_row=3, headers=None, problems=(), bad=None,
               totals=None, totals_row=None, file="台账.xlsx", sheet="Sheet1", index=None):
    """A canonical Table: typed columns + provenance, rows numbered from `first_row`."""
    n = len(next(iter(columns.values())))
    data = pd.DataFrame(columns, index=index)
    data["_file"] = file
    data["_sheet"] = sheet
    data["_row"] = list(range(first_row, first_row + n))
    data["_unit"] = None
    data["_bad"] = bad if bad is not None else [[] for _ in range(n)]
    headers = headers or {name: name for name in columns}
    raw = pd.DataFrame({headers[name]: data[name].astype(str).tolist() for name in columns}, index=index)
    return Table(file=file, sheet=sheet, kind=kind, header_row=first_row - 1, fields=dict(headers),
                 unmapped=[], data=data, raw=raw, problems=list(problems),
                 totals=totals or {}, totals_row=totals_row)


def payments_columns(n=4):
    return {
        "date": pd.to_datetime([f"2023-03-{d:02d}" for d in range(1, n + 1)]),
        "voucher_no": [f"记-{i:03d}" for i in range(1, n + 1)],
        "amount": [100.0 * i for i in range(1, n + 1)],
        "payee": [f"单位{i}" for i in range(1, n + 1)],
        "headcount": pd.array(list(range(1, n + 1)), dtype="Int64"),
    }


def payments_table(**kwargs):
    columns = kwargs.pop("columns", None) or payments_columns()
    return make_table("payments", columns, headers=PAYMENT_HEADERS, **kwargs)


def only(results, field, check):
    matches = [r for r in results if r.field == field and r.check == check]
    assert len(matches) == 1, (field, check, matches)
    return matches[0]


def contracts_table(**overrides):
    columns = {
        "contract_no": ["HT-1", "HT-2", "HT-3"],
        "amount": [1000.0, 2000.0, 3000.0],
        "signed": pd.array([True, False, None], dtype="boolean"),
        "prepay_ratio": [0.3, 0.0, 1.0],
        "sign_date": pd.to_datetime(["2023-01-01", "2023-02-01", None]),
    }
    columns.update(overrides)
    return make_table("contracts", columns, first_row=2)


def messy_tables():
    """Unreadable cells, `_bad` cells without a CellProblem, repeats, a wrong 合计, odd indexes."""
    columns = payments_columns(6)
    columns["amount"] = [100.0, np.nan, 300.0, np.nan, 500.0, 600.0]
    columns["voucher_no"] = ["记-1", "记-1", "记-2", "记-3", "记-3", "记-4"]
    columns["headcount"] = pd.array([1, None, 3, 4, None, 6], dtype="Int64")
    problem = CellProblem(row=4, column="金额（元）", field="amount", value="待定", message="无法识别的金额")
    bad = [[], ["amount", "headcount"], [], ["amount"], ["headcount"], []]
    odd_index = payments_table(columns=columns, problems=[problem], bad=bad, file="a.xlsx",
                               index=[40, 7, 99, 3, 12, 0], totals={"amount": 1.0}, totals_row=9)
    odd_index.raw.loc[3, "金额（元）"] = "约三万"  # bad without a CellProblem: quoted from raw
    odd_index.raw.loc[7, "人数"] = "两人"
    odd_index.raw.loc[12, "人数"] = "三人"
    repeated_labels = payments_table(columns=payments_columns(3), bad=[[], ["headcount"], []],
                                     file="b.xlsx", index=[5, 5, 6])
    repeated_labels.raw.iloc[1, repeated_labels.raw.columns.get_loc("人数")] = "若干"
    clean = payments_table(file="c.xlsx", sheet="二月")
    return [odd_index, repeated_labels, clean, contracts_table(prepay_ratio=[2.0, 0.1, -0.5])]

"""Rectification against a baseline on real workbooks: moving rows keeps ids, fixing resolves.

A copy of the sample ledgers is checked once (the baseline, with 整改 columns filled in its
report.xlsx), then edited the way a unit really edits its books — rows re-sorted, a row inserted
at the top, a workbook re-saved, one violation fixed and one new one made — and checked again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from helpers.paths import SAMPLES

from audit_rules.ledgers import load_ledgers
from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports


def _column_of(ws, header_row: int, header: str) -> int:
    """1-based column whose header cell (the child one, for a two-row header) is `header`."""
    wanted = "".join(header.split("/")[-1].split())
    for cell in ws[header_row]:
        if cell.value is not None and "".join(str(cell.value).split()) == wanted:
            return cell.column
    raise AssertionError(f"no column {header!r} in row {header_row}")


def _table(ledger_dir: Path, file: str, sheet: str):
    return next(t for t in load_ledgers([ledger_dir]).tables if t.file == file and t.sheet == sheet)


def _set_cell(ledger_dir: Path, file: str, sheet: str, row: int, field: str, value) -> None:
    table = _table(ledger_dir, file, sheet)
    wb = openpyxl.load_workbook(ledger_dir / file)
    ws = wb[sheet]
    ws.cell(row, _column_of(ws, table.header_row, table.fields[field])).value = value
    wb.save(ledger_dir / file)


def _swap_rows(ledger_dir: Path, file: str, sheet: str, a: int, b: int) -> None:
    wb = openpyxl.load_workbook(ledger_dir / file)
    ws = wb[sheet]
    first = [c.value for c in ws[a]]
    second = [c.value for c in ws[b]]
    for col, (x, y) in enumerate(zip(first, second), start=1):
        ws.cell(a, col).value, ws.cell(b, col).value = y, x
    wb.save(ledger_dir / file)


def _insert_row_at_top(ledger_dir: Path, file: str, sheet: str) -> None:
    wb = openpyxl.load_workbook(ledger_dir / file)
    wb[sheet].insert_rows(1)
    wb.save(ledger_dir / file)


def _resave(ledger_dir: Path, file: str) -> None:
    wb = openpyxl.load_workbook(ledger_dir / file)
    wb.save(ledger_dir / file)


def _one(findings, rule_id: str, text: str = ""):
    hits = [f for f in findings if f.rule_id == rule_id and text in f.message]
    assert hits, (rule_id, text)
    return hits[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("rectification")
    ledgers = root / "ledgers"
    shutil.copytree(SAMPLES, ledgers)
    first = run_check([ledgers])
    baseline_dir = root / "run1"
    write_reports(first, baseline_dir, ("json", "xlsx"))

    # The unit fills in its rectification ledger for two findings.
    unsealed = _one(first.findings, "contract-missing-elements", "盖章")
    duplicate = _one(first.findings, "duplicate-payment")
    wb = openpyxl.load_workbook(baseline_dir / "report.xlsx")
    ws = wb["疑点明细"]
    headers = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        fid = row[headers["编号"] - 1].value
        if fid in (unsealed.id, duplicate.id):
            ws.cell(row[0].row, headers["责任部门"]).value = "办公室"
            ws.cell(row[0].row, headers["整改措施"]).value = f"已处理 {fid}"
            ws.cell(row[0].row, headers["整改状态"]).value = "整改中"
    wb.save(baseline_dir / "report.xlsx")

    # Fix one violation: the unsealed contract now carries its seal.
    loc = unsealed.locations[0]
    _set_cell(ledgers, loc.file, loc.sheet, loc.row, "sealed", "是")
    # Add one: a clean contract loses its signature.
    contracts = _table(ledgers, loc.file, loc.sheet)
    flagged = {l.row for f in first.findings for l in f.locations if l.file == loc.file}
    clean_row = int(contracts.data.loc[~contracts.data["_row"].isin(flagged), "_row"].iloc[0])
    _set_cell(ledgers, loc.file, loc.sheet, clean_row, "signed", "否")
    # Re-sort: the later copy of the duplicate payment swaps places with another payment.
    dup = duplicate.locations[0]
    payments = _table(ledgers, dup.file, dup.sheet)
    other = int(payments.data.loc[payments.data["_row"] != dup.row, "_row"].iloc[0])
    _swap_rows(ledgers, dup.file, dup.sheet, dup.row, other)
    # Insert a row above everything in the asset cards, and re-save the reception register.
    late = _one(first.findings, "asset-booked-late").locations[0]
    _insert_row_at_top(ledgers, late.file, late.sheet)
    reception = _one(first.findings, "meal-reception-per-head").locations[0]
    _resave(ledgers, reception.file)

    second = run_check([ledgers], baseline=baseline_dir)
    return first, second, unsealed, duplicate, (loc.file, loc.sheet, clean_row), late


def test_fixing_one_violation_resolves_exactly_that_finding(runs):
    first, second, unsealed, *_ = runs
    assert [f.id for f in second.resolved] == [unsealed.id]


def test_the_new_violation_is_the_only_new_finding(runs):
    first, second, _, _, (file, sheet, row), _ = runs
    new = [f for f in second.findings if f.status == "new"]
    assert [(f.rule_id, f.locations[0].file, f.locations[0].sheet, f.locations[0].row) for f in new] == [
        ("contract-missing-elements", file, sheet, row)
    ]


def test_moved_inserted_and_resaved_rows_keep_their_ids(runs):
    first, second, unsealed, duplicate, _, late = runs
    still_open = {f.id for f in second.findings if f.status == "open"}
    assert still_open == {f.id for f in first.findings} - {unsealed.id}
    moved = next(f for f in second.findings if f.id == duplicate.id)
    assert moved.locations[0].row != duplicate.locations[0].row  # it did move…
    shifted = [f for f in second.findings if f.rule_id == "asset-booked-late"]
    assert [f.locations[0].row for f in shifted] == [late.row + 1]  # …and the inserted row shifted this one


def test_rectification_entries_carry_over_by_id(runs):
    first, second, unsealed, duplicate, _, _ = runs
    assert second.rectification[duplicate.id]["整改措施"] == f"已处理 {duplicate.id}"
    assert second.rectification[duplicate.id]["整改状态"] == "整改中"


def test_a_ledger_left_out_of_the_rerun_resolves_nothing(tmp_path):
    ledgers = tmp_path / "ledgers"
    shutil.copytree(SAMPLES, ledgers)
    first = run_check([ledgers])
    write_reports(first, tmp_path / "run1", ("json",))
    contract = _one(first.findings, "contract-missing-elements", "盖章").locations[0]
    (ledgers / contract.file).unlink()
    second = run_check([ledgers], baseline=tmp_path / "run1")
    from_that_file = {f.id for f in first.findings if f.locations[0].file == contract.file}
    assert from_that_file
    assert {f.id for f in second.not_rechecked} == from_that_file
    assert not from_that_file & {f.id for f in second.resolved}
    data = json.loads((write_reports(second, tmp_path / "run2", ("json",))["json"]).read_text(encoding="utf-8"))
    assert {f["id"] for f in data["not_rechecked"]} == from_that_file
    html = write_reports(second, tmp_path / "run2", ("html",))["html"].read_text(encoding="utf-8")
    assert f"另有基线疑点 {len(from_that_file)} 条本次未复核" in html
    workbook = openpyxl.load_workbook(write_reports(second, tmp_path / "run2", ("xlsx",))["xlsx"])
    assert {row[0] for row in workbook["未复核"].iter_rows(min_row=2, values_only=True)} == from_that_file
    assert not from_that_file & {row[0] for row in workbook["已销号"].iter_rows(min_row=2, values_only=True)}

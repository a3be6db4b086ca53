"""序时账 against 科目余额表: per unit and account, the journal's debit and credit totals (codes rolled
up to the balance row's code) equal the balance table's 本期借方 and 本期贷方."""

from __future__ import annotations

import openpyxl

from audit_rules.ledgers import load_ledgers
from audit_rules.quality import run_quality
from audit_rules.quality.suites import CHECK_JOURNAL_AGREES

UNIT_LINE = "核算单位：长沙市示范某局"


def _journal(path, months=range(1, 13), office=1000.0):
    """One voucher a month: Dr 5001.01 office costs (5001.02 printing in March) / Cr 1011."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "序时账"
    ws.append([UNIT_LINE])
    ws.append(["日期", "会计期间", "凭证字号", "摘要", "科目代码", "科目名称", "借方", "贷方"])
    for m in months:
        code = "5001.02" if m == 3 else "5001.01"
        amount = office if m == 1 else 1000.0
        ws.append([f"2019-{m:02d}-10", f"2019.{m}", "记-1", "办公费", code, "业务活动费用", amount, None])
        ws.append([None, None, None, "办公费", "1011", "零余额账户用款额度", None, amount])
    workbook.save(path)


def _balances(path, rows):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "科目余额表"
    ws.append([UNIT_LINE])
    ws.append(["科目编码", "科目名称", "方向", "期初余额", "借方发生额", "贷方发生额", "期末余额"])
    for row in rows:
        ws.append(row)
    workbook.save(path)


BALANCES = [
    ["1011", "零余额账户用款额度", "借", 20000, 0, 12000, 8000],
    ["5001", "业务活动费用", "借", 0, 12000, 0, 12000],  # a parent: 5001.01 and 5001.02 roll up to it
    ["5001.01", "业务活动费用-办公费", "借", 0, 11000, 0, 11000],
    ["5001.02", "业务活动费用-印刷费", "借", 0, 1000, 0, 1000],
]


def _agreement(tmp_path):
    tables = load_ledgers([tmp_path]).tables
    assert {t.kind for t in tables} == {"journal", "account_balances"}
    return {r.field: r for r in run_quality(tables) if r.check == CHECK_JOURNAL_AGREES}


def test_an_agreeing_journal_and_trial_balance_pass(tmp_path):
    _journal(tmp_path / "序时账.xlsx")
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    results = _agreement(tmp_path)
    assert set(results) == {"period_debit", "period_credit"}
    assert all(r.passed for r in results.values()), [r.detail for r in results.values()]
    assert results["period_debit"].file == "科目余额表.xlsx" and "序时账.xlsx" in results["period_debit"].detail


def test_a_changed_journal_line_fails_its_accounts_rows_with_both_figures(tmp_path):
    _journal(tmp_path / "序时账.xlsx", office=1500.0)  # January's office costs 1,500, not 1,000
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    results = _agreement(tmp_path)
    debit, credit = results["period_debit"], results["period_credit"]
    assert not debit.passed and [c["row"] for c in debit.failed] == [4, 5]  # 5001 and 5001.01, not 5001.02
    assert "5001.01 业务活动费用-办公费为11,000，序时账合计11,500（第5行）" in debit.detail
    assert not credit.passed and [c["row"] for c in credit.failed] == [3]  # 1011's credit: 12,500 in the journal
    assert "序时账合计12,500" in credit.detail


def test_a_journal_lacking_months_is_not_compared_and_says_so(tmp_path):
    _journal(tmp_path / "序时账.xlsx", months=range(1, 7))  # January to June only
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    results = _agreement(tmp_path)
    for result in results.values():
        assert result.passed and result.failed == []
        assert result.detail.startswith("未核对：") and "2019-07" in result.detail


def test_only_a_unit_with_both_tables_is_compared(tmp_path):
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    assert not [r for r in run_quality(load_ledgers([tmp_path]).tables) if r.check == CHECK_JOURNAL_AGREES]
    other = tmp_path / "other"
    other.mkdir()
    _journal(other / "序时账.xlsx")
    workbook = openpyxl.load_workbook(other / "序时账.xlsx")
    workbook.active["A1"] = "核算单位：长沙市示范另一局"
    workbook.save(other / "序时账.xlsx")
    assert not [r for r in run_quality(load_ledgers([tmp_path]).tables) if r.check == CHECK_JOURNAL_AGREES]


def test_the_light_copies_sent_to_the_gate_worker_give_the_same_results(tmp_path):
    from audit_rules.quality.validation import validate_tables
    from audit_rules.quality.worker import light_copy

    _journal(tmp_path / "序时账.xlsx", office=1500.0)
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    tables = load_ledgers([tmp_path]).tables
    def agreement(results):
        return [(r.field, r.passed, r.failed, r.detail) for r in results if r.check == CHECK_JOURNAL_AGREES]
    assert agreement(validate_tables([light_copy(t) for t in tables])) == agreement(validate_tables(tables))


def test_a_half_year_trial_balance_is_compared_with_the_journal_for_its_months(tmp_path):
    """期间：2019年1期-2019年6期 above the header: the journal's later months are not counted."""
    _journal(tmp_path / "序时账.xlsx")
    half = [["1011", "零余额账户用款额度", "借", 20000, 0, 6000, 14000],
            ["5001", "业务活动费用", "借", 0, 6000, 0, 6000]]
    _balances(tmp_path / "科目余额表.xlsx", half)
    workbook = openpyxl.load_workbook(tmp_path / "科目余额表.xlsx")
    workbook.active["A1"] = f"{UNIT_LINE}        期间：2019年1期-2019年6期        单位：元"
    workbook.save(tmp_path / "科目余额表.xlsx")
    results = _agreement(tmp_path)
    assert all(r.passed for r in results.values()), [r.detail for r in results.values()]
    assert "2019-01至2019-06" in results["period_debit"].detail


def test_period_notes_name_the_months_they_cover():
    from audit_rules.ledgers.journal import period_span

    assert period_span("2019年1期-2019年12期") == ("2019-01", "2019-12")
    assert period_span("2019年第1期 至 2019年第6期") == ("2019-01", "2019-06")
    assert period_span("2019年1月至6月") == ("2019-01", "2019-06")
    assert period_span("2019.03-2019.05") == ("2019-03", "2019-05")
    assert period_span("2019年度") == ("2019-01", "2019-12")
    assert period_span("本年") is None and period_span(None) is None


def test_a_trial_balance_is_compared_with_the_journals_of_its_own_folder(tmp_path):
    """Two folders holding the same unit's books for one year are two copies: each 科目余额表
    agrees with the journal beside it, not with the two journals added up."""
    for folder in ("2019年报送", "2019年复核"):
        (tmp_path / folder).mkdir()
        _journal(tmp_path / folder / "序时账.xlsx")
        _balances(tmp_path / folder / "科目余额表.xlsx", BALANCES)
    results = [r for r in run_quality(load_ledgers([tmp_path]).tables) if r.check == CHECK_JOURNAL_AGREES]
    assert len(results) == 4 and all(r.passed for r in results), [r.detail for r in results]
    for result in results:
        folder = result.file.split("/")[0]
        assert f"{folder}/序时账.xlsx" in result.detail and result.detail.count("序时账.xlsx") == 1


def test_a_trial_balance_of_a_year_the_journal_lacks_is_not_compared(tmp_path):
    """A 科目余额表 of 2020 beside a 2019 journal: no journal line in its months — said, not a crash."""
    _journal(tmp_path / "序时账.xlsx")
    _balances(tmp_path / "科目余额表.xlsx", BALANCES)
    workbook = openpyxl.load_workbook(tmp_path / "科目余额表.xlsx")
    workbook.active.insert_rows(2)
    workbook.active["A2"] = "期间：2020年1期-2020年12期"
    workbook.save(tmp_path / "科目余额表.xlsx")
    results = _agreement(tmp_path)
    assert results and all(r.passed and r.detail.startswith("未核对：") and "2020-01" in r.detail
                           for r in results.values()), [r.detail for r in results.values()]

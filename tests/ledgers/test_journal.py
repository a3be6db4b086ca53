"""Journals exported by accounting software: read as journals, completed, and the payments they record."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_rules.ledgers import load_ledgers
from audit_rules.ledgers.journal import complete, derive_payments, organisation_in_summary
from audit_rules.rules.loader import load_ruleset
from helpers.journals import PAYMENTS, write_kingdee_journal, write_yonyou_journal_csv

WRITERS = {"kingdee_xlsx": write_kingdee_journal, "yonyou_gb18030_csv": write_yonyou_journal_csv}


@pytest.fixture(params=list(WRITERS), scope="module")
def journal(request, tmp_path_factory):
    ledgers = load_ledgers([WRITERS[request.param](tmp_path_factory.mktemp(request.param))])
    assert ledgers.errors == [] and len(ledgers.tables) == 1
    return ledgers.tables[0]


def test_an_export_is_read_as_a_journal_with_debit_and_credit(journal):
    assert journal.kind == "journal"
    assert {"account_code", "debit", "credit", "voucher_no", "summary"} <= set(journal.fields)
    assert len(journal.data) == 16  # the 合计 row is not a line


def test_voucher_cells_are_filled_down_and_words_split(journal):
    data = journal.data
    assert data["voucher_word"].unique().tolist() == ["记"]
    assert data["voucher_no"].tolist()[:5] == ["1", "1", "1", "1", "2"]
    assert data["date"].isna().sum() == 0 and data["maker"].isna().sum() == 0
    assert data["period"].unique().tolist() == ["2019-03"]
    assert data.loc[4, "checker"] == "王五" and data.loc[7, "checker"] == "王五"


def test_auxiliary_and_account_codes_stay_as_written(journal):
    data = journal.data
    assert data.loc[0, "counterparty"] == "长沙某酒店" and data.loc[0, "econ_class"] == "30215 会议费"
    assert data.loc[8, "econ_class"] == "30202 印刷费"
    assert data["account_code"].map(type).eq(str).all()


def test_one_payment_per_expense_line_never_the_budget_lines(journal):
    payments = derive_payments(journal)
    assert payments.kind == "payments" and len(payments.data) == PAYMENTS
    data = payments.data
    assert data["amount"].tolist() == [3800.0, 3800.0, 1200.0, -1200.0]
    assert data["payee"].tolist() == ["长沙某酒店", "长沙某酒店", "湖南某印刷厂", "湖南某印刷厂"]
    assert data["invoice_no"].tolist()[:2] == ["00571234", "00571234"]  # from the 摘要
    assert data["voucher_no"].tolist() == ["记-1", "记-2", "记-3", "记-4"]
    assert data["handler"].tolist()[1] == "张三" and data["approver"].tolist()[1] == "王五"
    # each payment names the journal line it comes from: the expense line of its voucher
    lines = journal.data.set_index("_row")
    assert all(str(lines.loc[row, "account_code"]).startswith("5001") for row in data["_row"])
    assert len(payments.raw) == len(data)
    # how each voucher pays: the money accounts it credits
    assert data["payment_method"].tolist() == ["零余额账户用款额度", "零余额账户用款额度", "银行存款", "银行存款"]


ORGANISATION_WORDS = load_ruleset(None).parameter_values()["organisation_words"]


@pytest.mark.parametrize(("summary", "named"), [
    ("支付长沙市望城区鑫达办公用品有限公司办公用品款", "长沙市望城区鑫达办公用品有限公司"),
    ("付长沙市中心医院体检费", "长沙市中心医院"),  # 中心 then 医院: one name
    ("湖南某某集团有限公司服务费", "湖南某某集团有限公司"),
    ("购买办公用品（长沙某某文具店）", "长沙某某文具店"),
    ("支付2019年1月长沙某公司电费", "长沙某公司"),  # the date is no part of it
    ("支付12月份某某宾馆会议费", "某某宾馆"),
    ("报销张三差旅费", None),  # a person: no organisation word
    ("支付厂房租金", None),  # 厂 with nothing before it once 支付 is off
    ("支付1月电费", None),
    (None, None),
])
def test_an_organisation_named_in_a_summary(summary, named):
    assert organisation_in_summary(pd.Series([summary], dtype=object), ORGANISATION_WORDS).tolist() == [named]


SUMMARY_TEXT = st.text(alphabet=st.sampled_from(list("支付向长沙某鑫达有限公司店厂酒宾馆中心医院1月年款费（）、 ABC")), max_size=30)


@given(SUMMARY_TEXT)
def test_a_summary_organisation_is_always_part_of_the_summary_and_ends_in_an_organisation_word(summary):
    [named] = organisation_in_summary(pd.Series([summary], dtype=object), ORGANISATION_WORDS).tolist()
    if named is not None:
        assert named in summary
        assert any(named.endswith(word) for word in ORGANISATION_WORDS)
        assert not named[0].isdigit()


@given(st.text(alphabet=st.sampled_from(list("支付向长沙某鑫达有限办公用品款费1月年（）张三差旅")), max_size=30))
def test_no_organisation_word_names_no_organisation(summary):
    assert not any(word in summary for word in ORGANISATION_WORDS)
    assert organisation_in_summary(pd.Series([summary], dtype=object), ORGANISATION_WORDS).tolist() == [None]


def test_a_payee_no_auxiliary_names_is_read_from_the_summary():
    lines = pd.DataFrame({
        "voucher_word": ["记", "记"], "voucher_no": ["5", "5"], "period": ["2019-04", "2019-04"],
        "summary": ["支付长沙市望城区鑫达办公用品有限公司办公用品款"] * 2, "account_code": ["5001", "1011"],
        "debit": [860.0, None], "credit": [None, 860.0],
        "_file": "x.xlsx", "_sheet": "序时账", "_row": [3, 4], "_unit": "甲单位", "_bad": [[], []],
    })
    from helpers.rules import as_table

    table = as_table("journal", lines)
    assert derive_payments(table, ORGANISATION_WORDS).data["payee"].tolist() == ["长沙市望城区鑫达办公用品有限公司"]
    assert derive_payments(table).data["payee"].tolist() == [None]  # no words given: nothing read


@pytest.mark.parametrize(
    ("written", "word", "number"),
    [("记-0012", "记", "12"), ("记 - 12", "记", "12"), ("记字第12号", "记", "12"), ("银付-3", "银付", "3"), ("0012", None, "12")],
)
def test_voucher_word_and_number_forms(written, word, number):
    done = complete(pd.DataFrame({"voucher_no": [written]}))
    assert done.loc[0, "voucher_no"] == number
    assert (done.loc[0, "voucher_word"] if pd.notna(done.loc[0, "voucher_word"]) else None) == word


@pytest.mark.parametrize("written", ["2019.3", "2019.03", "201903", "2019年3期", "2019年第3期", "2019-03", "2019/3"])
def test_period_forms(written):
    assert complete(pd.DataFrame({"period": [written]})).loc[0, "period"] == "2019-03"


@pytest.mark.parametrize(
    "written",
    ["往来单位:长沙某酒店;项目:会议保障", "[往来单位]长沙某酒店;[项目]会议保障", "往来单位---长沙某酒店|项目---会议保障",
     "往来单位：长沙某酒店；项目：会议保障"],
)
def test_combined_auxiliary_forms(written):
    done = complete(pd.DataFrame({"auxiliary": [written]}))
    assert (done.loc[0, "counterparty"], done.loc[0, "project"]) == ("长沙某酒店", "会议保障")


def test_a_contract_auxiliary_is_the_lines_contract_number():
    done = complete(pd.DataFrame({"auxiliary": ["往来单位:某建设公司;合同:HT-2019-001", "[合同号]CSWL-2019-01"]}))
    assert done["contract_no"].tolist() == ["HT-2019-001", "CSWL-2019-01"]


def test_a_dotted_code_read_from_a_number_keeps_its_two_digit_segments():
    codes = complete(pd.DataFrame({"account_code": ["6601.3", "5001.02", "500102", "1002"]}))["account_code"]
    assert codes.tolist() == ["6601.30", "5001.02", "500102", "1002"]


@given(st.integers(1, 9999), st.sampled_from(["记", "收", "付", "转", "银付"]), st.integers(0, 3))
def test_any_word_number_splits_back(number, word, zeros):
    done = complete(pd.DataFrame({"voucher_no": [f"{word}-{'0' * zeros}{number}"]}))
    assert (done.loc[0, "voucher_word"], done.loc[0, "voucher_no"]) == (word, str(number))


def test_inspect_shows_a_journal_as_such(tmp_path):
    from audit_rules.ledgers import inspect_ledgers

    entry = inspect_ledgers([write_kingdee_journal(tmp_path)])[0]
    assert entry["kind"] == "journal"
    assert entry["journal"] == {"vouchers": 5, "payments": PAYMENTS, "auxiliaries": ["往来单位", "经济分类"]}
    assert any("5 张凭证" in note and f"付款记录 {PAYMENTS} 条" in note for note in entry["notes"])


@given(st.text(alphabet="0123456789", min_size=1, max_size=12),
       st.sampled_from(["HT", "CSWL-", "", "2019-", "A/"]))
def test_a_contract_number_in_a_summary_holds_a_letter_or_a_separator_and_is_no_date(digits, prefix):
    from audit_rules.ledgers.journal import contract_in_summary

    candidate = prefix + digits
    (kept,) = contract_in_summary(pd.Series([candidate])).tolist()
    is_date = bool(re.fullmatch(r"\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?", candidate))
    assert kept == (candidate if prefix and not is_date else None)

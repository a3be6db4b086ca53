"""Cell normalisation: property tests (format a value every way people type it, parse it back)
and the cases that must stay unreadable rather than be guessed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.ledgers import normalize
from audit_rules.ledgers.normalize import (
    parse_amount,
    parse_bool,
    parse_chinese_amount,
    parse_count,
    parse_date,
    parse_id,
    parse_list,
    parse_ratio,
    parse_text,
    parse_year,
)

# ---- amounts --------------------------------------------------------------------------------

cents = st.integers(min_value=-10**11, max_value=10**11).map(lambda c: Decimal(c) / 100)


def format_amount(value: Decimal, style: int) -> str:
    """The ways money is typed in Chinese ledgers."""
    magnitude = abs(value)
    body = [f"{magnitude:,.2f}", f"{magnitude:.2f}", f"{magnitude:,.2f}".replace(",", "，"),
            f"{magnitude:,}", f" {magnitude:,.2f} "][style % 5]
    decorated = [body, f"¥{body}", f"￥{body}", f"{body}元", f"¥ {body} 元"][(style // 5) % 5]
    if value < 0:
        return f"({decorated})" if style % 2 else f"-{decorated}"
    return decorated


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cents, st.integers(0, 49)), min_size=1, max_size=40))
def test_amount_text_round_trips_to_the_cent(samples):
    texts = pd.Series([format_amount(value, style) for value, style in samples])
    values, bad = parse_amount(texts)
    assert not bad.any()
    expected = np.array([float(value) for value, _ in samples])
    np.testing.assert_allclose(values.to_numpy(), expected, atol=0.005, rtol=0)


DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _section(number: int) -> str:
    text, pending_zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = number // 10**power % 10
        if digit == 0:
            pending_zero = bool(text)
        else:
            text += ("零" if pending_zero else "") + DIGITS[digit] + unit
            pending_zero = False
    return text


def capital_amount(yuan: int, jiao: int, fen: int) -> str:
    """An independent 大写 writer (the one on Chinese vouchers) for yuan < 10^12."""
    text = ""
    gap = False
    for part, big in (((yuan // 10**8) % 10**4, "亿"), ((yuan // 10**4) % 10**4, "万"), (yuan % 10**4, "")):
        if part == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or part < 1000):
            text += "零"
        text += _section(part) + big
        gap = False
    if yuan == 0 and (jiao or fen):
        integer = ""
    else:
        integer = (text or "零") + "元"
    if not jiao and not fen:
        return integer + "整"
    fraction = (DIGITS[jiao] + "角") if jiao else ("零" if integer else "")
    return integer + fraction + (DIGITS[fen] + "分" if fen else "")


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**12 - 1), st.integers(0, 9), st.integers(0, 9))
def test_capital_amounts_parse_to_their_value(yuan, jiao, fen):
    text = capital_amount(yuan, jiao, fen)
    expected = Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100
    assert parse_chinese_amount(text) == expected, text
    values, bad = parse_amount(pd.Series([text]))
    assert not bad.iloc[0]
    assert abs(values.iloc[0] - float(expected)) < 0.005


@pytest.mark.parametrize(
    "text, expected",
    [("壹万贰仟叁佰元整", 12300), ("壹仟元伍角", 1000.5), ("人民币壹佰零伍元陆角柒分", 105.67),
     ("拾元整", 10), ("(1,200.00)", -1200), ("-1200", -1200), ("1.2万", 12000), ("￥壹万元整", 10000)],
)
def test_amount_examples(text, expected):
    values, bad = parse_amount(pd.Series([text]))
    assert values.iloc[0] == pytest.approx(expected) and not bad.iloc[0]


@pytest.mark.parametrize("text", ["一二三", "壹贰", "壹贰元", "待定"])
def test_digits_without_units_are_unreadable_not_guessed(text):
    values, bad = parse_amount(pd.Series([text]))
    assert pd.isna(values.iloc[0]) and bad.iloc[0]


@pytest.mark.parametrize("text", ["abc", "壹万贰", "元", "nan", "inf", "12..5", "壹角角"])
def test_unreadable_amounts_are_null_and_flagged(text):
    values, bad = parse_amount(pd.Series([text]))
    assert np.isnan(values.iloc[0]) and bad.iloc[0]


def test_blank_amount_is_null_but_not_a_problem():
    values, bad = parse_amount(pd.Series([None, "", "   "]))
    assert values.isna().all() and not bad.any()


def test_amount_scale_turns_wan_yuan_into_yuan_without_float_noise():
    values, _ = parse_amount(pd.Series(["1.5", "0.07", "12,345.6789"]), scale=10_000)
    assert values.tolist() == [15_000.0, 700.0, 123_456_789.0]


# ---- dates ----------------------------------------------------------------------------------

DATE_FORMATS = [
    lambda d: d.strftime("%Y-%m-%d 00:00:00"),  # how an Excel date cell reads
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: d.strftime("%Y/%m/%d"),
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日 14:30",
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S").replace("00:00:00", "09:15:07"),
    lambda d: str((d - dt.date(1899, 12, 30)).days),  # an Excel serial number
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)),
                          st.integers(0, len(DATE_FORMATS) - 1)), min_size=1, max_size=40))
def test_every_date_format_parses_to_the_same_day(samples):
    texts = pd.Series([DATE_FORMATS[style](day) for day, style in samples])
    values, bad = parse_date(texts)
    assert not bad.any(), texts[bad].tolist()
    assert values.dtype == "datetime64[ns]"
    assert [v.date() for v in values] == [day for day, _ in samples]
    assert (values == values.dt.normalize()).all()


@pytest.mark.parametrize("text", ["2019-02-30", "2019年2月29日", "2019.4.31", "20191301", "明天", "1899-12-31 08:30:00", "123"])
def test_impossible_or_unreadable_dates_are_null_and_flagged(text):
    values, bad = parse_date(pd.Series([text]))
    assert pd.isna(values.iloc[0]) and bad.iloc[0]


def test_leap_day_is_a_real_date():
    values, bad = parse_date(pd.Series(["2020-02-29"]))
    assert values.iloc[0] == pd.Timestamp("2020-02-29") and not bad.iloc[0]


# ---- yes / no -------------------------------------------------------------------------------

YES = ["是", "√", "✓", "✔", "有", "已盖章", "已签字", "Y", "y", "yes", "YES", "true", "TRUE", "1", "Ｙ"]
NO = ["否", "×", "无", "未盖章", "未签字", "N", "n", "no", "No", "false", "0", "Ｎ"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 100), st.sampled_from(["", " ", "  ", "\t"])),
                min_size=1, max_size=30))
def test_yes_no_variants(samples):
    texts = [f"{pad}{(YES if truth else NO)[pick % len(YES if truth else NO)]}{pad}" for truth, pick, pad in samples]
    values, bad = parse_bool(pd.Series(texts))
    assert not bad.any()
    assert values.dtype == "boolean"
    assert values.tolist() == [truth for truth, _, _ in samples]


def test_blank_yes_no_is_na_and_unknown_words_are_flagged():
    values, bad = parse_bool(pd.Series([None, "", "也许"]))
    assert values.isna().all()
    assert bad.tolist() == [False, False, True]


# ---- counts, ratios, years ------------------------------------------------------------------


def test_counts():
    values, bad = parse_count(pd.Series(["5人", "5", "12 人", "5.5", "-1", None, "几个"]))
    assert values.dtype == "Int64"
    assert values.tolist()[:3] == [5, 5, 12]
    assert bad.tolist() == [False, False, False, True, True, False, True]


def test_ratios():
    values, bad = parse_ratio(pd.Series(["30%", "0.3", "30", "100%", "150", "-0.1", None]))
    assert values.tolist()[:4] == pytest.approx([0.3, 0.3, 0.3, 1.0])
    assert bad.tolist() == [False, False, False, False, True, True, False]


def test_years():
    values, bad = parse_year(pd.Series(["2019年", "2019", "2019年度", "2019.0", "19", "二〇一九"]))
    assert values.dtype == "Int64"
    assert values.tolist()[:4] == [2019, 2019, 2019, 2019]
    assert bad.tolist() == [False, False, False, False, True, True]


# ---- text, ids, lists -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**12).flatmap(lambda n: st.integers(len(str(n)), 14).map(lambda w: str(n).zfill(w))),
                min_size=1, max_size=30))
def test_identifiers_keep_leading_zeros(ids):
    values, _ = parse_id(pd.Series(ids))
    assert values.tolist() == ids


def test_integral_numbers_in_id_columns_never_gain_a_decimal():
    values, _ = parse_id(pd.Series(["12.0", "571234", "记-001", None]))
    assert values.tolist() == ["12", "571234", "记-001", None]


def test_text_is_nfkc_trimmed_and_collapsed():
    values, bad = parse_text(pd.Series(["  ＡＢＣ  公司\n 二部 ", "", None]))
    assert values.tolist() == ["ABC 公司 二部", None, None]
    assert not bad.any()


def test_lists_split_on_chinese_and_ascii_separators():
    values, _ = parse_list(pd.Series(["办公费、印刷费；差旅费,会议费/培训费 邮电费", None, " "]))
    assert values.tolist() == [["办公费", "印刷费", "差旅费", "会议费", "培训费", "邮电费"], None, None]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["ＡＢＣ１２３", "（注）", "①", "ﬁ", "￥1,200"])),
                max_size=40))
def test_nfkc_of_a_column_is_what_pandas_normalize_gives(values):
    from audit_rules.ledgers.normalize import nfkc

    text = pd.Series(values, dtype=object, index=range(5, 5 + len(values))).astype("str")
    expected = text.str.normalize("NFKC")
    got = nfkc(text)
    assert got.dtype == expected.dtype and got.index.equals(expected.index)
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().tolist() == expected.dropna().tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.from_regex(r"\(?-?[0-9,]{1,7}(\.[0-9]{1,2})?\)?-?[ \u3000]*(cr|CR|Cr|dr|DR|元)?",
                                                   fullmatch=True)), max_size=30))
def test_credit_marks_are_those_the_extract_found(values):
    """The CR mark (any case, after optional spaces) found with str.contains is the one str.extract found."""
    from audit_rules.ledgers import normalize

    text = normalize.as_text(pd.Series(values, dtype=object))
    extracted = text.str.extract(normalize._DEBIT_CREDIT_MARK.pattern)[0].str.lower().eq("cr").fillna(False)
    contained = text.str.contains("(?i)cr$", regex=True).fillna(False)
    assert contained.astype(bool).tolist() == extracted.astype(bool).tolist()


# ---- as_text on one pyarrow array, against the pandas string methods it replaced -------------


def _as_text_by_pandas(series: pd.Series) -> pd.Series:
    text = series.astype("str").str.normalize("NFKC").str.strip()
    quoted = text.str.startswith("'").fillna(False).astype(bool)
    if quoted.any():
        text = text.mask(quoted, text.str.replace("^'" + normalize.WS + "*", "", regex=True))
    return text.mask(text.eq("") | series.isna())


_CELL_TEXT = st.one_of(st.none(), st.text(st.sampled_from(list("a1 '\t\u3000\u00a0ＡＢ１２付款#/NA")), max_size=8))


@given(st.lists(_CELL_TEXT, max_size=30))
def test_as_text_is_what_the_pandas_string_methods_give(cells):
    series = pd.Series(cells, dtype="str", index=range(5, 5 + len(cells)), name="摘要")
    pd.testing.assert_series_equal(normalize.as_text(series), _as_text_by_pandas(series))
    expected = series.isin(normalize.EXCEL_ERROR_TEXTS).fillna(False).astype(bool)
    pd.testing.assert_series_equal(normalize._excel_errors(series), expected)
    objects = series.astype(object).where(series.notna(), None)
    pd.testing.assert_series_equal(normalize._to_object(series), objects)

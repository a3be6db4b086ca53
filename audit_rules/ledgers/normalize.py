"""Turn columns of cell text into canonical typed columns, vectorised over pandas Series.

Every parser takes a Series of str (None/NaN for blank cells) and returns ``(values, bad)``:
``values`` in the canonical dtype (see design: date → datetime64[ns] at midnight, amount →
float64 元, count/year → Int64, ratio → float64 0..1, bool → "boolean", text/id → str or
None, list → list[str] or None) and ``bad``, a boolean mask of cells that held something
but could not be read. A bad cell becomes null: we never guess.

The common formats go through pandas string methods and ``to_numeric``/``to_datetime``;
rare formats (大写金额, "1.2万") are parsed once per distinct value.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# ---- shared helpers ---------------------------------------------------------------------

# Patterns given to pandas string methods avoid \s, \d and compiled objects: with those pandas
# leaves pyarrow's vectorised regex for a Python loop (10x slower on a 200k-row sheet).
WS = "[ \t\n\r\f\v\u00a0\u3000]"


def as_text(series: pd.Series) -> pd.Series:
    """Cell text NFKC-normalised and trimmed, as the pandas string dtype; blanks become NA.

    A leading apostrophe is Excel's "store as text" mark ('00571234, '43588). Excel hides it,
    but CSV exports and some finance systems write it into the cell: it is not part of the value.
    """
    text = series.astype("str")
    # On one pyarrow array, as the pandas string methods would do it: a column of a small sheet
    # pays each pandas call's overhead many times over the work itself.
    values = pc.utf8_trim_whitespace(_nfkc_array(pa.array(text, from_pandas=True)))
    quoted = pc.fill_null(pc.starts_with(values, "'"), False)
    if pc.any(quoted).as_py():
        values = pc.if_else(quoted, pc.replace_substring_regex(values, "^'" + WS + "*", ""), values)
    blank = pc.or_(pc.fill_null(pc.equal(values, ""), False), pa.array(series.isna().to_numpy()))
    values = pc.if_else(blank, pa.scalar(None, values.type), values)
    return pd.Series(pd.array(values, dtype=text.dtype), index=series.index, name=series.name)


def nfkc(text: pd.Series) -> pd.Series:
    """NFKC of each cell of a string Series, as Series.str.normalize("NFKC") gives it.

    ASCII text is its own NFKC form, and a column repeats its values (payees, 摘要): a column
    of ASCII is returned as it is, else each distinct value (pyarrow's dictionary) is
    normalised once, by Python's unicodedata like Series.str.normalize.
    """
    values = pa.array(text, from_pandas=True)
    normalised = _nfkc_array(values)
    if normalised is values:
        return text
    return pd.Series(pd.array(normalised, dtype=text.dtype), index=text.index, name=text.name)


def _nfkc_array(values: pa.Array) -> pa.Array:
    if pc.all(pc.fill_null(pc.string_is_ascii(values), True)).as_py():
        return values
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary
    normalised = pa.array([unicodedata.normalize("NFKC", value) for value in distinct.to_pylist()], type=distinct.type)
    return pa.DictionaryArray.from_arrays(encoded.indices, normalised).dictionary_decode()


def _to_object(series: pd.Series) -> pd.Series:
    """Python objects with None for missing (the contract for text/id/list columns)."""
    if isinstance(series.dtype, pd.StringDtype):  # pyarrow gives None for its nulls in one step
        objects = pa.array(series, from_pandas=True).to_numpy(zero_copy_only=False)
        return pd.Series(objects, index=series.index, name=series.name, dtype=object)
    out = series.astype(object)
    return out.where(series.notna(), None)


# ---- amounts ------------------------------------------------------------------------------

# Currency marks anywhere in the cell: symbols (after NFKC ￥ is ¥), Chinese words, ISO codes.
_AMOUNT_NOISE = re.compile("(?i)" + WS + "|[,¥$£€元]|人民币|RMB|CNY|GBP|USD|EUR|HKD")
_RARE_NOISE = re.compile(r"[,\s¥$£€]|人民币")
_BRACKET_NEGATIVE = re.compile(r"^\((.*)\)$")
# Sign marks of bank, AP and ERP exports, each turned into a leading minus. Two marks on one
# value (-(1.00), 5.00- CR) leave "--5.00", which to_numeric refuses: a contradiction is
# unreadable, not guessed.
#   38,937.00-  trailing minus (SAP, mainframe reports)
#   1,200.00 CR a credit: money coming back (refund, reversal) = negative in a payments ledger;
#   1,200.00 DR a debit = the ordinary, positive payment.
_TRAILING_MINUS = re.compile(r"^(.*[0-9.)])-$")
_DEBIT_CREDIT_MARK = re.compile("(?i)" + WS + "*(cr|dr)$")

_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "壹": 1, "一": 1, "贰": 2, "貳": 2, "二": 2, "两": 2, "叁": 3, "參": 3,
    "三": 3, "肆": 4, "四": 4, "伍": 5, "五": 5, "陆": 6, "陸": 6, "六": 6, "柒": 7, "七": 7,
    "捌": 8, "八": 8, "玖": 9, "九": 9,
}
_CN_SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_ALLOWED = re.compile(r"^负?[零〇○壹一贰貳二两叁參三肆四伍五陆陸六柒七捌八玖九拾十佰百仟千万萬亿億元圆圓角分整正]+$")
_WAN_SUFFIX = re.compile(r"^(-?\d+(?:\.\d+)?)(万|亿)元?$")


def _cn_integer(text: str) -> int | None:
    """壹万贰仟叁佰 → 12300; None when the characters do not form an unambiguous number.

    A last digit straight after a unit above 拾 (壹万贰, 壹佰贰) is spoken shorthand for
    12000/120 but reads as 10002/102: ambiguous, so not read. 壹万零贰 is 10002.
    """
    total = section = number = 0
    seen = False
    last_unit = 1
    zero_before = False
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
            if number and digit:
                return None  # 一二三 / 壹贰: digits with no unit between them are not an amount
            if digit == 0:
                zero_before = True
            number = digit
            seen = True
        elif char in _CN_SMALL_UNITS:
            # 拾元 means 10: a unit with no digit before it counts one of it.
            section += (number if seen and number else 1) * _CN_SMALL_UNITS[char]
            number = 0
            seen = True
            last_unit, zero_before = _CN_SMALL_UNITS[char], False
        elif char in _CN_BIG_UNITS:
            if not seen:
                return None
            unit = _CN_BIG_UNITS[char]
            if unit == 100_000_000:
                total = (total + section + number) * unit
            else:
                total += (section + number) * unit
            section = number = 0
            last_unit, zero_before = unit, False
        else:
            return None
    if number and last_unit > 10 and not zero_before:
        return None
    return total + section + number if seen else None


def parse_chinese_amount(text: str) -> Decimal | None:
    """大写金额 (壹万贰仟叁佰元整, 壹仟元伍角, 负伍拾元) to a Decimal; None when it is not one."""
    text = re.sub(r"\s|人民币", "", text)
    if not text or not _CN_ALLOWED.match(text):
        return None
    sign = -1 if text.startswith("负") else 1
    text = text.lstrip("负").rstrip("整正")
    integer_part, fraction_part = _split_yuan(text)
    value = Decimal(0)
    if integer_part:
        whole = _cn_integer(integer_part)
        if whole is None:
            return None
        value += whole
    if fraction_part:
        match = re.fullmatch(r"(?:零?([^角分零]?)角)?零?(?:([^角分]?)分)?", fraction_part)
        if not match or not any(match.groups()):
            return None
        jiao, fen = match.groups()
        for digit, unit in ((jiao, Decimal("0.1")), (fen, Decimal("0.01"))):
            if digit:
                if digit not in _CN_DIGITS:
                    return None
                value += _CN_DIGITS[digit] * unit
    if not integer_part and not fraction_part:
        return None
    return sign * value


def _split_yuan(text: str) -> tuple[str, str]:
    """Split 壹仟元伍角 at 元 into integer and fraction parts; no 元 means no integer part only if 角/分."""
    for mark in "元圆圓":
        if mark in text:
            head, _, tail = text.partition(mark)
            return head, tail
    if text.endswith(("角", "分")):
        return "", text
    return text, ""


def _parse_rare_amount(text: str) -> float:
    """Per distinct value: 大写 and "1.2万"; NaN when unreadable."""
    match = _WAN_SUFFIX.match(text)
    if match:
        return float(Decimal(match.group(1)) * (10_000 if match.group(2) == "万" else 100_000_000))
    value = parse_chinese_amount(text)
    return float(value) if value is not None else np.nan


def parse_amount(series: pd.Series, scale: float = 1.0) -> tuple[pd.Series, pd.Series]:
    """Money in 元 as float64. Handles 1,200.00 / ¥1200元 / £309.25 / (1,200.00) / -1200 /
    38,937.00- / 1,200.00 CR (negative) / 1,200.00 DR / 大写 / 1.2万."""
    text = as_text(series)
    # One CR/DR mark at the end is taken off; a second one left behind makes the value unreadable.
    # A cell ends in CR (any case): str.contains stays in pyarrow, str.extract would not.
    credit = text.str.contains("(?i)cr$", regex=True).fillna(False).astype(bool)
    cleaned = text.str.replace(_DEBIT_CREDIT_MARK.pattern, "", regex=True)
    cleaned = cleaned.mask(credit, "-" + cleaned)
    cleaned = cleaned.str.replace(_AMOUNT_NOISE.pattern, "", regex=True)
    # Accountants write negatives in brackets: (1,200.00) = -1200.
    cleaned = cleaned.str.replace(_BRACKET_NEGATIVE.pattern, r"-\1", regex=True)
    cleaned = cleaned.str.replace(_TRAILING_MINUS.pattern, r"-\1", regex=True)
    values = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    unread = values.isna() & text.notna()
    if unread.any():
        rare = text[unread]
        parsed = {value: _parse_rare_amount(_RARE_NOISE.sub("", value)) for value in rare.unique()}
        values[unread] = rare.map(parsed).astype("float64")
    values[~np.isfinite(values.fillna(0.0))] = np.nan
    if scale != 1.0:
        # A 万元 column: scale to 元 and drop the float noise the multiplication leaves.
        values = (values * scale).round(2)
    bad = values.isna() & text.notna()
    return values, bad


# ---- dates ------------------------------------------------------------------------------

_EXCEL_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?$")
_GENERIC_DATE = re.compile(
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*[日号]?"
    r"(?:\s*T?\s*\d{1,2}\s*[:时]\s*\d{1,2}(?:\s*[:分]\s*\d{1,2}(?:\.\d+)?\s*秒?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_SERIAL = re.compile(r"^[0-9]{5}(?:\.[0-9]+)?$")
# Excel serials from 1950-01-01 to 2099-12-31; a 5-digit number outside is not a date.
SERIAL_MIN, SERIAL_MAX = 18_264, 73_050
YEAR_MIN, YEAR_MAX = 1900, 2100
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _dates_from_parts(parts: pd.DataFrame) -> pd.Series:
    """year/month/day text columns to datetimes; impossible dates (2019-02-30) become NaT."""
    numbers = parts[["year", "month", "day"]].apply(pd.to_numeric, errors="coerce")
    return pd.to_datetime(numbers, errors="coerce")


# Day, month and year as numbers in some order: 05/04/2019, 5.4.19, 05-04-2019 14:30.
_NUMERIC_DATE = re.compile(
    r"^(?P<a>\d{1,2})\s*(?P<sep>[-/.])\s*(?P<b>\d{1,2})\s*(?P=sep)\s*(?P<c>\d{4}|\d{2})"
    r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?$"
)
_MONTH_WORD = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY_WORD = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR_WORD = r"(?P<year>\d{4}|\d{2})"
# A month written as a word fixes the order: 05-Apr-19, 5 April 2019, Apr 5, 2019, 2019-Apr-05.
_NAMED_MONTH_DATES = tuple(re.compile(pattern) for pattern in (
    rf"^{_DAY_WORD}[\s\-/.]*{_MONTH_WORD}[\s\-/.,]*{_YEAR_WORD}$",
    rf"^{_MONTH_WORD}[\s\-/.]*{_DAY_WORD}[\s\-/.,]*{_YEAR_WORD}$",
    rf"^(?P<year>\d{{4}})[\s\-/.]*{_MONTH_WORD}[\s\-/.]*{_DAY_WORD}$",
))
MONTH_NAMES = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
DATE_ORDERS = ("day_first", "month_first", "year_first")
# A two-digit year: 00-68 → 2000-2068, 69-99 → 1969-1999 (the POSIX strptime %y pivot).
TWO_DIGIT_PIVOT = 69
AMBIGUOUS_DATE_MESSAGE = (
    "日期的日、月顺序无法确定（如 05/04/2019 可能是 4月5日，也可能是 5月4日，本列其他值也不能判定），"
    "未予猜测。请在映射文件中为该表设置 date_order: day_first（日/月/年）或 month_first（月/日/年）"
)


def _full_year(years: pd.Series) -> pd.Series:
    years = pd.to_numeric(years, errors="coerce")
    two_digit = years < 100
    century = np.where(years < TWO_DIGIT_PIVOT, 2000, 1900)
    return years.where(~two_digit, years + century)


def _numeric_parts(text: pd.Series) -> pd.DataFrame:
    """a, b, c of the day/month/year-in-some-order cells (NaN rows where the form differs)."""
    parts = text.str.extract(_NUMERIC_DATE.pattern)
    return parts[["a", "b", "c"]].apply(pd.to_numeric, errors="coerce")


def numeric_date_order(text: pd.Series) -> str | None:
    """The order a column of 05/04/2019-style cells proves: a first part above 12 (a day) in
    some value → day_first; a second part above 12 → month_first; neither, or both → None."""
    parts = _numeric_parts(text).dropna()
    day_first = bool(((parts["a"] > 12) & (parts["b"] <= 12)).any())
    month_first = bool(((parts["b"] > 12) & (parts["a"] <= 12)).any())
    if day_first != month_first:
        return "day_first" if day_first else "month_first"
    return None


def _ordered_dates(parts: pd.DataFrame, order: str | None) -> tuple[pd.Series, pd.Series]:
    """(dates, ambiguous) for numeric parts read in `order`. Without an order a cell is a date
    only when it has one reading (13/04/2019, 04/13/2019) or both agree (05/05/2019); the
    others are ambiguous."""
    if order == "year_first":
        ymd = pd.DataFrame({"year": _full_year(parts["a"]), "month": parts["b"], "day": parts["c"]})
    elif order == "month_first":
        ymd = pd.DataFrame({"year": _full_year(parts["c"]), "month": parts["a"], "day": parts["b"]})
    else:
        ymd = pd.DataFrame({"year": _full_year(parts["c"]), "month": parts["b"], "day": parts["a"]})
    ambiguous = pd.Series(False, index=parts.index)
    if order is None:
        ambiguous = parts["a"].ne(parts["b"]) & (parts["a"] <= 12) & (parts["b"] <= 12)
        ymd = ymd.loc[~ambiguous]
    if not len(ymd):
        return pd.Series(pd.NaT, index=ymd.index, dtype="datetime64[ns]"), ambiguous
    dates = _dates_from_parts(ymd)
    if order is None and dates.isna().any():
        other = parts.loc[dates.index[dates.isna()]]
        month_first = pd.DataFrame({"year": _full_year(other["c"]), "month": other["a"], "day": other["b"]})
        dates[other.index] = _dates_from_parts(month_first)
    return dates, ambiguous


def _named_month_dates(text: pd.Series) -> pd.Series:
    """05-Apr-19, 5 April 2019, Apr 5, 2019… → datetimes (NaT where no form matches)."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for pattern in _NAMED_MONTH_DATES:
        todo = result.isna()
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern.pattern)
        parts["month"] = parts["month"].str.lower().map(MONTH_NAMES)
        parts = parts.dropna()
        if len(parts):
            parts["year"] = _full_year(parts["year"])
            result[parts.index] = _dates_from_parts(parts)
    return result


def parse_date(series: pd.Series, order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates from Excel cells and every way people type them; time parts are dropped.

    ``order`` (``day_first``/``month_first``/``year_first``, from the mapping file's ``date_order``)
    says how to read 05/04/2019 or 19/04/05; without it the column's own values must prove the
    order (see numeric_date_order), else its ambiguous cells are unreadable (never guessed).
    A four-digit year written first (2019/4/5, 2019年4月5日) needs no order.
    """
    text = as_text(series)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    iso = text.str.match(_EXCEL_ISO.pattern).fillna(False).astype(bool)
    if iso.any():
        result[iso] = pd.to_datetime(text[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    for pattern in (_GENERIC_DATE, _COMPACT_DATE):
        todo = result.isna() & text.notna()
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        matched = parts["year"].notna()
        if matched.any():
            result[parts.index[matched]] = _dates_from_parts(parts[matched])
    todo = result.isna() & text.notna()
    if todo.any():
        parts = _numeric_parts(text[todo]).dropna()
        if len(parts):
            dates, _ambiguous = _ordered_dates(parts, order or numeric_date_order(text))
            result[dates.index] = dates
    todo = result.isna() & text.notna()
    if todo.any() and text[todo].str.contains("[A-Za-z]", regex=True).any():
        named = _named_month_dates(text[todo])
        result[named.index[named.notna()]] = named[named.notna()]
    todo = result.isna() & text.notna()
    if todo.any():
        serial_text = text[todo]
        is_serial = serial_text.str.match(_SERIAL.pattern).fillna(False).astype(bool)
        serials = pd.to_numeric(serial_text[is_serial], errors="coerce")
        serials = serials[(serials >= SERIAL_MIN) & (serials <= SERIAL_MAX)]
        if len(serials):
            result[serials.index] = EXCEL_EPOCH + pd.to_timedelta(serials.astype("float64"), unit="D")
    result = result.dt.normalize()
    # An Excel time-only cell reads as 1899-12-31 08:30: not a date.
    out_of_range = result.notna() & ((result.dt.year < YEAR_MIN) | (result.dt.year > YEAR_MAX))
    result[out_of_range] = pd.NaT
    result = result.astype("datetime64[ns]")
    bad = result.isna() & text.notna()
    return result, bad


def ambiguous_dates(series: pd.Series, order: str | None = None) -> pd.Series:
    """Cells unread only because the column does not prove whether the day or the month comes first."""
    if order is not None:
        return pd.Series(False, index=series.index)
    text = as_text(series)
    parts = _numeric_parts(text).dropna()
    ambiguous = pd.Series(False, index=series.index)
    if len(parts) and numeric_date_order(text) is None:
        _dates, flagged = _ordered_dates(parts, None)
        ambiguous[flagged.index] = flagged
    return ambiguous


# ---- yes / no ---------------------------------------------------------------------------

YES_WORDS = frozenset(
    "是 √ ✓ ✔ ☑ 有 已盖章 已盖 已签字 已签 已签名 已 y yes true 1 t 对".split()
)
NO_WORDS = frozenset(
    "否 × ✗ ✘ ☒ x 无 没有 未盖章 未盖 未签字 未签 未签名 未 n no false 0 f 不是".split()
)


def parse_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """是/否, √/×, 有/无, 已盖章/未盖章, Y/N, true/false, 1/0 → nullable boolean; blank → NA."""
    text = as_text(series).str.lower().str.replace(WS, "", regex=True)
    result = pd.Series(pd.NA, index=series.index, dtype="boolean")
    result[text.isin(YES_WORDS).fillna(False).astype(bool)] = True
    result[text.isin(NO_WORDS).fillna(False).astype(bool)] = False
    bad = result.isna() & text.notna()
    return result, bad


# ---- counts, ratios, years ----------------------------------------------------------------

_COUNT_SUFFIX = re.compile(WS + r"*(人|个|次|天|日|件|台|份|名|位|套|辆|本|张|间|人次)$")


def parse_count(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-negative whole numbers; '5人' → 5. Fractions and negatives are unreadable."""
    text = as_text(series)
    numbers = pd.to_numeric(text.str.replace(_COUNT_SUFFIX.pattern, "", regex=True).str.replace(",", ""),
                            errors="coerce").astype("float64")
    valid = numbers.notna() & (numbers >= 0) & (numbers == np.floor(numbers.fillna(0))) & (numbers < 2**53)
    result = numbers.where(valid).astype("Int64")
    bad = result.isna() & text.notna()
    return result, bad


def parse_ratio(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'30%' → 0.3, 0.3 → 0.3, 30 → 0.3; outside 0..100% unreadable."""
    text = as_text(series)
    percent = text.str.endswith("%").fillna(False).astype(bool)
    numbers = pd.to_numeric(text.str.rstrip("%").str.strip(), errors="coerce").astype("float64")
    # A bare number above 1 is a percentage written without its sign (30 → 30%).
    as_percent = percent | (numbers > 1)
    values = numbers.where(~as_percent, numbers / 100)
    values = values.where((values >= 0) & (values <= 1))
    bad = values.isna() & text.notna()
    return values, bad


def parse_year(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'2019', '2019年', '2019年度', 2019.0 → 2019 (Int64)."""
    text = as_text(series).str.replace(WS + "*年度?$", "", regex=True)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    valid = (numbers >= YEAR_MIN) & (numbers <= YEAR_MAX) & (numbers == np.floor(numbers.fillna(0)))
    result = numbers.where(valid).astype("Int64")
    bad = result.isna() & text.notna()
    return result, bad


# ---- text, identifiers, lists ---------------------------------------------------------------


def parse_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """NFKC, trimmed, inner whitespace collapsed to one space; blank → None."""
    text = as_text(series).str.replace(WS + "+", " ", regex=True)
    return _to_object(text), pd.Series(False, index=series.index)


def parse_id(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers stay text: leading zeros kept; an integral number never gains '.0'."""
    text = as_text(series).str.replace(WS + "+", " ", regex=True)
    text = text.str.replace(r"^(-?[0-9]+)\.0+$", r"\1", regex=True)
    return _to_object(text), pd.Series(False, index=series.index)


_LIST_SEPARATORS = r"[、，,;；/\s]+"


def parse_list(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'办公费、印刷费；差旅费' → ['办公费', '印刷费', '差旅费']; blank → None."""
    text = as_text(series)
    pieces = text.str.split(_LIST_SEPARATORS, regex=True)
    lists = pieces.map(lambda items: [item for item in items if item] or None, na_action="ignore")
    return _to_object(lists), pd.Series(False, index=series.index)


PARSERS = {
    "text": parse_text,
    "id": parse_id,
    "date": parse_date,
    "amount": parse_amount,
    "count": parse_count,
    "ratio": parse_ratio,
    "year": parse_year,
    "bool": parse_bool,
    "list": parse_list,
}

PROBLEM_MESSAGES = {
    "date": "无法识别的日期",  # AMBIGUOUS_DATE_MESSAGE when only the day/month order is unknown
    "amount": "无法识别的金额",
    "count": "无法识别的人数/数量（应为不小于 0 的整数）",
    "ratio": "无法识别的比例（应为 0～100%）",
    "year": "无法识别的年度",
    "bool": "无法识别的是/否取值",
}


# What Excel shows in a cell whose formula failed; unreadable whatever the field type.
EXCEL_ERROR_TEXTS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"})


_EXCEL_ERRORS = pa.array(sorted(EXCEL_ERROR_TEXTS), type=pa.large_string())


def _excel_errors(series: pd.Series) -> pd.Series:
    """Which cells hold an Excel error text (one pyarrow call for a column of strings)."""
    if isinstance(series.dtype, pd.StringDtype):
        found = pc.is_in(pa.array(series, from_pandas=True), value_set=_EXCEL_ERRORS)
        return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=series.index,
                         name=series.name)
    return series.isin(EXCEL_ERROR_TEXTS).fillna(False).astype(bool)


def parse_column(
    series: pd.Series, field_type: str, scale: float = 1.0, date_order: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Dispatch on the field type of kinds.yaml; Excel error cells are null and flagged."""
    errors = _excel_errors(series)
    if errors.any():
        series = series.mask(errors)
    if field_type == "amount":
        values, bad = parse_amount(series, scale)
    elif field_type == "date":
        values, bad = parse_date(series, date_order)
    else:
        values, bad = PARSERS[field_type](series)
    return values, bad | errors

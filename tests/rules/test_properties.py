"""Property tests for the normalisers rules compare with and the --set parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.rules.database import prepare_database
from audit_rules.rules.loader import parse_override_text


@pytest.fixture(scope="module")
def con():
    connection = prepare_database({})
    yield connection
    connection.close()


digits = st.text(alphabet="0123456789", min_size=1, max_size=12).filter(lambda s: s.strip("0"))
prefixes = st.sampled_from(["", "No.", "NO.", "no", "№", "发票号：", "发票号码:", " "])
noise = st.sampled_from(["", "-", " ", ".", "/"])


@settings(max_examples=60, deadline=None)
@given(number=digits, prefix=prefixes, zeros=st.integers(0, 4), sep=noise)
def test_norm_invoice_ignores_prefix_zeros_and_punctuation(con, number, prefix, zeros, sep):
    written = prefix + "0" * zeros + sep.join([number[:3], number[3:]]) if number[3:] else prefix + "0" * zeros + number
    got = con.execute("SELECT norm_invoice(?), norm_invoice(?)", [written, number]).fetchone()
    assert got[0] == got[1] == number.lstrip("0")


@settings(max_examples=60, deadline=None)
@given(a=digits, b=digits)
def test_norm_invoice_keeps_different_numbers_apart(con, a, b):
    got = con.execute("SELECT norm_invoice(?) = norm_invoice(?)", [a, b]).fetchone()[0]
    assert got == (a.lstrip("0") == b.lstrip("0"))


@settings(max_examples=60, deadline=None)
@given(name=st.text(alphabet="长沙某科技有限公司ABCabc", min_size=1, max_size=12), bracket=st.sampled_from("()（）【】[]《》 "))
def test_norm_name_ignores_brackets_spaces_and_case(con, name, bracket):
    cut = len(name) // 2
    decorated = name[:cut] + bracket + name[cut:].upper()
    got = con.execute("SELECT norm_name(?) = norm_name(?)", [decorated, name]).fetchone()[0]
    assert got is True


@given(st.integers(-10**9, 10**9))
def test_number_override_round_trips_integers(value):
    assert parse_override_text(str(value), "number") == value


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_number_override_round_trips_floats(value):
    assert parse_override_text(repr(value), "number") == pytest.approx(value)


@given(st.lists(st.text(alphabet="礼品烟酒购物卡abc", min_size=1, max_size=5), min_size=1, max_size=5))
def test_list_override_splits_on_chinese_and_ascii_separators(items):
    assert parse_override_text("、".join(items), "list") == items
    assert parse_override_text(",".join(items), "list") == items

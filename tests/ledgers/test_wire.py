"""A table pickled to another process arrives exactly as it left (text columns travel as Arrow)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_rules.ledgers.model import BAD_FIELDS, CellProblem, Table
from audit_rules.ledgers import wire
from audit_rules.ledgers.wire import PackedFrame, pack_frame, unpack_frame

TEXT = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["长沙市示范测试局", "30201 办公费", ""]))
ODD = st.one_of(TEXT, st.just(math.nan), st.integers(-5, 5), st.floats(allow_nan=False, width=32))
BAD = st.lists(st.sampled_from(["amount", "date", "payee"]), max_size=2, unique=True)


@pytest.fixture(autouse=True, scope="module")
def pack_every_frame():
    """The frames here are small; in use only frames of PACK_FROM_ROWS rows or more are packed."""
    before, wire.PACK_FROM_ROWS = wire.PACK_FROM_ROWS, 0
    yield
    wire.PACK_FROM_ROWS = before


@st.composite
def frames(draw) -> pd.DataFrame:
    rows = draw(st.integers(0, 12))
    index = draw(st.one_of(
        st.just(pd.RangeIndex(rows)),
        st.lists(st.integers(0, 3), min_size=rows, max_size=rows).map(pd.Index),  # labels may repeat
    ))
    columns = {
        "payee": draw(st.lists(TEXT, min_size=rows, max_size=rows)),
        "summary": draw(st.lists(ODD, min_size=rows, max_size=rows)),  # sometimes not all text
        "amount": draw(st.lists(st.floats(allow_nan=True), min_size=rows, max_size=rows)),
        BAD_FIELDS: draw(st.lists(BAD, min_size=rows, max_size=rows)),
    }
    frame = pd.DataFrame({name: pd.Series(values, index=index, dtype=object if name != "amount" else float)
                          for name, values in columns.items()}, index=index)
    frame["signed"] = pd.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=rows, max_size=rows)),
                               dtype="boolean")
    return frame


def _assert_same(sent: pd.DataFrame, arrived: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(sent, arrived)
    assert list(sent.dtypes) == list(arrived.dtypes)
    for name in sent.columns:
        if sent[name].dtype == object:
            # None stays None and NaN stays NaN; a list stays a list, and a fresh one per row.
            assert [type(v) for v in sent[name]] == [type(v) for v in arrived[name]]
    if BAD_FIELDS in arrived and len(arrived) > 1:
        lists = arrived[BAD_FIELDS].tolist()
        assert len({id(v) for v in lists}) == len(lists)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_a_frame_round_trips_exactly(frame):
    _assert_same(frame, unpack_frame(pickle.loads(pickle.dumps(pack_frame(frame, BAD_FIELDS), protocol=5))))


def test_text_columns_travel_as_arrow_and_other_values_as_they_are():
    frame = pd.DataFrame({"payee": ["甲公司", None, "甲公司"], "summary": ["购买办公用品", math.nan, "x"],
                          BAD_FIELDS: [[], ["amount"], []]}, dtype=object)
    packed = pack_frame(frame, BAD_FIELDS)
    assert isinstance(packed, PackedFrame)
    assert set(packed.texts) == {"payee"}  # summary holds a NaN: pickled as it is
    assert packed.lists[0] == BAD_FIELDS and packed.lists[1].tolist() == [1]
    arrived = unpack_frame(packed)
    _assert_same(frame, arrived)
    assert arrived.loc[0, "payee"] is arrived.loc[2, "payee"]  # equal strings shared


def test_a_small_frame_is_sent_as_it_is(monkeypatch):
    monkeypatch.setattr(wire, "PACK_FROM_ROWS", 3)
    frame = pd.DataFrame({"payee": ["甲公司", "乙公司"]}, dtype=object)
    assert pack_frame(frame, BAD_FIELDS) is frame
    assert isinstance(pack_frame(pd.concat([frame, frame]), BAD_FIELDS), PackedFrame)


def test_a_frame_with_repeated_column_names_is_sent_as_it_is():
    frame = pd.DataFrame([["a", "b"]], columns=["x", "x"], dtype=object)
    assert pack_frame(frame, BAD_FIELDS) is frame


def test_a_table_pickles_with_its_packed_frame():
    data = pd.DataFrame({"payee": ["甲公司", "乙公司"], "amount": [1.0, 2.5], "_row": [4, 5],
                         BAD_FIELDS: [[], ["amount"]]}, index=[10, 11])
    data["payee"] = data["payee"].astype(object)
    raw = pd.DataFrame({"收款单位": ["甲公司", "乙公司"]}, index=[10, 11])
    table = Table(file="a/付款.xlsx", sheet="Sheet1", kind="payments", header_row=3, fields={"payee": "收款单位"},
                  unmapped=[], data=data, raw=raw,
                  problems=[CellProblem(5, "金额", "amount", "abc", "无法识别的金额")], notes=["跳过合计行"])
    arrived = pickle.loads(pickle.dumps(table))
    _assert_same(table.data, arrived.data)
    pd.testing.assert_frame_equal(table.raw, arrived.raw)
    assert (arrived.file, arrived.kind, arrived.problems, arrived.notes) == (table.file, table.kind, table.problems,
                                                                            table.notes)
    assert isinstance(table.data, pd.DataFrame)  # the table pickled is left as it was


def test_an_all_null_text_column_arrives_as_nones():
    frame = pd.DataFrame({"payee": np.full(3, None, dtype=object)})
    _assert_same(frame, unpack_frame(pack_frame(frame, BAD_FIELDS)))

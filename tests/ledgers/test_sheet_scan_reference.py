"""The safety scan against a straightforward reference, on generated sheet XML cut anywhere.

The scan reads a worksheet chunk by chunk with numpy, a value's first eight bytes at a time,
and takes a quick path for the spelling writers use (r="A1") and the general one otherwise.
The reference below reads the whole XML at once with regular expressions, in every spelling XML
allows (r = 'A1'): whatever the chunks, both must find the same farthest row and column,
declared range, merged ranges and formula sign.
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers.sheet_xml import DIGITS, LETTERS, TEXT, scan_in_chunks, sheet_xml

from audit_rules.ledgers import files

# ` r="B3"` (a space before the r), in either quotes and with spaces around the =.
_CELL = re.compile(rb"\sr\s*=\s*([\"'])([A-Z]{1,7})([0-9]{1,12})\1")
# A row tag, from its start to its first > (or the end of the XML, when it is never closed).
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s[^>]*")
_ROW_NUMBER = re.compile(rb"r\s*=\s*([\"'])([0-9]{1,12})\1")


def _reference(xml: bytes) -> tuple:
    cells = [(files.column_number(letters.decode()), int(digits)) for _, letters, digits in _CELL.findall(xml)]
    row_numbers = [int(digits) for tag in _ROW_TAG.findall(xml) for _, digits in _ROW_NUMBER.findall(tag)]
    columns = max([column for column, _ in cells] + [0])
    rows = max([row for _, row in cells] + row_numbers + [0])
    declared = files._DIMENSION.search(xml)
    if declared:
        end = re.search(r"([A-Z]{1,7})([0-9]{1,12})$", declared.group(1).decode("ascii", "replace").upper())
        if end:
            columns, rows = max(columns, files.column_number(end.group(1))), max(rows, int(end.group(2)))
    merged = [found.group(1) for found in files._MERGE_CELL.finditer(xml)]
    formulas = b"<f" in xml or b":f" in xml
    return rows, columns, declared.group(1).decode("ascii", "replace") if declared else None, formulas, merged


_PREFIX = st.sampled_from(["", "x:", "ns1:"])
_SPACE = st.sampled_from([" ", "\n", "\t", "\r\n  "])
_EQUALS = st.sampled_from(["=", "=", "=", " = ", "\n=\t", "= "])  # mostly as writers put it
_QUOTE = st.sampled_from(['"', '"', '"', "'"])
_ATTRIBUTE = st.sampled_from(['spans="1:11"', 'ht="15"', 's="3"', 't="s"', 't="inlineStr"', 'x14ac:dyDescent="0.25"',
                              'customFormat="1"'])


@st.composite
def _reference_attribute(draw, value: str) -> str:
    quote = draw(_QUOTE)
    return f"r{draw(_EQUALS)}{quote}{value}{quote}"


@st.composite
def _cell(draw) -> str:
    prefix, space = draw(_PREFIX), draw(_SPACE)
    attributes = draw(st.lists(_ATTRIBUTE, max_size=2))
    if draw(st.integers(0, 4)):  # some cells have no r= (their place is the next one along)
        value = draw(st.one_of(st.tuples(LETTERS, DIGITS).map("".join),
                               st.sampled_from(["A1", "K500004", "AB123456", "XFD1048576", "A0000007", "Z99999999"])))
        attributes.insert(draw(st.integers(0, len(attributes))), draw(_reference_attribute(value)))
    body = draw(st.sampled_from(["<v>1</v>", "<f>A1*2</f><v/>", f"<is><t>{draw(TEXT)}</t></is>", ""]))
    return f"<{prefix}c{space}{space.join(attributes)}>{body}</{prefix}c>"


@st.composite
def _row(draw) -> str:
    prefix, space = draw(_PREFIX), draw(_SPACE)
    attributes = draw(st.lists(_ATTRIBUTE, max_size=2))
    if draw(st.integers(0, 3)):
        number = draw(st.one_of(DIGITS, st.sampled_from(["1", "500004", "1048576", "0012", "123456789012"])))
        attributes.insert(draw(st.integers(0, len(attributes))), draw(_reference_attribute(number)))
    cells = "".join(draw(st.lists(_cell(), max_size=4)))
    return f"<{prefix}row{space}{space.join(attributes)}>{cells}</{prefix}row>"


_SHEET_XML = sheet_xml(_row(), max_rows=10)


@settings(max_examples=400, deadline=None)
@given(_SHEET_XML, st.data())
def test_the_scan_agrees_with_the_reference_in_every_spelling_whatever_the_chunks(xml, data):
    cuts = data.draw(st.lists(st.integers(0, len(xml)), max_size=12))
    assert scan_in_chunks(xml, cuts) == _reference(xml)


@settings(max_examples=200, deadline=None)
@given(_SHEET_XML, st.integers(1, 40))
def test_the_scan_agrees_with_the_reference_in_small_even_chunks(xml, size):
    assert scan_in_chunks(xml, list(range(0, len(xml), size))) == _reference(xml)


# Pieces of a worksheet thrown together in any order: tags cut short, quotes unmatched, row tags
# never closed, r= outside any tag. The scan may meet anything in a hostile file.
_PIECE = st.sampled_from([
    "<row ", "<x:row\t", "<row", "<rows ", ">", "/>", "<c ", " r", "r", "=", " = ", '"', "'", " ", "\n",
    "A", "XFD", "Z", "0", "7", "1048576", "12345678", "<f>", "<x:f", "<v>", 'r="', "r='", ' r="B', "付",
    '<mergeCell ref="A1:C2"/>', "<dimension ref='A1:D9'/>", 'spans="1:2"',
])


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECE, max_size=60).map("".join), st.data())
def test_the_scan_agrees_with_the_reference_on_fragments_in_any_order(soup, data):
    xml = ("<worksheet>" + soup).encode("utf-8")
    cuts = data.draw(st.lists(st.integers(0, len(xml)), max_size=8))
    assert scan_in_chunks(xml, cuts) == _reference(xml)


# ---- the eight-bytes-at-once helpers, against reading byte by byte --------------------------------

_VALUE_BYTES = st.binary(min_size=8, max_size=8) | st.text('AZ09"\'x ', min_size=8, max_size=8).map(str.encode)


@given(st.lists(_VALUE_BYTES, min_size=1, max_size=20))
def test_the_values_first_eight_bytes_are_read_as_byte_by_byte(values):
    words = np.frombuffer(b"".join(values), dtype="<u8")
    letters, digits, column, number = files._short_values(words)
    for k, value in enumerate(values):
        lead = len(value) - len(value.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        rest = value[lead:]
        run = len(rest) - len(rest.lstrip(b"0123456789"))
        assert letters[k] == lead
        if lead < 8 and run < len(rest) and rest[run:run + 1] == b'"' and run >= 1:
            assert digits[k] == run
            assert column[k] == (files.column_number(value[:lead].decode()) if lead else 0)
            assert number[k] == int(rest[:run])
        elif lead <= files._LETTERS_MAX and run == len(rest) and run >= 1:
            assert digits[k] == files._UNDECIDED  # may go on past the eighth byte
        else:
            assert digits[k] == -1

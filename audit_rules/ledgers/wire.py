"""How a table's frame crosses a process boundary (reading worker, gate worker, Dask worker).

Pickle writes a column of Python strings object by object: for 500k payment rows the text
columns took 0.8 s to pickle and 1.2 s to unpickle, the largest part of moving a table from the
worker that read it. As an Arrow string array the same column is a few buffers, and pyarrow
rebuilds the objects with equal strings shared (a unit's name, an economic class, a handler
repeated on every row), which also keeps the receiving process's memory down.

Only object columns whose values are all `str` or `None` travel as Arrow; anything else (NaN,
numbers, mixed values) is pickled as it is, so a frame arrives exactly as it left. The list
column (`_bad`: the field names per row that could not be read, nearly all empty) travels as
the rows that name a field; the others arrive as empty lists, as the reader makes them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa


class PackedFrame(NamedTuple):
    rest: pd.DataFrame  # the columns pickled as they are, with the frame's index
    texts: dict[str, pa.DictionaryArray]  # column -> its values, dictionary-encoded Arrow strings
    lists: tuple[str, np.ndarray, list] | None  # the list column, its non-empty rows' positions and lists
    columns: pd.Index  # the frame's columns, in order


# Below this many rows pickle is quicker than packing (about a millisecond per frame).
PACK_FROM_ROWS = 5_000


def pack_frame(frame: pd.DataFrame, list_column: str) -> PackedFrame | pd.DataFrame:
    """`frame` ready to pickle cheaply; a small frame, or one with repeated column names, is left as it is."""
    if len(frame) < PACK_FROM_ROWS or not frame.columns.is_unique:
        return frame
    texts = {name: array for name in frame.columns
             if name != list_column and (array := _as_text_array(frame[name])) is not None}
    lists = _packed_lists(frame[list_column]) if list_column in frame.columns else None
    moved = [*texts, *([list_column] if lists is not None else [])]
    if not moved:
        return frame
    lists = (list_column, *lists) if lists is not None else None
    return PackedFrame(frame.drop(columns=moved), texts, lists, frame.columns)


def unpack_frame(packed: PackedFrame | pd.DataFrame) -> pd.DataFrame:
    if not isinstance(packed, PackedFrame):
        return packed
    rest = packed.rest
    # Arrays, not Series: nothing is aligned on the index, which may repeat labels.
    columns = {name: rest[name].array for name in rest.columns}
    for name, array in packed.texts.items():
        columns[name] = _text_values(array)
    if packed.lists is not None:
        name, positions, lists = packed.lists
        columns[name] = _unpacked_lists(len(rest), positions, lists)
    # Each column's dtype said outright: pandas would infer its str dtype for object text.
    frame = pd.DataFrame({name: pd.Series(columns[name], index=rest.index, dtype=rest[name].dtype if name in rest
                                          else object, copy=False)
                          for name in packed.columns}, index=rest.index)
    frame.columns = packed.columns
    frame.attrs = rest.attrs
    return frame


def _as_text_array(column: pd.Series) -> pa.DictionaryArray | None:
    """The column as dictionary-encoded Arrow strings when every value is a str or None, else None."""
    if column.dtype != object:
        return None
    try:
        # from_pandas=False: a NaN is not a null here, it stops the conversion (exact round trip).
        return pa.array(column.to_numpy(), type=pa.large_string(), from_pandas=False).dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _text_values(array: pa.DictionaryArray) -> np.ndarray:
    """Object values again, one str object per distinct value (a null is None)."""
    distinct = np.append(array.dictionary.to_numpy(zero_copy_only=False), None)
    codes = array.indices.fill_null(-1).to_numpy()
    return distinct[codes]


def _packed_lists(column: pd.Series) -> tuple[np.ndarray, list] | None:
    """Positions and values of the non-empty lists, when every value is a list."""
    values = column.to_numpy()
    if column.dtype != object or not all(map(_is_list, values)):
        return None
    named = np.flatnonzero(np.fromiter(map(len, values), dtype=np.int64, count=len(values)))
    return named, values[named].tolist()


def _is_list(value: object) -> bool:
    return type(value) is list


def _unpacked_lists(rows: int, positions: np.ndarray, lists: list) -> np.ndarray:
    values = np.empty(rows, dtype=object)
    # Element by element: numpy would read a sequence of lists as a second dimension.
    for at in range(rows):
        values[at] = []
    for at, named in zip(positions.tolist(), lists):  # only the rows that name a field
        values[at] = named
    return values

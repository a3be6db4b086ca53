"""Plain data passed from ledgers/ to the later stages."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from audit_rules.ledgers.wire import pack_frame, unpack_frame

# Provenance columns every canonical record carries.
PROVENANCE = ("_file", "_sheet", "_row", "_unit")
# List of field names whose cell could not be read (or was invalid) in that row.
BAD_FIELDS = "_bad"


@dataclass(frozen=True)
class CellProblem:
    """A cell that could not be read: it became null, and this records where and what it held."""

    row: int  # Excel row number (CSV: line number, header = 1)
    column: str  # the original header text
    field: str | None  # canonical field, when the column is mapped
    value: object  # the raw cell value, as read
    message: str  # Chinese, e.g. "无法识别的金额"


@dataclass(frozen=True)
class ReadError:
    """A file or sheet that could not be read at all; the rest of the run goes on."""

    file: str
    message: str  # Chinese, names the cause
    sheet: str | None = None


@dataclass
class Table:
    """One sheet (or CSV file) turned into a canonical table."""

    file: str  # relative to the directory given, '/' separated; a file given directly: as given
    sheet: str  # '' for CSV
    kind: str | None  # None when no kind was recognised
    header_row: int | None  # Excel row number of the (last) header row
    fields: dict[str, str]  # canonical field -> original header text
    unmapped: list[str]  # original headers that map to no field
    data: pd.DataFrame  # canonical typed columns + PROVENANCE + BAD_FIELDS
    raw: pd.DataFrame  # same index as data: original header -> cell value as shown (str)
    problems: list[CellProblem] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)  # field -> value on the 合计 row, if any
    totals_row: int | None = None  # Excel row of that 合计 row
    scale: dict[str, float] = field(default_factory=dict)  # field -> factor applied (万元 → 10000)
    path: str | None = None  # absolute path of the source file (for hyperlinks)
    # Chinese remarks on how the sheet was read: rows skipped (repeated header, footer, balance
    # lines), merged cells filled down, formulas without results, columns deliberately not mapped.
    notes: list[str] = field(default_factory=list)
    # The months a 期间 note above the header says the sheet covers ("2019-01", "2019-12"), if any.
    period: tuple[str, str] | None = None

    @property
    def rows(self) -> int:
        return len(self.data)

    def __getstate__(self) -> dict:
        # Tables cross processes (reading and gate workers, Dask): text columns go as Arrow.
        return {**self.__dict__, "data": pack_frame(self.data, BAD_FIELDS)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, data=unpack_frame(state["data"]))


@dataclass(frozen=True)
class InputFile:
    file: str  # as in Table.file
    sha256: str
    path: str  # absolute path


@dataclass
class LedgerSet:
    """Everything read from the paths given: tables, the files and what could not be read."""

    tables: list[Table] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)

    def by_kind(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per recognised kind: every unit's and file's rows together."""
        groups: dict[str, list[pd.DataFrame]] = {}
        for table in self.tables:
            if table.kind is not None and len(table.data):
                groups.setdefault(table.kind, []).append(table.data)
        return {kind: pd.concat(frames, ignore_index=True) for kind, frames in groups.items()}

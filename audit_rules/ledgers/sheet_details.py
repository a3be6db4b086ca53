"""What a sheet holds besides its cell values: merged ranges and formulas without a result.

They are loaded only when a sheet needs them (a two-row header, or blank cells in mapped
columns that a merge or a formula might explain) and at most once per sheet. The safety scan
of an .xlsx (files.check_file) streams every worksheet's XML already: the merged ranges it saw
are taken from it, and a sheet it saw no formula in is not read again for formulas. Without
that scan (.xls) python-calamine gives the merged ranges.

A workbook written by a program (openpyxl, many 业务系统) stores formulas without their
cached results; calamine then reads those cells as blank. The reader must not take such a cell
for an empty one (or for 0): it reports it as unreadable, with the formula.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from audit_rules.ledgers.files import SheetFacts

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_NS_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# A formula cell: <c r="F2" ...><f>D2*E2</f><v/></c>, optionally with a namespace prefix.
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c r=\"([A-Z]+)([0-9]+)\"([^>]*)>\s*"
    rb"<(?:\w+:)?f(?:\s[^>/]*)?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v(?:\s[^>/]*)?>([^<]*)</(?:\w+:)?v>)?",
)


def _column_position(letters: bytes) -> int:
    position = 0
    for char in letters:
        position = position * 26 + (char - 64)
    return position - 1


_UNKNOWN = object()


class SheetDetails:
    """Lazily loaded merged ranges and uncomputed formulas of one worksheet."""

    def __init__(self, path: Path, sheet: str, scanned: dict[str, SheetFacts] | None = None):
        self.path = path
        self.sheet = sheet
        self._scanned = scanned or {}
        self._facts: SheetFacts | None | object = _UNKNOWN
        self._merged: list | None = None
        self._formulas: dict[tuple[int, int], str] | None = None

    def _scanned_facts(self) -> SheetFacts | None:
        """What the safety scan saw in this sheet's XML member, None when it did not see it."""
        if self._facts is _UNKNOWN:
            self._facts = None
            if self._scanned:
                try:
                    with zipfile.ZipFile(self.path) as archive:
                        part = _sheet_part(archive, self.sheet)
                except Exception:  # noqa: BLE001 - an odd package: ask calamine as before
                    part = None
                self._facts = self._scanned.get(part) if part else None
        return self._facts

    def merged_ranges(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """((first_row, first_col), (last_row, last_col)), 0-based, as calamine gives them."""
        if self._merged is None:
            facts = self._scanned_facts()
            if facts is not None:
                self._merged = list(facts.merged)
                return self._merged
            try:
                import python_calamine

                workbook = python_calamine.CalamineWorkbook.from_path(str(self.path))
                self._merged = list(workbook.get_sheet_by_name(self.sheet).merged_cell_ranges or [])
            except Exception:  # noqa: BLE001 - without merge info the reader falls back to heuristics
                self._merged = []
        return self._merged

    def spans(self, excel_row: int) -> list[tuple[int, int]] | None:
        """Merged column spans starting on an Excel row (for a two-row header)."""
        found = [(c1, c2) for (r1, c1), (_r2, c2) in self.merged_ranges() if r1 == excel_row - 1 and c2 > c1]
        return found or None

    def uncomputed_formulas(self) -> dict[tuple[int, int], str]:
        """(Excel row, column position) → '=formula' for formula cells saved without a result."""
        if self._formulas is None:
            facts = self._scanned_facts()
            if facts is not None and not facts.formulas:
                self._formulas = {}
                return self._formulas
            try:
                self._formulas = _uncomputed_formulas(self.path, self.sheet)
            except Exception:  # noqa: BLE001 - .xls, odd packages: no formula info, cells stay as read
                self._formulas = {}
        return self._formulas


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The ZIP member holding a sheet, found through workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (node.get(_NS_REL_ID) for node in workbook.iter(f"{_NS_MAIN}sheet") if node.get("name") == sheet), None
    )
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((node.get("Target") for node in rels.iter(f"{_NS_RELS}Relationship") if node.get("Id") == rel_id), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _uncomputed_formulas(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return {}
        data = archive.read(part)
    if b"<f" not in data and b":f" not in data:
        return {}
    found: dict[tuple[int, int], str] = {}
    for match in _FORMULA_CELL.finditer(data):
        letters, row, attributes, formula, value = match.groups()
        if value:  # a cached result: calamine reads it
            continue
        if b't="str"' in attributes and value is not None:
            continue  # <v></v> on a text formula: Excel computed an empty string, a real blank
        text = (formula or b"").decode("utf-8", "replace")
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        found[(int(row), _column_position(letters))] = f"={text}" if text else "（共享公式）"
    return found

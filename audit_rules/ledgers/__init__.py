"""Ledger reading: files in, canonical typed tables out (see shared/design.md, ledgers/).

    load_ledgers(paths, mapping=None) -> LedgerSet
    inspect_ledgers(paths, mapping=None) -> list[dict]   (what `audit-rules inspect` shows)
"""

from __future__ import annotations

from pathlib import Path

from audit_rules.ledgers.files import discover, sha256_of
from audit_rules.ledgers.mapping import Mapping, MappingError, load_mapping
from audit_rules.ledgers.model import InputFile, LedgerSet, ReadError, Table
from audit_rules.ledgers.reader import read_file

__all__ = ["load_ledgers", "inspect_ledgers", "MappingError", "LedgerSet", "Table", "ReadError"]


def load_ledgers(paths: list[str | Path], mapping: str | Path | Mapping | None = None) -> LedgerSet:
    """Read every ledger file under ``paths``: all tables (recognised or not), inputs, errors.

    A path that does not exist raises FileNotFoundError and a bad mapping file MappingError
    (both with Chinese messages): those are mistakes in the command, not in a ledger. A ledger
    file that cannot be read becomes a ReadError and the others are still read.
    """
    rules = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    ledgers = LedgerSet()
    for found in discover(list(paths)):
        ledgers.inputs.append(InputFile(found.display, sha256_of(found.path), str(found.path)))
        tables, errors = read_file(found, rules)
        ledgers.tables.extend(tables)
        ledgers.errors.extend(errors)
    return ledgers


def inspect_ledgers(paths: list[str | Path], mapping: str | Path | Mapping | None = None) -> list[dict]:
    """One plain dict per table and per read error (JSON-ready), in reading order."""
    ledgers = load_ledgers(paths, mapping)
    entries = [_table_entry(table) for table in ledgers.tables]
    entries.extend(
        {"file": error.file, "sheet": error.sheet, "kind": None, "error": error.message}
        for error in ledgers.errors
    )
    return entries


def _table_entry(table: Table) -> dict:
    return {
        "file": table.file,
        "sheet": table.sheet,
        "kind": table.kind,
        "header_row": table.header_row,
        "fields": dict(table.fields),
        "unmapped": list(table.unmapped),
        "rows": table.rows,
        "notes": list(table.notes),
        "problems": [
            {"row": p.row, "column": p.column, "value": _jsonable(p.value), "message": p.message}
            for p in table.problems
        ],
    }


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)

"""Generated worksheet XML for the sheet-scan tests, and the scan fed it in given chunks."""

from __future__ import annotations

from hypothesis import strategies as st

from audit_rules.ledgers import files

LETTERS = st.text("ABCDXYZ", min_size=0, max_size=9)
DIGITS = st.text("0123456789", min_size=0, max_size=14)
# Text between the tags; no space or apostrophe: ` r='Z0'` in a text would count for the scan
# (as calamine would not take it, but a scan may err on the safe side), not for the expressions.
TEXT = st.text(st.sampled_from(list("ab=<>:\"r0Z付")), max_size=12)


@st.composite
def sheet_xml(draw, row: st.SearchStrategy[str], max_rows: int) -> bytes:
    """A worksheet of up to `max_rows` rows drawn from `row` (and stray text between them), an
    optional declared dimension and merged ranges."""
    parts = ['<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if draw(st.booleans()):
        parts.append(f'<dimension ref="A1:{draw(LETTERS)}{draw(DIGITS)}"/>')
    parts.append("<sheetData>")
    parts.extend(draw(st.lists(st.one_of(row, TEXT), max_size=max_rows)))
    parts.append("</sheetData>")
    merges = draw(st.lists(st.tuples(LETTERS, DIGITS, LETTERS, DIGITS), max_size=3))
    if merges:
        parts.append(f'<mergeCells count="{len(merges)}">')
        parts.extend(f'<mergeCell ref="{a}{b}:{c}{d}"/>' for a, b, c, d in merges)
        parts.append("</mergeCells>")
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def scan_in_chunks(xml: bytes, cuts: list[int]) -> tuple:
    """What the scan finds when the XML arrives cut at `cuts`: rows, columns, declared range,
    formula sign, merged ranges."""
    scan = files._SheetScan("xl/worksheets/sheet1.xml")
    start = 0
    for cut in sorted(set(cuts)) + [len(xml)]:
        if cut > start:
            scan.feed(xml[start:cut])
            start = cut
    return scan.rows, scan.columns, scan.declared, scan.formulas, scan._merged

"""Find the header row of a sheet and the table kind it belongs to.

The top rows of a sheet are scanned for the row whose cells best match the known headers of
some kind (kinds.yaml). Header text is compared after normalisation: NFKC (full → half width),
no whitespace or line breaks, no trailing ``*`` or ``:``, and a unit in brackets
(``金额（元）``, ``合同金额(万元)``) taken off and kept as the column's scale.
Ambiguous generic headers (金额, 日期, 项目名称, 对方单位) mean what the chosen kind says.
A two-row header (a merged parent over child cells) is recognised when combining the two
rows matches more fields than either alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from audit_rules.ledgers.schema import KindSpec, non_field_headers, table_kinds

HEADER_SCAN_ROWS = 30
# Rows below the first matching row still considered for the header (a fuller header just below).
HEADER_LOOKAHEAD = 2

UNIT_SCALES = {"元": 1.0, "人民币元": 1.0, "千元": 1_000.0, "万元": 10_000.0, "人民币万元": 10_000.0, "亿元": 1e8}
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|【([^【】]*)】|〔([^〔〕]*)〕")
_UNIT_SUFFIX = re.compile(r"^(.+?)[/:]?(人民币万元|人民币元|万元|千元|亿元|元)$")
_DECORATION = "*:※#"
_PREPARER = re.compile(r"(?:编制单位|核算单位|填报单位|单位名称)\s*[:：]\s*(.+?)(?=\s{2,}|\s*(?<!编制)单位\s*[:：]|\s*日期\s*[:：]|$)")
# 期间：2019年1期-2019年12期 above a 科目余额表 / 序时账 header: the months the sheet covers.
_PERIOD_NOTE = re.compile(r"(?:会计期间|所属期间|期间)\s*[:：]\s*(.+?)(?=\s{2,}|\s*(?<!编制)单位\s*[:：]|$)")
_NOTE_UNIT = re.compile(r"(?<!编制)单位\s*[:：]\s*(人民币万元|人民币元|万元|千元|亿元|元)")
_NUMBER_LIKE = re.compile(r"^[-+\d.,:/ ]+$")


# What a bracket says about the unit: （万元）, （万）, （单位：万元）, （人民币元）…
_BRACKET_UNIT = re.compile(r"^(?:单位:?)?(人民币)?(万元|千元|亿元|元|万|亿)$")


def _bracket_unit(content: str) -> str | None:
    """The UNIT_SCALES key a bracket's text names, or None when it names no money unit."""
    match = _BRACKET_UNIT.match(content)
    if match is None:
        return None
    unit = match.group(2)
    return {"万": "万元", "亿": "亿元"}.get(unit, unit)


def clean_header(text: str) -> str:
    """NFKC, no whitespace anywhere (people break header cells over lines), no decorations."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\s+", "", text)
    return text.strip(_DECORATION).lower()


@lru_cache(maxsize=8192)
def header_keys(text: str) -> tuple[tuple[str, ...], float | None]:
    """Texts to look a header cell up by, most specific first, and the unit scale it states."""
    cleaned = clean_header(text)
    scale: float | None = None
    without_units = cleaned
    for match in _BRACKETS.finditer(cleaned):
        content = next(group for group in match.groups() if group is not None)
        unit = _bracket_unit(content)
        if unit is not None:
            scale = UNIT_SCALES[unit]
            without_units = without_units.replace(match.group(0), "")
    suffix = _UNIT_SUFFIX.match(without_units)
    keys = [cleaned, without_units.strip(_DECORATION)]
    if suffix and scale is None:
        scale = UNIT_SCALES[suffix.group(2)]
        keys.append(suffix.group(1).strip(_DECORATION))
    keys.append(_BRACKETS.sub("", cleaned).strip(_DECORATION))
    unique: list[str] = []
    for key in keys:
        if key and key not in unique:
            unique.append(key)
    return tuple(unique), scale


@lru_cache(maxsize=1)
def header_index() -> dict[str, dict[str, str]]:
    """kind → {cleaned header or synonym → field}."""
    index: dict[str, dict[str, str]] = {}
    for kind in table_kinds().values():
        lookup: dict[str, str] = {}
        for spec in kind.fields.values():
            for header in spec.headers:
                lookup.setdefault(clean_header(header), spec.name)
        index[kind.name] = lookup
    return index


@lru_cache(maxsize=1)
def header_rank() -> dict[str, dict[str, int]]:
    """kind → {cleaned header or synonym → its place in the field's list (0 = primary header)}."""
    ranks: dict[str, dict[str, int]] = {}
    for kind in table_kinds().values():
        lookup: dict[str, int] = {}
        for spec in kind.fields.values():
            for place, header in enumerate(spec.headers):
                lookup.setdefault(clean_header(header), place)
        ranks[kind.name] = lookup
    return ranks


@dataclass
class HeaderMatch:
    """What the header rows of one sheet say."""

    kind: str | None
    header_rows: tuple[int, ...]  # Excel rows of the header (1 or 2), last one = the header row
    labels: dict[int, str]  # column position → header text as written ("合同要素/签字" for two rows)
    fields: dict[int, str]  # column position → canonical field
    scales: dict[str, float] = field(default_factory=dict)  # field → factor to 元
    unit_column: int | None = None  # a 单位/单位名称 column giving each row's unit
    serial_columns: set[int] = field(default_factory=set)  # 序号 columns, ignored
    preparer: str | None = None  # 编制单位：XX above the header
    period_note: str | None = None  # 期间：2019年1期-2019年12期 above the header, as written
    note_scale: float | None = None  # 单位：万元 above the header

    @property
    def header_row(self) -> int | None:
        return self.header_rows[-1] if self.header_rows else None

    @property
    def score(self) -> int:
        return len(self.fields)


Row = dict[int, str]  # column position → non-blank cell text


def _match_columns(
    candidates: dict[int, list[str]], kind: str, overrides: dict[str, str]
) -> tuple[dict[int, str], dict[str, float]]:
    """Fields a kind finds in the columns' candidate texts.

    When several columns match one field, the mapping file's column wins, then the header
    listed first in kinds.yaml (付款日期 before 单据日期), then the leftmost column.
    """
    lookup = header_index()[kind]
    ranks = header_rank()[kind]
    fields_of_kind = table_kinds()[kind].fields
    best: dict[str, tuple[tuple[int, int], int, float | None]] = {}  # field → (rank, column, scale)
    for column in sorted(candidates):
        for text in candidates[column]:
            keys, scale = header_keys(text)
            forced = next((k for k in keys if k in overrides and overrides[k] in fields_of_kind), None)
            key = forced or next((k for k in keys if k in lookup), None)
            if key is None:
                continue
            found = overrides[key] if forced else lookup[key]
            rank = (-1, 0) if forced else (ranks.get(key, 0), 0)
            if found not in best or rank < best[found][0]:
                best[found] = (rank, column, scale)
            break
    matched = {column: name for name, (_rank, column, _scale) in best.items()}
    scales = {name: scale for name, (_rank, _column, scale) in best.items() if scale is not None}
    return dict(sorted(matched.items())), scales


def _qualifies(kind: KindSpec, fields: set[str], forced: bool) -> bool:
    if forced:
        return bool(fields)
    return len(fields) >= kind.min_fields and bool(fields & set(kind.anchors))


def _rank(kind: KindSpec, fields: dict[int, str]) -> tuple[int, float]:
    """Most matched fields first; ties by the fraction of the kind's fields matched."""
    return len(fields), len(fields) / len(kind.fields)


def _best_kind(
    candidates: dict[int, list[str]], kinds: list[KindSpec], overrides: dict[str, str], forced: bool
) -> tuple[KindSpec, dict[int, str], dict[str, float]] | None:
    best = None
    for kind in kinds:
        fields, scales = _match_columns(candidates, kind.name, overrides)
        if not _qualifies(kind, set(fields.values()), forced):
            continue
        if best is None or _rank(kind, fields) > _rank(best[0], best[1]):
            best = (kind, fields, scales)
    return best


def _fill_parent(parent: Row, child: Row, spans: list[tuple[int, int]] | None) -> Row:
    """Spread a merged parent header over the child columns it spans.

    calamine gives a merged cell's value only in its top-left cell. With the merged ranges
    known, the value is copied over the span; without them, a blank parent cell over a child
    cell inherits from its left neighbour when that neighbour also has a child (a run of
    children under one merged parent).
    """
    filled = dict(parent)
    if spans:
        for first, last in spans:
            if first in parent:
                for column in range(first + 1, last + 1):
                    filled.setdefault(column, parent[first])
        return filled
    for column in sorted(child):
        if column not in filled and (column - 1) in child and (column - 1) in filled:
            filled[column] = filled[column - 1]
    return filled


def _two_row_candidates(parent: Row, child: Row, spans) -> tuple[dict[int, list[str]], dict[int, str]]:
    filled = _fill_parent(parent, child, spans)
    candidates: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    for column in sorted(set(filled) | set(child)):
        top, below = filled.get(column), child.get(column)
        if top and below and top != below:
            candidates[column] = [below, top + below, top]
            labels[column] = f"{top}/{below}"
        else:
            text = below or top
            candidates[column] = [text]
            labels[column] = text
    return candidates, labels


def _looks_like_subheader(parent: Row, child: Row) -> bool:
    """A row of short texts sitting under blank (merged) parent cells: 签字 | 盖章 under 合同要素."""
    if len(child) < 2 or any(_NUMBER_LIKE.match(text) for text in child.values()):
        return False
    return any(column not in parent for column in child) and any(column in parent for column in child)


def _above_header_notes(rows: dict[int, Row], header_top: int) -> tuple[str | None, float | None, str | None]:
    preparer = note_scale = period = None
    for number in sorted(rows):
        if number >= header_top:
            break
        for text in rows[number].values():
            found = _PREPARER.search(text)
            if found and preparer is None:
                preparer = found.group(1).strip() or None
            unit = _NOTE_UNIT.search(unicodedata.normalize("NFKC", text))
            if unit and note_scale is None:
                note_scale = UNIT_SCALES[unit.group(1)]
            covered = _PERIOD_NOTE.search(text)
            if covered and period is None:
                period = covered.group(1).strip() or None
    return preparer, note_scale, period


def detect_header(
    rows: dict[int, Row],
    *,
    forced_kind: str | None = None,
    forced_header_row: int | None = None,
    overrides: dict[str, str] | None = None,
    merged_spans=None,
) -> HeaderMatch | None:
    """The header of a sheet from its top rows (Excel row number → {column: text}).

    ``forced_kind``/``forced_header_row``/``overrides`` come from a mapping file; ``overrides``
    maps cleaned header text → field. ``merged_spans(row)`` may return the merged column spans
    of an Excel row. Returns None when no row matches any kind.
    """
    overrides = {clean_header(k): v for k, v in (overrides or {}).items()}
    all_kinds = table_kinds()
    kinds = [all_kinds[forced_kind]] if forced_kind else list(all_kinds.values())
    forced = forced_kind is not None
    numbers = [n for n in sorted(rows) if rows[n]]
    if forced_header_row is not None:
        numbers = [forced_header_row] if forced_header_row in rows else []

    best: HeaderMatch | None = None
    for number in numbers:
        if best is not None and number > best.header_row + HEADER_LOOKAHEAD:
            # The first table's header wins: a better match further down is another table
            # stacked below (the reader splits it off), not this table's header.
            break
        candidates = {column: [text] for column, text in rows[number].items()}
        found = _best_kind(candidates, kinds, overrides, forced)
        if found and (best is None or _rank(found[0], found[1]) > _rank(all_kinds[best.kind], best.fields)):
            kind, fields, scales = found
            best = HeaderMatch(kind.name, (number,), dict(rows[number]), fields, scales)
    if best is None:
        return None
    best = _try_two_rows(best, rows, overrides, merged_spans, allow_below=forced_header_row is None)
    _finish(best, rows)
    return best


def _try_two_rows(best: HeaderMatch, rows: dict[int, Row], overrides, merged_spans, allow_below: bool) -> HeaderMatch:
    kind = table_kinds()[best.kind]
    number = best.header_row
    pairs = [(number - 1, number)]
    if allow_below:
        pairs.append((number, number + 1))
    for top, below in pairs:
        parent, child = rows.get(top) or {}, rows.get(below) or {}
        if not parent or not child:
            continue
        candidates, labels = _two_row_candidates(parent, child, None)
        fields, scales = _match_columns(candidates, kind.name, overrides)
        better = len(fields) > best.score
        subheader = below != number and len(fields) >= best.score and _looks_like_subheader(parent, child)
        if not (better or subheader):
            continue
        # Only now ask for the merged ranges: reading them costs a second parse of the sheet.
        spans = merged_spans(top) if merged_spans else None
        if spans:
            candidates, labels = _two_row_candidates(parent, child, spans)
            fields, scales = _match_columns(candidates, kind.name, overrides)
        return HeaderMatch(kind.name, (top, below), labels, fields, scales)
    return best


def _finish(match: HeaderMatch, rows: dict[int, Row]) -> None:
    """Serial (序号) and unit (单位) columns, and the notes above the header."""
    for column, label in match.labels.items():
        if column in match.fields:
            continue
        cleaned = clean_header(label.split("/")[-1])
        if cleaned in non_field_headers()["serial"]:
            match.serial_columns.add(column)
        elif cleaned in non_field_headers()["unit"] and match.unit_column is None:
            match.unit_column = column
    match.preparer, match.note_scale, match.period_note = _above_header_notes(rows, match.header_rows[0])

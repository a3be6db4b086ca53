"""Find the ledger files under the paths given and check each one is safe to parse.

Nothing here parses a sheet: it lists files, hashes them and looks at their first bytes and
ZIP directory, so that a corrupt, encrypted, mislabelled or zip-bomb file becomes one clear
Chinese message instead of a crash (or a machine out of memory) in the reader.
Files are only ever opened for reading.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

LEDGER_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML workbook is an OLE2 container holding an "EncryptedPackage" stream;
# OLE2 directory entries store stream names in UTF-16LE.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# Refuse a workbook whose ZIP members would expand beyond this (a zip bomb or not a ledger).
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
# Real workbooks compress 5-20x; a large member compressed far beyond that is a bomb.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 20 * 1024 * 1024
# The readers allocate a sheet's whole range (rows × columns) up front, as declared by
# <dimension ref> or implied by the farthest cell: one cell at XFD1048576 asks for 512 GB.
# 20 million cells is far beyond any ledger (100,000 rows × 200 columns).
MAX_SHEET_CELLS = 20_000_000
MAX_SHEETS = 500  # a workbook of thousands of (small) sheets is no ledger
MAX_COLUMNS = 16_384  # Excel's own limit (column XFD); also the most fields a CSV line may have
MAX_CSV_LINE_BYTES = 1024 * 1024  # one CSV line; real ledger lines are a few hundred bytes
_CHUNK = 1024 * 1024


class FoundFile(NamedTuple):
    """(abs_path, display_name, base_dir): a plain tuple with names."""

    path: Path  # absolute
    display: str  # relative to the directory given ('/' separated); a file given directly: as given
    base_dir: Path | None  # the directory given, None for a file given directly


class RefusedLink(NamedTuple):
    """A symbolic link that is not followed: listed as an error, never opened."""

    display: str
    message: str  # Chinese, naming the link (not its target)


class Limits(NamedTuple):
    """The pre-parse limits in force, sent with each file to the worker that checks it."""

    uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    sheet_cells: int = MAX_SHEET_CELLS
    sheets: int = MAX_SHEETS
    columns: int = MAX_COLUMNS
    csv_line_bytes: int = MAX_CSV_LINE_BYTES

    @classmethod
    def current(cls) -> "Limits":
        """The module's values as they are now (read at call time, so a caller may lower them)."""
        return cls(MAX_UNCOMPRESSED_BYTES, MAX_SHEET_CELLS, MAX_SHEETS, MAX_COLUMNS, MAX_CSV_LINE_BYTES)

    def install(self) -> None:
        """Make these the module's values (in a worker, before checking a file)."""
        global MAX_UNCOMPRESSED_BYTES, MAX_SHEET_CELLS, MAX_SHEETS, MAX_COLUMNS, MAX_CSV_LINE_BYTES
        (MAX_UNCOMPRESSED_BYTES, MAX_SHEET_CELLS, MAX_SHEETS, MAX_COLUMNS, MAX_CSV_LINE_BYTES) = self


class UnsafeFile(Exception):
    """A file that must not (or cannot) be parsed; the message is Chinese and user-facing."""


def _is_hidden_or_lock(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def discover(paths: list[str | Path]) -> list[FoundFile]:
    """Every ledger file under the paths given, in a stable order (see `discover_all`)."""
    return [entry for entry in discover_all(paths) if isinstance(entry, FoundFile)]


def discover_all(paths: list[str | Path]) -> list[FoundFile | RefusedLink]:
    """Every ledger file under the paths given, and every link refused, in a stable order.

    A directory contributes every .xlsx/.xlsm/.xls/.csv below it (recursive, sorted),
    skipping Office lock files (~$…) and hidden files and folders. A symbolic link is never
    followed out of the directory given: a link to a file or folder outside it, or to nothing,
    comes back as a RefusedLink (to be listed as an error, never opened). A file given directly
    is taken as given, whatever its name. A path that does not exist raises FileNotFoundError.
    """
    found: list[FoundFile | RefusedLink] = []
    seen: set[Path] = set()
    for given in paths:
        given_path = Path(given)
        if given_path.is_dir():
            base = given_path.resolve()
            for entry in _entries_below(base):
                if isinstance(entry, FoundFile):
                    if entry.path in seen:
                        continue
                    seen.add(entry.path)
                found.append(entry)
        elif given_path.is_file():
            path = given_path.resolve()
            if path not in seen:
                seen.add(path)
                found.append(FoundFile(path, given_path.as_posix(), None))
        else:
            raise FileNotFoundError(f"找不到路径：{given}")
    return found


def _entries_below(base: Path) -> list[FoundFile | RefusedLink]:
    """Ledger files and refused links below `base`, sorted by their path relative to it."""
    entries: list[FoundFile | RefusedLink] = []
    for folder, dirs, names in os.walk(base, followlinks=False):
        here = Path(folder)
        for name in dirs:  # os.walk lists a link to a folder here and does not enter it
            link = here / name
            if link.is_symlink() and not _is_hidden_or_lock(link.relative_to(base)):
                problem = _link_problem(link, base, "文件夹")
                if problem:
                    entries.append(RefusedLink(link.relative_to(base).as_posix(), problem))
        for name in names:
            path = here / name
            relative = path.relative_to(base)
            if _is_hidden_or_lock(relative):
                continue
            if path.is_symlink():
                problem = _link_problem(path, base, "文件")
                if problem:
                    if path.suffix.lower() in LEDGER_EXTENSIONS or not path.exists():
                        entries.append(RefusedLink(relative.as_posix(), problem))
                    continue
                path_target = path.resolve()
                if path_target.is_file() and path.suffix.lower() in LEDGER_EXTENSIONS:
                    entries.append(FoundFile(path_target, relative.as_posix(), base))
            elif path.suffix.lower() in LEDGER_EXTENSIONS and path.is_file():
                entries.append(FoundFile(path, relative.as_posix(), base))
    return sorted(entries, key=lambda entry: entry.display)


def _link_problem(link: Path, base: Path, what: str) -> str | None:
    """Why a symbolic link below `base` is not followed (Chinese), or None for a link inside it.

    Its target is not named: the message must not tell what lies outside the inputs.
    """
    display = link.relative_to(base).as_posix()
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop of links
        return f"“{display}”是符号链接，指向的{what}不存在（悬空链接），未读取。"
    if target != base and base not in target.parents:
        return f"“{display}”是符号链接，指向输入文件夹之外的{what}，未读取（只读取所给文件夹内的文件）。"
    return None


def top_folder(display: str) -> str:
    """The top folder a file lies in under the folder checked, from its display path ('甲局/' for
    甲局/付款.xlsx; '' for the files beside the folders): a batch run's unit of work, and the scope
    in which the gate pairs a journal with its 科目余额表."""
    parts = display.split("/")
    return parts[0] + "/" if len(parts) > 1 else ""


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_file(path: Path, display: str) -> dict[str, SheetFacts]:
    """Raise UnsafeFile (Chinese message naming the file) when the file must not be parsed.

    For a workbook, returns what the scan saw in each worksheet member (merged ranges, whether
    it holds formulas), so that the reader need not look at the sheets' XML a second time."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFile(f"文件“{display}”为空（0 字节），无法读取。")
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(8)
    if suffix in (".xlsx", ".xlsm"):
        return _check_ooxml(path, display, head)
    if suffix == ".xls":
        _check_xls(path, display, head)
    elif suffix == ".csv":
        _check_csv(path, display)
    return {}


def _check_ooxml(path: Path, display: str, head: bytes) -> dict[str, SheetFacts]:
    if head.startswith(OLE2_MAGIC):
        if _holds_encrypted_package(path):
            raise UnsafeFile(f"文件“{display}”：工作簿已加密（设有打开密码），无法读取。请取消密码后另存。")
        raise UnsafeFile(
            f"文件“{display}”：扩展名为 {path.suffix}，但内容是旧版 Excel（.xls）格式。请用 Excel 另存为 .xlsx 后再检查。"
        )
    if not head.startswith(ZIP_MAGIC):
        raise UnsafeFile(
            f"文件“{display}”：扩展名为 {path.suffix}，但内容不是 Excel 工作簿（{_describe_content(head)}）。"
        )
    return _check_zip(path, display)


def _check_xls(path: Path, display: str, head: bytes) -> None:
    if head.startswith(OLE2_MAGIC):
        return
    if head.startswith(ZIP_MAGIC):
        raise UnsafeFile(
            f"文件“{display}”：扩展名为 .xls，但内容是新版 Excel（.xlsx）格式。请把扩展名改为 .xlsx 后再检查。"
        )
    raise UnsafeFile(f"文件“{display}”：扩展名为 .xls，但内容不是 Excel 工作簿（{_describe_content(head)}）。")


def _describe_content(head: bytes) -> str:
    """What the first bytes suggest, so the user knows what the file really is."""
    lowered = head.lower()
    if lowered.startswith((b"<html", b"<!doc", b"<?xml", b"<table", b"<meta")):
        return "实为网页/XML 文本，常见于业务系统导出的“伪 xls”，请用 Excel 打开后另存为 .xlsx"
    if head.startswith(b"%PDF"):
        return "实为 PDF 文件"
    return "无法识别的文件格式"


def _holds_encrypted_package(path: Path) -> bool:
    # The OLE2 directory is small and near the start for these files; scan a bounded prefix.
    with open(path, "rb") as handle:
        return ENCRYPTED_STREAM in handle.read(4 * 1024 * 1024)


# Zip members the readers may be made to fail on in ways a worker limit must not be needed for.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error,
               NotImplementedError, RuntimeError, KeyError)
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([^\"']{1,40})[\"']")
_RANGE_END = re.compile(r"([A-Z]{1,7})([0-9]{1,12})$")
# <mergeCell ref="A1:C1"/> entries of a worksheet's <mergeCells>, after its <sheetData>.
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\sref=\"([^\"]{1,40})\"")
_MERGE_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?$")

# The bytes the scan looks for (numpy compares whole windows of bytes with them).
_EQUALS, _QUOTE, _APOSTROPHE, _LT, _GT, _COLON = (ord(c) for c in '="\'<>:')
_R, _O, _W, _F = (ord(c) for c in "rowf")
_A, _ZERO = np.uint8(ord("A")), np.uint8(ord("0"))
_REF_BACKWARDS = np.frombuffer(b"fer", dtype=np.uint8)  # ref= read from the =
_F_OPENERS = np.array([ord("<"), ord(":")], dtype=np.uint8)  # <f>, <x:f>
_WHITESPACE = np.zeros(256, dtype=bool)  # as \s in a bytes regex
_WHITESPACE[list(b" \t\n\r\x0b\x0c")] = True
_UPPER = np.zeros(256, dtype=bool)
_UPPER[ord("A"):ord("Z") + 1] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0"):ord("9") + 1] = True
_WORD = _UPPER | _DIGIT  # as \w in a bytes regex
_WORD[ord("a"):ord("z") + 1] = True
_WORD[ord("_")] = True
_LETTERS_MAX, _DIGITS_MAX = 7, 12  # of a reference: XFD1048576 has 3 and 7
_WINDOW = _LETTERS_MAX + _DIGITS_MAX + 1  # a reference's value and its closing quote
_GAP = 32  # bytes between a row tag's start and its r= looked at directly
_TAIL_TAG_BYTES = _CHUNK  # a tag cut by the chunk boundary is carried whole when it is no longer


@dataclasses.dataclass
class SheetFacts:
    """What the safety scan saw in one worksheet member, for the reader."""

    merged: list[tuple[tuple[int, int], tuple[int, int]]]  # 0-based, as calamine gives them
    formulas: bool  # whether any formula element may be present


def _check_zip(path: Path, display: str) -> dict[str, SheetFacts]:
    broken = f"文件“{display}”已损坏或不完整（ZIP 结构无法读取），可能是下载或复制未完成。"
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_declared(display, members)
            return _check_members(archive, display, members)
    except _ZIP_ERRORS:
        raise UnsafeFile(broken) from None


def _check_declared(display: str, members: list[zipfile.ZipInfo]) -> None:
    """What the ZIP directory claims: structure, total size, compression ratio, sheet count."""
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise UnsafeFile(f"文件“{display}”不是有效的 Excel 工作簿（缺少工作簿结构）。")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeFile(_too_large(display, total))
    for member in members:
        if member.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise UnsafeFile(
                    f"文件“{display}”中的“{member.filename}”压缩比高达 {ratio:.0f} 倍，疑似压缩炸弹，已拒绝读取。"
                )
    sheets = sum(1 for member in members if _WORKSHEET.match(member.filename))
    if sheets > MAX_SHEETS:
        raise UnsafeFile(f"文件“{display}”有 {sheets} 个工作表，超过上限 {MAX_SHEETS} 个，不像是台账，已拒绝读取。")


def _too_large(display: str, total: int) -> str:
    return (f"文件“{display}”解压后达 {total / 1024 / 1024:.0f} MB，超过上限 "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB，疑似压缩炸弹，已拒绝读取。")


def _check_members(archive: zipfile.ZipFile, display: str, members: list[zipfile.ZipInfo]) -> dict[str, SheetFacts]:
    """What the members really hold: each is decompressed (in chunks, capped), never trusted.

    The directory's sizes can lie (50 KB claimed, 1.9 GB real): the stream is read to its end
    with the claim lifted, so the count is what a reader would get. A worksheet's declared range
    and farthest cell are checked on the way, and its merged ranges and formulas noted.
    """
    total = 0
    facts: dict[str, SheetFacts] = {}
    for member in members:
        probe = copy.copy(member)
        probe.file_size = 1 << 62  # read on past the claim, to the stream's real end; the cap is ours
        scan = _SheetScan(member.filename) if _WORKSHEET.match(member.filename) else None
        with archive.open(probe) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise UnsafeFile(
                        f"文件“{display}”解压后超过上限 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB"
                        f"（ZIP 目录中申报的大小与实际不符，已读到“{member.filename}”），疑似压缩炸弹，已拒绝读取。"
                    )
                if scan is not None:
                    scan.feed(chunk)
        if scan is not None:
            scan.check(display)
            facts[member.filename] = scan.facts()
    return facts


def column_number(letters: str) -> int:
    """'A' → 1, 'XFD' → 16384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _merged_range(reference: bytes) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """b"B2:D3" → ((1, 1), (2, 3)); one cell (b"B2") spans itself; None when malformed."""
    found = _MERGE_REF.match(reference.decode("ascii", "replace").upper().replace("$", ""))
    if not found:
        return None
    first_col, first_row, last_col, last_row = found.groups()
    start = (int(first_row) - 1, column_number(first_col) - 1)
    end = (int(last_row) - 1, column_number(last_col) - 1) if last_col else start
    return start, end


class _SheetScan:
    """The farthest row and column a worksheet's XML names, read chunk by chunk.

    What counts, as the readers take it: the <dimension ref> declared, every cell reference
    (` r="XFD1048576"`: 1-7 letters, 1-12 digits) and every row number (` r="1048576"` inside a
    <row …> or <x:row …> tag). The bytes are looked at with numpy, never cell by cell in Python:
    a 500k-row sheet holds millions of references.
    """

    def __init__(self, member: str):
        self.member = member
        self.rows = 0
        self.columns = 0
        self.declared: str | None = None
        self.formulas = False
        self._merged: list[bytes] = []
        self._tail = b""
        self._open_row: int | None = None  # where a <row …> tag the window ends inside starts

    def feed(self, chunk: bytes) -> None:
        # What may be cut by the chunk boundary is seen whole in the next round: the tail repeats
        # the last 64 bytes (a reference is at most 24), or from the last tag's start when it is
        # nearer than _TAIL_TAG_BYTES (a long <row …> tag, r =   "A1").
        data = self._tail + chunk
        if self.declared is None:
            found = _DIMENSION.search(data)
            if found:
                self.declared = found.group(1).decode("ascii", "replace")
                self._extend(self.declared.split(":")[-1])
        array = np.frombuffer(data, dtype=np.uint8)
        equals = np.flatnonzero(array[1:-1] == _EQUALS) + 1  # every attribute's =
        self._references(array, equals)
        if not self.formulas:
            f = np.flatnonzero(array[1:] == _F) + 1  # <f> or <x:f>, as a byte pair
            self.formulas = bool(np.isin(array[f - 1], _F_OPENERS).any())
        # Every <mergeCell … ref="…"> has a ref= (a cheap test on the = found) before the search.
        before = np.maximum(equals[:, None] - np.arange(1, 4), 0)
        named_ref = (array[before] == _REF_BACKWARDS).all(axis=1)
        if named_ref.any() and b"mergeCell" in data:
            # A match lying wholly in the tail was taken in the previous round.
            self._merged.extend(found.group(1) for found in _MERGE_CELL.finditer(data)
                                if found.end() > len(self._tail))
        last_tag = data.rfind(b"<", max(0, len(data) - _TAIL_TAG_BYTES))
        cut = max(0, len(data) - 64 if last_tag < 0 else min(len(data) - 64, last_tag))
        self._tail = data[cut:]
        if self._open_row is not None:
            self._open_row -= cut  # where it starts in the next window (below 0: before it)

    def _references(self, array: np.ndarray, equals: np.ndarray) -> None:
        """Cell references and row numbers of the `r="…"` attributes in this window."""
        row_tags = _row_tag_starts(array)
        # A row tag left open that started in the tail is among row_tags again; one that started
        # before the window holds what comes before the window's first >.
        open_before = self._open_row is not None and self._open_row < 0
        if len(row_tags):
            self._open_row = int(row_tags[-1]) if array[row_tags[-1]:].tobytes().find(b">") < 0 else None
        elif not open_before or (array == _GT).any():
            self._open_row = None
        r_at, value_at, quotes = _r_attributes(array, equals)
        if not len(r_at):
            return
        padded = np.concatenate([array, np.zeros(_WINDOW + _GAP, dtype=np.uint8)])
        letters, digits, column, number = _values(padded, value_at, quotes)
        valid = (digits >= 1) & (digits <= _DIGITS_MAX)
        cells = valid & (letters >= 1) & (letters <= _LETTERS_MAX) & (r_at >= 1)
        cells[cells] = _WHITESPACE[array[r_at[cells] - 1]]
        if cells.any():
            self.columns = max(self.columns, int(column[cells].max()))
            self.rows = max(self.rows, int(number[cells].max()))
        rows = valid & (letters == 0)
        if rows.any():
            rows[rows] = _inside_row_tag(padded, len(array), r_at[rows], row_tags, open_before)
            if rows.any():
                self.rows = max(self.rows, int(number[rows].max()))

    def facts(self) -> SheetFacts:
        return SheetFacts(merged=[r for r in map(_merged_range, self._merged) if r is not None],
                          formulas=self.formulas)

    def _extend(self, reference: str) -> None:
        found = _RANGE_END.search(reference.upper())
        if found:
            self.columns = max(self.columns, column_number(found.group(1)))
            self.rows = max(self.rows, int(found.group(2)))

    def check(self, display: str) -> None:
        where = f"文件“{display}”的工作表（{self.member.rsplit('/', 1)[-1]}）"
        if self.columns > MAX_COLUMNS:
            raise UnsafeFile(f"{where}用到第 {self.columns} 列，超过 Excel 的上限 {MAX_COLUMNS} 列，文件已损坏或被篡改，已拒绝读取。")
        cells = self.rows * self.columns
        if cells > MAX_SHEET_CELLS:
            raise UnsafeFile(
                f"{where}的范围达 {self.rows} 行 × {self.columns} 列（约 {cells / 10000:.0f} 万个单元格），"
                f"超过上限 {MAX_SHEET_CELLS // 10000} 万个单元格，读取会耗尽内存，已拒绝读取。"
                "如确为台账，请删除远处的空白单元格或拆分后再检查。"
            )


def _row_tag_starts(array: np.ndarray) -> np.ndarray:
    """Where each `<row` or `<prefix:row` tag followed by whitespace starts, in order."""
    o = np.flatnonzero(array[2:-2] == _O) + 2
    o = o[(array[o - 1] == _R) & (array[o + 1] == _W) & _WHITESPACE[array[o + 2]]]
    before = array[o - 2]
    starts = o[before == _LT] - 2
    colons = o[before == _COLON] - 2
    if len(colons):
        # <x:row: one or more word bytes between the < and the colon
        word = _WORD[array]
        last_other = np.maximum.accumulate(np.where(word, -1, np.arange(len(array))))
        opening = last_other[colons - 1]
        named = (opening >= 0) & (opening < colons - 1)
        named[named] = array[opening[named]] == _LT
        starts = np.sort(np.concatenate([starts, opening[named]]))
    return starts


def _inside_row_tag(padded: np.ndarray, size: int, at: np.ndarray, starts: np.ndarray, open_before: bool) -> np.ndarray:
    """Whether each position lies inside a row tag: after its start, before its closing >."""
    index = np.searchsorted(starts, at) - 1
    start = np.where(index >= 0, starts[np.maximum(index, 0)], -1) if len(starts) else np.full(len(at), -1)
    inside = (index >= 0) | open_before
    # Mostly <row r="5": the few bytes between the tag's start and the r hold no >.
    gap = at - start
    near = inside & (start >= 0) & (gap <= _GAP)
    if near.any():
        between = padded[start[near][:, None] + np.arange(_GAP)]
        inside[near] = ~((between == _GT) & (np.arange(_GAP) < gap[near][:, None])).any(axis=1)
    far = inside & ~near
    if far.any():
        closing = np.append(np.flatnonzero(padded[:size] == _GT), size)  # size: not closed here
        inside[far] = closing[np.searchsorted(closing, start[far], side="right")] > at[far]
    return inside


def _r_attributes(array: np.ndarray, equals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `r` attributes among the = of a window: where each r is, where its value starts, and
    the quote that opens it. XML allows r='A1' and r = "A1", and calamine reads both."""
    size = len(array)
    left, right = equals - 1, equals + 1
    spaced_left, spaced_right = _WHITESPACE[array[left]], _WHITESPACE[array[right]]
    if spaced_left.any() or spaced_right.any():
        solid = np.flatnonzero(~_WHITESPACE[array])
        if spaced_left.any():
            at = np.searchsorted(solid, equals[spaced_left]) - 1
            left[spaced_left] = np.where(at >= 0, solid[np.maximum(at, 0)], -1)
        if spaced_right.any():
            at = np.searchsorted(solid, equals[spaced_right], side="right")
            right[spaced_right] = np.where(at < len(solid), solid[np.minimum(at, len(solid) - 1)], size)
        inside = (left >= 0) & (right < size)
        left, right = left[inside], right[inside]
    quotes = array[right]
    named_r = (array[left] == _R) & ((quotes == _QUOTE) | (quotes == _APOSTROPHE))
    return left[named_r], right[named_r] + 1, quotes[named_r]


def _values(padded: np.ndarray, start: np.ndarray, quotes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each attribute value from `start`: how many letters it starts with, how many digits
    follow them before its closing quote (-1: no such quote there), and both as numbers (A = 1).

    Read a byte position at a time over all values at once, letters then digits; a value
    drops out at its first byte of another kind (a reference is some ten bytes: a few rounds).
    """
    count = len(start)
    letters = np.full(count, _LETTERS_MAX + 1, dtype=np.int64)  # a value still going is too long
    column = np.zeros(count, dtype=np.int64)
    active = np.arange(count)
    for k in range(_LETTERS_MAX + 1):
        byte = padded[start[active] + k]
        letter = (byte - _A) < 26  # uint8 arithmetic: what lies below A wraps round above
        letters[active[~letter]] = k
        active = active[letter]
        if not len(active):
            break
        column[active] = column[active] * 26 + byte[letter].astype(np.int64) - 64
    digits = np.full(count, -1, dtype=np.int64)
    number = np.zeros(count, dtype=np.int64)
    first = start + np.minimum(letters, _LETTERS_MAX)
    active = np.flatnonzero(letters <= _LETTERS_MAX)
    for k in range(_DIGITS_MAX + 1):
        byte = padded[first[active] + k]
        digit = (byte - _ZERO) < 10
        closed = active[byte == quotes[active]]
        digits[closed] = k
        active = active[digit]
        if not len(active):
            break
        number[active] = number[active] * 10 + byte[digit].astype(np.int64) - 48
    return letters, digits, column, number


def _check_csv(path: Path, display: str) -> None:
    """Line length and field count, read line by line with a cap (never a whole huge line at once)."""
    lines = 0
    widest = 0
    with open(path, "rb") as handle:
        while line := handle.readline(MAX_CSV_LINE_BYTES + 1):
            lines += 1
            if len(line) > MAX_CSV_LINE_BYTES and not line.endswith(b"\n"):
                raise UnsafeFile(
                    f"文件“{display}”第 {lines} 行超过 {MAX_CSV_LINE_BYTES // 1024 // 1024} MB，超过单行长度上限，"
                    "不像是台账，已拒绝读取。"
                )
            fields = max(line.count(d) for d in (b",", b"\t", b";", b"|")) + 1
            if fields > MAX_COLUMNS:
                raise UnsafeFile(
                    f"文件“{display}”第 {lines} 行有约 {fields} 个字段，超过上限 {MAX_COLUMNS} 列，已拒绝读取。"
                )
            widest = max(widest, fields)
            if lines * widest > MAX_SHEET_CELLS:
                raise UnsafeFile(
                    f"文件“{display}”超过 {MAX_SHEET_CELLS // 10000} 万个单元格的上限（已到第 {lines} 行，"
                    f"{widest} 列），已拒绝读取。"
                )

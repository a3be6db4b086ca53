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
_R, _O, _W, _F, _E = (ord(c) for c in "rowfe")
_A, _ZERO = np.uint8(ord("A")), np.uint8(ord("0"))
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
# Zero bytes after a window: a value read on past its end finds no quote there (at least
# _WINDOW + _GAP, what the general way reads on past a value or a row tag's start).
_PADDING = 64
# A value's first eight bytes are read as one little-endian word and classified at once (SWAR).
_U64 = np.uint64
_ROW_OPENING = _U64(int.from_bytes(b"<row", "little"))
_SEVEN_BITS, _HIGH_BITS, _LOW_NIBBLES, _FROM_A, _UP_TO_Z, _FROM_0, _UP_TO_9 = (
    _U64(byte * 0x0101010101010101)  # the byte in each of the eight places
    for byte in (0x7F, 0x80, 0x0F, 0x80 - ord("A"), 0x80 + ord("Z"), 0x80 - ord("0"), 0x80 + ord("9")))
_FROM_QUOTE, _UP_TO_QUOTE = (_U64(byte * 0x0101010101010101) for byte in (0x80 - _QUOTE, 0x80 + _QUOTE))
_GATHER_HIGH_BITS = _U64(0x0102040810204080)
_UNDECIDED = -2  # in `digits`: a value longer than its first eight bytes, read the general way


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
    a 500k-row sheet holds millions of references. A window spelled as writers spell it (r="A1")
    takes a quick path that reads each value's first eight bytes as one word; any other spelling
    XML allows (r = 'A1') the general one. Both see the same references.
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
        self._window = _Window()

    def feed(self, chunk: bytes) -> None:
        # What may be cut by the chunk boundary is seen whole in the next round: the tail repeats
        # the last 64 bytes (a reference is at most 24), or from the last tag's start when it is
        # nearer than _TAIL_TAG_BYTES (a long <row …> tag, r =   "A1").
        window = self._window
        window.fill(self._tail, chunk)
        data, size = window.data, window.size
        if self.declared is None:
            found = _DIMENSION.search(data, 0, size)
            if found:
                self.declared = found.group(1).decode("ascii", "replace")
                self._extend(self.declared.split(":")[-1])
        equals = np.flatnonzero(window.equal(_EQUALS, 1, size - 1)) + 1  # every attribute's =
        before, after = window.padded[equals - 1], window.padded[equals + 1]
        open_before = self._open_row is not None and self._open_row < 0
        if _plainly_spelled(before, after):
            columns, rows = _plain_references(window, equals, before, after, open_before)
        else:
            columns, rows = _spelled_references(window, equals, open_before)
        self.columns, self.rows = max(self.columns, columns), max(self.rows, rows)
        self._open_row = _open_row_tag(window, self._open_row if open_before else None)
        if not self.formulas:
            f = window.equal(_F, 1, size)
            if f.any():  # <f> or <x:f>, as a byte pair
                self.formulas = bool(np.isin(window.padded[np.flatnonzero(f)], _F_OPENERS).any())
        # Every <mergeCell … ref="…"> has a ref= (a cheap test on the = found) before the search.
        if _names_ref(window.padded, equals[before == _F]) and data.find(b"mergeCell", 0, size) >= 0:
            # A match lying wholly in the tail was taken in the previous round.
            self._merged.extend(found.group(1) for found in _MERGE_CELL.finditer(data, 0, size)
                                if found.end() > len(self._tail))
        last_tag = data.rfind(b"<", max(0, size - _TAIL_TAG_BYTES), size)
        cut = max(0, size - 64 if last_tag < 0 else min(size - 64, last_tag))
        self._tail = bytes(memoryview(data)[cut:size])
        if self._open_row is not None:
            self._open_row -= cut  # where it starts in the next window (below 0: before it)

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


class _Window:
    """One round's bytes (the tail carried over, then the chunk), in a buffer kept between rounds.

    Reusing the buffer spares a fresh megabyte (and its page faults) per chunk; the zero bytes
    after the window let a value that runs to its end be read on without a bounds test."""

    def __init__(self):
        self.data = bytearray()
        self.size = 0
        self._grow(0)

    def _grow(self, size: int) -> None:
        self.data = bytearray(size + _PADDING)
        self.padded = np.frombuffer(self.data, dtype=np.uint8)  # the window, then _PADDING zeros (indexed from 0)
        # Eight bytes from any position as one little-endian word: every value read in one gather.
        self.words = np.ndarray((len(self.data) - 7,), dtype="<u8", buffer=self.data, strides=(1,))
        self._flags = np.empty(len(self.data), dtype=bool)

    def fill(self, tail: bytes, chunk: bytes) -> None:
        self.size = size = len(tail) + len(chunk)
        if len(self.data) < size + _PADDING:
            self._grow(size)
        self.data[:len(tail)] = tail
        self.data[len(tail):size] = chunk
        self.data[size:size + _PADDING] = bytes(_PADDING)

    @property
    def array(self) -> np.ndarray:
        return self.padded[:self.size]

    def equal(self, byte: int, start: int, end: int) -> np.ndarray:
        """Whether each byte from start to end is `byte` (in a reused array: read it before the next call)."""
        flags = self._flags[:max(end - start, 0)]
        np.equal(self.padded[start:max(end, start)], byte, out=flags)
        return flags


def _plainly_spelled(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether every = of the window stands as writers put it: no space around it, no r='…'.

    Those windows (all that Excel, openpyxl or XlsxWriter write) take the quick path; a space or
    control byte (a superset of XML's spaces) or an apostrophe sends the window the general way."""
    return not ((before <= 32) | (after <= 32) | (after == _APOSTROPHE)).any()


def _plain_references(window: _Window, equals: np.ndarray, before: np.ndarray, after: np.ndarray,
                      open_before: bool) -> tuple[int, int]:
    """The farthest column and row the `r="…"` attributes of a plainly spelled window name."""
    r_at = equals[(before == _R) & (after == _QUOTE)] - 1
    if not len(r_at):
        return 0, 0
    value_at = r_at + 3
    letters, digits, column, number = _short_values(window.words[value_at])
    undecided = digits == _UNDECIDED
    if undecided.any():  # runs past eight bytes (AB123456…): read as the general way does
        quotes = np.full(int(undecided.sum()), _QUOTE, dtype=np.uint8)
        long_values = _values(window.padded, value_at[undecided], quotes)
        for values, long in zip((letters, digits, column, number), long_values):
            values[undecided] = long
    return _farthest(window, r_at, letters, digits, column, number, open_before)


def _spelled_references(window: _Window, equals: np.ndarray, open_before: bool) -> tuple[int, int]:
    """The same, for a window with r = "…" or r='…' (XML allows them, and calamine reads them)."""
    r_at, value_at, quotes = _r_attributes(window.array, equals)
    if not len(r_at):
        return 0, 0
    letters, digits, column, number = _values(window.padded, value_at, quotes)
    return _farthest(window, r_at, letters, digits, column, number, open_before)


def _farthest(window: _Window, r_at: np.ndarray, letters: np.ndarray, digits: np.ndarray, column: np.ndarray,
              number: np.ndarray, open_before: bool) -> tuple[int, int]:
    """The farthest column and row among the values read: cell references (after a space) and
    row numbers (inside a row tag)."""
    valid = (digits >= 1) & (digits <= _DIGITS_MAX)
    # (r_at - 1 is -1 for an r opening the window: whatever that reads, the last test drops it)
    spaced = _WHITESPACE[window.padded[r_at - 1]] & (r_at >= 1)
    cells = valid & (letters >= 1) & (letters <= _LETTERS_MAX) & spaced
    columns, rows = int(column.max(where=cells, initial=0)), int(number.max(where=cells, initial=0))
    row_numbers = valid & (letters == 0)
    if row_numbers.any():
        inside = _inside_row_tags(window, r_at[row_numbers], open_before)
        rows = max(rows, int(number[row_numbers].max(where=inside, initial=0)))
    return columns, rows


def _inside_row_tags(window: _Window, at: np.ndarray, open_before: bool) -> np.ndarray:
    """Whether each r lies inside a row tag. Mostly it follows the tag's name (<row r="5"): no >
    can lie between; the others are looked for among the window's row tags."""
    start = np.maximum(at - 5, 0)
    opening = window.words[start] & _U64(0xFFFFFFFF)
    inside = (at >= 5) & (opening == _ROW_OPENING) & _WHITESPACE[window.padded[at - 1]]
    if not inside.all():
        rest = ~inside
        inside[rest] = _inside_row_tag(window.padded, window.size, at[rest], _row_tag_starts(window.array),
                                       open_before)
    return inside


def _open_row_tag(window: _Window, carried: int | None) -> int | None:
    """Where the row tag the window ends inside starts: the last one begun after the last >.
    A tag begun before the window (at `carried`, below 0) is still open when no > came."""
    last_close = window.data.rfind(b">", 0, window.size)
    starts = _row_tag_starts(window.padded[last_close + 1:window.size])
    if len(starts):
        return last_close + 1 + int(starts[-1])
    return carried if last_close < 0 else None


def _names_ref(array: np.ndarray, f_equals: np.ndarray) -> bool:
    """Whether any of these = (each after an f) closes `ref`."""
    return bool(((array[np.maximum(f_equals - 2, 0)] == _E) & (array[np.maximum(f_equals - 3, 0)] == _R)).any())


def _short_values(words: np.ndarray) -> tuple[np.ndarray, ...]:
    """What `_values` tells of each value, from its first eight bytes (one word each) at once.

    A value closed within them (A1" … K500004") is decided here; one that may be a longer
    reference (AB123456…) is marked _UNDECIDED in `digits`, to be read the general way."""
    shape = _byte_classes(words)
    letters, digits = _SHAPE_LETTERS[shape], _SHAPE_DIGITS[shape]
    valid = digits > 0
    letters_read = np.where(valid, letters, 0)
    column = _letters_value(words, letters_read)
    number = _digits_value(words, letters_read, np.where(valid, digits, 8))
    return letters, digits, column, number


def _byte_classes(words: np.ndarray) -> np.ndarray:
    """The class of each of the eight bytes of each word, as two bit masks in 16 bits (bit i and
    bit 8 + i for byte i): capital letter 1 and 0, digit 0 and 1, double quote 1 and 1."""
    seven = words & _SEVEN_BITS
    ascii_ = ~words & _HIGH_BITS
    # A byte's high bit after seven + (0x80 - low) says it is at least low; after (0x80 + high)
    # - seven, at most high. Neither carries into the next byte (seven is below 0x80).
    letters = (seven + _FROM_A) & (_UP_TO_Z - seven)
    digits = (seven + _FROM_0) & (_UP_TO_9 - seven)
    quotes = (seven + _FROM_QUOTE) & (_UP_TO_QUOTE - seven)
    # The eight high bits gathered in one byte: bit 8i + 7 moves to bit 56 + i, with no carry.
    low = (((letters | quotes) & ascii_) >> _U64(7)) * _GATHER_HIGH_BITS >> _U64(56)
    high = ((((digits | quotes) & ascii_) >> _U64(7)) * _GATHER_HIGH_BITS >> _U64(48)) & _U64(0xFF00)
    return (low | high).astype(np.intp)


def _value_shapes() -> tuple[np.ndarray, np.ndarray]:
    """For each 16-bit class mask of `_byte_classes`: how many capital letters the eight bytes
    start with, and how many digits follow them before a quote (-1: not a reference; _UNDECIDED:
    digits to the eighth byte, no quote yet)."""
    shape = np.arange(1 << 16)[:, None]
    low, high = (shape >> np.arange(8)) & 1 == 1, (shape >> np.arange(8, 16)) & 1 == 1
    letter, digit, quote = low & ~high, high & ~low, low & high
    letters = np.where(letter.all(axis=1), 8, np.argmin(letter, axis=1))
    closing = np.where(quote.any(axis=1), np.argmax(quote, axis=1), 8)
    before = np.concatenate([np.zeros((len(shape), 1), dtype=np.int64), np.cumsum(digit, axis=1)], axis=1)
    rows = np.arange(len(shape))
    digits_between = before[rows, closing] - before[rows, letters]
    valid = (closing < 8) & (closing > letters) & (digits_between == closing - letters)
    undecided = (closing == 8) & (letters <= _LETTERS_MAX) & (digits_between == 8 - letters)
    digits = np.where(valid, closing - letters, np.where(undecided, _UNDECIDED, -1))
    return letters.astype(np.int16), digits.astype(np.int16)


def _letters_value(words: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """The column number the first `letters` bytes of each word spell (A = 1, AA = 27)."""
    column = np.zeros(len(words), dtype=np.int64)
    for k in range(int(letters.max()) if len(letters) else 0):
        byte = ((words >> _U64(8 * k)) & _U64(0xFF)).astype(np.int64)
        column = np.where(letters > k, column * 26 + byte - 64, column)
    return column


_SHAPE_LETTERS, _SHAPE_DIGITS = _value_shapes()


def _digits_value(words: np.ndarray, letters: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The number the `digits` bytes after the letters spell (at most 8 digits), eight at a time.

    The digits are moved to the word's top bytes (zeros below act as leading zeros), then pairs,
    quads and octets of digits are summed by three multiplications (the well-known SWAR parse)."""
    value = (words >> (letters.astype(np.uint64) << _U64(3))) << ((8 - digits).astype(np.uint64) << _U64(3))
    value = ((value & _LOW_NIBBLES) * _U64(10 * 256 + 1)) >> _U64(8)
    value = ((value & _U64(0x00FF00FF00FF00FF)) * _U64(100 * 65536 + 1)) >> _U64(16)
    value = ((value & _U64(0x0000FFFF0000FFFF)) * _U64(10000 * (1 << 32) + 1)) >> _U64(32)
    return value.astype(np.int64)


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

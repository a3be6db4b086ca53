"""Find the ledger files under the paths given and check each one is safe to parse.

Nothing here parses a sheet: it lists files, hashes them and looks at their first bytes and
ZIP directory, so that a corrupt, encrypted, mislabelled or zip-bomb file becomes one clear
Chinese message instead of a crash (or a machine out of memory) in the reader.
Files are only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import NamedTuple

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


class FoundFile(NamedTuple):
    """(abs_path, display_name, base_dir): a plain tuple with names."""

    path: Path  # absolute
    display: str  # relative to the directory given ('/' separated); a file given directly: as given
    base_dir: Path | None  # the directory given, None for a file given directly


class UnsafeFile(Exception):
    """A file that must not (or cannot) be parsed; the message is Chinese and user-facing."""


def _is_hidden_or_lock(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def discover(paths: list[str | Path]) -> list[FoundFile]:
    """Every ledger file under the paths given, in a stable order.

    A directory contributes every .xlsx/.xlsm/.xls/.csv below it (recursive, sorted),
    skipping Office lock files (~$…) and hidden files and folders. A file given directly is
    taken as given, whatever its name. A path that does not exist raises FileNotFoundError.
    """
    found: list[FoundFile] = []
    seen: set[Path] = set()
    for given in paths:
        given_path = Path(given)
        if given_path.is_dir():
            base = given_path.resolve()
            candidates = sorted(
                (p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in LEDGER_EXTENSIONS),
                key=lambda p: p.relative_to(base).as_posix(),
            )
            for path in candidates:
                relative = path.relative_to(base)
                if _is_hidden_or_lock(relative) or path in seen:
                    continue
                seen.add(path)
                found.append(FoundFile(path, relative.as_posix(), base))
        elif given_path.is_file():
            path = given_path.resolve()
            if path not in seen:
                seen.add(path)
                found.append(FoundFile(path, given_path.as_posix(), None))
        else:
            raise FileNotFoundError(f"找不到路径：{given}")
    return found


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_file(path: Path, display: str) -> None:
    """Raise UnsafeFile (Chinese message naming the file) when the file must not be parsed."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFile(f"文件“{display}”为空（0 字节），无法读取。")
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(8)
    if suffix in (".xlsx", ".xlsm"):
        _check_ooxml(path, display, head)
    elif suffix == ".xls":
        _check_xls(path, display, head)


def _check_ooxml(path: Path, display: str, head: bytes) -> None:
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
    _check_zip(path, display)


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


def _check_zip(path: Path, display: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeFile(f"文件“{display}”已损坏或不完整（ZIP 结构无法读取），可能是下载或复制未完成。") from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise UnsafeFile(f"文件“{display}”不是有效的 Excel 工作簿（缺少工作簿结构）。")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeFile(
            f"文件“{display}”解压后达 {total / 1024 / 1024:.0f} MB，超过上限 "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB，疑似压缩炸弹，已拒绝读取。"
        )
    for member in members:
        if member.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise UnsafeFile(
                    f"文件“{display}”中的“{member.filename}”压缩比高达 {ratio:.0f} 倍，疑似压缩炸弹，已拒绝读取。"
                )

"""Fuzz the ledger readers: mutate good xlsx, xls and csv files and read them under the limits.

Mutations: bit flips, truncation, swapped ZIP members, XML edits (far cell references, huge
dimensions, broken tags, entities) and lies in the ZIP size fields. Each batch of mutants is
read by `load_ledgers` (every file in a worker under the memory and time limits) beside a good
ledger; the counts say how each file ended. "unhandled" is anything that escaped: load_ledgers
raising, the good ledger not read, a file without its own error or table, or an exception that
escaped the reader itself (caught only by the worker).

    .venv/bin/python benchmarks/fuzz_readers.py [SECONDS] [SEED]     (default 600 s, seed 1)
"""

from __future__ import annotations

import io
import random
import re
import struct
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

PAYMENTS = [["日期", "凭证号", "摘要", "金额", "收款单位", "发票号码"],
            ["2019-05-03", "记-001", "办公用品", 1200, "甲公司", "00571234"],
            ["2019-05-04", "记-002", "印刷费", 300.5, "乙公司", "00571235"],
            ["合计", None, None, 1500.5, None, None]]


def seed_files() -> dict[str, bytes]:
    """One good file of each format, built here (nothing is checked in)."""
    import openpyxl

    seeds: dict[str, bytes] = {}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "付款明细"
    for row in PAYMENTS:
        sheet.append(row)
    sheet.merge_cells("A6:B6")
    workbook.create_sheet("说明")["A1"] = "注：单位为元"
    buffer = io.BytesIO()
    workbook.save(buffer)
    seeds[".xlsx"] = buffer.getvalue()
    try:
        import xlwt
    except ImportError:
        pass
    else:
        book = xlwt.Workbook(encoding="utf-8")
        page = book.add_sheet("付款明细")
        for r, row in enumerate(PAYMENTS):
            for c, value in enumerate(row):
                if value is not None:
                    page.write(r, c, value)
        buffer = io.BytesIO()
        book.save(buffer)
        seeds[".xls"] = buffer.getvalue()
    seeds[".csv"] = "\n".join(",".join("" if v is None else str(v) for v in row) for row in PAYMENTS).encode()
    return seeds


# ---- mutations ------------------------------------------------------------------------------


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _members(data: bytes) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except Exception:  # noqa: BLE001 - not a (readable) zip: the mutation does not apply
        return None


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def swap_members(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    if not members or len(members) < 2:
        return flip_bits(data, rng)
    a, b = rng.sample(sorted(members), 2)
    members[a], members[b] = members[b], members[a]
    return _zip(members)


XML_EDITS = [
    (rb'r="[A-Z]+[0-9]+"', lambda rng: b'r="%s%d"' % (rng.choice([b"XFD", b"CV", b"ZZ", b"AAA"]), rng.choice([1048576, 99999, 10**9]))),
    (rb'<dimension ref="[^"]*"', lambda rng: rng.choice([b'<dimension ref="A1:XFD1048576"', b'<dimension ref="A1:A0"', b'<dimension ref=":"'])),
    (rb"</[a-z]+>", lambda rng: b""),
    (rb"<v>[^<]*</v>", lambda rng: rng.choice([b"<v>1e999999</v>", b"<v>&#0;</v>", b"<v>" + b"9" * 400 + b"</v>", b"<v>-</v>"])),
    (rb'count="[0-9]+"', lambda rng: b'count="%d"' % rng.choice([0, 2**31, 2**63])),
    (rb"<sheet ", lambda rng: b'<sheet name="x" sheetId="99" r:id="rId99"/><sheet '),
    (rb"<?xml[^>]*>", lambda rng: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'),
]


def edit_xml(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    if not members:
        return flip_bits(data, rng)
    xml = [n for n in members if n.endswith((".xml", ".rels"))]
    name = rng.choice(xml)
    pattern, replacement = rng.choice(XML_EDITS)
    spots = list(re.finditer(pattern, members[name]))
    if not spots:
        return flip_bits(data, rng)
    spot = rng.choice(spots)
    content = members[name]
    members[name] = content[: spot.start()] + replacement(rng) + content[spot.end():]
    return _zip(members)


def lie_about_sizes(data: bytes, rng: random.Random) -> bytes:
    """Random values in the size fields of local headers and central directory entries."""
    out = bytearray(data)
    fields = [(b"PK\x03\x04", (18, 22)), (b"PK\x01\x02", (20, 24))]
    for magic, offsets in fields:
        at = out.find(magic)
        while at != -1:
            if rng.random() < 0.5:
                offset = rng.choice(offsets)
                if at + offset + 4 <= len(out):
                    struct.pack_into("<I", out, at + offset, rng.choice([0, 1, 50_000, 2**31, 2**32 - 1]))
            at = out.find(magic, at + 4)
    return bytes(out)


def csv_edit(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(4)
    if choice == 0:
        return data + b"\n" + b'"' + b"x" * rng.randint(1, 5000)  # an open quote to the end
    if choice == 1:
        return data.replace(b",", b"\t", rng.randint(1, 5))
    if choice == 2:
        return b"\xff\xfe" + data  # a BOM that lies
    return data + b"\n" + b"1," * rng.choice([rng.randint(10, 300), 20_000])


MUTATIONS = {
    ".xlsx": [flip_bits, truncate, swap_members, edit_xml, edit_xml, lie_about_sizes],
    ".xls": [flip_bits, flip_bits, truncate],
    ".csv": [flip_bits, truncate, csv_edit, csv_edit],
}


def mutants(seeds: dict[str, bytes], rng: random.Random, count: int):
    """(suffix, mutation name, bytes) × count, chosen by `rng`."""
    for _ in range(count):
        suffix = rng.choice(sorted(seeds))
        data = seeds[suffix]
        names = []
        for _ in range(rng.choice([1, 1, 2])):
            mutation = rng.choice(MUTATIONS[suffix])
            data = mutation(data, rng)
            names.append(mutation.__name__)
        yield suffix, "+".join(names), data or b"\x00"


# ---- running --------------------------------------------------------------------------------

OUTCOME_WORDS = [
    ("limit: memory", "内存超过上限"),
    ("limit: time", "时间上限"),
    ("limit: reader crashed", "读取程序异常退出"),
    ("panic in a native reader", "读取库内部错误"),
    ("escaped the reader", "读取时出现未预期的错误"),
]


def classify(message: str) -> str:
    for name, words in OUTCOME_WORDS:
        if words in message:
            return name
    return "clear error"


def run_batch(folder: Path, batch: list[tuple[str, str, bytes]]) -> tuple[Counter, list[str]]:
    """Write a batch beside a good ledger, read it, count how each mutant ended."""
    from audit_rules.ledgers import load_ledgers

    counts: Counter = Counter()
    problems: list[str] = []
    for old in folder.iterdir():
        old.unlink()
    good = folder / "000-good.csv"
    good.write_bytes(seed_files_cache()[".csv"])
    names = []
    for number, (suffix, mutation, data) in enumerate(batch, start=1):
        name = f"{number:03d}-{mutation}{suffix}"
        (folder / name).write_bytes(data)
        names.append(name)
    try:
        ledgers = load_ledgers([folder])
    except BaseException as error:  # noqa: BLE001 - exactly what the fuzzer looks for
        if isinstance(error, KeyboardInterrupt):
            raise
        counts["unhandled"] += len(batch)
        problems.append(f"load_ledgers raised {type(error).__name__}: {error}")
        return counts, problems
    if not any(t.file == good.name and t.kind for t in ledgers.tables):
        counts["unhandled"] += 1
        problems.append("the good ledger beside the mutants was not read")
    errors: dict[str, list[str]] = {}
    for error in ledgers.errors:
        errors.setdefault(error.file, []).append(error.message)
    tables = {t.file for t in ledgers.tables}
    for name in names:
        if name in errors:
            kinds = {classify(m) for m in errors[name]}
            for kind in kinds:
                counts[kind] += 1
            if "escaped the reader" in kinds or "limit: reader crashed" in kinds:
                problems.append(f"{name}: {errors[name][0][:300]}")
        elif name in tables:
            counts["read"] += 1
        else:
            counts["unhandled"] += 1
            problems.append(f"{name}: neither a table nor an error")
    return counts, problems


_SEEDS: dict[str, bytes] = {}


def seed_files_cache() -> dict[str, bytes]:
    if not _SEEDS:
        _SEEDS.update(seed_files())
    return _SEEDS


def fuzz(seconds: float, seed: int, batch_size: int = 40, out=sys.stdout) -> tuple[Counter, list[str], int]:
    rng = random.Random(seed)
    seeds = seed_files_cache()
    total: Counter = Counter()
    problems: list[str] = []
    cases = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-readers-") as temp:
        folder = Path(temp)
        while time.monotonic() - started < seconds:
            batch = list(mutants(seeds, rng, batch_size))
            counts, found = run_batch(folder, batch)
            total += counts
            problems.extend(found)
            cases += len(batch)
            print(f"{time.monotonic() - started:6.0f} s  {cases} cases  {dict(total)}", file=out, flush=True)
    return total, problems, cases


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 600
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    total, problems, cases = fuzz(seconds, seed)
    print(f"\n{cases} cases: {dict(total)}")
    for problem in problems[:50]:
        print("  ", problem)
    return 1 if total["unhandled"] or total["escaped the reader"] else 0


if __name__ == "__main__":
    sys.exit(main())

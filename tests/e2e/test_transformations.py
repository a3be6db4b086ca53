"""Metamorphic tests: the sample ledgers rewritten the ways other people write ledgers.

Each transformation copies `sample_ledgers/` into tmp_path with openpyxl (values only) and runs
the rules again. Transformations that keep every value (headers replaced by their synonyms,
columns reordered, title rows added or removed, rows shuffled, one workbook split into several
files, CSV re-encoded, full-width text, amounts in 万元) must leave every finding's identity —
rule, unit, amount and fingerprint id — unchanged; writing 经济分类 as codes / names / both
changes the fingerprint of findings that rest on the class, so those compare rule, unit, amount
and primary location. Transformations that plant one more problem must add exactly one finding.

The data-quality gate is left out (quality=False): it is not what these transformations test,
and the samples' findings are the same with and without it (tests/e2e/test_golden_samples.py).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from helpers.paths import ROOT, SAMPLES
from openpyxl import Workbook, load_workbook

from audit_rules.ledgers import load_ledgers
from audit_rules.ledgers.reader import decode_csv
from audit_rules.ledgers.schema import table_kinds
from audit_rules.pipeline import run_check

GOLDEN = ROOT / "tests" / "fixtures" / "golden"

# 经济分类 codes (政府收支分类科目, 支出经济分类) of the classes the samples use; 水电费 has none of
# its own (水费 30205 / 电费 30206) and stays a name.
CLASS_CODES = {
    "办公费": "30201", "印刷费": "30202", "咨询费": "30203", "邮电费": "30207", "物业管理费": "30209",
    "差旅费": "30211", "维修(护)费": "30213", "租赁费": "30214", "公务接待费": "30217", "专用材料费": "30218",
    "劳务费": "30226", "委托业务费": "30227", "福利费": "30229", "公务用车运行维护费": "30231",
    "其他商品和服务支出": "30299", "办公设备购置": "31002", "专用设备购置": "31003", "信息网络及软件购置更新": "31007",
}
CLASS_FIELDS = {"payments": "econ_class", "suppliers": "category", "special_funds": "allowed_classes"}


# ---- the samples as grids ------------------------------------------------------------------


class Sheet:
    """One sheet (or CSV) as a grid of values, with what the reader found in it."""

    def __init__(self, rows: list[list], table=None, shift: int = 0):
        self.rows = rows
        self.table = table  # the reader's Table (kind, header_row, fields), or None
        self.shift = shift  # rows inserted (+) or deleted (-) above the header since reading

    @property
    def header_index(self) -> int | None:
        if self.table is None or self.table.header_row is None:
            return None
        return self.table.header_row - 1 + self.shift

    @property
    def header_start(self) -> int | None:
        """First row of the header (a two-row header such as 合同要素 / 签字 starts one above)."""
        start = self.header_index
        while start and sum(v not in (None, "") for v in self.rows[start - 1]) >= 2:
            start -= 1
        return start

    def column_of(self, field: str) -> int | None:
        """0-based column of a field's header on the header row (None when the header spans rows)."""
        if self.header_index is None or field not in self.table.fields:
            return None
        header = self.rows[self.header_index]
        text = self.table.fields[field]
        return next((i for i, v in enumerate(header) if isinstance(v, str) and v.strip() == text.strip()), None)

    def data_indexes(self) -> list[int]:
        """Rows below the header holding data (not blank, not a 合计 line)."""
        start = (self.header_index or 0) + 1
        return [
            i for i in range(start, len(self.rows))
            if sum(v not in (None, "") for v in self.rows[i]) >= 2
            and not any(isinstance(v, str) and ("合计" in v or "小计" in v) for v in self.rows[i])
        ]


class Ledgers:
    """The samples: file → sheet name → Sheet; CSV files have one sheet ''."""

    def __init__(self):
        tables = {(t.file, t.sheet): t for t in load_ledgers([SAMPLES]).tables if t.kind}
        self.files: dict[str, dict[str, Sheet]] = {}
        self.csv_encoding: dict[str, str] = {}
        for path in sorted(SAMPLES.glob("*/*")):
            rel = path.relative_to(SAMPLES).as_posix()
            if path.suffix == ".xlsx":
                wb = load_workbook(path, data_only=True)
                self.files[rel] = {
                    ws.title: Sheet([list(r) for r in ws.iter_rows(values_only=True)], tables.get((rel, ws.title)))
                    for ws in wb.worksheets
                }
            elif path.suffix == ".csv":
                data = path.read_bytes()
                self.csv_encoding[rel] = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "gb18030"
                text = decode_csv(data, rel)
                rows = [list(r) for r in csv.reader(io.StringIO(text))]
                self.files[rel] = {"": Sheet(rows, tables.get((rel, "")))}

    def sheets(self, kind: str | None = None):
        for file, sheets in self.files.items():
            for name, sheet in sheets.items():
                if sheet.table is not None and (kind is None or sheet.table.kind == kind):
                    yield file, name, sheet

    def copy(self) -> "Ledgers":
        clone = object.__new__(Ledgers)
        clone.files = {
            f: {n: Sheet([list(r) for r in s.rows], s.table, s.shift) for n, s in sheets.items()}
            for f, sheets in self.files.items()
        }
        clone.csv_encoding = dict(self.csv_encoding)
        return clone

    def write(self, root: Path) -> Path:
        for file, sheets in self.files.items():
            path = root / file
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".csv":
                out = io.StringIO()
                csv.writer(out, lineterminator="\r\n").writerows(sheets[""].rows)
                path.write_bytes(out.getvalue().encode(self.csv_encoding[file]))
                continue
            wb = Workbook()
            wb.remove(wb.active)
            for name, sheet in sheets.items():
                ws = wb.create_sheet(name)
                for row in sheet.rows:
                    ws.append(row)
            wb.save(path)
        return root


def identities(result, with_id: bool = True) -> Counter:
    """A finding as an auditor checks it, not its wording: rule, unit, amount and its fingerprint
    id (or, when the transformation changes the values the fingerprint rests on, its primary
    location)."""
    out = Counter()
    for f in result.findings:
        amount = None if f.amount is None else round(f.amount, 2)
        where = f.id if with_id else (f.locations[0].file, f.locations[0].sheet, f.locations[0].row)
        out[(f.rule_id, f.unit, amount, where)] += 1
    return out


def run(root: Path):
    result = run_check([root], command_line="test", quality=False)
    assert not result.errors, result.errors
    return result


@pytest.fixture(scope="module")
def samples() -> Ledgers:
    return Ledgers()


@pytest.fixture(scope="module")
def baseline(samples, tmp_path_factory):
    """The samples rewritten as plain values (no formats, no merged cells): itself a
    transformation, compared with the samples' golden findings."""
    plain = run(samples.copy().write(tmp_path_factory.mktemp("plain")))
    golden = json.loads((GOLDEN / "findings.json").read_text(encoding="utf-8"))["findings"]
    shipped = Counter(
        (f["rule_id"], f["unit"], None if f["amount"] is None else round(f["amount"], 2), f["id"]) for f in golden
    )
    assert identities(plain) == shipped
    assert len(golden) > 20
    return plain


def check_same(ledgers: Ledgers, baseline, tmp_path: Path, with_id: bool = True) -> None:
    result = run(ledgers.write(tmp_path))
    assert identities(result, with_id) == identities(baseline, with_id)


# ---- transformations that keep every finding ------------------------------------------------
# Each is a function changing a copy of the samples; several are composed per run (a
# composition of transformations that keep the findings keeps them too) so the file stays fast.


def synonym_rounds(samples: Ledgers) -> int:
    """Rounds needed so that every header word of every field (its header and each synonym) is
    used once: each round gives each sheet of a kind a different word."""
    rounds = 1
    for name, kind in table_kinds().items():
        sheets = len(list(samples.sheets(name)))
        for spec in kind.fields.values():
            if sheets:
                rounds = max(rounds, -(-(1 + len(spec.synonyms)) // sheets))
    return rounds


def headers_as_synonyms(ledgers: Ledgers, round_: int) -> int:
    """Every header replaced by one of its field's words (header or synonym); how many were."""
    used = 0
    for kind in table_kinds():
        sheets = list(ledgers.sheets(kind))
        for position, (_, _, sheet) in enumerate(sheets):
            for field, spec in table_kinds()[kind].fields.items():
                col = sheet.column_of(field)
                if col is None:
                    continue
                words = [spec.header, *spec.synonyms]
                word = words[(round_ * len(sheets) + position) % len(words)]
                if word in {v for i, v in enumerate(sheet.rows[sheet.header_index]) if i != col}:
                    continue  # a word another column of this sheet already carries
                sheet.rows[sheet.header_index][col] = word
                used += 1
    return used


def columns_reversed(ledgers: Ledgers) -> None:
    for _, _, sheet in ledgers.sheets():
        width = max(len(r) for r in sheet.rows)
        for i in range(sheet.header_start, len(sheet.rows)):
            row = sheet.rows[i] + [None] * (width - len(sheet.rows[i]))
            sheet.rows[i] = row[::-1]


def title_rows_added_and_removed(ledgers: Ledgers) -> None:
    for position, (_, _, sheet) in enumerate(ledgers.sheets()):
        first = sheet.rows[0]
        is_title = sheet.header_start and sum(v not in (None, "") for v in first) == 1 and "单位" not in str(first[0])
        if position % 2 and is_title:
            del sheet.rows[0]  # the sheet's title line gone
            sheet.shift -= 1
        else:
            sheet.rows.insert(0, ["（本表由财务科导出，仅供巡察使用）"])
            sheet.shift += 1


def rows_shuffled(ledgers: Ledgers) -> None:
    """Rows in another order; a journal's vouchers in another order, each voucher's lines kept
    together and in their order (an export lists a voucher's lines under its first line)."""
    rng = random.Random(9)
    for _, _, sheet in ledgers.sheets():
        indexes = sheet.data_indexes()
        blocks = _voucher_blocks(sheet, indexes) if sheet.table.kind == "journal" else [[i] for i in indexes]
        rows = [[sheet.rows[i] for i in block] for block in blocks]
        rng.shuffle(rows)
        for i, row in zip(indexes, [row for block in rows for row in block]):
            sheet.rows[i] = row


def _voucher_blocks(sheet: Sheet, indexes: list[int]) -> list[list[int]]:
    """The data rows grouped by voucher: a voucher starts where its number cell is filled and
    differs from the line above's (blank cells under it belong to it)."""
    columns = [c for c in (sheet.column_of("period"), sheet.column_of("voucher_word"), sheet.column_of("voucher_no"))
               if c is not None]
    blocks: list[list[int]] = []
    previous = None
    for i in indexes:
        key = tuple(sheet.rows[i][c] for c in columns)
        number = sheet.rows[i][sheet.column_of("voucher_no")]
        if not blocks or (number not in (None, "") and key != previous):
            blocks.append([])
            previous = key
        blocks[-1].append(i)
    return blocks


def workbooks_split(ledgers: Ledgers) -> None:
    """One file per sheet, the sheet keeping its name."""
    for file in [f for f, sheets in ledgers.files.items() if len(sheets) > 1]:
        for name, sheet in ledgers.files.pop(file).items():
            ledgers.files[file.replace(".xlsx", f"-{name}.xlsx")] = {name: sheet}


def csv_reencoded(ledgers: Ledgers) -> None:
    """The UTF-8-BOM CSV written in GB18030 and the GB18030 one in UTF-8-BOM."""
    assert set(ledgers.csv_encoding.values()) == {"utf-8-sig", "gb18030"}
    ledgers.csv_encoding = {f: ("gb18030" if e == "utf-8-sig" else "utf-8-sig") for f, e in ledgers.csv_encoding.items()}


FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def text_full_width(ledgers: Ledgers) -> None:
    for _, _, sheet in ledgers.sheets():
        if sheet.table.file.endswith(".csv"):
            continue  # CSV dates are text: full-width dates are the reader's business
        for i in sheet.data_indexes():
            sheet.rows[i] = ["".join(FULL_WIDTH.get(c, c) for c in v) if isinstance(v, str) else v for v in sheet.rows[i]]


def amounts_in_wan_yuan(ledgers: Ledgers) -> int:
    """Payment amounts divided by 10,000 under a header saying 万元; how many were."""
    changed = 0
    for _, _, sheet in ledgers.sheets("payments"):
        col = sheet.column_of("amount")
        sheet.rows[sheet.header_index][col] = "金额（万元）"
        for i in sheet.data_indexes():
            if isinstance(sheet.rows[i][col], (int, float)):
                sheet.rows[i][col] = sheet.rows[i][col] / 10000
                changed += 1
    return changed


def test_synonym_rounds_fit_the_tests(samples):
    assert synonym_rounds(samples) <= 4


def test_synonyms_and_columns_reordered(samples, baseline, tmp_path):
    ledgers = samples.copy()
    assert headers_as_synonyms(ledgers, 0) > 100
    columns_reversed(ledgers)
    check_same(ledgers, baseline, tmp_path)


def test_synonyms_title_rows_and_rows_shuffled(samples, baseline, tmp_path):
    ledgers = samples.copy()
    rows_shuffled(ledgers)  # before the headers change: it finds a journal's voucher columns by them
    assert headers_as_synonyms(ledgers, 1) > 100
    title_rows_added_and_removed(ledgers)
    check_same(ledgers, baseline, tmp_path)


def test_synonyms_full_width_text_and_csv_reencoded(samples, baseline, tmp_path):
    ledgers = samples.copy()
    assert headers_as_synonyms(ledgers, 2) > 100
    text_full_width(ledgers)
    csv_reencoded(ledgers)
    check_same(ledgers, baseline, tmp_path)


def test_synonyms_workbooks_split_and_amounts_in_wan_yuan(samples, baseline, tmp_path):
    ledgers = samples.copy()
    assert amounts_in_wan_yuan(ledgers) > 100
    assert headers_as_synonyms(ledgers, 3) > 50
    workbooks_split(ledgers)
    check_same(ledgers, baseline, tmp_path)


def _write_classes(ledgers: Ledgers, form) -> None:
    for kind, field in CLASS_FIELDS.items():
        for _, _, sheet in ledgers.sheets(kind):
            col = sheet.column_of(field)
            for i in sheet.data_indexes():
                value = sheet.rows[i][col]
                if isinstance(value, str) and value.strip():
                    parts = [p.strip() for p in value.replace("，", "、").replace(",", "、").split("、")]
                    sheet.rows[i][col] = "、".join(form(kind, p) for p in parts)


def _codes_only(kind: str, name: str) -> str:
    return CLASS_CODES.get(name, name)


def _mixed(kind: str, name: str) -> str:
    """Payments 'code name', the supplier list codes only, special-fund approvals names."""
    if kind == "payments":
        return f"{CLASS_CODES[name]} {name}" if name in CLASS_CODES else name
    return CLASS_CODES.get(name, name) if kind == "suppliers" else name


@pytest.mark.parametrize("form", [_codes_only, _mixed], ids=["codes-only", "code-and-name-mixed-with-names-and-codes"])
def test_classes_as_codes_names_or_both(samples, baseline, tmp_path, form):
    ledgers = samples.copy()
    _write_classes(ledgers, form)
    check_same(ledgers, baseline, tmp_path, with_id=False)


# ---- transformations that add exactly one finding -------------------------------------------


def _quiet_payments(ledgers: Ledgers, baseline, with_invoice: bool):
    """Payment rows no finding points at, with (or without) an invoice number, no contract."""
    flagged = {(l.file, l.sheet, l.row) for f in baseline.findings for l in f.locations}
    for file, name, sheet in ledgers.sheets("payments"):
        inv, contract = sheet.column_of("invoice_no"), sheet.column_of("contract_no")
        for i in sheet.data_indexes():
            row = sheet.rows[i]
            if (file, name, i + 1) not in flagged and row[contract] in (None, "") and (row[inv] not in (None, "")) == with_invoice:
                yield sheet, i


def _added(result, baseline) -> list[str]:
    before = Counter((f.rule_id, f.id) for f in baseline.findings)
    after = Counter((f.rule_id, f.id) for f in result.findings)
    assert not before - after, "a transformation that adds a problem lost a finding"
    return sorted(rule for rule, _ in (after - before).elements())


def test_each_payment_entered_again_adds_one_finding(samples, baseline, tmp_path):
    """A payment without an invoice number entered again under another voucher: one
    duplicate-payment-no-invoice finding; an invoice paid again: one duplicate-payment finding; a
    second line of one document (same voucher, another description): none."""
    ledgers = samples.copy()
    no_invoice = next(_quiet_payments(ledgers, baseline, with_invoice=False))
    invoiced = _quiet_payments(ledgers, baseline, with_invoice=True)
    paid_again, second_line = next(invoiced), next(invoiced)
    edits = [(no_invoice, "voucher_no", "记-998"), (paid_again, "voucher_no", "记-999"), (second_line, "summary", "（第2行）")]
    # bottom-up, so inserting a row does not move the rows still to be copied
    for (sheet, i), field, text in sorted(edits, key=lambda e: (id(e[0][0]), -e[0][1])):
        copy = list(sheet.rows[i])
        col = sheet.column_of(field)
        copy[col] = text if field == "voucher_no" else f"{copy[col]}{text}"
        sheet.rows.insert(i + 1, copy)
    result = run(ledgers.write(tmp_path))
    assert _added(result, baseline) == ["duplicate-payment", "duplicate-payment-no-invoice"]


# ---- other words for the same facts ---------------------------------------------------------


def _rows_flagged(ledgers: Ledgers, baseline, rule_id: str):
    """(sheet, row index) of each primary row the baseline flags for a rule."""
    where = {(f.locations[0].file, f.locations[0].sheet, f.locations[0].row) for f in baseline.findings if f.rule_id == rule_id}
    for file, name, sheet in ledgers.sheets():
        for i in sheet.data_indexes():
            if (file, name, i + 1) in where:
                yield sheet, i


def test_registers_in_other_words_give_the_same_findings(samples, baseline, tmp_path):
    """来宾人数 is the guest count (the per-head rule still runs), 是否有公函 the letter, a visitor
    from 本县 / 本区 / 本市 / 本地 is same-city, and 中秋节慰问品 a holiday gift like 端午节慰问品.
    The words change what some fingerprints rest on, so findings compare by primary location."""
    ledgers = samples.copy()
    renamed = 0
    for _, _, sheet in ledgers.sheets("receptions"):
        for field, word in (("guest_count", "来宾人数"), ("letter", "是否有公函")):
            col = sheet.column_of(field)
            if col is not None:
                sheet.rows[sheet.header_index][col] = word
                renamed += 1
    assert renamed >= 4
    same_city = list(_rows_flagged(ledgers, baseline, "reception-same-city"))
    assert same_city
    for n, (sheet, i) in enumerate(same_city):
        sheet.rows[i][sheet.column_of("guest_location")] = ("本县", "本区", "本市", "本地")[n % 4]
    gifts = list(_rows_flagged(ledgers, baseline, "holiday-gift"))
    assert gifts
    for sheet, i in gifts:
        col = sheet.column_of("summary")
        sheet.rows[i][col] = sheet.rows[i][col].replace("端午", "中秋")
    result = run(ledgers.write(tmp_path))
    assert identities(result, with_id=False) == identities(baseline, with_id=False)
    assert {o.rule_id: o.status for o in result.rules}["meal-reception-per-head"] == "ran"

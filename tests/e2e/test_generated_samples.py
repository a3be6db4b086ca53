"""The generated sample ledgers, their answer key and the other-synonym fixtures.

Reads the files with openpyxl and the csv module only (not with the project's reader, which is
tested elsewhere): a deliberately small header matcher and value parser, enough for the samples.
The generator's oracle (sample_ledgers/generator/oracle.py: the rules of docs/default-ruleset.md in
plain Python, with the parameters of default.yaml) runs here over what the files contain, and the
result must be exactly the answer key: every planted row is a real finding, every near miss is not.
"""

from __future__ import annotations

from helpers.paths import FIXTURES as ALL_FIXTURES
from helpers.paths import ROOT, SAMPLE_KEYS, SAMPLES

FIXTURES = ALL_FIXTURES / "other_synonyms"

import csv
import functools
import importlib.util
import json
import re
import sys
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from audit_rules.rules import load_ruleset

KINDS = yaml.safe_load((ROOT / "audit_rules" / "ledgers" / "kinds.yaml").read_text(encoding="utf-8"))["kinds"]


@functools.cache
def load_generator():
    """The generator package, sample_ledgers/generator/ (not part of the installed package), imported
    under a name of its own so that sys.path stays as it is."""
    where = SAMPLES / "generator"
    spec = importlib.util.spec_from_file_location("sample_ledgers_generator", where / "__init__.py",
                                                  submodule_search_locations=[str(where)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its submodules and dataclasses resolve through sys.modules
    spec.loader.exec_module(mod)
    return mod


# --- a tiny reader for the samples ------------------------------------------------------------

def norm_header(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def strip_unit(text: str) -> str:
    return re.sub(r"\((元|万元)\)$", "", text)


def header_field(kind: str, cell) -> str | None:
    if cell is None:
        return None
    text = norm_header(cell)
    for name, f in KINDS[kind]["fields"].items():
        options = {norm_header(h) for h in [f["header"], *f.get("synonyms", [])]}
        if text in options or strip_unit(text) in options:
            return name
    return None


def detect(rows: list[list]) -> tuple[str, dict[int, str], int, set[int]] | None:
    """(kind, column → field, first data row index, columns in 万元) from the first rows of a table."""
    best = None
    for kind, spec in KINDS.items():
        cols, last_header, wan = {}, None, set()
        for i, row in enumerate(rows[:6]):
            hits = {j: header_field(kind, v) for j, v in enumerate(row)}
            hits = {j: f for j, f in hits.items() if f}
            if len(hits) >= 2:
                cols.update(hits)
                last_header = i
                wan |= {j for j in hits if "万元" in str(row[j])}
        matched = set(cols.values())
        if len(matched) >= spec["min_fields"] and matched & set(spec["anchors"]):
            if best is None or len(matched) > len(best[1]):
                best = (kind, cols, last_header + 1, wan)
    return best


_CAPITAL = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}


def parse_capital(text: str) -> float:
    total, section, digit = 0, 0, 0
    for ch in text.replace("元整", "").replace("元", ""):
        if ch in _CAPITAL:
            digit = _CAPITAL[ch]
        elif ch in "拾佰仟":
            section += digit * {"拾": 10, "佰": 100, "仟": 1000}[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
    return float(total + section + digit)


def parse_amount(v):
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    if re.search("[壹贰叁肆伍陆柒捌玖]", s):
        return parse_capital(s)
    return float(re.sub(r"[¥￥,元\s]", "", s))


def parse_date(v):
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    m = re.fullmatch(r"(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?", str(v).strip())
    return date(int(m[1]), int(m[2]), int(m[3]))


def parse_bool(v):
    if v in (None, ""):
        return None
    return {"√": True, "是": True, "已盖章": True, "有": True, "×": False, "否": False, "未盖章": False,
            "无": False}[str(v).strip()]


def parse_ratio(v):
    if v in (None, ""):
        return None
    return float(str(v).rstrip("%")) / 100 if isinstance(v, str) else float(v)


def parse_count(v):
    if v in (None, ""):
        return None
    n = int(v)
    if n < 0:
        raise ValueError(f"negative count {v!r}")
    return n


def parse_list(v):
    if v in (None, ""):
        return None
    return [w.strip() for w in re.split("[、，,;；]", str(v)) if w.strip()]


PARSERS = {"date": parse_date, "amount": parse_amount, "bool": parse_bool, "ratio": parse_ratio,
           "count": parse_count, "year": parse_count, "list": parse_list}


def text(v):
    return None if v in (None, "") else str(v).strip()


def read_rows(path: Path) -> dict[str, list[list]]:
    if path.suffix == ".csv":
        raw = path.read_bytes()
        enc = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gb18030"
        return {"": [r for r in csv.reader(raw.decode(enc).splitlines())]}
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def load_tables(root: Path) -> dict[str, list[dict]]:
    """kind → records (canonical fields plus _unit, _file, _sheet, _row) for every sample ledger."""
    tables: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(root.glob("*/*")):
        if path.suffix not in (".xlsx", ".csv"):
            continue
        for sheet, rows in read_rows(path).items():
            found = detect(rows)
            assert found, f"no kind recognised in {path.name}/{sheet}"
            kind, cols, start, wan = found
            for i in range(start, len(rows)):
                row = rows[i]
                first = [v for v in row if v not in (None, "")]
                if not first or any(isinstance(v, str) and (re.search("合计|小计", v) or v == "本年累计") for v in row):
                    continue
                rec = {"_unit": path.parent.name, "_file": f"{path.parent.name}/{path.name}", "_sheet": sheet,
                       "_row": i + 1, "_kind": kind, "_bad": set(), "_raw": {}}
                for j, fname in cols.items():
                    ftype = KINDS[kind]["fields"][fname].get("type", "text")
                    cell = row[j] if j < len(row) else None
                    rec["_raw"][fname] = cell
                    try:
                        value = PARSERS.get(ftype, text)(cell)
                    except (ValueError, KeyError, TypeError):  # 待定, 2019-02-30, -2: unreadable
                        value = None
                        rec["_bad"].add(fname)
                    if j in wan and value is not None:
                        value = round(value * 10000, 2)
                    rec[fname] = value
                tables[kind].append(rec)
    complete_journals(tables.get("journal", []))
    return tables


VOUCHER_CELLS = ("date", "period", "voucher_word", "voucher_no", "maker", "checker")
AUX_LABELS = {"往来单位": "counterparty", "项目": "project", "经济分类": "econ_class"}


def complete_journals(lines: list[dict]) -> None:
    """Journal lines as the rules read them: `记-0012` split into word and number, the voucher cells
    of a voucher's first line filled down to its other lines, `往来单位:X;经济分类:Y` parsed."""
    last: dict = {}
    for line in lines:
        m = re.fullmatch(r"(\D+?)\s*-\s*0*(\d+)", line.get("voucher_no") or "")
        if m and not line.get("voucher_word"):
            line["voucher_word"], line["voucher_no"] = m[1], m[2]
        if line.get("voucher_no"):
            last = {k: line.get(k) for k in VOUCHER_CELLS} | {"_sheet": line["_sheet"], "_file": line["_file"]}
        elif last.get("_file") == line["_file"] and last.get("_sheet") == line["_sheet"]:
            line.update({k: v for k, v in last.items() if not k.startswith("_")})
        for part in (line.get("auxiliary") or "").split(";"):
            label, _, value = part.partition(":")
            if label in AUX_LABELS and value:
                line[AUX_LABELS[label]] = value


def load_totals(root: Path) -> list[tuple[str, str, int, str, float, float]]:
    """(file, sheet, row, field, 合计 value, sum of the readable rows) for each sheet's 合计 row."""
    out = []
    for path in sorted(root.glob("*/*")):
        if path.suffix not in (".xlsx", ".csv"):
            continue
        for sheet, rows in read_rows(path).items():
            kind, cols, start, _ = detect(rows)
            amount_col = next((j for j, f in cols.items() if f == "amount"), None)
            if amount_col is None:
                continue
            total = 0.0
            for i in range(start, len(rows)):
                row = rows[i]
                label = " ".join(str(v) for v in row if isinstance(v, str))
                if "小计" in label:
                    continue
                if "合计" in label:
                    out.append((f"{path.parent.name}/{path.name}", sheet, i + 1, "amount",
                                parse_amount(row[amount_col]), round(total, 2)))
                    continue
                try:
                    total += parse_amount(row[amount_col] if amount_col < len(row) else None) or 0.0
                except ValueError:  # 待定: SUM() skips text
                    pass
    return out


@pytest.fixture(scope="module")
def tables():
    return load_tables(SAMPLES)


@pytest.fixture(scope="module")
def quality_key():
    with open(SAMPLE_KEYS / "quality_key.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def answer_key():
    with open(SAMPLE_KEYS / "answer_key.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the rules of docs/default-ruleset.md, over the records: the generator's oracle -------------

def oracle():
    return load_generator().oracle


def findings(t: dict[str, list[dict]], values: dict | None = None) -> set[tuple]:
    """(file, sheet, row, rule_id) of every finding the oracle gives on the records read from the files
    (`values`: parameters instead of default.yaml's)."""
    located = oracle().findings(t, key=lambda r: (r["_file"], r["_sheet"], r["_row"]), values=values)
    return {(*where, rule) for rule, where in located}


# --- tests ---------------------------------------------------------------------------------------

def doc_rules() -> dict[str, str]:
    """rule id → category, from the numbered list of docs/default-ruleset.md."""
    return load_generator().ruleset.documented_rules()


def test_answer_key_has_the_documented_header_and_categories(answer_key):
    with open(SAMPLE_KEYS / "answer_key.csv", encoding="utf-8") as fh:
        assert fh.readline().strip() == "file,sheet,row,category,rule_id"
    rules = doc_rules()
    assert set(rules) == {rule.id for rule in load_ruleset(None).rules}  # every shipped rule
    assert set(load_generator().ruleset.key_categories()) == set(rules) | set(load_generator().ruleset.JOURNAL_RULES)
    for row in answer_key:
        assert rules[row["rule_id"]] == row["category"], row


def test_every_rule_of_default_yaml_is_documented():
    shipped = yaml.safe_load((ROOT / "audit_rules" / "rulesets" / "default.yaml").read_text(encoding="utf-8"))
    assert {r["id"]: r["category"] for r in shipped["rules"]} == doc_rules()


def test_every_documented_rule_has_a_planted_finding(answer_key):
    planted = {r["rule_id"] for r in answer_key}
    assert set(doc_rules()) - planted == set()


def test_every_rule_has_a_near_miss_listed_in_planted_md():
    text = (SAMPLES / "planted.md").read_text(encoding="utf-8")
    for rule in doc_rules():
        section = text.split(f"## `{rule}`")[1].split("## `")[0]
        assert "应报 / planted" in section and "不应报 / near miss" in section, rule


def test_answer_key_rows_point_at_data_rows(answer_key, tables):
    rows = {(r["_file"], r["_sheet"], r["_row"]) for rs in tables.values() for r in rs}
    for row in answer_key:
        assert (row["file"], row["sheet"], int(row["row"])) in rows, row


def test_the_rules_flag_exactly_the_answer_key_in_the_files(answer_key, tables):
    expected = {(r["file"], r["sheet"], int(r["row"]), r["rule_id"]) for r in answer_key}
    found = findings(tables)
    assert sorted(found - expected) == [] and sorted(expected - found) == []


def test_planted_duplicates_share_invoice_digits_and_amount(answer_key, tables):
    dups = [r for r in answer_key if r["rule_id"] == "duplicate-payment"]
    pays = tables["payments"] + oracle().journal_payments(tables["journal"])
    norm_invoice = oracle().norm_invoice
    for d in dups:
        primary = next(p for p in pays if (p["_file"], p["_sheet"], p["_row"]) == (d["file"], d["sheet"], int(d["row"])))
        twins = [p for p in pays if p is not primary and norm_invoice(p["invoice_no"]) == norm_invoice(primary["invoice_no"])]
        assert twins and all(p["amount"] == primary["amount"] and p["date"] < primary["date"] for p in twins)
    assert {d["file"].split("/")[0] for d in dups} == UNITS
    # one group spans both units, one has a prefixed copy
    raw = [p["invoice_no"] for p in pays if p.get("invoice_no")]
    assert "No.00571234" in raw and "00571234" in raw


def test_a_near_miss_does_not_become_a_finding(tables):
    """Mutating one near miss into a violation makes the rules flag it (the check is not vacuous)."""
    base = findings(tables)
    laptop = next(a for a in tables["assets"] if a["unit_price"] == 7200.0)
    changed = {**tables, "assets": [dict(a, unit_price=7600.0) if a is laptop else a for a in tables["assets"]]}
    assert findings(changed) - base == {(laptop["_file"], laptop["_sheet"], laptop["_row"], "asset-unit-price-over-limit")}


def test_the_oracle_takes_its_limits_from_the_ruleset(tables):
    """Raising limits of default.yaml clears exactly the findings they gave (no limit is copied)."""
    values = load_generator().ruleset.params()
    assert values["meal_per_head_limit"] == 150 and values["prepay_ratio_limit"] == 0.3
    base = findings(tables)
    raised = findings(tables, {**values, "meal_per_head_limit": 250, "prepay_ratio_limit": 0.5})
    assert raised < base
    assert {rule for *_, rule in base - raised} == {"meal-reception-per-head", "contract-prepay-ratio"}


UNITS = {"长沙市示范科技局", "长沙市示范文旅中心", "长沙市示范财政所", "长沙市示范水利站"}
JOURNAL_UNITS = {"长沙市示范财政所", "长沙市示范水利站"}  # books kept in accounting software


def test_every_table_kind_appears_in_the_samples(tables):
    assert set(tables) == set(KINDS)
    for kind, recs in tables.items():
        assert {r["_unit"] for r in recs} <= UNITS
        assert recs, kind
    assert {r["_unit"] for r in tables["journal"]} == JOURNAL_UNITS
    assert {r["_unit"] for r in tables["account_balances"]} <= JOURNAL_UNITS


def test_both_units_have_a_folder_and_a_modest_volume(tables):
    per_unit = defaultdict(int)
    for p in tables["payments"]:
        per_unit[p["_unit"]] += 1
    assert set(per_unit) == {"长沙市示范科技局", "长沙市示范文旅中心"}
    assert 150 <= sum(per_unit.values()) <= 600


def test_ledgers_are_messy_like_real_exports():
    a = SAMPLES / "长沙市示范科技局"
    wb = openpyxl.load_workbook(a / "合同台账.xlsx")
    ws = wb["2019年合同"]
    assert "G3:H3" in {str(r) for r in ws.merged_cells.ranges} and ws["G3"].value == "合同要素"
    assert (ws["G4"].value, ws["H4"].value) == ("签字", "盖章") and ws["E3"].value == "合同金额(万元)"
    pays = openpyxl.load_workbook(a / "付款明细-2019.xlsx")["2019年上半年"]
    assert pays["A1"].value == "长沙市示范科技局2019年付款明细账" and "A1:M1" in {str(r) for r in pays.merged_cells.ranges}
    assert pays["A2"].value.startswith("编制单位：长沙市示范科技局") and pays["A3"].value == "序号"
    cells = [v for wbp in sorted(SAMPLES.glob("*/*.xlsx"))
             for ws in openpyxl.load_workbook(wbp) for row in ws.iter_rows(values_only=True) for v in row]
    strings = [v for v in cells if isinstance(v, str)]
    assert any(isinstance(v, datetime) for v in cells)
    for pattern in (r"^2019年\d{1,2}月\d{1,2}日$", r"^2019\.\d{1,2}\.\d{1,2}$", r"^2019/\d\d/\d\d$", r"^2019\d{4}$",
                    r"^\d{1,3}(,\d{3})+\.\d\d$", r"^¥[\d,]+元$", "元整$", r"^0\d{7}$", r"^No\.\d{8}$", "\n"):
        assert any(re.search(pattern, s) for s in strings), pattern
    for yes_no in ("是", "否", "√", "×", "已盖章", "未盖章", "有", "无"):
        assert yes_no in strings, yes_no
    assert "小计" in "".join(strings) and "合计" in strings


def test_subtotals_add_up_and_totals_add_up_except_the_planted_one(quality_key):
    for path in sorted(SAMPLES.glob("*/付款明细-2019.xlsx")):
        for ws in openpyxl.load_workbook(path):
            rows = list(ws.iter_rows(min_row=4, values_only=True))
            amount_col = next(j for j, v in enumerate(next(ws.iter_rows(min_row=3, max_row=3, values_only=True)))
                              if str(v).startswith(("金额", "付款金额")))
            month = 0.0
            for row in rows:
                label = " ".join(str(v) for v in row if isinstance(v, str))
                if "小计" in label:
                    assert row[amount_col] == pytest.approx(month, abs=0.005)
                    month = 0.0
                elif row[0] is not None and row[0] != "合计" and row[amount_col] != "待定":
                    month += parse_amount(row[amount_col])
    wrong = {(f, s, r) for f, s, r, field, total, rows_sum in load_totals(SAMPLES) if abs(total - rows_sum) >= 0.005}
    planted = {(q["file"], q["sheet"], int(q["row"])) for q in quality_key if q["check"] == "totals_row_matches_sum"}
    assert wrong == planted and len(planted) == 1


def test_csv_encodings():
    gb = (SAMPLES / "长沙市示范科技局" / "加班用餐登记.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert gb.decode("gb18030").startswith("用餐日期,")
    bom = (SAMPLES / "长沙市示范文旅中心" / "定点供应商名录.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and "供应商名称" in bom.decode("utf-8-sig")


def sheet_values(root: Path) -> dict:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.suffix == ".xlsx":
            out[rel] = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in openpyxl.load_workbook(path)}
        elif path.suffix in (".csv", ".md", ".json"):
            out[rel] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    gen = load_generator()
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    gen.generate(first, first / "fixtures", first / "keys")
    gen.generate(second, second / "fixtures", second / "keys")
    return first, second


def test_generator_is_deterministic(generated):
    first, second = generated
    a, b = sheet_values(first), sheet_values(second)
    assert a == b and len(a) > 20
    assert {p.name: p.read_bytes() for p in first.rglob("*.xlsx")} == {p.name: p.read_bytes() for p in second.rglob("*.xlsx")}


def test_committed_samples_are_what_the_generator_writes(generated):
    first, _ = generated
    committed = {k: v for k, v in sheet_values(SAMPLES).items()}
    fresh = {k: v for k, v in sheet_values(first).items() if not k.startswith(("fixtures", "keys"))}
    assert committed.keys() - {"README.md"} == fresh.keys() and all(committed[k] == fresh[k] for k in fresh)
    assert sheet_values(SAMPLE_KEYS) == sheet_values(first / "keys")
    assert sheet_values(FIXTURES) == sheet_values(first / "fixtures")


def test_generator_refuses_an_unplanted_finding():
    gen = load_generator()
    import random

    rng = random.Random(gen.SEED)
    inv = gen.Invoices(rng, set())
    units = [gen.build_unit_a(rng, inv), gen.build_unit_b(rng, inv), gen.build_unit_c(rng, inv),
             gen.build_unit_d(rng, inv)]
    gen.check_plants(units)
    units[1].payments[0].approver = units[1].payments[0].handler
    with pytest.raises(AssertionError, match="segregation-handler-approver"):
        gen.check_plants(units)


def test_capital_amounts_round_trip():
    gen = load_generator()
    for n in (12000, 1005, 30000, 100001, 4560789, 7):
        assert parse_capital(gen.capital_amount(n)) == n


# --- other-synonym fixtures ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def expected_synonyms():
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def test_other_synonym_fixture_per_kind(expected_synonyms):
    assert {e["kind"] for sheets in expected_synonyms.values() for e in sheets.values()} == set(KINDS)


def test_other_synonym_headers_are_in_the_workbooks_and_in_kinds_yaml(expected_synonyms):
    used = defaultdict(set)
    for file, sheets in expected_synonyms.items():
        wb = openpyxl.load_workbook(FIXTURES / file)
        for sheet, e in sheets.items():
            ws = wb[sheet]
            header = [c.value for c in ws[e["header_row"]]]
            assert header[0] == "序号" and ws.cell(1, 1).value and ws.cell(2, 1).value.startswith("编制单位")
            fields = KINDS[e["kind"]]["fields"]
            assert set(e["fields"]) == set(fields)
            for fname, head in e["fields"].items():
                assert head in header
                spec = fields[fname]
                base = strip_unit(norm_header(head))
                allowed = spec.get("synonyms") or [spec["header"]]
                assert base in {norm_header(s) for s in allowed}, (file, sheet, fname, head)
                used[(e["kind"], fname)].add(base)
            assert ws.cell(e["last_data_row"], 1).value == 3 and ws.cell(e["last_data_row"] + 1, 1).value is None
            assert detect([list(r) for r in ws.iter_rows(values_only=True)])[0] == e["kind"]
    for kind, spec in KINDS.items():
        for fname, f in spec["fields"].items():
            assert {norm_header(s) for s in f.get("synonyms", [])} <= used[(kind, fname)]
    decorated = [h for sheets in expected_synonyms.values() for e in sheets.values() for h in e["fields"].values()]
    assert any("（元）" in h for h in decorated) and any("(元)" in h for h in decorated) and any("\n" in h for h in decorated)


def test_wan_yuan_fixture_is_scaled(expected_synonyms):
    e = expected_synonyms["contracts.xlsx"]["其他写法1"]
    assert e["scale"] == {"amount": 10000} and "万元" in e["fields"]["amount"]
    ws = openpyxl.load_workbook(FIXTURES / "contracts.xlsx")["其他写法1"]
    col = [c.value for c in ws[3]].index(e["fields"]["amount"]) + 1
    assert ws.cell(4, col).value * 10000 == 1200.0


# --- bad cells and the data-quality key ------------------------------------------------------------

QUALITY_CHECKS = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_unique",
                  "expect_column_values_to_be_readable", "totals_row_matches_sum"}


def quality_failures(t: dict[str, list[dict]]) -> set[tuple[str, str, int, str, str]]:
    """Re-derive from the files which cells fail: unreadable cells, blank key fields, repeated
    values of unique fields within a sheet, 合计 rows that differ from the sum of the rows."""
    out = set()
    seen = defaultdict(list)
    for kind, recs in t.items():
        fields = KINDS[kind]["fields"]
        for r in recs:
            where = (r["_file"], r["_sheet"], r["_row"])
            for name in r["_bad"]:
                out.add((*where, name, "expect_column_values_to_be_readable"))
            for name, f in fields.items():
                if name not in r or name in r["_bad"]:
                    continue
                if f.get("key") and r[name] is None:
                    out.add((*where, name, "expect_column_values_to_not_be_null"))
                if f.get("unique") and r[name] is not None:
                    seen[(r["_file"], r["_sheet"], name, str(r[name]))].append(r["_row"])
    for (file, sheet, name, _), rows in seen.items():
        if len(rows) > 1:
            out |= {(file, sheet, row, name, "expect_column_values_to_be_unique") for row in rows}
    for file, sheet, row, name, total, rows_sum in load_totals(SAMPLES):
        if abs(total - rows_sum) >= 0.005:
            out.add((file, sheet, row, name, "totals_row_matches_sum"))
    return out


def test_quality_key_is_exactly_what_the_files_hold(quality_key, tables):
    with open(SAMPLE_KEYS / "quality_key.csv", encoding="utf-8") as fh:
        assert fh.readline().strip() == "file,sheet,row,field,check"
    key = {(q["file"], q["sheet"], int(q["row"]), q["field"], q["check"]) for q in quality_key}
    assert {q["check"] for q in quality_key} == QUALITY_CHECKS
    assert quality_failures(tables) == key


def test_planted_bad_cells_hold_the_typed_values(tables):
    raw = {(r["_file"].split("/")[1], f, str(r["_raw"][f])) for rs in tables.values() for r in rs for f in r["_bad"]}
    assert raw == {("付款明细-2019.xlsx", "amount", "待定"), ("合同台账.xlsx", "sign_date", "2019-02-30"),
                   ("公务接待及加班用餐登记.xlsx", "guest_count", "-2")}


def test_a_voucher_number_is_used_twice_in_one_sheet(quality_key, tables):
    dup = [q for q in quality_key if q["check"] == "expect_column_values_to_be_unique"]
    assert len(dup) == 2 and dup[0]["file"] == dup[1]["file"] and dup[0]["sheet"] == dup[1]["sheet"]
    vouchers = {(p["_file"], p["_sheet"], p["_row"]): p["voucher_no"] for p in tables["payments"]}
    a, b = (vouchers[(q["file"], q["sheet"], int(q["row"]))] for q in dup)
    assert a == b and a


def test_believed_bad_cells_would_trip_rules(tables):
    """Reading the unreadable cells as blank / -2 would flag rows the answer key must not hold."""
    base = findings(tables)
    believed = {k: [dict(r, _bad=set(), guest_count=-2 if str(r["_raw"].get("guest_count")) == "-2" else
                         r.get("guest_count")) if r["_bad"] else r for r in rs] for k, rs in tables.items()}
    extra = {rule for *_, rule in findings(believed) - base}
    assert extra == {"contract-missing-elements", "meal-reception-per-head"}


def test_generator_proves_each_bad_cell_would_trip_its_rule():
    gen = load_generator()
    import random

    rng = random.Random(gen.SEED)
    inv = gen.Invoices(rng, {gen.PENDING_INVOICE})
    units = [gen.build_unit_a(rng, inv), gen.build_unit_b(rng, inv), gen.build_unit_c(rng, inv),
             gen.build_unit_d(rng, inv)]
    would = {rule for u in units for r in gen.all_records(u) for rule in r.would}
    assert would == {"duplicate-payment", "contract-missing-elements", "meal-reception-per-head"}
    believed = gen.expected_findings(units, trust_bad=True) - gen.expected_findings(units)
    assert {rule for rule, _ in believed} == would
    contract = next(c for c in units[1].contracts if c.bad_fields)
    contract.sign_date = date(2019, 3, 1)  # a bad cell on a harmless row proves nothing: refused
    with pytest.raises(AssertionError, match="bad cells that would trip"):
        gen.check_plants(units)


def test_incompatible_posts_plant_and_near_miss(answer_key, tables):
    planted = [r for r in answer_key if r["rule_id"] == "segregation-incompatible-posts"]
    assert len(planted) == 1
    staff = {(s["_file"], s["_sheet"], s["_row"]): s for s in tables["staff"]}
    assert staff[(planted[0]["file"], planted[0]["sheet"], int(planted[0]["row"]))]["title"] == "会计兼出纳"
    # the other unit keeps 会计 and 出纳 apart: a near miss
    other = [s for s in tables["staff"] if s["_unit"] != planted[0]["file"].split("/")[0]]
    assert {"会计", "出纳"} <= {s["title"] for s in other}


# --- the two units whose books are journals -----------------------------------------------------

def test_journal_exports_look_like_the_software_that_wrote_them():
    kingdee = openpyxl.load_workbook(SAMPLES / "长沙市示范财政所" / "会计分录序时簿-2019.xlsx")["会计分录序时簿"]
    rows = list(kingdee.iter_rows(values_only=True))
    assert rows[1][0] == "核算单位：长沙市示范财政所"
    assert list(rows[2]) == ["日期", "会计期间", "凭证字号", "分录号", "摘要", "科目代码", "科目名称", "借方", "贷方",
                             "核算项目", "制单", "审核人"]
    lines = [r for r in rows[3:] if r[5]]
    assert any(r[2] is None and r[0] is None and r[10] is None for r in lines)  # voucher cells on first lines only
    assert all(re.fullmatch(r"记-\d{4}", r[2]) for r in lines if r[2])
    assert any(r[9] and ";" in r[9] and "往来单位:" in r[9] and "经济分类:" in r[9] for r in lines)
    labels = [r[4] for r in rows[3:] if not r[5]]
    assert labels.count("本月合计") == 12 and labels.count("本年累计") == 12
    assert any((r[7] or 0) < 0 for r in lines)  # a red-ink reversal
    raw = (SAMPLES / "长沙市示范水利站" / "凭证明细-2019.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    csv_rows = list(csv.reader(raw.decode("gb18030").splitlines()))
    assert csv_rows[0][:3] == ["会计期间", "凭证类别", "凭证编号"] and csv_rows[-1][5] == "合计"
    assert all(r[0] and r[1] and r[2] and r[14] and r[15] for r in csv_rows[1:-1])  # every line carries its voucher
    for codes in ([r[5] for r in lines], [r[6] for r in csv_rows[1:-1]]):
        assert {c[:1] for c in codes} >= {"1", "5", "7", "8"}  # financial and budget lines


def test_trial_balance_agrees_with_the_journal(tables):
    unit = "长沙市示范财政所"
    debit, credit = defaultdict(float), defaultdict(float)
    for line in tables["journal"]:
        if line["_unit"] == unit:
            debit[line["account_code"]] += line["debit"] or 0
            credit[line["account_code"]] += line["credit"] or 0
    balances = [b for b in tables["account_balances"] if b["_unit"] == unit]
    assert {b["account_code"] for b in balances} >= set(debit)
    for b in balances:
        assert b["period_debit"] == pytest.approx(debit[b["account_code"]], abs=0.005)
        assert b["period_credit"] == pytest.approx(credit[b["account_code"]], abs=0.005)
        sign = 1 if b["direction"] == "借" else -1
        assert b["closing"] == pytest.approx(b["opening"] + sign * (b["period_debit"] - b["period_credit"]), abs=0.005)


def test_union_dues_are_two_percent_of_payroll_except_where_planted(tables):
    """财政所 allocates exactly 2% (a trap); 水利站 allocates nothing in November and December (planted)."""
    shares = {}
    for unit in JOURNAL_UNITS:
        by_class = defaultdict(float)
        for line in tables["journal"]:
            if line["_unit"] == unit and line["account_code"].startswith("5") and line.get("econ_class"):
                by_class[line["econ_class"].split()[0]] += line["debit"] or 0
        payroll = sum(by_class[c] for c in ("30101", "30102", "30103", "30107"))
        assert payroll > 0, unit
        shares[unit] = (by_class["30228"], payroll)
    dues, payroll = shares["长沙市示范财政所"]
    assert dues == pytest.approx(payroll * 0.02, abs=0.005)
    dues, payroll = shares["长沙市示范水利站"]
    assert dues < round(payroll * 0.02, 2) - 1000

"""Other-synonym fixtures (tests/fixtures/other_synonyms/): one workbook per table kind, a sheet per
round of header synonyms taken from kinds.yaml, and expected.json saying what each sheet holds."""

from __future__ import annotations

import functools
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl.styles import Alignment

from .workbook import kinds, new_book, save_stable

FIXTURE_TEXT = Path(__file__).resolve().parent / "fixture_text.yaml"

# Three data rows of each field type that has values of its own (amounts before a 万元 scale).
TYPE_VALUES = {
    "date": [datetime(2019, 3 + i, 5 + i) for i in range(3)],
    "amount": [1200.0, 35000.0, 9600.0],
    "id": [f"00{57123 + i * 7}" for i in range(3)],
    "count": [5, 8, 3],
    "ratio": ["30%", "20%", "0%"],
    "bool": ["是", "否", "是"],
    "year": [2019] * 3,
    "list": ["印刷费、委托业务费", "专用材料费，差旅费", "委托业务费"],
}


@functools.cache
def fixture_text() -> dict:
    """{"fields": field -> three texts, "kinds": kind -> field -> three texts} (fixture_text.yaml)."""
    return yaml.safe_load(FIXTURE_TEXT.read_text(encoding="utf-8"))


def fixture_value(kind: str, fname: str, ftype: str, i: int, scale: int) -> Any:
    own = fixture_text()["kinds"].get(kind, {})
    if fname in own:
        return own[fname][i]
    if ftype == "id" and fname == "contract_no":
        return f"HT-2019-00{i + 1}"
    if ftype == "amount":
        return TYPE_VALUES[ftype][i] / scale
    if ftype in TYPE_VALUES:
        return TYPE_VALUES[ftype][i]
    return fixture_text()["fields"].get(fname, [f"{fname}{i + 1}"] * 3)[i]


def decorate(header: str, ftype: str, round_: int, position: int) -> tuple[str, int]:
    """A header as people type it: units in brackets, full-width brackets, a line break. Returns (text, scale)."""
    if ftype == "amount":
        if round_ % 3 == 0:
            return header + "（元）", 1
        if round_ % 3 == 1:
            return header + "(元)", 1
    if position == 2 and len(header) >= 4:
        return header[:2] + "\n" + header[2:], 1
    return header, 1


def write_other_synonyms(fixtures: Path) -> dict:
    if fixtures.exists():
        shutil.rmtree(fixtures)
    fixtures.mkdir(parents=True)
    expected: dict = {}
    for kind, spec in kinds().items():
        fields = spec["fields"]
        rounds = max(1, max(len(f.get("synonyms", [])) for f in fields.values()))
        wb = new_book()
        file = f"{kind}.xlsx"
        expected[file] = {}
        for rnd in range(rounds):
            sheet = f"其他写法{rnd + 1}"
            ws = wb.create_sheet(sheet)
            headers, scales = {}, {}
            for pos, (fname, f) in enumerate(fields.items()):
                syn = f.get("synonyms") or []
                base = syn[rnd % len(syn)] if syn else f["header"]
                text, scale = decorate(base, f.get("type", "text"), rnd, pos)
                if kind == "contracts" and fname == "amount" and rnd == 0:
                    text, scale = base + "（万元）", 10000
                headers[fname], scales[fname] = text, scale
            ncol = len(fields) + 1
            ws.cell(1, 1, f"示范单位{spec['title']}（其他表头写法 {rnd + 1}）")
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
            ws.cell(2, 1, "编制单位：示范单位        单位：元")
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
            ws.cell(3, 1, "序号")
            for j, fname in enumerate(fields, start=2):
                ws.cell(3, j, headers[fname]).alignment = Alignment(wrap_text=True)
            for i in range(3):
                ws.cell(4 + i, 1, i + 1)
                for j, (fname, f) in enumerate(fields.items(), start=2):
                    v = fixture_value(kind, fname, f.get("type", "text"), i, scales[fname])
                    c = ws.cell(4 + i, j, v)
                    if isinstance(v, datetime):
                        c.number_format = "yyyy-mm-dd"
            entry = {"kind": kind, "header_row": 3, "first_data_row": 4, "last_data_row": 6,
                     "fields": headers}
            scaled = {k: v for k, v in scales.items() if v != 1}
            if scaled:
                entry["scale"] = scaled
            expected[file][sheet] = entry
        save_stable(wb, fixtures / file)
    (fixtures / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                            encoding="utf-8")
    return expected

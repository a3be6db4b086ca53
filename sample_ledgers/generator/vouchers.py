"""Books kept in accounting software: vouchers under 政府会计制度 and the two export styles the
journal units write them in (a 金蝶-style 会计分录序时簿 xlsx, a 用友-style 凭证明细 CSV in GB18030),
with a 科目余额表 consistent with the journal.

A voucher is a list of JournalLine records; a paying voucher carries its financial lines (Dr an
expense account, Cr 1011/1002/1001) and their budget-accounting twins (Dr 7101/7201, Cr 8001).
Voucher numbers restart at 1 each period (month) and are handed out in date order, so a gap is only
where the unit's module skips a number on purpose.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from openpyxl.styles import Font

from .records import Balance, JournalLine, UnitData
from .workbook import Registry, expect_quality, new_book, save_stable, write_cell

WORD = "记"
CASH = {"1011": "零余额账户用款额度", "1002": "银行存款", "1001": "库存现金"}
BUDGET = {"7101": "行政支出", "7201": "事业支出"}


class VoucherBook:
    """One unit's vouchers, numbered per month in the order they are added (add them in date order)."""

    def __init__(self, unit: str, makers: list[str], checkers: list[str], *, budget: str = "7201",
                 invoice_column: bool = False, dotted: bool = True) -> None:
        self.unit, self.makers, self.checkers = unit, makers, checkers
        self.budget, self.invoice_column, self.dotted = budget, invoice_column, dotted
        self.next_no: dict[int, int] = defaultdict(lambda: 1)
        self.vouchers: list[list[JournalLine]] = []
        self.n = 0

    def code(self, code: str) -> str:
        """An account code as the unit's software writes it: `5001.01` (dotted) or `500101`."""
        return code if self.dotted else code.replace(".", "")

    def skip(self, month: int, count: int) -> None:
        """Leave `count` voucher numbers of the month unused (a gap in the numbering)."""
        self.next_no[month] += count

    def voucher(self, d: date, lines: list[tuple], *, maker: str | None = None,
                checker: str | None = None) -> list[JournalLine]:
        """lines: (summary, code, name, debit, credit, {counterparty, project, econ_class, invoice_no})."""
        self.n += 1
        number = self.next_no[d.month]
        self.next_no[d.month] += 1
        maker = maker or self.makers[self.n % len(self.makers)]
        checker = checker or self.checkers[self.n % len(self.checkers)]
        period = f"{d.year}.{d.month}" if self.dotted else f"{d.year}{d.month:02d}"
        out = [JournalLine(self.unit, d, period, WORD, str(number), i, summary, self.code(code), name,
                           None if debit is None else round(debit, 2), None if credit is None else round(credit, 2),
                           maker=maker, checker=checker, **(aux or {}))
               for i, (summary, code, name, debit, credit, aux) in enumerate(lines, start=1)]
        self.vouchers.append(out)
        return out

    def pay(self, d: date, summary: str, code: str, name: str, econ: str, amount: float, payee: str | None, *,
            cash: str = "1011", invoice: str | None = None, project: str | None = None, budget: bool = True,
            maker: str | None = None, checker: str | None = None) -> list[JournalLine]:
        """A payment voucher: Dr the expense, Cr cash, and (budget=True) Dr 7x01 / Cr 8001. The invoice
        number goes to the 票号 column (invoice_column) or into the 摘要 (`发票号…`). The expense line
        is the voucher's first line."""
        text = summary if invoice is None or self.invoice_column else f"{summary} 发票号{invoice}"
        aux = {"counterparty": payee, "econ_class": econ, "project": project}
        if self.invoice_column:
            aux["invoice_no"] = invoice
        lines = [(text, code, name, amount, None, aux), (text, cash, CASH[cash], None, amount, None)]
        if budget:
            lines += [(text, f"{self.budget}.01", BUDGET[self.budget], amount, None,
                       {"econ_class": econ, "project": project}),
                      (text, "8001", "资金结存", None, amount, None)]
        return self.voucher(d, lines, maker=maker, checker=checker)

    def lines(self) -> list[JournalLine]:
        return [line for v in self.vouchers for line in v]


def balances(u: UnitData, opening: dict[str, tuple[str, str, float]]) -> list[Balance]:
    """A 科目余额表 consistent with the journal: every account the journal uses, plus `opening`
    (code -> (name, 借/贷, opening balance)); closing = opening ± the year's debits and credits."""
    names: dict[str, str] = {code: spec[0] for code, spec in opening.items()}
    debit, credit = defaultdict(float), defaultdict(float)
    for line in u.journal:
        names.setdefault(line.account_code, line.account_name)
        debit[line.account_code] += line.debit or 0
        credit[line.account_code] += line.credit or 0
    out = []
    for code in sorted(names):
        name, side, start = opening.get(code, (names[code], "贷" if code[:1] in "2346" else "借", 0.0))
        d, c = round(debit[code], 2), round(credit[code], 2)
        closing = round(start + d - c if side == "借" else start - d + c, 2)
        out.append(Balance(u.unit, code, name, side, round(start, 2), d, c, closing))
    return out


def _aux_text(line: JournalLine) -> str | None:
    """金蝶 核算项目: one combined cell, `往来单位:X;项目:Y;经济分类:30215 会议费`."""
    parts = [f"{label}:{value}" for label, value in (("往来单位", line.counterparty), ("项目", line.project),
                                                    ("经济分类", line.econ_class)) if value]
    return ";".join(parts) or None


def _sums(lines: list[JournalLine]) -> tuple[float, float]:
    return round(sum(x.debit or 0 for x in lines), 2), round(sum(x.credit or 0 for x in lines), 2)


def write_kingdee_journal(u: UnitData, path: Path, reg: Registry, file: str) -> None:
    """会计分录序时簿: a title line, a 核算单位 line, the header; voucher cells (日期 会计期间 凭证字号
    制单 审核人) only on a voucher's first line; 本月合计 and 本年累计 rows after each month."""
    wb = new_book()
    ws = wb.create_sheet("会计分录序时簿")
    ws.cell(1, 1, "会计分录序时簿").font = Font(bold=True, size=14)
    ws.cell(2, 1, f"核算单位：{u.unit}")
    ws.cell(2, 5, "期间：2019年第1期 至 2019年第12期")
    headers = ["日期", "会计期间", "凭证字号", "分录号", "摘要", "科目代码", "科目名称", "借方", "贷方", "核算项目",
               "制单", "审核人"]
    for j, h in enumerate(headers, start=1):
        ws.cell(3, j, h).font = Font(bold=True)
    r, written, year = 4, [], []
    months = sorted({line.date.month for line in u.journal})
    for month in months:
        part = [line for line in u.journal if line.date.month == month]
        for line in part:
            first = line.line_no == 1
            values = [datetime(line.date.year, line.date.month, line.date.day) if first else None,
                      f"{line.date.year}.{line.date.month}" if first else None,
                      f"{line.voucher_word}-{int(line.voucher_no):04d}" if first else None, line.line_no,
                      line.summary, line.account_code, line.account_name, line.debit, line.credit, _aux_text(line),
                      line.maker if first else None, line.checker if first else None]
            for j, v in enumerate(values, start=1):
                write_cell(ws, r, j, v)
            reg.add(line, file, ws.title, r)
            written.append((line, r, {"account_code": line.account_code}))
            r += 1
        year += part
        for label, lines in (("本月合计", part), ("本年累计", year)):
            d, c = _sums(lines)
            ws.cell(r, 5, label)
            ws.cell(r, 8, d).number_format = "#,##0.00"
            ws.cell(r, 9, c).number_format = "#,##0.00"
            r += 1
    for j, width in enumerate((11, 9, 10, 6, 34, 10, 22, 12, 12, 40, 8, 8), start=1):
        ws.column_dimensions[chr(64 + j)].width = width
    expect_quality(reg, file, ws.title, written)
    save_stable(wb, path)


def write_balances(u: UnitData, path: Path, reg: Registry, file: str) -> None:
    """科目余额表: 科目编码 科目名称 方向 期初余额 借方发生额 贷方发生额 期末余额, a title and a period line."""
    wb = new_book()
    ws = wb.create_sheet("科目余额表")
    ws.cell(1, 1, "科目余额表").font = Font(bold=True, size=14)
    ws.cell(2, 1, f"核算单位：{u.unit}        期间：2019年1期-2019年12期        单位：元")
    headers = ["科目编码", "科目名称", "方向", "期初余额", "借方发生额", "贷方发生额", "期末余额"]
    for j, h in enumerate(headers, start=1):
        ws.cell(3, j, h).font = Font(bold=True)
    written = []
    for r, b in enumerate(u.account_balances, start=4):
        for j, v in enumerate((b.account_code, b.account_name, b.direction, b.opening, b.period_debit,
                               b.period_credit, b.closing), start=1):
            cell = ws.cell(r, j, v)
            if isinstance(v, float):
                cell.number_format = "#,##0.00"
        reg.add(b, file, ws.title, r)
        written.append((b, r, {"account_code": b.account_code}))
    for j, width in enumerate((10, 24, 6, 14, 14, 14, 14), start=1):
        ws.column_dimensions[chr(64 + j)].width = width
    expect_quality(reg, file, ws.title, written)
    save_stable(wb, path)


def _money(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def write_yonyou_csv(u: UnitData, path: Path, reg: Registry, file: str) -> None:
    """凭证明细 (用友 GRP): header on line 1, every line carrying its voucher (会计期间 201903, 凭证类别
    and 凭证编号 in two columns, 制单日期, 制单人, 审核人), account codes without dots, a 合计 line last;
    GB18030, CRLF."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["会计期间", "凭证类别", "凭证编号", "行号", "制单日期", "摘要", "科目编码", "科目名称", "借方金额",
                "贷方金额", "往来单位", "项目", "经济分类", "票号", "制单人", "审核人"])
    line_no, written = 1, []
    for x in u.journal:
        line_no += 1
        w.writerow([f"{x.date.year}{x.date.month:02d}", x.voucher_word, x.voucher_no, x.line_no, x.date.isoformat(),
                    x.summary, x.account_code, x.account_name, _money(x.debit), _money(x.credit),
                    x.counterparty or "", x.project or "", x.econ_class or "", x.invoice_no or "", x.maker, x.checker])
        reg.add(x, file, "", line_no)
        written.append((x, line_no, {"account_code": x.account_code}))
    d, c = _sums(u.journal)
    w.writerow(["", "", "", "", "", "合计", "", "", _money(d), _money(c), "", "", "", "", "", ""])
    expect_quality(reg, file, "", written)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("gb18030"))

"""Journals (序时账 / 凭证明细 / 会计分录序时簿) as accounting software exports them.

`complete` turns the lines the reader typed into canonical voucher lines:
- 凭证字号 in one cell (`记 - 12`, `记-0012`, `记字第12号`) is split into voucher_word and voucher_no,
  and voucher numbers lose their leading zeros (0012 = 12, as the software counts them);
- voucher-level cells that stand only on a voucher's first line (date, period, voucher, maker,
  checker, poster, cashier) are filled down within the voucher;
- 会计期间 written `2019.3`, `201903`, `2019年3期`, `2019-03` becomes `2019-03`; without one, the
  period is the month of the date;
- a combined 辅助核算 cell (`往来单位:X;项目:Y;经济分类:30215 会议费`, `[往来单位]X`, `往来单位---X`)
  fills the counterparty, project, department and econ_class fields its labels name;
- account codes keep their segments: 6601.3 read from a number cell is 6601.30.

`derive_payments` turns completed journal lines into the `payments` table every payment rule
reads: one payment per expense line of a voucher that pays money out (chart.yaml). Its payee is
the line's 往来单位, else the one the voucher's cash or clearing line names, else an organisation
the 摘要 names (`organisation_in_summary`, with the organisation words the caller gives).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import pandas as pd

from audit_rules.ledgers.chart import chart
from audit_rules.ledgers.model import BAD_FIELDS, PROVENANCE, Table

VOUCHER_FIELDS = ("date", "period", "voucher_word", "voucher_no", "maker", "checker", "poster", "cashier")

# 记-0012, 记 - 12, 记字第12号, 记12, 银付-3: a word of letters or CJK, then the number.
_WORD_NUMBER = r"^\s*([^\d\s\-－—_第]+?)\s*(?:字)?\s*(?:[-－—_]\s*|第\s*)?0*(\d+)\s*号?\s*$"
_NUMBER_ONLY = r"^\s*0*(\d+)\s*$"
# 2019.3, 2019.03, 201903, 2019-03, 2019/3, 2019年3期, 2019年03月, 2019年第3期
_PERIOD = r"^\s*(\d{4})\s*(?:[.\-/年]\s*第?\s*)?(\d{1,2})\s*(?:期|月)?\s*$"

# Labels of a combined 辅助核算 cell, by the field they fill.
AUXILIARY_LABELS = {
    "counterparty": ("往来单位", "供应商", "客户", "个人", "职员", "往来"),
    "project": ("项目",),
    "department": ("部门",),
    "econ_class": ("经济分类", "支出经济分类", "部门经济分类", "政府经济分类"),
    "contract_no": ("合同", "合同号", "合同编号"),
}


def complete(data: pd.DataFrame) -> pd.DataFrame:
    """The journal lines with voucher words split, voucher cells filled down, periods, 辅助核算
    and account codes in canonical form (a new frame; `data` is not modified)."""
    data = data.copy()
    _split_voucher_word(data)
    _fill_down_vouchers(data)
    _normalise_periods(data)
    _parse_auxiliary(data)
    if "account_code" in data:
        data["account_code"] = _account_codes(data["account_code"])
    return data


def _split_voucher_word(data: pd.DataFrame) -> None:
    if "voucher_no" not in data:
        return
    text = data["voucher_no"].astype("string")
    parts = text.str.extract(_WORD_NUMBER)
    number_only = text.str.extract(_NUMBER_ONLY)[0]
    if "voucher_word" not in data:
        data["voucher_word"] = pd.Series(None, index=data.index, dtype=object)
    word = data["voucher_word"].astype("string").str.strip()
    data["voucher_word"] = word.where(word.notna() & (word != ""), parts[0].str.strip()).astype(object)
    number = parts[1].fillna(number_only)
    data["voucher_no"] = number.where(number.notna(), text).astype(object).where(text.notna(), None)


def _fill_down_vouchers(data: pd.DataFrame) -> None:
    """A voucher starts at a line with a voucher number other than the line before's; blank
    voucher cells below it belong to it."""
    present = [f for f in VOUCHER_FIELDS if f in data]
    if "voucher_no" not in data or not present:
        return
    number = data["voucher_no"]
    previous = number.ffill().shift()
    starts = number.notna() & (number != previous)
    if "voucher_word" in data:
        starts |= number.notna() & data["voucher_word"].notna() & (data["voucher_word"] != data["voucher_word"].ffill().shift())
    voucher = starts.cumsum()
    filled = data.loc[voucher > 0, present].groupby(voucher[voucher > 0]).ffill()
    data.loc[filled.index, present] = filled


def _normalise_periods(data: pd.DataFrame) -> None:
    from_date = data["date"].dt.strftime("%Y-%m") if "date" in data else None
    if "period" not in data:
        if from_date is not None:
            data["period"] = from_date.astype(object).where(from_date.notna(), None)
        return
    parts = data["period"].astype("string").str.extract(_PERIOD)
    month = pd.to_numeric(parts[1], errors="coerce")
    valid = parts[0].notna() & month.between(1, 12)
    period = (parts[0] + "-" + month.astype("Int64").astype("string").str.zfill(2)).where(valid)
    if from_date is not None:
        period = period.fillna(from_date)
    data["period"] = period.astype(object).where(period.notna(), None)


# In a 期间 note: 2019年1期, 2019年第12期, 2019.01, 2019-1, 2019年3月 (a year, then a month).
_NOTE_MONTH = r"(\d{4})\s*[.\-/年]\s*第?\s*(\d{1,2})(?!\d)"
# 2019年1月至12月: the end's month alone after 至 / - / ~.
_NOTE_END_MONTH = r"(?:至|到|[-－—~～])\s*第?\s*(\d{1,2})\s*[期月]"


def period_span(note: str | None) -> tuple[str, str] | None:
    """The months a 期间 note covers, first and last as YYYY-MM: '2019年1期-2019年12期',
    '2019年第1期 至 2019年第12期', '2019.01-2019.06', '2019年1月至6月', '2019年度' (the whole year);
    None when the note names no month or year."""
    if not note:
        return None
    months = [(y, int(m)) for y, m in re.findall(_NOTE_MONTH, note) if 1 <= int(m) <= 12]
    if months:
        end = months[-1]
        if len(months) == 1:
            bare = re.search(_NOTE_END_MONTH, note[note.find(months[0][0]) + 4:])
            if bare and 1 <= int(bare.group(1)) <= 12:
                end = (months[0][0], int(bare.group(1)))
        return f"{months[0][0]}-{months[0][1]:02d}", f"{end[0]}-{end[1]:02d}"
    year = re.search(r"(\d{4})\s*年", note)
    return (f"{year.group(1)}-01", f"{year.group(1)}-12") if year else None


def _parse_auxiliary(data: pd.DataFrame) -> None:
    if "auxiliary" not in data:
        return
    text = data["auxiliary"].astype("string")
    for field_name, labels in AUXILIARY_LABELS.items():
        label = "|".join(sorted(labels, key=len, reverse=True))
        # label:value  label：value  [label]value  label---value ; parts split by ; ； | or newline
        pattern = rf"(?:^|[;；|\n,，])\s*\[?(?:{label})\]?\s*(?:[:：=]|-{{2,}}|(?<=\]))\s*([^;；|\n,，\[]+)"
        value = text.str.extract(pattern)[0].str.strip()
        if field_name not in data:
            data[field_name] = pd.Series(None, index=data.index, dtype=object)
        current = data[field_name]
        blank = current.isna() | (current.astype("string").str.strip() == "")
        data[field_name] = current.where(~blank | value.isna(), value).astype(object)


def _account_codes(codes: pd.Series) -> pd.Series:
    """Dotted codes keep two-digit segments after the first (4-2-2): 6601.3 is 6601.30, the form a
    number cell loses."""
    text = codes.astype("string").str.strip()
    dotted = text.str.fullmatch(r"\d{4}(?:\.\d+)+").fillna(False)
    padded = text[dotted].str.split(".").map(lambda parts: ".".join([parts[0], *(p.ljust(2, "0") for p in parts[1:])]))
    return text.where(~dotted, padded).astype(object).where(text.notna(), None)


# ---- the payments a journal records -------------------------------------------------------------

_PAYMENTS_SQL = """
WITH lines AS (
    SELECT *, concat_ws('|', coalesce(_unit, ''), _file, _sheet, coalesce(period, ''),
                        coalesce(voucher_word, ''), coalesce(voucher_no, '')) AS _voucher,
           regexp_replace(coalesce(account_code, ''), '[^0-9]', '', 'g') AS _code
    FROM journal
    WHERE voucher_no IS NOT NULL
),
paying AS (  -- how the voucher pays: the names of the money accounts it credits (库存现金、银行存款)
    SELECT _voucher,
           -- a red-ink reversal credits a money account a negative amount: it reverses a payment,
           -- and is one too; but beside a positive credit it does not say how the voucher pays (a
           -- cash payment reversed and paid again by bank is a bank payment)
           coalesce(string_agg(DISTINCT m.name, '、' ORDER BY m.name) FILTER (WHERE credit > 0),
                    string_agg(DISTINCT m.name, '、' ORDER BY m.name)) AS payment_method
    FROM lines JOIN (VALUES {cash}) AS m(code, name) ON left(lines._code, 4) = m.code
    WHERE coalesce(credit, 0) <> 0
    GROUP BY _voucher
),
voucher_party AS (  -- a payee named only on the cash or clearing line of the voucher
    SELECT _voucher, min(counterparty) AS party FROM lines
    WHERE counterparty IS NOT NULL AND coalesce(credit, 0) <> 0 GROUP BY _voucher
)
SELECT l.date, coalesce(l.voucher_word || '-', '') || l.voucher_no AS voucher_no, l.summary,
       coalesce(l.econ_class, l.account_name) AS econ_class,
       coalesce(l.debit, 0) - coalesce(l.credit, 0) AS amount,
       coalesce(l.counterparty, p.party) AS payee,
       coalesce(l.invoice_no, nullif(regexp_extract(l.summary,
           '(?:发票号码?|票号|No\\.?|NO\\.?|№)\\s*[:：#]?\\s*([A-Za-z0-9]{{6,}})', 1), '')) AS invoice_no,
       -- a contract number written in the 摘要 (按合同HT2019-05支付 / 合同号：CSWL-2019-01); kept only if it
       -- looks like one (contract_in_summary): not 合同50000元, not 合同2019年度, not 合同 2019-05-01签订
       l.contract_no, regexp_extract(l.summary,
           '合同(?:编号|号)?\\s*[:：#]?\\s*([A-Za-z0-9][A-Za-z0-9_/\\-]{{3,}})(?:[^年月日元万A-Za-z0-9_/\\-]|$)', 1)
           AS _contract_in_summary,
       l.project AS fund_source, l.maker AS handler, l.checker AS approver, paying.payment_method,
       l._file, l._sheet, l._row, l._unit, l._bad
FROM lines AS l
JOIN paying USING (_voucher)
LEFT JOIN voucher_party AS p USING (_voucher)
WHERE list_has_any([{expense}], [left(l._code, 1), left(l._code, 4)])
  AND (coalesce(l.debit, 0) <> 0 OR coalesce(l.credit, 0) <> 0)
ORDER BY l._file, l._sheet, l._row
"""

# Journal fields whose unreadable cell makes the payment's field unreadable too.
_BAD_AS = {"debit": "amount", "credit": "amount", "date": "date", "counterparty": "payee",
           "summary": "summary", "econ_class": "econ_class", "invoice_no": "invoice_no",
           "contract_no": "contract_no"}


def contract_in_summary(candidates: pd.Series) -> pd.Series:
    """The text after 合同 in a 摘要 that is a contract number: it holds a letter, or a separator
    without being a date (2019-05-01); bare digits are an amount or a year. None otherwise."""
    text = candidates.astype("string").replace("", pd.NA)
    lettered = text.str.contains(r"[A-Za-z]", regex=True)
    separated = text.str.contains(r"[-_/]", regex=True) & ~text.str.fullmatch(r"\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?")
    return text.where((lettered | separated).fillna(False)).astype(object).where(lambda v: v.notna(), None)


def derive_payments(table: Table, organisation_words: Sequence[str] = ()) -> Table | None:
    """The payments `table` (a completed journal) records, as a `payments` Table whose rows keep the
    file, sheet and Excel row of the expense line they come from; None when it records none.
    `organisation_words` (公司, 酒店…) let a payee no 往来单位 names be read from the 摘要."""
    data = table.data
    for name in ("account_code", "debit", "credit", "voucher_no"):
        if name not in data:
            return None
    columns = ("date", "period", "voucher_word", "voucher_no", "summary", "account_code", "account_name",
               "debit", "credit", "counterparty", "project", "econ_class", "invoice_no", "contract_no", "maker", "checker")
    journal = data.reindex(columns=[*columns, *PROVENANCE, BAD_FIELDS])
    journal["_bad"] = journal["_bad"].map(lambda bad: list(bad) if isinstance(bad, list) else [])
    sql = _PAYMENTS_SQL.format(
        cash=", ".join(f"('{code}', '{name}')" for code, name in chart().cash_accounts.items()),
        expense=", ".join(f"'{c}'" for c in chart().payment_accounts),
    )
    con = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        con.register("journal", _typed_for_sql(journal))
        payments = con.execute(sql).df()
    finally:
        con.close()
    if payments.empty:
        return None
    payments["_bad"] = payments["_bad"].map(lambda bad: sorted({_BAD_AS.get(b, b) for b in bad if b in _BAD_AS}))
    payments["amount"] = payments["amount"].astype("float64")
    written = contract_in_summary(payments.pop("_contract_in_summary"))
    payments["contract_no"] = payments["contract_no"].where(payments["contract_no"].notna(), written)
    if organisation_words:
        named = organisation_in_summary(payments["summary"], organisation_words)
        payments["payee"] = payments["payee"].where(payments["payee"].notna(), named)
    text = [c for c in payments.columns if payments[c].dtype == object and c != "_bad"]
    payments[text] = payments[text].astype(object).where(payments[text].notna(), None)
    raw_by_row = table.raw.set_axis(table.data["_row"].to_numpy())
    raw = raw_by_row.loc[payments["_row"].to_numpy()].reset_index(drop=True)
    return Table(
        file=table.file, sheet=table.sheet, kind="payments", header_row=table.header_row,
        fields={"amount": "借方/贷方", **{f: table.fields[f] for f in ("date", "summary") if f in table.fields}},
        unmapped=[], data=payments, raw=raw, path=table.path,
        notes=[f"由序时账的 {len(payments)} 条支出分录生成付款记录（借方为费用等科目、同一凭证贷方付自库存现金/银行存款/零余额账户）。"],
    )


# A word a summary opens with to say what was done, not who was paid (one is taken off the front of
# a name found: 支付长沙某公司… → 长沙某公司).
_PAYING_WORDS = r"^(?:支付给|支付|付给|付款给|预付|结付|拨付|偿还|归还|转账给|转给|汇给|报销|购买|采购|缴纳|交纳|付|向|给)"
# A letter of a name: CJK or Latin, no digit (a date or an amount ends the name), no punctuation.
_NAME_CHAR = r"[^\W\d_]"


def organisation_in_summary(summaries: pd.Series, words: Sequence[str]) -> pd.Series:
    """The organisation each summary names ("支付长沙市望城区鑫达办公用品有限公司办公用品款" → that
    company), else None: the first run of letters ending in one of `words` (a word right after it
    extends it: 中心医院, 集团有限公司), less a paying word in front (支付, 向…), at least two letters
    before its word. Always a part of the summary."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return pd.Series(None, index=summaries.index, dtype=object)
    word = "|".join(re.escape(w) for w in words)
    name = rf"{_NAME_CHAR}{{2,40}}?(?:{word})(?:{_NAME_CHAR}{{0,3}}?(?:{word}))*"
    # 年/月/日 right after a number end a date (2019年1月长沙某公司…), not begin a name
    found = summaries.astype("string").str.extract(rf"(?:(?<=\d)(?:年度|月份|[年月日号期]))?({name})", expand=False)
    found = found.str.replace(_PAYING_WORDS, "", n=1, regex=True)
    named = found.where(found.str.fullmatch(name).fillna(False))
    return named.astype(object).where(named.notna(), None)


def _typed_for_sql(journal: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in journal.columns if c not in ("date", "debit", "credit", "_row", "_bad")]
    journal[text] = journal[text].astype("string")
    journal["date"] = pd.to_datetime(journal["date"], errors="coerce")
    for name in ("debit", "credit"):
        journal[name] = pd.to_numeric(journal[name], errors="coerce")
    return journal


def voucher_lines(table: Table) -> pd.DataFrame:
    """Each line's voucher as a reader names it (记-12, or 12 without a word) and its line within
    the voucher (the 分录号 where the export has one, else its place among the voucher's lines),
    and its period, by Excel row: columns _row, voucher, voucher_line, period. Lines without a
    voucher number are left out."""
    data = table.data
    if "voucher_no" not in data:
        return pd.DataFrame(columns=["_row", "voucher", "voucher_line", "period"])
    lines = data[data["voucher_no"].notna()].sort_values("_row")
    word = lines["voucher_word"].astype("string") if "voucher_word" in lines else pd.Series(pd.NA, index=lines.index, dtype="string")
    number = lines["voucher_no"].astype("string")
    name = (word + "-").fillna("") + number
    period = lines["period"].astype("string").fillna("") if "period" in lines else ""
    key = period + "|" + name
    # a voucher's lines are contiguous in an export: a line whose key differs from the one above starts one
    block = (key != key.shift()).fillna(True).astype("int64").cumsum()
    place = lines.groupby(block).cumcount() + 1
    if "line_no" in lines:
        place = pd.to_numeric(lines["line_no"], errors="coerce").astype("Int64").fillna(place)
    return pd.DataFrame({"_row": lines["_row"].astype("int64"), "voucher": name.astype(object),
                         "voucher_line": place.astype("int64"),
                         "period": period.where(period != "").astype(object) if "period" in lines else None})


def journal_summary(table: Table) -> dict:
    """What `inspect` says of a journal: vouchers, the payments it yields, the auxiliaries found."""
    data = table.data
    keys = [c for c in ("_unit", "period", "voucher_word", "voucher_no") if c in data]
    vouchers = len(data.dropna(subset=["voucher_no"])[keys].drop_duplicates()) if "voucher_no" in data else 0
    payments = derive_payments(table)
    auxiliaries = [AUXILIARY_TITLES[f] for f in AUXILIARY_LABELS if f in data and data[f].notna().any()]
    return {"vouchers": vouchers, "payments": 0 if payments is None else len(payments.data), "auxiliaries": auxiliaries}


AUXILIARY_TITLES = {"counterparty": "往来单位", "project": "项目", "department": "部门", "econ_class": "经济分类",
                    "contract_no": "合同"}

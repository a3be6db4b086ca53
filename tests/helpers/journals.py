"""Journals as accounting software exports them, written by the tests: a 金蝶-style 会计分录序时簿
(xlsx) and a 用友-style 凭证明细 (CSV in GB18030), holding the same payments.

The payments, each a voucher under 政府会计制度 with financial and budget lines:
  记-1  2019-03-05 会议费 3,800 to 长沙某酒店, invoice 00571234 in the 摘要        (paid from 1011)
  记-2  2019-03-18 the same invoice paid again, 3,800 to 长沙某酒店                (a duplicate)
  记-3  2019-03-20 印刷费 1,200 to 湖南某印刷厂 through 2307 other payables       (paid from 1002)
  记-4  2019-03-25 a reversal of 记-3 (red ink, -1,200) and nothing else
  记-5  2019-03-28 a transfer between bank accounts (no expense: no payment)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

# (word-number, date, summary, code, name, debit, credit, auxiliary, maker, checker)
LINES = [
    ("记-0001", "2019-03-05", "支付会议费 发票号00571234", "5001.01", "业务活动费用-会议费", 3800, None,
     "往来单位:长沙某酒店;经济分类:30215 会议费", "张三", "李四"),
    (None, None, "支付会议费", "1011", "零余额账户用款额度", None, 3800, None, None, None),
    (None, None, "支付会议费", "7201.01", "事业支出", 3800, None, "经济分类:30215 会议费", None, None),
    (None, None, "支付会议费", "8001", "资金结存", None, 3800, None, None, None),
    ("记-0002", "2019-03-18", "支付会议费 发票号00571234", "5001.01", "业务活动费用-会议费", 3800, None,
     "[往来单位]长沙某酒店;[经济分类]30215 会议费", "张三", "王五"),
    (None, None, "支付会议费", "1011", "零余额账户用款额度", None, 3800, None, None, None),
    (None, None, "支付会议费", "7201.01", "事业支出", 3800, None, None, None, None),
    (None, None, "支付会议费", "8001", "资金结存", None, 3800, None, None, None),
    ("记-0003", "2019-03-20", "印刷宣传册", "5001.02", "业务活动费用-印刷费", 1200, None,
     "经济分类---30202 印刷费", "张三", "李四"),
    (None, None, "印刷宣传册", "2307", "其他应付款", None, 1200, "往来单位:湖南某印刷厂", None, None),
    (None, None, "支付印刷费", "2307", "其他应付款", 1200, None, "往来单位:湖南某印刷厂", None, None),
    (None, None, "支付印刷费", "1002", "银行存款", None, 1200, None, None, None),
    ("记-0004", "2019-03-25", "冲销记-3印刷费", "5001.02", "业务活动费用-印刷费", -1200, None,
     "往来单位:湖南某印刷厂;经济分类:30202 印刷费", "张三", "李四"),
    (None, None, "冲销记-3印刷费", "1002", "银行存款", None, -1200, None, None, None),
    ("记-0005", "2019-03-28", "账户间划转", "1002", "银行存款", 5000, None, None, "张三", "李四"),
    (None, None, "账户间划转", "1002", "银行存款", None, 5000, None, None, None),
]
PAYMENTS = 4  # 记-1, 记-2, 记-3 (one expense line), 记-4 (the reversal)


def write_kingdee_journal(folder: Path) -> Path:
    """会计分录序时簿: 日期 会计期间 凭证字号 分录号 摘要 科目代码 科目名称 借方 贷方 核算项目 制单 审核人,
    a title and unit line above, voucher cells only on a voucher's first line, a 合计 row below."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "会计分录序时簿"
    ws.append(["会计分录序时簿"])
    ws.append(["核算单位：长沙市示范财政所", None, None, None, "期间：2019年第3期"])
    ws.append(["日期", "会计期间", "凭证字号", "分录号", "摘要", "科目代码", "科目名称", "借方", "贷方", "核算项目",
               "制单", "审核人"])
    line = 0
    for word_no, date, summary, code, name, debit, credit, aux, maker, checker in LINES:
        line = 1 if word_no else line + 1
        period = "2019.3" if word_no else None
        ws.append([date, period, word_no, line, summary, code, name, debit, credit, aux, maker, checker])
    ws.append([None, None, None, None, "合计", None, None, sum(l[5] or 0 for l in LINES), sum(l[6] or 0 for l in LINES)])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "金蝶会计分录序时簿.xlsx"
    workbook.save(path)
    return path


def write_yonyou_journal_csv(folder: Path) -> Path:
    """凭证明细 from 用友 GRP: 会计期间 凭证类别 凭证编号 行号 制单日期 摘要 科目编码 科目名称 借方金额 贷方金额
    往来单位 经济分类 制单人 审核人, every line carrying its voucher, GB18030, CRLF."""
    header = ["会计期间", "凭证类别", "凭证编号", "行号", "制单日期", "摘要", "科目编码", "科目名称", "借方金额",
              "贷方金额", "往来单位", "经济分类", "制单人", "审核人"]
    rows, voucher, line = [header], None, 0
    for word_no, date, summary, code, name, debit, credit, aux, maker, checker in LINES:
        if word_no:
            voucher = (word_no.split("-")[0], str(int(word_no.split("-")[1])), date, maker, checker)
            line = 0
        line += 1
        party = econ = ""
        for part in (aux or "").replace("[", "").replace("]", ":").replace("---", ":").split(";"):
            label, _, value = part.partition(":")
            if label == "往来单位":
                party = value
            elif label == "经济分类":
                econ = value
        rows.append(["201903", voucher[0], voucher[1], str(line), voucher[2], summary, code.replace(".", ""), name,
                     "" if debit is None else f"{debit:.2f}", "" if credit is None else f"{credit:.2f}",
                     party, econ, voucher[3], voucher[4]])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "用友凭证明细.csv"
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gb18030") + b"\r\n")
    return path


def write_payment_ledger(folder: Path) -> Path:
    """The same payments as a hand-kept 付款明细 (what a journal's payments must equal)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "付款明细"
    ws.append(["日期", "凭证号", "摘要", "经济分类", "金额", "收款单位", "发票号", "经办人", "审核人"])
    ws.append(["2019-03-05", "记-1", "支付会议费 发票号00571234", "30215 会议费", 3800, "长沙某酒店", "00571234", "张三", "李四"])
    ws.append(["2019-03-18", "记-2", "支付会议费 发票号00571234", "30215 会议费", 3800, "长沙某酒店", "00571234", "张三", "王五"])
    ws.append(["2019-03-20", "记-3", "印刷宣传册", "30202 印刷费", 1200, "湖南某印刷厂", None, "张三", "李四"])
    ws.append(["2019-03-25", "记-4", "冲销记-3印刷费", "30202 印刷费", -1200, "湖南某印刷厂", None, "张三", "李四"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "付款明细.xlsx"
    workbook.save(path)
    return path

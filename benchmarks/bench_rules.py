"""Time the rule engine on a large, realistic set of canonical tables.

Generates canonical tables in memory with numpy (fixed seed) — by default 200,000 payments across
50 units with planted duplicates (within and across units, with invoice prefixes and leading
zeros), monthly rents of one amount with distinct invoices, 5,000 contracts, 20,000 assets,
staff, suppliers, special funds, decisions, meetings, appointments, receptions and overtime
meals — then runs the whole default ruleset and prints:

  - the time to load the tables into DuckDB, the time of each rule (top 10) and the total of
    `run_rules` (load + every rule + findings), with payment rows per second;
  - a scaling check: the same at half the size, so a rule whose time grows faster than its
    input (a self-join, pairwise comparison) shows up as a ratio well above 2;
  - the ratio of engine time to reading the same payments from Excel (bench_read.py measured
    3.59 s for 200k rows with load_ledgers; pass --read to measure it here instead).

    .venv/bin/python benchmarks/bench_rules.py [PAYMENTS] [--read] [--no-scaling]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit_rules.rules import database, engine  # noqa: E402
from audit_rules.rules.loader import load_ruleset  # noqa: E402

READ_SECONDS_200K = 3.59  # benchmarks/bench_read.py: load_ledgers on a 200k-row payments workbook
UNITS = 50
SEED = 20261101

ECON_CLASSES = np.array(["办公费", "印刷费", "公务用车运行维护费", "差旅费", "会议费", "培训费", "维修（护）费", "福利费", "劳务费", "委托业务费"])
ORDINARY = np.array([
    "购买办公用品", "支付印刷费", "车辆维修保养", "差旅费报销", "会议场地租金", "培训费",
    "项目评审费", "专家咨询费", "劳务费", "支付房租", "网络服务费", "设备维修", "资料费",
])
IRREGULAR = np.array(["工会活动购买购物卡", "春节慰问品", "2018年印刷费", "购买礼品", "加班误餐"])
CATEGORIES = np.array(["台式计算机", "便携式计算机", "A4黑白打印机", "复印机", "多功能一体机", "传真机", "碎纸机", "办公桌", "空调"])
CATEGORY_PRICE = np.array([5000, 7000, 1200, 35000, 3000, 3000, 900, 2000, 4000])  # the limits
SURNAMES = np.array(list("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"))
GIVEN = np.array(["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华", "平", "刚", "霞", "丽"])


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.add(np.char.add(rng.choice(SURNAMES, n), rng.choice(GIVEN, n)), rng.choice(GIVEN, n))


def _dates(rng: np.random.Generator, n: int, start: str = "2019-01-01", days: int = 730) -> pd.Series:
    return pd.Series(pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")).astype("datetime64[ns]")


def _text(values: np.ndarray, blank: np.ndarray | None = None) -> pd.Series:
    """Canonical text/id column: Python str, None where blank."""
    out = pd.Series(values.astype(object), dtype=object)
    if blank is not None:
        out[blank] = None
    return out


def _provenance(frame: pd.DataFrame, units: np.ndarray, file_of_unit: str, first_row: int = 4) -> pd.DataFrame:
    """_file, _sheet, _row (Excel rows counted per unit file), _unit, _bad."""
    n = len(frame)
    unit_codes = pd.Series(units, dtype=object).fillna("shared")
    frame["_file"] = (unit_codes + "/" + file_of_unit).astype(object).to_numpy()
    frame["_sheet"] = "Sheet1"
    frame["_row"] = (unit_codes.groupby(unit_codes).cumcount() + first_row).to_numpy(dtype="int64")
    frame["_unit"] = units.astype(object)
    frame["_bad"] = pd.Series([[] for _ in range(n)], dtype=object)
    return frame


def make_tables(payments: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    unit_names = np.array([f"单位{u:02d}" for u in range(UNITS)])

    # staff: 60 per unit, some departed, some accountants doubling as cashiers
    staff_n = UNITS * 60
    staff_units = np.repeat(unit_names, 60)
    staff_names = _names(rng, staff_n)
    staff = pd.DataFrame({
        "name": _text(staff_names),
        "department": _text(rng.choice(np.array(["办公室", "财务科", "业务科", "后勤科"]), staff_n)),
        "title": _text(rng.choice(np.array(["科员", "科长", "会计", "出纳", "会计兼出纳", "采购员", "稽核"]), staff_n, p=[.5, .2, .08, .08, .02, .08, .04])),
        "status": _text(rng.choice(np.array(["在职", "调离", "退休", "离职"]), staff_n, p=[.94, .02, .02, .02])),
        "left_date": _dates(rng, staff_n, "2017-01-01", 1500),
    })
    staff = _provenance(staff, staff_units, "人员名册.xlsx")

    # suppliers: 300 shared designated suppliers, valid over windows
    supplier_pool = np.array([f"湖南供应商{i:04d}有限公司" for i in range(2000)])
    sup_n = 300
    suppliers = pd.DataFrame({
        "name": _text(supplier_pool[:sup_n]),
        "category": _text(np.repeat(np.array(["印刷费", "公务用车运行维护费"]), sup_n // 2)),
        "valid_from": _dates(rng, sup_n, "2018-01-01", 365),
        "valid_to": _dates(rng, sup_n, "2020-06-01", 730),
    })
    suppliers = _provenance(suppliers, np.array([None] * sup_n, dtype=object), "定点供应商.xlsx")

    # contracts: 100 per unit
    con_n = 5000
    con_units = np.repeat(unit_names, con_n // UNITS)
    con_seq = np.tile(np.arange(con_n // UNITS), UNITS)
    contract_nos = np.char.add(np.char.add("HT-", np.char.mod("%02d", np.repeat(np.arange(UNITS), con_n // UNITS))), np.char.mod("-%03d", con_seq))
    con_amount = np.round(rng.lognormal(11, 1.0, con_n), 2)
    sign = _dates(rng, con_n)
    start = sign + pd.to_timedelta(np.where(rng.random(con_n) < 0.05, -7, rng.integers(0, 30, con_n)), unit="D")
    contracts = pd.DataFrame({
        "contract_no": _text(contract_nos),
        "name": _text(np.char.add("项目", con_seq.astype(str))),
        "counterparty": _text(rng.choice(supplier_pool, con_n)),
        "amount": con_amount,
        "sign_date": sign.where(rng.random(con_n) > 0.02),
        "signed": pd.array(rng.random(con_n) > 0.03, dtype="boolean"),
        "sealed": pd.array(rng.random(con_n) > 0.03, dtype="boolean"),
        "start_date": start,
        "acceptance_date": start + pd.to_timedelta(rng.integers(20, 200, con_n), unit="D"),
        "prepay_ratio": np.round(rng.choice(np.array([0.1, 0.2, 0.3, 0.5]), con_n, p=[.3, .35, .32, .03]), 2),
        "prepay_days": pd.array(rng.integers(5, 30, con_n), dtype="Int64"),
    })
    contracts = _provenance(contracts, con_units, "合同台账.xlsx")

    # payments: spread over units; 30% against a contract of the unit; planted duplicates
    n = payments
    pay_units_idx = rng.integers(0, UNITS, n)
    pay_units = unit_names[pay_units_idx]
    econ = rng.choice(ECON_CLASSES, n)
    amount = np.round(rng.lognormal(7.5, 1.2, n), 2)
    payee_idx = rng.integers(0, len(supplier_pool), n)
    payee = supplier_pool[payee_idx]
    # review fees to people: a tenth of 劳务费/评审费 rows paid to a person of the unit's roster
    summary = np.where(rng.random(n) < 0.02, rng.choice(IRREGULAR, n), rng.choice(ORDINARY, n))
    # designated classes are mostly bought from a listed supplier of that category
    listed = np.where(econ == "印刷费", rng.integers(0, sup_n // 2, n), rng.integers(sup_n // 2, sup_n, n))
    designated = np.isin(econ, ["印刷费", "公务用车运行维护费"]) & (rng.random(n) < 0.95)
    payee_idx = np.where(designated, listed, payee_idx)
    payee = supplier_pool[payee_idx]
    to_person = np.isin(summary, ["项目评审费", "专家咨询费", "劳务费"]) & (rng.random(n) < 0.1)
    person_idx = pay_units_idx * 60 + rng.integers(0, 60, n)
    payee = np.where(to_person, staff_names[person_idx], payee)
    invoice_no = np.char.mod("%08d", rng.integers(1, 10**8, n)).astype(object)
    with_contract = rng.random(n) < 0.3
    contract_pick = pay_units_idx * (con_n // UNITS) + rng.integers(0, con_n // UNITS, n)
    contract_no = np.where(with_contract, contract_nos[contract_pick], None)
    # contracts are paid in instalments of about a third: some end up over the contract
    # instalments: a contract's payments add up to about 70–110% of it, so a few are overpaid
    per_contract = max(1.0, 0.3 * n / con_n)
    amount = np.where(with_contract, np.round(con_amount[contract_pick] * rng.uniform(0.5, 1.0, n) / per_contract * 1.2, 2), amount)
    handler = staff_names[pay_units_idx * 60 + rng.integers(0, 60, n)]
    approver = np.where(rng.random(n) < 0.01, handler, staff_names[pay_units_idx * 60 + rng.integers(0, 60, n)])
    issuer = np.where(rng.random(n) < 0.01, supplier_pool[rng.integers(0, len(supplier_pool), n)], payee)
    fund = np.where(rng.random(n) < 0.1, np.char.add("专项", rng.integers(0, 5, n).astype(str)), "日常公用经费")
    # special funds mostly pay their allowed classes
    econ = np.where((fund != "日常公用经费") & (rng.random(n) < 0.9), rng.choice(np.array(["办公费", "印刷费", "会议费"]), n), econ)
    dates = _dates(rng, n)

    # duplicates: 1% of rows re-pay an earlier row's invoice and amount (a third of them in
    # another unit), written with a prefix or leading zeros; monthly rents: 12 payments of one
    # amount to one payee with distinct invoices (must not be flagged)
    dup = rng.choice(n, n // 100, replace=False)
    source = rng.choice(np.setdiff1d(np.arange(n), dup), len(dup), replace=False)
    invoice_no[dup] = np.where(rng.random(len(dup)) < 0.5, "No." + invoice_no[source].astype(str), "00" + invoice_no[source].astype(str))
    amount[dup] = amount[source]
    same_unit = rng.random(len(dup)) < 0.67
    pay_units[dup] = np.where(same_unit, pay_units[source], pay_units[dup])
    rent = rng.choice(np.setdiff1d(np.arange(n), np.r_[dup, source]), 12 * UNITS, replace=False)
    amount[rent] = 5000.0
    summary[rent] = "支付房租"
    payee[rent] = np.repeat(supplier_pool[-UNITS:], 12)
    invoice_no[rent] = np.char.mod("R%07d", np.arange(len(rent))).astype(object)
    blank_invoice = rng.random(n) < 0.05
    invoice_no[blank_invoice & ~np.isin(np.arange(n), np.r_[dup, source])] = None

    pays = pd.DataFrame({
        "date": dates,
        "voucher_no": _text(np.char.mod("记-%06d", np.arange(n))),
        "summary": _text(summary),
        "econ_class": _text(econ),
        "amount": amount.astype("float64"),
        "payee": _text(payee),
        "invoice_issuer": _text(issuer),
        "invoice_no": pd.Series(invoice_no, dtype=object),
        "contract_no": pd.Series(contract_no, dtype=object),
        "fund_source": _text(fund),
        "handler": _text(handler),
        "approver": _text(approver),
        "headcount": pd.array(rng.integers(1, 10, n), dtype="Int64"),
    })
    pays = _provenance(pays, pay_units, "付款明细.xlsx")

    # special funds: 5 per unit, allowed classes
    sf_units = np.repeat(unit_names, 5)
    special_funds = pd.DataFrame({
        "fund": _text(np.tile(np.char.add("专项", np.arange(5).astype(str)), UNITS)),
        "year": pd.array(np.full(UNITS * 5, 2019), dtype="Int64"),
        "approved_amount": np.round(rng.uniform(1e5, 1e6, UNITS * 5), 2),
        "allowed_classes": pd.Series([["办公费", "印刷费", "会议费"]] * (UNITS * 5), dtype=object),
        "purpose": _text(np.full(UNITS * 5, "信息化建设")),
    })
    special_funds = _provenance(special_funds, sf_units, "专项资金.xlsx")

    # decisions: 80% of contracts of 100,000 or more have one
    big = np.flatnonzero(con_amount >= 100_000)
    decided = big[rng.random(len(big)) < 0.8]
    decisions = pd.DataFrame({
        "date": sign.iloc[decided].reset_index(drop=True),
        "meeting": _text(np.full(len(decided), "党组会")),
        "topic": _text(np.char.add("审议合同", contract_nos[decided])),
        "amount": con_amount[decided],
        "contract_no": _text(contract_nos[decided]),
        "result": _text(np.full(len(decided), "同意")),
    })
    decisions = _provenance(decisions, con_units[decided], "三重一大.xlsx")

    # assets: 400 per unit; users from the roster (some departed)
    as_n = 20_000
    as_units_idx = np.repeat(np.arange(UNITS), as_n // UNITS)
    cat = rng.integers(0, len(CATEGORIES), as_n)
    acquired = _dates(rng, as_n)
    assets = pd.DataFrame({
        "asset_no": _text(np.char.mod("ZC%07d", np.arange(as_n))),
        "name": _text(CATEGORIES[cat]),
        "category": _text(CATEGORIES[cat]),
        "model": _text(np.full(as_n, "通用型")),
        "unit_price": np.round(CATEGORY_PRICE[cat] * rng.uniform(0.5, 1.02, as_n), 2),
        "quantity": pd.array(np.ones(as_n, dtype=int), dtype="Int64"),
        "acquired_date": acquired,
        "booked_date": acquired + pd.to_timedelta(np.where(rng.random(as_n) < 0.05, rng.integers(31, 120, as_n), rng.integers(0, 31, as_n)), unit="D"),
        "user": _text(staff_names[as_units_idx * 60 + rng.integers(0, 60, as_n)]),
        "department": _text(np.full(as_n, "办公室")),
    })
    assets = _provenance(assets, unit_names[as_units_idx], "固定资产卡片.xlsx")

    # price limits: five units have their own table raising desktops to 6000
    pl_units = unit_names[:5]
    price_limits = _provenance(
        pd.DataFrame({"category": _text(np.full(5, "台式计算机")), "limit": np.full(5, 6000.0)}), pl_units, "资产配置限额.xlsx"
    )

    # meetings: about 3 a month per unit over two years; study sessions missing some months
    mt_n = UNITS * 72
    mt_units = np.repeat(unit_names, 72)
    present = np.where(rng.random(mt_n) < 0.02, 11, rng.integers(8, 11, mt_n))
    meetings = pd.DataFrame({
        "date": _dates(rng, mt_n),
        "name": _text(np.char.add("会议", np.arange(mt_n).astype(str))),
        "kind": _text(rng.choice(np.array(["中心组学习", "党组会", "支部会", "办公会"]), mt_n, p=[.35, .25, .2, .2])),
        "host": _text(staff_names[rng.integers(0, staff_n, mt_n)]),
        "recorder": _text(staff_names[rng.integers(0, staff_n, mt_n)], rng.random(mt_n) < 0.03),
        "attendees": _text(np.full(mt_n, "全体班子成员")),
        "expected": pd.array(np.full(mt_n, 10), dtype="Int64"),
        "present": pd.array(present, dtype="Int64"),
        "signed_in": pd.array(np.where(rng.random(mt_n) < 0.03, 7, present), dtype="Int64"),
    })
    meetings = _provenance(meetings, mt_units, "会议记录.xlsx")

    ap_n = UNITS * 10
    ap_start = _dates(rng, ap_n, "2019-01-01", 2900)  # reaches 2026–2027: calendar fallback note
    appointments = _provenance(pd.DataFrame({
        "name": _text(_names(rng, ap_n)),
        "post": _text(np.full(ap_n, "副科长")),
        "start": ap_start,
        "end": ap_start + pd.to_timedelta(rng.integers(3, 9, ap_n), unit="D"),
    }), np.repeat(unit_names, 10), "任前公示.xlsx")

    rc_n = 10_000
    rc_units = unit_names[rng.integers(0, UNITS, rc_n)]
    guests, companions = rng.integers(1, 8, rc_n), rng.integers(0, 4, rc_n)
    receptions = _provenance(pd.DataFrame({
        "date": _dates(rng, rc_n),
        "guest_unit": _text(np.char.add("来访单位", rng.integers(0, 500, rc_n).astype(str))),
        "guest_location": _text(rng.choice(np.array(["株洲市", "湘潭市", "长沙市岳麓区", "岳阳市", "北京市"]), rc_n, p=[.3, .3, .02, .2, .18])),
        "guest_count": pd.array(guests, dtype="Int64"),
        "companion_count": pd.array(companions, dtype="Int64"),
        "amount": np.round((guests + companions) * np.where(rng.random(rc_n) < 0.05, 180, rng.uniform(60, 150, rc_n)), 2),
        "letter": pd.array(rng.random(rc_n) > 0.1, dtype="boolean"),
    }), rc_units, "公务接待.xlsx")

    ot_n = 10_000
    applied = rng.integers(2, 12, ot_n)
    overtime = _provenance(pd.DataFrame({
        "date": _dates(rng, ot_n),
        "reason": _text(np.full(ot_n, "加班")),
        "applied_count": pd.array(applied, dtype="Int64"),
        "actual_count": pd.array(np.where(rng.random(ot_n) < 0.05, applied + 1, applied), dtype="Int64"),
        "amount": np.round(applied * np.where(rng.random(ot_n) < 0.05, 35, rng.uniform(15, 30, ot_n)), 2),
        "approver": _text(staff_names[rng.integers(0, staff_n, ot_n)]),
    }), unit_names[rng.integers(0, UNITS, ot_n)], "加班餐.xlsx")

    return {
        "payments": pays, "contracts": contracts, "assets": assets, "staff": staff, "suppliers": suppliers,
        "special_funds": special_funds, "decisions": decisions, "meetings": meetings, "appointments": appointments,
        "receptions": receptions, "overtime_meals": overtime, "price_limits": price_limits,
    }


def time_rules(tables: dict[str, pd.DataFrame], ruleset) -> tuple[float, dict[str, float], dict[str, int]]:
    """(load seconds, rule id -> seconds, rule id -> findings) running each rule as the engine does."""
    began = time.perf_counter()
    con = database.prepare_database(tables)
    load = time.perf_counter() - began
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    try:
        for rule in ruleset.enabled_rules:
            began = time.perf_counter()
            if engine.missing_inputs(rule, tables, {}):
                counts[rule.id] = -1
            else:
                found, _ = engine.run_rule(con, rule, ruleset)
                counts[rule.id] = len(found)
            seconds[rule.id] = time.perf_counter() - began
    finally:
        con.close()
    return load, seconds, counts


def measure(payments: int, ruleset, show: bool = True) -> dict[str, object]:
    began = time.perf_counter()
    tables = make_tables(payments)
    generated = time.perf_counter() - began
    rows = sum(len(t) for t in tables.values())
    load, seconds, counts = time_rules(tables, ruleset)
    began = time.perf_counter()
    findings, outcomes = engine.run_rules(tables, ruleset)
    total = time.perf_counter() - began
    if show:
        print(f"generated {rows:,} canonical rows ({payments:,} payments) in {generated:.1f} s")
        print(f"run_rules, whole default ruleset: {total:.2f} s  ->  {payments / total:,.0f} payment rows/s, "
              f"{rows / total:,.0f} rows/s over all tables; {len(findings):,} findings, "
              f"{sum(o.status == 'ran' for o in outcomes)} rules ran")
        print(f"  loading the tables into DuckDB: {load:.2f} s; rules: {sum(seconds.values()):.2f} s")
        print("  slowest rules:")
        for rule_id, sec in sorted(seconds.items(), key=lambda item: -item[1])[:10]:
            print(f"    {rule_id:<34} {sec:6.3f} s  {counts[rule_id]:>7,} findings")
    return {"total": total, "load": load, "seconds": seconds, "counts": counts}


def measure_read(payments: int) -> float:
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_read import make_workbook  # noqa: PLC0415

    from audit_rules.ledgers import load_ledgers

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "付款明细.xlsx"
        make_workbook(path, payments)
        began = time.perf_counter()
        load_ledgers([path])
        return time.perf_counter() - began


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    payments = int(args[0]) if args else 200_000
    ruleset = load_ruleset(None)
    big = measure(payments, ruleset)

    if "--no-scaling" not in sys.argv:
        half = measure(payments // 2, ruleset, show=False)
        print(f"\nscaling ({payments // 2:,} -> {payments:,} payments, x2 input; linear ≈ x2):")
        print(f"  run_rules x{big['total'] / half['total']:.2f}, table load x{big['load'] / half['load']:.2f}")
        ratios = {
            r: big["seconds"][r] / half["seconds"][r]
            for r in big["seconds"]
            if half["seconds"][r] > 0.02  # too short to time reliably otherwise
        }
        for rule_id, ratio in sorted(ratios.items(), key=lambda item: -item[1])[:5]:
            print(f"  {rule_id:<34} x{ratio:.2f}")

    if "--read" in sys.argv:
        read = measure_read(payments)
        source = f"measured here: load_ledgers on a {payments:,}-row payments workbook"
    else:
        read = READ_SECONDS_200K * payments / 200_000
        source = "benchmarks/bench_read.py: 3.59 s for 200k rows (scaled linearly)"
    print(f"\nreading the same payments from Excel: {read:.2f} s ({source})")
    print(f"engine / read = {big['total'] / read:.2f}")


if __name__ == "__main__":
    main()

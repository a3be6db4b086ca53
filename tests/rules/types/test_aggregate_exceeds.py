"""The aggregate_exceeds rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import make_table, pay, shipped_findings


def test_payment_over_contract_exact_to_the_cent():
    contracts = make_table(
        "contracts",
        [dict(contract_no="HT-1", name="工程", amount=298000), dict(contract_no="HT-2", name="监理", amount=100000)],
        file="c.xlsx",
    )
    payments = make_table(
        "payments",
        [
            pay("2024-01-01", "1", 149000, contract_no="HT-1"),
            pay("2024-02-01", "2", 149000, contract_no="ht 1"),
            pay("2024-01-01", "3", 60000, contract_no="HT-2"),
            pay("2024-03-01", "4", 40000.01, contract_no="HT2"),
            pay("2024-03-01", "5", 999999, contract_no=None),
        ],
        file="p.xlsx",
    )
    findings = shipped_findings("payment-over-contract", {"contracts": contracts, "payments": payments})
    assert len(findings) == 1
    f = findings[0]
    assert (f.locations[0].file, f.locations[0].row) == ("c.xlsx", 4)  # the contract row first
    assert [(loc.file, loc.row) for loc in f.locations[1:]] == [("p.xlsx", 5), ("p.xlsx", 6)]
    assert f.amount == 0.01
    assert "超付0.01元" in f.message


def test_payments_match_contracts_of_their_own_unit_only():
    contracts = make_table("contracts", [dict(contract_no="HT-1", amount=100)], unit="甲单位")
    payments = make_table("payments", [pay("2024-01-01", "1", 500, contract_no="HT-1")], unit="乙单位")
    assert shipped_findings("payment-over-contract", {"contracts": contracts, "payments": payments}) == []


"""A journal and a hand-kept 付款明细 of the same payments give the same payment findings."""

from __future__ import annotations

import pytest

from audit_rules.pipeline import run_check
from helpers.journals import write_kingdee_journal, write_payment_ledger, write_yonyou_journal_csv

PAYMENT_RULES = {"duplicate-payment", "segregation-handler-approver", "prohibited-expense", "payee-invoice-mismatch"}


def _payment_findings(path):
    result = run_check([path], quality=False)
    return sorted((f.rule_id, f.amount, len(f.locations)) for f in result.findings if f.rule_id in PAYMENT_RULES)


@pytest.mark.parametrize("writer", [write_kingdee_journal, write_yonyou_journal_csv])
def test_same_payment_findings_from_journal_and_payment_ledger(tmp_path, writer):
    from_journal = _payment_findings(writer(tmp_path / "journal"))
    from_ledger = _payment_findings(write_payment_ledger(tmp_path / "ledger"))
    assert from_journal == from_ledger
    assert ("duplicate-payment", 3800.0, 2) in from_journal  # the invoice paid twice

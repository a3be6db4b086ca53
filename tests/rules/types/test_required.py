"""The required rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import make_table, rows_of, shipped_findings


def test_contract_missing_elements_flags_each_missing_element_by_header():
    table = make_table(
        "contracts",
        [
            dict(contract_no="HT-1", name="维修", amount=1, sign_date="2024-01-01", signed=True, sealed=True),
            dict(contract_no="HT-2", name="采购", amount=1, sign_date=None, signed=True, sealed=False),
            dict(contract_no="HT-3", name="印刷", amount=1, sign_date="2024-01-01", signed=None, sealed=True),
        ],
    )
    findings = shipped_findings("contract-missing-elements", {"contracts": table})
    assert rows_of(findings) == [4, 5]
    by_row = {f.locations[0].row: f.message for f in findings}
    assert by_row[4] == "合同HT-2（采购）缺少：签订日期、盖章"
    assert by_row[5] == "合同HT-3（印刷）缺少：签字"


def test_meeting_record_blank_text_counts_as_missing():
    table = make_table(
        "meetings",
        [
            dict(date="2024-01-01", name="党组会", attendees="张、李", recorder="王", host="张"),
            dict(date="2024-01-02", name="支委会", attendees="张、李", recorder="  ", host="张"),
        ],
    )
    findings = shipped_findings("meeting-record-incomplete", {"meetings": table})
    assert rows_of(findings) == [4]
    assert "记录人" in findings[0].message


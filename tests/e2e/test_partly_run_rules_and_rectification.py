"""A rule that ran without a check does not 销号 what that check found (issue 11).

A 合同台账 checked with its 盖章 column finds an unsealed contract; checked again without the
column, the finding is gone only because nothing looked: it is 未复核, not 已销号. When both
runs lacked the column, a fixed 签订日期 is 销号 as usual.
"""

from __future__ import annotations

from pathlib import Path

from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports

HEADER = "合同编号,合同名称,合同金额,签订日期,签字,盖章\n"
ROWS = ["HT-1,绿化养护,40000,,是,是\n", "HT-2,物业服务,80000,2024-02-01,是,否\n", "HT-3,食堂承包,60000,2024-03-01,是,是\n"]


def _ledger(folder: Path, rows: list[str], with_seal: bool = True) -> Path:
    """The register, rewritten in place (the folder names the unit, part of every id)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [HEADER, *rows]
    if not with_seal:
        lines = [line.rsplit(",", 1)[0] + "\n" for line in lines]
    (folder / "合同台账.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def _missing(result) -> dict[str, str]:
    return {f.message.split("（")[0]: f.id for f in result.findings if f.rule_id == "contract-missing-elements"}


def test_dropping_the_seal_column_leaves_the_unsealed_finding_unchecked_not_resolved(tmp_path):
    first = run_check([_ledger(tmp_path / "a", ROWS)])
    assert set(_missing(first)) == {"合同HT-1", "合同HT-2"}
    write_reports(first, tmp_path / "run1", ("json",))

    second = run_check([_ledger(tmp_path / "a", ROWS, with_seal=False)], baseline=tmp_path / "run1")
    assert set(_missing(second)) == {"合同HT-1"}  # 签订日期 still checked
    assert [f.id for f in second.not_rechecked] == [_missing(first)["合同HT-2"]]
    assert second.resolved == []


def test_a_check_left_out_of_both_runs_does_not_stop_the_others_resolving(tmp_path):
    first = run_check([_ledger(tmp_path / "a", ROWS, with_seal=False)])
    assert set(_missing(first)) == {"合同HT-1"}
    write_reports(first, tmp_path / "run1", ("json",))

    fixed = [ROWS[0].replace(",,", ",2024-01-05,"), *ROWS[1:]]
    second = run_check([_ledger(tmp_path / "a", fixed, with_seal=False)], baseline=tmp_path / "run1")
    assert _missing(second) == {}
    assert [f.id for f in second.resolved] == [_missing(first)["合同HT-1"]]
    assert second.not_rechecked == []


def test_a_rule_cut_at_the_findings_cap_does_not_close_what_it_did_not_list(tmp_path, monkeypatch):
    """Two contracts lack elements; with a cap of one finding per rule, the second run lists one:
    the other is not gone, it was not listed — 未复核, never 已销号."""
    from audit_rules.rules.database import MAX_FINDINGS_ENV

    first = run_check([_ledger(tmp_path / "a", ROWS)])
    write_reports(first, tmp_path / "run1", ("json",))
    monkeypatch.setenv(MAX_FINDINGS_ENV, "1")
    second = run_check([_ledger(tmp_path / "a", ROWS)], baseline=tmp_path / "run1")
    assert len(_missing(second)) == 1
    assert not [f for f in second.resolved if f.rule_id == "contract-missing-elements"]
    assert [f.rule_id for f in second.not_rechecked] == ["contract-missing-elements"]

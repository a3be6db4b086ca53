"""The compare rule type: what it flags and the near misses it must not flag (default-ruleset.md examples)."""

from __future__ import annotations

from helpers.rules import make_table, rows_of, run_rule_yaml, shipped_findings


def test_meeting_attendance_conditions_and_description():
    table = make_table(
        "meetings",
        [
            dict(name="A", expected=10, present=9, signed_in=9),
            dict(name="B", expected=10, present=12, signed_in=12),
            dict(name="C", expected=10, present=10, signed_in=8),
            dict(name="D", expected=None, present=10, signed_in=10),
        ],
    )
    findings = shipped_findings("meeting-attendance-mismatch", {"meetings": table})
    assert rows_of(findings) == [4, 5]
    by_row = {f.locations[0].row: f.message for f in findings}
    assert "实到人数(12)大于应到人数(10)" in by_row[4]
    assert "签到人数(8)不等于实到人数(10)" in by_row[5]


def test_compare_against_a_number():
    yaml_text = """
id: too-many
title: 人数过多
category: custom
severity: low
type: compare
table: meetings
conditions:
  - {left: present, op: ge, right: 100}
message: "{violated}"
"""
    table = make_table("meetings", [dict(name="A", present=99), dict(name="B", present=100)])
    findings, _ = run_rule_yaml(yaml_text, {"meetings": table})
    assert rows_of(findings) == [4]
    assert findings[0].message == "实到人数(100)不小于100"


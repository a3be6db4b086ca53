"""Disabled rules are listed as such, but only rules that could not run are warned about."""

from __future__ import annotations

from helpers.reports import make_result

from audit_rules.cli_output import print_check_summary
from audit_rules.reports.html_report import render_html
from audit_rules.result import RuleOutcome


def _with_disabled():
    result = make_result()
    result.rules.append(
        RuleOutcome("reception-same-city", "同城公务接待", "same_city_reception", "medium", "约法三章",
                    "match", {}, "disabled", "规则集已停用此规则")
    )
    return result


def test_a_disabled_rule_is_not_a_skipped_rule():
    result = _with_disabled()
    assert "reception-same-city" not in {s["rule_id"] for s in result.skipped_rules}
    assert result.skipped_rules, "the fixture has rules that could not run"


def test_the_summary_warns_only_about_rules_that_could_not_run(capsys):
    print_check_summary(_with_disabled(), {})
    out = capsys.readouterr().out
    assert "未运行" in out
    assert "reception-same-city" not in out


def test_html_lists_a_disabled_rule_as_disabled_not_as_skipped(tmp_path):
    html = render_html(_with_disabled(), tmp_path / "r.html")
    skipped_section = html[html.index('id="skipped"'):] if 'id="skipped"' in html else ""
    assert "已停用" in html
    assert "reception-same-city" not in skipped_section.split("</section>")[0]


def test_many_skipped_rules_are_summarised_after_the_first_few(capsys):
    result = make_result()
    template = next(r for r in result.rules if r.could_not_run)
    result.rules = [
        RuleOutcome(f"r{n}", f"规则{n}", "custom", "low", "", "match", {}, "skipped", f"缺少表{n}")
        for n in range(12)
    ] + [template]
    print_check_summary(result, {})
    out = capsys.readouterr().out
    assert out.count("未运行：") == 5
    assert "另有 8 条规则未运行" in out


def test_a_category_without_amounts_shows_a_dash_not_zero(capsys):
    result = make_result()
    for finding in result.findings:
        if finding.category == result.findings[0].category:
            finding.amount = None
    print_check_summary(result, {})
    from audit_rules.findings import CATEGORY_TITLES

    line = next(l for l in capsys.readouterr().out.splitlines() if CATEGORY_TITLES[result.findings[0].category] in l)
    assert "—" in line and "0.00" not in line


def _with_partly_ran():
    result = make_result()
    partly = RuleOutcome("contract-missing-elements", "合同要素缺失", "contract_missing_elements", "medium", "民法典",
                         "required", {}, "ran", "部分检查未运行：盖章（合同台账缺少字段：盖章（sealed））", findings=1)
    partly.skipped_checks = [{"check": "盖章", "reason": "合同台账缺少字段：盖章（sealed）"}]
    result.rules.append(partly)
    return result


def test_a_rule_that_ran_without_some_checks_is_named_everywhere(tmp_path, capsys):
    """The checks left out reach the terminal, the 规则清单 of report.xlsx and report.html."""
    import openpyxl

    from audit_rules.reports.workbook_names import SHEET_RULES
    from audit_rules.reports.xlsx_report import write_xlsx

    result = _with_partly_ran()
    assert {"rule_id": "contract-missing-elements", "reason": result.rules[-1].reason,
            "skipped_checks": result.rules[-1].skipped_checks} in result.skipped_rules
    print_check_summary(result, {})
    out = capsys.readouterr().out
    assert "contract-missing-elements（合同要素缺失）部分检查未运行：盖章" in out
    assert "其中 1 条部分检查未运行" in out

    write_xlsx(result, tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")[SHEET_RULES]
    row = [r for r in ws.iter_rows(values_only=True) if r[0] == "contract-missing-elements"][-1]
    assert "部分运行" in row and any("盖章（合同台账缺少字段" in str(v) for v in row)

    html = render_html(result, tmp_path / "r.html")
    skipped_section = html[html.index('id="skipped"'):].split("</section>")[0]
    assert "contract-missing-elements" in skipped_section and "部分运行" in skipped_section

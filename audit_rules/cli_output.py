"""Terminal output of the CLI (Chinese, rich): summaries only, no decisions."""

from __future__ import annotations

import contextlib
import unicodedata
from collections import defaultdict

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from audit_rules.findings import CATEGORY_TITLES, SEVERITY_TITLES, STATUS_TITLES
from audit_rules.ledgers.schema import kind_title

# A run on one ledger skips most rules; their reasons are all in the reports' rule list.
SKIPPED_SHOWN = 5
UNITS_SHOWN = 20  # a batch of hundreds of units: the terminal shows those with most findings


def printable(value: object) -> str:
    """A name from a ledger (file, sheet, unit) as it may reach a terminal: control and format
    characters (ANSI escapes, bidi overrides, newlines) written as \\x1b, \\u202e…"""
    text = "" if value is None else str(value)
    return "".join(_escaped(ch) if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain_text(value: object, style: str = "") -> Text:
    """A rich Text that is never read as markup (`[bold red]` in a file name stays literal)."""
    return Text(printable(value), style=style)


def _console() -> Console:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        # Piped or captured output: do not squeeze file names and Chinese headers into 80 columns.
        console = Console(highlight=False, soft_wrap=True, width=200)
    return console


def _money(value: float) -> str:
    return f"{value:,.2f}"


class _Quiet:
    """The display of a run that shows nothing (not a terminal, or --quiet)."""

    def __call__(self, stage: str) -> None:
        pass

    def file_done(self, done: int, total: int, rows: int) -> None:
        pass


class _RunDisplay(_Quiet):
    """A spinner naming the stage, and while many files are read a bar: files done of all, rows
    read, time elapsed and left. The finished bar stays on screen; later stages replace each other."""

    def __init__(self, console: Console):
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TextColumn("已用"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[left]}"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.stage_task = None
        self.files_task = None
        self.rows = 0

    def __call__(self, stage: str) -> None:
        if self.stage_task is not None:
            self.progress.remove_task(self.stage_task)
        self.stage_task = self.progress.add_task(f"{stage}……", total=None, count="", left="")

    def finish(self) -> None:
        """Only the reading bar stays on screen: the summary follows."""
        if self.stage_task is not None:
            self.progress.remove_task(self.stage_task)
            self.stage_task = None

    def file_done(self, done: int, total: int, rows: int) -> None:
        self.rows += rows
        count = f"{done}/{total} 个文件，{self.rows:,} 行"
        if self.files_task is None:
            if self.stage_task is not None:  # the bar takes the reading stage's place
                self.progress.remove_task(self.stage_task)
                self.stage_task = None
            self.files_task = self.progress.add_task("读取台账", total=total, count=count, left="预计剩余")
        self.progress.update(self.files_task, completed=done, total=total, count=count)
        if done >= total:
            self.progress.update(self.files_task, left="")


@contextlib.contextmanager
def progress_line(console: Console | None = None, quiet: bool = False):
    """The run's progress on stderr: call it with each stage (读取台账, 检查数据质量, 运行规则,
    写出报告), and its `file_done(done, total, rows)` with each file read. Nothing at all under
    --quiet or when the output is not a terminal (a pipe, a log file, a test)."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield _Quiet()
        return
    display = _RunDisplay(console)
    with display.progress:
        display("正在准备")
        try:
            yield display
        finally:
            display.finish()


def print_check_summary(result, written: dict[str, str]) -> None:
    console = _console()
    console.print(Text.assemble(
        ("检查完成", "bold"),
        f"：读取 {len(result.inputs)} 个文件，规则集 {printable(result.ruleset_title)}（{printable(result.ruleset_id)}），"
        f"运行规则 {sum(r.status == 'ran' for r in result.rules)} 条{_partly_ran_note(result)}，"
        f"跳过 {sum(r.could_not_run for r in result.rules)} 条。",
    ))
    if result.findings:
        by_category: dict[str, list] = defaultdict(list)
        for finding in result.findings:
            by_category[finding.category].append(finding)
        table = RichTable(title="疑点汇总（按类别）", show_lines=False)
        table.add_column("类别")
        table.add_column("疑点数", justify="right")
        table.add_column("涉及金额（元）", justify="right")
        table.add_column("严重程度")
        for category, items in sorted(by_category.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            severities = "、".join(
                f"{SEVERITY_TITLES[s]}{n}"
                for s in ("high", "medium", "low")
                if (n := sum(f.severity == s for f in items))
            )
            amounts = [f.amount for f in items if f.amount is not None]
            shown = _money(sum(amounts)) if amounts else "—"  # e.g. a contract missing its seal
            table.add_row(CATEGORY_TITLES.get(category, category), str(len(items)), shown, severities)
        total = sum(f.amount or 0 for f in result.findings)
        table.add_row("[bold]合计[/bold]", f"[bold]{len(result.findings)}[/bold]", f"[bold]{_money(total)}[/bold]", "")
        console.print(table)
    else:
        console.print("[green]未发现疑点。[/green]")
    _print_units(console, result)
    if result.resolved is not None:
        new = sum(f.status == "new" for f in result.findings)
        still = sum(f.status == "open" for f in result.findings)
        console.print(
            f"整改对账（基线 {result.baseline}）：{STATUS_TITLES['new']} {new} 条，"
            f"{STATUS_TITLES['open']} {still} 条，{STATUS_TITLES['resolved']} {len(result.resolved)} 条。"
        )
        if result.not_rechecked:
            console.print(
                f"[yellow]另有基线疑点 {len(result.not_rechecked)} 条本次未复核（所需台账未提供或规则未运行），"
                f"不作销号。[/yellow]"
            )
    _print_not_accepted(console, result)
    _print_unverified(console, result)
    not_run = [rule for rule in result.rules if rule.could_not_run or rule.partly_ran]
    for rule in not_run[:SKIPPED_SHOWN]:
        said = f"部分检查未运行：{rule.skipped_checks_text}" if rule.partly_ran else f"未运行：{rule.reason}"
        console.print(Text(f"规则 {rule.rule_id}（{rule.title}）{said}", style="yellow"))
    if len(not_run) > SKIPPED_SHOWN:
        console.print(
            f"[yellow]……另有 {len(not_run) - SKIPPED_SHOWN} 条规则未运行或部分检查未运行，原因见报告的“规则清单”。[/yellow]"
        )
    failed_checks = [q for q in result.data_quality if not q.passed]
    if failed_checks:
        console.print(f"[yellow]数据质量：{len(failed_checks)} 项检查未通过，详见报告“数据质量”部分。[/yellow]")
    _print_errors(console, result.errors)
    for fmt, path in written.items():
        console.print(f"已写出 {fmt}：{path}", markup=False)
    units = getattr(written, "units", None)
    if units:
        console.print(f"已为 {len(units)} 个单位分别写出报告（跨单位疑点写入所涉及的每个单位）：", markup=False)
        for folder in list(units)[:UNITS_SHOWN]:
            console.print(plain_text(f"  {folder}"))
        if len(units) > UNITS_SHOWN:
            console.print(f"  ……另有 {len(units) - UNITS_SHOWN} 个单位", markup=False)
    previous = getattr(written, "previous", None)
    if previous and previous.carried:
        console.print(f"已将上次 report.xlsx 中填写的 {previous.carried} 条整改信息带入新报告。")
    if previous and previous.kept_copy:
        console.print(f"上次的 report.xlsx {previous.reason}，原文件已另存为 {previous.kept_copy}，请勿删除。",
                      style="yellow", markup=False)


def _print_units(console: Console, result) -> None:
    """A batch of several units: files, findings and money per unit (the units with most first)."""
    from audit_rules.reports.common import unit_title

    files: dict[str, int] = defaultdict(int)
    for units in result.file_units.values():
        for unit in {u for u in units if u is not None}:
            files[unit] += 1
    if len(files) < 2:
        return
    counts: dict[str, list] = {unit: [] for unit in files}
    for finding in result.findings:
        counts.setdefault(finding.unit, []).append(finding)
    table = RichTable(title=f"各单位情况（{len(files)} 个单位）")
    for heading, justify in (("单位", "left"), ("文件数", "right"), ("疑点数", "right"), ("涉及金额（元）", "right")):
        table.add_column(heading, justify=justify)
    ordered = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0] or ""))
    for unit, items in ordered[:UNITS_SHOWN]:
        amounts = [f.amount for f in items if f.amount is not None]
        table.add_row(plain_text(unit_title(unit)), str(files.get(unit, 0)), str(len(items)),
                      _money(sum(amounts)) if amounts else "—")
    console.print(table)
    if len(ordered) > UNITS_SHOWN:
        console.print(f"……另有 {len(ordered) - UNITS_SHOWN} 个单位，见报告“汇总”。", markup=False)


def _partly_ran_note(result) -> str:
    partly = sum(r.partly_ran for r in result.rules)
    return f"（其中 {partly} 条部分检查未运行）" if partly else ""


def _print_not_accepted(console: Console, result) -> None:
    """Findings the unit marked 已整改 that the data still shows: the case an inspection looks for."""
    from audit_rules.reports.common import rule_title, unit_title
    from audit_rules.reports.rectification import NOT_ACCEPTED_TITLE, not_accepted_ids

    rejected = not_accepted_ids(result)
    if not rejected:
        return
    console.print(f"{NOT_ACCEPTED_TITLE}：{len(rejected)} 条疑点单位已标为“已整改”，但本次检查仍发现，不予销号：",
                  style="bold red", markup=False)
    shown = [f for f in result.findings if f.id in rejected]
    for finding in shown[:SKIPPED_SHOWN]:
        console.print(f"  • {finding.id} {unit_title(finding.unit)} {rule_title(finding)}", markup=False)
    if len(shown) > SKIPPED_SHOWN:
        console.print(f"  ……另有 {len(shown) - SKIPPED_SHOWN} 条，见报告“对账销号单”。", markup=False)


def _print_unverified(console: Console, result) -> None:
    """Name the unverified parameters findings rest on; a --set value is never called a default."""
    unverified = sorted({p for f in result.findings for p in f.unverified})
    given = [p for p in unverified if result.parameters.get(p, {}).get("set")]
    defaults = [p for p in unverified if p not in given]
    if defaults:
        console.print(f"提示：以下参数为规则集默认值、尚未核定，请按本单位/本地标准核定：{'、'.join(defaults)}",
                      style="yellow", markup=False)
    if given:
        console.print(f"提示：以下参数已用 --set 设定，但未声明已核定（核实后可加 --verified 参数名）：{'、'.join(given)}",
                      style="yellow", markup=False)


def print_quality_summary(run) -> None:
    """The failed checks (the cells to look at), then one line that counts everything; passing
    checks are only counted — hundreds of 通过 rows would hide the few that matter."""
    console = _console()
    failed = [res for res in run.results if not res.passed]
    if failed:
        table = RichTable(title="数据质量检查：未通过的项目")
        for column in ("文件", "工作表", "类型", "字段", "检查", "问题单元格"):
            table.add_column(column)
        for res in failed:
            cells = "；".join(f"第{f['row']}行：{printable(f.get('value'))}" for f in res.failed[:5])
            if len(res.failed) > 5:
                cells += f" 等 {len(res.failed)} 处"
            table.add_row(
                plain_text(res.file), plain_text(res.sheet), kind_title(res.kind), plain_text(res.field or ""),
                plain_text(res.detail or res.check), plain_text(cells),
            )
        console.print(table)
    cells = sum(len(res.failed) for res in failed)
    summary = (f"数据质量检查：共 {len(run.results)} 项，未通过 {len(failed)} 项（{cells} 个单元格），"
               f"通过 {len(run.results) - len(failed)} 项。")
    console.print(summary, style="red" if failed else "green", markup=False)
    _print_errors(console, run.ledgers.errors)


def print_read_errors(errors) -> None:
    _print_errors(_console(), errors)


def _print_errors(console: Console, errors) -> None:
    for error in errors:
        where = printable(error.file) + (f" / {printable(error.sheet)}" if error.sheet else "")
        console.print(plain_text(f"无法读取 {where}：{printable(error.message)}", style="red"))

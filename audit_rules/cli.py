"""Command line: click commands that parse options, call the library and print. No logic here."""

from __future__ import annotations

import shlex
import sys

import click

from audit_rules import __version__
from audit_rules.reports import FORMATS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

# click words its usage errors in English; our users read Chinese.
USAGE_WORDS = (
    ("Missing argument", "缺少参数"),
    ("Missing option", "缺少选项"),
    ("No such option", "没有这个选项"),
    ("No such command", "没有这个命令"),
    ("Got unexpected extra arguments", "多余的参数"),
    ("Got unexpected extra argument", "多余的参数"),
    ("Invalid value for", "取值无效："),
    ("requires an argument", "需要一个值"),
    ("Option '", "选项 '"),
    ("Did you mean", "是否想用"),
)


# Exit codes: 0 done and nothing found, 1 findings, 2 the run could not be done, 130 Ctrl-C.
EXIT_FINDINGS = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it; never 1, which means "findings"


class Failure(click.ClickException):
    """The command could not do its job: its Chinese lines go to stderr, exit code 2."""

    exit_code = EXIT_FAILED

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


class ChineseUsageGroup(click.Group):
    """A group whose usage errors (unknown option, missing argument…) are told in Chinese."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            text = exc.format_message()
            for english, chinese in USAGE_WORDS:
                text = text.replace(english, chinese)
            command = exc.ctx.command_path if exc.ctx else "audit-rules"
            click.echo(f"用法错误：{text}\n用 {command} --help 查看用法。", err=True)
            raise SystemExit(EXIT_FAILED) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None
        except (click.Abort, KeyboardInterrupt):
            click.echo("已中止（Ctrl-C）：本次检查未完成，已有的报告保持原样。", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None
        # Without standalone mode click returns ctx.exit()'s code instead of exiting with it.
        raise SystemExit(code or 0)


@click.group(cls=ChineseUsageGroup, context_settings=CONTEXT_SETTINGS, help="audit-rules：行政事业单位台账合规检查工具。")
@click.version_option(__version__, "-V", "--version", message="audit-rules %(version)s")
def main() -> None:
    pass


# ---- inspect (ledgers) ----------------------------------------------------------------------


def _print_inspection(entries: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    from audit_rules.cli_output import plain_text, printable
    from audit_rules.ledgers.schema import kind_title

    console = Console()
    if not console.is_terminal:
        # Piped or captured output: do not squeeze Chinese headers into 80 columns.
        console = Console(width=200)
    tables = [e for e in entries if "error" not in e]
    errors = [e for e in entries if "error" in e]
    grid = RichTable(title="台账识别结果", show_lines=True)
    for heading in ("文件", "工作表", "类型（中文名）", "表头行", "字段映射", "未映射列", "数据行数", "问题数"):
        grid.add_column(heading, overflow="fold")
    for entry in tables:
        kind = f"{entry['kind']}（{kind_title(entry['kind'])}）" if entry["kind"] else Text("未识别", style="yellow")
        mapped = "\n".join(f"{printable(header)} → {field}" for field, header in entry["fields"].items())
        grid.add_row(
            plain_text(entry["file"]), plain_text(entry["sheet"] or "—"), kind, str(entry["header_row"] or "—"),
            Text(mapped or "—"), plain_text("、".join(printable(c) for c in entry["unmapped"]) or "—"),
            str(entry["rows"]), str(len(entry["problems"])),
        )
    if tables:
        console.print(grid)
    for entry in tables:
        where = f"{printable(entry['file'])} {printable(entry['sheet'])}"
        for note in entry.get("notes", []):
            console.print(plain_text(f"  {where}：{printable(note)}"))
        for problem in entry["problems"][:20]:
            console.print(plain_text(f"  {where} 第{problem['row']}行 “{printable(problem['column'])}”："
                                     f"{printable(problem['message'])}"))
        if len(entry["problems"]) > 20:
            console.print(plain_text(f"  …… {where} 另有 {len(entry['problems']) - 20} 个问题（用 --json 查看全部）"))
    if errors:
        console.print("[red]无法读取：[/red]")
        for entry in errors:
            console.print(plain_text(f"  • {printable(entry['error'])}"))


@main.command(help="识别台账：列出每个工作表的类型、表头行、字段映射和无法识别的单元格。\n\n"
              "退出码：0 至少读到一个工作表；2 什么也读不到。")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--mapping", type=click.Path(dir_okay=False), help="表头映射 YAML：强制指定工作表类型和列对应字段。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（便于程序处理）。")
def inspect(paths, mapping, as_json):
    import json

    from audit_rules.ledgers import MappingError, inspect_ledgers

    try:
        entries = inspect_ledgers(list(paths), mapping)
    except (MappingError, FileNotFoundError) as exc:
        raise Failure(str(exc)) from None
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        _print_inspection(entries)
        if not entries:
            click.echo("没有找到台账文件（.xlsx/.xlsm/.xls/.csv）。", err=True)
        elif not any("error" not in e for e in entries):
            click.echo("没有读到任何工作表。", err=True)
    click.get_current_context().exit(0 if any("error" not in e for e in entries) else EXIT_FAILED)

# ---- rules (catalogue) ----------------------------------------------------------------------


def _load_ruleset_or_exit(ruleset: str | None):
    from audit_rules.rules.loader import load_ruleset
    from audit_rules.rules.model import RulesetError

    try:
        return load_ruleset(ruleset)
    except RulesetError as exc:
        raise Failure(*exc.errors) from None


@main.group(help="查看和校验规则集：列出规则、查看单条规则、校验规则集文件。")
def rules() -> None:
    pass


@rules.command("list", help="列出规则集中的规则（默认：内置默认规则集）。")
@click.option("--ruleset", "ruleset", metavar="FILE", help="规则集文件或内置规则集名称。")
def rules_list(ruleset: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    loaded = _load_ruleset_or_exit(ruleset)
    table = Table(title=f"{loaded.title}（{loaded.id} {loaded.version}）：{len(loaded.rules)} 条规则")
    table.add_column("id", no_wrap=True)
    for header in ("标题", "类别", "严重程度", "类型", "依据", "启用"):
        table.add_column(header, overflow="fold")
    for rule in loaded.rules:
        table.add_row(
            rule.id,
            rule.title,
            rule.category_title,
            rule.severity_title,
            rule.type,
            rule.basis,
            "是" if rule.enabled else "否",
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 200))  # piped: keep one rule per line
    console.print(table)


@rules.command("show", help="查看一条规则的全部字段、所用参数及取值、依据和示例。")
@click.argument("rule_id")
@click.option("--ruleset", "ruleset", metavar="FILE", help="规则集文件或内置规则集名称。")
def rules_show(rule_id: str, ruleset: str | None) -> None:
    import yaml

    from audit_rules.findings import UNVERIFIED_NOTE

    loaded = _load_ruleset_or_exit(ruleset)
    try:
        rule = loaded.rule(rule_id)
    except KeyError:
        raise Failure(f"规则集 {loaded.id} 中没有规则 {rule_id}（可用：{'、'.join(r.id for r in loaded.rules)}）") from None
    lines = [
        f"规则：{rule.id}",
        f"标题：{rule.title}",
        f"类别：{rule.category_title}（{rule.category}）",
        f"严重程度：{rule.severity_title}（{rule.severity}）",
        f"类型：{rule.type}",
        f"启用：{'是' if rule.enabled else '否'}",
        f"依据：{rule.basis or '（未填写）'}",
        f"说明：{rule.description or '（未填写）'}",
        f"消息模板：{rule.message}",
        f"定义位置：{rule.source}",
        "规则类型字段：",
    ]
    spec = rule.spec.model_dump(mode="json", exclude_none=True)
    lines += ["  " + line for line in yaml.safe_dump(spec, allow_unicode=True, sort_keys=False).splitlines()]
    used = rule.parameters_used()
    lines.append("所用参数：" + ("" if used else "无"))
    for name in used:
        param = loaded.parameters[name]
        mark = "已核实" if param.verified else f"未核实，{UNVERIFIED_NOTE}"
        value = param.value
        if isinstance(value, dict):
            value = "，".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        lines.append(f"  {name} = {value}{(' ' + param.unit) if param.unit else ''}（{mark}）")
        if param.description:
            lines.append(f"    含义：{param.description}")
        if param.basis:
            lines.append(f"    依据：{param.basis}")
    lines.append("示例（应检出）：")
    lines += [f"  - {e}" for e in rule.examples.flags] or ["  （无）"]
    lines.append("示例（不应检出）：")
    lines += [f"  - {e}" for e in rule.examples.passes] or ["  （无）"]
    click.echo("\n".join(lines))


@rules.command("validate", help="校验规则集文件：有效时退出码 0，否则逐条列出错误（文件、行号、字段）并退出码 2。")
@click.argument("file", type=click.Path(dir_okay=False))
def rules_validate(file: str) -> None:
    from audit_rules.rules.loader import load_ruleset
    from audit_rules.rules.model import RulesetError

    try:
        loaded = load_ruleset(file)
    except RulesetError as exc:
        raise Failure(*exc.errors, f"规则集无效：{len(exc.errors)} 处错误") from None
    enabled = len(loaded.enabled_rules)
    click.echo(f"规则集有效：{len(loaded.rules)} 条规则（启用 {enabled} 条），{len(loaded.parameters)} 个参数")

# ---- check / quality (pipeline) -------------------------------------------------------------


def _parse_settings(settings: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"“{item}”格式不对，应为 参数名=值", param_hint="--set")
        overrides[name.strip()] = value.strip()
    return overrides


LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def _refuse_files_that_are_not_ledgers(paths) -> None:
    """A file named on the command line that cannot be a ledger: one Chinese line, before any work."""
    from pathlib import Path

    from audit_rules.cli_output import printable

    for given in paths:
        path = Path(given)
        if not path.is_file():
            continue
        if path.name.startswith("~$"):
            original = printable(path.name[2:])
            raise Failure(f"{printable(given)} 是 Excel/WPS 打开工作簿时生成的临时锁定文件，不是台账："
                          f"请在 Excel/WPS 中关闭工作簿 {original} 后，检查工作簿本身。")
        if path.suffix.lower() not in LEDGER_SUFFIXES:
            raise Failure(f"{printable(given)} 不是台账文件：只能检查 {'、'.join(LEDGER_SUFFIXES)} 文件（或包含它们的文件夹）。")


def _refuse_out_inside_inputs(out_dir: str, paths) -> None:
    """Reports written into a ledger folder would be read as ledgers by the next run."""
    from pathlib import Path

    out = Path(out_dir).resolve()
    for given in paths:
        folder = Path(given).resolve()
        if folder.is_dir() and (out == folder or folder in out.parents):
            raise Failure(f"输出目录 {out_dir} 在台账目录 {given} 之内：报告会被下次检查当作台账读入。"
                          "请用 --out 指定台账目录之外的文件夹。")


def _parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(
            f"不支持的输出格式：{'、'.join(unknown) or '（空）'}；可选 {'、'.join(FORMATS)}", param_hint="--format"
        )
    return formats


@main.command(help="按规则集检查台账，输出 findings.json、report.xlsx、report.html。\n\n"
              "退出码：0 未发现问题；1 发现疑点；2 无法完成检查。")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--ruleset", "ruleset", default=None, help="规则集：内置名称（default、changsha）或 YAML 文件路径；默认 default。")
@click.option("--set", "settings", multiple=True, metavar="名称=值",
              help="临时覆盖规则参数，可多次使用。所设的值默认仍标“参数待核定”，已按本单位标准核实的请同时用 --verified。")
@click.option("--verified", "verified", multiple=True, metavar="名称",
              help="声明该参数的取值（--set 所设或规则集中的）已按本单位/本地标准核定：相关疑点不再标“参数待核定”。可多次使用。")
@click.option("--mapping", type=click.Path(dir_okay=False), help="表头映射 YAML：强制指定工作表类型和列对应字段。")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="报告输出目录。")
@click.option("--baseline", type=click.Path(), help="上次检查的输出目录或 findings.json，用于整改对账销号。")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True,
              help=f"输出格式，逗号分隔：{'、'.join(FORMATS)}。")
@click.option("--quality-only", is_flag=True, help="只做数据质量检查，不运行规则。")
@click.option("--no-quality", is_flag=True, help="跳过数据质量检查（不建议）。")
@click.option("--split-by-unit", is_flag=True,
              help="另为每个单位写出一套报告到 OUT/<单位名称>/（跨单位疑点写入所涉及的每个单位）。")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条（输出不是终端时本来就不显示）。")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="在本机启动 N 个 Dask 工作进程，按单位并行读取和检查（需安装 audit-rules[dask]）。")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="把各单位的读取和检查交给已运行的 Dask 集群（各计算机须以相同路径挂载台账目录）。")
def check(paths, ruleset, settings, verified, mapping, out_dir, baseline, formats, quality_only, no_quality,
          split_by_unit, quiet, workers, scheduler):
    from audit_rules.cli_output import print_check_summary, print_read_errors, progress_line

    if quality_only:
        _quality_only(paths, mapping)
    if workers and scheduler:
        raise click.UsageError("--workers 与 --scheduler 只能选一个：前者在本机启动集群，后者使用已有集群。")
    overrides = _parse_settings(settings)
    wanted = _parse_formats(formats)
    _refuse_out_inside_inputs(out_dir, paths)
    _refuse_files_that_are_not_ledgers(paths)
    options = {"ruleset": ruleset, "overrides": overrides, "verified": verified, "mapping": mapping,
               "baseline": baseline, "quality": not no_quality}
    with progress_line(quiet=quiet) as progress, _runner(scheduler, workers) as runner:
        result, written = _run_and_write(paths, options, out_dir, wanted, progress, runner)
        if split_by_unit and any(rule.status == "ran" for rule in result.rules):
            progress("正在写出各单位报告")
            written.units = _write_unit_reports(result, out_dir, wanted)
    if not any(rule.status == "ran" for rule in result.rules):
        # Nothing was checked: "no findings" would read as a clean bill of health, so no
        # summary (检查完成…未发现疑点) is printed before the failure; only why files were unreadable.
        print_read_errors(result.errors)
        raise Failure("无法完成检查：没有一条规则能够运行（未识别出规则所需的台账）。"
                      "请用 audit-rules inspect 查看各工作表的识别结果，必要时用 --mapping 指定。")
    print_check_summary(result, written)
    click.get_current_context().exit(EXIT_FINDINGS if result.findings else 0)


def _runner(scheduler, workers):
    """The Dask runner asked for (a Failure when Dask cannot be used), else no runner."""
    import contextlib

    if not (scheduler or workers):
        return contextlib.nullcontext(None)
    from audit_rules.distributed import DaskError, dask_runner

    @contextlib.contextmanager
    def started():
        try:
            with dask_runner(scheduler, workers) as runner:
                yield runner
        except DaskError as exc:
            raise Failure(f"无法完成检查：{exc}") from None

    return started()


def _run_and_write(paths, options, out_dir, wanted, progress, runner):
    """Run the check and write its reports; what can go wrong becomes a Failure in Chinese."""
    from audit_rules.pipeline import PipelineError, run_check
    from audit_rules.reports import import_writers_in_background, write_reports

    import_writers_in_background()
    parts = runner.parts(len(paths_units(paths))) if runner is not None else 1
    try:
        result = run_check(
            paths,
            **options,
            command_line=shlex.join(["audit-rules", *sys.argv[1:]]),
            progress=progress,
            file_done=progress.file_done,
            runner=runner,
            parts=parts,
        )
    except PipelineError as exc:
        raise Failure(f"无法完成检查：{exc}") from None
    if not result.inputs:
        raise Failure("无法完成检查：没有找到可读取的台账文件（.xlsx/.xlsm/.xls/.csv）。")
    progress("正在写出报告")
    try:
        written = write_reports(result, out_dir, wanted)
    except OSError as exc:
        raise Failure(f"无法写入报告目录 {out_dir}：{exc.strerror or exc}") from None
    return written.result or result, written  # the result with the entries carried over


def paths_units(paths) -> list:
    """The units' folders (and files beside them) under the paths: how many parts a cluster gets."""
    from audit_rules.batch import group_files
    from audit_rules.ledgers.files import discover_all

    try:
        return group_files(discover_all(list(paths)))[0]
    except FileNotFoundError:
        return []  # run_check names the missing path


def _write_unit_reports(result, out_dir, wanted) -> dict:
    """Each unit's report set in OUT/<unit>/: {folder: formats written}."""
    from pathlib import Path

    from audit_rules.pipeline import split_by_unit
    from audit_rules.reports import unit_folder_names, write_reports

    per_unit = split_by_unit(result)
    folders = unit_folder_names(per_unit)
    written = {}
    for unit, unit_result in per_unit.items():
        folder = Path(out_dir) / folders[unit]
        try:
            written[str(folder)] = write_reports(unit_result, folder, wanted)
        except OSError as exc:
            raise Failure(f"无法写入单位报告目录 {folder}：{exc.strerror or exc}") from None
    return written


@main.command(help="只做数据质量检查（与 check --quality-only 相同）。")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--mapping", type=click.Path(dir_okay=False), help="表头映射 YAML。")
def quality(paths, mapping):
    _refuse_files_that_are_not_ledgers(paths)
    _quality_only(paths, mapping)


def _quality_only(paths, mapping) -> None:
    from audit_rules.cli_output import print_quality_summary
    from audit_rules.pipeline import PipelineError, run_quality_only

    try:
        run = run_quality_only(paths, mapping=mapping)
    except PipelineError as exc:
        raise Failure(f"无法完成检查：{exc}") from None
    print_quality_summary(run)
    click.get_current_context().exit(0 if run.ledgers.tables else EXIT_FAILED)

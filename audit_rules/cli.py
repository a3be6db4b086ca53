"""Command line: click commands that parse options, call the library and print. No logic here."""

from __future__ import annotations

import shlex
import sys

import click

from audit_rules import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS, help="audit-rules：行政事业单位台账合规检查工具。")
@click.version_option(__version__, "-V", "--version", message="audit-rules %(version)s")
def main() -> None:
    pass


# ---- inspect (ledgers) ----------------------------------------------------------------------


def _print_inspection(entries: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    from audit_rules.ledgers.schema import kind_title

    console = Console()
    tables = [e for e in entries if "error" not in e]
    errors = [e for e in entries if "error" in e]
    grid = RichTable(title="台账识别结果", show_lines=True)
    for heading in ("文件", "工作表", "类型（中文名）", "表头行", "字段映射", "未映射列", "数据行数", "问题数"):
        grid.add_column(heading, overflow="fold")
    for entry in tables:
        kind = f"{entry['kind']}（{kind_title(entry['kind'])}）" if entry["kind"] else "[yellow]未识别[/yellow]"
        mapped = "\n".join(f"{header} → {field}" for field, header in entry["fields"].items())
        grid.add_row(
            entry["file"], entry["sheet"] or "—", kind, str(entry["header_row"] or "—"), mapped or "—",
            "、".join(entry["unmapped"]) or "—", str(entry["rows"]), str(len(entry["problems"])),
        )
    if tables:
        console.print(grid)
    for entry in tables:
        for problem in entry["problems"][:20]:
            console.print(f"  {entry['file']} {entry['sheet']} 第{problem['row']}行 “{problem['column']}”：{problem['message']}",
                          markup=False)
        if len(entry["problems"]) > 20:
            console.print(f"  …… {entry['file']} {entry['sheet']} 另有 {len(entry['problems']) - 20} 个问题（用 --json 查看全部）",
                          markup=False)
    if errors:
        console.print("[red]无法读取：[/red]")
        for entry in errors:
            console.print(f"  • {entry['error']}", markup=False)


@main.command(help="识别台账：列出每个工作表的类型、表头行、字段映射和无法识别的单元格。\n\n"
              "退出码：0 至少读到一个工作表；2 什么也读不到。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="表头映射 YAML：强制指定工作表类型和列对应字段。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（便于程序处理）。")
def inspect(paths, mapping, as_json):
    import json

    from audit_rules.ledgers import MappingError, inspect_ledgers

    try:
        entries = inspect_ledgers(list(paths), mapping)
    except (MappingError, FileNotFoundError) as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        _print_inspection(entries)
        if not entries:
            click.echo("没有找到台账文件（.xlsx/.xlsm/.xls/.csv）。", err=True)
        elif not any("error" not in e for e in entries):
            click.echo("没有读到任何工作表。", err=True)
    raise SystemExit(0 if any("error" not in e for e in entries) else 2)

# ---- rules (catalogue) ----------------------------------------------------------------------

# ---- check / quality (pipeline) -------------------------------------------------------------


def _parse_settings(settings: tuple[str, ...]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"“{item}”格式不对，应为 参数名=值", param_hint="--set")
        overrides[name.strip()] = value.strip()
    return overrides


def _parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in ("json", "xlsx", "html")]
    if unknown or not formats:
        raise click.BadParameter(
            f"不支持的输出格式：{'、'.join(unknown) or '（空）'}；可选 json、xlsx、html", param_hint="--format"
        )
    return formats


@main.command(help="按规则集检查台账，输出 findings.json、report.xlsx、report.html。\n\n"
              "退出码：0 未发现问题；1 发现疑点；2 无法完成检查。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--ruleset", "ruleset", default=None, help="规则集：内置名称（default、changsha）或 YAML 文件路径；默认 default。")
@click.option("--set", "settings", multiple=True, metavar="名称=值", help="临时覆盖规则参数，可多次使用。")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="表头映射 YAML：强制指定工作表类型和列对应字段。")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="报告输出目录。")
@click.option("--baseline", type=click.Path(exists=True), help="上次检查的输出目录或 findings.json，用于整改对账销号。")
@click.option("--format", "formats", default="json,xlsx,html", show_default=True, help="输出格式，逗号分隔：json、xlsx、html。")
@click.option("--quality-only", is_flag=True, help="只做数据质量检查，不运行规则。")
@click.option("--no-quality", is_flag=True, help="跳过数据质量检查（不建议）。")
def check(paths, ruleset, settings, mapping, out_dir, baseline, formats, quality_only, no_quality):
    from audit_rules.cli_output import print_check_summary, print_quality_summary
    from audit_rules.pipeline import PipelineError, run_check, run_quality_only
    from audit_rules.reports import write_reports

    if quality_only:
        run = run_quality_only(paths, mapping=mapping)
        print_quality_summary(run)
        raise SystemExit(0 if run.ledgers.tables else 2)
    overrides = _parse_settings(settings)
    wanted = _parse_formats(formats)
    try:
        result = run_check(
            paths,
            ruleset=ruleset,
            overrides=overrides,
            mapping=mapping,
            baseline=baseline,
            quality=not no_quality,
            command_line=shlex.join(["audit-rules", *sys.argv[1:]]),
        )
    except PipelineError as exc:
        click.echo(f"无法完成检查：{exc}", err=True)
        raise SystemExit(2)
    if not result.inputs:
        click.echo("无法完成检查：没有找到可读取的台账文件（.xlsx/.xlsm/.xls/.csv）。", err=True)
        raise SystemExit(2)
    try:
        written = write_reports(result, out_dir, wanted)
    except OSError as exc:
        click.echo(f"无法写入报告目录 {out_dir}：{exc.strerror or exc}", err=True)
        raise SystemExit(2)
    print_check_summary(result, written)
    raise SystemExit(1 if result.findings else 0)


@main.command(help="只做数据质量检查（与 check --quality-only 相同）。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="表头映射 YAML。")
def quality(paths, mapping):
    from audit_rules.cli_output import print_quality_summary
    from audit_rules.pipeline import run_quality_only

    run = run_quality_only(paths, mapping=mapping)
    print_quality_summary(run)
    raise SystemExit(0 if run.ledgers.tables else 2)

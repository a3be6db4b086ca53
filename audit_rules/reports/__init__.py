"""Report writers: findings.json, report.xlsx, report.html, and the baseline comparison.

Reports turn a RunResult into files and never decide a finding."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from audit_rules.result import RunResult
from audit_rules.timings import mark

FORMATS = ("json", "xlsx", "html")
FILE_NAMES = {"json": "findings.json", "xlsx": "report.xlsx", "html": "report.html"}


STAGING_MARK = ".writing-"  # .<out name>.writing-<pid>-<random>: a run's reports before they move in


def _writers() -> dict[str, Callable[[RunResult, Path, Path], Path]]:
    """{format: writer(result, path written, path it will finally have)}."""
    # imported here so that `import audit_rules.reports` stays cheap for the CLI's --help
    from audit_rules.reports.html_report import write_html
    from audit_rules.reports.json_report import write_findings_json
    from audit_rules.reports.xlsx_report import write_xlsx

    return {
        "json": lambda result, path, final: write_findings_json(result, path),
        "xlsx": lambda result, path, final: write_xlsx(result, path, links_from=final),
        "html": lambda result, path, final: write_html(result, path, links_from=final),
    }


def import_writers_in_background() -> None:
    """Import the report writers (openpyxl, jinja2: about 0.2 s) in a thread, and return at once.

    Called as a check starts: the check then mostly waits for the workers that read the
    ledgers, and the import costs it nothing. `_writers` finds the modules loaded, or finishes
    loading them itself."""
    threading.Thread(target=_writers, name="import-report-writers", daemon=True).start()


class WrittenReports(dict):
    """{format: path} of the reports written, what became of the 整改 entries typed into the
    report.xlsx that was replaced (`previous`), and the result as written (`result`: with those
    entries, so that a summary can name the findings marked 已整改 that are still found)."""

    def __init__(self, paths: dict[str, Path], previous, result: RunResult | None = None):
        super().__init__(paths)
        self.previous = previous
        self.result = result


def write_reports(
    result: RunResult, out_dir: str | os.PathLike, formats: Iterable[str] = FORMATS
) -> WrittenReports:
    """Write the chosen reports into out_dir (created when missing) as one set.
    Returns {format: path}. Unknown formats raise ValueError before anything is written.

    All reports are first written to a hidden staging folder beside out_dir and moved in only
    when every one succeeded: a failed or interrupted run leaves the previous set whole (never
    a new findings.json beside an old report.xlsx) and removes its staging folder.

    A report.xlsx already in out_dir may hold 整改 entries a unit typed: they are carried
    into the new one, and the old workbook is kept beside it when some cannot be."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FILE_NAMES]
    if unknown:
        raise ValueError(f"未知的报告格式：{'、'.join(unknown)}（可选：{'、'.join(FORMATS)}）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from audit_rules.reports.rectification import PreviousEntries, carry_over_previous

    mark("report.carry_over")
    previous = PreviousEntries()
    if "xlsx" in formats:
        result, previous = carry_over_previous(result, out / FILE_NAMES["xlsx"])
    writers = _writers()
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}{STAGING_MARK}{os.getpid()}-"))
    try:
        for fmt in formats:
            mark(f"report.{fmt}")
            writers[fmt](result, staging / FILE_NAMES[fmt], out / FILE_NAMES[fmt])
        mark("report.move")
        for fmt in formats:  # renames on one file system: the set changes in a blink
            os.replace(staging / FILE_NAMES[fmt], out / FILE_NAMES[fmt])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    mark("summary")
    return WrittenReports({fmt: out / FILE_NAMES[fmt] for fmt in formats}, previous, result)


def _remove_abandoned_staging(out: Path) -> None:
    """Remove staging folders of runs that were killed (SIGKILL, power cut) before cleaning up.

    A folder is abandoned when the process named in it is gone; a run still writing is left alone."""
    for folder in out.parent.glob(f".{glob.escape(out.name)}{STAGING_MARK}*"):
        pid_text = folder.name.rsplit(STAGING_MARK, 1)[-1].split("-", 1)[0]
        if folder.is_dir() and pid_text.isdigit() and not _process_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: keep the folder
    return True


def unit_folder_names(units: Iterable[str | None]) -> dict[str | None, str]:
    """A folder name for each unit's report set: characters no file system takes (/ \\ : * ? " < > |,
    control characters) become _, edge dots and spaces go; two units that would share a name
    (甲/局 and 甲_局) are told apart by a number."""
    import re
    import unicodedata

    from audit_rules.reports.common import unit_title

    names: dict[str | None, str] = {}
    taken: set[str] = set()
    for unit in units:
        text = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in unit_title(unit))
        name = re.sub(r'[/\\:*?"<>|]', "_", text).strip(" .")[:100] or "_"
        if name.casefold() in {"con", "prn", "aux", "nul"}:  # names Windows reserves
            name = f"_{name}"
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate, n = f"{name}-{n}", n + 1
        taken.add(candidate.casefold())
        names[unit] = candidate
    return names


__all__ = ["FILE_NAMES", "FORMATS", "WrittenReports", "unit_folder_names", "write_reports"]

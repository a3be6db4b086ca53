"""A batch check of many units at once: where the time of a whole `check` goes.

Copies the two sample units N/2 times each into a temporary directory (one folder per unit,
about 8.5 workbooks and 13.5 sheets per unit), then times whole runs in fresh interpreters:

  read      load_ledgers alone;
  no-gate   run_check(quality=False): read + rules;
  check     run_check(): read + data-quality gate + rules (the gate's import overlaps the read);
  reports   write_reports(json, xlsx, html) of that result.

and prints seconds, sheets per second and the gate's share. Findings grow with N: every copy
carries the samples' planted violations, and copies of one invoice paid by several units are
cross-unit duplicates.

    .venv/bin/python benchmarks/bench_batch.py [UNITS]      (default 60)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_ledgers"

MEASURE = r"""
import json, sys, time
from audit_rules.ledgers import load_ledgers
from audit_rules.pipeline import run_check
from audit_rules.reports import write_reports
root, what, out = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if what == "read":
    ledgers = load_ledgers([root])
    extra = {"sheets": len(ledgers.tables), "files": len(ledgers.inputs), "errors": len(ledgers.errors)}
elif what == "no-gate":
    result = run_check([root], quality=False)
    extra = {"findings": len(result.findings)}
else:
    result = run_check([root])
    middle = time.perf_counter()
    write_reports(result, out)
    extra = {"findings": len(result.findings), "reports": time.perf_counter() - middle,
             "quality_checks": len(result.data_quality)}
    start += time.perf_counter() - middle  # the check's own time, reports reported apart
print(json.dumps({"seconds": time.perf_counter() - start, **extra}))
"""


def make_units(root: Path, units: int) -> None:
    sources = sorted(p for p in SAMPLES.iterdir() if p.is_dir())
    for n in range(units):
        source = sources[n % len(sources)]
        shutil.copytree(source, root / f"{source.name}{n // len(sources) + 1:03d}")


def measure(root: Path, what: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(root), what, str(out)],
                          capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    units = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledgers"
        make_units(root, units)
        read = measure(root, "read", Path(tmp) / "out")
        plain = measure(root, "no-gate", Path(tmp) / "out")
        full = measure(root, "check", Path(tmp) / "out")
    sheets = read["sheets"]
    print(f"{units} units, {read['files']} files, {sheets} sheets, {read['errors']} unreadable")
    print(f"read            {read['seconds']:7.2f} s   {sheets / read['seconds']:7.1f} sheets/s")
    print(f"read + rules    {plain['seconds']:7.2f} s   rules ≈ {plain['seconds'] - read['seconds']:.2f} s, "
          f"{plain['findings']} findings")
    gate = full["seconds"] - plain["seconds"]
    print(f"whole check     {full['seconds']:7.2f} s   gate adds {gate:.2f} s "
          f"({gate / read['seconds']:.2f} × read, {full['quality_checks']} checks)")
    print(f"reports         {full['reports']:7.2f} s   (json + xlsx + html)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

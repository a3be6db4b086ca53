"""A batch check on Dask: the same run serially, on 1 and on 2 local Dask workers.

Copies the sample units (one folder per unit, 1–9 small workbooks each) until the copies hold
WORKBOOKS files (default 200), then in fresh interpreters times

  serial     run_check(): one process reads (its reading workers), gates and checks everything;
  dask-1     run_check(runner=…) on a LocalCluster of 1 worker process (1 thread);
  dask-2     the same on 2 worker processes;

and prints seconds, findings and the speed-up of 2 workers over 1 (target ≥ 1.7 on two free
cores). The workers import their modules (pandas, great_expectations, DuckDB) before the clock
starts, as the long-lived workers of `dask worker` have; the cluster's start is printed apart.
The findings of the three runs must be equal.

    .venv/bin/python benchmarks/bench_dask.py [WORKBOOKS]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_ledgers"

MEASURE = r"""
import hashlib, json, sys, time
from audit_rules.pipeline import run_check
from audit_rules.reports.json_report import to_findings_json

def warm():
    import audit_rules.batch, audit_rules.rules.engine
    from audit_rules.quality import runtime
    runtime.prepare()  # the great_expectations import and context

def main(root, workers):
    started = time.perf_counter()
    if workers == 0:
        warm()
        start = time.perf_counter()
        result = run_check([root], command_line="bench")
        extra = {"cluster": 0.0}
    else:
        from audit_rules.distributed import dask_runner
        with dask_runner(workers=workers) as runner:
            runner.client.run(warm)
            ready = time.perf_counter()
            start = ready
            from audit_rules.cli import paths_units
            result = run_check([root], command_line="bench", runner=runner, parts=runner.parts(len(paths_units([root]))))
            extra = {"cluster": ready - started}
    seconds = time.perf_counter() - start
    doc = to_findings_json(result)
    doc["run"].pop("started_at")
    print(json.dumps({"seconds": seconds, "files": len(result.inputs), "findings": len(result.findings),
                      "digest": hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest(), **extra}))

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
"""


def make_workbooks(root: Path, workbooks: int) -> int:
    """Copies of the sample units until they hold `workbooks` files; returns the units made.

    Each copy is a unit of its own, named after its folder in its cells too (编制单位：…): copies
    sharing the sample's unit name would be one unit spread over many folders, which a batch
    run checks in one part (its duplicates and journal totals span them), as no real batch is."""
    sources = sorted(p for p in SAMPLES.iterdir() if p.is_dir() and (any(p.glob("*.xls*")) or any(p.glob("*.csv"))))
    files, units = 0, 0
    while files < workbooks:
        source = sources[units % len(sources)]
        target = root / f"{source.name}{units // len(sources) + 1:03d}"
        target.mkdir(parents=True)
        for path in sorted(source.iterdir()):
            _copy_renamed(path, target / path.name, source.name, target.name)
        files += sum(1 for _ in target.iterdir())
        units += 1
    return units


def _copy_renamed(source: Path, target: Path, unit: str, renamed: str) -> None:
    """The file with the unit's name replaced wherever it is written (XML members, CSV text)."""
    pairs = [(unit.encode(encoding), renamed.encode(encoding)) for encoding in ("utf-8", "gb18030")]
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in original.infolist():
                data = original.read(info)
                if info.filename.endswith(".xml"):
                    # as UTF-8 text, and as character references (&#38271;&#27801;…) as some writers do
                    data = data.replace(*pairs[0]).replace(_references(unit), _references(renamed))
                copy.writestr(info, data)
    else:
        data = source.read_bytes()
        for old, new in pairs:
            data = data.replace(old, new)
        target.write_bytes(data)


def _references(text: str) -> bytes:
    return "".join(f"&#{ord(char)};" for char in text).encode("ascii")


def measure(root: Path, workers: int) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(root), str(workers)],
                          capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    workbooks = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ledgers"
        units = make_workbooks(root, workbooks)
        runs = {name: measure(root, workers) for name, workers in (("serial", 0), ("dask-1", 1), ("dask-2", 2))}
    files = runs["serial"]["files"]
    print(f"{units} units, {files} workbooks")
    for name, run in runs.items():
        start = f"   cluster start {run['cluster']:5.1f} s" if run["cluster"] else ""
        print(f"{name:8s} {run['seconds']:7.2f} s   {run['findings']} findings{start}")
    ratio = runs["dask-1"]["seconds"] / runs["dask-2"]["seconds"]
    print(f"speed-up of 2 Dask workers over 1: {ratio:.2f}×  (target ≥ 1.7)")
    same = len({run["digest"] for run in runs.values()}) == 1
    print("findings.json equal in all three runs" if same else "FINDINGS DIFFER between the runs")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

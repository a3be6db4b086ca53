import json, sys, tempfile, shutil, time
from pathlib import Path
from audit_rules.pipeline import run_check
from audit_rules.distributed import dask_runner
from audit_rules.reports.json_report import to_findings_json
if __name__ == "__main__":
    root = Path(tempfile.mkdtemp()) / "l"
    src = sorted(p for p in Path("sample_ledgers").iterdir() if p.is_dir())
    for n in range(int(sys.argv[1])):
        shutil.copytree(src[n % len(src)], root / f"{src[n % len(src)].name}{n // len(src) + 1:02d}")
    def dump(r):
        d = to_findings_json(r); d["run"].pop("started_at"); return d
    t=time.time(); a = run_check([root], command_line="x"); print("combined", time.time()-t)
    with dask_runner(workers=2) as runner:
        t=time.time(); b = run_check([root], runner=runner, parts=runner.parts(int(sys.argv[1])), command_line="x", file_done=lambda *a: print(a)); print("dask", time.time()-t)
    print(dump(a) == dump(b), len(a.findings), len(b.findings))

"""Many units for batch runs: copies of the sample units, and findings.json apart from run time."""

from __future__ import annotations

import shutil

from audit_rules.reports.json_report import to_findings_json
from helpers.paths import SAMPLES

UNITS = sorted(p for p in SAMPLES.iterdir() if p.is_dir() and p.name.startswith("长沙市"))


def copy_units(root, copies: int):
    """The sample units, each `copies` times (one folder per unit), and the shared supplier list
    beside them: copies of one invoice paid by several units are cross-unit duplicates."""
    for n in range(copies):
        for unit in UNITS:
            shutil.copytree(unit, root / f"{unit.name}{n + 1:02d}")
    shutil.copy(SAMPLES / "长沙市示范文旅中心" / "定点供应商名录.csv", root / "定点供应商名录.csv")
    return root


def findings_json(result) -> dict:
    """findings.json apart from the run's time."""
    doc = to_findings_json(result)
    doc["run"].pop("started_at")
    return doc

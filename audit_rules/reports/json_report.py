"""findings.json: the machine-readable contract (shared/contracts/findings.schema.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from audit_rules.findings import sorted_findings
from audit_rules.reports.atomic import write_text_atomic
from audit_rules.result import RunResult
from audit_rules.values import plain

SCHEMA_VERSION = 1
TOOL_NAME = "audit-rules"


def to_findings_json(result: RunResult) -> dict:
    """The findings.json document for a run. Everything is ordered deterministically, so the
    same inputs give the same document apart from `run.started_at`."""
    from audit_rules.reports.rectification import NOT_ACCEPTED, not_accepted_ids

    rejected = not_accepted_ids(result)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": result.tool_version},
        "run": _run_section(result),
        # an optional property (the schema allows more): the unit marked it 已整改, the data disagrees
        "findings": [_finding_json(f, {"rectification": NOT_ACCEPTED} if f.id in rejected else {})
                     for f in sorted_findings(result.findings)],
        "skipped_rules": sorted(result.skipped_rules, key=lambda r: r["rule_id"]),
        "data_quality": [_quality_json(q) for q in _sorted_quality(result)],
        "errors": [_error_json(e) for e in sorted(result.errors, key=_error_key)],
    }
    if result.resolved is not None:
        doc["resolved"] = [_finding_json(f) for f in sorted_findings(result.resolved)]
        doc["not_rechecked"] = [_finding_json(f) for f in sorted_findings(result.not_rechecked)]
    return doc


def dumps_findings_json(result: RunResult) -> str:
    return json.dumps(to_findings_json(result), ensure_ascii=False, indent=2) + "\n"


def write_findings_json(result: RunResult, path: str | os.PathLike) -> Path:
    return write_text_atomic(path, dumps_findings_json(result))


def _run_section(result: RunResult) -> dict:
    return {
        "ruleset": {
            "id": result.ruleset_id,
            "sha256": result.ruleset_sha256,
            "title": result.ruleset_title,
            "version": result.ruleset_version,
        },
        "inputs": [
            {"file": i.file, "sha256": i.sha256} for i in sorted(result.inputs, key=lambda i: i.file)
        ],
        "parameters": {
            name: _parameter_json(spec) for name, spec in sorted(result.parameters.items())
        },
        "started_at": result.started_at,
        "command_line": result.command_line,
    }


def _parameter_json(spec: dict) -> dict:
    return {
        "value": plain(spec.get("value")),
        "unit": spec.get("unit"),
        "verified": bool(spec.get("verified", False)),
        "basis": spec.get("basis", ""),
    }


def _finding_json(finding, extra: dict | None = None) -> dict:
    out = finding.to_json()
    out["amount"] = plain(out["amount"])  # numpy float / NaN from the engine
    out.update(extra or {})
    return out


def _sorted_quality(result: RunResult):
    return sorted(
        result.data_quality,
        key=lambda q: (q.file, q.sheet, q.kind, q.field or "", q.check),
    )


def _quality_json(quality) -> dict:
    out = quality.to_json()
    out["failed"] = [
        {"row": int(item["row"]), "value": plain(item.get("value"))} for item in quality.failed
    ]
    return out


def _error_key(error) -> tuple:
    return (error.file, error.sheet or "", error.message)


def _error_json(error) -> dict:
    return {"file": error.file, "sheet": error.sheet, "message": error.message}

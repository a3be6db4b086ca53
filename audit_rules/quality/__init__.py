"""Data-quality gate: great_expectations suites derived from the table-kind schema.

Importing this package does not import great_expectations (≈3 s); call `start_gx_import()`
early (before reading ledgers) so the import overlaps the reading, then `run_quality(tables)`,
then `exclude_untrusted_cells` and `unusable_fields` to tell the rules what they may use.

    suites.py      the checks of each kind, each declared with its Chinese title and wording
    validation.py  tables in, worded QualityResults out (GX checks, 合计 check, Excel rows)
    agreement.py   checks across a unit's tables: its journal against its 科目余额表
    runtime.py     the great_expectations runtime (import, ephemeral context, suite runs)
    worker.py      the worker process that runs validation, and the light copies it is sent
    gate.py        run_quality / start_gx_import: in the worker when there is one
    usability.py   the cells and fields the rules must not trust
"""

from audit_rules.quality.gate import run_quality, start_gx_import
from audit_rules.quality.suites import CHECK_TITLES, kind_checks
from audit_rules.quality.usability import exclude_untrusted_cells, field_usage, unusable_fields, unusable_from_usage

__all__ = [
    "CHECK_TITLES",
    "exclude_untrusted_cells",
    "field_usage",
    "kind_checks",
    "run_quality",
    "start_gx_import",
    "unusable_fields",
    "unusable_from_usage",
]

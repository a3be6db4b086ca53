"""Data-quality gate: great_expectations suites derived from the table-kind schema.

Importing this package does not import great_expectations (≈3 s); call `start_gx_import()`
early (before reading ledgers) so the import overlaps the reading, then `run_quality(tables)`.
"""

from audit_rules.quality.gate import excluded_cells, run_quality, start_gx_import, unusable_fields
from audit_rules.quality.suites import CheckSpec, build_suite, kind_checks, table_checks

__all__ = [
    "CheckSpec",
    "build_suite",
    "excluded_cells",
    "kind_checks",
    "run_quality",
    "start_gx_import",
    "table_checks",
    "unusable_fields",
]

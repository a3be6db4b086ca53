"""The contracts audit-rules promises its users, shipped inside the package.

`findings.schema.json` is the JSON Schema (draft 2020-12) of findings.json: programs that read
our output validate against this copy, and so do our own tests.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

FINDINGS_SCHEMA = "findings.schema.json"


@functools.cache
def findings_schema() -> dict:
    """The JSON Schema of findings.json (a fresh parse once per process; do not modify it)."""
    return json.loads(resources.files(__package__).joinpath(FINDINGS_SCHEMA).read_text(encoding="utf-8"))

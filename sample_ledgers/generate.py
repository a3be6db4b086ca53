"""Generate the sample ledgers, their answer keys and the other-synonym fixtures.

Run: ``.venv/bin/python sample_ledgers/generate.py`` (or ``make samples``). The generator itself is
the package next to this script, sample_ledgers/generator/ (see its docstring).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the generator package sits beside this script

from generator import generate, main  # noqa: E402

__all__ = ["generate", "main"]

if __name__ == "__main__":
    sys.exit(main())

"""What the generator takes from the default ruleset (audit_rules/rulesets/default.yaml, through the
project's loader) and from docs/default-ruleset.md, the contract between that ruleset and the samples.

Nothing here is copied by hand: limits, keyword lists and categories are read when first needed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from audit_rules.rules.loader import load_ruleset
from audit_rules.rules.model import Ruleset

REPO = Path(__file__).resolve().parents[2]
RULESET_DOC = REPO / "docs" / "default-ruleset.md"


@functools.cache
def default_ruleset() -> Ruleset:
    return load_ruleset(None)


def params() -> dict[str, Any]:
    """Parameter name -> value in force (meal_per_head_limit, price_limits, prohibited_keywords…)."""
    return default_ruleset().parameter_values()


def rule_setting(rule_id: str, name: str) -> Any:
    """A field of one rule's type as the ruleset gives it (e.g. the incompatible post pairs)."""
    return default_ruleset().rule(rule_id).to_json()[name]


@functools.cache
def documented_rules() -> dict[str, str]:
    """rule id -> category, in the order of the numbered list of docs/default-ruleset.md."""
    text = RULESET_DOC.read_text(encoding="utf-8")
    return dict(re.findall(r"^\d+\. `([a-z-]+)` — [^—]+ — ([a-z_]+) —", text, flags=re.M))


@functools.cache
def rule_categories() -> dict[str, str]:
    """rule id -> category of the default ruleset, in the documented order (the order of the answer
    key and of planted.md)."""
    ruleset = default_ruleset()
    shipped = {r.id for r in ruleset.rules}
    documented = list(documented_rules())
    if set(documented) != shipped:
        raise AssertionError(f"docs/default-ruleset.md and default.yaml list different rules: "
                             f"{sorted(set(documented) ^ shipped)}")
    return {rule_id: ruleset.rule(rule_id).category for rule_id in documented}


# The journal rules of issue 10 the samples plant before the default ruleset ships them (they are
# written in parallel): rule id -> category. Once default.yaml has a rule, its own category is used
# and the entry here is redundant; the answer key lists these rules either way.
JOURNAL_RULES = {
    "voucher-unbalanced": "voucher_unbalanced",
    "voucher-number-gap": "voucher_number_gap",
    "voucher-maker-checker": "segregation_of_duties",
}


@functools.cache
def key_categories() -> dict[str, str]:
    """rule id -> category of every rule the answer key lists: the default ruleset's (documented
    order), then the journal rules it does not ship yet."""
    shipped = rule_categories()
    return {**shipped, **{r: c for r, c in JOURNAL_RULES.items() if r not in shipped}}

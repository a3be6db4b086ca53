"""The canonical table kinds, loaded once from kinds.yaml (the single source of truth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from audit_rules.yaml_source import safe_load

FIELD_TYPES = ("text", "id", "date", "amount", "count", "ratio", "year", "bool", "list")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    header: str
    synonyms: tuple[str, ...] = ()
    type: str = "text"
    key: bool = False
    unique: bool = False
    # Where uniqueness holds: None = the whole sheet; "month" = within each month of the kind's
    # `date` field (voucher numbers restart every accounting period).
    unique_within: str | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        """Primary header first, then synonyms."""
        return (self.header, *self.synonyms)


@dataclass(frozen=True)
class KindSpec:
    name: str
    title: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    min_fields: int = 2
    anchors: tuple[str, ...] = ()
    reference: bool = False  # rules of the game (limits, lists, rosters), not transactions


@lru_cache(maxsize=1)
def _kinds_yaml() -> dict:
    text = resources.files("audit_rules.ledgers").joinpath("kinds.yaml").read_text(encoding="utf-8")
    return safe_load(text)


@lru_cache(maxsize=1)
def non_field_headers() -> dict[str, frozenset[str]]:
    """Words of header cells that name no field: `serial` (序号…) and `unit` (单位…) columns."""
    return {name: frozenset(str(w) for w in words) for name, words in _kinds_yaml()["header_words"].items()}


@lru_cache(maxsize=1)
def table_kinds() -> dict[str, KindSpec]:
    """All table kinds by name, in the order kinds.yaml lists them."""
    raw = _kinds_yaml()["kinds"]
    kinds: dict[str, KindSpec] = {}
    for kind_name, spec in raw.items():
        fields = {
            name: FieldSpec(
                name=name,
                header=f["header"],
                synonyms=tuple(f.get("synonyms", ())),
                type=f.get("type", "text"),
                key=bool(f.get("key", False)),
                unique=bool(f.get("unique", False)),
                unique_within=f.get("unique_within"),
            )
            for name, f in spec["fields"].items()
        }
        bad = [f.name for f in fields.values() if f.type not in FIELD_TYPES]
        if bad:
            raise ValueError(f"kinds.yaml: {kind_name} has fields of unknown type: {bad}")
        kinds[kind_name] = KindSpec(
            name=kind_name,
            title=spec["title"],
            fields=fields,
            min_fields=int(spec.get("min_fields", 2)),
            anchors=tuple(spec.get("anchors", ())),
            reference=bool(spec.get("reference", False)),
        )
    return kinds


def kind_title(kind: str | None) -> str:
    """Chinese name of a kind, for messages; the kind itself when unknown."""
    if kind is None:
        return "未识别"
    spec = table_kinds().get(kind)
    return spec.title if spec else kind

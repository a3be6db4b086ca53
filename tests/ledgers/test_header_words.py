"""Every header word of kinds.yaml names one field of its kind (no header shared by two fields)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from audit_rules.ledgers.header import clean_header
from audit_rules.ledgers.schema import table_kinds


@pytest.mark.parametrize("kind", sorted(table_kinds()))
def test_each_header_word_maps_to_one_field(kind):
    fields_of = defaultdict(set)
    for spec in table_kinds()[kind].fields.values():
        for header in spec.headers:
            fields_of[clean_header(header)].add(spec.name)
    shared = {h: sorted(f) for h, f in fields_of.items() if len(f) > 1}
    assert not shared, f"{kind}: header words naming several fields: {shared}"


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("receptions", "来宾人数", "guest_count"),
        ("receptions", "是否有公函", "letter"),
        ("receptions", "接待对象", "guest_unit"),
        ("receptions", "来宾单位", "guest_unit"),
        ("receptions", "陪餐人数", "companion_count"),
        ("contracts", "相对方", "counterparty"),
        ("contracts", "乙方", "counterparty"),
        ("contracts", "签订人", "signer"),
        ("contracts", "是否盖章", "sealed"),
        ("assets", "分类代码", "category"),
        ("assets", "原值", "unit_price"),
        ("assets", "保管人", "user"),
        ("staff", "岗位", "title"),
    ],
)
def test_the_words_of_the_standard_registers_are_known(kind, header, field):
    from audit_rules.ledgers.header import header_index

    assert header_index()[kind][clean_header(header)] == field

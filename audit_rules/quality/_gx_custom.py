"""Our one custom GX expectation; imported only once great_expectations is loaded.

GX 1.x derives an expectation's type from its class name, so subclassing
ExpectColumnValuesToBeInSet with a fixed value set gives results named
`expect_column_values_to_be_readable` instead of a second, ambiguous `..._to_be_in_set`.
"""

from __future__ import annotations

import great_expectations.expectations as gxe


class ExpectColumnValuesToBeReadable(gxe.ExpectColumnValuesToBeInSet):
    """Every cell of the field could be read: the helper column `_readable_<field>` is all True."""

    value_set: list = [True]
    description: str = "单元格内容可识别"


_CUSTOM = {"ExpectColumnValuesToBeReadable": ExpectColumnValuesToBeReadable}


def expectation_class(name: str) -> type:
    """The expectation class for a CheckSpec.expectation name."""
    return _CUSTOM.get(name) or getattr(gxe, name)

"""The limit rule type (see the LimitRule class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from audit_rules.rules.sql import (
    check_field,
    check_kind,
    column,
    content_sql,
    field_type,
    location_sql,
    quote_ident,
    row_variable_names,
    row_variables,
    sql_list,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind
from audit_rules.rules.types.match import (
    Condition,
    check_conditions,
    condition_parameter_types,
    where_sql,
)

NUMERIC_TYPES = ("amount", "ratio", "count", "year")
OWN_VARIABLES = {"value", "limit", "excess", "per_head", "heads"}


class LimitLookup(BaseModel):
    """Where a row's limit comes from: a reference table by key, else a mapping parameter."""

    model_config = ConfigDict(extra="forbid")

    param: str
    table: str = "price_limits"
    key: str
    ref_key: str = "category"
    ref_value: str = "limit"

    @model_validator(mode="after")
    def _check_ref_fields(self) -> "LimitLookup":
        check_kind(self.table)
        check_field(self.table, self.ref_key)
        check_field(self.table, self.ref_value)
        return self


class LimitRule(RuleType):
    """A value (or a value per head) strictly above a limit from a parameter or a lookup.

    **Flags** (anti-pattern): a reception meal above the per-head standard: 3 people, 600 元
    (200 元/人 > 150); with `limit_lookup`, an asset above its category's price limit (台式计算机单价
    6800元 > 5000元).

    **Must not flag**: 3 people, 450 元 (exactly 150 元/人: at the limit is not over it); a row
    whose head counts are blank or zero (no per-head figure exists); a category with no limit.

    **Example**::

        - id: meal-reception-per-head
          title: 公务接待人均用餐超标准
          category: meal_over_standard
          severity: medium
          basis: 党政机关国内公务接待管理规定（中办、国办 2013）第十条；人均标准按本地规定
          type: limit
          table: receptions
          value: amount
          per_head: [guest_count, companion_count]
          limit_param: meal_per_head_limit
          message: "接待{guest_unit}，{heads}人用餐{value:.2f}元，人均{per_head:.2f}元，超过标准{limit:.2f}元/人"

    **Variables**: value, limit, excess (per head when per_head), per_head and heads (with
    per_head), every field of the row; amount = value − limit × heads (the overspend in 元; none
    when the value is not money, e.g. a ratio).

    `value` is a numeric field (amount, ratio, count or year); `per_head` lists count fields whose
    sum divides it: the first (the guests, the diners) must be known, the others (companions) left
    blank — or with no column at all — count as none (written but unreadable: no per-head figure).
    Exactly one of `limit_param` (a number parameter) and `limit_lookup` is
    given; optional `where` conditions (the match type's) select the rows.

    With `limit_lookup` the limit depends on the row, e.g. an asset's unit price against its
    category's limit (categories compared with norm_class: 'A02010104 台式计算机' and
    '计算机设备-台式计算机' are 台式计算机): the unit's own `price_limits` rows win for the
    categories they list (then shared reference rows), else the mapping parameter; a category with
    no limit is not flagged::

          limit_lookup: {param: price_limits, table: price_limits, key: category,
                         ref_key: category, ref_value: limit}

    (`table`, `ref_key` and `ref_value` default to the values shown.)

    Comparison is exact: DECIMAL for money (value > limit × heads), ratios rounded to 1e-9.
    """

    type_name: ClassVar[str] = "limit"
    title: ClassVar[str] = "超标准"

    table: TableKind
    value: str
    per_head: list[str] | None = None
    limit_param: str | None = None
    limit_lookup: LimitLookup | None = None
    where: list[Condition] = []

    @field_validator("value")
    @classmethod
    def _check_value(cls, value: str, info) -> str:
        table = info.data.get("table")
        check_field(table, value)
        if table and field_type(table, value) not in NUMERIC_TYPES:
            raise ValueError(f"字段 {value} 不是数值字段（金额、比例或人数）")
        return value

    @field_validator("per_head")
    @classmethod
    def _check_per_head(cls, value: list[str] | None, info) -> list[str] | None:
        if value is not None:
            if not value:
                raise ValueError("per_head 至少列出一个人数字段")
            table = info.data.get("table")
            for name in value:
                check_field(table, name)
                if table and field_type(table, name) != "count":
                    raise ValueError(f"字段 {name} 不是人数字段")
        return value

    @field_validator("limit_lookup")
    @classmethod
    def _check_lookup_key(cls, value: LimitLookup | None, info) -> LimitLookup | None:
        if value is not None:
            check_field(info.data.get("table"), value.key)
        return value

    @field_validator("where")
    @classmethod
    def _check_where(cls, value: list[Condition], info) -> list[Condition]:
        return check_conditions(info.data.get("table"), value)

    @model_validator(mode="after")
    def _one_limit(self) -> "LimitRule":
        if (self.limit_param is None) == (self.limit_lookup is None):
            raise ValueError("必须给出 limit_param 或 limit_lookup 二者之一")
        return self

    def _fields(self) -> list[str]:
        """Every field the rule reads (and its findings' fingerprint rests on)."""
        fields = [self.value, *(self.per_head or [])]
        if self.limit_lookup:
            fields.append(self.limit_lookup.key)
        fields += [c.field for c in self.where]
        return list(dict.fromkeys(fields))

    def needs(self) -> dict[str, list[str]]:
        # Counts after the first per_head one (the companions) are optional: left blank they mean
        # none, so a register without a 陪同人数 column is still checked.
        optional = set((self.per_head or [])[1:]) - {self.value}
        return {self.table: [f for f in self._fields() if f not in optional]}

    def parameters_used(self) -> list[str]:
        names = [self.limit_param] if self.limit_param else [self.limit_lookup.param]
        return names + [c.param for c in self.where if c.param]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        out = condition_parameter_types(self.where)
        if self.limit_param:
            out[self.limit_param] = ("number", "integer")
        else:
            out[self.limit_lookup.param] = ("mapping",)
        return out

    def output_variables(self) -> set[str]:
        names = {"value", "limit", "excess"} | row_variable_names(self.table, OWN_VARIABLES)
        if self.per_head:
            names |= {"per_head", "heads"}
        return names

    # -- SQL ---------------------------------------------------------------------------------

    def _sql_type(self) -> str:
        return "DECIMAL(18,2)" if field_type(self.table, self.value) == "amount" else "DOUBLE"

    def _number(self, value: object) -> str:
        return f"CAST({float(value)!r} AS {self._sql_type()})"

    def _mapping_sql(self, ctx: SqlContext) -> str:
        mapping = ctx.params.get(self.limit_lookup.param) or {}
        rows = []
        for key, value in mapping.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue  # a non-numeric entry sets no limit
            rows.append(f"({_text(key)}, {self._number(number)})")
        if not rows:
            return f"SELECT CAST(NULL AS VARCHAR) AS k, CAST(NULL AS {self._sql_type()}) AS v WHERE FALSE"
        return f"SELECT norm_class(k) AS k, v FROM (VALUES {', '.join(rows)}) AS m(k, v)"

    def _limit_joins(self, ctx: SqlContext) -> tuple[str, str]:
        """(JOIN clauses, limit expression) for the row's limit."""
        if self.limit_param:
            return "", self._number(ctx.params[self.limit_param])
        lk = self.limit_lookup
        key = f"norm_class({column('t', lk.key)})"
        reference = (
            f"SELECT _unit AS u, norm_class({quote_ident(lk.ref_key)}) AS k, "
            f"max(CAST({quote_ident(lk.ref_value)} AS {self._sql_type()})) AS v "
            f"FROM {lk.table} WHERE {quote_ident(lk.ref_value)} IS NOT NULL "
            f"AND norm_class({quote_ident(lk.ref_key)}) IS NOT NULL "
            f"AND NOT list_has_any(_bad, {sql_list([lk.ref_key, lk.ref_value])}) GROUP BY ALL"
        )
        joins = (
            f"LEFT JOIN ({reference}) AS own ON own.u = t._unit AND own.k = {key}\n"
            f"LEFT JOIN ({reference}) AS shared ON shared.u IS NULL AND shared.k = {key}\n"
            f"LEFT JOIN ({self._mapping_sql(ctx)}) AS dflt ON dflt.k = {key}"
        )
        return joins, "coalesce(own.v, shared.v, dflt.v)"

    def compile(self, ctx: SqlContext) -> str:
        joins, limit = self._limit_joins(ctx)
        value = column("t", self.value)
        if self.per_head:
            # The first count (the guests, the diners) must be known; the others (companions)
            # left blank mean none. Unknown guests give no per-head figure at all.
            first, *others = self.per_head
            heads = " + ".join([column("t", first), *(f"coalesce({column('t', c)}, 0)" for c in others)])
            divisor = f"NULLIF({heads}, 0)"
            if others:
                # An optional count that was written but could not be read is not "none": no
                # per-head figure for that row.
                divisor = f"CASE WHEN list_has_any(t._bad, {sql_list(others)}) THEN NULL ELSE {divisor} END"
        else:
            divisor = "1"
        if self._sql_type() == "DOUBLE":
            over = "round(CAST(b._value AS DOUBLE), 9) > round(CAST(b._limit * b._heads AS DOUBLE), 9)"
        else:
            over = "b._value > b._limit * b._heads"
        per_head_vars = ""
        excess = "CAST(b._value - b._limit AS DOUBLE)"
        if self.per_head:
            per_head_vars = (
                "CAST(b._value AS DOUBLE) / b._heads AS per_head, b._heads AS heads,"
            )
            excess = "CAST(b._value AS DOUBLE) / b._heads - CAST(b._limit AS DOUBLE)"
        variables = ", ".join(row_variables(self.table, "b", OWN_VARIABLES))
        # Money at issue only when the value is money (a ratio's excess is not an amount in 元).
        amount = (
            "CAST(b._value - b._limit * b._heads AS DOUBLE)"
            if field_type(self.table, self.value) == "amount"
            else "CAST(NULL AS DOUBLE)"
        )
        return f"""
WITH b AS (
    SELECT t.*, {value} AS _value, {divisor} AS _heads, {limit} AS _limit
    FROM {self.table} AS t
    {joins}
    WHERE {where_sql(self.table, self.where, 't', ctx)}
)
SELECT b._unit AS unit,
       {amount} AS amount,
       [{location_sql('b')}] AS locations,
       {content_sql(self.table, 'b', self._fields())} AS content,
       b._value AS value,
       b._limit AS "limit",
       {excess} AS excess,
       {per_head_vars}
       {variables}
FROM b
WHERE b._value IS NOT NULL AND b._heads IS NOT NULL AND b._limit IS NOT NULL AND {over}
"""


def _text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"

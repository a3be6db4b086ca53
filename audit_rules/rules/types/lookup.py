"""The lookup rule type (see the Lookup class)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    TEXT_TYPES,
    check_fields,
    sql_literal,
    content_sql,
    field_type,
    location_sql,
    row_variable_names,
    row_variables,
    same_unit_sql,
)
from audit_rules.rules.types.base import RuleType, SqlContext
from audit_rules.rules.types.match import (
    Condition,
    condition_parameter_types,
    condition_parameters,
    where_sql,
)

# ---------------------------------------------------------------- the lookup type


class RefMatch(BaseModel):
    """A reference field that must match a field of the row (text: class_matches), or — through
    `bridge`, a mapping parameter from the reference's vocabulary to the row's (政府采购品目 →
    支出经济分类) — a value the bridge translates it to."""

    model_config = ConfigDict(extra="forbid")
    field: str
    equals: str
    bridge: str | None = None

    def bridge_pairs(self, ctx: SqlContext) -> list[tuple[str, str]]:
        """(reference word, row class) pairs; one bridge entry may name several classes."""
        from audit_rules.rules.loader import LIST_SEPARATORS  # the loader imports the types

        if self.bridge is None:
            return []
        if self.bridge not in ctx.params:
            raise KeyError(f"规则引用了未定义的参数：{self.bridge}")
        mapping = ctx.params[self.bridge] or {}
        return [
            (str(word), target.strip())
            for word, targets in mapping.items()
            for target in re.split(LIST_SEPARATORS, str(targets))
            if target.strip()
        ]


class RefWindow(BaseModel):
    """A validity window on the reference row that must cover the row's date
    (an empty bound is open)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    date: str


class Lookup(RuleType):
    """A value that must (or must not) be found in a reference table.

    **Flags** (anti-pattern): `expect: found`: a row whose key is missing from the reference list
    it has to be on (a 印刷费 payment to a printer that is not a designated supplier in force on the
    payment date; a large contract with no 三重一大 decision naming it). `expect: not_found`: a row
    whose key is found where it must not be (a review fee paid to a serving member of staff; an
    asset still assigned to someone who has left).

    **Must not flag**: a row whose key is blank or which does not meet `where`; with `ref_window`,
    a row without the date the window is checked on (neither inside nor outside it); for
    `not_found`, a key absent from the reference (使用人不在人员名册中: cannot tell) or found only in
    another unit's reference rows.

    **Example**::

        - id: non-designated-supplier
          title: 定点（协议）采购品目未在定点供应商采购
          category: non_designated_supplier
          severity: medium
          basis: 中华人民共和国政府采购法；本地定点（协议）供应商管理规定
          type: lookup
          table: payments
          where:
            - {field: econ_class, op: contains_any, param: designated_classes}
          key: payee
          ref_table: suppliers
          ref_key: name
          ref_match:
            - {field: category, equals: econ_class}
          ref_window: {from: valid_from, to: valid_to, date: date}
          expect: found
          message: "{date}支付{econ_class}{amount:.2f}元给“{payee}”，该单位不在付款日有效的{econ_class}定点（协议）供应商名录中"

    **Variables**: key (the row's key as written) and every field of the row; with
    `expect: not_found` also ref_<field> for every field of the first matched reference row (by
    file, sheet, row); amount = the `amount` field (default: the table's amount field, if any).

    Best practice: buy from a listed supplier, take the collective decision, return the fee,
    reassign the asset.

    Keys are compared with `norm_name` (spaces and brackets dropped, lower case), identifiers on
    both sides (contract numbers) with `norm_invoice` (punctuation, prefixes, leading zeros
    dropped); a reference cell listing several keys (关联合同编号 'HT2019-003、HT2019-004') matches
    each of them. A reference row applies when it is shared (`_unit` NULL) or belongs to the row's
    unit. Locations: the row; with `not_found` the row first, then the reference rows it matched.

    Fields::

        table: payments
        where: [{field: econ_class, op: in, param: designated_classes}]   # the match type's conditions
        key: payee
        ref_table: suppliers
        ref_key: name
        ref_where: []                                       # conditions on reference rows
        ref_match: [{field: category, equals: econ_class, bridge: procurement_classes}]
                                                            # ref field = the row's field (text:
                                                            # class_matches — by code when both carry
                                                            # one, else by name); bridge: optional
                                                            # mapping parameter ref word → row class
        ref_window: {from: valid_from, to: valid_to, date: date}   # an empty bound is open
        expect: found        # found: flag when NOT found; not_found: flag when found
        amount: null         # optional money field (default: amount)

    Conditions (`where`, `ref_where`) are the `match` type's ({field, op, value | param}), so every
    type speaks one condition language.
    """

    type_name: ClassVar[str] = "lookup"
    title: ClassVar[str] = "名录比对"

    table: str
    where: list[Condition] = []
    key: str
    ref_table: str
    ref_key: str
    ref_where: list[Condition] = []
    ref_match: list[RefMatch] = []
    ref_window: RefWindow | None = None
    expect: Literal["found", "not_found"]
    amount: str | None = Field(default=None, description="the row's money field (default: amount if the table has one)")

    @model_validator(mode="after")
    def _known_fields(self) -> "Lookup":
        row_fields = [self.key, *(c.field for c in self.where), *(m.equals for m in self.ref_match)]
        ref_fields = [self.ref_key, *(c.field for c in self.ref_where), *(m.field for m in self.ref_match)]
        if self.ref_window:
            row_fields.append(self.ref_window.date)
            ref_fields += [self.ref_window.from_, self.ref_window.to]
        if self.amount:
            row_fields.append(self.amount)
        check_fields(self.table, row_fields)
        check_fields(self.ref_table, ref_fields)
        return self

    def money_field(self) -> str | None:
        if self.amount:
            return self.amount
        return "amount" if "amount" in table_kinds()[self.table].fields else None

    def needs(self) -> dict[str, list[str]]:
        row = [self.key, *(c.field for c in self.where), *(m.equals for m in self.ref_match)]
        ref = [self.ref_key, *(c.field for c in self.ref_where), *(m.field for m in self.ref_match)]
        if self.ref_window:
            # The window's bounds are optional: a list without 有效期 columns is valid throughout.
            row.append(self.ref_window.date)
        if self.money_field():
            row.append(self.money_field())
        needs = {self.table: _unique(row)}
        needs[self.ref_table] = _unique(needs.get(self.ref_table, []) + ref)
        return needs

    def parameters_used(self) -> list[str]:
        bridges = [m.bridge for m in self.ref_match if m.bridge]
        return _unique(condition_parameters([*self.where, *self.ref_where]) + bridges)

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        types = condition_parameter_types([*self.where, *self.ref_where])
        types.update({m.bridge: ("mapping",) for m in self.ref_match if m.bridge})
        return types

    def output_variables(self) -> set[str]:
        names = {"key"} | row_variable_names(self.table)
        if self.expect == "not_found":
            names |= {f"ref_{n}" for n in table_kinds()[self.ref_table].fields}
        return names

    def _ref_join_sql(self, ctx: SqlContext) -> str:
        # Names compare with norm_name; when both keys are identifiers (合同编号), with
        # norm_invoice, so 'HT-2019-001' and 'HT2019001' are the same contract.
        both_ids = field_type(self.table, self.key) == "id" and field_type(self.ref_table, self.ref_key) == "id"
        norm = "norm_invoice" if both_ids else "norm_name"
        # A reference cell may name several keys ('HT2019-003、HT2019-004': one decision on two
        # contracts); any of them matches. Spaces and '/' are not separators: names hold them.
        ref_keys = f"""string_split_regex(r."{self.ref_key}"::VARCHAR, '[、，,;；]')"""
        parts = [
            f'list_contains(list_transform({ref_keys}, lambda k: {norm}(k)), {norm}(t."{self.key}"::VARCHAR))',
            same_unit_sql("r", "t"),
            where_sql(self.ref_table, self.ref_where, "r", ctx),
        ]
        for m in self.ref_match:
            if field_type(self.ref_table, m.field) in TEXT_TYPES:
                parts.append(self._class_match_sql(m, ctx))
            else:
                parts.append(f'r."{m.field}" = t."{m.equals}"')
        if self.ref_window:
            w = self.ref_window
            parts.append(f'(r."{w.from_}" IS NULL OR r."{w.from_}" <= t."{w.date}")')
            parts.append(f'(r."{w.to}" IS NULL OR t."{w.date}" <= r."{w.to}")')
        return " AND ".join(parts)

    @staticmethod
    def _class_match_sql(m: RefMatch, ctx: SqlContext) -> str:
        """Classes as people write them ('30202 印刷费' matches a list's 30202, 印刷费 or 印刷), and
        through the bridge a list's 印刷服务 matches a payment's 30202 印刷费."""
        ref_v, row_v = f'r."{m.field}"', f't."{m.equals}"'
        direct = f"class_matches({row_v}, {ref_v})"
        pairs = m.bridge_pairs(ctx)
        if not pairs:
            return direct
        words = sql_literal([w for w, _ in pairs])
        targets = sql_literal([c for _, c in pairs])
        bridged = (
            f"list_bool_or(list_transform(range(1, {len(pairs)} + 1), lambda i: "
            f"class_matches({ref_v}, ({words})[i]) AND class_matches({row_v}, ({targets})[i])))"
        )
        return f"({direct} OR coalesce({bridged}, FALSE))"

    def compile(self, ctx: SqlContext) -> str:
        money = self.money_field()
        amount = f't."{money}"::DOUBLE' if money else "NULL::DOUBLE"
        row_vars = ", ".join(row_variables(self.table, "t"))
        content = content_sql(self.table, "t", self.needs()[self.table])
        # A row without the date a validity window is checked on can be neither inside nor
        # outside it: no finding either way.
        dated = f' AND t."{self.ref_window.date}" IS NOT NULL' if self.ref_window else ""
        rows = f"""
            SELECT t.*, row_number() OVER (ORDER BY t._file, t._sheet, t._row) AS _tid
            FROM {self.table} AS t
            WHERE t."{self.key}" IS NOT NULL AND {where_sql(self.table, self.where, "t", ctx)}{dated}
        """
        if self.expect == "found":
            # Flag rows with no applicable reference row: only the row itself to show.
            return f"""
                SELECT t._unit AS unit, {amount} AS amount,
                       [{location_sql("t")}] AS locations,
                       {content} AS content,
                       t."{self.key}" AS key, {row_vars}
                FROM ({rows}) AS t
                WHERE NOT EXISTS (SELECT 1 FROM {self.ref_table} AS r WHERE {self._ref_join_sql(ctx)})
            """
        # Flag rows found in the reference: the row first, then the reference rows it matched;
        # the first matched reference row's fields are variables ref_<field>.
        ref_vars = ", ".join(
            f'arg_min(r."{n}", [r._file, r._sheet, r._row::VARCHAR]) AS "ref_{n}"'
            for n in table_kinds()[self.ref_table].fields
        )
        return f"""
            SELECT any_value(t._unit) AS unit, any_value({amount}) AS amount,
                   [any_value({location_sql("t")})]
                     || list({location_sql("r")} ORDER BY r._file, r._sheet, r._row) AS locations,
                   any_value({content}) AS content,
                   any_value(t."{self.key}") AS key,
                   {", ".join(row_variables(self.table, "t", wrap="any_value({})"))},
                   {ref_vars}
            FROM ({rows}) AS t
            JOIN {self.ref_table} AS r ON {self._ref_join_sql(ctx)}
            GROUP BY t._tid
        """


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))

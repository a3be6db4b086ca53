"""The same_person rule type (see the SamePerson class)."""

from __future__ import annotations

import re
from itertools import combinations
from typing import ClassVar

from pydantic import model_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import (
    TEXT_TYPES,
    check_fields,
    content_sql,
    location_sql,
    row_variable_names,
    row_variables,
    sql_literal,
)
from audit_rules.rules.types.base import RuleType, SqlContext


class SamePerson(RuleType):
    """One person in roles that must be held by different people (不相容岗位).

    **Flags** (anti-pattern): roles of one row: the handler of a payment also approved it
    (经办人=审核人, also 张三 / 张 三). Posts in the staff roster: one person is both 会计 and 出纳,
    or 会计 and 采购, in one title (会计兼出纳) or on two roster rows of the same unit.

    **Must not flag**: blank names (they never match); 经办人张三、审核人李四; 孙三任出纳、李四任会计;
    two people of the same name in different units.

    **Example**::

        - id: segregation-handler-approver
          title: 经办人与审核人为同一人
          category: segregation_of_duties
          severity: medium
          basis: 行政事业单位内部控制规范（试行）（财会〔2012〕21号）不相容岗位相互分离；巡察通报第36项
          type: same_person
          table: payments
          fields: [handler, approver]
          message: "凭证{voucher_no}支付{amount:.2f}元，经办人与审核人都是{person}"

    **Variables**: person, roles (Chinese headers or posts, e.g. 经办人、审核人 / 会计与出纳),
    titles (roster form: the person's titles joined with '、'), and (row form) every field of the
    row; amount (row form) = the `amount` field (default: the table's amount field, if any).

    Best practice: give the incompatible role to someone else and record who approved.

    Names are compared with norm_name; blank names never match. Row form: one finding per row,
    several matching pairs of fields joined by '；'. Roster form: one finding per person and unit,
    the pairs held joined by '、', located at every roster row holding one of the posts; a post is
    held when the title contains it.

    Fields (roles of one row)::

        table: payments
        fields: [handler, approver]                # two or more text fields

    Fields (posts in a roster)::

        table: staff
        field: title
        person: name                               # default name
        incompatible: [[会计, 出纳], [会计, 采购]]   # or a parameter name: a list like [会计/出纳, 会计/采购]

    A parameter's items may also separate the two posts with 、 , ， or 与.
    """

    type_name: ClassVar[str] = "same_person"
    title: ClassVar[str] = "不相容岗位"

    table: str
    fields: list[str] | None = None
    field: str | None = None
    person: str = "name"
    incompatible: list[list[str]] | str | None = None
    amount: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "SamePerson":
        if (self.fields is None) == (self.field is None):
            raise ValueError("same_person 须二选一：fields（同一行的几个角色字段）或 field + incompatible（名册中的不相容岗位）")
        if self.fields is not None:
            if len(self.fields) < 2:
                raise ValueError("same_person 的 fields 至少要两个字段")
            check_fields(self.table, self.fields)
            not_text = [f for f in self.fields if table_kinds()[self.table].fields[f].type not in TEXT_TYPES]
            if not_text:
                raise ValueError(f"same_person 的 fields 须为文本字段：{'、'.join(not_text)}")
        else:
            if self.incompatible is None:
                raise ValueError("same_person 的岗位形式须给出 incompatible（如 [[会计, 出纳]]）")
            check_fields(self.table, [self.field, self.person])
            if isinstance(self.incompatible, list):
                _check_pairs(self.incompatible)
        if self.amount:
            check_fields(self.table, [self.amount])
        return self

    def _pair_title(self, a: str, b: str) -> str:
        fields = table_kinds()[self.table].fields
        return f"{fields[a].header}与{fields[b].header}"

    def checks(self) -> dict[str, dict[str, list[str]]]:
        # Row form with three or more roles: each pair is its own check, so a register without
        # one role's column is still checked for the others.
        if self.fields is None or len(self.fields) < 3:
            return {}
        return {self._pair_title(a, b): {self.table: [a, b]} for a, b in combinations(self.fields, 2)}

    def _checked_pairs(self) -> list[tuple[str, str]]:
        return [(a, b) for a, b in combinations(self.fields, 2) if self.runs_check(self._pair_title(a, b))]

    def needs(self) -> dict[str, list[str]]:
        if self.fields is not None:
            return {self.table: list(dict.fromkeys(f for pair in self._checked_pairs() for f in pair))}
        return {self.table: [self.person, self.field]}

    def parameters_used(self) -> list[str]:
        return [self.incompatible] if isinstance(self.incompatible, str) else []

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return {self.incompatible: ("list",)} if isinstance(self.incompatible, str) else {}

    def output_variables(self) -> set[str]:
        if self.fields is not None:
            return {"person", "roles"} | row_variable_names(self.table)
        return {"person", "roles", "titles"}

    def compile(self, ctx: SqlContext) -> str:
        if self.fields is not None:
            return self._roles_sql()
        return self._posts_sql(self._pairs(ctx))

    def _pairs(self, ctx: SqlContext) -> list[list[str]]:
        if isinstance(self.incompatible, str):
            if self.incompatible not in ctx.params:
                raise KeyError(f"规则引用了未定义的参数：{self.incompatible}")
            pairs = [_split_pair(p) for p in ctx.params[self.incompatible]]
            _check_pairs(pairs)
            return pairs
        return self.incompatible or []

    def _money(self) -> str:
        money = self.amount or ("amount" if "amount" in table_kinds()[self.table].fields else None)
        return f't."{money}"::DOUBLE' if money else "NULL::DOUBLE"

    def _roles_sql(self) -> str:
        """One finding per row where two of the role fields hold the same (non-blank) name."""
        kind = table_kinds()[self.table]
        pair_hits = [
            f"CASE WHEN norm_name(t.{a}) <> '' AND norm_name(t.{a}) = norm_name(t.{b}) "
            f"THEN {sql_literal(kind.fields[a].header + '、' + kind.fields[b].header)} END"
            for a, b in self._checked_pairs()
        ]
        roles = f"concat_ws('；', {', '.join(pair_hits)})"
        person = f"coalesce({', '.join(f'CASE WHEN norm_name(t.{a}) = norm_name(t.{b}) THEN t.{a} END' for a, b in self._checked_pairs())})"
        return f"""
            SELECT t._unit AS unit, {self._money()} AS amount,
                   [{location_sql("t")}] AS locations,
                   {content_sql(self.table, "t", list(self.fields))} AS content,
                   {person} AS person, {roles} AS roles,
                   {", ".join(row_variables(self.table, "t"))}
            FROM {self.table} AS t
            WHERE {roles} <> ''
        """

    def _posts_sql(self, pairs: list[list[str]]) -> str:
        """One finding per person (per unit) holding both posts of an incompatible pair, in one
        title or across roster rows."""
        if not pairs:
            return "SELECT NULL::VARCHAR AS unit, NULL::DOUBLE AS amount, [] AS locations, NULL::VARCHAR AS content, NULL::VARCHAR AS person, NULL::VARCHAR AS roles, NULL::VARCHAR AS titles WHERE FALSE"
        values = ", ".join(f"({i}, {sql_literal(a)}, {sql_literal(b)})" for i, (a, b) in enumerate(pairs))
        title, person = f's."{self.field}"', f's."{self.person}"'
        return f"""
            WITH roster AS (
                SELECT s.*, norm_name({person}) AS _who
                FROM {self.table} AS s
                WHERE {person} IS NOT NULL AND norm_name({person}) <> '' AND {title} IS NOT NULL
            ),
            pairs(idx, first_post, second_post) AS (VALUES {values}),
            held AS (
                SELECT s._unit, s._who, p.idx, p.first_post, p.second_post
                FROM roster AS s, pairs AS p
                GROUP BY ALL
                HAVING bool_or(contains({title}, p.first_post)) AND bool_or(contains({title}, p.second_post))
            ),
            people AS (
                SELECT _unit, _who,
                       string_agg(first_post || '与' || second_post, '、' ORDER BY idx) AS roles,
                       list(first_post) || list(second_post) AS posts
                FROM held GROUP BY _unit, _who
            )
            SELECT g._unit AS unit, NULL::DOUBLE AS amount,
                   list({location_sql("s")} ORDER BY s._file, s._sheet, s._row) AS locations,
                   concat_ws('|', coalesce(g._unit, ''), g._who, g.roles) AS content,
                   min({person}) AS person, g.roles AS roles,
                   string_agg(DISTINCT {title}, '、' ORDER BY {title}) AS titles
            FROM people AS g
            JOIN roster AS s
              ON s._who = g._who AND s._unit IS NOT DISTINCT FROM g._unit
             AND list_bool_or(list_transform(g.posts, lambda w: contains({title}, w)))
            GROUP BY g._unit, g._who, g.roles
        """


def _split_pair(item: object) -> list[str]:
    """A pair from a parameter: a text list item '会计/出纳' (also 、 , ， 与 as separators)."""
    if isinstance(item, (list, tuple)):
        return [str(w).strip() for w in item]
    return [w.strip() for w in re.split(r"[/／、,，与]", str(item)) if w.strip()]


def _check_pairs(pairs: list[list[str]]) -> None:
    bad = [p for p in pairs if len(p) != 2 or not all(str(w).strip() for w in p)]
    if bad:
        raise ValueError(f"incompatible 的每一项须是两个岗位名，如 [会计, 出纳]；有误：{bad}")

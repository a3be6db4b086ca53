"""The match rule type (see the MatchRule class)."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from audit_rules.rules.sql import (
    SQL_TYPES,
    check_field,
    column,
    content_sql,
    field_type,
    is_blank,
    location_sql,
    row_variable_names,
    row_variables,
    sql_literal,
)
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind

KEYWORD_OPS = ("contains_any", "not_contains_any", "in", "not_in", "place_in", "class_in")
COMPARE_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
NULL_OPS = ("is_null", "not_null")


class Condition(BaseModel):
    """One condition on a field of the rule's table."""

    model_config = ConfigDict(extra="forbid")

    field: str
    op: Literal[
        "contains_any", "not_contains_any", "in", "not_in", "place_in", "class_in",
        "eq", "ne", "gt", "ge", "lt", "le", "is_null", "not_null",
    ]
    value: Any = None
    param: str | None = None
    # contains_any / not_contains_any: a mapping parameter keyword → the phrases that explain it
    # ('奖金: 年终一次性奖金', '加油卡: 公务用车'), so an exemption clears its own keyword only.
    exempt: str | None = None

    @model_validator(mode="after")
    def _one_operand(self) -> "Condition":
        has_value = self.value is not None
        has_param = self.param is not None
        if self.op in NULL_OPS:
            if has_value or has_param:
                raise ValueError(f"条件 {self.op} 不需要 value 或 param")
        elif has_value == has_param:
            raise ValueError(f"条件 {self.field} {self.op} 必须给出 value 或 param 二者之一")
        if self.op in KEYWORD_OPS and has_value:
            items = self.value if isinstance(self.value, list) else [self.value]
            if not items or any(isinstance(v, (dict, list)) or v is None for v in items):
                raise ValueError(f"条件 {self.field} {self.op} 的 value 应为文本或文本列表")
        return self

    def exemptions(self, ctx: SqlContext) -> dict[str, list[str]]:
        """Keyword → phrases exempting it (a mapping value may list several: 公务用车、公车加油)."""
        if self.exempt is None:
            return {}
        if self.exempt not in ctx.params:
            raise KeyError(f"规则引用了未定义的参数：{self.exempt}")
        return {
            str(k): [p.strip() for p in re.split(r"[、，,;；]", str(v)) if p.strip()]
            for k, v in (ctx.params[self.exempt] or {}).items()
        }

    def operand(self, ctx: SqlContext) -> Any:
        return ctx.params[self.param] if self.param is not None else self.value

    def keywords(self, ctx: SqlContext) -> list[str]:
        """The keywords; a text value or parameter may list several ('长沙、浏阳、宁乡', as
        people write lists and as `--set` gives a string parameter)."""
        value = self.operand(ctx)
        items = value if isinstance(value, list) else re.split(r"[、，,;；]", str(value))
        return [str(v).strip() for v in items if str(v).strip()]


def check_conditions(table: str | None, conditions: list[Condition]) -> list[Condition]:
    for cond in conditions:
        check_field(table, cond.field)
    return conditions


def condition_parameters(conditions: list[Condition]) -> list[str]:
    """Names of the parameters the conditions read."""
    return [p for c in conditions for p in (c.param, c.exempt) if p]


def condition_parameter_types(conditions: list[Condition]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for cond in conditions:
        if cond.param is None:
            continue
        if cond.op in KEYWORD_OPS:
            out[cond.param] = ("list", "string")
        else:
            out[cond.param] = ("number", "integer", "string")
    out.update({c.exempt: ("mapping",) for c in conditions if c.exempt})
    return out


def _keyword_hits(kind: str, cond: Condition, alias: str, ctx: SqlContext) -> str:
    """SQL list of the condition's keywords found in the field."""
    keywords = sql_literal(cond.keywords(ctx)) if cond.keywords(ctx) else "[]::VARCHAR[]"
    col = column(alias, cond.field)
    if cond.op in ("contains_any", "not_contains_any"):
        text = _searched_text(kind, cond, alias)
        exemptions = cond.exemptions(ctx)
        if exemptions:
            return _exempted_hits(cond.keywords(ctx), exemptions, text)
        return f"list_filter({keywords}, lambda k: contains({text}, lower(k)))"
    if cond.op == "place_in":
        # A place is in a city when it begins with it once a leading province is dropped:
        # 湖南省长沙市岳麓区 and 长沙县 are in 长沙; 湘潭市长沙路 is not.
        return f"list_filter({keywords}, lambda k: starts_with(norm_place({col}), norm_place(k)))"
    if cond.op == "class_in":
        # 经济分类 compared the one way (class_matches): '30202 印刷费', '30202' and '印刷费' alike.
        return f"list_filter({keywords}, lambda k: class_matches({col}, k))"
    return f"list_filter({keywords}, lambda k: norm_name(k) = norm_name({col}))"


def _searched_text(kind: str, cond: Condition, alias: str) -> str:
    """The field as the lower-case text contains_any looks in (a list field: its items joined)."""
    col = column(alias, cond.field)
    if field_type(kind, cond.field) == "list":
        return f"lower(array_to_string({col}, '、'))"
    return f"lower(CAST({col} AS VARCHAR))"


def _keyword_found(kind: str, cond: Condition, alias: str, ctx: SqlContext) -> str:
    """SQL true when the condition's keyword list finds something in the field.

    contains_any looks first with one RE2 alternation of the keywords, six times faster than a
    lambda over the keyword list for every row (500k summaries, ten keywords: 0.04 s against
    0.26 s). With exemptions that is only a first sieve: a row holding none of the keywords
    has none left once they are applied, so the lambda runs on the few rows that pass."""
    hits = f"len({_keyword_hits(kind, cond, alias, ctx)}) > 0"
    keywords = cond.keywords(ctx)
    if cond.op not in ("contains_any", "not_contains_any") or not keywords:
        return hits
    pattern = "|".join(re.escape(word) for word in keywords)  # every keyword a literal
    alternation = f"regexp_matches({_searched_text(kind, cond, alias)}, lower({sql_literal(pattern)}))"
    return f"({alternation} AND {hits})" if cond.exemptions(ctx) else alternation


def _exempted_hits(keywords: list[str], exemptions: dict[str, list[str]], text: str) -> str:
    """SQL list of the keywords found once their exemptions are applied, keyword by keyword: a
    phrase containing the keyword is cut out before looking ('年终一次性奖金' hides that 奖金, not
    a 季度奖金 beside it); a phrase that does not contain it exempts the keyword wherever it is
    ('公务用车' exempts 加油卡), and nothing else — a 购物卡 beside it is still found."""
    hits = []
    for word in keywords:
        phrases = exemptions.get(word, [])
        inner = [p for p in phrases if word.lower() in p.lower()]
        context = [p for p in phrases if word.lower() not in p.lower()]
        cut = text
        for phrase in inner:
            cut = f"replace({cut}, lower({sql_literal(phrase)}), '')"
        found = f"contains({cut}, lower({sql_literal(word)}))"
        if context:
            found += f" AND NOT list_bool_or(list_transform({sql_literal(context)}, lambda p: contains({text}, lower(p))))"
        hits.append(f"CASE WHEN {found} THEN {sql_literal(word)} END")
    if not hits:
        return "[]::VARCHAR[]"
    return f"list_filter([{', '.join(hits)}]::VARCHAR[], lambda k: k IS NOT NULL)"


def condition_sql(kind: str, cond: Condition, alias: str, ctx: SqlContext) -> str:
    """SQL true when the row meets the condition (false on a blank field, except is_null)."""
    blank = is_blank(kind, cond.field, alias)
    if cond.op == "is_null":
        return blank
    if cond.op == "not_null":
        return f"NOT {blank}"
    if cond.op in KEYWORD_OPS:
        found = _keyword_found(kind, cond, alias, ctx)
        if cond.op.startswith("not"):
            found = f"NOT ({found})"
        return f"(NOT {blank} AND {found})"
    ftype = field_type(kind, cond.field)
    col = column(alias, cond.field)
    literal = sql_literal(cond.operand(ctx))
    if ftype in ("text", "id") and cond.op in ("eq", "ne"):
        left, right = f"norm_name({col})", f"norm_name({literal})"
    else:
        left, right = col, f"CAST({literal} AS {SQL_TYPES[ftype]})"
    return f"(NOT {blank} AND {left} {COMPARE_OPS[cond.op]} {right})"


def matched_sql(kind: str, conditions: list[Condition], alias: str, ctx: SqlContext) -> str:
    """SQL for the `matched` variable: the first keyword / list entry found, by the first
    condition that found one (of an `any` group, the one that held)."""
    hits = [f"{_keyword_hits(kind, c, alias, ctx)}[1]" for c in conditions
            if c.op in ("contains_any", "in", "place_in", "class_in")]
    return f"coalesce({', '.join(hits)})" if hits else "CAST(NULL AS VARCHAR)"


def where_sql(kind: str, conditions: list[Condition], alias: str, ctx: SqlContext) -> str:
    return " AND ".join(condition_sql(kind, c, alias, ctx) for c in conditions) or "TRUE"


class MatchRule(RuleType):
    """Rows whose fields meet every condition (keywords, lists, comparisons, blanks).

    **Flags** (anti-pattern): a payment booked as an activity cost that is really a gift card:
    摘要 "工会活动购物卡" (matched = 购物卡).

    **Must not flag**: "购买办公用品", "印刷费", a blank summary; with the shipped rule's second
    condition also "公务用车加油卡充值".

    **Example**::

        - id: prohibited-expense
          title: 违规列支费用
          category: prohibited_expense
          severity: high
          basis: 中央八项规定及其实施细则；巡察通报第21项
          type: match
          table: payments
          where:
            - {field: summary, op: contains_any, param: prohibited_keywords}
            - {field: summary, op: not_contains_any, value: [年终一次性奖金, 公务用车, 公车]}
          message: "付款凭证{voucher_no}摘要“{summary}”含“{matched}”，金额{amount:.2f}元，疑似违规列支"

    **Variables**: every field of the row, `matched` (the keyword or list entry found by the first
    contains_any / in / place_in / class_in condition that found one) and `amount` (the row's `amount_field`, default: the
    table's amount field).

    Operators: contains_any / not_contains_any (keywords from `value` or a string/list parameter —
    a string may list several separated by 、，,;； — case-insensitive substring), in / not_in
    (name equality after norm_name), place_in (a place name that begins with one of the cities once
    a leading province such as 湖南省 is dropped: 长沙县, 湖南省长沙市 are in 长沙, 湘潭市长沙路 is
    not), class_in (an economic class matching one listed, compared by class_matches: by code when
    both carry one, '30202' covers '30202 印刷费', else by name), eq / ne / gt / ge / lt / le (the field against a literal or a parameter, compared in the
    field's type), is_null / not_null (blank text and empty lists count as null). A condition on a
    blank field is false, except is_null. Each condition gives exactly one of `value` and `param`
    (neither for is_null / not_null). A contains_any / not_contains_any condition may name `exempt`,
    a mapping parameter keyword → phrases: a phrase containing the keyword is cut out before looking
    (年终一次性奖金 hides its 奖金), one that does not exempts that keyword (公务用车 exempts 加油卡);
    either way only that keyword — a 过节费 or 购物卡 in the same summary is still found.

    `any` (optional) lists conditions of which at least one must hold as well: the shipped
    同城接待 rule flags a 所在地 beginning with the unit's city (place_in local_city) or written
    as 本市 / 本县 / 本区 / 本地 (place_in local_place_words). `where` may then be empty.
    """

    type_name: ClassVar[str] = "match"
    title: ClassVar[str] = "条件匹配"

    table: TableKind
    where: list[Condition] = []
    any: list[Condition] = []  # at least one of these holds too
    amount_field: str | None = None  # the field whose value is the money at issue (default: amount)

    @field_validator("where", "any")
    @classmethod
    def _check_where(cls, value: list[Condition], info) -> list[Condition]:
        return check_conditions(info.data.get("table"), value)

    @model_validator(mode="after")
    def _some_condition(self) -> "MatchRule":
        if not self.where and not self.any:
            raise ValueError("至少需要一个条件（where 或 any）")
        return self

    def _conditions(self) -> list[Condition]:
        return [*self.where, *self.any]

    @field_validator("amount_field")
    @classmethod
    def _check_amount_field(cls, value: str | None, info) -> str | None:
        if value is not None:
            check_field(info.data.get("table"), value)
            if field_type(info.data["table"], value) != "amount":
                raise ValueError(f"字段 {value} 不是金额字段")
        return value

    def money_field(self) -> str | None:
        if self.amount_field:
            return self.amount_field
        from audit_rules.ledgers.schema import table_kinds

        spec = table_kinds()[self.table].fields.get("amount")
        return "amount" if spec is not None and spec.type == "amount" else None

    def needs(self) -> dict[str, list[str]]:
        return {self.table: list(dict.fromkeys(c.field for c in self._conditions()))}

    def parameters_used(self) -> list[str]:
        return list(dict.fromkeys(c.param for c in self._conditions() if c.param))

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return condition_parameter_types(self._conditions())

    def output_variables(self) -> set[str]:
        return row_variable_names(self.table, {"matched"}) | {"matched"}

    def compile(self, ctx: SqlContext) -> str:
        money = self.money_field()
        amount = f"CAST({column('t', money)} AS DOUBLE)" if money else "CAST(NULL AS DOUBLE)"
        fields = [c.field for c in self._conditions()]
        where = where_sql(self.table, self.where, "t", ctx)
        if self.any:
            where += " AND (" + " OR ".join(condition_sql(self.table, c, "t", ctx) for c in self.any) + ")"
        variables = ", ".join(row_variables(self.table, "t", {"matched"}))
        return f"""
SELECT t._unit AS unit,
       {amount} AS amount,
       [{location_sql('t')}] AS locations,
       {content_sql(self.table, 't', fields)} AS content,
       {matched_sql(self.table, self._conditions(), 't', ctx)} AS matched,
       {variables}
FROM {self.table} AS t
WHERE {where}
"""

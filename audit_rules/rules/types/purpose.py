"""The purpose rule type (see the Purpose class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from audit_rules.rules.sql import (
    check_fields,
    content_sql,
    location_sql,
    row_variable_names,
    row_variables,
    same_unit_sql,
    sql_literal,
)
from audit_rules.rules.types.base import RuleType, SqlContext

# A year named in a summary: 2018年 / 2018年度, or a month written 2018-12 / 2018.12 / 2018/12
# (also 19xx), not part of a longer number or of a code such as a contract number HT2018-12.
YEAR_PATTERN = (
    r"(?:^|[^0-9A-Za-z\-])((?:19|20)[0-9]{2})(?:年|[-./](?:0?[1-9]|1[0-2])(?:[^0-9]|$))"
)


class Purpose(RuleType):
    """Special funds (专项资金) spent outside their approved purpose.

    **Flags** (anti-pattern): a payment charged to a special fund whose economic class does not
    match one of the classes the approval allows (class_matches: by code when both carry one, so a
    codes-only approval `30201,30213,30227` allows '30213 维修（护）费'; else by name)
    (福利费 from an 办公设备专项), whose summary names something no special fund may pay for (慰问、
    误餐、福利…), or which books an earlier year's costs against this year's fund (a 2019 fund
    paying "2018年印刷费" or "2018-12 电费").

    **Must not flag**: "2019年度…" or "HT2018-12" in a 2019 fund's summary (not an earlier year);
    an allowed class (信息化专项列支办公费“购买打印纸”); a payment charged to no special fund
    (日常公用经费列支慰问品); an approval listing no allowed classes (the class is then not
    checked); the class or year of a fund known only by its name (no approval to check them by).

    **Example**::

        - id: special-fund-off-purpose
          title: 专项资金未按批复用途使用
          category: special_fund_off_purpose
          severity: high
          basis: 中华人民共和国预算法（2018）第五十七条、第九十三条；财政违法行为处罚处分条例
          type: purpose
          excluded: excluded_fund_purposes
          fund_words: special_fund_words
          message: "专项“{fund}”（{approval}）支出{amount:.2f}元（{summary}）：{reason}"

    **Variables**: reason (Chinese, every reason joined with '；'), fund, fund_year (NULL for a
    fund known by name only), approval ('2019年', or '无专项资金批复，按名称认定为专项'), allowed
    (the allowed classes joined with '、'), econ_class, summary, and every payment field;
    amount = the payment's `amount` field.

    Best practice: charge the payment to the ordinary budget or the right fund, and adjust the
    accounts.

    A payment is charged to a fund when its fund_source equals special_funds.fund (norm_name);
    the unit's own approval wins over a shared one when both name the fund. Locations: the payment,
    then the fund's approval row.

    A fund_source no approval names is still a special fund when it holds a word of `fund_words`
    (专项, 专款: 防汛专项经费 is one even where no 专项资金批复 was handed over): the excluded
    purposes apply to it; the class and year checks need an approval and are not run. Location:
    the payment alone. Without `fund_words` the rule needs the approvals table.

    Fields (defaults shown)::

        table: payments
        fund_field: fund_source
        class_field: econ_class
        summary_field: summary
        amount: amount
        funds_table: special_funds
        excluded: excluded_fund_purposes    # parameter: words no special fund may pay for
        fund_words: null                    # parameter: words that make a fund_source a special fund
    """

    type_name: ClassVar[str] = "purpose"
    title: ClassVar[str] = "专项资金用途"

    table: str = "payments"
    fund_field: str = "fund_source"
    class_field: str = "econ_class"
    summary_field: str = "summary"
    amount: str = "amount"
    funds_table: str = "special_funds"
    excluded: str | None = "excluded_fund_purposes"
    fund_words: str | None = None

    @model_validator(mode="after")
    def _known_fields(self) -> "Purpose":
        check_fields(self.table, [self.fund_field, self.class_field, self.summary_field, self.amount])
        check_fields(self.funds_table, ["fund", "year", "allowed_classes"])
        return self

    def needs(self) -> dict[str, list[str]]:
        needed = {self.table: [self.fund_field, self.class_field, self.summary_field, self.amount]}
        if self.fund_words is None:  # only approved funds are special: no approvals, no rule
            needed[self.funds_table] = ["fund", "year", "allowed_classes"]
        return needed

    def readable_rows(self) -> dict[str, list[str]]:
        return {**self.needs(), self.funds_table: ["fund", "year", "allowed_classes"]}

    def parameters_used(self) -> list[str]:
        return [p for p in (self.excluded, self.fund_words) if p]

    def parameter_types(self) -> dict[str, tuple[str, ...]]:
        return {p: ("list",) for p in self.parameters_used()}

    def output_variables(self) -> set[str]:
        return {"reason", "fund", "fund_year", "approval", "allowed"} | row_variable_names(self.table)

    def _words(self, ctx: SqlContext, name: str | None) -> str:
        """A list parameter's words as a SQL list ([] when the rule names none)."""
        if not name:
            return "[]::VARCHAR[]"
        if name not in ctx.params:
            raise KeyError(f"规则引用了未定义的参数：{name}")
        words = [str(w) for w in (ctx.params[name] or [])]
        return sql_literal(words) if words else "[]::VARCHAR[]"

    def compile(self, ctx: SqlContext) -> str:
        cls, summary = f'p."{self.class_field}"', f'p."{self.summary_field}"'
        words = self._words(ctx, self.excluded)
        fund_words = self._words(ctx, self.fund_words)
        fund = f'p."{self.fund_field}"'
        # A class is allowed when it matches an allowed class the one way classes compare
        # (class_matches: by code when both carry one — a codes-only approval '30201,30213'
        # allows '30213 维修（护）费' — else by name: '商品和服务支出-办公费' is 办公费).
        allowed_hit = f"list_bool_or(list_transform(f.allowed_classes, lambda c: class_matches({cls}, c)))"
        class_reason = (
            f"CASE WHEN {cls} IS NOT NULL AND len(coalesce(f.allowed_classes, [])) > 0 "
            f"AND NOT coalesce({allowed_hit}, FALSE) "
            f"THEN '经济分类“' || {cls} || '”不在专项允许范围（' || array_to_string(f.allowed_classes, '、') || '）内' END"
        )
        hit_words = f"list_filter({words}, lambda w: contains(norm_name(coalesce({summary}, '')), norm_name(w)))"
        word_reason = (
            f"CASE WHEN len({hit_words}) > 0 THEN "
            f"'摘要含' || array_to_string(list_transform({hit_words}, lambda w: '“' || w || '”'), '、') END"
        )
        years = f"list_distinct(list_transform(regexp_extract_all(coalesce({summary}, ''), '{YEAR_PATTERN}', 1), lambda y: y::INTEGER))"
        early_years = f"list_sort(list_filter({years}, lambda y: y < f.year))"
        year_reason = (
            f"CASE WHEN len({early_years}) > 0 THEN "
            f"'列支' || array_to_string(list_transform({early_years}, lambda y: y::VARCHAR || '年'), '、') "
            f"|| '费用（专项年度' || f.year::VARCHAR || '年）' END"
        )
        approved = f"norm_name(f.fund) = norm_name({fund}) AND {same_unit_sql('f', 'p')}"
        return f"""
            WITH approved AS (
                SELECT p.*, f.fund AS _fund, f.year AS _fund_year, f.allowed_classes AS _allowed,
                       concat_ws('；', {class_reason}, {word_reason}, {year_reason}) AS _reason,
                       f._file AS _f_file, f._sheet AS _f_sheet, f._row AS _f_row,
                       row_number() OVER (
                           PARTITION BY p._file, p._sheet, p._row
                           ORDER BY (f._unit IS NULL), f._file, f._sheet, f._row) AS _rank
                FROM {self.table} AS p
                JOIN {self.funds_table} AS f ON {approved}
                WHERE {fund} IS NOT NULL
            ),
            named AS (  -- special by its name only: no approval to check the class or year against
                SELECT p.*, {fund} AS _fund, NULL::BIGINT AS _fund_year, NULL::VARCHAR[] AS _allowed,
                       concat_ws('；', {word_reason}) AS _reason,
                       NULL::VARCHAR AS _f_file, NULL::VARCHAR AS _f_sheet, NULL::INTEGER AS _f_row, 1 AS _rank
                FROM {self.table} AS p
                WHERE {fund} IS NOT NULL
                  AND list_bool_or(list_transform({fund_words}, lambda w: contains(norm_name({fund}), norm_name(w))))
                  AND NOT EXISTS (SELECT 1 FROM {self.funds_table} AS f WHERE {approved})
            ),
            charged AS (SELECT * FROM approved UNION ALL BY NAME SELECT * FROM named)
            SELECT p._unit AS unit, p."{self.amount}"::DOUBLE AS amount,
                   CASE WHEN p._f_row IS NULL THEN [{location_sql("p")}]
                        ELSE [{location_sql("p")},
                              {{'file': p._f_file, 'sheet': p._f_sheet, 'row': p._f_row}}] END AS locations,
                   {content_sql(self.table, "p", self.needs()[self.table])} AS content,
                   p._reason AS reason, p._fund AS fund, p._fund_year AS fund_year,
                   coalesce(p._fund_year::VARCHAR || '年', '无专项资金批复，按名称认定为专项') AS approval,
                   array_to_string(p._allowed, '、') AS allowed,
                   {", ".join(row_variables(self.table, "p"))}
            FROM charged AS p
            WHERE p._rank = 1 AND p._reason <> ''
        """

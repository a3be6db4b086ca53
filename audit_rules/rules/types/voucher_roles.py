"""The voucher_roles rule type (see the VoucherRoles class)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from audit_rules.ledgers.schema import table_kinds
from audit_rules.rules.sql import check_fields, quote_ident, sql_literal, voucher_lines_sql, voucher_name_sql
from audit_rules.rules.types.base import RuleType, SqlContext, TableKind


class VoucherRoles(RuleType):
    """One person in two roles of a voucher that must be held by different people (制单=审核).

    **Flags** (anti-pattern): 记-12 made (制单人) and checked (审核人) by 王芳; with `pairs` naming
    them, a cashier (出纳) who also made or checked the voucher.

    **Must not flag**: different people; a role left blank (no one is named twice); a pair whose
    columns the journal does not have (that pair is not checked, the others are,
    and the 规则清单 names the pair left out).

    **Example**::

        - id: voucher-maker-checker
          title: 记账凭证制单与审核为同一人
          category: segregation_of_duties
          severity: medium
          basis: 会计基础工作规范第十四条、内部会计控制规范（不相容职务相互分离）
          type: voucher_roles
          table: journal
          pairs: [[maker, checker], [maker, cashier], [checker, cashier]]
          message: "{period}凭证{voucher}的{roles}均为{person}"

    **Variables**: voucher (记-12), period, person, roles (制单人、审核人, the Chinese headers of the
    roles held); the amount is the voucher's total debit.

    One finding per voucher and pair; its location is the voucher's first line. Names are compared
    ignoring spaces and brackets (norm_name).
    """

    type_name: ClassVar[str] = "voucher_roles"
    title: ClassVar[str] = "凭证不相容岗位"

    table: TableKind = "journal"
    pairs: list[list[str]] = [["maker", "checker"]]

    @field_validator("pairs")
    @classmethod
    def _check_pairs(cls, value: list[list[str]], info) -> list[list[str]]:
        if not value or any(len(pair) != 2 or pair[0] == pair[1] for pair in value):
            raise ValueError("pairs 每项须为两个不同的角色字段，如 [maker, checker]")
        check_fields(info.data.get("table") or "journal", [f for pair in value for f in pair])
        return value

    def _pair_title(self, pair: list[str]) -> str:
        fields = table_kinds()[self.table].fields
        return f"{fields[pair[0]].header}与{fields[pair[1]].header}"

    def checks(self) -> dict[str, dict[str, list[str]]]:
        # Each pair is its own check: a journal without 出纳 is still checked for 制单 = 审核.
        if len(self.pairs) < 2:
            return {}
        return {self._pair_title(pair): {self.table: ["voucher_no", *pair]} for pair in self.pairs}

    def _checked_pairs(self) -> list[list[str]]:
        return [pair for pair in self.pairs if self.runs_check(self._pair_title(pair))]

    def needs(self) -> dict[str, list[str]]:
        return {self.table: ["voucher_no", *dict.fromkeys(f for pair in self._checked_pairs() for f in pair)]}

    def output_variables(self) -> set[str]:
        return {"voucher", "period", "person", "roles"}

    def compile(self, ctx: SqlContext) -> str:
        fields = table_kinds()[self.table].fields
        checks = " UNION ALL ".join(
            f"""SELECT _voucher, _block, {sql_literal(fields[a].header + '、' + fields[b].header)} AS roles,
                       any_value({quote_ident(a)}) AS person
                FROM lines GROUP BY _voucher, _block
                HAVING norm_name(any_value({quote_ident(a)})) = norm_name(any_value({quote_ident(b)}))"""
            for a, b in self._checked_pairs()
        )
        return f"""
            WITH lines AS ({voucher_lines_sql(self.table)}),
            vouchers AS (
                SELECT _voucher, _block, any_value(_unit) AS _unit, any_value(period) AS period,
                       any_value(voucher_word) AS voucher_word, any_value(voucher_no) AS voucher_no,
                       any_value(_file) AS _file, any_value(_sheet) AS _sheet, min(_first_row) AS _row,
                       sum(debit) AS total
                FROM lines GROUP BY _voucher, _block
            )
            SELECT v._unit AS unit, v.total::DOUBLE AS amount,
                   [{{'file': v._file, 'sheet': v._sheet, 'row': v._row}}] AS locations,
                   concat_ws('|', coalesce(v._unit, ''), coalesce(v.period, ''), coalesce(v.voucher_word, ''),
                             v.voucher_no, c.roles) AS content,
                   {voucher_name_sql("v")} AS voucher, v.period, c.person, c.roles
            FROM vouchers AS v JOIN ({checks}) AS c USING (_voucher, _block)
        """

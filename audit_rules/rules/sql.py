"""The one helper API rule types compile their SQL with.

Every rule type imports its SQL vocabulary from here (and its contract from `types/base.py`):
identifier quoting, literals, field types of kinds.yaml, normalised comparisons (the macros
below), blank tests, locations, message variables, and the ONE fingerprint rule.

The fingerprint rule (`content_sql`): a finding's content is the unit of its primary row, the
identity fields of that row's kind (`identity_fields`: its unique fields, else its key fields,
a number unique only within a period together with the key fields; all fields when a kind
declares neither), then the fields the rule itself rests on, each as text (`as_text`), joined
with '|'. Never row numbers, file order or anything else a re-sort or re-save would change, so
a problem keeps its id from run to run — the rectification (对账销号) contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from audit_rules.ledgers.schema import FieldSpec, table_kinds

TEXT_TYPES = ("text", "id")
SQL_TYPES = {
    "date": "DATE",
    "amount": "DECIMAL(18,2)",
    "count": "BIGINT",
    "year": "BIGINT",
    "ratio": "DOUBLE",
    "bool": "BOOLEAN",
    "list": "VARCHAR[]",
    "text": "VARCHAR",
    "id": "VARCHAR",
}
PROVENANCE_SQL = {"_file": "VARCHAR", "_sheet": "VARCHAR", "_row": "INTEGER", "_unit": "VARCHAR", "_bad": "VARCHAR[]"}
REQUIRED_COLUMNS = ("unit", "amount", "locations", "content")

# norm_name: names compared ignoring spaces and every kind of bracket (the reader applied NFKC,
# so full-width brackets are already half-width; the full-width ones are listed anyway).
# norm_invoice: invoice-like numbers without prefixes (No. / № / 发票号…), punctuation and
# leading zeros, so 'No.00571234' = '571234'.
MACROS = (
    r"""CREATE MACRO norm_name(x) AS
        NULLIF(lower(regexp_replace(CAST(x AS VARCHAR),
            '[\s\(\)（）\[\]【】\{\}〔〕〖〗<>《》〈〉「」『』]', '', 'g')), '')""",
    r"""CREATE MACRO norm_invoice(x) AS
        NULLIF(ltrim(regexp_replace(
            regexp_replace(upper(trim(CAST(x AS VARCHAR))),
                '^(NO\.?|№|发票号码|发票号|票据号码|票据号|票号)\s*[:：#]?', ''),
            '[^0-9A-Z]', '', 'g'), '0'), '')""",
    # norm_class: a class or category as ledgers write it, compared as a name without a leading
    # classification code (3+ digits: '30201 办公费', 'A02010104 台式计算机') and without a parent
    # class ('计算机设备-台式计算机', '商品和服务支出/办公费').
    r"""CREATE MACRO norm_class(x) AS
        norm_name(regexp_replace(regexp_replace(CAST(x AS VARCHAR),
            '^\s*[A-Za-z]?[0-9]{3,}[\s.、\-]*', ''), '^.*[-/>＞—|]', ''))""",
    # class_code: the leading classification code of a class as written ('30213 维修（护）费',
    # '30213', 'A02010104 台式计算机' → '30213' / 'A02010104'); NULL when it carries none.
    r"""CREATE MACRO class_code(x) AS
        NULLIF(upper(regexp_extract(CAST(x AS VARCHAR), '^\s*([A-Za-z]?[0-9]{3,})', 1)), '')""",
    # class_matches: THE one comparison of 经济分类 / categories (special funds' allowed classes,
    # designated classes, lookups' ref_match). By code when both sides carry one — a listed
    # parent code covers its children (302 covers 30213) — else by name (norm_class: code, parent
    # class, width, brackets and spaces dropped), one name containing the other ('印刷' and
    # '30202 印刷费'). A codes-only list therefore matches '30213 维修（护）费' and a names-only
    # list matches '30213 维修（护）费' as well.
    r"""CREATE MACRO class_matches(x, listed) AS
        coalesce(CASE WHEN class_code(x) IS NOT NULL AND class_code(listed) IS NOT NULL
                      THEN starts_with(class_code(x), class_code(listed))
                      ELSE contains(norm_class(x), norm_class(listed))
                           OR contains(norm_class(listed), norm_class(x)) END, FALSE)""",
    # norm_place: a place name without spaces and a leading province / autonomous region, so
    # '湖南省长沙市岳麓区' and '湖南长沙' begin with '长沙'.
    r"""CREATE MACRO norm_place(x) AS
        regexp_replace(lower(regexp_replace(CAST(x AS VARCHAR), '\s', '', 'g')),
            '^(中国)?(河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾)省?|^(中国)?(内蒙古|广西|西藏|宁夏|新疆)([^市]{0,4}自治区)?', '')""",
)


def field_spec(kind: str, name: str) -> FieldSpec:
    return table_kinds()[kind].fields[name]


def field_type(kind: str, name: str) -> str:
    return field_spec(kind, name).type


def field_header(kind: str, name: str) -> str:
    return field_spec(kind, name).header


def check_kind(kind: str) -> str:
    """ValueError (Chinese) unless `kind` is a table kind."""
    if kind not in table_kinds():
        raise ValueError(f"未知的表类型 \"{kind}\"（可用：{'、'.join(table_kinds())}）")
    return kind


def check_field(kind: str | None, name: str) -> str:
    """ValueError (Chinese) unless `name` is a field of `kind`."""
    if kind is None or kind not in table_kinds():
        return name  # the table error is reported on its own field
    fields = table_kinds()[kind].fields
    if name not in fields:
        raise ValueError(
            f"{table_kinds()[kind].title}（{kind}）没有字段 \"{name}\"（可用：{'、'.join(fields)}）"
        )
    return name


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column(alias: str, name: str) -> str:
    return f"{alias}.{quote_ident(name)}"


def normalised(kind: str, name: str, alias: str) -> str:
    """SQL comparing a field the way people mean it: ids as invoice numbers, text as names."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype == "id":
        return f"norm_invoice({col})"
    if ftype == "text":
        return f"norm_name({col})"
    if ftype == "list":
        return f"list_sort(list_transform({col}, lambda v: norm_name(v)))"
    return col


def is_blank(kind: str, name: str, alias: str) -> str:
    """SQL true when the field holds nothing usable (NULL, blank text, empty list)."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype in ("text", "id"):
        return f"({col} IS NULL OR trim({col}) = '')"
    if ftype == "list":
        return f"({col} IS NULL OR len({col}) = 0)"
    return f"({col} IS NULL)"


def as_text(kind: str, name: str, alias: str) -> str:
    """SQL for a field's value as display/fingerprint text ('' when NULL)."""
    ftype = field_type(kind, name)
    col = column(alias, name)
    if ftype == "date":
        return f"coalesce(strftime({col}, '%Y-%m-%d'), '')"
    if ftype == "list":
        return f"coalesce(array_to_string({col}, '、'), '')"
    return f"coalesce(CAST({col} AS VARCHAR), '')"


def identity_fields(kind: str) -> list[str]:
    """Fields that identify a row of `kind` (unique ones, else key ones, else all): a finding's
    fingerprint rests on them, never on row numbers."""
    fields = table_kinds()[kind].fields.values()
    unique = [f.name for f in fields if f.unique]
    keys = [f.name for f in fields if f.key]
    if unique and not any(f.unique_within for f in fields if f.unique):
        return unique
    # A number unique only within a period (凭证号 restarts every month) names a row only
    # together with its key fields (date, amount, payee).
    return list(dict.fromkeys([*unique, *keys])) or [f.name for f in fields]


def content_sql(kind: str, alias: str, extra_fields: list[str] = (), extra_sql: list[str] = ()) -> str:
    """SQL for a finding's fingerprint content: unit, the row's identity and the rule's fields."""
    names = list(dict.fromkeys([*identity_fields(kind), *extra_fields]))
    parts = [f"coalesce({alias}._unit, '')", *(as_text(kind, n, alias) for n in names), *extra_sql]
    return f"concat_ws('|', {', '.join(parts)})"


def row_variables(kind: str, alias: str, reserved: Iterable[str] = (), wrap: str = "{}") -> list[str]:
    """`alias.field AS field` for every field of the kind not clashing with reserved names,
    so a message can name the row's values ({guest_unit}, {contract_no}…). `wrap` applies an
    aggregate such as any_value({}) when the query groups."""
    taken = set(REQUIRED_COLUMNS) | set(reserved)
    return [
        f"{wrap.format(column(alias, f))} AS {quote_ident(f)}"
        for f in table_kinds()[kind].fields
        if f not in taken
    ]


def row_variable_names(kind: str, reserved: Iterable[str] = ()) -> set[str]:
    """The message variables `row_variables` produces."""
    taken = set(REQUIRED_COLUMNS) | set(reserved)
    return {f for f in table_kinds()[kind].fields if f not in taken}


def location_sql(alias: str) -> str:
    """SQL for one location struct (file, sheet, row) of a table alias's row."""
    return f"{{'file': {alias}._file, 'sheet': {alias}._sheet, 'row': {alias}._row}}"


def check_fields(kind: str, fields: Iterable[str], what: str = "") -> None:
    """Raise a Chinese ValueError when `kind` is not a table kind or a field is not one of it."""
    kinds = table_kinds()
    if kind not in kinds:
        raise ValueError(f"未知的表类型：{kind}（可选：{'、'.join(kinds)}）")
    unknown = [f for f in fields if f not in kinds[kind].fields]
    if unknown:
        raise ValueError(
            f"{kinds[kind].title}（{kind}）没有字段：{'、'.join(unknown)}{what}"
            f"（可选：{'、'.join(kinds[kind].fields)}）"
        )


def same_unit_sql(ref: str, row: str) -> str:
    """A reference row applies to a row when it is shared (_unit NULL) or of the same unit."""
    return f"({ref}._unit IS NULL OR {ref}._unit IS NOT DISTINCT FROM {row}._unit)"


def param_or_value(value: Any, params: Mapping[str, Any]) -> Any:
    """A field that is a number or the name of a parameter holding one."""
    if isinstance(value, str):
        if value not in params:
            raise KeyError(f"规则引用了未定义的参数：{value}")
        return params[value]
    return value


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"


def sql_literal(value: Any) -> str:
    """A Python value as a DuckDB literal (strings quoted, lists as lists, None as NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return repr(value) if not isinstance(value, Decimal) else str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (list, tuple)):
        items = ", ".join(sql_literal(v) for v in value)
        return f"[{items}]::VARCHAR[]" if all(isinstance(v, str) for v in value) else f"[{items}]"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def account_digits_sql(column: str = "account_code") -> str:
    """SQL for an account code's digits only (5001.02, 500102 and 5001-02 all give 500102), so
    chart prefixes (chart.yaml) compare however the export writes codes."""
    return f"regexp_replace(coalesce({column}, ''), '[^0-9]', '', 'g')"


def voucher_lines_sql(table: str = "journal") -> str:
    """SELECT of the journal lines with `_voucher` (unit|file|sheet|period|word|number: one
    voucher), `_first_row`, the Excel row of the voucher's first line, and `_code`, the account
    code's digits. A voucher's lines are
    contiguous in an export, so a line starts a voucher where its key differs from the line above."""
    key = ("concat_ws('|', coalesce(_unit, ''), _file, _sheet, coalesce(period, ''), coalesce(voucher_word, ''), "
           "voucher_no)")
    return f"""
        SELECT *, min(_row) OVER (PARTITION BY _voucher, _block) AS _first_row,
               {account_digits_sql()} AS _code
        FROM (
            SELECT *, sum(_starts::INTEGER) OVER (PARTITION BY _file, _sheet ORDER BY _row) AS _block
            FROM (
                SELECT *, {key} AS _voucher,
                       {key} IS DISTINCT FROM lag({key}) OVER (PARTITION BY _file, _sheet ORDER BY _row) AS _starts
                FROM {quote_ident(table)}
                WHERE voucher_no IS NOT NULL
            )
        )"""


def voucher_name_sql(alias: str) -> str:
    """SQL for how a voucher is named to a reader: 记-12 (or 12 without a word)."""
    return f"coalesce({alias}.voucher_word || '-', '') || {alias}.voucher_no"

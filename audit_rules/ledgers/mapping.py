"""The mapping file (``--mapping F``): force a sheet's kind, header row and column meanings.

```yaml
sheets:
  - file: "*付款*.xlsx"      # glob on the display name, optional
    sheet: "Sheet1"         # glob on the sheet name, optional
    kind: payments          # optional
    header_row: 3           # Excel row of the header, optional
    columns:                # header text → field; or field → [headers] to join several columns
      "对方户名": payee
      invoice_no: ["发票号", "行号"]   # one id "FP001-2" from a reference and a line number
    date_order: day_first   # how 05/04/2019 reads: day_first | month_first | year_first
    encoding: cp1252        # a CSV file's text encoding, when detection should not decide
    unit: "某某局"           # the unit of every row; or {column: "预算单位"} for a unit per row
```

The YAML is walked as nodes (not plain dicts) so every error names the file, line and key.
"""

from __future__ import annotations

import codecs
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from audit_rules.ledgers.schema import table_kinds
from audit_rules.yaml_source import YamlSourceError, compose

ENTRY_KEYS = ("file", "sheet", "kind", "header_row", "columns", "date_order", "encoding", "unit")
DATE_ORDERS = ("day_first", "month_first", "year_first")
# Parts of a composite field are joined with this (FP001 + 2 → FP001-2).
COMPOSITE_SEPARATOR = "-"


class MappingError(Exception):
    """A mapping file that cannot be used; the message is Chinese and names file, line and key."""


@dataclass(frozen=True)
class SheetMapping:
    file: str | None = None
    sheet: str | None = None
    kind: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    # field → the headers whose cells, joined with COMPOSITE_SEPARATOR, make the field's value
    composites: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_order: str | None = None
    encoding: str | None = None
    unit: str | None = None  # a constant unit for every row
    unit_column: str | None = None  # the header of a column giving each row's unit

    def applies_to(self, display: str, sheet: str) -> bool:
        if self.file is not None and not (
            fnmatch.fnmatchcase(display, self.file) or fnmatch.fnmatchcase(display.rsplit("/", 1)[-1], self.file)
        ):
            return False
        return self.sheet is None or fnmatch.fnmatchcase(sheet, self.sheet)


@dataclass(frozen=True)
class Mapping:
    path: str
    sheets: tuple[SheetMapping, ...] = ()

    def for_sheet(self, display: str, sheet: str) -> SheetMapping | None:
        """The first entry of the mapping file that applies to this file and sheet."""
        return next((m for m in self.sheets if m.applies_to(display, sheet)), None)


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"找不到映射文件：{path}") from None
    except UnicodeDecodeError:
        raise MappingError(f"映射文件 {path} 不是 UTF-8 编码的文本，请另存为 UTF-8。") from None
    try:
        root = compose(text)
    except YamlSourceError as error:
        where = f"第 {error.line} 行" if error.line else ""
        raise MappingError(f"映射文件 {path} {where}：{error.message}。") from None
    return Mapping(str(path), tuple(_parse_root(root, path)))


def _fail(path: Path, node: yaml.Node, key: str, message: str) -> MappingError:
    return MappingError(f"映射文件 {path} 第 {node.start_mark.line + 1} 行，{key}：{message}")


def _scalar(path: Path, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.value == "":
        raise _fail(path, node, key, "应为一个非空的文字值。")
    return node.value


def _parse_root(root: yaml.Node | None, path: Path) -> list[SheetMapping]:
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise MappingError(f"映射文件 {path} 第 1 行：顶层应为包含 sheets 的映射。")
    sheets: list[SheetMapping] = []
    for key_node, value_node in root.value:
        if key_node.value != "sheets":
            raise _fail(path, key_node, key_node.value, "未知的顶层键，只支持 sheets。")
        if not isinstance(value_node, yaml.SequenceNode):
            raise _fail(path, value_node, "sheets", "应为列表，每项描述一个工作表。")
        sheets.extend(_parse_entry(entry, path) for entry in value_node.value)
    return sheets


def _parse_entry(node: yaml.Node, path: Path) -> SheetMapping:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "sheets", "每项应为映射（file/sheet/kind/header_row/columns/date_order/encoding/unit）。")
    values: dict[str, object] = {}
    kinds = table_kinds()
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in ENTRY_KEYS:
            raise _fail(path, key_node, key, f"未知的键，可用的键：{'、'.join(ENTRY_KEYS)}。")
        if key in ("file", "sheet"):
            values[key] = _scalar(path, value_node, key)
        elif key == "kind":
            kind = _scalar(path, value_node, key)
            if kind not in kinds:
                raise _fail(path, value_node, key, f"未知的表类型“{kind}”，可用：{'、'.join(kinds)}。")
            values[key] = kind
        elif key == "header_row":
            text = _scalar(path, value_node, key)
            if not text.isdigit() or int(text) < 1:
                raise _fail(path, value_node, key, f"应为正整数（Excel 行号），而不是“{text}”。")
            values[key] = int(text)
        elif key == "date_order":
            order = _scalar(path, value_node, key)
            if order not in DATE_ORDERS:
                raise _fail(path, value_node, key, f"应为 {'、'.join(DATE_ORDERS)} 之一（日/月/年、月/日/年、年/月/日），"
                                                   f"而不是“{order}”。")
            values[key] = order
        elif key == "encoding":
            values[key] = _encoding(path, value_node)
        elif key == "unit":
            values.update(_unit(path, value_node))
        else:
            values["columns"], values["composites"] = _parse_columns(value_node, path)
    sheet_mapping = SheetMapping(**values)
    _check_columns_fit_kind(sheet_mapping, node, path)
    return sheet_mapping


def _encoding(path: Path, node: yaml.Node) -> str:
    name = _scalar(path, node, "encoding")
    try:
        codecs.lookup(name)
    except LookupError:
        raise _fail(path, node, "encoding", f"未知的文本编码“{name}”，可用如 utf-8、gb18030、cp1252、latin-1。") from None
    return name


def _unit(path: Path, node: yaml.Node) -> dict[str, str]:
    """unit: "某某局" (every row) or unit: {column: "预算单位"} (each row's cell)."""
    if isinstance(node, yaml.MappingNode):
        keys = [key_node.value for key_node, _ in node.value]
        if keys != ["column"]:
            raise _fail(path, node, "unit", "应为单位名称，或 {column: 列名}（按该列取每行的单位）。")
        return {"unit_column": _scalar(path, node.value[0][1], "unit.column")}
    return {"unit": _scalar(path, node, "unit")}


def _parse_columns(node: yaml.Node, path: Path) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "columns", "应为“表头: 字段名”的映射。")
    columns: dict[str, str] = {}
    composites: dict[str, tuple[str, ...]] = {}
    known_fields = {name for kind in table_kinds().values() for name in kind.fields}
    for key_node, value_node in node.value:
        key = _scalar(path, key_node, "columns")
        if isinstance(value_node, yaml.SequenceNode):
            # field: [header, header…] — one field built from several columns.
            if key not in known_fields:
                raise _fail(path, key_node, f"columns.{key}", f"组合列的键应为字段名，“{key}”不是已知字段。")
            headers = tuple(_scalar(path, item, f"columns.{key}") for item in value_node.value)
            if len(headers) < 2:
                raise _fail(path, value_node, f"columns.{key}", "组合列应列出至少两个表头。")
            composites[key] = headers
            continue
        field_name = _scalar(path, value_node, f"columns.{key}")
        if field_name not in known_fields:
            raise _fail(path, value_node, f"columns.{key}", f"未知的字段名“{field_name}”。")
        columns[key] = field_name
    return columns, composites


def _check_columns_fit_kind(sheet_mapping: SheetMapping, node: yaml.Node, path: Path) -> None:
    if sheet_mapping.kind is None:
        return
    fields = table_kinds()[sheet_mapping.kind].fields
    pairs = [*sheet_mapping.columns.items(), *((f"{name}", name) for name in sheet_mapping.composites)]
    for header, field_name in pairs:
        if field_name not in fields:
            raise _fail(
                path, node, f"columns.{header}",
                f"字段“{field_name}”不属于表类型 {sheet_mapping.kind}，可用字段：{'、'.join(fields)}。",
            )

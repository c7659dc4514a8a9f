"""Reading question files: JSONL, CSV or Excel (.xlsx) with the same fields, malformed rows reported, not fatal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from eval.cells import split_cell
from eval.columns import column_field, field_name
from eval.items import FIELDS, LIST_FIELDS, Item, item_from_record, unknown_fields

FORMATS = (".jsonl", ".csv", ".xlsx")
MAX_QUESTION_FILE_BYTES = 5_000_000  # a question set is a few hundred lines; the 评测 tab says so too
_TRUE = {"true", "1", "yes", "y", "t", "是", "对", "√"}
_FALSE = {"false", "0", "no", "n", "f", "否", "不", ""}


def read_items(path: Path) -> tuple[list[Item], list[str]]:
    """The items of a question file, and one message per malformed line or row (the rest are still read).

    Messages name the file, the line (JSONL) or row (CSV/Excel, header = row 1) and what is wrong.
    Raises OSError when the file cannot be read and ValueError for an unsupported file type.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_QUESTION_FILE_BYTES:
        raise ValueError(f"{path.name}:问题集文件过大({size / 1e6:.1f}兆字节),上限{MAX_QUESTION_FILE_BYTES / 1e6:.0f}兆字节")
    try:
        return _read(path)
    except ValueError as error:
        raise ValueError(f"{path.name}:{error}") from None


def _read(path: Path) -> tuple[list[Item], list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = _jsonl_rows(path)
    elif suffix in (".csv", ".tsv"):
        rows = _table_rows(_csv_cells(path))
    elif suffix in (".xlsx", ".xlsm"):
        rows = _table_rows(_xlsx_cells(path))
    else:
        raise ValueError(f"不支持的问题集文件类型“{suffix or '无扩展名'}”,请使用 {'、'.join(FORMATS)}")
    items: list[Item] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, number, record in rows:
        if isinstance(record, Exception):
            problems.append(f"{path.name}:{where}:{record}")
            continue
        try:
            item = item_from_record(record, number)
        except ValueError as error:
            problems.append(f"{path.name}:{where}:{error}")
            continue
        if item.id in seen:
            problems.append(f"{path.name}:{where}:编号“{item.id}”重复(首次出现在{seen[item.id]}),已跳过")
            continue
        seen[item.id] = where
        problems += [f"{path.name}:{where}:未知字段“{key}”已忽略" for key in unknown_fields(record)]
        items.append(item)
    return items, problems


def _jsonl_rows(path: Path) -> Iterator[tuple[str, int, dict | Exception]]:
    for number, raw in enumerate(_decode(path.read_bytes()).splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:
            yield f"第{number}行", number, ValueError(f"JSON 格式错误(第{error.colno}列附近)")
            continue
        except RecursionError:
            yield f"第{number}行", number, ValueError("JSON 嵌套层数过多,这一行无法读取")
            continue
        yield f"第{number}行", number, record


def _csv_cells(path: Path) -> Iterator[tuple[int, list]]:
    text = _decode(path.read_bytes())
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
        yield number, row


def _xlsx_cells(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only Excel input needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises zip, XML and its own errors
        raise ValueError(f"无法读取的 Excel 工作簿({type(error).__name__}: {error})") from None
    try:
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            yield number, list(row)
    finally:
        workbook.close()


def _table_rows(cells: Iterator[tuple[int, list]]) -> Iterator[tuple[str, int, dict | Exception]]:
    """Records of a table whose first non-empty row names the columns (JSONL field names or Chinese column names).

    Without an id column (编号 / 序号), a row's number is its id.
    """
    header: list[str] | None = None
    for number, row in cells:
        values = [_cell_text(value) for value in row]
        if not any(values):
            continue
        if header is None:
            fields = [column_field(value) for value in values]
            unknown = [value.strip() for value, field in zip(values, fields) if field is None]
            header = [field or "" for field in fields]
            if unknown:
                yield f"第{number}行(表头)", number, ValueError(f"未知的列 {'、'.join(f'“{name}”' for name in unknown)} 已忽略")
            if "q" not in header:
                yield f"第{number}行(表头)", number, ValueError("没有“问题”列:第一行应为列名(问题、类别、牵头单位……)")
            continue
        try:
            record = _record(header, values)
        except ValueError as error:
            yield f"第{number}行", number, error
            continue
        if "id" not in header:
            record["id"] = str(number)
        yield f"第{number}行", number, record


def _record(header: list[str], values: list[str]) -> dict:
    """One table row as a JSONL-style record; empty cells are absent fields."""
    record: dict = {}
    errors = []
    for name, value in zip(header, values):
        if not name or name not in FIELDS or not value.strip():
            continue
        try:
            record[name] = _field(name, value)
        except ValueError as error:
            errors.append(f"{field_name(name)}:{error}")
    if errors:
        raise ValueError(";".join(errors))
    return record


def _field(name: str, value: str):
    if name in LIST_FIELDS:
        return split_cell(value, questions=name == "history")
    if name == "doc":
        docs = split_cell(value)
        return docs[0] if len(docs) == 1 else docs
    if name == "abstain":
        flag = value.strip().lower()
        if flag not in _TRUE | _FALSE:
            raise ValueError(f"应为是或否,实为{value!r}")
        return flag in _TRUE
    if value.lstrip().startswith("[") and name in ("id", "q", "cat", "anchor"):
        raise ValueError(f"此处应为文本而非列表({value.strip()[:40]!r})")
    return value.strip()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030: CSV files saved by Excel in China are often GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("既不是 UTF-8 也不是 GBK 编码的文本")

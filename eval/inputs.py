"""Reading question files: JSONL, CSV or Excel (.xlsx) with the same fields, malformed rows reported, not fatal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from eval.cells import split_cell
from eval.items import FIELDS, LIST_FIELDS, Item, item_from_record, unknown_fields

FORMATS = (".jsonl", ".csv", ".xlsx")
_TRUE = {"true", "1", "yes", "y", "t", "是", "对", "√"}
_FALSE = {"false", "0", "no", "n", "f", "否", "不", ""}


def read_items(path: Path) -> tuple[list[Item], list[str]]:
    """The items of a question file, and one message per malformed line or row (the rest are still read).

    Messages name the file, the line (JSONL) or row (CSV/Excel, header = row 1) and what is wrong.
    Raises OSError when the file cannot be read and ValueError for an unsupported file type.
    """
    path = Path(path)
    try:
        return _read(path)
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None


def _read(path: Path) -> tuple[list[Item], list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = _jsonl_rows(path)
    elif suffix in (".csv", ".tsv"):
        rows = _table_rows(_csv_cells(path))
    elif suffix in (".xlsx", ".xlsm"):
        rows = _table_rows(_xlsx_cells(path))
    else:
        raise ValueError(f"unsupported question file type {suffix or '(none)'}; use {', '.join(FORMATS)}")
    items: list[Item] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, number, record in rows:
        if isinstance(record, Exception):
            problems.append(f"{path.name}: {where}: {record}")
            continue
        try:
            item = item_from_record(record, number)
        except ValueError as error:
            problems.append(f"{path.name}: {where}: {error}")
            continue
        if item.id in seen:
            problems.append(f"{path.name}: {where}: duplicate id {item.id!r} (first at {seen[item.id]}); skipped")
            continue
        seen[item.id] = where
        problems += [f"{path.name}: {where}: unknown field {key!r} ignored" for key in unknown_fields(record)]
        items.append(item)
    return items, problems


def _jsonl_rows(path: Path) -> Iterator[tuple[str, int, dict | Exception]]:
    for number, raw in enumerate(_decode(path.read_bytes()).splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:
            yield f"line {number}", number, ValueError(f"bad JSON: {error.msg} at column {error.colno}")
            continue
        yield f"line {number}", number, record


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
        raise ValueError(f"not a readable Excel workbook ({type(error).__name__}: {error})") from None
    try:
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            yield number, list(row)
    finally:
        workbook.close()


def _table_rows(cells: Iterator[tuple[int, list]]) -> Iterator[tuple[str, int, dict | Exception]]:
    """Records of a table whose first non-empty row names the columns (the JSONL field names)."""
    header: list[str] | None = None
    for number, row in cells:
        values = [_cell_text(value) for value in row]
        if not any(values):
            continue
        if header is None:
            header = [value.strip().lower() for value in values]
            unknown = [name for name in header if name and name not in FIELDS]
            if unknown:
                yield f"row {number} (header)", number, ValueError(f"unknown column(s) {', '.join(map(repr, unknown))} ignored")
            if "q" not in header:
                yield f"row {number} (header)", number, ValueError("no 'q' column: the first row must name the columns (id, q, cat, …)")
            continue
        try:
            yield f"row {number}", number, _record(header, values)
        except ValueError as error:
            yield f"row {number}", number, error


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
            errors.append(f"{name}: {error}")
    if errors:
        raise ValueError("; ".join(errors))
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
            raise ValueError(f"should be true or false, got {value!r}")
        return flag in _TRUE
    if value.lstrip().startswith("[") and name in ("id", "q", "cat", "anchor"):
        raise ValueError(f"a list where a string is expected ({value.strip()[:40]!r})")
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
    raise ValueError("neither UTF-8 nor GBK text")

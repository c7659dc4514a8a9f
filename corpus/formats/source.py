"""The record every format reader returns: body text with tables rendered in place, plus metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from corpus.text import simplified_chars

_SPACE = re.compile(r"\s+")
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_CAPTION_PREFIX = re.compile(r"^(附件|附表)\s*\d*\s*[:：]?\s*(\d+\s*[.．、]\s*)?")
_TABLE_NAME = re.compile(r"(表|清单|名单|目录|一览|明细|分工|台账|汇总)$")
_SENTENCE_END = re.compile(r"[。；;，,！？!?]$")
_CAPTION_MAX = 40
_HAN = re.compile(r"[\u4e00-\u9fff]")
_GENERIC_TITLE = re.compile(r"^(microsoft|untitled|document|新建|无标题|文档\d*$|标题$)", re.I)
# Metadata labels as documents write them, best first for each Source field.
_FIELD_LABELS = {
    "title": ("标题", "title", "名称", "文件名称"),
    "issuer": ("发文机关", "发布机构", "发布单位", "制定机关", "发文单位", "issuer"),
    "doc_number": ("发文字号", "文号", "doc_number"),
    "date": ("成文日期", "发布日期", "发文日期", "date"),
}


@dataclass(frozen=True)
class Table:
    """A data table: column labels, data rows (merged cells copied into every cell they span), where each row sits."""

    header: tuple[str, ...]  # column labels, whitespace inside a label removed ("序  号" -> "序号")
    rows: tuple[tuple[str, ...], ...]  # data rows, each exactly len(header) cells
    row_spans: tuple[tuple[int, int], ...]  # (start, end) offsets in Source.text of the line that renders each row
    caption: str = ""  # the table's name when the text right above it gives one, else ""


@dataclass(frozen=True)
class Source:
    """One document as read from its file: plain body text, one paragraph per line, and its metadata."""

    text: str  # the body, one paragraph per line, tables rendered in place; no markup
    title: str = ""  # from structured metadata only
    issuer: str = ""  # 发文机关 / 发布机构 / 发布单位 / 制定机关
    doc_number: str = ""  # 发文字号 / 文号
    date: str = ""  # 成文日期, else 发布日期 (as written)
    tables: tuple[Table, ...] = ()
    original: str = ""  # a text read in simplified characters: the body as written (traditional), same offsets; else ""


@dataclass(frozen=True)
class Grid:
    """A table as a reader found it, before rendering: header, then data rows or full-width group lines."""

    header: tuple[str, ...]
    items: tuple[tuple[str, ...] | str, ...]  # a data row, or a group label spanning the whole table
    above: tuple[str, ...] = ()  # lines the table carries above its header: its <caption>, rows spanning it
    caption: str = ""  # the name the table's own markup gives it (<caption>)


def one_line(text: str) -> str:
    """A cell or paragraph on one line: runs of whitespace that contain a line break become one space."""
    return _ASCII_SPACE.sub(" ", text).strip(" ")


def make_grid(cells: Sequence[Sequence[str]], caption: str = "", header_row: bool | None = None) -> Grid | None:
    """A Grid from rectangular cells (merged cells already copied), or None when it is not a data table.

    A row whose cells all hold the same text spans the table: above the header it is a title ("任务分工表"),
    below it a group label ("一、知识产权保护方面"). The first other row is the header when header_row says so,
    or (header_row None) when it is a row of short labels.
    """
    rows = [tuple(one_line(cell) for cell in row) for row in cells]
    rows = [row for row in rows if any(row)]
    width = max((len(row) for row in rows), default=0)
    rows = [row + ("",) * (width - len(row)) for row in rows]
    titles = []
    while len(rows) > 2 and len(set(rows[0])) == 1:
        titles.append(rows.pop(0)[0])
    if len(rows) < 2 or width < 2:
        return None
    if header_row is None or titles:  # the row a reader saw first was a title: look at the row below it
        header_row = _is_label_row(rows[0])
    header = tuple(_SPACE.sub("", cell) for cell in rows[0]) if header_row else ("",) * width
    body = rows[1:] if header_row else rows
    items: list[tuple[str, ...] | str] = [row[0] if len(set(row)) == 1 else row for row in body]
    if not any(isinstance(item, tuple) for item in items):
        return None
    return Grid(header, tuple(items), tuple([caption] if caption else []) + tuple(titles), caption)


def _is_label_row(row: Sequence[str]) -> bool:
    """Whether a row reads as column labels: at least two short cells, none of them a sentence or a number."""
    labels = [_SPACE.sub("", cell) for cell in row if cell.strip()]
    return len(labels) >= 2 and all(
        len(label) <= 20 and not _SENTENCE_END.search(label) and not re.fullmatch(r"[\d.,%\-~—]+", label)
        for label in labels
    )


def caption_from(line: str) -> str:
    """The table name a line right above a table gives ("附件：任务分工表" -> "任务分工表"), else ""."""
    line = simplified_chars(line)
    name = _CAPTION_PREFIX.sub("", line.strip()).strip()
    if name == line.strip() and not _TABLE_NAME.search(name):
        return ""
    if not name or len(name) > _CAPTION_MAX or _SENTENCE_END.search(name) or re.fullmatch(r"[\d\s.．、]*", name):
        return ""
    return name


def plausible_title(title: str, text: str) -> bool:
    """Whether a file's own title property names this document: Chinese words the body itself contains.

    Word and PDF title properties are often generic ("Microsoft Word - 1.doc", "文档1") or left from a template.
    """
    words = _SPACE.sub("", title)
    return len(_HAN.findall(words)) >= 4 and not _GENERIC_TITLE.search(words) and words in _SPACE.sub("", text)


CELL_SEPARATOR = " | "


def render_row(header: Sequence[str], row: Sequence[str]) -> str:
    """One self-describing line for a data row: "序号:1 | 改革举措:… | 指导部门:…" (empty cells skipped)."""
    return CELL_SEPARATOR.join(f"{label}:{cell}" if label else cell for label, cell in zip(header, row) if cell)


def row_cells(line: str) -> list[tuple[str, str]]:
    """The (label, cell) pairs of a line render_row wrote."""
    return [tuple(cell.split(":", 1)) if ":" in cell else ("", cell) for cell in line.split(CELL_SEPARATOR)]  # type: ignore[misc]


def field_label(label: str) -> str:
    """A metadata label as a key: whitespace and a trailing colon removed, simplified, lower case ("標　　題：" -> "标题")."""
    return simplified_chars(_SPACE.sub("", label)).rstrip(":：").lower()


def build_source(blocks: Iterable[str | Grid], fields: Mapping[str, str] | None = None) -> Source:
    """A Source from paragraphs and grids (each rendered in place) and labelled metadata ({"发文字号": …})."""
    lines: list[str] = []
    offset = 0
    tables: list[Table] = []

    def add(line: str) -> tuple[int, int]:
        nonlocal offset
        start = offset
        lines.append(line)
        offset += len(line) + 1
        return start, start + len(line)

    for block in blocks:
        if isinstance(block, str):
            for line in block.split("\n"):
                if line.strip():
                    add(line.strip(" \t\r\f\v"))
            continue
        for line in block.above:
            add(line)
        caption = block.caption or (caption_from(lines[-1]) if lines else "")
        if any(block.header):
            add(CELL_SEPARATOR.join(label for label in block.header if label))
        rows, spans = [], []
        for item in block.items:
            if isinstance(item, str):
                add(item)
            else:
                rows.append(item)
                spans.append(add(render_row(block.header, item)))
        tables.append(Table(block.header, tuple(rows), tuple(spans), caption))
    found = {field_label(label): one_line(value) for label, value in (fields or {}).items() if value.strip()}
    metadata = {name: next((found[k] for k in keys if k in found), "") for name, keys in _FIELD_LABELS.items()}
    return Source("\n".join(lines), tables=tuple(tables), **metadata)

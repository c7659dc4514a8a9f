"""Word .docx documents: body paragraphs and tables in document order, merged cells copied into each cell."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

from corpus.formats.source import Grid, Source, build_source, make_grid, one_line, plausible_title
from corpus.text import DocumentError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: an encrypted .docx, or an old .doc
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> Source:
    """A .docx document: paragraphs and tables as the body, the core title when it names this document."""
    try:
        import docx  # noqa: PLC0415  (only .docx documents need it)
        from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415
        from lxml.etree import XMLSyntaxError  # noqa: PLC0415
    except ImportError as error:
        raise ImportError("python-docx is needed to read .docx files: pip install python-docx") from error
    with path.open("rb") as file:
        head = file.read(8)
    if head == _OLE_MAGIC:
        if _ENCRYPTED_MARK in path.read_bytes():
            raise DocumentError("该Word文件已加密（设有打开密码），请先取消密码保护后再导入")
        raise DocumentError("该文件是旧版Word(.doc)格式而不是.docx，请在Word中另存为.docx后再导入")
    try:
        document = docx.Document(str(path))
        source = build_source(_blocks(document.element.body, document, _Numbering(document)))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, KeyError, XMLSyntaxError, ValueError) as error:
        raise DocumentError("不是有效的.docx文件（文件已损坏或不是Word文档）") from error
    title = one_line(document.core_properties.title or "")
    return replace(source, title=title) if plausible_title(title, source.text) else source


def _blocks(container, document, numbering: _Numbering):
    """Paragraph texts (with their automatic list numbers) and table Grids of a body, in document order."""
    from docx.table import Table  # noqa: PLC0415
    from docx.text.paragraph import Paragraph  # noqa: PLC0415

    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            paragraph = Paragraph(child, document)
            yield numbering.label(paragraph) + paragraph.text
        elif child.tag == f"{_W}tbl":
            yield from _table(Table(child, document))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content, document, numbering)


def _table(table) -> list[str | Grid]:
    """A Grid for a data table; the cell texts as paragraphs for a layout table (one row or one column)."""
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    first = table.rows[0]._tr if cells else None
    marked = first is not None and first.trPr is not None and first.trPr.find(f"{_W}tblHeader") is not None
    grid = make_grid(cells, header_row=True if marked else None)
    if grid is not None:
        return [grid]
    texts: list[str | Grid] = []
    for row in cells:
        for text in dict.fromkeys(row):  # a merged cell repeats in each grid column it spans: once is enough
            texts.append(text)
    return texts


class _Numbering:
    """Word's automatic list numbers ("一、", "（一）", "1.") as a reader of the document sees them."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> (format, text, start)
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {
            node.get(f"{_W}abstractNumId"): dict(_level(lvl) for lvl in node.findall(f"{_W}lvl"))
            for node in root.findall(f"{_W}abstractNum")
        }
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})

    def label(self, paragraph) -> str:
        """The number Word shows before a paragraph ("" when it has none), counting on from the previous one."""
        properties = _numbering_properties(paragraph)
        if properties is None:
            return ""
        num_id, level = properties
        levels = self.levels.get(num_id, {})
        if level not in levels or levels[level][0] in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(num_id, [0] * 10)
        counters[level] = counters[level] + 1 if counters[level] else levels[level][2]
        counters[level + 1 :] = [0] * (9 - level)

        def number(match) -> str:
            shown = int(match.group(1)) - 1
            fmt, _text, start = levels.get(shown, ("decimal", "", 1))
            return _format(counters[shown] or start, fmt)

        return re.sub(r"%(\d)", number, levels[level][1])


def _numbering_properties(paragraph) -> tuple[str, int] | None:
    """(numId, level) from the paragraph's own numbering, else its style's."""
    style = paragraph.style
    for properties in (paragraph._p.pPr, style.element.pPr if style is not None else None):
        numbering = properties.find(f"{_W}numPr") if properties is not None else None
        if numbering is not None:
            num_id, level = numbering.find(f"{_W}numId"), numbering.find(f"{_W}ilvl")
            if num_id is not None and num_id.get(f"{_W}val") not in (None, "0"):
                return num_id.get(f"{_W}val"), min(_int(level.get(f"{_W}val")) if level is not None else 0, 8)
    return None


def _level(level) -> tuple[int, tuple[str, str, int]]:
    """A <w:lvl>: its index, and its number format, text ("%1、") and first number."""

    def value(name: str) -> str | None:
        node = level.find(f"{_W}{name}")
        return node.get(f"{_W}val") if node is not None else None

    index = _int(level.get(f"{_W}ilvl"))
    return index, (value("numFmt") or "decimal", value("lvlText") or "", _int(value("start"), 1))


def _format(n: int, fmt: str) -> str:
    """A list number in a Word number format (chineseCounting 3 -> 三, decimalEnclosedCircle 3 -> ③)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting"):
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        return chr((0x41 if fmt == "upperLetter" else 0x61) + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(digit)) for digit in str(n))
    return str(n)


def _chinese(n: int) -> str:
    """一 … 九十九 (and decimal beyond)."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

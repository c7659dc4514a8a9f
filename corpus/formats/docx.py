"""Word .docx documents: body paragraphs and tables in document order, merged cells copied into each cell."""

from __future__ import annotations

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
        source = build_source(_blocks(document.element.body, document))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, KeyError, XMLSyntaxError, ValueError) as error:
        raise DocumentError("不是有效的.docx文件（文件已损坏或不是Word文档）") from error
    title = one_line(document.core_properties.title or "")
    return replace(source, title=title) if plausible_title(title, source.text) else source


def _blocks(container, document):
    """Paragraph texts and table Grids of a body (or content control) in document order."""
    from docx.table import Table  # noqa: PLC0415
    from docx.text.paragraph import Paragraph  # noqa: PLC0415

    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, document).text
        elif child.tag == f"{_W}tbl":
            yield from _table(Table(child, document))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content, document)


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

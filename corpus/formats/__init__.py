"""One reader per file format (.txt .md .html .docx .pdf), each returning the same Source record."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from corpus.formats.docx import read_docx
from corpus.formats.flattened import unflatten
from corpus.formats.html import read_html
from corpus.formats.markdown import read_markdown
from corpus.formats.pdf import read_pdf
from corpus.formats.plaintext import read_plaintext
from corpus.formats.source import Source, Table
from corpus.text import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_CHARS, DocumentError, reads_traditional, simplified_aligned

READERS: dict[str, Callable[[Path], Source]] = {
    ".txt": read_plaintext,
    ".text": read_plaintext,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
}
SUPPORTED_SUFFIXES = frozenset(READERS)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def check_file(path: Path) -> None:
    """Refuse, before reading it, a file of no supported format, missing, empty or too large (DocumentError)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        supported = "、".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"不支持的文件格式“{suffix or '无扩展名'}”，可导入的格式：{supported}")
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise DocumentError("找不到该文件") from error
    except OSError as error:
        raise DocumentError(f"无法读取文件：{error.strerror or error}") from error
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"文件过大（{size}字节），超过上限{MAX_DOCUMENT_BYTES}字节")
    if size == 0:
        raise DocumentError("文件是空的（0字节）")


def read_source(path: Path) -> Source:
    """Read a document of any supported format; every problem with the file is a DocumentError in Chinese."""
    path = Path(path)
    suffix = path.suffix.lower()
    check_file(path)
    reader = READERS[suffix]
    try:
        source = reader(path)
    except (DocumentError, ImportError):
        raise
    except OSError as error:
        raise DocumentError(f"无法读取文件：{error.strerror or error}") from error
    except Exception as error:  # a malformed file may break a parser anywhere: report it as unreadable
        raise DocumentError(f"无法解析该{suffix}文件，文件可能已损坏（{type(error).__name__}）") from error
    if len(source.text) > MAX_DOCUMENT_CHARS:
        raise DocumentError(f"文件正文过长（{len(source.text)}字），超过上限{MAX_DOCUMENT_CHARS}字")
    source = unflatten(_simplified(source))
    if not _HAN.search(source.text):
        raise DocumentError("文件中没有中文正文，不是可导入的中文政策文件")
    return source


def _simplified(source: Source) -> Source:
    """A document in traditional characters read in simplified ones, its written text kept (at the same offsets)."""
    if not reads_traditional(source.text):
        return source
    tables = tuple(
        replace(table, header=tuple(map(simplified_aligned, table.header)), caption=simplified_aligned(table.caption),
                rows=tuple(tuple(map(simplified_aligned, row)) for row in table.rows))
        for table in source.tables
    )  # fmt: skip
    return replace(
        source, text=simplified_aligned(source.text), title=simplified_aligned(source.title),
        issuer=simplified_aligned(source.issuer), doc_number=simplified_aligned(source.doc_number),
        date=simplified_aligned(source.date), tables=tables, original=source.text,
    )  # fmt: skip


__all__ = ["READERS", "SUPPORTED_SUFFIXES", "DocumentError", "Source", "Table", "check_file", "read_source"]

"""PDF documents: the text layer page by page, without page numbers and running headers, broken lines rejoined."""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

from corpus.formats.source import Source, build_source, one_line, plausible_title
from corpus.text import DocumentError

_PAGE_NUMBER = re.compile(
    r"^[-—–－_~·\s]*(?:第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})[-—–－_~·\s]*$"
)
_SENTENCE_END = "。；：！？;:!?"
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[）)]|\d+[.．、](?!\d)|第[一二三四五六七八九十百零\d]+[条章节]|附件|附表)"
)
_EDGE_LINES = 2  # page numbers, headers and footers sit in the first or last lines of a page
_REPEATED_SHARE = 0.6  # a header/footer repeats on this share of pages
_FULL_LINE = 0.85  # a line this close to the longest line width was broken by the page, not by the author
_HAN = re.compile(r"[\u4e00-\u9fff]")
_OCR_HINT = "该PDF没有可提取的文字层（可能是扫描件），请先做文字识别(OCR)后再导入"


def read_pdf(path: Path) -> Source:
    """A .pdf document: its text layer as paragraphs; encrypted and image-only files are refused."""
    try:
        from pypdf import PdfReader  # noqa: PLC0415  (only PDF documents need it)
        from pypdf.errors import DependencyError, PdfReadError  # noqa: PLC0415
    except ImportError as error:
        raise ImportError("pypdf is needed to read PDF files: pip install pypdf") from error
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported once, as a DocumentError
    with path.open("rb") as file:
        if b"%PDF" not in file.read(1024):
            raise DocumentError("不是有效的PDF文件（缺少PDF文件头，文件已损坏或格式不符）")
    try:
        reader = PdfReader(path)
        locked = reader.is_encrypted and not _decrypt(reader, DependencyError)
        pages = [] if locked else [page.extract_text() or "" for page in reader.pages]
        title = "" if locked else one_line(str((reader.metadata or {}).get("/Title") or ""))
    except (PdfReadError, ValueError, zlib.error) as error:
        raise DocumentError("PDF文件已损坏，无法读取其内容") from error
    if locked:
        raise DocumentError("该PDF文件已加密（设有打开密码），请先取消密码保护后再导入")
    if not any(_HAN.search(page) for page in pages):
        raise DocumentError(_OCR_HINT)
    source = build_source(["\n".join(join_broken_lines(drop_page_furniture(pages)))])
    return replace(source, title=title) if plausible_title(title, source.text) else source


def _decrypt(reader, dependency_error: type[Exception]) -> bool:
    """Open a PDF encrypted with an empty user password (permissions only); False when a password is needed."""
    try:
        return bool(reader.decrypt(""))
    except (dependency_error, NotImplementedError):
        return False


def drop_page_furniture(pages: list[str]) -> list[str]:
    """All pages' lines without page numbers ("- 3 -", "第3页", "3/12") and headers or footers most pages repeat."""
    page_lines = [[line.strip() for line in page.split("\n") if line.strip()] for page in pages]
    edges = Counter(
        key for lines in page_lines for key in {_shape(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]}
    )
    repeated = {key for key, count in edges.items() if len(pages) >= 3 and count >= _REPEATED_SHARE * len(pages)}
    kept = []
    for lines in page_lines:
        for index, line in enumerate(lines):
            at_edge = index < _EDGE_LINES or index >= len(lines) - _EDGE_LINES
            if at_edge and (_PAGE_NUMBER.match(line) or _shape(line) in repeated):
                continue
            kept.append(line)
    return kept


def join_broken_lines(lines: list[str]) -> list[str]:
    """Rejoin lines the page width broke: a full-width line not ending a sentence (or before "（…"), unless a
    numbered heading follows."""
    widths = sorted(_width(line) for line in lines)
    full = widths[int(len(widths) * 0.9)] * _FULL_LINE if widths else 0
    joined: list[str] = []
    last = ""  # the previous line as the page printed it
    for line in lines:
        continues = last.rstrip("”’」』\"'")[-1:] not in _SENTENCE_END or line[0] in "（("
        if last and _width(last) >= full and continues and not _NUMBERED.match(line):
            space = " " if last[-1].isascii() and last[-1].isalnum() and line[0].isascii() else ""
            joined[-1] += space + line
        else:
            joined.append(line)
        last = line
    return joined


def _shape(line: str) -> str:
    """A line with its digits masked, so "第3页" and "第4页" headers compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)

"""Web pages: the gov.cn info table and meta tags as metadata, the content block as text, data tables as Tables."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.formats.plaintext import decode
from corpus.formats.source import Grid, Source, build_source, make_grid, one_line
from corpus.text import simplified_chars

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "form", "input", "select", "button",
    "textarea", "iframe", "object", "embed", "svg", "canvas",
)  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "tbody", "thead", "tfoot", "section", "article", "main", "aside", "blockquote", "pre", "hr", "center",
    "address", "figure", "figcaption", "caption",
}  # fmt: skip
_INFO_LABELS = {"索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "主题词", "发布机构", "文号"}
_INFO_LABEL = re.compile(r"^(.{2,6})[:：]$")
_NOISE = re.compile(
    r"(^|[\s_-])(nav|menu|breadcrumb|crumb|share|comment|related|footer|header|sidebar|search|toolbar)", re.I
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CONTENT_BLOCKS = (
    {"id": "UCAP-CONTENT"},
    {"class_": "TRS_Editor"},
    {"class_": "TRS_UEDITOR"},
    {"class_": "pages_content"},
    {"id": "zoom"},
    {"class_": "zoom"},
    {"class_": "article"},
    {"class_": "content"},
    {"id": "content"},
)
_META_FIELDS = {"articletitle": "title", "pubdate": "date", "firstpublishedtime": "date"}
_KNOWN_BLOCK_SHARE = 0.4  # a known content block must hold this share of the page's Chinese text
_MAIN_SHARE = 0.6  # otherwise: the smallest element holding this share
_NOISE_SHARE = 0.5  # a block named like navigation is dropped unless it holds this share
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])[ \t]*\n\s*(?=[\u3000-\u303f\u4e00-\u9fff])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MAX_SPAN = 200


def read_html(path: Path) -> Source:
    """An .html document: metadata from its info table and meta tags, text and tables of its content block."""
    return parse_html(decode(path.read_bytes()))


def parse_html(markup: str) -> Source:
    """Parse an HTML page or fragment into a Source; markup never reaches the text."""
    try:
        from bs4 import BeautifulSoup, Comment  # noqa: PLC0415  (only HTML documents need it)
    except ImportError as error:
        raise ImportError("beautifulsoup4 and lxml are needed to read HTML: pip install beautifulsoup4 lxml") from error
    soup = BeautifulSoup(markup, "lxml")
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    fields = _meta_fields(soup)
    page_title = _title_text(soup.title.get_text(" ", strip=True)) if soup.title is not None else ""
    _remove(soup.find_all(_DROP_TAGS) + soup.find_all(_is_hidden) + soup.find_all("head"))
    for table in soup.find_all("table"):
        if not table.decomposed and table.find("table") is None and _is_info_table(table):
            fields.update(_info_fields(table))
            table.decompose()
    counts = _han_counts(soup)
    total = counts.get(id(soup), 0)
    _remove([tag for tag in soup.find_all(_is_noise) if counts.get(id(tag), 0) < _NOISE_SHARE * total])
    counts = _han_counts(soup)
    block = _content_block(soup, counts)
    if not fields.get("title"):  # weaker than ArticleTitle and the info table's 标题, which outranks "title"
        heading = soup.find("h1")
        fields["title"] = heading.get_text(" ", strip=True) if heading is not None else page_title
    builder = _Builder()
    builder.walk(block)
    return build_source(builder.finish(), fields)


def _meta_fields(soup) -> dict[str, str]:
    """Title and date from <meta name="ArticleTitle"/"PubDate"> tags."""
    fields: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        name = _META_FIELDS.get(str(meta.get("name") or "").strip().lower(), "")
        if name and not fields.get(name):
            fields[name] = str(meta.get("content") or "").strip()
    return fields


def _title_text(text: str) -> str:
    """A page title without its site name ("关于…的通知_政府信息公开 - 中国政府网" -> "关于…的通知")."""
    return re.split(r"\s+[-|｜—–]+\s+|_|｜", text)[0].strip()


def _is_hidden(tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN.search(str(tag.get("style") or "")))


def _is_noise(tag) -> bool:
    names = " ".join([str(tag.get("id") or ""), *(tag.get("class") or [])])
    return tag.name not in ("body", "html") and bool(_NOISE.search(names))


def _remove(tags) -> None:
    for tag in tags:
        if not tag.decomposed:
            tag.decompose()


def _is_info_table(table) -> bool:
    """A gov.cn info box: label cells (索引号：, 发文机关：…), each followed by its value, and nothing else."""
    labels = 0
    for row in table.find_all("tr"):
        previous_label = False
        for cell in row.find_all(["td", "th"]):
            text = re.sub(r"\s", "", cell.get_text())
            label = _info_label(text)
            if label:
                labels += 1
            elif text and not previous_label:
                return False
            previous_label = bool(label)
    return labels > 0


def _info_label(text: str) -> str:
    label = simplified_chars(match.group(1)) if (match := _INFO_LABEL.match(text)) else ""
    return label if label in _INFO_LABELS else ""


def _info_fields(table) -> dict[str, str]:
    fields = {}
    for row in table.find_all("tr"):
        cells = row.find_all(["td", "th"])
        for cell, value in zip(cells, cells[1:]):
            label = _info_label(re.sub(r"\s", "", cell.get_text()))
            if label:
                fields[label] = value.get_text(" ", strip=True)
    return fields


def _han_counts(soup) -> dict[int, int]:
    """Chinese characters under each element, by id(element)."""
    counts: dict[int, int] = {}
    for node in soup.find_all(string=True):
        han = len(_HAN.findall(node))
        if han:
            for parent in node.parents:
                counts[id(parent)] = counts.get(id(parent), 0) + han
    return counts


def _content_block(soup, counts: dict[int, int]):
    """The element holding the document: a known content id/class, else the smallest holding most Chinese text."""
    total = counts.get(id(soup), 0)
    for selector in _CONTENT_BLOCKS:
        found = max(soup.find_all(True, **selector), key=lambda tag: counts.get(id(tag), 0), default=None)
        if found is not None and counts.get(id(found), 0) >= _KNOWN_BLOCK_SHARE * total > 0:
            return found
    block = soup.body or soup
    while True:
        children = block.find_all(True, recursive=False)
        child = next((c for c in children if counts.get(id(c), 0) >= _MAIN_SHARE * total), None)
        if child is None or child.name in ("p", "table", "tr", "td", "li", "span"):
            return block
        block = child


class _Builder:
    """Collects a block element's text as lines and its data tables as Grids, in document order."""

    def __init__(self) -> None:
        self.blocks: list[str | Grid] = []
        self.line: list[str] = []

    def walk(self, node) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                self.line.append(str(child))
            elif name == "table" and (grid := _grid(child)) is not None:
                self.newline()
                self.blocks.append(grid)
            elif name in _BLOCK_TAGS:
                self.newline()
                self.walk(child)
                self.newline()
            else:
                self.walk(child)

    def newline(self) -> None:
        text = one_line(_CJK_BREAK.sub("", "".join(self.line)))
        if text.strip():
            self.blocks.append(text)
        self.line = []

    def finish(self) -> list[str | Grid]:
        self.newline()
        return self.blocks


def _cell_text(cell) -> str:
    builder = _Builder()
    builder.walk(cell)
    return " ".join(block for block in builder.finish() if isinstance(block, str))


def _grid(table) -> Grid | None:
    """A data table (no table inside, ≥2 rows × ≥2 columns) with row/column spans copied into each cell."""
    if table.find("table") is not None or str(table.get("role") or "") == "presentation":
        return None
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    filled: dict[tuple[int, int], str] = {}
    first_is_th = False
    for r, row in enumerate(rows):
        c = 0
        cells = row.find_all(["td", "th"], recursive=False)
        if r == 0:
            first_is_th = bool(cells) and all(cell.name == "th" for cell in cells)
        for cell in cells:
            while (r, c) in filled:
                c += 1
            text = _cell_text(cell)
            rowspan = min(_span(cell.get("rowspan")), len(rows) - r)
            colspan = _span(cell.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    filled[(r + dr, c + dc)] = text
            c += colspan
    width = max((c for _, c in filled), default=-1) + 1
    cells = [[filled.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    caption = table.find("caption")
    return make_grid(cells, caption.get_text(" ", strip=True) if caption else "", True if first_is_th else None)


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), _MAX_SPAN))
    except (TypeError, ValueError):
        return 1


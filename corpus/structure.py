"""The heading hierarchy of a document body (一、 > (一) > 1. > (1), 第X章/第X条, 附件/附表) as clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.cleaning import Line
from corpus.text import nfkc

PREAMBLE_LABEL = "引言"

_CN = "一二三四五六七八九十百零〇两"
# After a decimal heading number comes its title, not a measure or a date (万人, 月30日).
_TITLE_WORD_NEXT = r"(?=\s*(?![万亿元倍个项月日号年])[\u4e00-\u9fff])"
# Numbering styles, each a family; a family's level is the order in which it first appears.
_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("annex", re.compile(r"^附[件表录]\s*\d*\s*(?=[::]|$)")),
    ("chapter", re.compile(rf"^第[{_CN}\d]+[编章节](?=\s|$|[^\u4e00-\u9fff]|[\u4e00-\u9fff])")),
    ("article", re.compile(rf"^第[{_CN}\d]+条(?=\s|[\u4e00-\u9fff]|$)")),
    ("cn", re.compile(rf"^[{_CN}]+\s*[、.．](?!\d)")),
    ("paren_cn", re.compile(rf"^[((]\s*[{_CN}]+\s*[))]")),
    # "2.1组织体系" / "2.1.1 区级指挥部" (contingency plans); not "2.11月30日前", "1.5万人"
    ("decimal3", re.compile(rf"^\d{{1,2}}[.．]\d{{1,2}}[.．]\d{{1,2}}{_TITLE_WORD_NEXT}")),
    ("decimal2", re.compile(rf"^\d{{1,2}}[.．]\d{{1,2}}{_TITLE_WORD_NEXT}")),
    ("arabic", re.compile(r"^\d{1,3}\s*(?:[.．](?!\d(?!\d?\s*月))|、)")),  # "2.11月30日前," is item 2
    ("paren_arabic", re.compile(r"^[((]\s*\d{1,3}\s*[))]")),
    ("circled", re.compile(r"^[①-⑳]")),
)
_STYLES_BY_NAME = dict(_STYLES)
_TITLE_END = re.compile(r"[。::;]")
_PROSE_END = ("。", ":", ";")


@dataclass(frozen=True)
class Section:
    """A clause before fact extraction: its heading path, its own lines, and its ancestors' own text."""

    path: tuple[str, ...]
    lines: tuple[Line, ...]
    context: str  # the own text of its ancestors (for a target whose year is stated above it)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class _Node:
    style: str
    heading: str
    lines: list[Line] = field(default_factory=list)
    children: list["_Node"] = field(default_factory=list)
    parent: "_Node | None" = None

    def own_body(self) -> bool:
        """True when the node says more than its heading: body lines, or text after the heading's title."""
        rest = self.lines[0].norm[len(nfkc(self.heading)) :]
        return len(self.lines) > 1 or rest.strip(" 。::;,") != ""


def heading_style(norm: str) -> str | None:
    """The numbering family of a heading line, or None for a body line."""
    for style, pattern in _STYLES:
        if pattern.match(norm):
            return style
    return None


def is_article(heading: str) -> bool:
    """Whether a clause's heading is an article's bare number ("第八十八条"): it has no title of its own."""
    return heading_style(nfkc(heading.strip())) == "article"


def without_number(norm: str) -> str:
    """A heading line without its numbering ("(一)加强组织领导" → "加强组织领导")."""
    style = heading_style(norm)
    return norm[_STYLES_BY_NAME[style].match(norm).end() :].lstrip(" 、.．") if style else norm


def parse_sections(lines: tuple[Line, ...]) -> tuple[Section, ...]:
    """Group body lines under their headings and return one Section per clause, in document order."""
    root = _Node("root", "")
    stack: list[_Node] = [root]
    preamble: list[Line] = []
    listed = False  # within the lines a preamble sentence introduces ("现将调整后的名单通知如下:" then the names)
    for line in lines:
        norm = line.norm
        style = heading_style(norm)
        if style is None:
            if len(stack) == 1:
                if (norm.endswith(_PROSE_END) and len(norm) >= 8) or listed:
                    preamble.append(line)
                    listed = norm.endswith(":") or (listed and not norm.endswith(_PROSE_END))
            else:
                stack[-1].lines.append(line)
            continue
        if style == "annex" and stack[-1].style == "annex" and len(stack[-1].lines) == 1:
            stack[-1].lines.append(line)  # "附件:名单" then a bare "附件" line: the same heading, repeated
            continue
        styles = [node.style for node in stack]
        if style == "annex":
            del stack[1:]
        elif style in styles:
            del stack[styles.index(style) :]
        node = _Node(style, _heading_title(line.text, style), [line], parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)

    sections: list[Section] = []
    if preamble:
        sections.append(Section((PREAMBLE_LABEL,), tuple(preamble), ""))
    _collect(root, (), "", sections)
    return tuple(sections)


def _collect(node: _Node, path: tuple[str, ...], context: str, out: list[Section]) -> None:
    for child in node.children:
        child_path = path + (child.heading,)
        if not child.children or child.own_body():
            out.append(Section(child_path, tuple(child.lines), context))
        own = "\n".join(line.text for line in child.lines)
        _collect(child, child_path, f"{context}\n{own}".strip(), out)


def _heading_title(text: str, style: str) -> str:
    """The heading as a path element: its number and title, up to the first 。 or : when one comes early.

    Articles (第X条) have no titles: they are cited by number.
    """
    if style == "article":
        return text[: _STYLES_BY_NAME["article"].match(nfkc(text)).end()].strip()
    match = _TITLE_END.search(text)
    if match and match.start() <= 40:
        return text[: match.start()].strip()
    return text if len(text) <= 40 else text[:40].rstrip() + "…"

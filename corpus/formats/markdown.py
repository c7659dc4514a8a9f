"""Markdown documents: front matter and header blocks as metadata, markup stripped, pipe tables as Tables."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.formats.plaintext import decode
from corpus.formats.source import Grid, Source, build_source, field_label, make_grid

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_INFO_END = re.compile(r"^\s*<!--\s*INFO END\s*-->\s*$", re.M)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^\s*([^:：#\s][^:：]{0,20}?)\s*[:：]\s*(.*?)\s*$")
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}(([-*_])(\s*\2){2,}|```.*|~~~.*)\s*$")  # a rule or a code fence line
_BULLET = re.compile(r"^\s{0,3}[-+*]\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"<br\s*/?>", re.I), " "),
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*"), r"\1"),  # emphasis
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # escapes
)


def read_markdown(path: Path) -> Source:
    """A .md document: metadata from front matter or a header block, the body without markup."""
    return parse_markdown(decode(path.read_bytes()))


def parse_markdown(text: str) -> Source:
    """Parse Markdown text into a Source (front matter and header block never reach the body)."""
    fields: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        fields.update(_front_matter(front.group(1)))
        text = text[front.end() :]
    info_end = _INFO_END.search(text)
    if info_end:
        for label, value in _header_block(text[: info_end.start()]).items():
            fields.setdefault(label, value)
        text = text[info_end.end() :]
    lines = _COMMENT.sub("", text).split("\n")
    title = next((v for k, v in fields.items() if v and field_label(k) in ("标题", "title")), "")
    blocks: list[str | Grid] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _starts_table(lines, index):
            end = index + 2
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            cells = [_cells(row) for row in [lines[index], *lines[index + 2 : end]]]
            grid = make_grid(cells, header_row=True)
            blocks.extend([grid] if grid else ["\n".join(_inline(row) for row in lines[index:end])])
            index = end
            continue
        index += 1
        heading = _HEADING.match(line)
        if heading:
            words = _inline(heading.group(2))
            if heading.group(1) == "#" and not _has_body(blocks):
                if not title:
                    title = fields["title"] = words
                if _squeeze(words) == _squeeze(title):
                    continue
            blocks.append(words)
        elif line.lstrip().startswith(">") or _RULE.match(line):
            continue
        else:
            blocks.append(_inline(_BULLET.sub("", line)))
    return build_source(blocks, fields)


def _front_matter(block: str) -> dict[str, str]:
    """`key: value` lines of YAML front matter (quotes removed); nested or list values are ignored."""
    fields = {}
    for line in block.split("\n"):
        match = _FIELD.match(line)
        if match and not line.startswith((" ", "\t", "-")):
            fields[match.group(1)] = match.group(2).strip().strip("\"'")
    return fields


def _header_block(block: str) -> dict[str, str]:
    """A header block before <!-- INFO END -->: its "# title" line and the latest date on a date line."""
    fields = {}
    for line in block.split("\n"):
        heading = _HEADING.match(line)
        if heading and "title" not in fields:
            fields["title"] = _inline(heading.group(2))
            continue
        date = _DATE.match(line.strip())
        if date:
            fields["date"] = date.group(0)
    return fields


def _has_body(blocks: list[str | Grid]) -> bool:
    return any(not isinstance(block, str) or block.strip() for block in blocks)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _starts_table(lines: list[str], index: int) -> bool:
    return (
        index + 1 < len(lines)
        and "|" in lines[index]
        and "|" in lines[index + 1]
        and bool(_TABLE_SEPARATOR.match(lines[index + 1]))
    )


def _cells(row: str) -> list[str]:
    """The cells of a pipe-table row (escaped pipes kept inside a cell), markup stripped."""
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [_inline(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", row)]


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()

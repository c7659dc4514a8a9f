"""Task tables flattened to one cell per line (text copied out of a web page or PDF) rebuilt as Tables.

Shape recognised: a header of short labels starting with 序号 and naming a role column (责任单位 …), then rows
that each start with their number on a line of its own (1, 2, 3 …). A row with fewer cells than columns had
merged cells: its unit list fills the role column, its other cells the last text columns, and whatever is
missing is carried down from the row above. A short line closing a row just before the next number is a group
label spanning the table ("推进实施“光伏+”示范工程").
"""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.formats.source import Grid, Source, build_source, caption_from
from corpus.roles import label_role

_NUMBER_HEADINGS = ("序号", "编号")
_LABEL = re.compile(r"[\u4e00-\u9fff()（）A-Za-z/]{1,8}")
_ROW_NUMBER = re.compile(r"\d{1,3}")
_TABLE_END = re.compile(r"^(附件|附表)|^[一二三四五六七八九十]+、")
_UNIT_END = re.compile(
    r"(局|委|办|厅|部|院|会|室|中心|政府|单位|部门|公司|集团|站|所|处|队|小组|委员会|机构|机关|海关|署|社|企业|办事处|街道|街镇|镇|乡|专班)$"
)
_ALIAS = re.compile(r"[(（][^()（）]{1,12}[)）]$")  # "区委组织部（区公务员局）", "各街镇（园区）": the name before it
_GROUP_CHARS = 24
UNIT_SHARE = 2 / 3
_OTHER_NAME_CHARS = 8  # a name without a unit's ending is short and states no figure


def unflatten(source: Source) -> Source:
    """The source with flattened task tables rebuilt as Tables (unchanged when it has tables or none is found)."""
    if source.tables:
        return source
    lines = [line.strip() for line in source.text.split("\n") if line.strip()]
    blocks: list[str | Grid] = []
    found = False
    position = 0
    while position < len(lines):
        header = _header(lines, position)
        if header:
            grid, end = _grid(lines, position + len(header), header)
            if grid is not None:
                captions = [caption_from(line) for line in blocks[-3:] if isinstance(line, str)]
                blocks.append(replace(grid, caption=next((c for c in reversed(captions) if c), "")))
                position, found = end, True
                continue
        blocks.append(lines[position])
        position += 1
    if not found:
        return source
    rebuilt = build_source(blocks)
    # The rebuilt text no longer stands where the written one did: a traditional one is then quoted as read.
    return replace(source, text=rebuilt.text, tables=rebuilt.tables, original="")


def _header(lines: list[str], position: int) -> tuple[str, ...]:
    """The labels of a flattened header starting here (序号 first, a role column among them), else ()."""
    if lines[position] not in _NUMBER_HEADINGS:
        return ()
    labels = [lines[position]]
    for line in lines[position + 1 : position + 8]:
        if _ROW_NUMBER.fullmatch(line) or not _LABEL.fullmatch(line):
            break
        labels.append(line)
    if len(labels) < 3 or not any(label_role(label) for label in labels):
        return ()
    return tuple(labels)


def _grid(lines: list[str], start: int, header: tuple[str, ...]) -> tuple[Grid | None, int]:
    """The rows after a header, as a Grid, and the line where the table ends."""
    items: list[tuple[str, ...] | str] = []
    position, expected, previous = start, 1, ("",) * len(header)
    while position < len(lines) and lines[position] != str(expected):  # group labels before the first row
        if _TABLE_END.match(lines[position]) or position - start > 3:
            return None, start
        items.append(lines[position])
        position += 1
    while position < len(lines) and lines[position] == str(expected):
        end = position + 1
        while end < len(lines) and lines[end] != str(expected + 1) and not _TABLE_END.match(lines[end]):
            end += 1
        cells, group = _split_group(lines[position + 1 : end], lines, end, expected + 1, header)
        previous = _row(header, str(expected), cells, previous)
        items.append(previous)
        if group:
            items.append(group)
        position, expected = end, expected + 1
    if expected <= 2:
        return None, start
    return Grid(header, tuple(items)), position


def _split_group(cells: list[str], lines: list[str], end: int, following: int, header: tuple[str, ...]) -> tuple[list[str], str]:
    """A row's cells, and the group label that closes it (a short line just before the next row's number)."""
    texts = sum(1 for label in header[1:] if not label_role(label))
    others = [cell for cell in cells if not _unit_list(cell)]
    closing = cells[-1] if cells else ""
    next_is_row = end < len(lines) and lines[end] == str(following)
    if next_is_row and len(others) > texts and len(closing) <= _GROUP_CHARS and not _unit_list(closing):
        return cells[:-1], closing
    return cells, ""


def _row(header: tuple[str, ...], number: str, cells: list[str], previous: tuple[str, ...]) -> tuple[str, ...]:
    """One row in header order: unit lists to the role columns, other cells to the last text columns, the rest
    carried down from the row above (merged cells)."""
    role_columns = [i for i, label in enumerate(header) if i and label_role(label)]
    text_columns = [i for i, label in enumerate(header) if i and not label_role(label)]
    units = [cell for cell in cells if _unit_list(cell)]
    others = [cell for cell in cells if not _unit_list(cell)]
    row = list(previous)
    row[0] = number
    for column, cell in zip(role_columns, _fit(units, len(role_columns))):
        row[column] = cell
    fitted = _fit(others, len(text_columns))
    for column, cell in zip(text_columns[len(text_columns) - len(fitted) :], fitted):
        row[column] = cell
    return tuple(row)


def _fit(cells: list[str], columns: int) -> list[str]:
    """At most `columns` cells: extra cells join the last one."""
    if columns == 0:
        return []
    if len(cells) <= columns:
        return cells
    return cells[: columns - 1] + [" ".join(cells[columns - 1 :])]


def _unit_list(cell: str) -> bool:
    """Whether a cell lists units ("久事集团、市道路运输局、各区政府"): short parts, at least UNIT_SHARE of them
    ending like a unit's name; the others short names with no figure ("区“两旧”专班" does not make it a task)."""
    parts = [part.strip() for part in re.split(r"[、,，;；]", cell) if part.strip()]
    if not parts or len(cell) > 80 or any(len(part) > 20 for part in parts):
        return False
    others = [part for part in parts if not _UNIT_END.search(_ALIAS.sub("", part))]
    short_names = all(len(part) <= _OTHER_NAME_CHARS and not re.search(r"\d", part) for part in others)
    return short_names and len(parts) - len(others) >= UNIT_SHARE * len(parts)

"""List cells of CSV/Excel question files: a JSON array, one entry a line, or entries separated by 、.

Splitting on 、 keeps a unit such as "各县、市、区人民政府" whole (bare administrative divisions are joined
to the next fragment, the rule corpus/units.py applies to documents) and never splits inside brackets
("各县(市、区)政府"). History cells hold questions, which may contain 、 themselves: they are split after
each question mark when there is one. A JSON array (`["a","b"]`) is always read as written.
"""

from __future__ import annotations

import json
import re

from corpus.units import _DIVISION_ONLY

_OPEN, _CLOSE = "((【[《", "))】]》"
_QUESTION_END = re.compile(r"(?<=[??])")


def split_cell(cell: str, questions: bool = False) -> list[str]:
    """The entries of a list cell; raises ValueError for a malformed JSON array.

    Args:
        questions: the cell holds questions (history): split after ? / ? before falling back to 、.
    """
    text = cell.strip()
    if not text:
        return []
    if text.startswith("["):
        return _json_array(text)
    if "\n" in text:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if questions and re.search(r"[??]", text):
        return [part.strip(" 、,,;;") for part in _QUESTION_END.split(text) if part.strip(" 、,,;;")]
    return join_divisions(_split_outside_brackets(text))


def join_divisions(fragments: list[str]) -> list[str]:
    """Re-join fragments that are bare divisions ("各县", "市") to the fragment that follows them."""
    units, pending = [], []
    for fragment in fragments:
        pending.append(fragment)
        if not _DIVISION_ONLY.match(fragment):
            units.append("、".join(pending))
            pending = []
    if pending:
        units.append("、".join(pending))
    return [unit for unit in units if unit]


def _split_outside_brackets(text: str) -> list[str]:
    fragments, depth, current = [], 0, []
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char == "、" and depth == 0:
            fragments.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fragments.append("".join(current).strip())
    return [fragment for fragment in fragments if fragment]


def _json_array(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValueError(f"JSON 数组格式错误 {_clip(text)}") from None
    if not isinstance(value, list):
        raise ValueError(f"应为 JSON 数组,实为 {_clip(text)}")
    bad = [part for part in value if isinstance(part, bool) or not isinstance(part, (str, int, float))]
    if bad:
        raise ValueError(f"JSON 数组应只含文本,实有 {bad[0]!r}")
    return [str(part).strip() for part in value if str(part).strip()]


def _clip(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")

"""Extracting the lead (牵头), cooperating (配合) and responsible (负责) units a clause names.

Handles the family of ways Chinese policy documents assign tasks:
- a paragraph "由A牵头,B、C配合。" / "由A、B负责落实。" / "由A牵头,B负责落实。"
- a labelled parenthetical or line "(牵头单位:A,配合单位:B,C)", 责任单位 / 牵头部门 / 主办 / 协办 labels,
  "责任单位:A(牵头)、B"
- "(A、B等部门按职责分工负责)"
- prose at a sentence start: "A会同B负责…", "A牵头,B配合…", "A负责…"
Units are quoted as the document writes them; "各县、市、区人民政府" and "各县(市、区)政府" stay one unit.
"""

from __future__ import annotations

import re

from corpus.records import Units
from corpus.text import Normalized, normalize

_LEAD_LABELS = r"牵头单位|牵头部门|牵头领导|主办单位|主办部门|主责单位|主责部门|主办"
_COOP_LABELS = r"配合单位|配合部门|协办单位|协办部门|参与单位|参与部门|协办|配合"
_RESP_LABELS = r"责任单位|责任部门|实施单位|实施部门|承办单位|责任主体"
_ANY_LABEL = re.compile(r"(?<=[;,\s])\s*[\u4e00-\u9fff]{2,6}\s*:")
_LABEL = re.compile(rf"({_LEAD_LABELS}|{_COOP_LABELS}|{_RESP_LABELS})\s*[::]")
# Role words that close a unit list in a "由…" sentence or a parenthetical.
_MARKER = re.compile(
    r"(?:(?:分别|共同|负责)?牵头(?:负责)?|配合|参与|协助|协同|协办|"
    r"(?:按职责分工|按照职责分工|按各自职责|分工)?(?:具体)?负责(?:落实|实施)?|组织实施|抓好落实|落实)"
    r"(?=$|[,;。)\s])"
)
_COOPERATE_MARKERS = ("配合", "参与", "协助", "协同", "协办")
_UNIT_SUFFIX = (
    r"(?:局|委|办|厅|部|院|会|室|中心|政府|单位|部门|公司|行|集团|站|所|处|科|队|小组|管委会|协会|委员会|机构|海关|法院|检察院)"
)
_PROSE_UNITS = rf"(?:[\u4e00-\u9fff()]{{1,24}}?{_UNIT_SUFFIX}(?:[、,][\u4e00-\u9fff()]{{1,24}}?{_UNIT_SUFFIX})*)"
_PROSE_LEAD_IN = r"(?:第[一二三四五六七八九十百零\d]+条\s*)?(?:[^,。;]{0,12}?由)?"
_PROSE_JOINT = re.compile(rf"^{_PROSE_LEAD_IN}(?P<lead>{_PROSE_UNITS})(?:牵头|负责)?(?:会同|联合|协调)(?P<coop>{_PROSE_UNITS})(?:等(?:有关)?(?:部门|单位))?")
_PROSE_LEAD = re.compile(rf"^{_PROSE_LEAD_IN}(?P<lead>{_PROSE_UNITS})牵头[,,](?P<coop>{_PROSE_UNITS})(?:等(?:有关)?(?:部门|单位))?(?:配合|参与)")
_PROSE_RESP = re.compile(rf"^{_PROSE_LEAD_IN}(?P<resp>{_PROSE_UNITS})(?:具体)?负责(?!人)")
_LEAD_MARK = re.compile(r"\(?(?:牵头|主办)\)?$")
_DIVISION_ONLY = re.compile(r"^各?[省市州县区乡镇旗]{1,2}$")
_TRAILING_WORDS = re.compile(r"(等(?:有关|相关)?(?:部门|单位)?|有关部门|相关部门|分别|共同)$")


def extract_units(text: str) -> Units:
    """The units a clause names, by role, from its own text."""
    norm = normalize(text)
    roles: dict[str, list[str]] = {"lead": [], "cooperate": [], "responsible": []}
    sentences: list[str] = []
    for start, end in _statements(norm.text):
        if _parse_statement(norm, start, end, roles):
            sentences.append(norm.quote(start, end).strip())
    if not sentences:
        for start, end in _sentences(norm.text):
            if _parse_prose(norm, start, end, roles):
                sentences.append(norm.quote(start, end).strip())
    lead = _dedupe(roles["lead"])
    return Units(
        lead=lead,
        cooperate=_dedupe(u for u in roles["cooperate"] if u not in lead),
        responsible=_dedupe(u for u in roles["responsible"] if u not in lead),
        sentence="".join(sentences),
    )


def _statements(text: str) -> list[tuple[int, int]]:
    """Spans that may assign units: parentheticals, "由…" sentences and labelled lines."""
    spans = []
    for start, end in _parentheticals(text):
        inner = text[start + 1 : end - 1]
        if _LABEL.search(inner) or _ends_with_marker(inner):
            spans.append((start + 1, end - 1))
    for start, end in _sentences(text):
        sentence = text[start:end].strip()
        if sentence.startswith("由") or (_LABEL.match(sentence) and not _inside(start, spans)):
            spans.append((start, end))
    return sorted(spans)


def _parse_statement(norm: Normalized, start: int, end: int, roles: dict[str, list[str]]) -> bool:
    text = norm.text[start:end]
    labels = list(_LABEL.finditer(text))
    found = False
    if labels:
        for position, label in enumerate(labels):
            value_end = labels[position + 1].start() if position + 1 < len(labels) else len(text)
            other_label = _ANY_LABEL.search(text, label.end(), value_end)  # "完成时限:…" ends the unit list
            value_end = other_label.start() if other_label else value_end
            role = _label_role(label.group(1))
            for unit_start, unit_end in _split_units(text, label.end(), value_end):
                marked = _LEAD_MARK.search(text, unit_start, unit_end)
                if marked:
                    roles["lead"].append(norm.quote(start + unit_start, start + marked.start()).strip())
                else:
                    roles[role].append(norm.quote(start + unit_start, start + unit_end))
                found = True
        return found
    previous = len(text) - len(text.lstrip())
    for marker in _MARKER.finditer(text, previous):
        role = _marker_role(marker.group(0))
        for unit_start, unit_end in _split_units(text, previous, marker.start()):
            roles[role].append(norm.quote(start + unit_start, start + unit_end))
            found = True
        previous = marker.end()
    return found


def _parse_prose(norm: Normalized, start: int, end: int, roles: dict[str, list[str]]) -> bool:
    text = norm.text[start:end]
    lead_at = len(text) - len(text.lstrip())
    for pattern, groups in ((_PROSE_JOINT, ("lead", "coop")), (_PROSE_LEAD, ("lead", "coop")), (_PROSE_RESP, ("resp",))):
        match = pattern.match(text, lead_at)
        if not match:
            continue
        for group in groups:
            role = {"lead": "lead", "coop": "cooperate", "resp": "responsible"}[group]
            for unit_start, unit_end in _split_units(text, match.start(group), match.end(group)):
                roles[role].append(norm.quote(start + unit_start, start + unit_end))
        return True
    return False


def _split_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a unit list at 、,; outside parentheses, keeping "各县、市、区人民政府" whole."""
    pieces, depth, piece_start = [], 0, start
    for index in range(start, end):
        char = text[index]
        if char in "((":
            depth += 1
        elif char in "))":
            depth = max(0, depth - 1)
        elif char in "、,;" and depth == 0:
            pieces.append((piece_start, index))
            piece_start = index + 1
    pieces.append((piece_start, end))

    units, pending = [], None
    for piece_start, piece_end in pieces:
        if _DIVISION_ONLY.match(text[piece_start:piece_end].strip()):
            pending = piece_start if pending is None else pending
            continue
        unit = _trim(text, piece_start if pending is None else pending, piece_end)
        pending = None
        if unit:
            units.append(unit)
    return units


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Strip spaces, a leading 由 and trailing 等部门 / 分别 words from a unit's span."""
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n。":
        end -= 1
    if text.startswith("由", start) and end - start > 2:
        start += 1
    match = _TRAILING_WORDS.search(text[start:end])
    if match and match.start() > 0:
        end = start + match.start()
    return (start, end) if end - start >= 2 else None


def _parentheticals(text: str) -> list[tuple[int, int]]:
    """Outermost balanced (…) groups, as spans including the brackets."""
    spans, depth, opened = [], 0, 0
    for index, char in enumerate(text):
        if char in "((":
            if depth == 0:
                opened = index
            depth += 1
        elif char in "))" and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
    return spans


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"[。;\n]", text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _ends_with_marker(text: str) -> bool:
    text = text.rstrip(" 。")
    return any(marker.end() == len(text) for marker in _MARKER.finditer(text))


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _label_role(label: str) -> str:
    if re.fullmatch(_LEAD_LABELS, label):
        return "lead"
    if re.fullmatch(_COOP_LABELS, label):
        return "cooperate"
    return "responsible"


def _marker_role(marker: str) -> str:
    if "牵头" in marker:
        return "lead"
    if marker in _COOPERATE_MARKERS:
        return "cooperate"
    return "responsible"


def _dedupe(units) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for unit in units:
        if unit and unit not in seen:
            seen[unit] = None
    return tuple(seen)

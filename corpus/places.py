"""Places from the list of administrative divisions (GB/T 2260 codes, shipped by the `cpca` package).

A place is found by its full name (延边朝鲜族自治州, 义乌市, 崇明区) or, for provinces and prefectures,
by the forms people type (延边, 延边州, 广西). Codes give the hierarchy: 义乌市 lies in 金华市.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.text import quiet_jieba

_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗)$")
_COMMON_TAGS = frozenset({"n", "v", "vn", "d", "a", "ad", "an", "m", "t", "f", "s", "l", "i"})
_TWO_CHARACTER_ENTRY = re.compile(r"^(\S\S) \d+ (\S+)$", re.MULTILINE)  # a line of jieba's dict.txt: word, frequency, tag
_GENERIC_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Place:
    """One administrative division: its full name, the name found in a text, and its code."""

    name: str  # 延边朝鲜族自治州
    found: str  # the words of the text that named it: 延边州
    code: str  # 622900000000
    start: int = 0  # where `found` starts in the text

    @property
    def level(self) -> int:
        """1 province, 2 prefecture, 3 county."""
        return 1 if self.code[2:] == "0" * 10 else 2 if self.code[4:] == "0" * 8 else 3

    def contains(self, other: Place) -> bool:
        """Whether `other` lies within this place (or is it)."""
        prefix = self.code[: {1: 2, 2: 4, 3: 6}[self.level]]
        return other.code.startswith(prefix)


def find_places(text: str, known: frozenset[str] = frozenset()) -> list[Place]:
    """Every place a text names, longest name first at each position, in order of appearance.

    A name several divisions share (宝山区 of 上海市 and of 双鸭山市) is the one within the place named before it,
    else the one the `known` codes (a corpus's places) are, contain or lie in, else the first of the list.
    """
    table, longest, openings = _lookup()
    found: list[Place] = []
    position = 0
    while position < len(text):
        if text[position : position + 2] in openings:
            for size in range(min(longest, len(text) - position), 1, -1):
                form = text[position : position + size]
                entries = table.get(form)
                if entries:
                    found.append(_resolved([Place(name, form, code, position) for name, code in entries], found, known))
                    position += size - 1
                    break
        position += 1
    return found


def _resolved(candidates: list[Place], before: list[Place], known: frozenset[str]) -> Place:
    if len(candidates) == 1:
        return candidates[0]
    for earlier in reversed(before):
        inside = [candidate for candidate in candidates if earlier.contains(candidate)]
        if inside:
            return inside[0]
    places = [Place(code, code, code) for code in known if code]
    related = [c for c in candidates if any(p.contains(c) or c.contains(p) for p in places)]
    return related[0] if related else candidates[0]


def places_in_words(text: str, known: frozenset[str] = frozenset()) -> list[Place]:
    """The places of a short text (a question) that begin where one of its words begins: "卓越城区" names no
    越城区, "以西区域" no 西区. `known`: as for find_places."""
    starts, position = set(), 0
    for word in quiet_jieba().cut(text, HMM=False):
        starts.add(position)
        position += len(word)
    return [place for place in find_places(text, known) if place.start in starts]


def most_specific(places: list[Place]) -> Place | None:
    """The deepest place of the first chain named (上海市崇明区 → 崇明区), or None."""
    if not places:
        return None
    best = places[0]
    for place in places[1:]:
        if best.contains(place) and place.level > best.level:
            best = place
    return best


def divisions(level: int) -> list[tuple[str, str]]:
    """(full name, code) of every division of a level (1 province, 2 prefecture, 3 county), in code order."""
    found = [(name, code) for code, name in _divisions() if Place(name, name, code).level == level]
    return sorted(found, key=lambda item: item[1])


def place_stem(name: str) -> str:
    """济南市 → 济南, 延边朝鲜族自治州 → 延边, 广西壮族自治区 → 广西: the form people type."""
    stem = _SUFFIX.sub("", name)
    for nation in _nations():
        if stem.endswith(nation) and len(stem) > len(nation) + 1:
            stem = stem[: -len(nation)]
            break
    return stem if len(stem) >= 2 else name


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, tuple[tuple[str, str], ...]], int, frozenset[str]]:
    """The forms, the longest form's length and every form's first two characters: a position where no form
    opens is passed over at once (a question is read for places several times)."""
    table = _forms()
    return table, max(map(len, table), default=0), frozenset(form[:2] for form in table)


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every form → ((full name, code), …), provinces and prefectures first."""
    rows = _divisions()
    table: dict[str, list[tuple[str, str]]] = {}
    for code, name in sorted(rows, key=lambda row: (row[0][2:] != "0" * 10, row[0][4:] != "0" * 8, row[0])):
        level = 1 if code[2:] == "0" * 10 else 2 if code[4:] == "0" * 8 else 3
        forms = {name}
        if level <= 2:
            stem = place_stem(name)
            if level == 1 or not _common_word(stem):
                forms.add(stem)
            if name.endswith("自治州"):
                forms.add(stem + "州")
        for form in forms:
            if len(form) >= 2:
                table.setdefault(form, []).append((name, code))
    return {form: tuple(entries) for form, entries in table.items()}


def _common_word(stem: str) -> bool:
    """A short form that jieba's dictionary knows as a common word (日照 n, 大同 d): not read as a place."""
    if len(stem) > 2:
        return False
    return _two_character_tags().get(stem, "ns") in _COMMON_TAGS


@lru_cache(maxsize=1)
def _two_character_tags() -> dict[str, str]:
    """The part of speech jieba's dictionary gives each two-character word, as jieba.posseg's table has it (read
    from the dictionary file in a tenth of a second: importing jieba.posseg parses all of it, half a second)."""
    from corpus.text import quiet_jieba  # noqa: PLC0415

    with quiet_jieba().dt.get_dict_file() as handle:
        text = handle.read().decode("utf-8")
    return dict(_TWO_CHARACTER_ENTRY.findall(text))


@lru_cache(maxsize=1)
def _divisions() -> tuple[tuple[str, str], ...]:
    """(code, name) of every division in cpca's adcodes.csv, read without importing cpca (its import is slow)."""
    folder = _cpca_resources()
    if folder is None:
        return ()
    with (folder / "adcodes.csv").open(encoding="utf-8") as handle:
        return tuple(
            (row["adcode"], row["name"]) for row in csv.DictReader(handle) if row["name"] not in _GENERIC_NAMES
        )


@lru_cache(maxsize=1)
def _nations() -> tuple[str, ...]:
    folder = _cpca_resources()
    if folder is None:
        return ()
    names = (folder / "56_nations.csv").read_text(encoding="utf-8").split()
    forms = {name for name in names} | {name[:-1] for name in names if name.endswith("族") and len(name) > 2}
    return tuple(sorted(forms, key=len, reverse=True))


def _cpca_resources() -> Path | None:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "resources"
    return folder if (folder / "adcodes.csv").is_file() else None

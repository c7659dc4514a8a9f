"""Which documents a question is about: the title, 文号 or place it names ranks candidates, never one by default."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus import Document
from corpus.places import Place, find_places, places_in_words
from corpus.text import nfkc, quiet_jieba
from index.lookups import TITLE_RUN, lookups

# A question that spells out at least this share of a title's character bigrams names that document.
TITLE_SHARE = 0.6
_QUOTED_TITLE = re.compile(r"《([^》]{4,80})》")
_KINDS = "通知|意见|计划|方案|预案|纲要|办法|规定|决定|规划|细则|条例|要点|措施"  # the kinds of document a title ends with
SHORT_NAME_PAIRS = 0.75  # share of a short name's character pairs its title must have side by side
# A document named by a few words of its title and its kind, followed by where in it ("转移安置预案中").
_SHORT_TITLE = re.compile(rf"([\u4e00-\u9fff]{{2,10}}?)({_KINDS})(?=中|里|规定|提出|要求|明确|和|与|及|、|,|分别|各自)")
_KIND = re.compile(rf"({_KINDS})$")
_KIND_AFTER = re.compile(rf"\s*[\u4e00-\u9fff]{{2,12}}?(?:{_KINDS})")  # "宝山区垃圾分类实施方案": a place's document by its words


@dataclass(frozen=True)
class Route:
    """The documents a question names (empty: all), how it named them, and the question without those names."""

    doc_ids: tuple[str, ...]
    text: str  # the question with the place, 文号 and title words that named documents blanked out
    unknown_place: str = ""  # a place the question is about that no document (or no named document) governs or mentions
    named_places: int = 0  # distinct places the question names that documents govern
    named_titles: int = 0  # distinct documents named by title or 文号


def route(question: str, documents: tuple[Document, ...]) -> Route:
    """Candidate documents for a question, from its 文号, title words and places (in that order of strength)."""
    norm = nfkc(question)
    known = frozenset(document.place_code for document in documents if document.place_code)  # 宝山区: the corpus's
    by_number = [documents[number] for number, doc_number in lookups(documents).doc_numbers if doc_number in norm]
    if by_number:
        unmentioned = _unmentioned(places_in_words(norm, known), by_number)
        if unmentioned is not None:
            return Route(_ids(by_number), blank_places(norm), unknown_place=unmentioned.found, named_titles=len(by_number))
        text = norm
        for document in by_number:
            text = text.replace(nfkc(document.doc_number), " ")
        return Route(_ids(by_number), blank_places(text), named_titles=len(by_number))
    titled = _titled(norm, documents)
    places = places_in_words(norm, known)
    if titled:
        others = [
            place for place in places
            if (_is_subject(place, norm) or _KIND_AFTER.match(norm, place.start + len(place.found))) and not _relates(place, titled)
        ]  # fmt: skip
        foreign = next((place for place in others if not _governed_by(place, documents)), None)
        if foreign is not None:  # "广州市轨道交通…条例" names another place's regulation of the same title
            return Route((), blank_places(norm), unknown_place=foreign.found)
        # "奉贤区…实施方案和崇明区…工作方案": a place beside a title names that place's documents too
        beside = [_by_title_words(norm, documents, _governed_by(place, documents)) for place in others]
        named = titled + [document for group in beside for document in group]
        unmentioned = _unmentioned(places, named)
        if unmentioned is not None:  # "…措施中,适用于海南自贸试验区的…": the named documents never speak of it
            return Route(_ids(named), blank_places(norm), unknown_place=unmentioned.found, named_titles=len(titled) + len(beside))
        text = norm
        for document in named:
            text = _blank_title(text, nfkc(document.title))
        return Route(_ids(named), blank_places(text), named_titles=len(titled) + len(beside))
    chosen: dict[str, Document] = {}
    named, text = 0, norm
    for place in places:
        matches = _governed_by(place, documents)
        if len(matches) > 1:  # "松江区城市更新实施计划与…": of the place's documents, the one its short name names
            matches = _named_by_short_title(norm[place.start + len(place.found) :], matches) or matches
        if matches and not _within_named(place, places):
            named += 1
            chosen.update((document.doc_id, document) for document in matches)
        if any(document.place_code == place.code for document in matches):
            text = _blank_place(text, place, norm)  # the document's own place says nothing about the task
    for document in documents:  # a place the division list lacks (new, renamed): the document's own name for it
        if document.place and not document.place_code and document.place in text:
            named += 1
            chosen[document.doc_id] = document
            text = text.replace(document.place, " ")
    if chosen:
        for document in chosen.values():
            text = _blank_short_title(text, nfkc(document.title))
        return Route(tuple(chosen), text, named_places=named)
    for place in places:  # a place the question is about (its subject, or one no document mentions) is unknown
        if _begins_a_titled_name(place, norm, documents):
            continue  # "北京奥运会…" names an event a title names, not the place asked about
        if _is_subject(place, norm) or not _mentioned(place, documents):
            return Route((), blank_places(text), unknown_place=place.found)
    distinct = _by_distinctive_run(norm, documents)
    if distinct:  # no title, 文号 or place, but words only one title has
        return Route(_ids(distinct), _blank_title(text, nfkc(distinct[0].title)), named_titles=1)
    return Route((), text)


def _titled(norm: str, documents: tuple[Document, ...]) -> list[Document]:
    """Documents whose title the question spells out; with one named, the rest of the question is read again for
    another ("松江区…2025年度实施计划和静安区…行动方案,分别…")."""
    named: list[Document] = []
    found = _best_titled(norm, documents)
    while found:
        named += found
        for document in found:
            norm = _blank_title(norm, nfkc(document.title))
        found = [document for document in _best_titled(norm, documents) if document not in named]
    return named


def _best_titled(norm: str, documents: tuple[Document, ...]) -> list[Document]:
    """The documents whose title the question spells out most (most of its bigrams, or inside 《》)."""
    quoted = [nfkc(match) for match in _QUOTED_TITLE.findall(norm)]
    shares = _title_shares(norm, documents)
    scored = []
    for number in range(len(documents)) if quoted else np.flatnonzero(shares >= TITLE_SHARE).tolist():
        document = documents[number]
        title = nfkc(document.title)
        if any(quote in title or title in quote for quote in quoted):
            scored.append((1.0, document))
            continue
        if shares[number] >= TITLE_SHARE:
            scored.append((float(shares[number]), document))
    if not scored:
        return []
    best = max(share for share, _document in scored)
    return [document for share, document in scored if share >= best - 0.1]


def _by_distinctive_run(norm: str, documents: tuple[Document, ...]) -> list[Document]:
    """The one document whose title shares with the question a run of TITLE_RUN characters or more that no other
    title has and that is not a kind of document ("真抓实干" in "国办那份真抓实干激励通知"); else none."""
    found = lookups(documents)
    named = set()
    for start in range(len(norm) - TITLE_RUN + 1):
        run = norm[start : start + TITLE_RUN]
        if _KIND.search(run) or not re.fullmatch(r"[\u4e00-\u9fff]+", run) or find_places(run):
            continue
        holders = found.title_holders(run)
        if len(holders) == 1:
            named.update(holders)
    return [document for document in documents if document.doc_id in named] if len(named) == 1 else []


def _by_title_words(norm: str, documents: tuple[Document, ...], place_documents: list[Document]) -> list[Document]:
    """Of one place's documents, those whose titles the question spells out most (all of them at a tie)."""
    shares, positions = _title_shares(norm, documents), lookups(documents).positions
    best = max((shares[positions[document.doc_id]] for document in place_documents), default=0.0)
    return [document for document in place_documents if shares[positions[document.doc_id]] == best]


def _title_shares(norm: str, documents: tuple[Document, ...]) -> np.ndarray:
    """Per document, the share of its title's bigrams the question spells out (0 for a title of under 3)."""
    titles = lookups(documents).titles
    shares = titles.overlap({norm[i : i + 2] for i in range(len(norm) - 1)}) / np.maximum(titles.sizes, 1)
    shares[titles.sizes < 3] = 0.0
    return shares


def _named_by_short_title(after_place: str, documents: list[Document]) -> list[Document]:
    """Of a place's documents, those a short name right after the place names ("城市更新实施计划与…"); else none."""
    match = _SHORT_TITLE.match(after_place.lstrip())
    return [document for document in documents if match and _short_name_of(match, nfkc(document.title))]


def _short_name_of(match: re.Match[str], title: str) -> bool:
    """Whether a short name ("转移安置预案", "城市更新实施计划") is the title's: its characters in the title's order,
    most pairs of them side by side there too."""
    name = match.group(0)
    pairs = [name[i : i + 2] for i in range(len(name) - 1)]
    in_order = re.search(".*?".join(map(re.escape, name)), title) is not None
    return in_order and sum(pair in title for pair in pairs) >= SHORT_NAME_PAIRS * len(pairs)


def _blank_short_title(text: str, title: str) -> str:
    """Blank a short name of the title that refers to the document ("转移安置预案中" for "…人员转移安置和应急避难场所
    启用预案"): words of the title, then its kind of document, then where in it."""
    for match in _SHORT_TITLE.finditer(text):
        if _short_name_of(match, title):
            text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    return text


def _blank_title(text: str, title: str) -> str:
    """Blank the runs of the question (≥ TITLE_RUN characters) that name the title: each part of the title once,
    so a task that repeats title words later ("…实施方案中,应急避难场所建设由谁牵头") keeps them."""
    position, used = 0, set()
    while position < len(text):
        size = 0
        while position + size < len(text) and text[position : position + size + 1] in title:
            size += 1
        run = text[position : position + size]
        if size >= TITLE_RUN and not any(run in earlier for earlier in used):
            used.add(run)
            text = text[:position] + " " * size + text[position + size :]
            position += size
        else:
            position += max(size, 1) if size >= TITLE_RUN else 1
    return text


def blank_places(text: str) -> str:
    """The text with every place it names blanked out, leaving a suffix that begins the next word ("杭州市民" → "市民")."""
    blanked = text
    for place in sorted(places_in_words(text), key=lambda place: -len(place.found)):
        blanked = _blank_place(blanked, place, text)
    return blanked


def _blank_place(text: str, place: Place, question: str) -> str:
    """The text with the place blanked, keeping its last character when that character and the single one after it
    in the question form a word of the dictionary ("杭州市民对…" → "市民对…"; "上海市民政局" → "民政局")."""
    first = _word_after(place, question)
    begins_word = len(place.found) > 2 and len(first) == 1 and bool(quiet_jieba().dt.FREQ.get(place.found[-1] + first))
    return text.replace(place.found, " " + place.found[-1] if begins_word else " ")


def _unmentioned(places: list[Place], named: list[Document]) -> Place | None:
    """A place the question names that is none of the named documents' own and that none of them mentions
    ("国发〔2018〕38号文件中适用于海南自贸试验区的措施…": the notice names other provinces)."""
    for place in places:
        own = any(d.place_code and _relates(place, [d]) for d in named)
        if not own and not _mentioned(place, named):
            return place
    return None


def _mentioned(place: Place, documents: Sequence[Document]) -> bool:
    """Whether any of the documents names the place, in full or as the question does."""
    return any(place.name in d.text or place.found in d.text for d in documents)


def _governed_by(place: Place, documents: tuple[Document, ...]) -> list[Document]:
    """Documents of the place itself, else of the nearest place containing it (a county of their city)."""
    own = [d for d in documents if d.place_code == place.code]
    if own:
        return own
    around = [d for d in documents if d.place_code and Place(d.place, d.place, d.place_code).contains(place)]
    if around:
        deepest = max(len(d.place_code.rstrip("0")) for d in around)
        return [d for d in around if len(d.place_code.rstrip("0")) == deepest]
    return []


def _word_after(place: Place, text: str) -> str:
    """The first word of the text after the place ("" at its end)."""
    after = text[place.start + len(place.found) :]
    return quiet_jieba().lcut(after, HMM=False)[0] if after else ""


def _begins_a_titled_name(place: Place, norm: str, documents: tuple[Document, ...]) -> bool:
    """Whether the place and the word after it are a name in a document's title ("2008年北京奥运会…的批复")."""
    following = _word_after(place, norm)
    name = place.found + following
    return len(following) >= 2 and any(name in nfkc(document.title) for document in documents)


def _is_subject(place: Place, norm: str) -> bool:
    """Whether a question opens with the place (its subject: "广州市…由谁负责?")."""
    return not norm[: place.start].strip(" 《“\"")


def _relates(place: Place, documents: list[Document]) -> bool:
    """Whether a place is, contains or lies within the place of one of the documents (or one has none)."""
    return any(
        not d.place_code or (other := Place(d.place, d.place, d.place_code)).contains(place) or place.contains(other)
        for d in documents
    )


def _within_named(place: Place, places: list[Place]) -> bool:
    """A place named only as the parent of a more specific one beside it (上海市 in 上海市崇明区)."""
    return any(other is not place and place.contains(other) and other.level > place.level for other in places)


def _ids(documents: list[Document]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(document.doc_id for document in documents))

"""Compound questions: one question per document ("A文件中X由谁牵头?B文件中Y又由谁负责?"), answered part by part."""

from __future__ import annotations

import re

from assistant.records import Answer, Departments
from assistant.routing import route
from corpus import Document
from corpus.places import places_in_words
from corpus.text import nfkc

# Where a compound question's parts meet: a question mark, or a comma followed by "和/以及" ("…的指导部门,和…").
_BOUNDARY = re.compile(r"(?<=[?？])|[,，;；]\s*(?=和|以及|与)")
MIN_PART_CHARS = 8
# A place's part of a question has a task of its own when this many characters are left without places and titles.
MIN_OWN_TASK = 4
# Where the question shared by every place starts ("…分别由哪个部门负责?"), and its words that say "each".
_ASKING = re.compile(r"(?:分别|各自|都|均)?(?:是|由|要|应)?(?:哪|谁|多少|几|什么|何时|何)")
_SHARED = re.compile(r"^(?:分别|各自|都|均)")
# A part refers to a document: by a kind of document followed by where in it ("…通知中", "…条例规定"), or a 文号.
_REFERS = re.compile(r"(?:通知|意见|方案|预案|计划|条例|办法|规定|规划|纲要|细则|清单|决定)(?:中|里|的|规定|提出|要求)|〔\d{4}〕")
_NAMES_DOCUMENT = re.compile(rf"{_REFERS.pattern}|(?:通知|意见|方案|预案|条例|办法|规定|纲要|细则|决定)$")  # a document, not a task (规划, 计划 are tasks too)


def split_compound(question: str, documents: tuple[Document, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The parts of a question that each refer to their own document (by its title, or by a kind of document and
    where in it), with the documents each may be answered from; () when it is not such a compound. A part that refers to a document by a name no title spells out
    ("督查激励通知中…") is answered from the documents the other parts do not name."""
    parts = [part.strip(" ,，;；") for part in _BOUNDARY.split(question)]
    parts = [re.sub(r"^(?:和|以及|与)", "", part) for part in parts if len(part) >= MIN_PART_CHARS]
    routed = [route(nfkc(part), documents) for part in parts]
    if len(parts) < 2 or not all(_REFERS.search(nfkc(part)) or part_routed.named_titles for part, part_routed in zip(parts, routed, strict=True)):
        return _split_by_place(question, documents)
    named = [part_routed.doc_ids for part_routed in routed]
    if len({frozenset(doc_ids) for doc_ids in named if doc_ids}) < sum(1 for doc_ids in named if doc_ids):
        return ()  # two parts naming the same document: one question about it
    taken = {doc_id for doc_ids in named for doc_id in doc_ids}
    others = tuple(document.doc_id for document in documents if document.doc_id not in taken)
    return tuple((part, doc_ids or others) for part, doc_ids in zip(parts, named, strict=True))


def _split_by_place(question: str, documents: tuple[Document, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """"奉贤区X和崇明区Y分别由哪个部门负责?": each place with its own task, asked the shared question; () when
    a place brings no task of its own ("北京市和上海市分别…", the task shared) or two name the same documents."""
    norm = nfkc(question)
    places = sorted(places_in_words(norm), key=lambda place: place.start)
    asking = _ASKING.search(norm, places[-1].start) if len(places) > 1 else None
    if asking is None:
        return ()
    ends = [place.start for place in places[1:]] + [asking.start()]
    tail = _SHARED.sub("", norm[asking.start() :])
    parts = []
    for place, end in zip(places, ends, strict=True):
        own = norm[place.start : end].rstrip(" ,，、和与及以")
        routed = route(own, documents)
        if _NAMES_DOCUMENT.search(own) or not routed.doc_ids or len(re.sub(r"[\W的]", "", routed.text)) < MIN_OWN_TASK:
            return ()
        parts.append((own + tail, routed.doc_ids))
    if len({frozenset(doc_ids) for _part, doc_ids in parts}) < len(parts):
        return ()
    return tuple(parts)


def combine(question: str, answers: list[Answer], intent: str) -> Answer:
    """One answer from the answers to each part: their texts in order, units merged by role, each first citation."""
    answered = [answer for answer in answers if not answer.abstained]
    if not answered:
        return Answer(question, "\n".join(answer.answer for answer in answers), True, intent=intent)
    departments = merged_departments(answered)
    citations = tuple(answer.citations[0] for answer in answered if answer.citations)
    text = "\n".join(f"{number}. {answer.answer}" for number, answer in enumerate(answers, 1))
    return Answer(question, text, False, departments, citations, intent, answered[0].query)


def merged_departments(answers: list[Answer]) -> Departments:
    """The units of several answers, role by role, each once, in order."""
    return Departments(
        *(tuple(dict.fromkeys(unit for answer in answers for unit in getattr(answer.departments, role))) for role in ("lead", "cooperate", "responsible"))
    )

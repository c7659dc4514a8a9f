"""Records the assistant layer passes around: Query, Citation, Departments, Answer."""

from __future__ import annotations

from dataclasses import dataclass, field

UNIT_INTENTS = ("lead", "cooperate", "responsible")


@dataclass(frozen=True)
class Query:
    """What a question asks: the intent, where to look, and the words that name the task."""

    question: str
    intent: str
    task: str  # the question's own words that name the task or metric ("开展计量惠民专项行动")
    terms: tuple[tuple[str, str], ...] = ()  # those words with their part of speech (jieba): ("计量", "n")
    doc_ids: tuple[str, ...] = ()  # documents the question names (by place), empty = all
    year: int | None = None
    unknown_place: str = ""  # a place the question names that the corpus lacks
    unit: str = ""  # for listing questions: the unit asked about, as the corpus names it
    multi_doc: bool = False  # the question asks each named document ("分别", two places)
    whole_document: bool = False  # the task is the named document's own topic ("上海市由哪个部门负责大气污染防治?")


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    clause: str  # heading path as the document numbers it
    text: str  # the clause's full text
    score: float
    highlights: tuple[str, ...] = ()  # spans of `text` the answer rests on (units, figures, sentence)


@dataclass(frozen=True)
class Departments:
    lead: tuple[str, ...] = ()
    cooperate: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    departments: Departments = field(default_factory=Departments)
    citations: tuple[Citation, ...] = ()
    intent: str = "other"
    query: Query | None = None  # the resolved query, kept for follow-up questions

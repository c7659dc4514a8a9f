"""What every question looks up across the corpus (heading bigrams, unit names, title words), computed once per corpus.

A question then costs lookups and array sums instead of a pass over every clause: at 1,000 documents the heading
channel alone took 190 ms a question when it computed each heading's bigrams at query time.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from corpus import Clause, Document
from corpus.text import nfkc
from corpus.unitnames import department_key, unit_key

_DIGITS = re.compile(r"\d{4,}")


@dataclass(frozen=True, eq=False)
class Postings:
    """Which rows hold each term: term → sorted row numbers (a CSC column per term), and each row's count of terms."""

    columns: dict[str, np.ndarray]
    sizes: np.ndarray  # distinct terms of each row

    @classmethod
    def of(cls, rows: Iterable[set[str]]) -> Postings:
        ids: dict[str, int] = {}
        numbers, sizes = array("i"), array("q")
        for terms in rows:
            sizes.append(len(terms))
            numbers.extend([ids.setdefault(term, len(ids)) for term in terms])
        terms = np.frombuffer(numbers, np.int32)
        holders = np.repeat(np.arange(len(sizes), dtype=np.int32), np.frombuffer(sizes, np.int64))
        ends = np.cumsum(np.bincount(terms, minlength=len(ids)))
        columns = np.split(holders[np.argsort(terms, kind="stable")], ends[:-1]) if ids else []
        return cls(dict(zip(ids, columns)), np.frombuffer(sizes, np.int64).copy())

    def overlap(self, terms: Iterable[str]) -> np.ndarray:
        """How many of the terms each row holds."""
        hits = [self.columns[term] for term in terms if term in self.columns]
        if not hits:
            return np.zeros(len(self.sizes), np.int64)
        return np.bincount(np.concatenate(hits), minlength=len(self.sizes))


@dataclass(frozen=True, eq=False)
class Lookups:
    """The corpus's clauses and documents as questions look them up."""

    clauses: tuple[Clause, ...]  # every clause by id (the index's clauses_by_id order)
    clause_docs: np.ndarray  # the document number of each clause
    headings: Postings  # bigrams of each clause's heading and target metrics
    doc_numbers: tuple[tuple[int, str], ...]  # (position, NFKC 文号) of each document that has one
    positions: dict[str, int]  # doc_id → position of its first document
    documents_by_id: dict[str, Document]  # the first document of each id
    unit_names: dict[str, str]  # unit_key → the first name the corpus writes with it
    by_unit: dict[tuple[str, str], tuple[tuple[int, int], ...]]  # (role or "", department_key) → (document, clause)
    titles: Postings  # bigrams of each document's title (whitespace aside), by document number
    title_runs: dict[str, frozenset[str]]  # each run of TITLE_RUN characters of a title → doc_ids whose title has it
    years: tuple[frozenset[str], ...]  # the four-digit runs of each document's title, date and clauses

    def allowed_clauses(self, doc_ids: set[str] | None) -> np.ndarray | None:
        """A mask of the clauses of the given documents (None: all)."""
        if not doc_ids:
            return None
        numbers = [self.positions[doc_id] for doc_id in doc_ids if doc_id in self.positions]
        return np.isin(self.clause_docs, np.array(numbers, np.int64))

    def mention(self, documents: Iterable[Document], text: str) -> bool:
        """Whether the documents (title, date, clauses) state a four-digit run (a year)."""
        return any(text in self.years[self.positions[document.doc_id]] for document in documents)


def lookups(documents: tuple[Document, ...]) -> Lookups:
    """The lookups of a corpus: computed at the first question, then kept while its tuple of documents is (up to
    KEPT_CORPORA at once: an app following new versions lets the old ones go). Answers run in threads: a corpus is
    computed once however many ask at once, and computing one never holds up questions on another."""
    entry = _entry(documents)
    if entry.lookups is None:
        with entry.computing:
            if entry.lookups is None:
                entry.lookups = _computed(documents)
    return entry.lookups


KEPT_CORPORA = 4


class _Entry:
    """A corpus's lookups, or the lock its first askers wait on while they are computed."""

    __slots__ = ("computing", "documents", "lookups")

    def __init__(self, documents: tuple[Document, ...]) -> None:
        self.documents = documents  # kept alive while cached, so its id is not reused
        self.computing = threading.Lock()
        self.lookups: Lookups | None = None


_ENTRIES: OrderedDict[int, _Entry] = OrderedDict()  # by id(documents): hashing the documents would read them all
_ENTRIES_LOCK = threading.Lock()


def _entry(documents: tuple[Document, ...]) -> _Entry:
    with _ENTRIES_LOCK:
        entry = _ENTRIES.get(id(documents))
        if entry is None or entry.documents is not documents:
            entry = _ENTRIES[id(documents)] = _Entry(documents)
            while len(_ENTRIES) > KEPT_CORPORA:
                _ENTRIES.popitem(last=False)
        _ENTRIES.move_to_end(id(documents))
        return entry


def _computed(documents: tuple[Document, ...]) -> Lookups:
    from assistant.retrieval import bigrams  # noqa: PLC0415  (retrieval and routing read these lookups)
    from assistant.routing import TITLE_RUN  # noqa: PLC0415

    clauses = tuple({clause.clause_id: clause for document in documents for clause in document.clauses}.values())
    unit_keys: dict[str, str] = {}
    department_keys: dict[str, str] = {}
    positions: dict[str, int] = {}
    for number, document in enumerate(documents):
        positions.setdefault(document.doc_id, number)
    unit_names: dict[str, str] = {}
    by_unit: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for number, document in enumerate(documents):
        for position, clause in enumerate(document.clauses):
            if not clause.units:
                continue
            for name in clause.units.all():
                unit_names.setdefault(_cached(unit_keys, unit_key, name), name)
            for role in ("", "lead", "cooperate", "responsible"):
                names = getattr(clause.units, role) if role else clause.units.all()
                for department in dict.fromkeys(_cached(department_keys, department_key, name) for name in names):
                    by_unit.setdefault((role, department), []).append((number, position))
    titles = {document.doc_id: nfkc(document.title) for document in documents}
    title_runs: dict[str, set[str]] = {}
    for doc_id, title in titles.items():
        for start in range(len(title) - TITLE_RUN + 1):
            title_runs.setdefault(title[start : start + TITLE_RUN], set()).add(doc_id)
    return Lookups(
        clauses=clauses,
        clause_docs=np.array([positions.get(clause.doc_id, -1) for clause in clauses], np.int64),
        headings=Postings.of(
            set(bigrams(clause.heading + "".join(target.metric for target in clause.targets))) for clause in clauses
        ),
        doc_numbers=tuple((number, nfkc(document.doc_number)) for number, document in enumerate(documents) if document.doc_number),
        positions=positions,
        documents_by_id={doc_id: documents[number] for doc_id, number in positions.items()},
        unit_names=unit_names,
        by_unit={key: tuple(found) for key, found in by_unit.items()},
        titles=Postings.of(_title_grams(nfkc(document.title)) for document in documents),
        title_runs={run: frozenset(doc_ids) for run, doc_ids in title_runs.items()},
        years=tuple(
            _four_digit_runs(nfkc("\n".join([document.title, document.date, *(clause.text for clause in document.clauses)])))
            for document in documents
        ),
    )


def _cached(known: dict[str, str], compute, name: str) -> str:
    if name not in known:
        known[name] = compute(name)
    return known[name]


def _four_digit_runs(text: str) -> frozenset[str]:
    """Every run of four digits in the text, overlapping ones included (2020 and 0201 in 20201)."""
    return frozenset(run[start : start + 4] for run in _DIGITS.findall(text) for start in range(len(run) - 3))


def _title_grams(title: str) -> set[str]:
    return {title[i : i + 2] for i in range(len(title) - 1) if not title[i : i + 2].isspace()}

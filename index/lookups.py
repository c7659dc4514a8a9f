"""What every question looks up across the corpus (heading bigrams, unit names, title words, years), kept per corpus.

A question then costs lookups and array sums instead of a pass over every clause: at 1,000 documents the heading
channel alone took 190 ms a question when it computed each heading's bigrams at query time. The tables are computed
when a version is written and read with it (index.lookupfiles); a corpus without them computes them at its first question.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from corpus import Clause, Document
from corpus.text import nfkc
from corpus.unitnames import department_key, unit_key

# Common runs of at least this many characters between a question and a named title are title words, not task words.
TITLE_RUN = 4
ROLES = ("", "lead", "cooperate", "responsible")  # "": any role
_DIGITS = re.compile(r"\d{4,}")


def bigrams(text: str) -> list[str]:
    """Character bigrams of each run of Chinese characters, letters or digits (layout spaces ignored)."""
    grams = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", re.sub(r"\s+", "", nfkc(text))):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass(frozen=True, eq=False)
class Postings:
    """Which rows hold each term, a CSC table: a term's entries are consecutive, by row then value; each entry has a
    value (a clause's position in its document, else 0) and, in a table that has them, a label."""

    terms: tuple[str, ...]
    pointers: np.ndarray  # int64, one more than terms
    rows: np.ndarray  # int32
    values: np.ndarray  # int32, one per entry
    height: int  # the rows of the table (clauses or documents)
    labels: tuple[str, ...] = ()  # one per entry, or none

    @classmethod
    def of(cls, terms: Sequence[str], columns, rows, values, height: int, labels: Sequence[str] = ()) -> Postings:
        """The table of entries given as parallel sequences (column numbers into terms); unused terms are left out."""
        columns, rows, values = (np.asarray(part, np.int64).reshape(-1) for part in (columns, rows, values))
        used = np.zeros(len(terms), bool)
        used[columns] = True
        columns = (np.cumsum(used) - 1)[columns]
        order = np.lexsort((values, rows, columns))
        counts = np.bincount(columns, minlength=int(used.sum()))
        return cls(
            tuple(term for term, kept in zip(terms, used.tolist()) if kept),
            np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            rows[order].astype(np.int32),
            values[order].astype(np.int32),
            int(height),
            tuple(labels[i] for i in order.tolist()) if len(labels) else (),
        )

    @cached_property
    def _numbers(self) -> dict[str, int]:
        return {term: number for number, term in enumerate(self.terms)}

    @cached_property
    def sizes(self) -> np.ndarray:
        """How many terms each row holds."""
        return np.bincount(self.rows, minlength=self.height).astype(np.int64)

    def column(self, term: str) -> slice:
        """The entries of a term (an empty slice when no row holds it)."""
        number = self._numbers.get(term)
        return slice(0, 0) if number is None else slice(int(self.pointers[number]), int(self.pointers[number + 1]))

    def overlap(self, terms: Iterable[str]) -> np.ndarray:
        """How many of the terms each row holds."""
        hits = [self.rows[self.column(term)] for term in terms if term in self._numbers]
        if not hits:
            return np.zeros(self.height, np.int64)
        return np.bincount(np.concatenate(hits), minlength=self.height)

    def merged(self, moved: np.ndarray, added: Postings) -> Postings:
        """This table with row r moved to moved[r] (dropped when -1), and `added`'s entries (rows already numbered as
        in the result, whose height it gives)."""
        where = moved[self.rows] if len(self.rows) else np.zeros(0, np.int64)
        kept = where >= 0
        numbers = dict(self._numbers)
        for term in added.terms:
            numbers.setdefault(term, len(numbers))
        old_columns = np.repeat(np.arange(len(self.terms)), np.diff(self.pointers))[kept]
        new_numbers = np.array([numbers[term] for term in added.terms], np.int64)
        new_columns = new_numbers[np.repeat(np.arange(len(added.terms)), np.diff(added.pointers))]
        labels = [self.labels[i] for i in np.flatnonzero(kept).tolist()] + list(added.labels) if self.labels or added.labels else ()
        return Postings.of(
            list(numbers), np.concatenate([old_columns, new_columns]), np.concatenate([where[kept], added.rows]),
            np.concatenate([self.values[kept], added.values]), added.height, labels,
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Tables:
    """The part of the lookups computed from the documents' text, saved with a version (rows: clauses or documents)."""

    headings: Postings  # bigrams of each clause's heading and target metrics, by clause (the corpus's clause order)
    roles: Postings  # "<role>\t<department_key>" → (document, the clause's position in it) of each clause naming it
    units: Postings  # unit_key → the documents writing a unit with it, labelled with the first such name in each
    titles: Postings  # bigrams of each document's title (whitespace aside), by document
    title_runs: Postings  # each run of TITLE_RUN characters of a title → the documents (the last of an id) having it
    years: Postings  # the four-digit runs of each document's title, date and clauses, by document


@dataclass(frozen=True, eq=False)
class Lookups:
    """The corpus's clauses and documents as questions look them up."""

    clauses: tuple[Clause, ...]  # every clause by id (the index's clauses_by_id order)
    clause_docs: np.ndarray  # the document number of each clause
    doc_ids: tuple[str, ...]  # of each document number
    doc_numbers: tuple[tuple[int, str], ...]  # (position, NFKC 文号) of each document that has one
    positions: dict[str, int]  # doc_id → position of its first document
    documents_by_id: dict[str, Document]  # the first document of each id
    tables: Tables

    @classmethod
    def of(cls, documents: tuple[Document, ...], tables: Tables) -> Lookups:
        """The lookups of the documents, their tables computed or read."""
        clauses = tuple({clause.clause_id: clause for document in documents for clause in document.clauses}.values())
        positions: dict[str, int] = {}
        for number, document in enumerate(documents):
            positions.setdefault(document.doc_id, number)
        return cls(
            clauses=clauses,
            clause_docs=np.array([positions.get(clause.doc_id, -1) for clause in clauses], np.int64),
            doc_ids=tuple(document.doc_id for document in documents),
            doc_numbers=tuple((n, nfkc(document.doc_number)) for n, document in enumerate(documents) if document.doc_number),
            positions=positions,
            documents_by_id={doc_id: documents[number] for doc_id, number in positions.items()},
            tables=tables,
        )

    @property
    def headings(self) -> Postings:
        return self.tables.headings

    @property
    def titles(self) -> Postings:
        return self.tables.titles

    @cached_property
    def unit_names(self) -> dict[str, str]:
        """unit_key → the first name the corpus writes with it."""
        units = self.tables.units
        return dict(zip(units.terms, (units.labels[start] for start in units.pointers[:-1].tolist())))

    def by_unit(self, role: str, key: str) -> tuple[tuple[int, int], ...]:
        """(document number, clause position) of each clause naming the department (role "" for any), in corpus order."""
        roles = self.tables.roles
        found = roles.column(f"{role}\t{key}")
        return tuple(zip(roles.rows[found].tolist(), roles.values[found].tolist()))

    def assigning(self, role: str) -> set[int]:
        """The numbers of the documents that give some unit the role."""
        roles = self.tables.roles
        holding = np.array([term.startswith(f"{role}\t") for term in roles.terms], bool)
        return set(roles.rows[np.repeat(holding, np.diff(roles.pointers))].tolist())

    def title_holders(self, run: str) -> frozenset[str]:
        """The doc_ids whose title has the run of TITLE_RUN characters."""
        runs = self.tables.title_runs
        return frozenset(self.doc_ids[row] for row in runs.rows[runs.column(run)].tolist())

    def allowed_clauses(self, doc_ids: set[str] | None) -> np.ndarray | None:
        """A mask of the clauses of the given documents (None: all)."""
        if not doc_ids:
            return None
        numbers = [self.positions[doc_id] for doc_id in doc_ids if doc_id in self.positions]
        return np.isin(self.clause_docs, np.array(numbers, np.int64))

    def mention(self, documents: Iterable[Document], text: str) -> bool:
        """Whether the documents (title, date, clauses) state a four-digit run (a year)."""
        years = self.tables.years
        holders = set(years.rows[years.column(text)].tolist())
        return any(self.positions[document.doc_id] in holders for document in documents)


def compute_tables(documents: Sequence[Document], rows: Sequence[int] | None = None, clause_rows: Sequence[int] | None = None,
                   height: int | None = None, clause_height: int | None = None) -> Tables:  # fmt: skip
    """The tables of the documents: numbered 0, 1, … with their clauses deduplicated by id as a corpus's are, or, to be
    merged into a saved version, at the given document rows and first clause rows of tables of the given heights."""
    if rows is None:
        clauses = list({clause.clause_id: clause for document in documents for clause in document.clauses}.values())
        clause_numbers = list(range(len(clauses)))
        rows, height, clause_height = range(len(documents)), len(documents), len(clauses)
    else:
        clauses = [clause for document in documents for clause in document.clauses]
        clause_numbers = [first + n for document, first in zip(documents, clause_rows or ()) for n in range(len(document.clauses))]
    heading_terms = _Terms()
    for number, clause in zip(clause_numbers, clauses):
        heading_terms.add_all(set(bigrams(clause.heading + "".join(target.metric for target in clause.targets))), number)
    roles, units, titles, runs, years = _Terms(), _Terms(), _Terms(), _Terms(), _Terms()
    unit_keys: dict[str, str] = {}
    department_keys: dict[str, str] = {}
    last = {document.doc_id: row for document, row in zip(documents, rows)}
    for document, row in zip(documents, rows):
        first_names: dict[str, str] = {}
        for position, clause in enumerate(document.clauses):
            if not clause.units:
                continue
            for name in clause.units.all():
                first_names.setdefault(_cached(unit_keys, unit_key, name), name)
            for role in ROLES:
                names = getattr(clause.units, role) if role else clause.units.all()
                for department in dict.fromkeys(_cached(department_keys, department_key, name) for name in names):
                    roles.add(f"{role}\t{department}", row, position)
        for key, name in first_names.items():
            units.add(key, row, label=name)
        title = nfkc(document.title)
        titles.add_all({title[i : i + 2] for i in range(len(title) - 1) if not title[i : i + 2].isspace()}, row)
        if last[document.doc_id] == row:
            runs.add_all({title[start : start + TITLE_RUN] for start in range(len(title) - TITLE_RUN + 1)}, row)
        text = nfkc("\n".join([document.title, document.date, *(clause.text for clause in document.clauses)]))
        years.add_all({run[start : start + 4] for run in _DIGITS.findall(text) for start in range(len(run) - 3)}, row)
    return Tables(
        heading_terms.postings(clause_height), roles.postings(height), units.postings(height), titles.postings(height),
        runs.postings(height), years.postings(height),
    )  # fmt: skip


class _Terms:
    """Entries of a table as they are found: (term, row, value, label)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.columns, self.rows, self.values, self.labels = array("i"), array("i"), array("i"), []

    def add(self, term: str, row: int, value: int = 0, label: str | None = None) -> None:
        self.columns.append(self.numbers.setdefault(term, len(self.numbers)))
        self.rows.append(row)
        self.values.append(value)
        if label is not None:
            self.labels.append(label)

    def add_all(self, terms: Iterable[str], row: int) -> None:
        found = [self.numbers.setdefault(term, len(self.numbers)) for term in terms]
        self.columns.extend(found)
        self.rows.extend([row] * len(found))
        self.values.extend([0] * len(found))

    def postings(self, height: int) -> Postings:
        return Postings.of(list(self.numbers), self.columns, self.rows, self.values, height, self.labels)


def lookups(documents: tuple[Document, ...]) -> Lookups:
    """The lookups of a corpus: as its saved version was read (`remember`), else computed at the first question;
    kept while its tuple of documents is (up to KEPT_CORPORA at once: an app following new versions lets the old ones
    go). Answers run in threads: a corpus is computed once however many ask at once, and computing one never holds up
    questions on another."""
    entry = _entry(documents)
    if entry.lookups is None:
        with entry.computing:
            if entry.lookups is None:
                entry.lookups = _computed(documents)
    return entry.lookups


def remember(documents: tuple[Document, ...], tables: Tables) -> None:
    """Keep the lookups of a corpus from tables read with its version (its first question computes none)."""
    entry = _entry(documents)
    with entry.computing:
        entry.lookups = Lookups.of(documents, tables)


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
    return Lookups.of(documents, compute_tables(documents))


def _cached(known: dict[str, str], compute, name: str) -> str:
    if name not in known:
        known[name] = compute(name)
    return known[name]


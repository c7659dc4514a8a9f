"""Retrieval: lexical, dense and heading channels fused by reciprocal rank, restricted to named documents."""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.records import Query
from corpus import Clause
from corpus.structure import without_number
from corpus.text import nfkc
from index.lookups import bigrams, lookups

if TYPE_CHECKING:
    from index import CorpusIndex

RRF_K = 60
# Channel weights for reciprocal-rank fusion; lexical and heading measured on eval/questions.jsonl (README),
# dense not measurable here (no Chinese embedding model loads on these machines).
WEIGHTS = {"lexical": 1.0, "heading": 1.0, "dense": 0.5}
CANDIDATES = 30
# The fused shortlist is re-ranked by how much of the task each clause covers, worth this many first-rank votes
# (chosen on the tuning questions, README "Accuracy").
RERANK_DEPTH = 10
COVERAGE_WEIGHT = 2.0
# The heading channel votes only for headings that spell out at least this share of the task (or of
# themselves): a paraphrase that shares a word or two with many headings must not outvote BM25.
HEADING_MIN_SHARE = 0.5
# A question quoting a section's title this long ("职责分工", "强化组织领导") asks about that section.
MIN_SECTION_TITLE = 4
MAX_SECTION_TITLE = 16
# A title quoted this long is the section's own words; a shorter one must be referred to as a place in the document
# ("职责分工中", "保障措施部分"), not be words of the task ("…资金保障工作") (chosen on the tuning questions).
MIN_QUOTED_TITLE = 8
_WITHIN = r"中|里|部分|一节|一章|一条|章节|的规定|规定"


@dataclass(frozen=True)
class Ranked:
    """A clause with its fused score and how much of the question's task it covers (0..1)."""

    clause: Clause
    score: float
    coverage: float


def retrieve(query: Query, index: CorpusIndex, k: int = 5, doc_ids: tuple[str, ...] | None = None) -> list[Ranked]:
    """The k clauses that best answer a query, best first."""
    allowed = set(doc_ids if doc_ids is not None else query.doc_ids) or None
    text = query.task or nfkc(query.question)
    rankings = {"lexical": [hit.clause_id for hit in index.search_lexical(text, CANDIDATES, allowed)]}
    fused_there: dict[str, float] = {}  # the Milvus backend with a model: BM25 and dense fused in the collection
    if index.hybrid:
        hits = index.search_hybrid(text, query.question, CANDIDATES, allowed, round(WEIGHTS["lexical"] / WEIGHTS["dense"]))
        fused_there = {hit.clause_id: WEIGHTS["lexical"] * hit.score for hit in hits}
        rankings["hybrid"] = [hit.clause_id for hit in hits]
    rankings["heading"] = _heading_ranking(text, index, allowed)
    if index.dense is not None and not index.hybrid:
        rankings["dense"] = [hit.clause_id for hit in index.search_dense(query.question, CANDIDATES, allowed)]
    sections = _named_sections(nfkc(query.question), index, allowed)
    if sections:  # "职责分工中,…由哪些部门牵头?": the clauses of the section the question names
        within = {channel: [c for c in ranking if index.clauses_by_id[c].label.startswith(sections)] for channel, ranking in rankings.items()}
        rankings = within if any(within.values()) else rankings
    fused: dict[str, float] = {}
    for channel, ranking in rankings.items():
        if channel == "lexical" and index.hybrid:
            continue  # voted in the hybrid ranking; BM25's own first clause is still _whole_first's
        for rank, clause_id in enumerate(ranking):
            vote = fused_there[clause_id] if channel == "hybrid" else WEIGHTS[channel] / (RRF_K + rank + 1)
            fused[clause_id] = fused.get(clause_id, 0.0) + vote
    shortlist = sorted(fused.items(), key=lambda item: -item[1])[:RERANK_DEPTH]
    ranked = [
        Ranked(index.clauses_by_id[clause_id], score, coverage(text, index.clauses_by_id[clause_id], index))
        for clause_id, score in shortlist
    ]
    ranked = sorted(ranked, key=lambda r: -(r.score + COVERAGE_WEIGHT * r.coverage / (RRF_K + 1)))[:k]
    return _whole_first(query, ranked, rankings["lexical"][:1], index)


def _whole_first(query: Query, ranked: list[Ranked], lexical_first: list[str], index: CorpusIndex) -> list[Ranked]:
    """BM25's first clause, when it uses every word of the question and the fused first does not, comes first."""
    if not lexical_first or not ranked or ranked[0].clause.clause_id == lexical_first[0]:
        return ranked
    first = next((r for r in ranked if r.clause.clause_id == lexical_first[0]), None)
    if first is None or term_coverage(query.terms, first.clause, index) < 1.0 or term_coverage(query.terms, ranked[0].clause, index) >= 1.0:
        return ranked
    return [first] + [r for r in ranked if r is not first]


def _named_sections(question: str, index: CorpusIndex, allowed: set[str] | None) -> tuple[str, ...]:
    """The heading paths of the sections of the named documents whose title the question quotes ("职责分工")."""
    if not allowed:
        return ()
    named = []
    for document in index.documents:
        if document.doc_id not in allowed:
            continue
        for clause in document.clauses:
            title = re.split(r"[。:;,]", without_number(nfkc(clause.heading)))[0].strip()
            if MIN_SECTION_TITLE <= len(title) <= MAX_SECTION_TITLE and title in question and (
                len(title) >= MIN_QUOTED_TITLE or re.search(rf"{re.escape(title)}(?:{_WITHIN})", question)
            ):
                named.append(clause.label)
    return tuple(named)


def coverage(task: str, clause: Clause, index: CorpusIndex) -> float:
    """IDF-weighted share of the task's character bigrams found in the clause (its heading path included)."""
    grams = bigrams(task)
    if not grams:
        return 0.0
    haystack = re.sub(r"\s+", "", nfkc(clause.label + clause.text))  # "张　勇" in a member list is 张勇
    total = found = 0.0
    for gram in set(grams):
        weight = idf(gram, index)
        total += weight
        if gram in haystack:
            found += weight
    return found / total if total else 0.0


def term_coverage(terms: tuple[tuple[str, str], ...], clause: Clause, index: CorpusIndex) -> float:
    """IDF-weighted share of the question's words (two characters or more) that the clause uses, abbreviated or not.

    A word the corpus never uses weighs most: a task the documents do not have ("新能源汽车") is not covered by
    a clause that shares only its common words ("产业", "质量", "提升").
    """
    haystack = re.sub(r"\s+", "", nfkc(clause.label + clause.text))
    chunks = len(index.chunks)
    total = found = 0.0
    for word in {word for word, _flag in terms if len(word) >= 2}:
        weight = math.log((chunks + 1) / (index.lexical.document_frequency(word) + 0.5))
        total += weight
        if word in haystack or re.search(".{0,3}".join(map(re.escape, word)), haystack):
            found += weight
    return found / total if total else 1.0


def idf(gram: str, index: CorpusIndex) -> float:
    """Inverse document frequency of a bigram over the index's chunks."""
    chunks = len(index.chunks)
    return math.log((chunks + 1) / (index.lexical.document_frequency(gram) + 0.5))


def _heading_ranking(text: str, index: CorpusIndex, allowed: set[str] | None) -> list[str]:
    """Clauses ranked by how much of the task their heading (and target metrics) spell out."""
    grams = set(bigrams(text))
    if not grams:
        return []
    found = lookups(index.documents)
    overlap = found.headings.overlap(grams)
    sizes = found.headings.sizes
    chosen = (overlap >= 2) & (overlap >= HEADING_MIN_SHARE * np.minimum(len(grams), sizes))
    mask = found.allowed_clauses(allowed)
    if mask is not None:
        chosen &= mask
    rows = np.flatnonzero(chosen)
    scores = overlap[rows] / len(grams) + overlap[rows] / (sizes[rows] + 1) * 0.01
    scored = heapq.nlargest(CANDIDATES, zip(scores.tolist(), (found.clauses[row].clause_id for row in rows)))
    return [clause_id for _score, clause_id in scored]

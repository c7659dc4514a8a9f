"""At scale: the lookups computed once give what a pass over every clause gives, top-k by clause equals a full sort,
and `python -m eval bench` reports every figure (timings are the benchmark's business, never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import PROJECT

TASKS = ("推进检验检测技术平台建设", "提升工程质量管理能力", "产品质量监督抽查合格率", "加强宣传引导", "质量", "开展")


def _heading_oracle(text, index, allowed):
    """The heading channel as it was computed before the lookups: every clause's bigrams at query time."""
    from assistant.retrieval import CANDIDATES, HEADING_MIN_SHARE, bigrams

    grams = set(bigrams(text))
    scored = []
    for clause in index.clauses_by_id.values():
        if allowed and clause.doc_id not in allowed:
            continue
        heading = set(bigrams(clause.heading + "".join(target.metric for target in clause.targets)))
        overlap = len(grams & heading)
        if overlap >= 2 and overlap >= HEADING_MIN_SHARE * min(len(grams), len(heading)):
            scored.append((overlap / len(grams) + overlap / (len(heading) + 1) * 0.01, clause.clause_id))
    scored.sort(reverse=True)
    return [clause_id for _score, clause_id in scored[:CANDIDATES]]


@pytest.mark.parametrize("task", TASKS)
def test_heading_channel_from_lookups_equals_a_pass_over_every_clause(index, task):
    from assistant.retrieval import _heading_ranking

    some = {index.documents[0].doc_id, index.documents[3].doc_id}
    for allowed in (None, some, {"no-such-document"}):
        assert _heading_ranking(task, index, allowed) == _heading_oracle(task, index, allowed)


def test_lookups_are_computed_once_per_corpus(index):
    from index.lookups import lookups

    assert lookups(index.documents) is lookups(index.documents)
    assert lookups(tuple(index.documents)) is lookups(index.documents)  # tuple() of a tuple is the same object
    assert lookups(index.documents[:2]) is not lookups(index.documents)


def test_listed_unit_and_listing_from_lookups_equal_a_pass_over_every_clause(index, docs):
    from index.lookups import lookups
    from corpus.unitnames import department_key, unit_key

    found = lookups(index.documents)
    for document in index.documents:
        for clause in document.clauses:
            for name in clause.units.all():
                assert unit_key(name) in found.unit_names
    first = {}
    for document in index.documents:
        for clause in document.clauses:
            for name in clause.units.all():
                first.setdefault(unit_key(name), name)
    assert found.unit_names == first
    for role in ("", "lead", "cooperate", "responsible"):
        for key in {department_key(name) for clause in index.clauses_by_id.values() for name in clause.units.all()}:
            expected = [
                (number, position)
                for number, document in enumerate(index.documents)
                for position, clause in enumerate(document.clauses)
                if any(department_key(n) == key for n in (getattr(clause.units, role) if role else clause.units.all()))
            ]
            assert list(found.by_unit(role, key)) == expected


def test_lexical_top_clauses_equal_a_stable_sort_of_every_chunk(index):
    """Oracle: the whole-corpus stable argsort, the best piece of each clause, as search_lexical used to rank."""
    for task in TASKS + ("许昌市质监局", "不存在的词语"):
        tokens = index.lexical.query_tokens(task)
        scores = index.lexical.scores(tokens)
        for doc_ids in (None, {index.documents[1].doc_id, index.documents[4].doc_id}):
            masked = scores if doc_ids is None else np.where([c.doc_id in doc_ids for c in index.chunks], scores, 0.0)
            best = {}
            for number in np.argsort(-masked, kind="stable"):
                if masked[number] > 0:
                    clause_id = index.chunks[number].clause_id
                    best.setdefault(clause_id, float(masked[number]))
            expected = sorted(best.items(), key=lambda item: -item[1])
            for k in (1, 5, 30):
                hits = index.search_lexical(task, k, doc_ids)
                assert [(hit.clause_id, hit.score) for hit in hits] == expected[:k]


def test_the_year_lookup_equals_a_search_of_the_text(index):
    """Oracle: the year written in a document's title, date or clauses (a document's own year is attested)."""
    from index.lookups import lookups
    from corpus.text import nfkc

    def written(document, year):
        return year in nfkc("\n".join([document.title, document.date, *(clause.text for clause in document.clauses)]))

    found = lookups(index.documents)
    for year in range(2010, 2031):
        for scope in (index.documents, index.documents[:1], index.documents[2:4]):
            assert found.mention(scope, str(year)) == any(written(document, str(year)) for document in scope)


def test_questions_of_the_bench_name_the_documents_of_the_library():
    from eval.synthetic import INTENTS, questions

    asked = questions(100)
    assert {item.intent for item in asked} == set(INTENTS)
    assert questions(100) == asked  # deterministic
    assert not any("许昌" in item.text or "宣城" in item.text for item in asked)


def test_bench_json_reports_every_figure(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "eval", "bench", "--sizes", "1", "--json", "--keep", str(tmp_path), "--repeat", "1",
         "--cold-runs", "1"],
        capture_output=True, text=True, cwd=PROJECT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["sizes"]["1"]
    assert figures["documents"] == 1 and figures["chunks"] >= figures["clauses"] > 0
    assert figures["build_s"] > 0 and figures["build_peak_rss_mb"] > 0 and figures["index_mb"] > 0
    assert figures["cold_start_s"] > 0 and figures["cold_start_rss_mb"] > 0 and figures["add_one_s"] > 0
    assert {"all", "no place", "target"} <= set(figures["latency_ms"])
    for latency in [*figures["latency_ms"].values(), figures["bm25s_ms"]]:
        assert latency["n"] > 0 and 0 <= latency["p50"] <= latency["p95"] <= latency["p99"]
    users = figures["users"]
    assert users["documents"] == 1 and users["one"]["users"] == 1 and users["many"]["users"] == 16
    for run in (users["one"], users["many"]):
        assert run["errors"] == {} and run["answered"] == run["turns"] == 16 * users["questions_per_user"]
    assert sorted(path.stem for path in (tmp_path / "1" / "library").glob("*.txt")) == ["synthetic-00000-huangshi"]


def test_opening_freezes_the_records_and_leaves_the_collector_as_it_was(corpus_dir, tmp_path):
    """The records of a loaded version are out of the collector's generations (a full collection walked them all);
    the collector is enabled after opening if, and only if, it was before."""
    import gc

    from index import open_index

    index = open_index(corpus_dir, tmp_path / "index", None)
    assert gc.isenabled()
    assert gc.get_freeze_count() > len(index.chunks)
    walked = {id(thing) for thing in gc.get_objects()}  # the generations a collection walks (not the frozen ones)
    assert not walked & {id(document) for document in index.documents} and not walked & {id(chunk) for chunk in index.chunks}
    gc.disable()
    try:
        open_index(corpus_dir, tmp_path / "index", None)
        assert not gc.isenabled()
    finally:
        gc.enable()

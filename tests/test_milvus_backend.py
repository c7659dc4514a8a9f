"""BM25 and facts in the Milvus collection, on the real documents: its BM25 function scores what the local BM25 scores,
the seed questions answer the same from it without a model, and a second server with nothing local (no index folder,
no documents) opens the index from the collection alone and answers every seed question as the first one does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import answer
from assistant.cli import answer_json
from eval.metrics import summarize
from eval.report import evaluate
from index import open_index
from index.milvus import FOLDER, LITE_FILE
from index.milvus_rows import COLLECTION, token_text
from index.milvus_state import read_state

PROJECT = Path(__file__).resolve().parent.parent
XUCHANG = "xuchang-2013-action-plan"
HUANGSHI = "huangshi-2015-quality-city-opinions"
QUERIES = ("计量惠民专项行动", "由谁牵头开展品牌建设", "产品质量监督抽查合格率达到多少", "食品安全", "标准化", "2015年合格率达到96%")


@pytest.fixture(scope="module")
def pair(corpus_dir, tmp_path_factory, milvus_runs):
    """One index folder of the seed documents without a model, opened on the default backend and on Milvus Lite."""
    folder = tmp_path_factory.mktemp("backend") / "built"
    return open_index(corpus_dir, folder, None), open_index(corpus_dir, folder, None, vector_store="milvus")


def test_bm25_in_milvus_scores_what_the_local_bm25_scores(pair):
    local, milvus = pair
    assert (milvus.vector_store, milvus.dense, milvus.hybrid) == ("milvus", None, False)
    assert milvus.collection.client.query(COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"] == 133
    for query in QUERIES:
        for doc_ids in (None, {XUCHANG}, {XUCHANG, HUANGSHI}):
            expected, got = local.search_lexical(query, 10, doc_ids), milvus.search_lexical(query, 10, doc_ids)
            assert expected and [hit.clause_id for hit in got] == [hit.clause_id for hit in expected], query
            assert [hit.score for hit in got] == pytest.approx([hit.score for hit in expected], abs=1e-4)
    assert milvus.search_lexical(QUERIES[0], 5, {"no-such-document"}) == []


def test_every_token_reaches_milvus_lites_analyzer_whole():
    from milvus_lite.analyzer.factory import create_analyzer

    tokens = ["质量", "3.5%", "GDP", "∅", "iso", "2015", "质量"]
    read = create_analyzer({"tokenizer": "standard"}).tokenize(token_text(tokens))
    assert read == ["质量", "_332e3525", "_474450", "_e28885", "iso", "2015", "质量"]


def test_the_seed_questions_answer_the_same_from_the_collection(pair, seed_items):
    local, milvus = pair
    on_local, on_milvus = [evaluate(item, local) for item in seed_items], [evaluate(item, milvus) for item in seed_items]
    assert round(summarize(on_local)["accuracy"], 3) == round(summarize(on_milvus)["accuracy"], 3) == 0.978
    assert [a.answer.answer for a in on_milvus] == [a.answer.answer for a in on_local]


@pytest.fixture(scope="module")
def servers(corpus_dir, tmp_path_factory, milvus_runs):
    """A first server that builds the index over a copy of the seeds into a shared Milvus Lite file, and a second one
    given only that file: an index folder that does not exist, a document folder that does not exist."""
    place = tmp_path_factory.mktemp("servers")
    shutil.copytree(corpus_dir, place / "documents")
    shared = str(place / "shared.db")
    first = open_index(place / "documents", place / "built", None, vector_store="milvus", milvus_uri=shared)
    second = open_index(place / "nothing" / "documents", place / "nothing" / "index", None, vector_store="milvus", milvus_uri=shared)
    assert not (place / "nothing").exists()  # it wrote nothing local
    return place, first, second


def test_a_second_server_with_nothing_local_answers_as_the_first(servers, seed_items):
    _place, first, second = servers
    assert (second.vector_store, second.index_dir, second.corpus_dir, second.generation) == ("milvus", None, None, first.generation)
    assert second.documents == first.documents  # records, texts, clauses, units by role, targets, assignments
    assert second.chunks == first.chunks and second.lexical.user_words == first.lexical.user_words
    assert all(second.lexical.document_frequency(word) == first.lexical.document_frequency(word) for word in first.lexical.counts.vocab)
    clause = next(c for c in second.documents[[d.doc_id for d in second.documents].index(XUCHANG)].clauses if c.heading.startswith("21."))
    assert clause.label.startswith("六、") and clause.units.lead == ("市质监局",)
    for item in seed_items:
        expected = answer_json(answer(item.q, first, history=item.history))
        assert answer_json(answer(item.q, second, history=item.history)) == expected, item.q


def test_the_second_server_follows_a_removed_and_a_re_added_document(servers):
    place, first, second = servers
    moved = next((place / "documents").glob("huangshi*"))
    moved.rename(place / moved.name)
    try:
        smaller = open_index(place / "documents", place / "built", None, vector_store="milvus", milvus_uri=first.collection.uri)
        assert [d.doc_id for d in second.current().documents] == [d.doc_id for d in smaller.documents]
        assert HUANGSHI not in {d.doc_id for d in second.current().documents}
    finally:
        (place / moved.name).rename(moved)
    again = open_index(place / "documents", place / "built", None, vector_store="milvus", milvus_uri=first.collection.uri)
    followed = second.current()
    assert followed.generation == again.generation == first.generation + 2 and followed.documents == again.documents
    assert all(followed.lexical.document_frequency(w) == again.lexical.document_frequency(w) for w in again.lexical.counts.vocab)
    for query in QUERIES:
        assert followed.search_lexical(query, 10) == again.search_lexical(query, 10)
    state = read_state(again.collection.client)
    assert [held.slot for held in state.documents if held.doc_id == HUANGSHI] == [5] and state.slots_used == 6


def test_the_second_servers_app_answers_and_lists_the_documents_over_http(servers):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from app import build_app
    from ui.api import build_api

    _place, first, second = servers
    build_app(second)  # the 文件 tab of a server with no library says so instead of adding or removing
    api = FastAPI()
    api.include_router(build_api(second))
    client = TestClient(api)
    body = client.post("/api/ask", json={"question": "许昌市推进检验检测技术平台建设由哪个部门牵头?"}).json()
    assert body["departments"]["lead"] == ["市质监局"]
    assert [row["doc_id"] for row in client.get("/api/documents").json()] == [d.doc_id for d in first.current().documents]


def test_milvus_uri_names_the_collections_place(corpus_dir, tmp_path, milvus_runs):
    elsewhere = tmp_path / "shared.db"
    index = open_index(corpus_dir, tmp_path / "built", None, vector_store="milvus", milvus_uri=str(elsewhere))
    assert index.collection.uri == str(elsewhere) and elsewhere.exists()
    assert not (tmp_path / "built" / FOLDER / LITE_FILE).exists()
    state = read_state(index.collection.client)  # kept in Milvus, beside the collection
    assert (state.dimension, state.version.generation, len(state.documents)) == (0, index.generation, 5)


ASK = """
import sys
from assistant.cli import main
status = main(["ask", "--json", "--embed-model", "off", "--backend", "milvus", "--index", sys.argv[1],
               "--milvus-uri", sys.argv[2], "许昌市开展计量惠民专项行动由哪个部门牵头?"])
print(sorted(name for name in ("pymilvus", "faiss", "torch") if name in sys.modules), file=sys.stderr)
sys.exit(status)
"""


def test_ask_answers_from_the_collection_named_on_the_command_line(tmp_path, milvus_runs):
    result = subprocess.run(
        [sys.executable, "-c", ASK, str(tmp_path / "index"), str(tmp_path / "cli.db")],
        capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["departments"]["lead"] == ["市质监局"]
    imported = result.stderr.strip().splitlines()[-1]
    assert "pymilvus" in imported and "torch" not in imported and (tmp_path / "cli.db").exists()


def test_a_second_server_whose_milvus_cannot_be_reached_says_so_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--embed-model", "off", "--backend", "milvus", "--milvus-uri",
         "http://127.0.0.1:9", "--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "documents"), "由谁牵头?"],
        capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=180,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: 本机没有索引和文件,只能从 Milvus 回答,但无法打开 http://127.0.0.1:9,无法连接: MilvusException;请检查 --milvus-uri"
    )
    assert not (tmp_path / "index").exists()


def test_nothing_local_and_no_collection_is_refused_in_chinese(tmp_path):
    with pytest.raises(FileNotFoundError, match="本机没有索引和文件,而 Milvus Lite 文件 .* 不存在"):
        open_index(tmp_path / "documents", tmp_path / "index", None, vector_store="milvus", milvus_uri=str(tmp_path / "none.db"))
    assert not (tmp_path / "index").exists() and not (tmp_path / "none.db").exists()

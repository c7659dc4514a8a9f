"""The two vector stores on the real documents: Milvus Lite finds what FAISS finds, follows adds and removals, and the
question sets score the same on both (with index.testmodel, a model built here: not semantic, but real vectors)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eval.inputs import read_items
from eval.metrics import summarize
from eval.report import evaluate
from index import open_index
from index.milvus import COLLECTION, FOLDER
from index.milvus_state import read_state

PROJECT = Path(__file__).resolve().parent.parent
XUCHANG = "xuchang-2013-action-plan"
HUANGSHI = "huangshi-2015-quality-city-opinions"
QUERIES = ("计量惠民专项行动", "由谁牵头开展品牌建设", "产品质量监督抽查合格率达到多少", "食品安全", "标准化")


@pytest.fixture(scope="module")
def both(corpus_dir, tmp_path_factory, test_model, milvus_runs):
    """One index folder of the seed documents, opened with FAISS and with Milvus Lite."""
    folder = tmp_path_factory.mktemp("stores") / "built"
    faiss_index = open_index(corpus_dir, folder, test_model, vector_store="faiss")
    milvus_index = open_index(corpus_dir, folder, test_model, vector_store="milvus")
    assert (faiss_index.vector_store, milvus_index.vector_store) == ("faiss", "milvus")
    assert milvus_index.rebuilt_because == ""  # the vectors are saved once; the store is a choice at opening
    return faiss_index, milvus_index


def _assert_same_hits(got, expected) -> None:
    """The same clauses in the same order, the scores equal to float32 rounding."""
    assert [hit.clause_id for hit in got] == [hit.clause_id for hit in expected]
    assert [hit.score for hit in got] == pytest.approx([hit.score for hit in expected], abs=1e-5)


def _ranked(index, query, k, allowed=None):
    return index.dense.search(query, index.embedder, k, allowed)


def test_milvus_finds_what_faiss_finds(both):
    faiss_index, milvus_index = both
    assert milvus_index.dense.size == faiss_index.dense.size == len(faiss_index.chunks) == 133
    in_xuchang = np.array([chunk.doc_id == XUCHANG for chunk in faiss_index.chunks])
    cut = np.zeros(len(faiss_index.chunks), bool)
    cut[5:40] = True  # a mask that cuts documents: filtered by chunk ids, not by documents
    for query in QUERIES:
        for allowed in (None, in_xuchang, cut):
            expected, got = _ranked(faiss_index, query, 10, allowed), _ranked(milvus_index, query, 10, allowed)
            assert [number for number, _ in got] == [number for number, _ in expected], query
            assert np.allclose([score for _, score in got], [score for _, score in expected], atol=1e-5)
        hits = milvus_index.search_dense(query, 4, {XUCHANG})
        assert len(hits) == 4 and all(hit.clause_id.startswith(XUCHANG + "#") for hit in hits)
        _assert_same_hits(hits, faiss_index.search_dense(query, 4, {XUCHANG}))
    assert milvus_index.search_dense(QUERIES[0], 5, {"no-such-document"}) == []


def test_the_seed_questions_score_the_same_on_both_stores(both, seed_items):
    faiss_index, milvus_index = both
    on_faiss = [evaluate(item, faiss_index) for item in seed_items]
    on_milvus = [evaluate(item, milvus_index) for item in seed_items]
    accuracy = summarize(on_faiss)["accuracy"], summarize(on_milvus)["accuracy"]
    assert milvus_index.hybrid and abs(accuracy[0] - accuracy[1]) <= 0.01 and min(accuracy) >= 0.95, accuracy
    same = sum(a.answer.answer == b.answer.answer for a, b in zip(on_faiss, on_milvus))
    assert same == len(seed_items)  # exact search on both: the same answer to every question


def test_milvus_follows_a_removed_and_a_re_added_document(corpus_dir, tmp_path, test_model, milvus_runs):
    corpus = tmp_path / "documents"
    shutil.copytree(corpus_dir, corpus)
    folder = tmp_path / "built"
    full = open_index(corpus, folder, test_model, vector_store="milvus")
    state = read_state(full.collection.client)
    assert sorted(held.slot for held in state.documents) == [0, 1, 2, 3, 4]
    assert full.collection.uri == str(folder / FOLDER / "lite.db") and state.dimension == 64

    moved = next(corpus.glob("huangshi*"))
    moved.rename(tmp_path / moved.name)
    smaller = open_index(corpus, folder, test_model, vector_store="milvus")
    assert HUANGSHI not in {document.doc_id for document in smaller.documents}
    rows = smaller.dense.client.query(COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"]
    assert rows == len(smaller.chunks) < len(full.chunks)
    assert smaller.dense.client.query(COLLECTION, filter=f'doc_id == "{HUANGSHI}"', output_fields=["id"]) == []

    (tmp_path / moved.name).rename(moved)
    again = open_index(corpus, folder, test_model, vector_store="milvus")
    after = {held.key: held.slot for held in read_state(again.collection.client).documents}
    kept = {held.key: held.slot for held in state.documents if held.doc_id != HUANGSHI}
    assert {key: after[key] for key in kept} == kept  # the others were not inserted again
    assert [slot for key, slot in after.items() if HUANGSHI in key] == [5]
    fresh = open_index(corpus, folder, test_model, vector_store="faiss")
    lexical = open_index(corpus, folder, None, vector_store="faiss")
    for query in QUERIES:
        _assert_same_hits(again.search_dense(query, 5), fresh.search_dense(query, 5))
        _assert_same_hits(again.search_dense(query, 3, {HUANGSHI}), fresh.search_dense(query, 3, {HUANGSHI}))
        # BM25 in Milvus Lite counts each segment's own statistics: the documents left in place score as a fresh
        # build (their segment still counts the removed rows, as the fresh build counts the re-added ones)
        _assert_same_hits(again.search_lexical(query, 5, {XUCHANG}), lexical.search_lexical(query, 5, {XUCHANG}))
        assert {hit.clause_id for hit in again.search_lexical(query, 5, {HUANGSHI})} == {
            hit.clause_id for hit in lexical.search_lexical(query, 5, {HUANGSHI})
        }


HOLD = """
import sys, time
from pymilvus import MilvusClient
client = MilvusClient(sys.argv[1])
print("holding", flush=True)
time.sleep(120)
"""


def test_a_milvus_file_held_by_another_process_falls_back_to_faiss(corpus_dir, tmp_path, test_model, milvus_runs, capfd):
    folder = tmp_path / "built"
    (folder / FOLDER).mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder / FOLDER / "lite.db")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        capfd.readouterr()
        index = open_index(corpus_dir, folder, test_model, vector_store="milvus")
        errors = capfd.readouterr().err.splitlines()
    finally:
        holder.kill()
        holder.wait()
    assert index.vector_store == "faiss" and index.dense.size == len(index.chunks) == 133 and index.collection is None
    assert [line for line in errors if not line.startswith("index: ")] == [
        f"后端: Milvus 不可用(无法打开 {folder / FOLDER / 'lite.db'},可能正被另一个进程使用: ConnectionConfigException),"
        "改用本地索引(同一份已保存的 BM25 与向量)"
    ]


LEXICAL_ONLY = """
import sys
from assistant.cli import main
status = main(["ask", "--json", "--embed-model", "off", "--index", sys.argv[1], "许昌市开展计量惠民专项行动由哪个部门牵头?"])
print(sorted(name for name in ("pymilvus", "milvus_lite", "faiss", "torch") if name in sys.modules), file=sys.stderr)
sys.exit(status)
"""


def test_the_default_backend_never_imports_pymilvus(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", LEXICAL_ONLY, str(tmp_path / "index")],
        capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["departments"]["lead"] == ["市质监局"]
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_an_unknown_backend_is_refused_in_chinese(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--index", str(tmp_path / "index"), "问题?"],
        capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "PQA_VECTOR_STORE": "annoy"}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == "error: 未知的后端 'annoy'(PQA_BACKEND / PQA_VECTOR_STORE):可选 faiss、milvus"


def test_the_vector_store_bench_reports_both_stores_side_by_side(tmp_path, milvus_runs):
    done = subprocess.run(
        [sys.executable, "-m", "eval", "bench", "--vector-stores", "faiss,milvus", "--documents", "5", "--json",
         "--keep", str(tmp_path)],
        capture_output=True, text=True, cwd=PROJECT, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["documents"], result["clauses"], result["chunks"]) == (5, 125, 133)
    assert [(store["store"], store["kind"]) for store in result["stores"]] == [("faiss", "IndexFlatIP"), ("milvus", "FLAT")]
    for store in result["stores"]:
        assert store["exact_top10"] == 1.0  # both search exactly at this size
        assert store["build_s"] > 0 and store["peak_rss_mb"] > 0
        for name in ("top10_ms", "top10_one_document_ms", "depth_ms", "depth_one_document_ms", "bm25_ms", "bm25_one_document_ms"):
            assert store[name]["n"] == result["questions"] > 0 and 0 < store[name]["p50"] <= store[name]["p95"]
    assert result["stores"][0]["hybrid_ms"] is None and result["stores"][1]["hybrid_ms"]["n"] == result["questions"]
    assert result["stores"][1]["disk_mb"] > 0 and len(list((tmp_path / "vectors").glob("*.npy"))) == 5


def _seed_answers(index) -> list[dict]:
    from dataclasses import asdict

    from assistant import answer

    items, _problems = read_items(PROJECT / "eval" / "questions.jsonl")
    return [asdict(answer(item.q, index)) for item in items]


def test_the_faiss_index_is_saved_with_its_version_and_read_not_built_again(corpus_dir, tmp_path, test_model, monkeypatch):
    folder = tmp_path / "built"
    built = open_index(corpus_dir, folder, test_model, vector_store="faiss")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    saved = f"{manifest['lexical']}/dense.faiss"
    assert saved in manifest["files"] and saved in manifest["checksums"]
    monkeypatch.setattr("index.dense.DenseIndex.from_vectors", lambda vectors: pytest.fail("FAISS built again on open"))
    reopened = open_index(corpus_dir, folder, test_model, vector_store="faiss")
    assert reopened.rebuilt_because == "" and reopened.dense.size == len(reopened.chunks) == len(built.chunks)
    for query in QUERIES:
        _assert_same_hits(reopened.search_dense(query, 8), built.search_dense(query, 8))
    assert _seed_answers(reopened) == _seed_answers(built)


def test_a_document_added_then_removed_leaves_the_saved_faiss_answering_as_before(corpus_dir, tmp_path, test_model):
    from assistant.library import add_documents, remove_documents
    from index.dense import load_embedder

    corpus, folder = tmp_path / "documents", tmp_path / "built"
    shutil.copytree(corpus_dir, corpus)
    moved = next(corpus.glob("huangshi*"))
    moved.rename(tmp_path / moved.name)
    before = open_index(corpus, folder, test_model, vector_store="faiss")
    embedder, _status = load_embedder(test_model)
    added = add_documents([tmp_path / moved.name], corpus, folder, embedder=embedder, model=test_model)
    grown = open_index(corpus, folder, test_model, vector_store="faiss")
    assert added.committed and grown.rebuilt_because == "" and grown.dense.size == len(grown.chunks) > len(before.chunks)
    assert (folder / f"gen-{added.generation:06d}" / "dense.faiss").is_file()
    hits = grown.search_dense(QUERIES[0], 3, {HUANGSHI})
    assert hits and all(hit.clause_id.startswith(HUANGSHI + "#") for hit in hits)
    remove_documents([HUANGSHI], corpus, folder, embedder=embedder, model=test_model)
    after = open_index(corpus, folder, test_model, vector_store="faiss")
    assert after.rebuilt_because == "" and after.chunks == before.chunks
    for query in QUERIES:
        _assert_same_hits(after.search_dense(query, 8), before.search_dense(query, 8))
    assert _seed_answers(after) == _seed_answers(before)


def test_a_damaged_saved_faiss_index_is_detected_and_rebuilt(corpus_dir, tmp_path, test_model):
    folder = tmp_path / "built"
    built = open_index(corpus_dir, folder, test_model, vector_store="faiss")
    path = folder / "gen-000001" / "dense.faiss"
    data = bytearray(path.read_bytes())
    data[-256:] = bytes(256)  # the same size: only its checksum tells
    path.write_bytes(bytes(data))
    repaired = open_index(corpus_dir, folder, test_model, vector_store="faiss")
    assert repaired.rebuilt_because == "damaged file gen-000001/dense.faiss (checksum differs)"
    for query in QUERIES:
        _assert_same_hits(repaired.search_dense(query, 8), built.search_dense(query, 8))
    assert open_index(corpus_dir, folder, test_model, vector_store="faiss").rebuilt_because == ""

"""BM25 and facts in the Milvus collection, on the real documents: its BM25 function scores what the local BM25 scores,
the seed questions answer the same from it without a model, and the facts read back equal the parsed documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.metrics import summarize
from eval.report import evaluate
from index import open_index
from index.milvus import FOLDER, LITE_FILE, STATE_FILE
from index.milvus_rows import COLLECTION, read_documents, token_text

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


def test_the_facts_read_back_from_the_collection_equal_the_parsed_documents(pair):
    local, milvus = pair
    documents = read_documents(milvus.collection.client)
    assert documents == list(local.documents)  # records, texts, clauses, units by role, targets, assignments
    clause = next(c for c in documents[[d.doc_id for d in documents].index(XUCHANG)].clauses if c.heading.startswith("21."))
    assert clause.label.startswith("六、") and clause.units.lead == ("市质监局",)


def test_milvus_uri_names_the_collections_place(corpus_dir, tmp_path, milvus_runs):
    elsewhere = tmp_path / "shared.db"
    index = open_index(corpus_dir, tmp_path / "built", None, vector_store="milvus", milvus_uri=str(elsewhere))
    assert index.collection.uri == str(elsewhere) and elsewhere.exists()
    assert not (tmp_path / "built" / FOLDER / LITE_FILE).exists()
    state = json.loads((tmp_path / "built" / FOLDER / STATE_FILE).read_text(encoding="utf-8"))
    assert (state["uri"], state["dimension"], len(state["slots"])) == (str(elsewhere), 0, 5)


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

"""Index tests on the real documents: chunks, BM25, the manifest and its rebuilds, the embedder, FAISS."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from corpus import load_document
from corpus.text import nfkc
from index import CorpusIndex, Hit, chunk_clauses, load_embedder, open_index
from index.chunking import context_line
from index.dense import DenseIndex
from index.lexical import SCHEMES, LexicalIndex, tokenize

XUCHANG = "xuchang-2013-action-plan"
HUANGSHI = "huangshi-2015-quality-city-opinions"
LINXIA = "linxia-2013-2020-quality-outline"
UNREACHABLE_MODEL = "BAAI/bge-small-zh-v1.5"
QUERIES = ("计量惠民专项行动", "由谁牵头开展品牌建设", "产品质量监督抽查合格率达到多少", "食品安全", "标准化")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def documents(docs):
    return tuple(docs.values())


@pytest.fixture(scope="module")
def chunks(documents):
    return chunk_clauses(documents)


@pytest.fixture(scope="module")
def lexical_index(corpus_dir, tmp_path_factory) -> CorpusIndex:
    return open_index(corpus_dir, tmp_path_factory.mktemp("lexical") / "built", embed_model=None)


@pytest.fixture(scope="module")
def tiny_model(corpus_dir, tmp_path_factory) -> Path:
    """A 32-dimensional StaticEmbedding over the corpus's characters, seeded random weights, saved locally."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    characters = sorted({c for path in corpus_dir.glob("*.txt") for c in nfkc(path.read_text()) if c.strip()})
    folder = tmp_path_factory.mktemp("models") / "tiny-zh"
    _static_model(characters, StaticEmbedding, SentenceTransformer).save(str(folder))
    return folder


def _static_model(characters, static_embedding, sentence_transformer):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocabulary = {"[PAD]": 0, "[UNK]": 1, **{c: i + 2 for i, c in enumerate(characters)}}
    tokenizer = Tokenizer(models.WordLevel(vocabulary, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    weights = np.random.default_rng(7).standard_normal((len(vocabulary), 32)).astype(np.float32)
    return sentence_transformer(modules=[static_embedding(tokenizer, embedding_weights=weights)], device="cpu")


def _copy_corpus(corpus_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "documents"
    shutil.copytree(corpus_dir, copy)
    return copy


# ---- chunking ----


def test_every_clause_has_a_chunk_that_names_it(documents, chunks):
    clauses = [clause for document in documents for clause in document.clauses]
    assert len(clauses) >= 100
    assert len(chunks) >= len(clauses)
    by_clause = {}
    for chunk in chunks:
        by_clause.setdefault(chunk.clause_id, []).append(chunk)
    assert set(by_clause) == {clause.clause_id for clause in clauses}
    titles = {document.doc_id: document.title for document in documents}
    for clause in clauses:
        pieces = by_clause[clause.clause_id]
        assert [piece.piece for piece in pieces] == list(range(len(pieces)))
        assert any(clause.label in piece.text for piece in pieces), clause.clause_id
        assert all(piece.text.startswith(f"{titles[clause.doc_id]} › {clause.label}\n") for piece in pieces)
    short = [clause for clause in clauses if len(clause.text) <= 480]
    assert all(len(by_clause[clause.clause_id]) == 1 for clause in short)


def test_long_clause_is_split_and_every_piece_keeps_its_context(docs, chunks):
    annex = next(clause for clause in docs[HUANGSHI].clauses if clause.label == "附件")
    assert len(annex.text) > 480
    line = context_line(docs[HUANGSHI], annex)
    assert line == "黄石市人民政府关于实施质量强市战略提升发展质量的意见 › 附件"
    pieces = [chunk for chunk in chunks if chunk.clause_id == annex.clause_id]
    assert len(pieces) >= 2
    bodies = []
    for piece in pieces:
        assert piece.text.startswith(line + "\n")
        bodies.append(piece.text[len(line) + 1 :])
    assert all(0 < len(body) <= 480 for body in bodies)
    joined = "\n".join(bodies)
    assert all(row.strip() in joined for row in annex.text.splitlines())  # nothing lost between pieces


def test_split_pieces_end_at_a_sentence_or_clause_mark(docs):
    clause = docs[XUCHANG].clauses[19]  # one paragraph of sentences, no line breaks inside
    pieces = [chunk.text.split("\n", 1)[1] for chunk in chunk_clauses([docs[XUCHANG]], max_chars=60)
              if chunk.clause_id == clause.clause_id]
    assert len(pieces) >= len(clause.text) // 60
    assert all(piece[-1] in "。;," for piece in pieces[:-1])  # the separator stays at the end of its piece
    assert all(len(piece) <= 60 for piece in pieces)


# ---- lexical ----


def test_lexical_ranks_the_named_task_first_within_its_document(lexical_index, docs):
    wanted = next(c for c in docs[XUCHANG].clauses if "19.开展计量惠民专项行动" in c.text)
    hits = lexical_index.search_lexical("计量惠民专项行动", 5, {XUCHANG})
    assert hits[0] == Hit(wanted.clause_id, hits[0].score, "lexical")
    assert 1 < len(hits) <= 5
    assert all(hit.clause_id.startswith(XUCHANG + "#") for hit in hits)
    assert len({hit.clause_id for hit in hits}) == len(hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert hits[0].score > 1.5 * hits[1].score


def test_lexical_document_filter_excludes_other_documents(lexical_index):
    elsewhere = lexical_index.search_lexical("计量惠民专项行动", 10, {LINXIA, HUANGSHI})
    assert elsewhere and all(not hit.clause_id.startswith(XUCHANG) for hit in elsewhere)
    assert lexical_index.search_lexical("计量惠民专项行动", 10, set()) == []
    assert lexical_index.search_lexical("计量惠民专项行动", 10, {"no-such-document"}) == []
    assert lexical_index.search_lexical(",。!", 10) == []  # no tokens, no hits (and no crash)


def test_k_distinct_clauses_even_when_pieces_repeat_a_clause(lexical_index):
    matching = {chunk.clause_id for chunk in lexical_index.chunks if "质量" in nfkc(chunk.text)}
    assert len(matching) > 100 and len(lexical_index.chunks) > len(lexical_index.clauses_by_id)
    hits = lexical_index.search_lexical("质量", len(matching))
    assert {hit.clause_id for hit in hits} == matching and len(hits) == len(matching)


def test_document_frequency_counts_chunks(lexical_index):
    texts = [nfkc(chunk.text) for chunk in lexical_index.chunks]
    counts = {gram: sum(gram in text for text in texts) for gram in ("计量", "牵头", "质监", "品牌", "量惠")}
    assert counts["牵头"] > 20 and 0 < counts["量惠"] < 5
    assert {gram: lexical_index.lexical.document_frequency(gram) for gram in counts} == counts
    assert lexical_index.lexical.document_frequency("火箭") == 0


def test_unit_names_stay_whole_words(lexical_index):
    tokens = lexical_index.lexical.query_tokens("工业和信息化局配合")
    assert "工业和信息化局" in tokens  # a user word taken from the clauses' units
    assert {"工业", "信息", "配合"} <= set(tokens)  # search-mode sub-words and bigrams too
    import jieba

    plain = jieba.Tokenizer()
    assert "工业和信息化局" not in tokenize("工业和信息化局配合", plain, "jieba")


def test_tokenization_schemes(lexical_index):
    tokenizer = lexical_index.lexical.tokenizer
    text = "开展计量惠民专项行动,由市质监局牵头。"
    bigrams = tokenize(text, tokenizer, "bigram")
    words = tokenize(text, tokenizer, "jieba")
    assert bigrams[:3] == ["开展", "展计", "计量"] and all(len(token) == 2 for token in bigrams)
    assert "市质监局" in words and "展计" not in words and "," not in words and "由" not in words
    assert sorted(tokenize(text, tokenizer, "jieba+bigram")) == sorted(words + bigrams)
    with pytest.raises(ValueError, match="scheme"):
        LexicalIndex.build(lexical_index.chunks, (), "characters")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_finds_the_task(lexical_index, docs, scheme):
    chunks = lexical_index.chunks
    lexical = LexicalIndex.build(chunks, (), scheme)
    allowed = np.array([chunk.doc_id == XUCHANG for chunk in chunks])
    number, score = lexical.search("计量惠民专项行动", 3, allowed)[0]
    assert chunks[number].clause_id == docs[XUCHANG].clauses[19].clause_id and score > 0


# ---- the saved index: manifest, reloads, rebuilds ----


def test_second_open_loads_the_saved_index(corpus_dir, tmp_path, capsys, chunks):
    first = open_index(corpus_dir, tmp_path / "built", embed_model=None)
    assert first.rebuilt_because == "no index yet"
    assert "index: building" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "built" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chunks"] == len(chunks) == len(first.chunks)
    assert manifest["model"] == "off" and manifest["scheme"] == "jieba+bigram"
    assert set(manifest["versions"]) == {"bm25s", "jieba", "faiss-cpu", "sentence-transformers"}
    assert len(manifest["corpus_hash"]) == 64 and manifest["created"]
    assert [p.name for p in tmp_path.iterdir()] == ["built"]  # no staging folder left behind

    second = open_index(corpus_dir, tmp_path / "built", embed_model=None)
    assert second.rebuilt_because == ""
    assert "building" not in capsys.readouterr().err
    assert second.chunks == first.chunks
    assert second.search_lexical("计量惠民专项行动", 5) == first.search_lexical("计量惠民专项行动", 5)


def test_a_changed_document_is_read_again_alone(corpus_dir, tmp_path, capsys, monkeypatch):
    corpus = _copy_corpus(corpus_dir, tmp_path)
    open_index(corpus, tmp_path / "built", embed_model=None)
    before = json.loads((tmp_path / "built" / "manifest.json").read_text(encoding="utf-8"))
    path = corpus / f"{XUCHANG}.txt"
    task = "19.开展计量惠民专项行动。"
    path.write_text(path.read_text(encoding="utf-8").replace(task, task + "开展火箭发射质量专项检查。"), encoding="utf-8")
    read = []
    monkeypatch.setattr("index.workers.load_document", lambda p: read.append(p.name) or load_document(p))
    capsys.readouterr()
    changed = open_index(corpus, tmp_path / "built", embed_model=None)
    assert changed.rebuilt_because == "stale: documents changed (1 changed)"
    assert read == [f"{XUCHANG}.txt"]  # the four unchanged documents come from their saved shards
    assert "index: updating" in capsys.readouterr().err
    after = json.loads((tmp_path / "built" / "manifest.json").read_text(encoding="utf-8"))
    assert after["corpus_hash"] != before["corpus_hash"] and after["generation"] == before["generation"] + 1
    shards_before = {d["doc_id"]: d["shard"] for d in before["documents"]}
    assert [d["doc_id"] for d in after["documents"] if d["shard"] != shards_before[d["doc_id"]]] == [XUCHANG]
    assert changed.lexical.document_frequency("火箭") == 1
    assert changed.search_lexical("火箭发射", 1)[0].clause_id == f"{XUCHANG}#19"

    (corpus / f"{HUANGSHI}.txt").unlink()
    removed = open_index(corpus, tmp_path / "built", embed_model=None)
    assert removed.rebuilt_because == "stale: documents changed (1 removed)" and read == [f"{XUCHANG}.txt"]
    assert HUANGSHI not in {document.doc_id for document in removed.documents}
    assert removed.search_lexical("火箭发射", 1)[0].clause_id == f"{XUCHANG}#19"
    saved = {f"shards/{p.name}" for p in (tmp_path / "built" / "shards").iterdir()}
    latest = json.loads((tmp_path / "built" / "manifest.json").read_text(encoding="utf-8"))
    assert saved == {d["shard"] for d in after["documents"]}  # this version's and the one before (readers may hold it)
    assert {d["shard"] for d in latest["documents"]} < saved
    assert open_index(corpus, tmp_path / "built", embed_model=None).rebuilt_because == ""


def test_an_incremental_index_ranks_as_a_fresh_one(corpus_dir, tmp_path):
    """Documents added one at a time end with the chunks, documents and rankings of an index built at once (the
    documents already indexed are not segmented again with the new ones' unit names, so scores may differ a little)."""
    corpus = _copy_corpus(corpus_dir, tmp_path)
    fresh = open_index(corpus, tmp_path / "fresh", embed_model=None)
    moved = {name: (corpus / name).read_bytes() for name in (f"{XUCHANG}.txt", f"{LINXIA}.txt")}
    for name in moved:
        (corpus / name).unlink()
    open_index(corpus, tmp_path / "built", embed_model=None)
    for name, data in moved.items():
        (corpus / name).write_bytes(data)
        grown = open_index(corpus, tmp_path / "built", embed_model=None)
        assert grown.rebuilt_because == "stale: documents changed (1 added)"
    assert grown.chunks == fresh.chunks and grown.documents == fresh.documents
    for query in (*QUERIES, "市质监局牵头哪些任务"):
        assert [h.clause_id for h in grown.search_lexical(query, 5)] == [h.clause_id for h in fresh.search_lexical(query, 5)]


def test_bm25_scores_equal_bm25s(lexical_index):
    """The weights kept per chunk give bm25s's own scores (its default, Lucene BM25): bm25s is the oracle."""
    import bm25s

    tokenizer = lexical_index.lexical.tokenizer
    reference = bm25s.BM25()
    reference.index([tokenize(chunk.text, tokenizer) or ["∅"] for chunk in lexical_index.chunks], show_progress=False)
    for query in (*QUERIES, "质量 质量 标准"):
        tokens = lexical_index.lexical.query_tokens(query)
        ours, theirs = lexical_index.lexical.scores(tokens), reference.get_scores(tokens)
        assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-5), query
        assert list(np.argsort(-ours, kind="stable")[:10]) == list(np.argsort(-theirs, kind="stable")[:10])


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("corrupt manifest", "corrupt manifest.json"),
        ("deleted manifest", "no manifest.json"),
        ("deleted file", "missing file gen-000001/vocab.json"),
        ("truncated file", "truncated file shards/"),
        ("garbled file", "damaged file shards/"),
    ],
)
def test_a_damaged_index_is_rebuilt_not_a_crash(corpus_dir, tmp_path, damage, reason):
    folder = tmp_path / "built"
    open_index(corpus_dir, folder, embed_model=None)
    shard = sorted((folder / "shards").iterdir())[0]
    if damage == "corrupt manifest":
        (folder / "manifest.json").write_text('{"corpus_hash": "', encoding="utf-8")
    elif damage == "deleted manifest":
        (folder / "manifest.json").unlink()
    elif damage == "deleted file":
        (folder / "gen-000001" / "vocab.json").unlink()
    elif damage == "truncated file":
        shard.write_bytes(shard.read_bytes()[:1000])
    else:  # same size: the checksum tells
        shard.write_bytes(b"x" * shard.stat().st_size)
    index = open_index(corpus_dir, folder, embed_model=None)
    assert index.rebuilt_because.startswith(reason)
    assert index.search_lexical("计量惠民专项行动", 1, {XUCHANG})[0].clause_id == f"{XUCHANG}#19"
    assert open_index(corpus_dir, folder, embed_model=None).rebuilt_because == ""


def test_an_index_of_the_earlier_layout_is_rebuilt_and_only_its_files_removed(corpus_dir, tmp_path):
    folder = tmp_path / "built"
    (folder / "bm25").mkdir(parents=True)
    (folder / "bm25" / "vocab.index.json").write_text("{}", encoding="utf-8")
    (folder / "chunks.json").write_text("[]", encoding="utf-8")
    (folder / "notes.txt").write_text("not ours", encoding="utf-8")
    files = {"chunks.json": 2, "bm25/vocab.index.json": 2}
    (folder / "manifest.json").write_text(json.dumps({"corpus_hash": "x", "files": files}), encoding="utf-8")
    index = open_index(corpus_dir, folder, embed_model=None)
    assert index.rebuilt_because == "stale: an earlier index layout"
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "gen-000001", "manifest.json", "notes.txt", "shards"]


def test_a_failed_build_leaves_the_previous_index_whole(corpus_dir, tmp_path, monkeypatch):
    corpus = _copy_corpus(corpus_dir, tmp_path)
    open_index(corpus, tmp_path / "built", embed_model=None)
    saved = {p: p.read_bytes() for p in (tmp_path / "built").rglob("*") if p.is_file()}
    original = (corpus / f"{XUCHANG}.txt").read_bytes()
    (corpus / f"{XUCHANG}.txt").write_bytes(original + "\n新增一行。\n".encode())

    def crash(self, folder):
        raise RuntimeError("disk full")

    monkeypatch.setattr(LexicalIndex, "save", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        open_index(corpus, tmp_path / "built", embed_model=None)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in (tmp_path / "built").rglob("*") if p.is_file()} == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "documents"]
    (corpus / f"{XUCHANG}.txt").write_bytes(original)
    assert open_index(corpus, tmp_path / "built", embed_model=None).rebuilt_because == ""


# ---- the embedder ----


def test_an_unreachable_model_is_off_within_seconds(monkeypatch, tmp_path):
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(tmp_path))  # an empty model cache
    started = time.perf_counter()
    model, status = load_embedder(UNREACHABLE_MODEL)
    elapsed = time.perf_counter() - started
    assert model is None
    assert status.startswith("off: ") and UNREACHABLE_MODEL in status
    assert elapsed < 10


def test_open_index_without_the_model_answers_lexically(corpus_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(tmp_path / "models"))
    monkeypatch.setenv("PQA_EMBED_MODEL", UNREACHABLE_MODEL)
    index = open_index(corpus_dir, tmp_path / "built")  # the default model, from $PQA_EMBED_MODEL
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("dense retrieval off: ")] == [
        f"dense retrieval {index.dense_status}; answering from lexical + facts"
    ]
    assert index.dense is None and index.embedder is None and index.dense_status.startswith("off: ")
    assert index.search_dense("计量惠民专项行动", 5) == []
    assert index.search_lexical("计量惠民专项行动", 1)[0].clause_id == f"{XUCHANG}#19"


def test_a_model_without_chinese_vocabulary_is_rejected(tmp_path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    _static_model(list("abcdefghijklmnopqrstuvwxyz"), StaticEmbedding, SentenceTransformer).save(str(tmp_path / "en"))
    assert load_embedder(str(tmp_path / "en")) == (None, "off: model has no Chinese vocabulary")
    assert load_embedder(str(tmp_path / "absent"))[1].startswith("off: ")


# ---- dense ----


def _brute_force(index: CorpusIndex, query: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    model = index.embedder
    vectors = model.encode([chunk.text for chunk in index.chunks], normalize_embeddings=True)
    scores = vectors @ model.encode([query], normalize_embeddings=True)[0]
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in order if np.isfinite(scores[i])]


def test_dense_search_equals_brute_force(corpus_dir, tmp_path, tiny_model):
    index = open_index(corpus_dir, tmp_path / "built", embed_model=str(tiny_model))
    assert index.dense_status == str(tiny_model) and index.dense.size == len(index.chunks)
    manifest = json.loads((tmp_path / "built" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == str(tiny_model) and all(document["vectors"] for document in manifest["documents"])
    assert {document["vectors"] for document in manifest["documents"]} <= set(manifest["files"])
    in_xuchang = np.array([chunk.doc_id == XUCHANG for chunk in index.chunks])
    for query in QUERIES:
        for allowed in (None, in_xuchang):
            got = index.dense.search(query, index.embedder, 8, allowed)
            expected = _brute_force(index, query, 8, allowed)
            assert [number for number, _ in got] == [number for number, _ in expected], query
            assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)
        hits = index.search_dense(query, 4, {XUCHANG})
        assert len(hits) == 4 and all(hit.clause_id.startswith(XUCHANG + "#") for hit in hits)
        best_number, best_score = _brute_force(index, query, 1, in_xuchang)[0]
        assert hits[0] == Hit(index.chunks[best_number].clause_id, pytest.approx(best_score, abs=1e-5), "dense")

    everything = index.search_dense(QUERIES[0], len(index.clauses_by_id))
    assert {hit.clause_id for hit in everything} == set(index.clauses_by_id)  # best piece per clause, none lost

    again = open_index(corpus_dir, tmp_path / "built", embed_model=str(tiny_model))
    assert again.rebuilt_because == "" and again.dense.size == len(index.chunks)
    assert again.search_dense(QUERIES[1], 5) == index.search_dense(QUERIES[1], 5)
    lexical_only = open_index(corpus_dir, tmp_path / "built", embed_model="off")
    assert lexical_only.rebuilt_because == "" and lexical_only.dense is None  # the dense files stay for later


def test_a_different_model_embeds_the_saved_documents_without_reading_them(corpus_dir, tmp_path, tiny_model, monkeypatch):
    assert open_index(corpus_dir, tmp_path / "built", embed_model=None).rebuilt_because == "no index yet"
    monkeypatch.setattr("index.workers.load_document", lambda path: pytest.fail(f"{path} read again"))
    embedded = open_index(corpus_dir, tmp_path / "built", embed_model=str(tiny_model))
    assert embedded.rebuilt_because.startswith("stale: model") and embedded.dense.size == len(embedded.chunks)


def test_hnsw_search_respects_the_mask(lexical_index, tiny_model, monkeypatch):
    import faiss
    from sentence_transformers import SentenceTransformer

    import index.dense

    model = SentenceTransformer(str(tiny_model), device="cpu")
    texts = [chunk.text for chunk in lexical_index.chunks]
    monkeypatch.setattr(index.dense, "HNSW_ABOVE", 10)
    dense = DenseIndex.build(texts, model)
    assert isinstance(dense.faiss_index, faiss.IndexHNSW)
    allowed = np.array([chunk.doc_id == LINXIA for chunk in lexical_index.chunks])
    vectors = model.encode(texts, normalize_embeddings=True)
    for query in QUERIES:
        got = dense.search(query, model, 5, allowed)
        scores = np.where(allowed, vectors @ model.encode([query], normalize_embeddings=True)[0], -np.inf)
        assert [number for number, _ in got] == list(np.argsort(-scores)[:5])


def test_a_build_reports_its_progress_to_the_end(corpus_dir, tmp_path):
    from index import open_index

    stages: list[tuple[float, str]] = []
    open_index(corpus_dir, tmp_path / "index", None, progress=lambda fraction, stage: stages.append((fraction, stage)))
    fractions = [fraction for fraction, _stage in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(stages) >= 4
    stages.clear()
    open_index(corpus_dir, tmp_path / "index", None, progress=lambda fraction, stage: stages.append((fraction, stage)))
    assert stages == []  # loading a built index is not a build

"""What the index folder keeps gives what the documents parsed now give: answers, BM25 scores, repairs of its files."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from tests.conftest import PROJECT


@pytest.fixture(scope="module")
def parsed_now(corpus_dir, index):
    """The real corpus parsed and indexed in memory, nothing read from an index folder (the oracle)."""
    from corpus import load_documents
    from index.chunking import chunk_clauses
    from index.lexical import LexicalIndex
    from index.store import CorpusIndex

    order = {document.doc_id: number for number, document in enumerate(index.documents)}
    documents = tuple(sorted(load_documents(corpus_dir), key=lambda document: order[document.doc_id]))
    chunks = chunk_clauses(documents)
    words = {name for document in documents for clause in document.clauses for name in clause.units.all()}
    clauses = {clause.clause_id: clause for document in documents for clause in document.clauses}
    return CorpusIndex(documents, clauses, chunks, LexicalIndex.build(chunks, words))


def _questions() -> list[str]:
    lines = (PROJECT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines]


def test_an_opened_index_answers_as_the_documents_parsed_now(index, parsed_now):
    from assistant import answer

    assert index.chunks == parsed_now.chunks
    for question in _questions():
        saved, fresh = answer(question, index), answer(question, parsed_now)
        assert asdict(saved) == asdict(fresh), question


def test_saved_token_columns_score_as_counted_now_bit_for_bit(index, parsed_now):
    for question in _questions()[:60]:
        tokens = index.lexical.query_tokens(question)
        assert np.array_equal(index.lexical.scores(tokens), parsed_now.lexical.scores(tokens)), question


def test_columns_merged_after_a_reorder_equal_a_fresh_count(index):
    """Rows kept, dropped and added in another order (an add or a removal) give the counts of a fresh build."""
    from index.lexical import LexicalIndex

    chunks, lexical = index.chunks, index.lexical
    middle = len(chunks) // 2
    merged = lexical.rebuilt([range(middle, len(chunks)), tuple(chunk.text for chunk in chunks[:middle])])
    fresh = LexicalIndex.build(chunks[middle:] + chunks[:middle], lexical.user_words)
    assert merged.size == fresh.size == len(chunks)
    assert np.array_equal(merged.counts.lengths, fresh.counts.lengths)
    for question in _questions()[:60]:
        tokens = merged.query_tokens(question)
        assert np.array_equal(merged.scores(tokens), fresh.scores(tokens)), question
    dropped = lexical.rebuilt([range(0, middle)])
    assert dropped.size == middle and dropped.document_frequency("质量") == fresh.document_frequency("质量") - sum(
        "质量" in lexical.query_tokens(chunk.text) for chunk in chunks[middle:]
    )


@pytest.mark.parametrize("damage", ["truncated rows.npy", "deleted lengths.npy", "garbled pointers.npy"])
def test_a_damaged_token_file_is_rebuilt_said_once_and_the_documents_untouched(corpus_dir, tmp_path, capsys, damage):
    from index import open_index

    folder = tmp_path / "built"
    open_index(corpus_dir, folder, embed_model=None)
    documents_before = {path.name: path.read_bytes() for path in corpus_dir.iterdir() if path.is_file()}
    name = damage.split()[1]
    path = folder / "gen-000001" / name
    if damage.startswith("truncated"):
        path.write_bytes(path.read_bytes()[:-64])
    elif damage.startswith("deleted"):
        path.unlink()
    else:
        data = bytearray(path.read_bytes())
        data[-16:] = bytes(16)
        path.write_bytes(bytes(data))
    capsys.readouterr()
    repaired = open_index(corpus_dir, folder, embed_model=None)
    err = capsys.readouterr().err
    assert f"gen-000001/{name}" in repaired.rebuilt_because and err.count("index: building") == 1
    assert repaired.search_lexical("计量惠民专项行动", 1)[0].clause_id.endswith("#19")
    assert {path.name: path.read_bytes() for path in corpus_dir.iterdir() if path.is_file()} == documents_before
    assert open_index(corpus_dir, folder, embed_model=None).rebuilt_because == ""

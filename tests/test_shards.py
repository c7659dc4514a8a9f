"""Shard tests on the real documents: what is read back is what was written, other versions' keys are left out,
and a file that is not a shard raises ValueError."""

from __future__ import annotations

import json

import pytest

from index import chunk_clauses
from index.shards import read_shard, write_shard


@pytest.fixture(scope="module")
def documents(docs, dev_docs):
    return (*docs.values(), *dev_docs.values())


def test_every_document_reads_back_as_written(documents, tmp_path):
    split = 0
    for document in documents:
        chunks = chunk_clauses([document])
        path = tmp_path / f"{document.doc_id}.jsonl"
        write_shard(path, document, chunks)
        assert read_shard(path) == (document, chunks), document.doc_id
        split += sum('"chunk"' in line[:10] for line in path.read_text(encoding="utf-8").splitlines())
    assert split > 0  # some clause is long enough to be saved in pieces, so the chunk lines are read back too
    assert any(clause.targets for document in documents for clause in document.clauses)
    assert any(clause.assignments for document in documents for clause in document.clauses)


def test_keys_another_version_wrote_are_left_out(docs, tmp_path):
    document = next(document for document in docs.values() if any(clause.targets for clause in document.clauses))
    chunks = chunk_clauses([document])
    path = tmp_path / "shard.jsonl"
    write_shard(path, document, chunks)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[0]["document"]["summary"] = "a field of a later version"
    clause = next(row["clause"] for row in rows if "clause" in row and row["clause"]["targets"])
    clause["weight"] = 0.5
    clause["units"]["checked"] = True
    clause["targets"][0]["baseline"] = {"year": 2012}
    rows[1]["note"] = "a key beside the clause"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    assert read_shard(path) == (document, chunks)


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "not json\n",
        '{"document": {"doc_id": "x"',  # cut short
        '["document"]\n',  # not an object
        '{"clause": {"doc_id": "x", "ordinal": 0, "path": [], "text": "", "start": 0, "end": 0}}\n',  # no document line
        '{"documents": {}}\n',  # a line of something else
        '{"document": {"doc_id": "x"}}\n',  # a record missing its fields
        '{"document": {"doc_id": 1, "source": "", "text": "", "title": "", "title_derived": false, "issuer": "",'
        ' "doc_number": "", "date": "", "place": ""}}\n',  # a field of the wrong type
    ],
)
def test_a_file_that_is_not_a_shard_raises_value_error(text, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        read_shard(path)

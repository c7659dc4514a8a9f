"""The Milvus collection's schema and rows: a chunk's BM25 tokens, its clause's facts as JSON, its vector, and back.

BM25 runs in the collection as a `FunctionType.BM25` over a VARCHAR of the chunk's own tokens (the lexical index's
counts: jieba words with the corpus's unit names, and bigrams), so Milvus scores the tokens the local BM25 scores.
Milvus Lite's analyzers are `standard` (`\\w+`, lower-cased) and `jieba` (jieba's global dictionary, no bigrams);
a server's is `whitespace`. A token that `\\w+` would split or lower-case ("3.5%", "GDP", "∅") is written as `_` and
its UTF-8 in hex, so every analyzer reads the same tokens.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import numpy as np

from corpus import Clause, Document
from index.lexical import B, K1, TermCounts

COLLECTION = "chunks"
SLOT_SHIFT = 20  # a document's chunks are numbered below 2**20
MAX_TEXT = 65535  # Milvus's longest VARCHAR, in bytes
MAX_ROWS = 16384  # the most rows one Milvus query returns: documents, and chunks per document, read back
TEXT_SLICE = 16000  # characters of the document's text per row (its rows carry it in order)
_PLAIN = re.compile(r"[^\W_]+")


def create(client: Any, dimension: int, server: bool) -> None:
    """An empty collection: ids and scalar fields, BM25 over `tokens`, facts as JSON, a dense vector when dimension."""
    from pymilvus import DataType, Function, FunctionType  # noqa: PLC0415

    analyzer = {"tokenizer": "whitespace" if server else "standard"}
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("slot", DataType.INT64)
    schema.add_field("number", DataType.INT64)  # the chunk's number in its document
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("clause_id", DataType.VARCHAR, max_length=600)
    schema.add_field("piece", DataType.INT64)
    schema.add_field("tokens", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params=analyzer)
    schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("document", DataType.JSON)  # the document's record (not its text) on its first chunk, else {}
    schema.add_field("document_text", DataType.VARCHAR, max_length=MAX_TEXT)  # its text, a slice per row
    schema.add_field("clause", DataType.JSON)  # the clause's record (units by role, targets, …) on its first piece
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"], output_field_names=["bm25"]))
    index_params = client.prepare_index_params()
    index_params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"bm25_k1": K1, "bm25_b": B})
    if dimension:
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        index_params.add_index("vector", index_type="FLAT", metric_type="IP")
    client.create_collection(COLLECTION, schema=schema, index_params=index_params)


def token_text(tokens: Sequence[str]) -> str:
    """The tokens as the collection's analyzer reads them back, one by one."""
    return " ".join(token if _PLAIN.fullmatch(token) and token == token.lower() else "_" + token.encode().hex() for token in tokens)


def token_texts(counts: TermCounts, start: int, stop: int) -> list[str]:
    """token_text of each chunk start..stop-1 as the lexical index counted it (each token as often as it occurs)."""
    rows = np.asarray(counts.rows)
    chosen = np.flatnonzero((rows >= start) & (rows < stop))
    columns = np.searchsorted(counts.pointers, chosen, side="right") - 1
    order = np.lexsort((columns, rows[chosen]))
    bags: list[list[str]] = [[] for _ in range(stop - start)]
    for row, column, times in zip(rows[chosen][order].tolist(), columns[order].tolist(), np.asarray(counts.counts)[chosen][order].tolist()):
        bags[row - start].extend([counts.vocab[column]] * times)
    return [token_text(bag) for bag in bags]


def rows(document: Document, clause_ids: Sequence[str], pieces: Sequence[int], slot: int, tokens: Sequence[str],
         vectors: np.ndarray | None) -> Iterator[dict]:  # fmt: skip
    """One row per chunk of a document (its clause ids and piece numbers in chunk order)."""
    slices = [document.text[first : first + TEXT_SLICE] for first in range(0, len(document.text), TEXT_SLICE)]
    if len(slices) > len(clause_ids):
        raise ValueError(f"{document.doc_id}: {len(document.text)} characters over {len(clause_ids)} chunks")
    head = {field.name: getattr(document, field.name) for field in dataclasses.fields(Document) if field.name not in ("clauses", "text")}
    by_id = {clause.clause_id: clause for clause in document.clauses}
    for number, (clause_id, piece, text) in enumerate(zip(clause_ids, pieces, tokens)):
        if len(text.encode()) > MAX_TEXT:
            raise ValueError(f"{clause_id}: {len(text.encode())} bytes of tokens, over Milvus's {MAX_TEXT}")
        row = {
            "id": (slot << SLOT_SHIFT) | number, "slot": slot, "number": number, "doc_id": document.doc_id,
            "clause_id": clause_id, "piece": piece, "tokens": text, "document": head if number == 0 else {},
            "document_text": slices[number] if number < len(slices) else "",
            "clause": dataclasses.asdict(by_id[clause_id]) if piece == 0 else {},
        }  # fmt: skip
        if vectors is not None:
            row["vector"] = vectors[number]
        yield row


def read_rows(client: Any, slots: Sequence[tuple[int, int]]) -> Iterator[tuple[int, list[dict]]]:
    """(slot, its rows in chunk order) for each (slot, chunks), in the order given, with what a reader rebuilds the
    document from (its record, text, clauses, tokens); a few slots per query, at most MAX_ROWS rows, one query's rows
    in memory at a time."""
    fields = ["slot", "number", "piece", "tokens", "document", "document_text", "clause"]
    batches, size = [[]], 0
    for slot, chunks in slots:
        if batches[-1] and size + chunks > MAX_ROWS:
            batches.append([])
            size = 0
        batches[-1].append(slot)
        size += chunks
    for batch in batches:
        found: dict[int, list[dict]] = {slot: [] for slot in batch}
        for row in client.query(COLLECTION, filter=f"slot in {batch}", output_fields=fields, limit=MAX_ROWS) if batch else ():
            found[int(row["slot"])].append(row)
        for slot in batch:
            yield slot, sorted(found.pop(slot), key=lambda row: row["number"])


def document_of(ordered: Sequence[dict]) -> Document:
    """A document rebuilt from its rows in chunk order: its record, its text, its clauses with their facts."""
    clauses = tuple(msgspec.convert(row["clause"], Clause) for row in ordered if row["piece"] == 0)
    text = "".join(row["document_text"] for row in ordered)
    document = msgspec.convert({**ordered[0]["document"], "text": text, "clauses": []}, Document)
    return dataclasses.replace(document, clauses=clauses)


def tokens_of(text: str) -> list[str]:
    """The tokens token_text wrote, as the lexical index counted them."""
    return [bytes.fromhex(token[1:]).decode() if token.startswith("_") else token for token in text.split(" ") if token]

"""A parsed document saved as JSON lines (its record, then one line per clause, then split chunks), pickle-free."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
from functools import lru_cache
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from corpus import Clause, Document
from index.chunking import Chunk, context_line


def write_shard(path: Path, document: Document, chunks: tuple[Chunk, ...]) -> None:
    """Save a document and its chunks; a chunk that is its whole clause behind the context line is not repeated."""
    head = {field.name: getattr(document, field.name) for field in dataclasses.fields(Document) if field.name != "clauses"}
    lines = [json.dumps({"document": head}, ensure_ascii=False)]
    lines += [json.dumps({"clause": msgspec.to_builtins(clause)}, ensure_ascii=False) for clause in document.clauses]
    by_id = {clause.clause_id: clause for clause in document.clauses}
    split = [chunk for chunk in chunks if chunk.text != _whole(document, by_id[chunk.clause_id])]
    split_ids = {chunk.clause_id for chunk in split}
    for chunk in chunks:
        if chunk.clause_id in split_ids:
            ordinal = by_id[chunk.clause_id].ordinal
            lines.append(json.dumps({"chunk": [ordinal, chunk.piece, chunk.text]}, ensure_ascii=False))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_shard(path: Path) -> tuple[Document, tuple[Chunk, ...]]:
    """A document and its chunks as write_shard saved them (ValueError when the file is not one)."""
    try:
        lines = _line_decoder().decode_lines(Path(path).read_bytes())
    except msgspec.DecodeError as error:  # not JSON lines, or a line that is not one of a shard's
        raise ValueError(f"{Path(path).name}: {error}") from error
    head: Document | None = None
    clauses: list[Clause] = []
    pieces: dict[int, list[tuple[int, str]]] = {}
    for number, line in enumerate(lines, 1):
        if line.document is not None:
            head = line.document
        elif line.clause is not None:
            clauses.append(line.clause)
        elif line.chunk is not None:
            ordinal, piece, text = line.chunk
            pieces.setdefault(ordinal, []).append((piece, text))
        else:
            raise ValueError(f"{Path(path).name}: line {number} is no document, clause or chunk")
    if head is None:
        raise ValueError(f"{Path(path).name}: no document line")
    document = dataclasses.replace(head, clauses=tuple(clauses))
    chunks: list[Chunk] = []
    for clause in document.clauses:
        saved = sorted(pieces.get(clause.ordinal, []))
        if not saved:
            chunks.append(Chunk(clause.clause_id, document.doc_id, 0, _whole(document, clause)))
        chunks.extend(Chunk(clause.clause_id, document.doc_id, piece, text) for piece, text in saved)
    return document, tuple(chunks)


@dataclass(frozen=True)
class _Line:
    """One line of a shard: the document's record (without its clauses), a clause, or a piece as [ordinal, piece, text]."""

    document: Document | None = None
    clause: Clause | None = None
    chunk: tuple[int, int, str] | None = None


@lru_cache(maxsize=None)
def _line_decoder() -> msgspec.json.Decoder:
    """msgspec's decoder of shard lines, made once: JSON straight into the records, keys it does not know left out."""
    return msgspec.json.Decoder(_Line)


@contextlib.contextmanager
def kept_from_collection() -> Iterator[None]:
    """Decode many shards with the cyclic garbage collector paused, then freeze everything alive (gc.freeze): a loaded
    version's records, millions of objects that live as long as it, are never walked again by a full collection."""
    enabled = gc.isenabled()
    gc.collect()  # what is garbage now is not frozen with the version
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _whole(document: Document, clause: Clause) -> str:
    return f"{context_line(document, clause)}\n{clause.text}"

"""Chunking: one chunk per clause; a long clause split into pieces that each carry the heading path."""

from __future__ import annotations

from dataclasses import dataclass

from corpus import Document

MAX_CHARS = 480  # about the 512-token window of bge-small-zh for Chinese text
CONTEXT_SEPARATOR = " › "


@dataclass(frozen=True)
class Chunk:
    """What is indexed: a clause (or a piece of a long one) with its context line."""

    clause_id: str
    doc_id: str
    piece: int
    text: str  # "{title} › {heading path}\n{piece text}"


def chunk_clauses(documents: tuple[Document, ...], max_chars: int = MAX_CHARS) -> tuple[Chunk, ...]:
    """Chunks of every clause, in document order; citations point at the clause, not the piece."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: PLC0415

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=max_chars // 10,
        separators=["\n\n", "\n", "。", ";", ",", ""],
        keep_separator="end",
    )
    chunks = []
    for document in documents:
        for clause in document.clauses:
            context = CONTEXT_SEPARATOR.join((document.title, *clause.path))
            pieces = [clause.text] if len(clause.text) <= max_chars else splitter.split_text(clause.text)
            chunks.extend(
                Chunk(clause.clause_id, document.doc_id, number, f"{context}\n{piece}")
                for number, piece in enumerate(pieces)
            )
    return tuple(chunks)

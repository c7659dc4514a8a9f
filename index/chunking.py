"""Chunking: one chunk per clause; a long clause split into pieces that each carry its context line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corpus import Clause, Document

MAX_CHARS = 480  # about the 512-token window of bge-small-zh for Chinese text
OVERLAP_CHARS = 40
SEPARATORS = ("\n\n", "\n", "。", ";", "；", ",", "，", "")  # ASCII and full-width forms
CONTEXT_SEPARATOR = " › "


@dataclass(frozen=True)
class Chunk:
    """What is indexed: a clause (or one piece of a long clause) behind its context line."""

    clause_id: str
    doc_id: str
    piece: int  # 0 for the first (or only) piece of the clause
    text: str  # "{document title} › {clause label}\n{piece}"


def chunk_clauses(documents: Iterable[Document], max_chars: int = MAX_CHARS) -> tuple[Chunk, ...]:
    """Chunks of every clause in document order; citations point at the clause, never at a piece."""
    splitter = None  # imported when a clause first needs splitting (the import takes half a second)
    chunks: list[Chunk] = []
    for document in documents:
        for clause in document.clauses:
            line = context_line(document, clause)
            if len(clause.text) <= max_chars:
                pieces = [clause.text]
            else:
                splitter = splitter or _splitter(max_chars)
                pieces = splitter.split_text(clause.text)
            chunks.extend(
                Chunk(clause.clause_id, document.doc_id, number, f"{line}\n{piece}")
                for number, piece in enumerate(pieces or [clause.text])
            )
    return tuple(chunks)


def context_line(document: Document, clause: Clause) -> str:
    """The line that tells a piece where it comes from: "{title} › {heading path}"."""
    return f"{document.title}{CONTEXT_SEPARATOR}{clause.label}" if clause.label else document.title


def _splitter(max_chars: int):
    try:
        from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: PLC0415
    except ImportError as error:
        raise ImportError("chunking needs langchain-text-splitters: pip install langchain-text-splitters") from error
    return RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=min(OVERLAP_CHARS, max_chars // 10),
        separators=list(SEPARATORS),
        keep_separator="end",
    )

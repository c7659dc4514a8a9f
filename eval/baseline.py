"""A naive RAG baseline: fixed-size chunks of the raw texts, BM25 over character bigrams, the top chunk as answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.records import Answer, Citation, Departments
from corpus import Document
from corpus.formats.plaintext import read_plaintext

CHUNK_CHARS = 300
OVERLAP_CHARS = 50
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9.%]+")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    title: str
    start: int  # character offset in the document's text
    text: str

    @property
    def label(self) -> str:
        return f"chars {self.start}-{self.start + len(self.text)}"


class NaiveRag:
    """The usual first attempt at the task, scored with the same scorer as the assistant.

    The raw .txt files are split by langchain's RecursiveCharacterTextSplitter into chunks of about
    CHUNK_CHARS characters (OVERLAP_CHARS overlap), indexed with BM25 (bm25s) over character bigrams;
    the answer is the best chunk verbatim, cited as itself. It extracts no departments and never abstains.
    A follow-up is searched together with the earlier questions of the conversation.
    """

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        import bm25s  # noqa: PLC0415 - heavy import, only when a baseline is built

        if not chunks:
            raise ValueError("no text to index")
        self.chunks = tuple(chunks)
        self._bm25 = bm25s.BM25()
        self._bm25.index([bigram_tokens(chunk.text) or ["∅"] for chunk in self.chunks], show_progress=False)

    @classmethod
    def from_documents(cls, documents: Sequence[Document]) -> NaiveRag:
        """Chunks of each document's text as read from its file (Document.text, before any cleaning)."""
        return cls([chunk for document in documents for chunk in split_text(document.doc_id, document.title, document.text)])

    @classmethod
    def from_folder(cls, folder: Path) -> NaiveRag:
        """Chunks of every .txt file in a folder (encoding detected as for the corpus), titled by their first line."""
        chunks = []
        for path in sorted(Path(folder).glob("*.txt")):
            text = read_plaintext(path).text
            title = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)[:60]
            chunks += split_text(path.stem, title, text)
        return cls(chunks)

    def search(self, query: str, k: int = 5) -> list[tuple[Chunk, float]]:
        """The k best chunks with a positive BM25 score."""
        tokens = [token for token in bigram_tokens(query) if token in self._bm25.vocab_dict]
        if not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.chunks[number], float(scores[number])) for number in order if scores[number] > 0]

    def answer(self, question: str, history: Sequence[str] = ()) -> tuple[Answer, list[str]]:
        """The top chunk as the answer, and the top-5 chunk texts (for retrieval recall)."""
        ranked = self.search(" ".join((*history, question)), 5)
        if not ranked:
            return Answer(question, "", False), []
        best, best_score = ranked[0]
        citation = Citation(best.doc_id, best.title, best.label, best.text, round(best_score, 4))
        result = Answer(question, best.text, False, Departments(), (citation,), "other", None)
        return result, [chunk.text for chunk, _score in ranked]


def split_text(doc_id: str, title: str, text: str) -> list[Chunk]:
    """Fixed-size chunks of one text, with their offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: PLC0415

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS,
        chunk_overlap=OVERLAP_CHARS,
        separators=["\n\n", "\n", "。", ""],
        keep_separator="end",
        add_start_index=True,
    )
    return [
        Chunk(doc_id, title, piece.metadata["start_index"], piece.page_content)
        for piece in splitter.create_documents([text])
    ]


def bigram_tokens(text: str) -> list[str]:
    """Overlapping character bigrams of each run of Chinese characters (a lone character stays), plus words/numbers."""
    tokens = []
    for run in _RUN.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            tokens += [run[i : i + 2] for i in range(len(run) - 1)] or [run]
        else:
            tokens.append(run.lower())
    return tokens

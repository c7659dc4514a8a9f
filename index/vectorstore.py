"""Where chunk embeddings are searched: FAISS in memory (the default) or Milvus Lite, a file in the index folder."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.dense import FAISS_FILE, DenseIndex

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

FAISS, MILVUS = "faiss", "milvus"
VECTOR_STORES = (FAISS, MILVUS)


class VectorStore(Protocol):
    """What the index asks of a vector store: how many chunks it holds, and the nearest of them to a question."""

    @property
    def size(self) -> int: ...

    def search(
        self, query: str, model: SentenceTransformer, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk number, cosine similarity), best first, among the allowed chunks (a mask over chunk numbers)."""
        ...


@dataclass(frozen=True)
class Part:
    """One document's embeddings in a version: its saved vectors file and the chunk numbers it covers."""

    doc_id: str
    vectors: str  # the .npy file, relative to the index folder; its name changes with the content and the model
    start: int
    chunks: int


def default_vector_store() -> str:
    return os.environ.get("PQA_VECTOR_STORE", FAISS)


def checked_vector_store(name: str | None) -> str:
    """The vector store's name (None: $PQA_VECTOR_STORE, else faiss); an unknown one raises ValueError in Chinese."""
    name = (name or default_vector_store()).strip().lower()
    if name not in VECTOR_STORES:
        raise ValueError(f"未知的向量库 {name!r}:可选 {'、'.join(VECTOR_STORES)}(--vector-store 或 PQA_VECTOR_STORE)")
    return name


def parts_of(entries: Sequence[Any]) -> list[Part]:
    """The parts of a manifest's document entries (in chunk order)."""
    parts, start = [], 0
    for entry in entries:
        parts.append(Part(entry.doc_id, entry.vectors, start, entry.chunks))
        start += entry.chunks
    return parts


def open_vector_store(
    kind: str, index_dir: Path, parts: Sequence[Part], earlier: VectorStore | None = None, saved: Path | None = None
) -> tuple[VectorStore, str]:
    """The store holding the parts' vectors, and its name: FAISS read from the folder `saved` when it holds the
    version's index (index.update writes it), else built from the vectors. Milvus that cannot be used (not installed,
    its file held by another process) falls back to FAISS over the same saved vectors, said once on stderr."""
    if kind == MILVUS:
        from index.milvus import MilvusIndex, MilvusUnavailable  # noqa: PLC0415  (pymilvus only when asked for)

        try:
            return MilvusIndex.open(Path(index_dir), parts, earlier), MILVUS
        except MilvusUnavailable as error:
            print(f"向量库: Milvus 不可用({error}),改用 FAISS(同一份已保存的向量)", file=sys.stderr, flush=True)
    if saved is not None and (saved / FAISS_FILE).is_file():
        return DenseIndex.load(saved), FAISS
    vectors = [np.load(Path(index_dir) / part.vectors, allow_pickle=False) for part in parts]
    return DenseIndex.from_vectors(np.concatenate(vectors)), FAISS

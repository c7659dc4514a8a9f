"""The backend that searches the chunks: local (BM25 counts and FAISS in memory, the default) or a Milvus collection."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
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
    shard: str = ""  # its parsed document, relative to the index folder


def default_vector_store() -> str:
    return os.environ.get("PQA_BACKEND") or os.environ.get("PQA_VECTOR_STORE") or FAISS


def default_milvus_uri() -> str | None:
    """$PQA_MILVUS_URI, else None: the Milvus Lite file in the index folder."""
    return os.environ.get("PQA_MILVUS_URI") or None


def checked_vector_store(name: str | None) -> str:
    """The vector store's name (None: $PQA_VECTOR_STORE, else faiss); an unknown one raises ValueError in Chinese."""
    name = (name or default_vector_store()).strip().lower()
    if name not in VECTOR_STORES:
        raise ValueError(f"未知的后端 {name!r}:可选 {'、'.join(VECTOR_STORES)}(--backend 或 PQA_BACKEND)")
    return name


def parts_of(entries: Sequence[Any]) -> list[Part]:
    """The parts of a manifest's document entries (in chunk order)."""
    parts, start = [], 0
    for entry in entries:
        parts.append(Part(entry.doc_id, entry.vectors, start, entry.chunks, entry.shard))
        start += entry.chunks
    return parts


def open_vector_store(
    kind: str,
    index_dir: Path,
    parts: Sequence[Part],
    contents: Callable[[], Any] | None = None,
    earlier: Any = None,
    uri: str | None = None,
    saved: Path | None = None,
    version: Any = None,
) -> tuple[VectorStore | None, Any, str]:
    """(the store searching the parts' vectors, None when they have none; the Milvus collection, None for the local
    backend; the backend's name). `contents` gives the rows' index.milvus.Contents, `version` the collection's
index.milvus_state.Version (what a reader with nothing local needs to know of it). FAISS is read from the folder
    `saved` when it holds the version's index (index.update writes it), else built from the vectors. Milvus that cannot
    be used (not installed, its file held by another process, its server unreachable) falls back to the local backend
    over the same saved index, said once on stderr."""
    with_vectors = bool(parts) and all(part.vectors for part in parts)
    if kind == MILVUS and contents is not None:
        from index.milvus import MilvusIndex, MilvusUnavailable  # noqa: PLC0415  (pymilvus only when asked for)
        try:
            collection = MilvusIndex.open(Path(index_dir), parts, contents(), version, earlier, uri)
            return (collection if with_vectors else None), collection, MILVUS
        except MilvusUnavailable as error:
            print(f"后端: Milvus 不可用({error}),改用本地索引(同一份已保存的 BM25 与向量)", file=sys.stderr, flush=True)
    if not with_vectors:
        return None, None, FAISS
    if saved is not None and (saved / FAISS_FILE).is_file():
        return DenseIndex.load(saved), None, FAISS
    vectors = [np.load(Path(index_dir) / part.vectors, allow_pickle=False) for part in parts]
    return DenseIndex.from_vectors(np.concatenate(vectors)), None, FAISS

"""The index layer: clause chunks searched by BM25 (bm25s) and, when a model loads, by FAISS embeddings."""

from index.chunking import Chunk, chunk_clauses
from index.dense import DenseIndex, load_embedder
from index.lexical import LexicalIndex
from index.store import CorpusIndex, Hit, open_index

__all__ = ["Chunk", "CorpusIndex", "DenseIndex", "Hit", "LexicalIndex", "chunk_clauses", "load_embedder", "open_index"]

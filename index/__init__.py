"""The index layer: clause chunks searched by BM25 (bm25s) and, when a model loads, FAISS embeddings."""

from index.chunking import Chunk, chunk_clauses
from index.dense import DenseIndex, load_embedder
from index.lexical import LexicalIndex
from index.store import CorpusIndex, Hit, corpus_hash, open_index

__all__ = ["Chunk", "CorpusIndex", "DenseIndex", "Hit", "LexicalIndex", "chunk_clauses", "corpus_hash", "load_embedder", "open_index"]

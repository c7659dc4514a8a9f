"""The index as a folder with a manifest: built once, reloaded, rebuilt when the documents change."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from corpus import PARSER_VERSION, Clause, Document, load_documents
from index.chunking import Chunk, chunk_clauses
from index.dense import DenseIndex, load_embedder
from index.lexical import DEFAULT_SCHEME, LexicalIndex

INDEX_VERSION = "1"
_PACKAGES = ("bm25s", "jieba", "faiss-cpu", "sentence-transformers")


@dataclass(frozen=True)
class Hit:
    clause_id: str
    score: float
    channel: str


@dataclass
class CorpusIndex:
    """Documents, their clauses and chunks, and the channels that search them."""

    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]
    lexical: LexicalIndex
    dense: DenseIndex | None = None
    embedder: object | None = None
    dense_status: str = "off"
    clauses_by_id: dict[str, Clause] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.clauses_by_id = {c.clause_id: c for d in self.documents for c in d.clauses}
        self._chunk_docs = np.array([chunk.doc_id for chunk in self.chunks])

    def search_lexical(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        return self._by_clause(self.lexical.search(query, k * 4, self._mask(doc_ids)), k, "lexical")

    def search_dense(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        if self.dense is None:
            return []
        return self._by_clause(self.dense.search(query, self.embedder, k * 4, self._mask(doc_ids)), k, "dense")

    def _mask(self, doc_ids: set[str] | None) -> np.ndarray | None:
        return None if not doc_ids else np.isin(self._chunk_docs, list(doc_ids))

    def _by_clause(self, scored: list[tuple[int, float]], k: int, channel: str) -> list[Hit]:
        """Best piece per clause, at most k clauses."""
        best: dict[str, float] = {}
        for number, score in scored:
            clause_id = self.chunks[number].clause_id
            best[clause_id] = max(score, best.get(clause_id, float("-inf")))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [Hit(clause_id, score, channel) for clause_id, score in ranked]


def open_index(corpus_dir: Path, index_dir: Path, embed_model: str | None = None) -> CorpusIndex:
    """Load the index of a corpus folder, building (or rebuilding, when stale or corrupt) it first if needed."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    documents = load_documents(corpus_dir)
    if not documents:
        raise OSError(f"{corpus_dir}: no readable .txt documents")
    embedder, dense_status = load_embedder(embed_model) if embed_model else (None, "off")
    if embed_model and embedder is None:
        print(f"dense retrieval {dense_status}; answering from lexical + facts", file=sys.stderr)
    wanted = {
        "corpus_hash": corpus_hash(corpus_dir),
        "dense_model": dense_status if embedder is not None else "off",
        "scheme": DEFAULT_SCHEME,
        "versions": _versions(),
    }
    reason = _stale_reason(index_dir, wanted)
    if reason is None:
        try:
            return _load(index_dir, documents, embedder, dense_status)
        except (OSError, ValueError, KeyError) as error:
            reason = f"unreadable ({type(error).__name__}: {error})"
    print(f"building index in {index_dir}: {reason}", file=sys.stderr)
    return _build(index_dir, documents, embedder, dense_status, wanted)


def corpus_hash(corpus_dir: Path) -> str:
    digest = hashlib.sha256(f"parser {PARSER_VERSION} index {INDEX_VERSION}".encode())
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stale_reason(index_dir: Path, wanted: dict) -> str | None:
    manifest_path = index_dir / "manifest.json"
    if not manifest_path.exists():
        return "no index yet"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return f"corrupt manifest ({type(error).__name__})"
    for key, value in wanted.items():
        if manifest.get(key) != value:
            return f"stale: {key} changed"
    missing = [name for name in manifest.get("files", []) if not (index_dir / name).exists()]
    return f"missing files: {', '.join(missing)}" if missing else None


def _load(index_dir: Path, documents, embedder, dense_status: str) -> CorpusIndex:
    chunks = tuple(Chunk(**row) for row in json.loads((index_dir / "chunks.json").read_text(encoding="utf-8")))
    lexical = LexicalIndex.load(index_dir)
    dense = DenseIndex.load(index_dir) if embedder is not None else None
    if len(lexical.bm25.scores["indptr"]) == 0 or (dense and dense.faiss_index.ntotal != len(chunks)):
        raise ValueError("index sizes do not match the chunks")
    return CorpusIndex(documents, chunks, lexical, dense, embedder, dense_status)


def _build(index_dir: Path, documents, embedder, dense_status: str, manifest: dict) -> CorpusIndex:
    started = time.perf_counter()
    chunks = chunk_clauses(documents)
    texts = [chunk.text for chunk in chunks]
    unit_names = tuple(sorted({name for d in documents for c in d.clauses for name in c.units.all()}))
    lexical = LexicalIndex.build(texts, unit_names, manifest["scheme"])
    dense = DenseIndex.build(texts, embedder) if embedder is not None else None
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}-", dir=index_dir.parent))
    try:
        (staging / "chunks.json").write_text(
            json.dumps([chunk.__dict__ for chunk in chunks], ensure_ascii=False), encoding="utf-8"
        )
        lexical.save(staging)
        if dense is not None:
            dense.save(staging)
        files = sorted(path.name for path in staging.iterdir())
        manifest = {**manifest, "files": files, "chunks": len(chunks), "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        if index_dir.exists():
            shutil.rmtree(index_dir)
        staging.rename(index_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"index built: {len(chunks)} chunks in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return CorpusIndex(documents, chunks, lexical, dense, embedder, dense_status)


def _versions() -> dict[str, str]:
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions

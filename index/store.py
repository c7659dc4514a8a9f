"""The index as a folder with a manifest: built once, reloaded, rebuilt when stale or damaged."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from corpus import PARSER_VERSION, Clause, Document, load_documents
from corpus.loading import document_files
from index.chunking import Chunk, chunk_clauses
from index.dense import DenseIndex, load_embedder
from index.lexical import DEFAULT_SCHEME, LexicalIndex

# Like the parser's, the index's version is its own source: changed chunking or scoring rebuilds saved indexes.
INDEX_VERSION = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))
).hexdigest()[:16]
DEFAULT_EMBED_MODEL = "BAAI/bge-small-zh-v1.5"
DEFAULT = "default"  # open_index's model: $PQA_EMBED_MODEL, else DEFAULT_EMBED_MODEL (read when called)
OFF = "off"
MANIFEST = "manifest.json"
CHUNKS_FILE = "chunks.json"
_PACKAGES = ("bm25s", "jieba", "faiss-cpu", "sentence-transformers")
_CHECKED = ("corpus_hash", "scheme", "index_version", "versions")  # plus the model, when one is loaded


@dataclass(frozen=True)
class Hit:
    """A clause found by one retrieval channel, scored by its best-matching piece."""

    clause_id: str
    score: float
    channel: str  # "lexical" or "dense"


@dataclass
class CorpusIndex:
    """Documents, their clauses and chunks, and the channels that search them."""

    documents: tuple[Document, ...]
    clauses_by_id: dict[str, Clause]
    chunks: tuple[Chunk, ...]
    lexical: LexicalIndex
    dense: DenseIndex | None = None
    embedder: Any = None  # SentenceTransformer, when dense retrieval is on
    dense_status: str = OFF  # the model name, or "off[: reason]"
    rebuilt_because: str = ""  # why open_index built the index; "" when it was loaded as saved
    _chunk_doc_ids: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._chunk_doc_ids = np.array([chunk.doc_id for chunk in self.chunks], dtype=object)

    def search_lexical(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        """At most k clauses by BM25, best first, within the given documents (all when None)."""
        allowed = self._mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        return self._by_clause(self.lexical.search(query, self._depth(k), allowed), k, "lexical")

    def search_dense(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        """At most k clauses by embedding similarity, best first; [] when dense retrieval is off."""
        if self.dense is None or self.embedder is None:
            return []
        allowed = self._mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        return self._by_clause(self.dense.search(query, self.embedder, self._depth(k), allowed), k, "dense")

    def _mask(self, doc_ids: set[str] | None) -> np.ndarray | None:
        if doc_ids is None:
            return None
        return np.isin(self._chunk_doc_ids, list(doc_ids))

    def _depth(self, k: int) -> int:
        """Chunks to fetch so that k distinct clauses are among them (extra pieces can repeat a clause)."""
        return k + len(self.chunks) - len(self.clauses_by_id)

    def _by_clause(self, scored: list[tuple[int, float]], k: int, channel: str) -> list[Hit]:
        best: dict[str, float] = {}
        for number, score in scored:
            clause_id = self.chunks[number].clause_id
            best[clause_id] = max(score, best.get(clause_id, float("-inf")))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [Hit(clause_id, score, channel) for clause_id, score in ranked]


def default_embed_model() -> str:
    return os.environ.get("PQA_EMBED_MODEL", DEFAULT_EMBED_MODEL)


def open_index(
    corpus_dir: Path,
    index_dir: Path,
    embed_model: str | None = DEFAULT,
    scheme: str = DEFAULT_SCHEME,
    progress: Callable[[float, str], None] | None = None,
) -> CorpusIndex:
    """Load the index of a corpus folder, first (re)building it when missing, stale or damaged.

    embed_model None or "off" means lexical retrieval only; a model that cannot load turns the dense
    channel off with one line on stderr. progress(fraction, stage) is told how far a build has got.
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    documents = load_documents(corpus_dir)
    if not documents:
        raise FileNotFoundError(f"{corpus_dir}: no readable policy documents")
    model_name = default_embed_model() if embed_model == DEFAULT else embed_model
    embedder, dense_status = None, OFF
    if model_name and model_name != OFF:
        embedder, dense_status = load_embedder(model_name)
        if embedder is None:
            print(f"dense retrieval {dense_status}; answering from lexical + facts", file=sys.stderr)
    wanted = {
        "corpus_hash": corpus_hash(corpus_dir, documents),
        "model": model_name if embedder is not None else OFF,
        "dense_status": dense_status,
        "scheme": scheme,
        "index_version": INDEX_VERSION,
        "versions": _versions(),
    }
    reason = _stale_reason(index_dir, wanted)
    if reason is None:
        try:
            return _load(index_dir, documents, embedder, dense_status)
        except Exception as error:  # noqa: BLE001  (a damaged index is rebuilt, whatever broke)
            reason = f"unreadable index ({type(error).__name__}: {str(error)[:160]})"
    print(f"index: building {index_dir} ({reason})", file=sys.stderr)
    return _build(index_dir, documents, embedder, dense_status, wanted, reason, progress or _silent)


def corpus_hash(corpus_dir: Path, documents: tuple[Document, ...] = ()) -> str:
    """sha256 over the corpus files' names and bytes and the parser and index versions."""
    digest = hashlib.sha256(f"parser {PARSER_VERSION} index {INDEX_VERSION}\0".encode())
    paths = {*document_files(Path(corpus_dir)), *(Path(document.source) for document in documents)}
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stale_reason(index_dir: Path, wanted: dict[str, Any]) -> str | None:
    """Why the saved index cannot be used (missing, stale, corrupt), or None when it can."""
    path = index_dir / MANIFEST
    if not path.exists():
        return "no index yet" if not index_dir.exists() else f"no {MANIFEST}"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"corrupt {MANIFEST} ({type(error).__name__})"
    changed = [key for key in _CHECKED if manifest.get(key) != wanted[key]]
    if wanted["model"] != OFF and manifest.get("model") != wanted["model"]:
        changed.append(f"model {manifest.get('model')!r} -> {wanted['model']!r}")
    if changed:
        return "stale: " + ", ".join("documents changed" if key == "corpus_hash" else key for key in changed)
    for name, size in files.items():
        file = index_dir / name
        if not file.is_file():
            return f"missing file {name}"
        if file.stat().st_size != size:
            return f"truncated file {name} ({file.stat().st_size} of {size} bytes)"
    return None


def _load(index_dir: Path, documents, embedder, dense_status: str) -> CorpusIndex:
    rows = json.loads((index_dir / CHUNKS_FILE).read_text(encoding="utf-8"))
    chunks = tuple(Chunk(**row) for row in rows)
    clauses_by_id = _clauses_by_id(documents)
    unknown = {chunk.clause_id for chunk in chunks} - clauses_by_id.keys()
    if unknown:
        raise ValueError(f"chunks of unknown clauses: {sorted(unknown)[:3]}")
    lexical = LexicalIndex.load(index_dir)
    dense = DenseIndex.load(index_dir) if embedder is not None else None
    sizes = {"lexical": lexical.size, **({"dense": dense.size} if dense else {})}
    if any(size != len(chunks) for size in sizes.values()):
        raise ValueError(f"{len(chunks)} chunks but index sizes {sizes}")
    return CorpusIndex(documents, clauses_by_id, chunks, lexical, dense, embedder, dense_status)


def _build(
    index_dir: Path, documents, embedder, dense_status: str, manifest: dict, reason: str, progress: Callable[[float, str], None]
) -> CorpusIndex:
    started = time.perf_counter()
    progress(0.1, "切分条款")
    chunks = chunk_clauses(documents)
    unit_names = {name for document in documents for clause in document.clauses for name in clause.units.all()}
    progress(0.3, "词法索引 (BM25)")
    lexical = LexicalIndex.build(chunks, unit_names, manifest["scheme"])
    progress(0.6, "向量索引 (FAISS)" if embedder is not None else "向量索引: off")
    dense = DenseIndex.build([chunk.text for chunk in chunks], embedder) if embedder is not None else None
    progress(0.9, "保存")
    manifest = {
        **manifest,
        "chunks": len(chunks),
        "documents": [document.doc_id for document in documents],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _save_atomically(index_dir, chunks, lexical, dense, manifest)
    seconds = time.perf_counter() - started
    progress(1.0, "完成")
    print(f"index: {len(chunks)} chunks built in {seconds:.1f} s", file=sys.stderr)
    clauses_by_id = _clauses_by_id(documents)
    return CorpusIndex(documents, clauses_by_id, chunks, lexical, dense, embedder, dense_status, reason)


def _save_atomically(index_dir: Path, chunks, lexical: LexicalIndex, dense: DenseIndex | None, manifest: dict) -> None:
    """Write into a temporary folder beside index_dir, then swap it in: readers never see half an index."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.building-", dir=index_dir.parent))
    try:
        rows = [asdict(chunk) for chunk in chunks]
        (staging / CHUNKS_FILE).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        lexical.save(staging)
        if dense is not None:
            dense.save(staging)
        files = {str(p.relative_to(staging)): p.stat().st_size for p in sorted(staging.rglob("*")) if p.is_file()}
        text = json.dumps({**manifest, "files": files}, ensure_ascii=False, indent=1)
        (staging / MANIFEST).write_text(text, encoding="utf-8")
        old = None
        if index_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.old-", dir=index_dir.parent))
            index_dir.rename(old / "index")
        staging.rename(index_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _silent(_fraction: float, _stage: str) -> None:
    """The default progress callback: says nothing."""


def _clauses_by_id(documents) -> dict[str, Clause]:
    return {clause.clause_id: clause for document in documents for clause in document.clauses}


def _versions() -> dict[str, str]:
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions

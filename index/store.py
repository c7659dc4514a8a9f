"""The index as a folder of versions: documents kept parsed, updated one document at a time, switched in atomically.

A version is a manifest naming one shard per document (its parsed clauses and chunks), its vectors when a
model is loaded, and one lexical generation. Opening compares the corpus folder with the saved manifest:
unchanged files are never read again, new or changed ones are read alone, and a change of the code that
reads or indexes (PARSER_VERSION, INDEX_VERSION, package versions) rebuilds everything.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from corpus import PARSER_VERSION, Clause, Document, DocumentError
from corpus.loading import document_files
from index.chunking import Chunk
from index.dense import load_embedder
from index.folder import check_index_folder, remove_leftovers, remove_orphans
from index.lexical import DEFAULT_SCHEME, LexicalIndex
from index.lookupfiles import read_tables
from index.lookups import remember
from index.manifest import MANIFEST, Manifest, read_manifest, stamp
from index.shards import kept_from_collection, read_shard
from index.sync import sync
from index.update import Settings
from index.vectorstore import FAISS, MILVUS, VectorStore, checked_vector_store, default_milvus_uri, open_vector_store, parts_of

# Like the parser's, the index's version is its own source: changed chunking or scoring rebuilds saved indexes.
INDEX_VERSION = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))
).hexdigest()[:16]
DEFAULT_EMBED_MODEL = "BAAI/bge-small-zh-v1.5"
DEFAULT = "default"  # open_index's model: $PQA_EMBED_MODEL, else DEFAULT_EMBED_MODEL (read when called)
OFF = "off"
_PACKAGES = ("bm25s", "jieba", "faiss-cpu", "sentence-transformers")
_CANNOT_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


@dataclass(frozen=True)
class Hit:
    """A clause found by one retrieval channel, scored by its best-matching piece."""

    clause_id: str
    score: float
    channel: str  # "lexical" or "dense"


@dataclass
class CorpusIndex:
    """Documents, their clauses and chunks, and the channels that search them (one saved version)."""

    documents: tuple[Document, ...]
    clauses_by_id: dict[str, Clause]
    chunks: tuple[Chunk, ...]
    lexical: LexicalIndex
    dense: VectorStore | None = None  # FAISS (index.dense) or the Milvus collection (index.milvus)
    embedder: Any = None  # SentenceTransformer, when dense retrieval is on
    dense_status: str = OFF  # the model name, or "off[: reason]"
    vector_store: str = FAISS  # the backend: "faiss" (local BM25 counts, FAISS) or "milvus" (the collection)
    collection: Any = None  # index.milvus.MilvusIndex with the "milvus" backend: BM25, facts and vectors in Milvus
    rebuilt_because: str = ""  # why open_index built or updated the index; "" when it was loaded as saved
    generation: int = 0
    corpus_dir: Path | None = None  # the folders it was opened from (where `docs add|remove` write)
    index_dir: Path | None = None
    shards: dict[str, tuple[Document, tuple[Chunk, ...]]] = field(default_factory=dict, repr=False)
    follower: Any = field(default=None, repr=False)  # finds newer saved versions (see current())
    _doc_chunks: dict[str, slice] = field(init=False, repr=False)  # a document's chunks are consecutive
    _clause_starts: np.ndarray = field(init=False, repr=False)  # the first chunk of each clause (its pieces follow)

    def __post_init__(self) -> None:
        self._doc_chunks, starts, previous = {}, [], None
        for number, chunk in enumerate(self.chunks):
            first = self._doc_chunks.setdefault(chunk.doc_id, slice(number, number + 1))
            self._doc_chunks[chunk.doc_id] = slice(first.start, number + 1)
            if chunk.clause_id != previous:
                starts.append(number)
                previous = chunk.clause_id
        self._clause_starts = np.array(starts, np.int64)

    def current(self) -> CorpusIndex:
        """The newest saved version of this index: itself, or the version a `docs add|remove` switched in since
        (loaded once, reusing the documents already in memory). Costs one stat of the manifest when nothing changed."""
        return self.follower.newest() if self.follower is not None else self

    def search_lexical(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        """At most k clauses by BM25, best first, within the given documents (all when None)."""
        allowed = self._mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        tokens = self.lexical.query_tokens(query)
        if not tokens or k <= 0:
            return []
        if self.collection is not None:  # the collection's BM25 function over the same tokens
            return self._by_clause(self.collection.search_lexical(tokens, self._depth(k), allowed), k, "lexical")
        scores = self.lexical.scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, np.float32(0.0))
        return [Hit(self.chunks[self._clause_starts[row]].clause_id, score, "lexical") for row, score in self._top_clauses(scores, k)]

    def search_dense(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[Hit]:
        """At most k clauses by embedding similarity, best first; [] when dense retrieval is off."""
        if self.dense is None or self.embedder is None:
            return []
        allowed = self._mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        return self._by_clause(self.dense.search(query, self.embedder, self._depth(k), allowed), k, "dense")

    @property
    def hybrid(self) -> bool:
        """Whether BM25 and dense search are fused in the Milvus collection (the Milvus backend with a model)."""
        return self.collection is not None and self.dense is self.collection and self.embedder is not None

    def search_hybrid(
        self, text: str, question: str, k: int, doc_ids: set[str] | None = None, lexical_weight: int = 1
    ) -> list[Hit]:
        """The clauses of the top k chunks by BM25 over the text's tokens and by the question's embedding, fused
        in the collection by reciprocal rank (BM25 weighing lexical_weight times the embedding), best first; a clause's
        score is its best piece's, Σ 1/(60 + rank + 1) over BM25 and 1/lexical_weight of it over the embedding;
        [] unless `hybrid`."""
        if not self.hybrid:
            return []
        allowed = self._mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        tokens = self.lexical.query_tokens(text)
        found = self.collection.search_hybrid(tokens, question, self.embedder, k, allowed, lexical_weight)
        return self._by_clause(found, 2 * k, "hybrid")

    def _mask(self, doc_ids: set[str] | None) -> np.ndarray | None:
        if doc_ids is None:
            return None
        mask = np.zeros(len(self.chunks), bool)
        for doc_id in doc_ids:
            mask[self._doc_chunks.get(doc_id, slice(0))] = True
        return mask

    def _top_clauses(self, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k clauses (row of _clause_starts, score) whose best piece scores highest above 0, best first; at a
        tie the earlier clause (as a stable sort of every chunk's score would give)."""
        if not len(self._clause_starts):
            return []
        best = np.maximum.reduceat(scores, self._clause_starts)
        candidates = np.flatnonzero(best > 0)
        if len(candidates) > k:
            kth = np.partition(best[candidates], len(candidates) - k)[len(candidates) - k]
            candidates = candidates[best[candidates] >= kth]
        order = candidates[np.lexsort((candidates, -best[candidates]))][:k]
        return [(int(row), float(best[row])) for row in order]

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
    rebuild: bool = False,
    vector_store: str | None = None,
    milvus_uri: str | None = None,
) -> CorpusIndex:
    """Load the index of a corpus folder, first bringing it up to date: built when missing, stale or damaged
    (or `rebuild`), updated one document at a time when files were added, changed or removed.

    embed_model None or "off" means lexical retrieval only; a model that cannot load turns the dense
    channel off with one line on stderr. progress(fraction, stage) is told how far a build has got.
    vector_store, the backend: "faiss" (the default: BM25 from the saved counts, FAISS over the saved embeddings) or
    "milvus" (a collection kept in step: BM25, facts and embeddings; None: $PQA_BACKEND, $PQA_VECTOR_STORE, else
    faiss); milvus_uri the collection's (None: $PQA_MILVUS_URI, else the Milvus Lite file in the index folder).
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    store = checked_vector_store(vector_store)
    milvus_uri = milvus_uri or default_milvus_uri()
    if store == MILVUS and _nothing_local(corpus_dir, index_dir):  # a second server: everything from the collection
        from index.milvus import lite_uri  # noqa: PLC0415
        from index.remote import open_collection  # noqa: PLC0415

        return open_collection(milvus_uri or lite_uri(index_dir), *open_embedder(embed_model))
    if not corpus_dir.is_dir():
        raise DocumentError(f"{corpus_dir}: not a folder of documents")
    check_index_folder(index_dir, corpus_dir)
    remove_orphans(index_dir)
    embedder, dense_status, model = open_embedder(embed_model)
    settings = index_settings(scheme)
    try:
        index, reason = _up_to_date(
            corpus_dir, index_dir, settings, embedder, dense_status, model, progress, rebuild, store, milvus_uri
        )
    except OSError as error:
        if error.errno not in _CANNOT_WRITE:
            raise
        index, reason = _built_elsewhere(corpus_dir, index_dir, error, settings, embedder, dense_status, model, progress)
    if not index.documents:
        raise FileNotFoundError(f"{corpus_dir}: no readable policy documents")
    index.rebuilt_because, index.corpus_dir, index.index_dir = reason, corpus_dir, index_dir
    index.follower = _Follower(index_dir, embedder, dense_status, model, index, store, milvus_uri)
    return index


def _nothing_local(corpus_dir: Path, index_dir: Path) -> bool:
    """Whether there is no saved version and no document to build one from (then only a Milvus collection can answer)."""
    return not (index_dir / MANIFEST).is_file() and (not corpus_dir.is_dir() or not document_files(corpus_dir))


def _up_to_date(
    corpus_dir: Path, index_dir: Path, settings, embedder, dense_status: str, model: str, progress, rebuild: bool, store: str,
    milvus_uri: str | None,
):
    """The saved version brought up to date (written when the documents changed) and loaded, and why it was written."""
    for attempt in range(3):
        requested = "rebuild requested" if rebuild and attempt == 0 else None
        manifest, reason = sync(corpus_dir, index_dir, settings, embedder, model, progress, damaged=requested)
        seen = stamp(index_dir)
        try:
            index = load_version(index_dir, manifest, embedder, dense_status, model, store=store, milvus_uri=milvus_uri)
            break
        except Exception as error:  # noqa: BLE001  (a damaged index is rebuilt, whatever broke)
            if stamp(index_dir) != seen and attempt < 2:
                continue  # another writer switched a version in while this one loaded: load that one
            damage = f"unreadable index ({type(error).__name__}: {str(error)[:160]})"
            manifest, reason = sync(corpus_dir, index_dir, settings, embedder, model, progress, damaged=damage)
            index = load_version(index_dir, manifest, embedder, dense_status, model, store=store, milvus_uri=milvus_uri)
            break
    remove_leftovers(index_dir, manifest.generation)
    return index, reason


def _built_elsewhere(corpus_dir: Path, index_dir: Path, error: OSError, settings, embedder, dense_status, model, progress):
    """An index folder we cannot write that needs writing: build in a temporary folder, answer from it, keep nothing
    (the local backend: a Milvus file there would be deleted under its connection)."""
    print(f"索引: 无法写入 {index_dir}({error.strerror or error}),索引需要更新却不能保存:本次在临时目录中建立索引并据此回答,"
          "不会保存;请让该目录可写或用 --index 另选目录。", file=sys.stderr, flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pqa-index-") as folder:
        manifest, reason = sync(corpus_dir, Path(folder), settings, embedder, model, progress)
        index = load_version(Path(folder), manifest, embedder, dense_status, model)
    return index, f"{reason}; not saved ({index_dir} is not writable)"


def open_embedder(embed_model: str | None) -> tuple[Any, str, str]:
    """(model or None, dense status, the model's name or "off"), saying once on stderr when it cannot load."""
    model_name = default_embed_model() if embed_model == DEFAULT else embed_model
    if not model_name or model_name == OFF:
        return None, OFF, OFF
    embedder, dense_status = load_embedder(model_name)
    if embedder is None:
        print(f"dense retrieval {dense_status}; answering from lexical + facts", file=sys.stderr)
        return None, dense_status, OFF
    return embedder, dense_status, model_name


def index_settings(scheme: str = DEFAULT_SCHEME) -> Settings:
    """What the saved index must have been built with (this code, these packages) to be updated, not rebuilt."""
    return Settings(scheme, INDEX_VERSION, PARSER_VERSION, _versions())


def load_version(
    index_dir: Path,
    manifest: Manifest,
    embedder: Any,
    dense_status: str,
    model: str,
    earlier: CorpusIndex | None = None,
    store: str = FAISS,
    milvus_uri: str | None = None,
) -> CorpusIndex:
    """The saved version a manifest names, taking the documents `earlier` already holds from memory (and its Milvus
    connection)."""
    reuse = earlier.shards if earlier is not None else {}
    documents, chunks, shards = [], [], {}
    with kept_from_collection():
        for entry in manifest.documents:
            document, document_chunks = reuse.get(entry.shard) or read_shard(Path(index_dir) / entry.shard)
            if document.doc_id != entry.doc_id or len(document_chunks) != entry.chunks:
                raise ValueError(f"{entry.shard} does not hold {entry.doc_id} as the manifest describes it")
            documents.append(document)
            chunks.extend(document_chunks)
            shards[entry.shard] = (document, document_chunks)
    base = earlier.lexical.__dict__.get("tokenizer") if earlier is not None else None
    lexical = LexicalIndex.load(Path(index_dir) / manifest.lexical, base)
    if lexical.size != len(chunks):
        raise ValueError(f"{len(chunks)} chunks but a lexical index of {lexical.size}")
    parts = parts_of(manifest.documents)
    if embedder is None or manifest.model != model:
        parts = [replace(part, vectors="") for part in parts]  # no model: BM25 and facts only

    def contents() -> Any:
        from index.milvus import Contents  # noqa: PLC0415

        return Contents({document.doc_id: document for document in documents}, chunks, lexical.counts)

    earlier_collection = earlier.collection if earlier is not None else None
    version = _version(manifest, lexical, bool(parts) and all(part.vectors for part in parts))
    dense, collection, used = open_vector_store(
        store, Path(index_dir), parts, contents, earlier_collection, milvus_uri, Path(index_dir) / manifest.lexical, version
    )
    if dense is not None and dense.size != len(chunks):
        raise ValueError(f"{len(chunks)} chunks but {dense.size} vectors")
    clauses_by_id = {clause.clause_id: clause for document in documents for clause in document.clauses}
    documents = tuple(documents)
    _read_lookups(Path(index_dir) / manifest.lexical, documents, len(clauses_by_id))
    return CorpusIndex(
        documents, clauses_by_id, tuple(chunks), lexical, dense, embedder, dense_status, used, collection,
        generation=manifest.generation, shards=shards,
    )  # fmt: skip


def _read_lookups(folder: Path, documents: tuple[Document, ...], clauses: int) -> None:
    """Keep the lookups saved with the version for its documents; when none were saved (a doc_id repeats) or they do
    not read, its first question computes them."""
    try:
        remember(documents, read_tables(folder, len(documents), clauses))
    except FileNotFoundError:
        return
    except Exception as error:  # noqa: BLE001  (derived data: computed again, whatever broke)
        print(f"index: the lookups of {folder.name} did not read ({type(error).__name__}: {str(error)[:120]}); "
              "computed at the first question", file=sys.stderr)  # fmt: skip


def _version(manifest: Manifest, lexical: LexicalIndex, with_vectors: bool) -> Any:
    """The version as the Milvus collection records it, for a reader with nothing local (index.remote)."""
    from index.milvus_state import Version  # noqa: PLC0415

    return Version(manifest.generation, manifest.model if with_vectors else OFF, lexical.scheme, lexical.user_words)


class _Follower:
    """Keeps an opened index current for a long-running reader (the app): a stat per call, a load per new version."""

    def __init__(
        self, index_dir: Path, embedder: Any, dense_status: str, model: str, latest: CorpusIndex, store: str = FAISS,
        milvus_uri: str | None = None,
    ) -> None:
        self.index_dir, self.embedder, self.dense_status, self.model = index_dir, embedder, dense_status, model
        self.store, self.milvus_uri = store, milvus_uri
        self.latest, self.seen = latest, stamp(index_dir)
        self.lock = threading.Lock()

    def newest(self) -> CorpusIndex:
        now = stamp(self.index_dir)
        if now is None or now == self.seen:
            return self.latest
        with self.lock:
            if stamp(self.index_dir) == self.seen:
                return self.latest
            self.seen = stamp(self.index_dir)
            try:
                manifest = read_manifest(self.index_dir)
                index = load_version(
                    self.index_dir, manifest, self.embedder, self.dense_status, self.model, self.latest, self.store,
                    self.milvus_uri,
                )
            except Exception as error:  # noqa: BLE001  (keep answering from the version in memory)
                print(f"index: kept generation {self.latest.generation}; the new one did not load ({error!r})",
                      file=sys.stderr)  # fmt: skip
                return self.latest
            index.follower, index.corpus_dir, index.index_dir = self, self.latest.corpus_dir, self.index_dir
            self.latest = index
            print(f"index: generation {index.generation} loaded ({len(index.documents)} documents)", file=sys.stderr)
            return index


def _versions() -> dict[str, str]:
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions


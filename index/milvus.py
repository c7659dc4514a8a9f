"""The index in a Milvus collection (Milvus Lite: index folder/milvus/lite.db; or a server's URI), kept in step with the
index one document at a time: its chunks' BM25 tokens, their clauses' facts and, when a model loads, their vectors.

The index folder is the writer's source: the collection is a copy, brought up to date when a version is opened — the
new documents inserted, the state switched (index.milvus_state: which documents, in which slots, and how questions are
tokenized), then the documents gone deleted; the others are left as they are. A row's id is slot << 20 | its chunk's
number in the document, so a hit maps back to the version's chunk numbers without a lookup in Milvus. A collection
that does not match its state is rebuilt. A reader with nothing local opens the state and the rows (index.remote).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus import Document
from index.dense import encode
from index.lexical import K1, TermCounts
from index.milvus_rows import COLLECTION, SLOT_SHIFT, create, rows, token_text, token_texts
from index.milvus_state import STATES, Held, State, Version, create_states, read_state, write_state
from index.vectorstore import Part

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from index.chunking import Chunk

FOLDER = "milvus"
LITE_FILE = "lite.db"
SCHEMA = 3  # the collection's layout (index.milvus_rows, index.milvus_state); another one is rebuilt
MAX_LIMIT = 16384  # Milvus's largest top-k
RRF_K = 60  # hybrid search's reciprocal-rank constant, as the assistant's fusion uses
_BATCH = 2000


class MilvusUnavailable(RuntimeError):
    """Milvus cannot be used here: pymilvus / milvus-lite missing, or the file held by another process."""


@dataclass(frozen=True)
class Contents:
    """What the rows of a version's documents are made of: their records, chunks and the lexical index's counts."""

    documents: Mapping[str, Document]
    chunks: Sequence[Chunk]
    counts: TermCounts


@dataclass(frozen=True)
class MilvusIndex:
    """One version's view of the collection: which slot holds which of its documents, and where their chunks start."""

    client: Any  # pymilvus.MilvusClient
    uri: str
    starts: np.ndarray  # slot -> the version's number of the slot's first chunk, -1 for a slot not in this version
    counts: np.ndarray  # slot -> its document's chunks
    part_starts: np.ndarray  # the first chunk of each document, in chunk order
    part_slots: np.ndarray  # the slot of each document, in the same order
    size: int
    vectors: bool  # whether the collection holds dense vectors

    @classmethod
    def open(
        cls, index_dir: Path, parts: Sequence[Part], contents: Contents, version: Version, earlier: Any = None,
        uri: str | None = None,
    ) -> MilvusIndex:
        """The collection brought up to date with `parts` (vectors when they name them) of `version`; reuses `earlier`'s
        connection. uri None: the Milvus Lite file in index_dir/milvus; else a Milvus server's ("http://host:19530")."""
        uri = uri or lite_uri(index_dir)
        client = earlier.client if isinstance(earlier, MilvusIndex) and earlier.uri == uri else connect(uri, Path(index_dir) / FOLDER)
        slots = _synced(client, Path(index_dir), parts, contents, version, is_server(uri))
        return cls.of(client, uri, parts, [slots[_key(part)] for part in parts])

    @classmethod
    def of(cls, client: Any, uri: str, parts: Sequence[Part], slots: Sequence[int]) -> MilvusIndex:
        """The view of a collection that holds the parts in these slots (vectors when every part names them)."""
        size = max(slots, default=-1) + 1
        starts, counts = np.full(size, -1, np.int64), np.zeros(size, np.int64)
        for part, slot in zip(parts, slots):
            starts[slot], counts[slot] = part.start, part.chunks
        part_starts = np.array([part.start for part in parts], np.int64)
        with_vectors = bool(parts) and all(part.vectors for part in parts)
        return cls(client, uri, starts, counts, part_starts, np.array(slots, np.int64), sum(p.chunks for p in parts), with_vectors)

    def search(
        self, query: str, model: SentenceTransformer, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk number, cosine similarity), best first, among the allowed chunks; exact (a FLAT index)."""
        expression, k = self._bounds(k, allowed)
        if k <= 0:
            return []
        vector = encode(model, [query], query=True)[0]
        found = self.client.search(COLLECTION, data=[vector], anns_field="vector", limit=k, filter=expression,
                                   search_params={"metric_type": "IP"})  # fmt: skip
        return self._hits(found[0])

    def search_lexical(self, tokens: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk number, BM25 score) with a positive score among the allowed chunks, by the collection's BM25
        function over the same tokens; scores on the lexical index's scale (Milvus's carry a factor k1 + 1, and Milvus
        Lite gives them negated)."""
        expression, k = self._bounds(k, allowed)
        if k <= 0 or not tokens:
            return []
        found = self.client.search(COLLECTION, data=[token_text(tokens)], anns_field="bm25", limit=k, filter=expression,
                                   search_params={"metric_type": "BM25"})  # fmt: skip
        scored = [(number, abs(distance) / (K1 + 1)) for number, distance in self._hits(found[0])]
        return [(number, score) for number, score in scored if score > 0]

    def search_hybrid(
        self,
        tokens: Sequence[str],
        query: str,
        model: SentenceTransformer,
        k: int,
        allowed: np.ndarray | None = None,
        lexical_weight: int = 1,
    ) -> list[tuple[int, float]]:
        """The top-k chunks by BM25 over the tokens and the top k by the query's embedding, (chunk number, fused score)
        fused by reciprocal rank in the collection (`hybrid_search`, RRF), best first. Milvus's RRF weighs its requests alike, so the BM25 request is sent
        `lexical_weight` times; the score is divided by it: Σ 1/(60 + rank + 1) over BM25, and 1/lexical_weight of it
        over the embedding."""
        from pymilvus import AnnSearchRequest, RRFRanker  # noqa: PLC0415

        expression, k = self._bounds(k, allowed)
        if k <= 0:
            return []
        vector = encode(model, [query], query=True)[0]
        requests = [AnnSearchRequest([vector], "vector", {"metric_type": "IP"}, k, expr=expression or None)]
        if tokens:
            bm25 = AnnSearchRequest([token_text(tokens)], "bm25", {"metric_type": "BM25"}, k, expr=expression or None)
            requests = [bm25] * lexical_weight + requests
        found = self.client.hybrid_search(COLLECTION, requests, RRFRanker(RRF_K), limit=min(2 * k, MAX_LIMIT))
        return [(number, score / lexical_weight) for number, score in self._hits(found[0])]

    def _bounds(self, k: int, allowed: np.ndarray | None) -> tuple[str, int]:
        """The filter for the allowed chunks and the top-k to ask for (0: nothing to search)."""
        expression = ""
        if allowed is not None:
            expression = self._filter(allowed)
            if not expression:
                return "", 0
        return expression, min(k, self.size, MAX_LIMIT)

    def _hits(self, found: Sequence[dict]) -> list[tuple[int, float]]:
        """(chunk number, distance) of each hit of a document in this version."""
        hits = []
        for hit in found:
            slot, number = int(hit["id"]) >> SLOT_SHIFT, int(hit["id"]) & ((1 << SLOT_SHIFT) - 1)
            if slot < len(self.starts) and self.starts[slot] >= 0 and number < self.counts[slot]:
                hits.append((int(self.starts[slot] + number), float(hit["distance"])))
        return hits  # a row of a document another version added or removed meanwhile is skipped
    def _filter(self, allowed: np.ndarray) -> str:
        """A scalar expression for the allowed chunks: their documents' slots, or (a mask that cuts a document)
        their ids; "" when none is allowed."""
        if not allowed.any():
            return ""
        slots = self.part_slots[allowed[self.part_starts]] if len(self.part_starts) else np.zeros(0, np.int64)
        whole = np.zeros_like(allowed)
        for slot in slots:
            whole[self.starts[slot] : self.starts[slot] + self.counts[slot]] = True
        if np.array_equal(whole, allowed):
            return f"slot in {[int(slot) for slot in slots]}"
        numbers = np.flatnonzero(allowed)
        owners = np.searchsorted(self.part_starts, numbers, side="right") - 1
        ids = (self.part_slots[owners] << SLOT_SHIFT) | (numbers - self.part_starts[owners])
        return f"id in {[int(value) for value in ids]}"


def lite_uri(index_dir: Path) -> str:
    """The Milvus Lite file of an index folder, the collection's place when no URI is given."""
    return str(Path(index_dir) / FOLDER / LITE_FILE)


def connect(uri: str, folder: Path | None = None) -> Any:
    """A client of the URI (creating `folder` for a Milvus Lite file first); MilvusUnavailable, in Chinese, when the
    URI cannot be used."""
    try:
        from pymilvus import MilvusClient  # noqa: PLC0415
    except ImportError as error:
        raise MilvusUnavailable("未安装 pymilvus / milvus-lite:pip install pymilvus milvus-lite") from error
    if folder is not None:
        folder.mkdir(exist_ok=True)
    try:
        return MilvusClient(uri)
    except Exception as error:  # noqa: BLE001  (pymilvus raises its own types; all mean: this URI cannot be used)
        held = "可能正被另一个进程使用" if not is_server(uri) else "无法连接"
        raise MilvusUnavailable(f"无法打开 {uri},{held}: {type(error).__name__}") from error


def _synced(client: Any, index_dir: Path, parts: Sequence[Part], contents: Contents, version: Version, server: bool) -> dict[str, int]:
    """Bring the collection up to date with the parts; their keys (shard and vectors file) -> slots."""
    state = read_state(client)
    dimension = _dimension(index_dir, parts)
    held = {document.key: document for document in state.documents} if state is not None else {}
    if state is None or (state.schema, state.dimension) != (SCHEMA, dimension) or not _matches(client, state):
        for name in (COLLECTION, STATES):
            if client.has_collection(name):
                client.drop_collection(name)
        create(client, dimension, server)
        create_states(client)
        client.load_collection(COLLECTION)
        state, held = None, {}
    wanted = {_key(part) for part in parts}
    next_slot = state.slots_used if state is not None else 0
    added = [part for part in parts if _key(part) not in held]
    for part in added:
        _insert(client, index_dir, part, next_slot, contents)
        held[_key(part)] = Held(part.doc_id, _key(part), next_slot, part.chunks)
        next_slot += 1
    documents = tuple(held[_key(part)] for part in parts)
    if state is None or (state.documents, state.version) != (documents, version):
        client.flush(COLLECTION)
        write_state(client, State(SCHEMA, dimension, version, documents, next_slot))  # readers switch to it here
    gone = [document.slot for key, document in held.items() if key not in wanted]
    if gone:
        client.delete(COLLECTION, filter=f"slot in {gone}")
        client.flush(COLLECTION)
    client.load_collection(COLLECTION)
    return {key: held[key].slot for key in wanted}


def _insert(client: Any, index_dir: Path, part: Part, slot: int, contents: Contents) -> None:
    """Insert a document's rows: tokens from the lexical counts, facts from its record, vectors from its file."""
    vectors = np.load(index_dir / part.vectors, allow_pickle=False) if part.vectors else None
    if (vectors is not None and len(vectors) != part.chunks) or part.chunks >= 1 << SLOT_SHIFT:
        raise ValueError(f"{part.doc_id}: {part.chunks} chunks, {len(vectors) if vectors is not None else 0} vectors")
    chunks = contents.chunks[part.start : part.start + part.chunks]
    tokens = token_texts(contents.counts, part.start, part.start + part.chunks)
    made = rows(contents.documents[part.doc_id], [chunk.clause_id for chunk in chunks], [chunk.piece for chunk in chunks],
                slot, tokens, vectors)  # fmt: skip
    batch = []
    for row in made:
        batch.append(row)
        if len(batch) == _BATCH:
            client.insert(COLLECTION, batch)
            batch = []
    if batch:
        client.insert(COLLECTION, batch)


def _key(part: Part) -> str:
    """What a document's rows are made from: its shard (record, chunks) and its vectors file ("" without a model)."""
    return f"{part.shard}|{part.vectors}"


def is_server(uri: str) -> bool:
    """Whether the URI is a Milvus server's (else a Milvus Lite file's)."""
    return uri.startswith(("http://", "https://", "tcp://", "unix:"))


def _matches(client: Any, state: State) -> bool:
    """Whether the collection holds the rows the state says (as many, deletions counted)."""
    if not client.has_collection(COLLECTION):
        return False
    client.load_collection(COLLECTION)
    rows = client.query(COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"]
    return int(rows) == sum(document.chunks for document in state.documents)


def _dimension(index_dir: Path, parts: Sequence[Part]) -> int:
    """The vectors' dimension; 0 when the parts have none (the collection then holds BM25 and facts only)."""
    if not parts or not all(part.vectors for part in parts):
        return 0
    return int(np.load(index_dir / parts[0].vectors, mmap_mode="r", allow_pickle=False).shape[1])

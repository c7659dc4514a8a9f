"""Chunk embeddings in a Milvus Lite file (index folder/milvus/), kept in step with the index one document at a time.

The saved vectors (`vectors/*.npy`, one file per document and model) stay the source: the collection is a copy,
brought up to date when a version is opened — the documents gone are deleted, the new ones inserted, the others
left as they are. Each document gets a slot number; a row's id is slot << 20 | its chunk's number in the document,
so a hit maps back to the version's chunk numbers without a lookup in Milvus. `state.json` records which vectors
files the collection holds; a collection that does not match it is rebuilt.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.dense import encode
from index.vectorstore import Part

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

FOLDER = "milvus"
LITE_FILE = "lite.db"
STATE_FILE = "state.json"
COLLECTION = "chunks"
SLOT_SHIFT = 20  # a document's chunks are numbered below 2**20
MAX_LIMIT = 16384  # Milvus's largest top-k
_BATCH = 5000


class MilvusUnavailable(RuntimeError):
    """Milvus cannot be used here: pymilvus / milvus-lite missing, or the file held by another process."""


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

    @classmethod
    def open(cls, index_dir: Path, parts: Sequence[Part], earlier: Any = None) -> MilvusIndex:
        """The collection in index_dir/milvus brought up to date with `parts`; reuses `earlier`'s connection."""
        folder = Path(index_dir) / FOLDER
        uri = str(folder / LITE_FILE)
        client = earlier.client if isinstance(earlier, MilvusIndex) and earlier.uri == uri else _connect(folder, uri)
        slots = _synced(client, folder, Path(index_dir), parts)
        size = max((slot for slot in slots.values()), default=-1) + 1
        starts, counts = np.full(size, -1, np.int64), np.zeros(size, np.int64)
        for part in parts:
            starts[slots[part.vectors]], counts[slots[part.vectors]] = part.start, part.chunks
        part_starts = np.array([part.start for part in parts], np.int64)
        part_slots = np.array([slots[part.vectors] for part in parts], np.int64)
        return cls(client, uri, starts, counts, part_starts, part_slots, sum(part.chunks for part in parts))

    def search(
        self, query: str, model: SentenceTransformer, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk number, cosine similarity), best first, among the allowed chunks; exact (a FLAT index)."""
        expression = ""
        if allowed is not None:
            expression = self._filter(allowed)
            if not expression:
                return []
        k = min(k, self.size, MAX_LIMIT)
        if k <= 0:
            return []
        vector = encode(model, [query], query=True)[0]
        found = self.client.search(COLLECTION, data=[vector], limit=k, filter=expression, search_params={"metric_type": "IP"})
        hits = []
        for hit in found[0]:
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


def _connect(folder: Path, uri: str) -> Any:
    try:
        from pymilvus import MilvusClient  # noqa: PLC0415
    except ImportError as error:
        raise MilvusUnavailable("未安装 pymilvus / milvus-lite:pip install pymilvus milvus-lite") from error
    folder.mkdir(exist_ok=True)
    try:
        return MilvusClient(uri)
    except Exception as error:  # noqa: BLE001  (pymilvus raises its own types; all mean: this file cannot be opened)
        raise MilvusUnavailable(f"无法打开 {uri},可能正被另一个进程使用: {type(error).__name__}") from error


def _synced(client: Any, folder: Path, index_dir: Path, parts: Sequence[Part]) -> dict[str, int]:
    """Bring the collection up to date with the parts; their vectors files -> slots."""
    state = _read_state(folder)
    dimension = _dimension(index_dir, parts, state)
    held: dict[str, list] = state.get("slots", {})  # vectors file -> [slot, chunks]
    if not _matches(client, held, state.get("dimension") == dimension):
        if client.has_collection(COLLECTION):
            client.drop_collection(COLLECTION)
        _create(client, dimension)
        client.load_collection(COLLECTION)
        held = {}
    wanted = {part.vectors for part in parts}
    gone = [slot for name, (slot, _chunks) in held.items() if name not in wanted]
    if gone:
        client.delete(COLLECTION, filter=f"slot in {gone}")
        held = {name: value for name, value in held.items() if name in wanted}
    next_slot = max((slot for slot, _chunks in held.values()), default=-1) + 1
    added = [part for part in parts if part.vectors not in held]
    for part in added:
        vectors = np.load(index_dir / part.vectors, allow_pickle=False)
        _insert(client, part, next_slot, vectors)
        held[part.vectors] = [next_slot, part.chunks]
        next_slot += 1
    if gone or added:
        client.flush(COLLECTION)
        _write_state(folder, {"dimension": dimension, "slots": held})
    client.load_collection(COLLECTION)
    return {name: slot for name, (slot, _chunks) in held.items()}


def _create(client: Any, dimension: int) -> None:
    from pymilvus import DataType  # noqa: PLC0415

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("slot", DataType.INT64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    index_params = client.prepare_index_params()
    index_params.add_index("vector", index_type="FLAT", metric_type="IP")
    client.create_collection(COLLECTION, schema=schema, index_params=index_params)


def _insert(client: Any, part: Part, slot: int, vectors: np.ndarray) -> None:
    if len(vectors) != part.chunks or part.chunks >= 1 << SLOT_SHIFT:
        raise ValueError(f"{part.vectors}: {len(vectors)} vectors for {part.chunks} chunks")
    for first in range(0, len(vectors), _BATCH):
        rows = [
            {"id": (slot << SLOT_SHIFT) | number, "slot": slot, "doc_id": part.doc_id, "vector": vectors[number]}
            for number in range(first, min(first + _BATCH, len(vectors)))
        ]
        client.insert(COLLECTION, rows)


def _matches(client: Any, held: dict[str, list], same_dimension: bool) -> bool:
    """Whether the collection holds what the state says (as many rows, deletions counted, of the same dimension)."""
    if not same_dimension or not client.has_collection(COLLECTION):
        return False
    client.load_collection(COLLECTION)
    rows = client.query(COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"]
    return int(rows) == sum(chunks for _slot, chunks in held.values())


def _dimension(index_dir: Path, parts: Sequence[Part], state: dict) -> int:
    if not parts:
        return int(state.get("dimension", 0))
    return int(np.load(index_dir / parts[0].vectors, mmap_mode="r", allow_pickle=False).shape[1])


def _read_state(folder: Path) -> dict:
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(folder: Path, state: dict) -> None:
    temporary = folder / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)

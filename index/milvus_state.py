"""Which version the Milvus collection holds, kept in Milvus beside it (a collection of JSON slices), not on a disk."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

import msgspec

from index.milvus_rows import MAX_ROWS

STATES = "versions"
SLICE = 16000  # characters of the state's JSON per row (at most 3 bytes each: under Milvus's 65,535)
_SHIFT = 20  # a slice's id is serial << 20 | its number + 1; row 0 names the serial in force


@dataclass(frozen=True)
class Held:
    """One document of the version in the collection: what its rows were made from, its slot and its chunks."""

    doc_id: str
    key: str  # its shard and vectors file ("shards/….jsonl|vectors/….npy"); a changed document has another key
    slot: int
    chunks: int


@dataclass(frozen=True)
class Version:
    """The index folder's version the collection was brought up to date with, as a reader needs it."""

    generation: int
    model: str  # the model of the vectors, "off" when none
    scheme: str  # the lexical index's tokenization and the words its jieba keeps whole (a question is tokenized so)
    user_words: tuple[str, ...]


@dataclass(frozen=True)
class State:
    """What the collection holds: its layout, the version, and the version's documents in chunk order."""

    schema: int
    dimension: int  # the vectors' (0: BM25 and facts only)
    version: Version
    documents: tuple[Held, ...]
    slots_used: int  # slots numbered so far: a new document takes the next (never a removed one's)
    serial: int = 0  # which write of the state this is (a follower reloads when it changes)


def create_states(client: Any) -> None:
    """The collection of the state's slices (Milvus wants a vector field in each collection: a 2-d one, all zeros)."""
    from pymilvus import DataType  # noqa: PLC0415

    if client.has_collection(STATES):
        return
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535)
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)
    index_params = client.prepare_index_params()
    index_params.add_index("unused", index_type="FLAT", metric_type="L2")
    client.create_collection(STATES, schema=schema, index_params=index_params)
    client.load_collection(STATES)


def read_state(client: Any) -> State | None:
    """The state in force, None when there is none (or it cannot be read whole: then the collection is rebuilt)."""
    if not client.has_collection(STATES):
        return None
    client.load_collection(STATES)
    for _attempt in range(3):  # a writer may switch another serial in, and delete this one's slices, meanwhile
        pointer = client.query(STATES, filter="id == 0", output_fields=["text"])
        if not pointer:
            return None
        serial, parts = json.loads(pointer[0]["text"])
        found = client.query(STATES, filter=f"id > {serial << _SHIFT} and id <= {(serial << _SHIFT) + parts}",
                             output_fields=["text"], limit=MAX_ROWS)  # fmt: skip
        if len(found) == parts:
            text = "".join(row["text"] for row in sorted(found, key=lambda row: row["id"]))
            return msgspec.convert({**json.loads(text), "serial": serial}, State)
    return None


def serial_in_force(client: Any) -> int:
    """The serial of the state in force (0: none); one small query, for a follower to ask at each question."""
    pointer = client.query(STATES, filter="id == 0", output_fields=["text"]) if client.has_collection(STATES) else []
    return json.loads(pointer[0]["text"])[0] if pointer else 0


def write_state(client: Any, state: State) -> State:
    """Switch `state` in as the next serial: its JSON's slices first, then row 0 naming the serial (one upsert, so a
    reader reads one whole state or retries), then delete the slices of the one before; the state as written."""
    create_states(client)
    before = read_state(client)
    serial = (before.serial if before is not None else 0) + 1
    text = json.dumps({**asdict(state), "serial": serial}, ensure_ascii=False)
    slices = [text[first : first + SLICE] for first in range(0, len(text), SLICE)]
    rows = [{"id": (serial << _SHIFT) + number + 1, "text": part, "unused": [0.0, 0.0]} for number, part in enumerate(slices)]
    for first in range(0, len(rows), 100):
        client.insert(STATES, rows[first : first + 100])
    client.flush(STATES)
    client.upsert(STATES, [{"id": 0, "text": json.dumps([serial, len(slices)]), "unused": [0.0, 0.0]}])
    client.flush(STATES)
    client.delete(STATES, filter=f"id > 0 and id < {serial << _SHIFT}")
    return replace(state, serial=serial)

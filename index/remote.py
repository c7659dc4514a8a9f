"""The index opened from a Milvus collection alone (documents, chunks, token counts), for a server with nothing local."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from index.chunking import chunk_clauses
from index.lexical import LexicalIndex, TermCounts
from index.milvus import MilvusIndex, MilvusUnavailable, connect, is_server
from index.milvus_rows import COLLECTION, document_of, read_rows, tokens_of
from index.milvus_state import State, read_state, serial_in_force
from index.store import CorpusIndex
from index.vectorstore import MILVUS, Part


def open_collection(uri: str, embedder: Any, dense_status: str, model: str) -> CorpusIndex:
    """The version the collection at `uri` holds, followed as writers switch others in (ConnectionError or
    FileNotFoundError in Chinese when the URI cannot be used or holds no index)."""
    if not is_server(uri) and not Path(uri).exists():
        raise FileNotFoundError(f"本机没有索引和文件,而 Milvus Lite 文件 {uri} 不存在:请用 --milvus-uri 指定已建好索引的 Milvus,"
                                "或用 --corpus 指定文件目录")  # fmt: skip
    try:
        client = connect(uri)
    except MilvusUnavailable as error:
        raise ConnectionError(f"本机没有索引和文件,只能从 Milvus 回答,但{error};请检查 --milvus-uri") from error
    state = read_state(client)
    if state is None or not state.documents:
        raise FileNotFoundError(f"Milvus {uri} 中没有索引:先在有文件的机器上用 --backend milvus --milvus-uri {uri} 打开一次"
                                "(建立索引并写入集合)")  # fmt: skip
    client.load_collection(COLLECTION)
    index = _loaded(client, uri, state, embedder, dense_status, model, None)
    print(f"索引: 从 Milvus {uri} 读取第 {index.generation} 版({len(index.documents)} 份文件,{len(index.chunks)} 个分块),"
          "本机不保存任何文件", file=sys.stderr)  # fmt: skip
    index.follower = _Follower(index, state.serial, embedder, dense_status, model)
    return index


def _loaded(client: Any, uri: str, state: State, embedder: Any, dense_status: str, model: str, earlier: CorpusIndex | None) -> CorpusIndex:
    """The CorpusIndex of a state: documents held by `earlier` taken from memory, the others rebuilt from their rows
    (record, text, clauses with their facts), their chunks made again as the writer made them, and the lexical counts
    from the rows' tokens (a word's rarity, `document_frequency`); BM25, vectors and hybrid search stay in Milvus."""
    reuse, rows_before, start = {}, {}, 0
    for key, (document, chunks) in (earlier.shards if earlier is not None else {}).items():
        reuse[key], rows_before[key], start = (document, chunks), range(start, start + len(chunks)), start + len(chunks)
    fetched = read_rows(client, [(held.slot, held.chunks) for held in state.documents if held.key not in reuse])
    with_vectors = embedder is not None and state.dimension > 0 and state.version.model == model
    if embedder is not None and not with_vectors:
        print(f"dense retrieval off: the collection holds vectors of {state.version.model!r}, not {model!r}", file=sys.stderr)
    documents, chunks, shards, parts, token_texts, new_rows = [], [], {}, [], [], []
    kept = np.full(earlier.lexical.size if earlier is not None else 0, -1, np.int64)
    for held in state.documents:
        if held.key in reuse:
            document, document_chunks = reuse[held.key]
            kept[rows_before[held.key].start : rows_before[held.key].stop] = np.arange(len(chunks), len(chunks) + held.chunks)
        else:
            _slot, ordered = next(fetched)  # in the order asked for
            document = document_of(ordered)
            document_chunks = chunk_clauses([document])
            token_texts += [row["tokens"] for row in ordered]  # split into tokens one chunk at a time, when counted
            new_rows += range(len(chunks), len(chunks) + len(ordered))
        if len(document_chunks) != held.chunks or document.doc_id != held.doc_id:
            raise ValueError(f"Milvus {uri}: {held.doc_id} 的行与集合的状态不符({len(document_chunks)} / {held.chunks} 个分块)")
        vectors = held.key.split("|", 1)[1] if with_vectors else ""
        parts.append(Part(held.doc_id, vectors, len(chunks), held.chunks, held.key))
        documents.append(document)
        chunks.extend(document_chunks)
        shards[held.key] = (document, document_chunks)
    counted = (tokens_of(text) for text in token_texts)
    counts = (earlier.lexical.counts if earlier is not None else TermCounts.empty()).rebuilt(kept, counted, np.array(new_rows, np.int64))
    base = earlier.lexical.__dict__.get("tokenizer") if earlier is not None else None
    lexical = LexicalIndex(counts, state.version.scheme, state.version.user_words, base)
    collection = MilvusIndex.of(client, uri, parts, [held.slot for held in state.documents])
    clauses_by_id = {clause.clause_id: clause for document in documents for clause in document.clauses}
    return CorpusIndex(
        tuple(documents), clauses_by_id, tuple(chunks), lexical, collection if with_vectors else None,
        embedder if with_vectors else None, dense_status if with_vectors else "off", MILVUS, collection,
        generation=state.version.generation, shards=shards,
    )  # fmt: skip


class _Follower:
    """Keeps an index opened from the collection current: one small query per call, a load per new state."""

    def __init__(self, latest: CorpusIndex, serial: int, embedder: Any, dense_status: str, model: str) -> None:
        self.latest, self.serial, self.lock = latest, serial, threading.Lock()
        self.embedder, self.dense_status, self.model = embedder, dense_status, model

    def newest(self) -> CorpusIndex:
        client, uri = self.latest.collection.client, self.latest.collection.uri
        if serial_in_force(client) == self.serial:
            return self.latest
        with self.lock:
            state = read_state(client)
            if state is None or state.serial == self.serial or not state.documents:
                return self.latest
            try:
                index = _loaded(client, uri, state, self.embedder, self.dense_status, self.model, self.latest)
            except Exception as error:  # noqa: BLE001  (keep answering from the version in memory)
                print(f"index: kept generation {self.latest.generation}; the collection's new one did not load ({error!r})",
                      file=sys.stderr)  # fmt: skip
                return self.latest
            index.follower, self.latest, self.serial = self, index, state.serial
            print(f"index: generation {index.generation} loaded from Milvus ({len(index.documents)} documents)", file=sys.stderr)
            return index

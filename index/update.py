"""Writing a new version of an index: read only new or changed files, keep every other document as saved."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus import Document, DocumentError
from index.chunking import Chunk, chunk_clauses
from index.dense import DenseIndex, encode
from index.folder import checksums, file_times
from index.lexical import LexicalIndex
from index.lookupfiles import save_tables, updated_tables
from index.manifest import GENERATION_PREFIX, SHARDS, VECTORS, Entry, Manifest, Refusal
from index.shards import read_shard, write_shard
from index.workers import read_documents

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Planned:
    """A file the new version is to hold: its name in the corpus folder, its identity, where to read it now."""

    file: str
    sha256: str
    size: int
    mtime_ns: int
    path: Path  # the file in the corpus folder, or a copy staged for it
    document: Document | None = None  # already read (by the library, from the staged copy)


@dataclass(frozen=True)
class Settings:
    """What a saved index must have been built with to be kept: anything else rebuilds it whole."""

    scheme: str
    index_version: str
    parser_version: str
    versions: dict[str, str]

    def differences(self, manifest: Manifest) -> list[str]:
        return [name for name, value in dataclasses.asdict(self).items() if getattr(manifest, name) != value]


@dataclass
class Written:
    """A version written beside the saved one, not yet switched in: its manifest, what it read, what it wrote."""

    manifest: Manifest
    read: dict[str, tuple[Document, tuple[Chunk, ...]]]  # shard -> the documents read for it now
    refused: tuple[Refusal, ...]
    paths: list[Path]  # everything written, deleted again if the version is abandoned

    def abandon(self) -> None:
        for path in self.paths:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def write_version(
    index_dir: Path,
    corpus_dir: Path,
    planned: Sequence[Planned],
    previous: Manifest | None,
    settings: Settings,
    embedder: Any = None,
    model: str = "off",
    base_tokenizer: Any = None,
    progress: Progress | None = None,
) -> Written:
    """Write shards, vectors and a lexical generation for `planned` (reusing what `previous` holds unchanged);
    the caller switches the returned manifest in, or abandons it. `previous` None means: build everything."""
    progress = progress or (lambda _fraction, _stage: None)
    index_dir = Path(index_dir)
    kept = {(item.file, item.sha256): item for item in (*previous.documents, *previous.refused)} if previous else {}
    written = Written(None, {}, (), [])  # type: ignore[arg-type]
    try:
        entries, refused = _read(index_dir, corpus_dir, planned, kept, settings, written, progress)
        progress(0.7, "词法索引 (BM25)")
        lexical = _lexical(index_dir, previous, entries, written.read, settings.scheme, base_tokenizer)
        progress(0.8, "向量索引 (FAISS)" if embedder is not None else "向量索引: off")
        if embedder is not None:
            entries = _vectors(index_dir, entries, previous, embedder, model, written)
        progress(0.9, "保存")
        generation = _next_generation(index_dir, previous)
        folder = index_dir / f"{GENERATION_PREFIX}{generation:06d}"
        folder.mkdir(parents=True)
        written.paths.append(folder)
        lexical.save(folder)
        tables = updated_tables(index_dir, previous, entries, written.read)
        if tables is not None:
            save_tables(folder, tables, len(entries), sum(entry.clauses for entry in entries))
        if embedder is not None and entries:  # saved once here, read by every opening (an HNSW graph takes seconds)
            _dense(index_dir, entries).save(folder)
        files = {entry.shard: (index_dir / entry.shard).stat().st_size for entry in entries}
        files |= {entry.vectors: (index_dir / entry.vectors).stat().st_size for entry in entries if entry.vectors}
        files |= {f"{folder.name}/{path.name}": path.stat().st_size for path in sorted(folder.iterdir())}
        written.manifest = Manifest(
            generation=generation,
            corpus_hash=corpus_hash(entries, settings),
            **dataclasses.asdict(settings),
            model=model if embedder is not None else (previous.model if previous else "off"),
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            chunks=sum(entry.chunks for entry in entries),
            lexical=folder.name,
            documents=tuple(entries),
            refused=tuple(refused),
            files=files,
            checksums=checksums(index_dir, files, *((previous.checksums, previous.times) if previous else ())),
            times=file_times(index_dir, files),
        )
        written.refused = tuple(refused)
        return written
    except BaseException:
        written.abandon()
        raise


def corpus_hash(entries: Sequence[Entry], settings: Settings) -> str:
    """sha256 over the documents' names and contents and the parser and index versions."""
    digest = hashlib.sha256(f"parser {settings.parser_version} index {settings.index_version}\0".encode())
    for entry in sorted(entries, key=lambda e: e.file):
        digest.update(f"{entry.file}\0{entry.sha256}\0".encode())
    return digest.hexdigest()


def _next_generation(index_dir: Path, previous: Manifest | None) -> int:
    """A number no version in the folder has used (a crashed writer's folder included)."""
    numbers = [previous.generation if previous else 0]
    for path in index_dir.glob(GENERATION_PREFIX + "*"):
        suffix = path.name[len(GENERATION_PREFIX) :]
        numbers.append(int(suffix) if suffix.isdigit() else 0)
    return max(numbers) + 1


def _read(index_dir: Path, corpus_dir: Path, planned, kept, settings: Settings, written: Written, progress: Progress):
    """Entries in file-name order and refusals; the documents read now go to written.read (by shard)."""
    entries, refused = [], []
    (index_dir / SHARDS).mkdir(parents=True, exist_ok=True)
    ordered = sorted(planned, key=lambda item: item.file)
    unread = [item.path for item in ordered if item.document is None and (item.file, item.sha256) not in kept]
    loaded = read_documents(unread)  # in this order, by worker processes when there are many
    for number, item in enumerate(ordered):
        entry = kept.get((item.file, item.sha256))
        if isinstance(entry, Refusal):  # unchanged since it was refused: not read again
            print(f"skipped {item.file}: {entry.reason}", file=sys.stderr)
            refused.append(dataclasses.replace(entry, size=item.size, mtime_ns=item.mtime_ns))
            continue
        if entry is not None:
            entries.append(dataclasses.replace(entry, size=item.size, mtime_ns=item.mtime_ns))
            continue
        progress(0.6 * number / max(1, len(ordered)), f"读取 {item.file}")
        try:
            document = item.document or next(loaded)
            if isinstance(document, (DocumentError, OSError)):
                raise document
        except (DocumentError, OSError) as error:
            print(f"skipped {item.file}: {error}", file=sys.stderr)
            refused.append(Refusal(item.file, item.sha256, item.size, item.mtime_ns, str(error)))
            continue
        document = dataclasses.replace(document, source=str(Path(corpus_dir) / item.file))
        chunks = chunk_clauses([document])
        key = hashlib.sha256(f"{item.sha256} {settings.parser_version} {settings.index_version}".encode()).hexdigest()
        shard = f"{SHARDS}/{document.doc_id}.{key[:16]}.jsonl"
        _write_new(index_dir / shard, lambda path: write_shard(path, document, chunks), written)
        written.read[shard] = (document, chunks)
        entries.append(_entry(item, document, chunks, shard))
    return entries, refused


def _entry(item: Planned, document: Document, chunks: tuple[Chunk, ...], shard: str) -> Entry:
    units = {name for clause in document.clauses for name in clause.units.all()}
    return Entry(
        doc_id=document.doc_id, file=item.file, sha256=item.sha256, size=item.size, mtime_ns=item.mtime_ns,
        shard=shard, title=document.title, chunks=len(chunks), clauses=len(document.clauses),
        tasks=sum(1 for clause in document.clauses if clause.units), units=len(units),
        targets=sum(len(clause.targets) for clause in document.clauses), place=document.place,
        issuer=document.issuer, doc_number=document.doc_number, date=document.date,
    )  # fmt: skip


def _lexical(index_dir: Path, previous, entries, read, scheme: str, base_tokenizer) -> LexicalIndex:
    """The previous lexical index with the removed documents' rows dropped and the new ones' counted."""
    if previous is None:
        old = LexicalIndex.build([], (), scheme)
        rows = {}
    else:
        old = LexicalIndex.load(index_dir / previous.lexical, base_tokenizer)
        starts = np.cumsum([0] + [entry.chunks for entry in previous.documents])
        rows = {entry.shard: range(int(start), int(start) + entry.chunks) for entry, start in zip(previous.documents, starts)}
    parts: list[range | tuple[str, ...]] = []
    for entry in entries:
        now = read.get(entry.shard)
        parts.append(rows[entry.shard] if now is None else tuple(chunk.text for chunk in now[1]))
    words = {name for document, _chunks in read.values() for clause in document.clauses for name in clause.units.all()}
    return old.rebuilt(parts, words)


def _vectors(index_dir: Path, entries, previous, embedder, model: str, written: Written) -> list[Entry]:
    """Entries with their embeddings under `model`: kept when saved, computed for the others."""
    (index_dir / VECTORS).mkdir(parents=True, exist_ok=True)
    model_key = hashlib.sha256(model.encode()).hexdigest()[:12]
    same_model = previous is not None and previous.model == model
    result = []
    for entry in entries:
        if same_model and entry.vectors and (index_dir / entry.vectors).is_file():
            result.append(entry)
            continue
        name = f"{VECTORS}/{Path(entry.shard).stem}.{model_key}.npy"
        chunks = written.read[entry.shard][1] if entry.shard in written.read else read_shard(index_dir / entry.shard)[1]
        vectors = encode(embedder, [chunk.text for chunk in chunks])
        _write_new(index_dir / name, lambda path: np.save(path, vectors, allow_pickle=False), written)
        result.append(dataclasses.replace(entry, vectors=name))
    return result


def _dense(index_dir: Path, entries: Sequence[Entry]) -> DenseIndex:
    """The FAISS index of every entry's saved vectors, in chunk order."""
    return DenseIndex.from_vectors(np.concatenate([np.load(index_dir / entry.vectors, allow_pickle=False) for entry in entries]))


def _write_new(path: Path, write: Callable[[Path], None], written: Written) -> None:
    """Write a file through a temporary name; a file that was not there before is deleted if the version is abandoned."""
    existed = path.exists()
    temporary = path.with_name(path.name + ".tmp")
    if path.suffix == ".npy":
        temporary = path.with_name(path.stem + ".tmp.npy")  # np.save appends .npy to any other name
    write(temporary)
    temporary.replace(path)
    if not existed:
        written.paths.append(path)

"""The index folder's manifest: what one saved version holds, switched in by one rename under a lock."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

MANIFEST = "manifest.json"
LOCK = ".lock"
SHARDS = "shards"  # shards/<doc id>.<content hash>.jsonl: one parsed document each, never rewritten
VECTORS = "vectors"  # vectors/<doc id>.<content hash>.<model hash>.npy: its chunks' embeddings
GENERATION_PREFIX = "gen-"  # gen-000042/: the lexical index of one version
_TEMPORARY = ".tmp"


@dataclass(frozen=True)
class Entry:
    """One document of a saved index: the file it was read from and what reading it found."""

    doc_id: str
    file: str  # its name in the corpus folder
    sha256: str
    size: int
    mtime_ns: int
    shard: str  # path of its parsed form, relative to the index folder
    title: str
    chunks: int
    clauses: int
    tasks: int  # clauses that name units
    units: int  # distinct units named
    targets: int
    vectors: str = ""  # its embeddings under the manifest's model, "" when none
    place: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""


@dataclass(frozen=True)
class Refusal:
    """A file of the corpus folder that could not be read, remembered so that it is not read again while unchanged."""

    file: str
    sha256: str
    size: int
    mtime_ns: int
    reason: str


@dataclass(frozen=True)
class Manifest:
    """One saved version of an index; `files` maps every file it uses to its size, `checksums` to its blake2b,
    `times` to its modification time."""

    generation: int
    corpus_hash: str
    scheme: str
    index_version: str
    parser_version: str
    versions: dict[str, str]
    model: str  # the model of the entries' vectors, "off" when none
    created: str
    chunks: int
    lexical: str  # the generation folder holding the lexical index
    documents: tuple[Entry, ...] = ()
    refused: tuple[Refusal, ...] = ()
    files: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)  # verified on open when a file's time changed
    times: dict[str, int] = field(default_factory=dict)  # each file's mtime_ns as written (none: verify every file)

    def entry(self, doc_id: str) -> Entry | None:
        return next((entry for entry in self.documents if entry.doc_id == doc_id), None)


def read_manifest(index_dir: Path) -> Manifest:
    """The saved manifest (FileNotFoundError when there is none, ValueError when it is not a manifest of this kind)."""
    try:
        raw = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8"))
        missing = {f.name for f in dataclasses.fields(Manifest) if f.default is dataclasses.MISSING} - set(raw)
        if missing and "corpus_hash" in raw:
            raise ValueError(f"an earlier index layout (no {sorted(missing)[0]})")
        return msgspec.convert(raw, Manifest)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{type(error).__name__}: {error}") from error


def earlier_files(index_dir: Path) -> dict[str, int]:
    """The `files` of whatever manifest is saved, of any layout ({} when unreadable): what a new version may delete."""
    try:
        files = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8")).get("files", {})
        return {str(name): size for name, size in dict(files).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def stamp(index_dir: Path) -> tuple[int, int, int] | None:
    """What changes whenever another version is switched in (inode, mtime, size of the manifest); None when none."""
    try:
        status = (Path(index_dir) / MANIFEST).stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


def missing_or_resized(index_dir: Path, manifest: Manifest) -> str | None:
    """Why the manifest's files are not all there as written, or None."""
    for name, size in manifest.files.items():
        path = Path(index_dir) / name
        if not path.is_file():
            return f"missing file {name}"
        if path.stat().st_size != size:
            return f"truncated file {name} ({path.stat().st_size} of {size} bytes)"
    return None


def switch(index_dir: Path, manifest: Manifest) -> None:
    """Make `manifest` the saved version: written beside the old one, flushed, then renamed over it."""
    text = json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=1)
    temporary = Path(index_dir) / (MANIFEST + _TEMPORARY)
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, Path(index_dir) / MANIFEST)
    with contextlib.suppress(OSError):  # the rename itself made durable, where the platform allows
        directory = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def locked(folder: Path, name: str = LOCK) -> Iterator[None]:
    """Hold an exclusive lock on folder/name (one writer at a time; a second one waits)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    with (Path(folder) / name).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder itself (no lock file is left in a folder that is not ours)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def collect_garbage(index_dir: Path, keep: set[str], doomed: set[str] = frozenset()) -> None:
    """Delete the `doomed` files (an earlier layout's, as its manifest listed them) and whatever sits unreferenced in
    our own subfolders (shards, vectors, generations). Nothing else in the folder is touched; `keep` wins."""
    index_dir = Path(index_dir)
    doomed = {name for name in doomed if name not in keep}
    for sub in (SHARDS, VECTORS):
        if (index_dir / sub).is_dir():
            doomed |= {f"{sub}/{path.name}" for path in (index_dir / sub).iterdir() if f"{sub}/{path.name}" not in keep}
    kept_generations = {name.split("/", 1)[0] for name in keep if name.startswith(GENERATION_PREFIX)}
    for path in index_dir.glob(GENERATION_PREFIX + "*"):
        if path.is_dir() and path.name not in kept_generations:
            shutil.rmtree(path, ignore_errors=True)
    for name in sorted(doomed):
        path = index_dir / name
        if path.resolve().is_relative_to(index_dir.resolve()) and (path.is_file() or path.is_symlink()):
            path.unlink(missing_ok=True)
    for name in {str(Path(name).parent) for name in doomed} - {".", SHARDS, VECTORS}:
        with contextlib.suppress(OSError):  # an earlier layout's subfolder, once empty
            (index_dir / name).rmdir()

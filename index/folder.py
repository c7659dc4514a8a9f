"""Whose folder an index path is, checksums of the files in it, and what interrupted writers left in or beside it."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from index.manifest import GENERATION_PREFIX, LOCK, MANIFEST, SHARDS, VECTORS

# What a save of this layout or the earlier one (chunks.json, bm25/, …) writes: a folder without a readable
# manifest is still ours when it holds nothing else.
OWN_FILES = frozenset({MANIFEST, MANIFEST + ".tmp", LOCK, "chunks.json", "lexical.json", "dense.faiss"})
OWN_FOLDERS = frozenset({SHARDS, VECTORS, "bm25", "milvus"})  # milvus: index.milvus's copy of the vectors
# A temporary folder of the earlier layout beside the index with no living process behind it (or, named
# before pids were, this old) is an orphan.
ORPHAN_SECONDS = 3600
_CHUNK = 1 << 20


class IndexFolderError(OSError):
    """An index path that is not ours to write: someone else's files, or the document folder itself."""


def check_index_folder(index_dir: Path, corpus_dir: Path) -> None:
    """Refuse an index path we could not write without mixing our files with, or removing, what is not ours."""
    index_dir, corpus_dir = Path(index_dir), Path(corpus_dir)
    index_real, corpus_real = index_dir.resolve(), corpus_dir.resolve()
    if index_real == corpus_real or corpus_real in index_real.parents:
        raise IndexFolderError(f"索引目录 {index_dir} 是文档目录 {corpus_dir} 或在其中:请为 --index 另选一个目录,文档不会被改动。")
    if not index_dir.exists() and not index_dir.is_symlink():
        return
    if not index_dir.is_dir():
        raise IndexFolderError(f"{index_dir} 已存在且不是索引目录:拒绝覆盖,请为 --index 另选一个目录。")
    foreign = foreign_entries(index_dir)
    if foreign:
        names = "、".join(foreign[:3]) + ("等" if len(foreign) > 3 else "")
        raise IndexFolderError(
            f"{index_dir} 不是本程序的索引目录(没有本程序的 manifest.json,却有其他文件:{names}),拒绝写入或删除;"
            "请为 --index 另选一个空目录或新路径。"
        )


def foreign_entries(index_dir: Path) -> list[str]:
    """What makes a folder not ours: a manifest of another kind, or, without a readable one, entries we never write."""
    manifest = _raw_manifest(index_dir)
    if manifest is not None:
        return [] if "corpus_hash" in manifest else [MANIFEST]
    return sorted(
        path.name
        for path in Path(index_dir).iterdir()
        if path.name not in OWN_FILES and path.name not in OWN_FOLDERS and not path.name.startswith(GENERATION_PREFIX)
    )


def _raw_manifest(index_dir: Path) -> dict | None:
    try:
        manifest = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else {}


def checksum(path: Path) -> str:
    """blake2b (128-bit) of a file's bytes, read a megabyte at a time."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def checksums(index_dir: Path, names, known: dict[str, str] | None = None, times: dict[str, int] | None = None) -> dict[str, str]:
    """The checksum of each named file of the index folder; a file whose time is the one `times` recorded keeps
    its `known` checksum (shards are never rewritten: an add hashes its own files, not the whole library)."""
    sums = {}
    for name in sorted(names):
        path = Path(index_dir) / name
        unchanged = name in (known or {}) and (times or {}).get(name) == path.stat().st_mtime_ns
        sums[name] = known[name] if unchanged else checksum(path)
    return sums


def file_times(index_dir: Path, names) -> dict[str, int]:
    """The modification time (ns) of each named file of the index folder."""
    return {name: (Path(index_dir) / name).stat().st_mtime_ns for name in sorted(names)}


def changed_file(index_dir: Path, sums: dict[str, str], times: dict[str, int] | None = None) -> str | None:
    """Why the saved files' bytes are not those the manifest recorded (damage that keeps sizes), or None. A file
    whose time is the one recorded in `times` is taken as written (opening reads no shard to hash it)."""
    for name, digest in sums.items():
        try:
            path = Path(index_dir) / name
            if times and name in times and path.stat().st_mtime_ns == times[name]:
                continue
            if checksum(path) != digest:
                return f"damaged file {name} (checksum differs)"
        except OSError as error:
            return f"unreadable file {name} ({error.strerror or error})"
    return None


def remove_leftovers(index_dir: Path, generation: int) -> list[str]:
    """What a killed writer left in the folder (temporary files, a generation never switched in), removed when no
    writer holds the folder now; the names removed. Shards and vectors it wrote are left to the next writer."""
    index_dir = Path(index_dir)
    leftovers = [path for path in index_dir.glob(GENERATION_PREFIX + "*") if _number(path) > generation]
    for sub in ("", SHARDS, VECTORS):
        with contextlib.suppress(OSError):
            leftovers += [path for path in (index_dir / sub).iterdir() if ".tmp" in path.name]
    leftovers = [path for path in leftovers if path.name != LOCK]
    if not leftovers:
        return []
    with _try_lock(index_dir) as held:
        if not held:
            return []  # a writer is at work: these are its files
        for path in leftovers:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
    return sorted(path.relative_to(index_dir).as_posix() for path in leftovers if not path.exists())


def _number(path: Path) -> int:
    suffix = path.name[len(GENERATION_PREFIX) :]
    return int(suffix) if suffix.isdigit() and path.is_dir() else -1


@contextlib.contextmanager
def _try_lock(index_dir: Path):
    """The writers' lock if it is free now (True), else False; never waits, never creates the lock file."""
    try:
        handle = (Path(index_dir) / LOCK).open("r")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def remove_orphans(index_dir: Path) -> list[Path]:
    """Delete the temporary folders an earlier layout's interrupted save left beside the index (.built.building-…,
    .built.old-…) when no living process owns them; the ones removed."""
    index_dir = Path(index_dir)
    pattern = re.compile(rf"\.{re.escape(index_dir.name)}\.(?:building|old)-(?:(\d+)-)?")
    removed = []
    try:
        siblings = list(index_dir.parent.iterdir())
    except OSError:
        return []
    for path in siblings:
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink() or not _orphaned(path, match.group(1)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def _orphaned(path: Path, pid: str | None) -> bool:
    if pid is None:
        try:
            return time.time() - path.stat().st_mtime > ORPHAN_SECONDS
        except OSError:
            return False
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True

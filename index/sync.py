"""Bringing a saved index up to date with its corpus folder: what changed, and the version that holds it."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpus.library import file_sha256
from corpus.loading import document_files
from corpus.text import MAX_DOCUMENT_BYTES
from index.folder import changed_file
from index.manifest import (
    LOCK,
    MANIFEST,
    Manifest,
    collect_garbage,
    earlier_files,
    locked,
    missing_or_resized,
    read_manifest,
    switch,
)
from index.update import Planned, Settings, Written, write_version


def sync(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Any = None,
    model: str = "off",
    progress: Callable[[float, str], None] | None = None,
    damaged: str | None = None,
) -> tuple[Manifest, str]:
    """The manifest of a version holding exactly the folder's documents, and why it was written ("" when the saved
    one already did). Only new or changed files are read; `damaged` (why the saved one failed to load) rebuilds all."""
    if damaged is None:
        saved, _reason = usable(index_dir, settings)
        if saved is not None and not changes(plan_folder(corpus_dir, saved), saved, embedder, model):
            report_refusals(saved)
            return saved, ""
    with locked(index_dir):  # a second writer waits here, then finds the folder as the first one left it
        return sync_locked(corpus_dir, index_dir, settings, embedder, model, progress, damaged)


def sync_locked(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Any = None,
    model: str = "off",
    progress: Callable[[float, str], None] | None = None,
    damaged: str | None = None,
) -> tuple[Manifest, str]:
    """sync() for a caller that holds the index folder's lock."""
    saved, reason = usable(index_dir, settings) if damaged is None else (None, damaged)
    planned = plan_folder(corpus_dir, saved)
    if saved is not None:
        reason = changes(planned, saved, embedder, model)
        if not reason:
            report_refusals(saved)
            return saved, ""
    started = time.perf_counter()
    print(f"index: {'updating' if saved else 'building'} {index_dir} ({reason})", file=sys.stderr)
    written = write_version(index_dir, corpus_dir, planned, saved, settings, embedder, model, progress=progress)
    commit(index_dir, written, saved)
    if progress is not None:
        progress(1.0, "完成")
    manifest = written.manifest
    print(f"index: {manifest.chunks} chunks of {len(manifest.documents)} documents, {len(written.read)} read, "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
    return manifest, reason


def usable(index_dir: Path, settings: Settings) -> tuple[Manifest | None, str]:
    """The saved manifest when a new version may be built on it, else None and why everything must be rebuilt."""
    index_dir = Path(index_dir)
    if not (index_dir / MANIFEST).exists():
        ours = {LOCK, MANIFEST + ".tmp"}
        empty = not index_dir.is_dir() or all(path.name in ours for path in index_dir.iterdir())
        return None, "no index yet" if empty else f"no {MANIFEST}"
    try:
        raw = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "corpus_hash" in raw and "generation" not in raw:
            return None, "stale: an earlier index layout"
        manifest = read_manifest(index_dir)
    except (OSError, ValueError) as error:
        return None, f"corrupt {MANIFEST} ({type(error).__name__})"
    different = settings.differences(manifest)
    if different:
        return None, "stale: " + ", ".join(different)
    damage = missing_or_resized(index_dir, manifest) or changed_file(index_dir, manifest.checksums, manifest.times)
    return (None, damage) if damage else (manifest, "")


def plan_folder(corpus_dir: Path, saved: Manifest | None) -> list[Planned]:
    """The folder's document files with their content hashes (taken from the manifest while size and time agree)."""
    known = {}
    if saved is not None:
        known = {item.file: item for item in (*saved.documents, *saved.refused)}
    planned = []
    for path in document_files(Path(corpus_dir)):
        status = path.stat()
        entry = known.get(path.name)
        if entry is not None and (entry.size, entry.mtime_ns) == (status.st_size, status.st_mtime_ns):
            sha = entry.sha256
        elif status.st_size > MAX_DOCUMENT_BYTES:
            sha = f"too large: {status.st_size}"  # refused by the reader unread; not read to be hashed either
        else:
            try:
                sha = file_sha256(path)
            except OSError as error:  # unreadable now: left out (said each time), read once it can be
                print(f"skipped {path.name}: 无法读取文件:{error.strerror or error}", file=sys.stderr)
                continue
        planned.append(Planned(path.name, sha, status.st_size, status.st_mtime_ns, path))
    return planned


def changes(planned: Sequence[Planned], saved: Manifest, embedder: Any = None, model: str = "off") -> str:
    """Why the saved version does not hold the planned files ("" when it does)."""
    known = {item.file: item.sha256 for item in (*saved.documents, *saved.refused)}
    now = {item.file: item.sha256 for item in planned}
    added, removed = now.keys() - known.keys(), known.keys() - now.keys()
    changed = {name for name in now.keys() & known.keys() if now[name] != known[name]}
    counts = [f"{len(names)} {label}" for names, label in ((added, "added"), (changed, "changed"), (removed, "removed")) if names]
    if counts:
        return f"stale: documents changed ({', '.join(counts)})"
    if embedder is not None and (saved.model != model or not all(entry.vectors for entry in saved.documents)):
        return f"stale: model {saved.model!r} -> {model!r}"
    return ""


def commit(index_dir: Path, written: Written, saved: Manifest | None) -> None:
    """Switch the written version in, then delete what neither it nor the version it replaces needs."""
    earlier = earlier_files(index_dir)
    try:
        switch(index_dir, written.manifest)
    except BaseException:
        written.abandon()
        raise
    keep = set(written.manifest.files) | (set(saved.files) if saved is not None else set())
    collect_garbage(index_dir, keep, set(earlier))


def report_refusals(manifest: Manifest) -> None:
    """One line on stderr per file of the folder that could not be read."""
    for refusal in manifest.refused:
        print(f"skipped {refusal.file}: {refusal.reason}", file=sys.stderr)

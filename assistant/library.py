"""The document library officials manage: files added to, replaced in and removed from the corpus folder and its
index in one step each, under a lock, so that a refusal or a crash leaves both as they were.

A file added is copied in under a safe name (library.json keeps its original name, when, and its content hash);
the same content is never added twice; a file added again under the same original name replaces the copy and
keeps its doc id. Removing a copy the library made deletes it; a file that was in the folder before (one the
project did not create) is never deleted: it is left in place and recorded as left out of the library.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import Document, DocumentError, load_document
from corpus.formats import check_file
from corpus.library import Library, Record, file_sha256, read_library, safe_name, write_library
from corpus.loading import document_files
from index.manifest import Manifest, locked, locked_folder
from index.store import index_settings
from index.sync import commit, plan_folder, sync_locked
from index.update import Planned, write_version

STAGING_PREFIX = ".staging-"
CRASH_AT = "PQA_CRASH_AT"  # test hook: "staged", "indexed" or "moved" kills the process (SIGKILL) at that step
Progress = Callable[[float, str], None]
_VERBS = ("added", "replaced", "restored")  # what a file added did; "duplicate", "refused" and "held" change nothing


class LibraryError(ValueError):
    """A library command that cannot be carried out (an unknown doc id); nothing was changed."""


@dataclass(frozen=True)
class FileResult:
    """What adding one file did: added, replaced, restored; or duplicate, refused, held back (with the reason, in Chinese)."""

    original: str  # the file's name as given
    status: str
    doc_id: str = ""
    title: str = ""
    reason: str = ""
    clauses: int = 0
    tasks: int = 0  # clauses that name the units responsible
    units: int = 0
    targets: int = 0


@dataclass(frozen=True)
class Change:
    """What one library command did, and the index version it left."""

    results: tuple[FileResult, ...] = ()
    removed: tuple[str, ...] = ()  # doc ids
    kept_files: tuple[str, ...] = ()  # removed documents whose files the project did not create, left in place
    seconds: float = 0.0
    generation: int = 0
    documents: int = 0  # in the library afterwards
    committed: bool = False  # False: nothing changed


@dataclass(frozen=True)
class LibraryDocument:
    """One document of the library, as `docs list --json` prints it."""

    doc_id: str
    title: str
    file: str
    clauses: int
    added: str  # when it was added (for a file that was in the folder before the library: its modification time)
    original: str  # the name it was added under ("" for a file that was in the folder before)
    managed: bool  # whether the library copied it in (and may delete it)
    tasks: int
    units: int
    targets: int
    sha256: str
    place: str
    issuer: str
    doc_number: str  # 文号
    date: str


def add_documents(
    paths: Sequence[Path],
    corpus_dir: Path,
    index_dir: Path,
    *,
    embedder: Any = None,
    model: str = "off",
    tokenizer: Any = None,
    all_or_nothing: bool = True,
    progress: Progress | None = None,
) -> Change:
    """Copy readable policy documents (files, or the documents of folders) into the library and index them.

    With all_or_nothing, one refused file means nothing is added. `tokenizer` (an initialised jieba tokenizer of
    an open index) saves loading jieba's dictionary again.
    """
    started, progress = time.perf_counter(), progress or (lambda _fraction, _stage: None)
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with locked_folder(corpus_dir), locked(index_dir):
        _clear_staging(corpus_dir)
        manifest, _ = sync_locked(corpus_dir, index_dir, index_settings(), embedder, model)
        library = read_library(corpus_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=corpus_dir))
        try:
            results, planned, library = _stage(_inputs(paths), corpus_dir, staging, manifest, library, progress)
            refused = any(result.status == "refused" for result in results)
            if not planned or (refused and all_or_nothing):
                held = "其他文件无法读取,本次未添加任何文件"
                results = [dataclasses.replace(r, status="held", reason=held) if r.status in _VERBS else r for r in results]
                return Change(tuple(results), seconds=time.perf_counter() - started, generation=manifest.generation,
                              documents=len(manifest.documents))  # fmt: skip
            _crash_point("staged")
            progress(0.7, "建立索引")
            incoming = {item.file for item in planned}
            unchanged = [item for item in plan_folder(corpus_dir, manifest) if item.file not in incoming]
            written = write_version(index_dir, corpus_dir, [*unchanged, *planned], manifest, index_settings(),
                                    embedder, model, tokenizer)  # fmt: skip
            try:
                _crash_point("indexed")
                write_library(corpus_dir, library)  # first: a copy moved in is then always one the record knows
                _move_in(planned, corpus_dir, staging)
                _crash_point("moved")
                commit(index_dir, written, manifest)
            except BaseException:
                written.abandon()
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    progress(1.0, "完成")
    return Change(tuple(_counted(results, written.manifest)), seconds=time.perf_counter() - started,
                  generation=written.manifest.generation, documents=len(written.manifest.documents), committed=True)  # fmt: skip


def remove_documents(
    doc_ids: Sequence[str], corpus_dir: Path, index_dir: Path, *, embedder: Any = None, model: str = "off"
) -> Change:
    """Take documents out of the library and the index: the library's own copies are deleted, other files left in
    place and recorded as left out. An unknown doc id is a LibraryError and nothing changes."""
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    with locked_folder(corpus_dir), locked(index_dir):
        _clear_staging(corpus_dir)
        manifest, _ = sync_locked(corpus_dir, index_dir, index_settings(), embedder, model)
        unknown = [doc_id for doc_id in doc_ids if manifest.entry(doc_id) is None]
        if unknown:
            raise LibraryError(f"文件库中没有这些文件:{'、'.join(unknown)}(用 docs list 查看文件 ID)")
        library = read_library(corpus_dir)
        files = {manifest.entry(doc_id).file for doc_id in doc_ids}
        managed = {file for file in files if library.by_file(file) is not None}
        library = Library(
            tuple(record for record in library.records if record.file not in managed),
            tuple(sorted(set(library.excluded) | (files - managed))),
        )
        planned = [item for item in plan_folder(corpus_dir, manifest) if item.file not in files]
        written = write_version(index_dir, corpus_dir, planned, manifest, index_settings(), embedder, model)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=corpus_dir))
        try:
            for file in sorted(managed):  # out of the folder first; deleted once the new version is in
                if (corpus_dir / file).exists():
                    os.replace(corpus_dir / file, staging / file)
            write_library(corpus_dir, library)
            commit(index_dir, written, manifest)
        except BaseException:
            written.abandon()
            for path in staging.iterdir():
                os.replace(path, corpus_dir / path.name)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Change(removed=tuple(dict.fromkeys(doc_ids)), kept_files=tuple(sorted(files - managed)),
                  seconds=time.perf_counter() - started, generation=written.manifest.generation,
                  documents=len(written.manifest.documents), committed=True)  # fmt: skip


def list_documents(corpus_dir: Path, index_dir: Path) -> tuple[LibraryDocument, ...]:
    """Every document of the library (the index brought up to date with the folder first)."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise DocumentError(f"{corpus_dir}: not a folder of documents")
    with locked(index_dir):
        manifest, _ = sync_locked(corpus_dir, index_dir, index_settings())
    library = read_library(corpus_dir)
    rows = []
    for entry in manifest.documents:
        record = library.by_file(entry.file)
        added = record.added if record else time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(entry.mtime_ns / 1e9))
        rows.append(LibraryDocument(
            entry.doc_id, entry.title, entry.file, entry.clauses, added, record.original if record else "",
            record is not None, entry.tasks, entry.units, entry.targets, entry.sha256, entry.place, entry.issuer,
            entry.doc_number, entry.date,
        ))  # fmt: skip
    return tuple(rows)


def _inputs(paths: Sequence[Path]) -> list[Path]:
    """The files to add: each file given, and the document files of each folder given (sorted)."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(document_files(path)) if path.is_dir() else [path])
    return files


def _stage(inputs, corpus_dir: Path, staging: Path, manifest: Manifest, library: Library, progress: Progress):
    """Copy each input into staging under its library name and read it there: results, planned files, new record."""
    by_sha = {entry.sha256: entry.doc_id for entry in manifest.documents}
    excluded = {file_sha256(corpus_dir / name): name for name in library.excluded if (corpus_dir / name).is_file()}
    taken = {path.name for path in corpus_dir.iterdir()} | {record.file for record in library.records}
    results, planned = [], []
    records = {record.file: record for record in library.records}
    left_out = set(library.excluded)
    for number, path in enumerate(inputs):
        progress(0.7 * number / max(1, len(inputs)), f"读取 {path.name}")
        original = path.name
        try:
            check_file(path)  # format, size: refused before anything is copied
            sha = file_sha256(path)
        except (DocumentError, OSError) as error:
            results.append(FileResult(original, "refused", reason=_reason(error, original)))
            continue
        if sha in by_sha:
            results.append(FileResult(original, "duplicate", doc_id=by_sha[sha], reason=f"内容与已有文件 {by_sha[sha]} 相同,未重复添加"))
            continue
        if sha in excluded:  # a file of the folder removed earlier: back in, never copied twice
            name = excluded.pop(sha)
            left_out.discard(name)
            planned.append(_planned(corpus_dir / name, name, sha, load_document(corpus_dir / name)))
            by_sha[sha] = planned[-1].document.doc_id
            results.append(FileResult(original, "restored", doc_id=by_sha[sha]))
            continue
        record = library.by_original(original)
        replacing = record is not None
        name = record.file if replacing else safe_name(original, taken)
        taken.add(name)
        staged = staging / name
        try:
            shutil.copyfile(path, staged)
            document = load_document(staged)
        except (DocumentError, OSError) as error:
            staged.unlink(missing_ok=True)
            results.append(FileResult(original, "refused", reason=_reason(error, name, original)))
            continue
        planned.append(_planned(staged, name, sha, document))
        by_sha[sha] = document.doc_id
        records[name] = Record(name, original, sha, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        status = "replaced" if replacing and (corpus_dir / name).exists() else "added"
        results.append(FileResult(original, status, doc_id=document.doc_id))
    return results, planned, Library(tuple(records.values()), tuple(sorted(left_out)))


def _planned(path: Path, name: str, sha: str, document: Document) -> Planned:
    status = path.stat()
    return Planned(name, sha, status.st_size, status.st_mtime_ns, path, document)


def _move_in(planned: Sequence[Planned], corpus_dir: Path, staging: Path) -> None:
    """Rename each staged copy into the folder (over the copy it replaces)."""
    for item in planned:
        if item.path.parent == staging:
            os.replace(item.path, corpus_dir / item.file)


def _counted(results: Sequence[FileResult], manifest: Manifest) -> list[FileResult]:
    """Results with what the index found in each document read."""
    counted = []
    for result in results:
        entry = manifest.entry(result.doc_id) if result.status in _VERBS else None
        if entry is not None:
            result = dataclasses.replace(result, title=entry.title, clauses=entry.clauses, tasks=entry.tasks,
                                         units=entry.units, targets=entry.targets)  # fmt: skip
        counted.append(result)
    return counted


def _reason(error: Exception, *names: str) -> str:
    """The reader's reason in Chinese, without the file name it may start with."""
    if isinstance(error, PermissionError):
        return "没有读取该文件的权限"
    text = f"无法读取文件:{error.strerror or error}" if isinstance(error, OSError) else str(error)
    for name in names:
        if text.startswith(f"{name}: "):
            text = text[len(name) + 2 :]
    return text


def _clear_staging(corpus_dir: Path) -> None:
    """Remove what a killed command left in its staging folders (we hold the library lock: no command is running)."""
    for path in corpus_dir.glob(STAGING_PREFIX + "*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)

"""The library record (library.json in the corpus folder): which files the library copied in, from what, and when."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from corpus.text import nfkc

LIBRARY_FILE = "library.json"
MAX_STEM = 80
_UNSAFE = re.compile(r"[^\w.-]+")  # \w is Unicode: Chinese names stay readable


@dataclass(frozen=True)
class Record:
    """A file the library copied into its folder: safe to delete, since the project made it."""

    file: str  # its name in the folder; the document's id is its stem
    original: str  # the file name it was added under
    sha256: str
    added: str  # when, ISO 8601


@dataclass(frozen=True)
class Library:
    """Every file copied in, and the files found in the folder that were removed from the library but left in place."""

    records: tuple[Record, ...] = ()
    excluded: tuple[str, ...] = ()  # files the project did not create: never deleted, only left out of the index

    def by_original(self, original: str) -> Record | None:
        return next((record for record in self.records if record.original == original), None)

    def by_file(self, file: str) -> Record | None:
        return next((record for record in self.records if record.file == file), None)


def read_library(folder: Path) -> Library:
    """The folder's record; an empty one when the folder has none (ValueError when it cannot be read as one)."""
    path = Path(folder) / LIBRARY_FILE
    if not path.is_file():
        return Library()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        records = tuple(Record(**row) for row in raw.get("records", ()))
        return Library(records, tuple(str(name) for name in raw.get("excluded", ())))
    except (ValueError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: 文件库记录无法读取({type(error).__name__})") from error


def write_library(folder: Path, library: Library) -> None:
    """Save the record beside the old one, then rename it over (never half written)."""
    path = Path(folder) / LIBRARY_FILE
    temporary = path.with_name(f".{LIBRARY_FILE}.tmp")
    text = json.dumps(dataclasses.asdict(library), ensure_ascii=False, indent=1)
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def excluded_files(folder: Path) -> frozenset[str]:
    """The files of the folder the library leaves out (an unreadable record leaves nothing out)."""
    try:
        return frozenset(read_library(folder).excluded)
    except ValueError:
        return frozenset()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def safe_name(original: str, taken: set[str]) -> str:
    """A file name for the folder: the original's letters, digits and Chinese, its suffix kept, unused in `taken`."""
    name = nfkc(Path(original).name)
    suffix = _UNSAFE.sub("", Path(name).suffix.lower())
    stem = _UNSAFE.sub("-", Path(name).stem).strip("-._")[:MAX_STEM].strip("-._") or "document"
    lowered = {item.lower() for item in taken}
    candidate, number = f"{stem}{suffix}", 2
    while candidate.lower() in lowered or candidate == LIBRARY_FILE:
        candidate, number = f"{stem}-{number}{suffix}", number + 1
    return candidate

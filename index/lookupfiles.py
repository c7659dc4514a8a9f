"""The lookups' tables saved in a version's folder: computed at a build, merged at an add or remove, read at open."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.lookups import Postings, Tables, compute_tables
from index.manifest import Entry, Manifest
from index.shards import read_shard

LOOKUPS = "lookups.npz"  # each table's pointers, rows and values; the strings (terms, labels) as UTF-8 JSON
_STRINGS = "strings"
_FORMAT = 1
_NAMES = tuple(field.name for field in dataclasses.fields(Tables))
_CLAUSE_TABLES = frozenset({"headings"})  # rows: clauses; the others' rows are documents
_LABELLED = frozenset({"units"})  # a label per entry


def save_tables(folder: Path, tables: Tables, documents: int, clauses: int) -> None:
    """Write the tables of a version of `documents` documents and `clauses` clauses into its folder."""
    arrays, strings = {}, {"format": _FORMAT, "documents": documents, "clauses": clauses, "tables": {}}
    for name in _NAMES:
        table = getattr(tables, name)
        arrays |= {f"{name}.pointers": table.pointers, f"{name}.rows": table.rows, f"{name}.values": table.values}
        strings["tables"][name] = {"terms": table.terms, "labels": table.labels}
    arrays[_STRINGS] = np.frombuffer(json.dumps(strings, ensure_ascii=False).encode("utf-8"), np.uint8)
    with (Path(folder) / LOOKUPS).open("wb") as handle:
        np.savez(handle, **arrays)


def read_tables(folder: Path, documents: int, clauses: int) -> Tables:
    """The tables saved in a version's folder for this many documents and clauses (FileNotFoundError when none were
    saved; ValueError or zipfile.BadZipFile when they are not whole, consistent and for these)."""
    read = {}
    with np.load(Path(folder) / LOOKUPS, allow_pickle=False) as arrays:
        strings = json.loads(arrays[_STRINGS].tobytes().decode("utf-8"))
        if strings.get("format") != _FORMAT or (strings.get("documents"), strings.get("clauses")) != (documents, clauses):
            raise ValueError(f"{LOOKUPS} was written for other documents or by another version")
        for name in _NAMES:
            height = clauses if name in _CLAUSE_TABLES else documents
            part = strings["tables"][name]
            pointers, rows, values = (arrays[f"{name}.{kind}"] for kind in ("pointers", "rows", "values"))
            read[name] = _checked(Postings(tuple(part["terms"]), pointers, rows, values, height, tuple(part["labels"])), name)
    return Tables(**read)


def updated_tables(index_dir: Path, previous: Manifest | None, entries: Sequence[Entry], read: dict) -> Tables | None:
    """The tables of a new version: the previous version's with the documents read now (by shard) merged in and the
    ones gone dropped, or, without readable previous tables, computed from every document. None when a doc_id repeats
    (the corpus's clauses are then not one row per clause: its first question computes them)."""
    if len({entry.doc_id for entry in entries}) != len(entries):
        return None
    firsts = np.concatenate([[0], np.cumsum([entry.clauses for entry in entries])]).astype(np.int64)
    try:
        if previous is None:
            raise FileNotFoundError("no previous version")
        old = read_tables(Path(index_dir) / previous.lexical, len(previous.documents), _clauses(previous))
    except Exception as error:  # noqa: BLE001  (derived data: computed again, whatever broke)
        if previous is not None:
            print(f"lookups: computed again for every document ({type(error).__name__}: {str(error)[:120]})", file=sys.stderr)
        documents = [read[entry.shard][0] if entry.shard in read else read_shard(Path(index_dir) / entry.shard)[0] for entry in entries]
        return compute_tables(documents, range(len(entries)), firsts[:-1].tolist(), len(entries), int(firsts[-1]))
    where = {entry.shard: number for number, entry in enumerate(entries) if entry.shard not in read}
    moved_documents = np.array([where.get(entry.shard, -1) for entry in previous.documents], np.int64)
    moved_clauses = np.full(_clauses(previous), -1, np.int64)
    old_firsts = np.cumsum([0] + [entry.clauses for entry in previous.documents])
    for entry, first, number in zip(previous.documents, old_firsts.tolist(), moved_documents.tolist()):
        if number >= 0:
            moved_clauses[first : first + entry.clauses] = np.arange(firsts[number], firsts[number] + entry.clauses)
    added = [(number, entry) for number, entry in enumerate(entries) if entry.shard in read]
    new = compute_tables(
        [read[entry.shard][0] for _number, entry in added], [number for number, _entry in added],
        [int(firsts[number]) for number, _entry in added], len(entries), int(firsts[-1]),
    )  # fmt: skip
    return Tables(**{
        name: getattr(old, name).merged(moved_clauses if name in _CLAUSE_TABLES else moved_documents, getattr(new, name))
        for name in _NAMES
    })  # fmt: skip


def _clauses(manifest: Manifest) -> int:
    return sum(entry.clauses for entry in manifest.documents)


def _checked(table: Postings, name: str) -> Postings:
    """The table when its arrays fit together (entries within the pointers, rows within the height, a label each)."""
    pointers, entries = table.pointers, len(table.rows)
    whole = (
        pointers.ndim == 1 and len(pointers) == len(table.terms) + 1 and pointers[0] == 0 and pointers[-1] == entries
        and bool(np.all(np.diff(pointers) > 0)) and len(table.values) == entries
        and len(table.labels) == (entries if name in _LABELLED else 0)
        and (entries == 0 or (0 <= int(table.rows.min()) and int(table.rows.max()) < table.height))
    )  # fmt: skip
    if not whole:
        raise ValueError(f"{LOOKUPS}: table {name} is not whole")
    return table


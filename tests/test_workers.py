"""A build that reads and tokenizes in worker processes writes the index one process writes, file for file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PROJECT

# In a new process (no other thread, so the workers are forked): every document read and every chunk tokenized by
# two workers, however few (the thresholds lowered to 1); what each worker did and its process id go to argv[3].
_PARALLEL_BUILD = """
import os, sys
from pathlib import Path
import index.workers as workers
from index import open_index

workers.MIN_DOCUMENTS = workers.MIN_TEXTS = 1
read, tokenize = workers._read, workers._tokenize


def note(what):
    with open(sys.argv[3], "a") as handle:
        handle.write(f"{what} {os.getpid()}\\n")


def noted_read(path):
    note("read")
    return read(path)


def noted_tokenize(text):
    note("tokenize")
    return tokenize(text)


workers._read, workers._tokenize = noted_read, noted_tokenize
open_index(Path(sys.argv[1]), Path(sys.argv[2]), None)
print(os.getpid())
"""


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory):
    """corpus/dev built in this process by one worker (itself), and in a new process by two: (serial, parallel,
    the reading and the tokenizing workers' process ids, the building process's id)."""
    from index import open_index

    corpus = PROJECT / "corpus" / "dev"
    serial, parallel = tmp_path_factory.mktemp("serial"), tmp_path_factory.mktemp("parallel")
    pids = tmp_path_factory.mktemp("pids") / "workers.txt"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PQA_BUILD_WORKERS", "1")
        open_index(corpus, serial, None)
    environment = {**os.environ, "PQA_BUILD_WORKERS": "2", "HF_HUB_OFFLINE": "1"}
    built = subprocess.run([sys.executable, "-c", _PARALLEL_BUILD, str(corpus), str(parallel), str(pids)], cwd=PROJECT,
                           env=environment, capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
    done = [line.split() for line in pids.read_text().splitlines()]
    workers = {what: {pid for did, pid in done if did == what} for what in ("read", "tokenize")}
    return serial, parallel, workers, built.stdout.strip()


def test_workers_in_other_processes_read_and_tokenize(both_builds):
    _serial, _parallel, workers, builder = both_builds
    assert len(workers["read"]) == 2 and len(workers["tokenize"]) == 2
    assert builder not in workers["read"] | workers["tokenize"]


def test_a_parallel_build_writes_the_serial_builds_files(both_builds):
    serial, parallel, _workers, _builder = both_builds
    one, two = (json.loads((folder / "manifest.json").read_text(encoding="utf-8")) for folder in (serial, parallel))
    assert [entry["shard"] for entry in one["documents"]] == [entry["shard"] for entry in two["documents"]]
    assert one["refused"] == two["refused"] and one["refused"]  # SOURCES.md, refused alike
    for entry in one["documents"]:
        assert (serial / entry["shard"]).read_bytes() == (parallel / entry["shard"]).read_bytes()
    lexical_one, lexical_two = serial / one["lexical"], parallel / two["lexical"]
    for name in ("vocab.json", "lexical.json"):
        assert (lexical_one / name).read_bytes() == (lexical_two / name).read_bytes()
    for name in ("pointers", "rows", "counts", "lengths"):
        assert np.array_equal(np.load(lexical_one / f"{name}.npy"), np.load(lexical_two / f"{name}.npy"))
    documents, clauses = len(one["documents"]), sum(entry["clauses"] for entry in one["documents"])
    assert _lookups(lexical_one, documents, clauses) == _lookups(lexical_two, documents, clauses)


def _lookups(folder: Path, documents: int, clauses: int) -> dict[str, dict[str, tuple]]:
    """Each saved table as term → its entries (rows, values, labels): the order of terms follows a set's, which
    differs from process to process."""
    from index.lookupfiles import read_tables

    tables, found = read_tables(folder, documents, clauses), {}
    for name, table in vars(tables).items():
        found[name] = {}
        for number, term in enumerate(table.terms):
            entries = slice(int(table.pointers[number]), int(table.pointers[number + 1]))
            found[name][term] = (table.rows[entries].tolist(), table.values[entries].tolist(), table.labels[entries])
    return found


def test_the_number_of_workers_is_a_whole_number(monkeypatch, capsys):
    from index.workers import build_workers

    monkeypatch.setenv("PQA_BUILD_WORKERS", "3")
    assert build_workers() == 3
    monkeypatch.setenv("PQA_BUILD_WORKERS", "0")
    assert build_workers() == 1
    monkeypatch.delenv("PQA_BUILD_WORKERS")
    default = build_workers()
    monkeypatch.setenv("PQA_BUILD_WORKERS", "two")
    assert build_workers() == default  # said on stderr, never a failed build
    assert "PQA_BUILD_WORKERS 应为整数" in capsys.readouterr().err


def test_few_documents_are_read_in_this_process(monkeypatch):
    from corpus.loading import document_files
    from index.workers import MIN_DOCUMENTS, read_documents

    monkeypatch.setenv("PQA_BUILD_WORKERS", "2")
    paths = document_files(PROJECT / "corpus" / "dev")
    assert len(paths) < MIN_DOCUMENTS
    assert isinstance(read_documents(paths), map)  # no worker started for a handful (an add reads one)

"""The lookups saved with a version equal the lookups computed from its documents, after a build, an add and a
remove; opening reads them instead of computing them; a damaged or stale file is computed again, answers unchanged."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import PROJECT

SEEDS = PROJECT / "corpus" / "documents"
QUESTIONS = ("许昌市推进检验检测技术平台建设由哪个部门牵头?", "宣城市住建局牵头哪些任务?", "临夏州2020年产品质量监督抽查合格率目标是多少?",
             "黄石市到2020年森林覆盖率要达到多少?", "山东省打造品牌发展新优势的责任部门有哪些?")  # fmt: skip


def _entries(table):
    """A table as term → its (row, value, label) entries, whatever the order of its terms."""
    labels = table.labels or ("",) * len(table.rows)
    found = {}
    for number, term in enumerate(table.terms):
        start, end = int(table.pointers[number]), int(table.pointers[number + 1])
        found[term] = list(zip(table.rows[start:end].tolist(), table.values[start:end].tolist(), labels[start:end]))
    return found


def _saved_equal_computed(index):
    from dataclasses import fields

    from index.lookupfiles import read_tables
    from index.lookups import Tables, compute_tables

    saved = read_tables(index.index_dir / f"gen-{index.generation:06d}", len(index.documents), len(index.clauses_by_id))
    computed = compute_tables(index.documents)
    for field in fields(Tables):
        assert _entries(getattr(saved, field.name)) == _entries(getattr(computed, field.name)), field.name
        assert getattr(saved, field.name).height == getattr(computed, field.name).height


@pytest.fixture()
def library(tmp_path):
    """Four of the five seed documents in a library folder (the one sorting in the middle left out)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(SEEDS.glob("*.txt"))
    for path in files[:2] + files[3:]:
        shutil.copy(path, corpus / path.name)
    return corpus, tmp_path / "index", files[2]


def test_saved_lookups_equal_computed_after_a_build_an_add_and_a_remove(library):
    from assistant.library import add_documents, remove_documents
    from index import open_index

    corpus, index_dir, middle = library
    _saved_equal_computed(open_index(corpus, index_dir, None))
    assert add_documents([middle], corpus, index_dir).committed  # rows after it move down by one document
    _saved_equal_computed(open_index(corpus, index_dir, None))
    first = sorted(path.stem for path in corpus.glob("*.txt"))[0]
    remove_documents([first], corpus, index_dir)  # every row moves up
    _saved_equal_computed(open_index(corpus, index_dir, None))


def test_opening_reads_the_saved_lookups_instead_of_computing_them(library, monkeypatch):
    from index import lookups as module
    from index import open_index

    corpus, index_dir, _middle = library
    open_index(corpus, index_dir, None)  # built

    def refuse(documents):
        raise AssertionError("computed")

    monkeypatch.setattr(module, "_computed", refuse)
    index = open_index(corpus, index_dir, None)
    assert module.lookups(index.documents).unit_names


def test_a_damaged_lookups_file_is_computed_again_with_the_same_answers(library, capfd):
    """The file's time is kept, so opening's checksums take it as written: reading it must notice (zip CRC)."""
    from assistant import answer
    from index import open_index
    from index.lookupfiles import LOOKUPS

    corpus, index_dir, _middle = library
    index = open_index(corpus, index_dir, None)
    expected = [answer(question, index) for question in QUESTIONS]
    path = index_dir / f"gen-{index.generation:06d}" / LOOKUPS
    status = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    capfd.readouterr()
    reopened = open_index(corpus, index_dir, None)
    assert "lookups" in capfd.readouterr().err
    assert reopened.generation == index.generation  # not rebuilt: computed at the first question
    assert [answer(question, reopened) for question in QUESTIONS] == expected


def test_lookups_saved_for_other_documents_are_refused(library):
    from index import open_index
    from index.lookupfiles import read_tables

    corpus, index_dir, _middle = library
    index = open_index(corpus, index_dir, None)
    folder = index_dir / f"gen-{index.generation:06d}"
    read_tables(folder, len(index.documents), len(index.clauses_by_id))
    for documents, clauses in ((len(index.documents) - 1, len(index.clauses_by_id)), (len(index.documents), 1)):
        with pytest.raises(ValueError, match="other documents"):
            read_tables(folder, documents, clauses)

"""After a document is added or removed in the 文件 tab, the header's counts, the 文件范围 list and the matrix follow
(issue 10), and a page opened later shows the current documents."""

from __future__ import annotations

import shutil

import pytest

XUCHANG = "xuchang-2013-action-plan"
XUCHANG_TITLE = "许昌市贯彻落实质量发展纲要深入实施质量立市战略2013年行动计划"


@pytest.fixture
def library(corpus_dir, tmp_path):
    """An app over four of the five seed documents, with the events that refresh it."""
    from app import build_app
    from index import open_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in corpus_dir.glob("*.txt"):
        if not path.name.startswith("xuchang"):
            shutil.copy(path, corpus / path.name)
    index = open_index(corpus, tmp_path / "index", None)
    demo = build_app(index, feedback_path=tmp_path / "feedback.jsonl")
    functions = {block.fn.__name__: (number, block) for number, block in demo.fns.items() if block.fn is not None}
    return index, demo, functions


def values(update) -> dict:
    """A Gradio update (a component returned from an event) as its constructor's arguments."""
    return update.constructor_args if hasattr(update, "constructor_args") else update


def test_the_header_scope_and_matrix_follow_an_upload_and_a_removal(library, corpus_dir):
    from ui.library import add_files

    index, demo, functions = library
    number, after_change = functions["after_change"]
    chained = {demo.fns[block.trigger_after].fn.__name__ for block in demo.fns.values() if block.fn is after_change.fn}
    assert chained == {"add", "remove_chosen"}  # both library events are followed by the refresh
    four = [document.doc_id for document in index.documents]

    def refreshed(chosen: list[str], listed: list[str], doc: str = "", department: str = "", search: str = "") -> list:
        return after_change.fn(chosen, listed, doc, department, search)

    assert add_files([corpus_dir / "xuchang-2013-action-plan.txt"], index).committed
    status, scope, scope_box, listed, rows, _choice, shown, doc, _department, summary, matrix, *_downloads = refreshed(four, four)
    clauses = sum(len(document.clauses) for document in index.current().documents)
    assert "5 份文件" in status and f"{clauses} 条款" in status
    assert XUCHANG in dict((value, label) for label, value in values(scope)["choices"])
    assert sorted(values(scope)["value"]) == sorted(listed) == sorted([*four, XUCHANG])  # all chosen: the new one too
    assert values(scope_box)["label"] == "文件范围:全部 5 份文件"
    assert XUCHANG in shown and any(row[0] == XUCHANG_TITLE for row in rows)
    assert (XUCHANG_TITLE, XUCHANG) in values(doc)["choices"] and "许昌" in matrix
    assert summary.startswith(f"**{sum(1 for document in index.current().documents for c in document.clauses if c.units.all())}** 项任务")

    # a reader who chose two documents keeps them; the matrix showing xuchang falls back to all documents
    from assistant.library import remove_documents

    current = index.current()
    remove_documents([XUCHANG], current.corpus_dir, current.index_dir)
    status, scope, scope_box, listed, *_rest = refreshed(four[:2], listed, XUCHANG)
    assert "4 份文件" in status and sorted(listed) == sorted(four)
    assert values(scope)["value"] == four[:2] and values(scope_box)["label"] == "文件范围:已选 2 / 4 份文件"
    doc, _department, summary, matrix = _rest[3:7]
    assert values(doc)["value"] == "" and "许昌" not in matrix and "全部文件" in summary


def test_a_page_opened_after_a_change_shows_the_current_documents(library, corpus_dir):
    import gradio as gr

    from ui.library import add_files

    index, _demo, functions = library
    on_load = functions["on_load"][1].fn
    unchanged = on_load([], [], "", "", "")
    assert all(isinstance(value, type(gr.skip())) for value in unchanged)  # nothing to do: the page is current
    assert add_files([corpus_dir / "xuchang-2013-action-plan.txt"], index).committed
    status, *_rest = on_load([], [], "", "", "")
    assert "5 份文件" in status

"""Shared fixtures: the real documents, parsed once per session; no network (HF_HUB_OFFLINE=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return PROJECT / "corpus" / "documents"


@pytest.fixture(scope="session")
def docs(corpus_dir):
    from corpus import load_documents

    return {document.doc_id: document for document in load_documents(corpus_dir)}


@pytest.fixture(scope="session")
def index(corpus_dir, tmp_path_factory):
    """The real corpus indexed once per session (lexical + facts; no embedding model)."""
    from index import open_index

    return open_index(corpus_dir, tmp_path_factory.mktemp("index"), None)


@pytest.fixture(scope="session")
def ask(index):
    from assistant import answer

    def _ask(question, history=(), doc_ids=None):
        return answer(question, index, history=history, doc_ids=doc_ids)

    return _ask


@pytest.fixture(scope="session")
def dev_docs():
    """The 21 documents of corpus/dev (HTML, Markdown, task tables, regulations), parsed once per session."""
    from corpus import load_documents

    return {document.doc_id: document for document in load_documents(PROJECT / "corpus" / "dev")}


@pytest.fixture(scope="session")
def dev_index(tmp_path_factory):
    """The 21 documents of corpus/dev indexed once per session (lexical + facts)."""
    from index import open_index

    return open_index(PROJECT / "corpus" / "dev", tmp_path_factory.mktemp("dev-index"), None)


@pytest.fixture(scope="session")
def dev_ask(dev_index):
    from assistant import answer

    return lambda question: answer(question, dev_index)


@pytest.fixture(scope="session")
def milvus_runs(tmp_path_factory) -> None:
    """Skip (saying why) only when milvus-lite cannot run on this machine; pymilvus missing is a failure."""
    from pymilvus import MilvusClient

    try:
        MilvusClient(str(tmp_path_factory.mktemp("probe") / "probe.db")).close()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"milvus-lite cannot run on this machine ({type(error).__name__}: {error})")


@pytest.fixture(scope="session")
def test_model(docs, tmp_path_factory) -> str:
    """index.testmodel trained on the seed documents' clauses."""
    from index.testmodel import build_test_model

    texts = [clause.text for document in docs.values() for clause in document.clauses]
    return str(build_test_model(texts, tmp_path_factory.mktemp("models") / "pqa-test-static-zh"))


@pytest.fixture(scope="session")
def seed_items():
    """The 230 seed questions of eval/questions.jsonl."""
    from eval.inputs import read_items

    items, problems = read_items(Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl")
    assert not problems and len(items) == 230
    return items

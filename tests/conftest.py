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

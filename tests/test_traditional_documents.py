"""Documents in traditional characters are answered like their simplified originals and quoted as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import opencc
import pytest

from assistant import answer
from corpus import load_document
from corpus.text import reads_traditional, simplified
from index import open_index
from writers import write_docx

PROJECT = Path(__file__).resolve().parent.parent
TO_TRADITIONAL = opencc.OpenCC("s2t")
METADATA_CARD = "文件信息"  # a 文号 / date answer cites the document's metadata as read, not a clause


def _questions(name: str, split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in (PROJECT / "eval" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if split is None or row.get("split") == split]


def _traditional_copy(folder: Path, target: Path) -> Path:
    """Every document of a folder, converted to traditional characters file by file (markup untouched)."""
    target.mkdir()
    for path in folder.iterdir():
        if path.suffix in (".txt", ".md", ".html"):
            (target / path.name).write_text(TO_TRADITIONAL.convert(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def _compare(questions: list[str], plain_index, written_index) -> dict[str, int]:
    """How many questions get the simplified document's answer from the traditional one, asked either way, and how
    many of their cited clauses quote the traditional text, each line as it stands in the document, highlights included."""
    documents = {document.doc_id: document.written_text for document in written_index.documents}
    counts = {"asked": 0, "same": 0, "cited": 0, "quoted": 0}
    for question in questions:
        plain = answer(question, plain_index)
        for asked in (question, TO_TRADITIONAL.convert(question)):
            written = answer(asked, written_index)
            counts["asked"] += 1
            counts["same"] += (written.answer, written.abstained, written.departments) == (
                plain.answer, plain.abstained, plain.departments) and [
                (c.doc_id, c.title, c.clause, c.score) for c in written.citations] == [
                (c.doc_id, c.title, c.clause, c.score) for c in plain.citations]  # fmt: skip
            for mine, theirs in zip(written.citations, plain.citations):
                if mine.clause == METADATA_CARD:
                    continue
                counts["cited"] += 1
                counts["quoted"] += (
                    mine.text != theirs.text == simplified(mine.text)
                    and all(line in documents[mine.doc_id] for line in mine.text.split("\n"))
                    and tuple(map(simplified, mine.highlights)) == theirs.highlights
                    and all(mark in mine.text for mark, read in zip(mine.highlights, theirs.highlights) if read in theirs.text)
                )  # fmt: skip
    return counts


@pytest.fixture(scope="module")
def traditional_index(corpus_dir, tmp_path_factory):
    """The five seed documents converted to traditional characters, indexed."""
    folder = _traditional_copy(corpus_dir, tmp_path_factory.mktemp("traditional") / "documents")
    return open_index(folder, tmp_path_factory.mktemp("traditional-index"), None)


def test_every_seed_question_over_the_seed_documents_in_traditional_characters(index, traditional_index):
    """All 230 seed questions, each asked in simplified and in traditional characters, over the five seed documents
    converted to traditional: the same answers, departments, cited clauses and scores as over the originals (460 of
    460); every cited clause (726) quotes the traditional text with its units and figures marked in it."""
    questions = [row["q"] for row in _questions("questions.jsonl")]
    assert len(questions) == 230
    counts = _compare(questions, index, traditional_index)
    assert counts["asked"] == counts["same"] == 460
    assert counts["cited"] == counts["quoted"] > 700  # 726 cited clauses (first and runners-up)


def test_the_repro_and_the_original_view(traditional_index):
    """The issue's repro is answered; 查看原文 shows the document as written, the cited clause framed, its units marked."""
    from ui.render import locate, render_document

    result = answer("许昌市开展计量惠民专项行动由哪个部门牵头?", traditional_index)
    assert not result.abstained and result.departments.lead == ("市质监局",)  # the answer reads as simplified
    citation = result.citations[0]
    assert "由市質監局牽頭" in citation.text and "市質監局" in citation.highlights
    document = next(d for d in traditional_index.documents if d.doc_id == citation.doc_id)
    assert document.written_text.startswith("許政辦[2013]54號") and document.text.startswith("许政办[2013]54号")
    start, end = locate(document, citation)
    assert re.sub(r"\s", "", document.written_text[start:end]) == re.sub(r"\s", "", citation.text)
    page = render_document(document, (start, end), citation.highlights)
    body = page.split('class="pqa-doc-body">')[1]  # the title and metadata above it read as the assistant reads them
    assert '<mark class="hl-key">市質監局</mark>' in body and "许" not in body


def test_a_document_number_question_is_answered_from_the_metadata(traditional_index):
    result = answer("許昌市這份2013年行動計劃的文號是什麼?", traditional_index)
    assert "许政办[2013]54号" in result.answer and result.citations[0].clause == METADATA_CARD


def test_the_dev_documents_html_and_markdown_in_traditional_characters(dev_index, tmp_path):
    """The 101 dev-tune questions over the 21 dev documents (HTML pages with info tables and task tables, Markdown
    regulations) converted to traditional characters: 202 of 202 answers the same, all 400 cited clauses quoted
    as written."""
    folder = _traditional_copy(PROJECT / "corpus" / "dev", tmp_path / "dev")
    written_index = open_index(folder, tmp_path / "index", None)
    questions = [row["q"] for row in _questions("questions-dev.jsonl", "tune")]
    assert len(questions) == 101
    counts = _compare(questions, dev_index, written_index)
    assert counts["asked"] == counts["same"] == 202
    assert counts["cited"] == counts["quoted"] > 380  # 400


def test_a_docx_document_in_traditional_characters(corpus_dir, tmp_path):
    """Xuancheng's opinions typed into Word in traditional characters: its 70 seed questions, asked either way, get
    the answers of the simplified .txt, and its 230 cited clauses quote the Word text."""
    name = "xuancheng-2021-quality-opinions"
    text = (corpus_dir / f"{name}.txt").read_text(encoding="utf-8")
    plain, written = tmp_path / "plain", tmp_path / "docx"
    plain.mkdir()
    written.mkdir()
    (plain / f"{name}.txt").write_text(text, encoding="utf-8")
    write_docx([TO_TRADITIONAL.convert(line) for line in text.splitlines() if line.strip()], written / f"{name}.docx")
    questions = [row["q"] for row in _questions("questions.jsonl") if row.get("doc") == name]
    counts = _compare(questions, open_index(plain, tmp_path / "plain-index", None), open_index(written, tmp_path / "index", None))
    assert len(questions) == 70 and counts["asked"] == counts["same"] == 140
    assert counts["cited"] == counts["quoted"] > 200  # 230


def test_a_simplified_document_is_read_as_it_is(corpus_dir):
    """Detection costs a simplified document nothing: none of its characters change, no written copy is kept."""
    document = load_document(corpus_dir / "shandong-2016-action-plan.txt")
    assert not reads_traditional(document.text) and document.original == "" and document.written_text is document.text
    assert reads_traditional(TO_TRADITIONAL.convert(document.text))
    assert not reads_traditional("关于印发《許昌市質量發展規劃》的通知:" + re.sub(r"\s", "", document.text)[:200])

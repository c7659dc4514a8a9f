"""Properties for any input (hypothesis): any question gets one contract object; any bytes a Document or a refusal."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import answer
from assistant.cli import answer_json
from corpus import Document, DocumentError
from corpus.loading import load_document

PROJECT = Path(__file__).resolve().parent.parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CONTRACT_FIELDS = {"question", "answer", "abstained", "departments", "citations"}
# Small and bounded: each example is one answer (milliseconds) or one document read; the deadline is per example.
QUESTIONS = settings(max_examples=120, deadline=timedelta(seconds=10), database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
DOCUMENTS = settings(max_examples=80, deadline=timedelta(seconds=10), database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _real_questions() -> list[str]:
    lines = (PROJECT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


REAL_QUESTIONS = _real_questions()
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
# Any character, lone surrogates (what a JSON "\\ud800" decodes to) and control characters included
# (st.text leaves surrogates out, so strings are joined from characters).
ANY_CHARACTER = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.characters(max_codepoint=0x1F))


def any_text(max_size: int) -> st.SearchStrategy[str]:
    return st.lists(ANY_CHARACTER, max_size=max_size).map("".join)


# Real questions cut, spliced and salted with any characters; plain random text; one word repeated.
QUESTION_TEXT = st.one_of(
    any_text(60),
    st.text(CJK, max_size=200),
    st.builds(lambda q, cut, junk: q[:cut] + junk + q[cut:], st.sampled_from(REAL_QUESTIONS), st.integers(0, 45),
              any_text(12)),
    st.builds(lambda a, b: a[: len(a) // 2] + b[len(b) // 2 :], st.sampled_from(REAL_QUESTIONS), st.sampled_from(REAL_QUESTIONS)),
    st.builds(lambda word, times: word * times, st.sampled_from(["牵头", "配合", "许昌市", "目标", "?"]), st.integers(1, 300)),
)


@pytest.fixture(scope="module")
def warm_index(index):
    answer(REAL_QUESTIONS[0], index)  # jieba's dictionaries load on first use, outside any example's deadline
    return index


@QUESTIONS
@given(question=QUESTION_TEXT, history=st.lists(QUESTION_TEXT, max_size=3))
def test_any_question_gets_one_contract_object(warm_index, question, history):
    result = answer(question, warm_index, history=history)
    record = answer_json(result)
    line = json.dumps(record, ensure_ascii=False)
    line.encode("utf-8")  # writable as UTF-8: no lone surrogate survives
    assert CONTRACT_FIELDS <= set(record) and isinstance(record["abstained"], bool)
    assert set(record["departments"]) == {"lead", "cooperate", "responsible"}
    assert record["answer"] and CHINESE.search(record["answer"])
    if record["abstained"]:
        assert record["citations"] == [] or not record["departments"]["lead"]
    else:
        assert record["citations"]


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, bytes]:
    """One real document per format: the seed .txt, a dev .md and .html, and .docx / .pdf made from seed text."""
    seed = (PROJECT / "corpus" / "documents" / "xuchang-2013-action-plan.txt").read_text(encoding="utf-8")
    lines = [line for line in seed.splitlines() if line.strip()][:40]
    folder = tmp_path_factory.mktemp("originals")
    return {
        ".txt": seed.encode("utf-8"),
        ".md": (PROJECT / "corpus" / "dev" / "luoyang_2013_gov_investment_projects_regulation.md").read_bytes(),
        ".html": (PROJECT / "corpus" / "dev" / "national_2018_employment_promotion.html").read_bytes(),
        ".docx": _docx(folder / "d.docx", lines),
        ".pdf": _pdf(folder / "d.pdf", lines[:15]),
    }


def _docx(path: Path, lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path.read_bytes()


def _pdf(path: Path, lines: list[str]) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")
    SimpleDocTemplate(str(path)).build([Paragraph(line, style) for line in lines])
    return path.read_bytes()


def _sample(data, originals: dict[str, bytes]) -> tuple[str, bytes]:
    """A suffix and bytes: random, a real document cut short, or a real document with a stretch overwritten."""
    suffix = data.draw(st.sampled_from(sorted(originals)), label="suffix")
    original = originals[suffix]
    kind = data.draw(st.sampled_from(["random", "truncated", "overwritten", "other format"]), label="kind")
    if kind == "random":
        return suffix, data.draw(st.binary(max_size=3000))
    if kind == "other format":
        return suffix, originals[data.draw(st.sampled_from(sorted(originals)))]
    cut = data.draw(st.integers(0, len(original)), label="at")
    if kind == "truncated":
        return suffix, original[:cut]
    junk = data.draw(st.binary(min_size=1, max_size=64), label="junk")
    return suffix, original[:cut] + junk + original[cut + len(junk) :]


@DOCUMENTS
@given(data=st.data())
def test_any_bytes_are_a_document_or_a_chinese_refusal(originals, tmp_path_factory, data):
    suffix, data_bytes = _sample(data, originals)
    path = tmp_path_factory.mktemp("sample") / f"sample{suffix}"
    path.write_bytes(data_bytes)
    try:
        document = load_document(path)
    except DocumentError as error:
        assert CHINESE.search(str(error)), str(error)
        return
    assert isinstance(document, Document) and document.clauses

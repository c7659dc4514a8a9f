"""The document library: files of every format added as the .txt answers, removed, replaced, refused, killed mid-way.

Fixtures are written in the tests from the real documents' text (tests/writers.py); each test works on its own copy
of a library of three seed documents, so the许昌 and 宣城 questions are answered only once their file is added.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from writers import write_docx, write_html, write_pdf, write_text

from assistant import answer
from assistant.library import add_documents, list_documents, remove_documents
from corpus.library import read_library
from index import open_index

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "corpus" / "documents"
XUCHANG, XUANCHENG = "xuchang-2013-action-plan", "xuancheng-2021-quality-opinions"
QUESTIONS = {
    XUCHANG: [
        "许昌市推进检验检测技术平台建设由哪个部门牵头?",
        "许昌市开展计量惠民专项行动由哪个部门牵头?",
        "许昌市推进检验检测技术平台建设的配合单位有哪些?",
        "许昌市完善质量工作稳定投入机制由哪些部门负责落实?",
    ],
    XUANCHENG: [
        "宣城提升质量基础保障能力的配合单位有哪些?",
        "宣城市打造智慧监管平台由哪个部门牵头?",
        "宣城提升服务质量保证能力由哪些部门牵头?",
    ],
}
KEPT_QUESTION = "临夏州2020年产品质量监督抽查合格率目标是多少?"  # about a document the library holds throughout
WRITERS = {
    "docx": lambda lines, folder: write_docx(lines, folder / "许昌市质量立市行动计划.docx"),
    "pdf": lambda lines, folder: write_pdf(lines, folder / "许昌 行动计划(印发稿).pdf", "许昌市人民政府文件"),
    "html": lambda lines, folder: write_html(lines, folder / "xuchang-plan.html", "许昌市人民政府"),
    "gbk": lambda lines, folder: write_text(lines, folder / "宣城意见-GBK.txt", "gbk"),
    "utf16": lambda lines, folder: write_text(lines, folder / "宣城意见-UTF16.txt", "utf-16"),
}
SOURCE_OF = {"docx": XUCHANG, "pdf": XUCHANG, "html": XUCHANG, "gbk": XUANCHENG, "utf16": XUANCHENG}


def run(*args, env=None):
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)], capture_output=True, text=True,
                          cwd=PROJECT, env=environment, timeout=300)  # fmt: skip


def lines_of(doc_id: str) -> list[str]:
    return [line.strip() for line in (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, Path]:
    """A library folder of three seed documents (not 许昌, not 宣城) with its index built."""
    folder = tmp_path_factory.mktemp("base")
    corpus = folder / "library"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        if not path.name.startswith((XUCHANG, XUANCHENG)):
            shutil.copy2(path, corpus / path.name)
    open_index(corpus, folder / "index", None)
    return corpus, folder / "index"


@pytest.fixture()
def library(base, tmp_path) -> tuple[Path, Path]:
    """This test's own copy of the base library and its index."""
    corpus, index = tmp_path / "library", tmp_path / "index"
    shutil.copytree(base[0], corpus)
    shutil.copytree(base[1], index)
    return corpus, index


def cited_answers(corpus: Path, index_dir: Path, questions: list[str]) -> list[tuple]:
    """What the official reads for each question: the answer, its units, the cited clause (title, path, text)."""
    index = open_index(corpus, index_dir, None)
    results = [answer(question, index) for question in questions]
    return [(r.answer, r.abstained, r.departments, [(c.title, c.clause, c.text) for c in r.citations[:2]]) for r in results]


@pytest.fixture(scope="module")
def from_txt(base, tmp_path_factory) -> dict[str, list[tuple]]:
    """The answers once the seed's own .txt is added to the library: what every other format must give."""
    expected = {}
    for doc_id in (XUCHANG, XUANCHENG):
        folder = tmp_path_factory.mktemp(doc_id)
        corpus, index = folder / "library", folder / "index"
        shutil.copytree(base[0], corpus)
        shutil.copytree(base[1], index)
        assert add_documents([SEEDS / f"{doc_id}.txt"], corpus, index).committed
        expected[doc_id] = cited_answers(corpus, index, QUESTIONS[doc_id])
    assert "牵头单位:市质监局" in expected[XUCHANG][0][0] and "市经信局" in expected[XUANCHENG][0][0]
    return expected


@pytest.mark.parametrize("kind", list(WRITERS))
def test_every_format_added_answers_as_the_txt_and_abstains_once_removed(kind, library, from_txt, tmp_path):
    corpus, index = library
    doc_id = SOURCE_OF[kind]
    upload = WRITERS[kind](lines_of(doc_id), tmp_path)
    assert all(r[1] for r in cited_answers(corpus, index, QUESTIONS[doc_id]))  # not in the library yet

    change = add_documents([upload], corpus, index)
    (result,) = change.results
    assert change.committed and result.status == "added" and result.original == upload.name
    assert (result.clauses, result.tasks) == ((28, 27) if doc_id == XUCHANG else (23, 21))
    assert cited_answers(corpus, index, QUESTIONS[doc_id]) == from_txt[doc_id]

    copy = corpus / read_library(corpus).by_original(upload.name).file
    assert copy.read_bytes() == upload.read_bytes() and copy.suffix == upload.suffix
    remove_documents([result.doc_id], corpus, index)
    after = cited_answers(corpus, index, QUESTIONS[doc_id])
    assert all(abstained and "文件中未找到" in text and not cited for text, abstained, _units, cited in after)
    assert not copy.exists() and upload.is_file()  # the library's copy is deleted, the file given never


def test_docs_commands_print_what_they_did(library, tmp_path):
    corpus, index = library
    upload = write_docx(lines_of(XUCHANG), tmp_path / "许昌市质量立市行动计划.docx")
    folders = ("--corpus", corpus, "--index", index)
    added = run("docs", "add", upload, *folders)
    assert added.returncode == 0, added.stderr
    assert "已添加 许昌市质量立市行动计划.docx → 许昌市质量立市行动计划《许昌市贯彻落实" in added.stdout
    assert "28 个条款,27 项任务列明责任单位" in added.stdout and "用时" in added.stdout and "文件库共 4 份文件" in added.stdout

    listed = json.loads(run("docs", "list", "--json", *folders).stdout)
    assert {"doc_id", "title", "file", "clauses", "added"} <= set(listed[0])
    new = next(row for row in listed if row["doc_id"] == "许昌市质量立市行动计划")
    assert new["managed"] and new["original"] == upload.name and new["clauses"] == 28 and new["added"][:4].isdigit()
    assert all(not row["managed"] for row in listed if row is not new) and len(listed) == 4
    table = run("docs", "list", *folders).stdout
    assert table.startswith("文件 ID") and "许昌市质量立市行动计划.docx" in table and "共 4 份文件" in table

    asked = json.loads(run("ask", "--json", QUESTIONS[XUCHANG][0], *folders).stdout)
    assert asked["departments"]["lead"] == ["市质监局"] and asked["citations"][0]["doc_id"] == "许昌市质量立市行动计划"

    removed = run("docs", "remove", "许昌市质量立市行动计划", *folders)
    assert removed.returncode == 0 and "已移除 许昌市质量立市行动计划" in removed.stdout
    assert json.loads(run("ask", "--json", QUESTIONS[XUCHANG][0], *folders).stdout)["abstained"]
    unknown = run("docs", "remove", "no-such-document", *folders)
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1 and "no-such-document" in unknown.stderr


def _image_only_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.rect(100, 100, 300, 400, fill=1)  # a scan: marks on the page, no text layer
    page.save()
    return path


def _encrypted_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path), encrypt="s3cret")  # a password to open it
    page.setFont("STSong-Light", 10)
    for number, line in enumerate(lines[:40]):
        page.drawString(40, 800 - 14 * number, line[:38])
    page.save()
    return path


REFUSED = {
    "empty": (lambda folder: write_text([], folder / "空白.txt", "utf-8"), "空"),
    "binary": (lambda folder: (folder / "data.txt").write_bytes(bytes(range(256)) * 64) and folder / "data.txt", "二进制"),
    "scanned": (lambda folder: _image_only_pdf(folder / "扫描件.pdf"), "OCR"),
    "broken pdf": (lambda folder: (folder / "坏.pdf").write_bytes(b"%PDF-1.4\n garbage") and folder / "坏.pdf", "PDF"),
    "oversized": (lambda folder: _sparse(folder / "大文件.txt", 21_000_000), "过大"),
    "password": (lambda folder: _encrypted_pdf(folder / "加密.pdf", lines_of(XUCHANG)), "密码"),
    "not a format": (lambda folder: (folder / "表格.xls").write_bytes(b"\xd0\xcf\x11\xe0" * 100) and folder / "表格.xls", "格式"),
    "missing": (lambda folder: folder / "不存在.docx", "找不到"),
}


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def _snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_refused_file_is_one_chinese_line_and_changes_nothing(kind, library, tmp_path):
    corpus, index = library
    make, words = REFUSED[kind]
    upload = make(tmp_path)
    before = _snapshot(corpus, index)
    result = run("docs", "add", upload, "--corpus", corpus, "--index", index)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"无法添加 {upload.name}:") and words in line, line
    assert _snapshot(corpus, index) == before
    assert not list(corpus.glob(".staging-*"))


def test_one_refused_file_adds_none_of_the_others(library, tmp_path):
    corpus, index = library
    good = write_docx(lines_of(XUCHANG), tmp_path / "plan.docx")
    bad = _image_only_pdf(tmp_path / "scan.pdf")
    before = _snapshot(corpus, index)
    result = run("docs", "add", tmp_path, "--corpus", corpus, "--index", index)  # a folder: its documents
    assert result.returncode == 1 and "无法添加 scan.pdf" in result.stderr and "未添加 plan.docx" in result.stdout
    assert _snapshot(corpus, index) == before and good.is_file() and bad.is_file()


def test_same_content_is_added_once_and_the_same_name_replaces(library, tmp_path):
    corpus, index = library
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    lines = lines_of(XUCHANG)
    first = write_docx(lines, tmp_path / "v1" / "plan.docx")
    (result,) = add_documents([first], corpus, index).results
    assert (result.status, result.doc_id) == ("added", "plan")

    again = shutil.copy(first, tmp_path / "v1" / "plan-copy.docx")
    (duplicate,) = add_documents([again], corpus, index).results
    assert duplicate.status == "duplicate" and duplicate.doc_id == "plan" and "相同" in duplicate.reason

    heading = next(number for number, line in enumerate(lines) if line.startswith("21.推进检验检测技术平台建设"))
    task = next(number for number in range(heading, len(lines)) if lines[number].startswith("由市质监局牵头"))
    edited = [*lines[:task], lines[task].replace("由市质监局牵头", "由市市场监管局牵头"), *lines[task + 1 :]]
    second = write_docx(edited, tmp_path / "v2" / "plan.docx")
    change = add_documents([second], corpus, index)
    assert [(r.status, r.doc_id) for r in change.results] == [("replaced", "plan")]
    assert sorted(p.name for p in corpus.glob("plan*")) == ["plan.docx"]
    record = read_library(corpus).by_original("plan.docx")
    assert record.file == "plan.docx" and len(read_library(corpus).records) == 1
    (answered,) = cited_answers(corpus, index, QUESTIONS[XUCHANG][:1])
    assert answered[2].lead == ("市市场监管局",)


def test_removing_a_file_the_project_did_not_create_leaves_it_in_place(library, capsys):
    corpus, index = library
    shandong = corpus / "shandong-2016-action-plan.txt"
    original = shandong.read_bytes()
    question = "山东省加强质量诚信体系建设由哪个部门牵头?"
    assert not cited_answers(corpus, index, [question])[0][1]
    change = remove_documents(["shandong-2016-action-plan"], corpus, index)
    assert change.kept_files == ("shandong-2016-action-plan.txt",)
    assert shandong.read_bytes() == original  # never deleted: the project did not create it
    assert read_library(corpus).excluded == ("shandong-2016-action-plan.txt",)
    assert "shandong-2016-action-plan" not in {row.doc_id for row in list_documents(corpus, index)}
    assert cited_answers(corpus, index, [question])[0][1]  # and opening again does not bring it back
    assert "library.json" not in capsys.readouterr().err  # the record is never read as a document

    (restored,) = add_documents([SEEDS / shandong.name], corpus, index).results
    assert (restored.status, restored.doc_id) == ("restored", "shandong-2016-action-plan")
    assert not cited_answers(corpus, index, [question])[0][1] and read_library(corpus).excluded == ()


@pytest.mark.parametrize("step", ["staged", "indexed", "moved"])
def test_a_killed_add_leaves_the_previous_answers_intact(step, library, tmp_path):
    corpus, index = library
    before = cited_answers(corpus, index, [KEPT_QUESTION])
    upload = write_docx(lines_of(XUCHANG), tmp_path / "plan.docx")
    killed = run("docs", "add", upload, "--corpus", corpus, "--index", index, env={"PQA_CRASH_AT": step})
    assert killed.returncode == -9, killed.stderr  # SIGKILL, mid-way

    assert cited_answers(corpus, index, [KEPT_QUESTION]) == before
    (xuchang,) = cited_answers(corpus, index, QUESTIONS[XUCHANG][:1])
    # Killed before its copy was in the folder, the add never happened; after, the next open finished it.
    assert xuchang[1] == (step != "moved") and (corpus / "plan.docx").exists() == (step == "moved")

    previous = json.loads((index / "manifest.json").read_text(encoding="utf-8"))["files"]
    later = add_documents([write_text(lines_of(XUANCHENG), tmp_path / "later.txt", "utf-8")], corpus, index)
    assert later.committed and not list(corpus.glob(".staging-*"))
    current = json.loads((index / "manifest.json").read_text(encoding="utf-8"))["files"]
    on_disk = {str(p.relative_to(index)) for p in index.rglob("*") if p.is_file()}
    # What the killed writer left is gone; the version before is kept one switch longer, for readers loading it.
    assert on_disk == {".lock", "manifest.json"} | set(current) | set(previous)


def test_two_writers_at_once_both_land(library, tmp_path):
    corpus, index = library
    first = write_docx(lines_of(XUCHANG), tmp_path / "xuchang.docx")
    second = write_text(lines_of(XUANCHENG), tmp_path / "xuancheng.txt", "gbk")
    environment = {**os.environ, "HF_HUB_OFFLINE": "1"}
    writers = [
        subprocess.Popen([sys.executable, "-m", "assistant", "docs", "add", str(path), "--corpus", str(corpus),
                          "--index", str(index)], cwd=PROJECT, env=environment, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
        for path in (first, second)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    assert {row.doc_id for row in list_documents(corpus, index)} >= {"xuchang", "xuancheng"}
    answers = cited_answers(corpus, index, [QUESTIONS[XUCHANG][0], QUESTIONS[XUANCHENG][0]])
    assert not any(abstained for _text, abstained, _units, _cited in answers)


def test_an_open_index_follows_the_versions_switched_in(library, tmp_path):
    corpus, index_dir = library
    index = open_index(corpus, index_dir, None)
    assert index.current() is index
    add_documents([write_docx(lines_of(XUCHANG), tmp_path / "plan.docx")], corpus, index_dir)
    newer = index.current()
    assert newer is not index and len(newer.documents) == len(index.documents) + 1
    assert newer.current() is newer and index.current() is newer  # loaded once
    kept = {document.doc_id: document for document in index.documents}
    assert all(document is kept[document.doc_id] for document in newer.documents if document.doc_id != "plan")
    assert "牵头单位:市质监局" in answer(QUESTIONS[XUCHANG][0], newer).answer
    remove_documents(["plan"], corpus, index_dir)
    assert "plan" not in {document.doc_id for document in index.current().documents}


def test_the_http_api_serves_the_library_as_it_changes(library, tmp_path):
    """/api/documents prints what `docs list --json` does; /api/ask answers from a document added since it started."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui.api import build_api

    corpus, index_dir = library
    app = FastAPI()
    app.include_router(build_api(open_index(corpus, index_dir, None)))
    client = TestClient(app)
    assert client.post("/api/ask", json={"question": QUESTIONS[XUCHANG][0]}).json()["abstained"]
    add_documents([write_docx(lines_of(XUCHANG), tmp_path / "plan.docx")], corpus, index_dir)
    listed = client.get("/api/documents").json()
    assert listed == json.loads(run("docs", "list", "--json", "--corpus", corpus, "--index", index_dir).stdout)
    assert "plan" in {row["doc_id"] for row in listed}
    asked = client.post("/api/ask", json={"question": QUESTIONS[XUCHANG][0], "doc_ids": ["plan"]}).json()
    assert asked["departments"]["lead"] == ["市质监局"] and asked["citations"][0]["doc_id"] == "plan"


def test_the_benchmark_library_is_made_the_same_way_every_time(tmp_path):
    """eval/synthetic.py: the seeds with other places; distinct documents, the same bytes on every run."""
    from eval.synthetic import write_library

    first = write_library(tmp_path / "a", 12)
    again = write_library(tmp_path / "b", 12)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert len({p.read_bytes() for p in first}) == 12
    texts = [p.read_text(encoding="utf-8") for p in first]
    assert "许昌" not in texts[4] and "许昌" in (SEEDS / f"{XUCHANG}.txt").read_text(encoding="utf-8")
    assert texts[4].count("由") > 20 and first[4].name == "synthetic-00004-xuchang.txt"

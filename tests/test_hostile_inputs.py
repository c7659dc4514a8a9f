"""Hostile input never stops a batch: bad bytes, odd files in the corpus, deep JSON, a question that raises."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import cli
from corpus import load_documents
from corpus.loading import document_files
from corpus.text import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_CHARS
from eval.inputs import MAX_QUESTION_FILE_BYTES, read_items
from index import open_index

PROJECT = Path(__file__).resolve().parent.parent
CONTRACT_FIELDS = {"question", "answer", "abstained", "departments", "citations"}
LEAD_QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
XUCHANG_LEAD = ["市质监局"]


def run_bytes(*args: str | bytes, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, bytes in and bytes out, under the C locale (no UTF-8 promised by the system)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "PYTHONIOENCODING", "PYTHONUTF8"))}
    environment.update({"HF_HUB_OFFLINE": "1", "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"})
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, cwd=PROJECT, env=environment, timeout=180
    )


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile-index") / "built"


# ---- ask --json - ----


def test_repro_one_invalid_byte_loses_nothing_and_stdout_is_utf8(index_dir):
    lines = [
        LEAD_QUESTION.encode(),
        b"\xff\xfe \xc3( \xe8\xae",  # not UTF-8 at all
        "宣城提升质量基础保障能力的配合单位有哪些?".encode() + b"\xff",
        b"",  # blank: skipped, as the contract says
        "广州市实施质量强市战略由哪个部门牵头?".encode("gbk"),  # another encoding
        "临夏州2020年产品质量监督抽查合格率目标是多少?\r".encode(),  # a CRLF line
    ]
    result = run_bytes("ask", "--json", "--index", str(index_dir), "--embed-model", "off", "-", stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")  # strict: raises if stdout is not UTF-8
    objects = [json.loads(line) for line in text.split("\n") if line]
    assert len(objects) == 5 and all(CONTRACT_FIELDS <= set(o) for o in objects)
    assert objects[0]["departments"]["lead"] == XUCHANG_LEAD
    assert "\ufffd" in objects[1]["question"] and objects[1]["abstained"]
    assert objects[2]["question"] == "宣城提升质量基础保障能力的配合单位有哪些?\ufffd"
    assert objects[2]["departments"]["cooperate"] and not objects[2]["abstained"]
    assert objects[4]["question"] == "临夏州2020年产品质量监督抽查合格率目标是多少?" and "95%" in objects[4]["answer"]
    assert "\\u" not in text.split("\n")[0]  # Chinese is written as itself (ensure_ascii=False)


def test_a_line_separator_inside_a_question_keeps_one_object_per_line(index_dir):
    questions = [f"许昌市推进检验检测\u2028技术平台建设由哪个部门牵头?", "临夏州\x85合格率目标\u2029是多少?", LEAD_QUESTION]
    stdin = "\n".join(questions).encode() + b"\n"
    result = run_bytes("ask", "--json", "--index", str(index_dir), "--embed-model", "off", "-", stdin=stdin)
    lines = result.stdout.decode("utf-8").splitlines()  # splitlines also splits at U+2028, U+2029, U+0085
    assert [json.loads(line)["question"] for line in lines] == questions


def test_a_question_argument_in_bad_bytes_is_answered_in_utf8(index_dir):
    result = run_bytes("ask", "--json", "--index", str(index_dir), "--embed-model", "off", b"\xff\xfe\xe8\xae\xb8\xe6\x98\x8c?")
    assert result.returncode == 0
    record = json.loads(result.stdout.decode("utf-8"))
    assert record["question"].startswith("\ufffd") and record["abstained"]


def test_human_output_is_utf8_under_the_c_locale(index_dir):
    result = run_bytes("ask", "--index", str(index_dir), "--embed-model", "off", LEAD_QUESTION)
    assert result.returncode == 0 and result.stdout.decode("utf-8").startswith("牵头单位:市质监局")


def test_a_question_that_raises_yields_its_object_without_the_exception_text(index, monkeypatch, capsys):
    def broken(question, index, history=(), doc_ids=None):
        raise IndexError("index 4194418 is out of bounds for axis 0 with size 33266")

    monkeypatch.setattr(cli, "_open", lambda args: index)
    monkeypatch.setattr(cli, "answer_in_time", broken)
    monkeypatch.setattr(sys, "stdin", _Stdin(f"{LEAD_QUESTION}\n\n第二个问题\n".encode()))
    assert cli.main(["ask", "--json", "-"]) == 0
    captured = capsys.readouterr()
    objects = [json.loads(line) for line in captured.out.splitlines()]
    assert [o["question"] for o in objects] == [LEAD_QUESTION, "第二个问题"]
    assert all(o["abstained"] and o["error"] == "内部错误(IndexError)" and o["answer"].startswith("系统出错") for o in objects)
    assert "4194418" not in captured.out and "4194418" in captured.err  # the detail is for the log only
    assert cli.main(["ask", LEAD_QUESTION]) == 1 and capsys.readouterr().out.startswith("系统出错")


class _Stdin:
    """A stand-in for sys.stdin whose .buffer yields the given bytes."""

    def __init__(self, data: bytes):
        import io

        self.buffer = io.BytesIO(data)


# ---- odd files in the corpus ----


@pytest.fixture
def odd_corpus(corpus_dir, tmp_path) -> Path:
    """The seed documents plus a folder named x.txt, a dangling symlink, a FIFO named pipe.txt."""
    corpus = tmp_path / "documents"
    shutil.copytree(corpus_dir, corpus)
    (corpus / "x.txt").mkdir()
    (corpus / "x.txt" / "inner.txt").write_text("一、任务\n1.测试。\n", encoding="utf-8")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(corpus / "pipe.txt")
    return corpus


def test_repro_folder_dangling_link_and_fifo_are_skipped(odd_corpus, tmp_path):
    assert sorted(p.name for p in document_files(odd_corpus)) == sorted(p.name for p in odd_corpus.glob("*-*.txt"))
    result = run_bytes(
        "ask", "--json", "--corpus", str(odd_corpus), "--index", str(tmp_path / "idx"), "--embed-model", "off", LEAD_QUESTION
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json.loads(result.stdout.decode("utf-8"))["departments"]["lead"] == XUCHANG_LEAD


def test_repro_an_unreadable_file_is_skipped_with_a_message(corpus_dir, tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "documents"
    shutil.copytree(corpus_dir, corpus)
    locked = corpus / "locked.txt"
    locked.write_text("许昌市某某方案\n一、任务\n1.测试。牵头单位:市某局\n", encoding="utf-8")
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: the operating system's refusal, as it comes for other users
        opening = Path.open

        def refuse(self, *args, **kwargs):
            if self.name == locked.name:
                raise PermissionError(13, "Permission denied", str(self))
            return opening(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    index = open_index(corpus, tmp_path / "idx", embed_model=None)
    assert "skipped locked.txt" in capsys.readouterr().err
    assert len(index.documents) == len(load_documents(corpus_dir))
    from assistant import answer

    assert answer(LEAD_QUESTION, index).departments.lead == tuple(XUCHANG_LEAD)


def test_a_parser_fault_on_one_document_refuses_that_document_only(corpus_dir, tmp_path, monkeypatch, capsys):
    import corpus.loading

    folder = tmp_path / "documents"
    shutil.copytree(corpus_dir, folder)
    odd = folder / "odd.txt"
    odd.write_text("某市某某方案\n一、任务\n1.测试任务。牵头单位:市某局\n", encoding="utf-8")
    parse = corpus.loading.parse_sections

    def fault_on_odd(lines):
        if any("测试任务" in line.text for line in lines):
            raise IndexError("string index out of range")
        return parse(lines)

    monkeypatch.setattr(corpus.loading, "parse_sections", fault_on_odd)
    index = open_index(folder, tmp_path / "idx", embed_model=None)
    assert "skipped odd.txt: odd.txt: 解析出错(IndexError" in capsys.readouterr().err
    assert len(index.documents) == len(load_documents(corpus_dir))
    from assistant import answer

    assert answer(LEAD_QUESTION, index).departments.lead == tuple(XUCHANG_LEAD)


def test_documents_over_the_limits_are_refused_in_chinese_and_the_rest_answered(corpus_dir, tmp_path, capsys):
    corpus = tmp_path / "documents"
    shutil.copytree(corpus_dir, corpus)
    with (corpus / "huge.txt").open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no disk spent
    prose = (corpus_dir / "linxia-2013-2020-quality-outline.txt").read_text(encoding="utf-8")
    (corpus / "long.txt").write_text(prose * (MAX_DOCUMENT_CHARS // len(prose) + 1), encoding="utf-8")
    index = open_index(corpus, tmp_path / "idx", embed_model=None)
    err = capsys.readouterr().err
    assert f"skipped huge.txt: 文件过大（{MAX_DOCUMENT_BYTES + 1}字节），超过上限{MAX_DOCUMENT_BYTES}字节" in err
    assert "skipped long.txt: 文件正文过长" in err and f"超过上限{MAX_DOCUMENT_CHARS}字" in err
    from assistant import answer

    assert answer(LEAD_QUESTION, index).departments.lead == tuple(XUCHANG_LEAD)


# ---- eval question files ----


def test_repro_deeply_nested_json_is_one_line_message(tmp_path):
    path = tmp_path / "deep.jsonl"
    good = json.dumps({"id": "ok", "q": LEAD_QUESTION, "lead": XUCHANG_LEAD}, ensure_ascii=False)
    path.write_text("[" * 100_000 + "\n" + good + "\n" + "{" * 5000 + "\n", encoding="utf-8")
    items, problems = read_items(path)
    assert [item.id for item in items] == ["ok"]
    assert problems[0] == "deep.jsonl:第1行:JSON 嵌套层数过多,这一行无法读取"
    assert len(problems) == 2 and problems[1].startswith("deep.jsonl:第3行:")


def test_eval_on_deep_json_reports_per_line_without_a_traceback(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    environment = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "eval", "--questions", str(path), "--index", str(tmp_path / "idx")],
        capture_output=True, text=True, cwd=PROJECT, env=environment, timeout=300,
    )
    assert "RecursionError" not in result.stderr and "Traceback" not in result.stderr
    assert "JSON 嵌套层数过多" in result.stderr + result.stdout


def test_an_oversized_question_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("wb") as handle:
        handle.truncate(MAX_QUESTION_FILE_BYTES + 1)
    with pytest.raises(ValueError, match="问题集文件过大"):
        read_items(path)

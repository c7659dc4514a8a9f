"""The command-line contract (../shared/CONTRACT.md), run as a user runs it, plus optional dependencies."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONTRACT_FIELDS = {"question", "answer", "abstained", "departments", "citations"}


def run(*args, stdin="", env=None, cwd=PROJECT):
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=environment, timeout=180
    )


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-index")


def test_batch_json_one_object_per_question_in_order(index_dir):
    questions = [
        "许昌市推进检验检测技术平台建设由哪个部门牵头?",
        "",
        "宣城提升质量基础保障能力的配合单位有哪些?",
        "\x00\x01 binary junk \x7f",
        "广州市实施质量强市战略由哪个部门牵头?",
        "临夏州2020年产品质量监督抽查合格率目标是多少?",
    ]
    result = run("assistant", "ask", "--json", "--index", str(index_dir), "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5  # the blank line is skipped, every other line yields one object
    objects = [json.loads(line) for line in lines]
    assert all(CONTRACT_FIELDS <= set(o) for o in objects)
    assert [o["question"] for o in objects] == [q for q in questions if q.strip()]
    first = objects[0]
    assert first["departments"] == {"lead": ["市质监局"], "cooperate": ["市发展改革委", "科技局", "工业和信息化局", "财政(国资)局"], "responsible": []}
    citation = first["citations"][0]
    assert {"doc_id", "title", "clause", "text", "score"} <= set(citation)
    assert citation["doc_id"] == "xuchang-2013-action-plan" and citation["clause"] == "六、推进质量创新体系建设 > 21.推进检验检测技术平台建设"
    assert objects[2]["abstained"] and objects[3]["abstained"] and objects[3]["citations"] == []
    assert "95%" in objects[4]["answer"]
    assert "dense retrieval off" in result.stderr  # said once, on stderr, never on stdout


def test_single_question_human_and_json(index_dir):
    human = run("assistant", "ask", "--index", str(index_dir), "许昌市开展计量惠民专项行动由哪个部门牵头?")
    assert human.returncode == 0 and human.stdout.startswith("牵头单位:市质监局") and "19.开展计量惠民专项行动" in human.stdout
    as_json = run("assistant", "ask", "--json", "--index", str(index_dir), "许昌市开展计量惠民专项行动由哪个部门牵头?")
    assert json.loads(as_json.stdout)["departments"]["lead"] == ["市质监局"]


def test_corpus_of_unseen_documents_and_a_corrupt_index(tmp_path):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(
        "某县2024年质量提升行动方案\n一、重点任务\n1.推进标准化建设。开展标准化试点示范。\n牵头单位:县市场监管局\n配合单位:县发改局、各乡(镇)人民政府\n",
        encoding="utf-8",
    )
    (corpus / "junk.txt").write_bytes(b"\x00\xff\x00\xff" * 100)
    index = tmp_path / "index"
    args = ("assistant", "ask", "--json", "--corpus", str(corpus), "--index", str(index), "某县推进标准化建设由哪个部门牵头?")
    first = run(*args)
    assert json.loads(first.stdout)["departments"]["lead"] == ["县市场监管局"]
    assert "junk.txt" in first.stderr  # the unreadable file is named and skipped
    (index / "manifest.json").write_text("{not json", encoding="utf-8")
    again = run(*args)
    assert again.returncode == 0 and "corrupt manifest" in again.stderr
    assert json.loads(again.stdout)["departments"]["lead"] == ["县市场监管局"]
    with open(corpus / "plan.txt", "a", encoding="utf-8") as handle:
        handle.write("2.提升服务质量。开展满意度测评。(牵头单位:县商务局)\n")
    changed = run("assistant", "ask", "--json", "--corpus", str(corpus), "--index", str(index), "某县提升服务质量由哪个部门牵头?")
    assert "stale" in changed.stderr and json.loads(changed.stdout)["departments"]["lead"] == ["县商务局"]


@pytest.mark.parametrize(
    "command", [(), ("ask",), ("inspect",), ("build",), ("docs",), ("docs", "add"), ("docs", "remove"), ("docs", "list")]
)
def test_every_command_has_help(command):
    result = run("assistant", *command, "--help")
    assert result.returncode == 0 and "usage" in result.stdout


def test_inspect_prints_the_clause_tree_with_units():
    result = run("assistant", "inspect", "xuchang")
    assert result.returncode == 0
    assert "21.推进检验检测技术平台建设" in result.stdout and "[牵头] 市质监局" in result.stdout
    assert run("assistant", "inspect", "no-such-document").returncode == 2


def test_missing_corpus_is_one_line_and_an_exit_code(tmp_path):
    result = run("assistant", "ask", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "i"), "问题?")
    assert result.returncode == 2 and result.stderr.strip().startswith("error:") and len(result.stderr.strip().splitlines()) == 1


BLOCK_HEAVY = """
import sys
for name in ("faiss", "sentence_transformers", "torch"):
    sys.modules[name] = None  # importing them now raises ImportError
from assistant.cli import main
sys.exit(main(["ask", "--json", "--embed-model", "BAAI/bge-small-zh-v1.5", "--index", sys.argv[1], "许昌市开展计量惠民专项行动由哪个部门牵头?"]))
"""


def test_answers_without_faiss_and_sentence_transformers(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_HEAVY, str(tmp_path / "index")],
        capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["departments"]["lead"] == ["市质监局"]
    assert "dense retrieval off" in result.stderr


def test_readme_commands_exist():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/setup" in readme and "bash scripts/test" in readme
    assert all(f"-m assistant docs {command}" in readme for command in ("add", "list", "remove"))
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci
    assert shutil.which("bash")

"""The cost of one question is bounded and a question that names no task is asked to name one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import understanding
from assistant.guard import MAX_HISTORY, MAX_QUESTION_CHARS, NAME_THE_TASK, check_question, repeats_one_word

PROJECT = Path(__file__).resolve().parent.parent
QUESTION_FILES = ("questions.jsonl", "questions-dev.jsonl", "questions-extra.jsonl", "followups.jsonl")
BLIND_FILE = "questions-blind.jsonl"  # held out: a failure here reports a count, never a question


def eval_questions() -> list[str]:
    questions = []
    for name in QUESTION_FILES:
        for line in (PROJECT / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                questions += [item["q"], *item.get("history", [])]
    return questions


def test_repro_one_word_repeated_is_asked_for_a_task(ask):
    result = ask("牵头" * 249)
    assert result.abstained and result.answer == NAME_THE_TASK and result.answer.startswith("请说明具体任务")
    assert result.citations == () and not result.departments.lead


@pytest.mark.parametrize("question", ["牵头单位是谁?", "由哪个部门牵头?", "配合单位有哪些?", "目标是多少?", "牵头牵头牵头牵头", "哈哈哈哈哈哈哈"])
def test_a_question_without_task_words_is_asked_for_a_task(ask, question):
    result = ask(question)
    assert result.abstained and result.answer == NAME_THE_TASK and result.citations == ()


def test_the_same_words_with_a_task_are_answered(ask):
    assert ask("许昌市推进检验检测技术平台建设由哪个部门牵头?").departments.lead == ("市质监局",)


def test_a_follow_up_without_task_words_still_inherits_the_task(ask):
    result = ask("配合单位呢?", history=["许昌市推进检验检测技术平台建设由哪个部门牵头?"])
    assert not result.abstained and "市发展改革委" in result.departments.cooperate


def test_no_question_of_the_evaluation_sets_is_refused_by_the_guard():
    questions = eval_questions()
    assert len(questions) > 400
    assert [q for q in questions if check_question(q)] == []
    assert max(len(q) for q in questions) < MAX_QUESTION_CHARS


def test_no_question_of_the_blind_set_is_refused_by_the_guard():
    questions = [json.loads(line)["q"] for line in (PROJECT / "eval" / BLIND_FILE).read_text(encoding="utf-8").splitlines() if line.strip()]
    refused = sum(bool(check_question(q)) for q in questions)
    assert len(questions) >= 90 and refused == 0, f"{refused} blind questions refused by the guard"
    assert max(len(q) for q in questions) < MAX_QUESTION_CHARS


def test_an_overlong_question_is_refused_before_segmentation(ask, docs, monkeypatch):
    def no_segmentation(text):
        raise AssertionError("segmented an overlong question")

    monkeypatch.setattr(understanding, "_cut", no_segmentation)
    text = "".join(document.text for document in docs.values())  # real prose, no word repeated throughout
    for length in (MAX_QUESTION_CHARS + 1, 10_000, len(text)):
        question = text[:length]
        result = ask(question)
        assert result.abstained and result.answer == f"问题过长(超过{MAX_QUESTION_CHARS}字),请精简后再问。"


def test_a_question_at_the_cap_is_read(ask):
    question = ("许昌市推进检验检测技术平台建设由哪个部门牵头" + "并且" * 80)[: MAX_QUESTION_CHARS - 1] + "?"
    assert not ask(question).answer.startswith("问题过长")


def test_a_long_conversation_reads_only_its_last_questions(ask, monkeypatch):
    calls = []
    original = understanding._cut

    def counting(text):
        calls.append(text)
        return original(text)

    monkeypatch.setattr(understanding, "_cut", counting)
    history = [f"许昌市第{n}项任务由哪个部门牵头?" for n in range(500)] + ["许昌市推进检验检测技术平台建设由哪个部门牵头?"]
    result = ask("配合单位呢?", history=history)
    assert len(calls) == MAX_HISTORY + 1
    assert "市发展改革委" in result.departments.cooperate


@pytest.mark.parametrize(
    ("text", "repeated"),
    [("牵头" * 249, True), ("哈" * 6, True), ("许昌市质量质量质量质量由谁牵头", True),
     ("质量强市质量强省质量强国", False), ("市市场监管局牵头市级质量工作", False)],
)
def test_repeats_one_word(text, repeated):
    assert repeats_one_word(text) is repeated

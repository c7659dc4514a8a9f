"""Questions in traditional characters are answered as the same questions in simplified ones (the issue's repro)."""

from __future__ import annotations

import json
from pathlib import Path

import opencc

PROJECT = Path(__file__).resolve().parent.parent


def test_repro_every_seed_question_in_traditional_characters_gets_the_simplified_answer(ask):
    """Of the 230 seed questions converted to traditional characters, 27 once got the same answer and 157 were
    refused (77 saying there was no document about 許昌市); then 151 got it, the 文号 and 组长 questions not."""
    to_traditional = opencc.OpenCC("s2t")
    lines = (PROJECT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["q"] for line in lines if line.strip()]
    assert len(questions) == 230
    converted = 0
    for question in questions:
        traditional = to_traditional.convert(question)
        converted += traditional != question
        simplified, answered = ask(question), ask(traditional)
        assert answered.question == traditional  # the answer names the question as asked
        assert (answered.answer, answered.abstained, answered.departments, answered.citations) == (
            simplified.answer, simplified.abstained, simplified.departments, simplified.citations), question
    assert converted > 200


def test_the_document_number_of_a_plan_asked_in_traditional_characters(ask):
    result = ask("許昌市這份2013年行動計劃的文號是什麼?")
    assert not result.abstained and "许政办[2013]54号" in result.answer

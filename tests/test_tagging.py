"""A question's words: as jieba.posseg cuts real questions, with its tagger of unknown characters spending a budget."""

from __future__ import annotations

import random

import jieba.posseg
import pytest

from assistant import tagging
from assistant.guard import MAX_QUESTION_CHARS
from assistant.tagging import MAX_TAGGED_CHARS, tagged_words
from assistant.understanding import _PUNCTUATION
from tests.test_guard import eval_questions


@pytest.fixture
def tagged(monkeypatch):
    """The characters jieba.posseg's HMM tags, run by run (the cache emptied so every text is cut again)."""
    runs: list[str] = []
    original = jieba.posseg.viterbi

    def counting(obs, *args):
        runs.append(obs)
        return original(obs, *args)

    monkeypatch.setattr(jieba.posseg, "viterbi", counting)
    tagging.tagged_words.cache_clear()
    yield runs
    tagging.tagged_words.cache_clear()


def test_every_evaluation_question_is_cut_and_tagged_as_jieba_posseg_does(tagged):
    questions = eval_questions()
    for question in questions:
        text = _PUNCTUATION.sub(" ", question)
        assert tagged_words(text) == tuple((pair.word, pair.flag) for pair in jieba.posseg.cut(text)), question
    assert tagged  # the budget was not what kept them equal: their unknown runs were tagged by the HMM


def test_an_unknown_run_the_question_has_is_tagged(tagged):
    """药品带量采购试点里…: the question of the evaluation sets with the most unknown characters (12)."""
    words = tagged_words("药品带量采购试点里 病人用了比医保支付标准贵的药 多出来的钱谁出")
    assert sum(map(len, tagged)) == 12 and "带量" in tagged
    assert ("药品", "n") in words and ("医保", "j") in words


def test_random_characters_spend_at_most_the_budget(tagged):
    """149 random characters were tagged one by one (about a second); now at most MAX_TAGGED_CHARS are."""
    rng = random.Random(13)
    for _ in range(5):
        text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(MAX_QUESTION_CHARS - 1))
        tagged.clear()
        words = tagged_words(text)
        assert sum(map(len, tagged)) <= MAX_TAGGED_CHARS
        assert "".join(word for word, _flag in words) == text  # every character is still a word's


def test_runs_within_the_budget_then_past_it(tagged):
    """Short unknown runs between dictionary words are tagged until the budget is spent, the rest cut cheaply."""
    run = "罏匮漤轱"  # rare characters jieba's dictionary does not join
    text = "质量".join([run] * 12)
    words = tagged_words(text)
    assert 0 < sum(map(len, tagged)) <= MAX_TAGGED_CHARS < text.count("罏") * len(run)
    assert "".join(word for word, _flag in words) == text
    assert ("质量", "n") in words

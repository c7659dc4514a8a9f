"""What a question may cost and say before it is read: its length, a word repeated, a task named at all, its time."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from assistant.records import Query
from corpus.text import nfkc

# Part-of-speech tagging (jieba.posseg) costs milliseconds per character of text it does not know, so a
# question is capped before it is segmented. The longest question of the evaluation sets has 86 characters.
MAX_QUESTION_CHARS = 150
# Only the last few questions of a conversation are read for a follow-up (each costs a segmentation).
MAX_HISTORY = 8
# A question is one word repeated when some run of at most REPEAT_UNIT characters, repeated at least
# REPEAT_TIMES times, makes up at least half of its characters ("牵头牵头牵头…").
REPEAT_UNIT = 8
REPEAT_TIMES = 4
NAME_THE_TASK = "请说明具体任务:问题中要写出是哪一项工作或指标,例如“某市推进某项工作由哪个部门牵头?”"
FAILED = "系统出错,未能回答这个问题;请换一种问法或稍后再试。"  # the chat, the CLI and the API say the same
# What multiplies a question's cost (the earlier questions of a conversation, the parts of a compound question,
# the documents of a cross-document one) stops once the question has taken this long; a question alone is bounded
# by its length. The slowest evaluation question takes 0.13 s; a random 149-character question read against eight
# random 150-character earlier ones took 3.5-7 s before this budget.
QUESTION_SECONDS = 3.0
TOO_COMPLEX = "问题过于复杂,未能在限定时间内回答;请缩短问题、减少追问的轮数或分开提问。"
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)


def valid_text(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (a JSON "\\ud800", undecodable bytes) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text or "")


def check_question(question: str) -> str:
    """Why a question is not read at all (empty, too long, no Chinese, one word repeated), or ""."""
    norm = nfkc(question or "").strip()
    if not norm:
        return "请输入问题。"
    if repeats_one_word(norm[: 4 * MAX_QUESTION_CHARS]):  # before the length: "牵头" × 249 names no task
        return NAME_THE_TASK
    if len(norm) > MAX_QUESTION_CHARS:
        return f"问题过长(超过{MAX_QUESTION_CHARS}字),请精简后再问。"
    if not _HAN.search(norm):
        return "无法理解这个问题:请用中文提问,说明地方或文件、任务和想问的内容,例如“某项任务由哪个部门牵头?”"
    return ""


def repeats_one_word(text: str) -> bool:
    """Whether half of a text's characters (punctuation aside) are one short run repeated."""
    core = _NOT_WORD.sub("", text)
    for size in range(1, REPEAT_UNIT + 1):
        for unit in {core[start : start + size] for start in range(len(core) - size + 1)}:
            times = core.count(unit)
            if times >= REPEAT_TIMES and 2 * times * size >= len(core):
                return True
    return False


def names_no_task(query: Query) -> bool:
    """A question about roles or figures whose words, once the asking words are set aside, name no task."""
    return not query.terms and not query.unit


class OverBudget(Exception):
    """A question ran past its deadline (assistant.budget turns it into TOO_COMPLEX)."""


def spend(deadline: float | None) -> None:
    """Raise OverBudget when the deadline (a time.monotonic() value; None: no deadline) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget


def recent(history: Sequence[str]) -> list[str]:
    """The part of a conversation a follow-up is read against."""
    return [valid_text(question) for question in list(history)[-MAX_HISTORY:]]

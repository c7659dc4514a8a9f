"""A question's time budget where readers wait (the chat, the HTTP API, the CLI): past it, "请缩短问题"."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.answering import answer
from assistant.guard import QUESTION_SECONDS, TOO_COMPLEX, OverBudget, valid_text
from assistant.records import Answer

if TYPE_CHECKING:
    from index import CorpusIndex


def answer_in_time(
    question: str, index: CorpusIndex, history: Sequence[str] = (), doc_ids: Sequence[str] | None = None,
    seconds: float = QUESTION_SECONDS,
) -> Answer:
    """answer(), or TOO_COMPLEX (abstained, nothing cited) when its costly stages run past `seconds`."""
    try:
        return answer(question, index, history=history, doc_ids=doc_ids, deadline=time.monotonic() + seconds)
    except OverBudget:
        return Answer(valid_text(question), TOO_COMPLEX, abstained=True)

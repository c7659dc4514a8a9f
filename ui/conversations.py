"""Conversations kept in the browser (gr.BrowserState): turns to and from JSON, the 历史对话 list, Markdown export."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from assistant.cli import answer_json
from assistant.records import Answer, Citation, Departments
from corpus.records import PATH_SEPARATOR

MAX_CONVERSATIONS = 50  # the oldest beyond this are dropped (a browser keeps about 5 MB per site)
TITLE_CHARS = 28


@dataclass(frozen=True)
class Turn:
    """One exchange of the chat; `answer` is None while the answer is being looked up."""

    question: str
    answer: Answer | None = None
    feedback: str = ""  # "up" / "down" once the reader said whether the answer is right
    comment: str = ""  # what they added to it


@dataclass(frozen=True)
class Conversation:
    """One conversation as the browser keeps it; its first question is its title."""

    id: str
    turns: tuple[Turn, ...]
    updated: str  # "2026-05-01 14:03", local time of the last answer

    @property
    def title(self) -> str:
        first = self.turns[0].question if self.turns else "新对话"
        return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


@dataclass(frozen=True)
class Listed:
    """One line of the 历史对话 list: what the server keeps of each conversation the browser keeps."""

    id: str
    title: str
    updated: str
    turns: int


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def stored(conversation: Conversation) -> dict:
    """A conversation as JSON for the browser: each turn's answer as the contract's object."""
    return {
        "id": conversation.id,
        "updated": conversation.updated,
        "turns": [
            {"question": turn.question, "answer": answer_json(turn.answer) if turn.answer else None,
             "feedback": turn.feedback, "comment": turn.comment}
            for turn in conversation.turns
        ],
    }  # fmt: skip


def restored(record: dict) -> Conversation | None:
    """A conversation from what the browser kept, None when the record is not one (an older format, edited storage)."""
    try:
        turns = tuple(
            Turn(str(turn["question"]), answer_from_json(turn["answer"]) if turn.get("answer") else None,
                 str(turn.get("feedback") or ""), str(turn.get("comment") or ""))
            for turn in record["turns"]
        )  # fmt: skip
        return Conversation(str(record["id"]), turns, str(record.get("updated") or ""))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def conversations(records: object) -> list[Conversation]:
    """Every readable conversation the browser kept, most recent first."""
    found = [restored(record) for record in records if isinstance(record, dict)] if isinstance(records, list) else []
    return [conversation for conversation in found if conversation is not None and conversation.turns]


def saved(records: object, conversation: Conversation) -> list[dict]:
    """The browser's records with this conversation first (replacing its earlier version), at most MAX_CONVERSATIONS
    (what the page does with `saved_one`'s record, ui/chat.py SAVE_JS)."""
    others = [record for record in (records if isinstance(records, list) else []) if isinstance(record, dict)]
    others = [record for record in others if record.get("id") != conversation.id]
    return [stored(_now(conversation))] + others[: MAX_CONVERSATIONS - 1]


def saved_one(listed: Sequence[Listed], conversation: Conversation) -> tuple[dict, list[Listed]]:
    """The conversation as the browser is to keep it (first in its records, replacing its earlier version) and the
    history list after it: the page adds the record to its records itself, so they are not sent to and fro."""
    record = stored(_now(conversation))
    line = Listed(conversation.id, conversation.title, record["updated"], len(conversation.turns))
    return record, [line] + [other for other in listed if other.id != conversation.id][: MAX_CONVERSATIONS - 1]


def listing(records: object) -> list[Listed]:
    """The 历史对话 list of what the browser kept, most recent first."""
    return [Listed(found.id, found.title, found.updated, len(found.turns)) for found in conversations(records)]


def _now(conversation: Conversation) -> Conversation:
    return replace(conversation, updated=time.strftime("%Y-%m-%d %H:%M"))


def deleted(records: object, conversation_id: str) -> list[dict]:
    return [record for record in (records if isinstance(records, list) else []) if isinstance(record, dict) and record.get("id") != conversation_id]


def render_history(records: object, current: str = "") -> str:
    """The 历史对话 list of the browser's records."""
    return render_listing(listing(records), current)


def render_listing(listed: Sequence[Listed], current: str = "") -> str:
    """The 历史对话 list: each conversation's title, when, and buttons to open or delete it."""
    items = []
    for conversation in listed:
        active = " pqa-current" if conversation.id == current else ""
        items.append(
            f'<li class="pqa-history-item{active}"><button type="button" class="pqa-history-open" data-id="{escape(conversation.id)}">'
            f'<span class="pqa-history-title">{escape(conversation.title)}</span>'
            f'<span class="pqa-history-meta">{escape(conversation.updated)} · {conversation.turns} 问</span></button>'
            f'<button type="button" class="pqa-history-delete" data-id="{escape(conversation.id)}" title="删除这段对话"'
            f' aria-label="删除对话:{escape(conversation.title)}">删除</button></li>'
        )
    if not items:
        return '<div class="pqa-history"><p class="pqa-history-empty">还没有保存的对话。对话保存在本浏览器中,刷新页面后仍在。</p></div>'
    return f'<div class="pqa-history"><ul>{"".join(items)}</ul></div>'


def answer_markdown(turn: Turn) -> str:
    """One question and its answer with the cited clauses, as Markdown to copy or save."""
    result = turn.answer
    lines = [f"**问:**{turn.question}", "", f"**答:**{result.answer if result else '(尚未回答)'}"]
    if result and result.citations:
        lines += ["", "**依据条款**", ""]
        for number, citation in enumerate(result.citations, 1):
            path = " › ".join(citation.clause.split(PATH_SEPARATOR)) if citation.clause else ""
            lines.append(f"{number}. 《{citation.title}》{path}")
            lines += [f"   > {line}" for line in citation.text.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def answer_from_json(record: dict) -> Answer:
    """An Answer from the contract's JSON object (what the browser and the feedback file keep)."""
    departments = record.get("departments") or {}
    citations = tuple(
        Citation(str(c["doc_id"]), str(c["title"]), str(c["clause"]), str(c["text"]), float(c.get("score") or 0),
                 tuple(str(h) for h in c.get("highlights") or ()))
        for c in record.get("citations") or ()
    )  # fmt: skip
    roles = {role: tuple(str(name) for name in departments.get(role) or ()) for role in ("lead", "cooperate", "responsible")}
    return Answer(str(record["question"]), str(record["answer"]), bool(record["abstained"]), Departments(**roles),
                  citations, str(record.get("intent") or "other"))  # fmt: skip


def history_questions(turns: Sequence[Turn]) -> list[str]:
    """The questions asked before the last one, oldest first (what `answer(history=…)` takes)."""
    return [turn.question for turn in turns[:-1]]

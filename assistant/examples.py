"""Example questions drawn from the loaded documents: a who-leads and a target question per document."""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus import Clause, Document

_NUMBERING = re.compile(r"^(?:第[一二三四五六七八九十百零\d]+[条章节]|[（(]?[一二三四五六七八九十\d]+[）)、.．]?)\s*")
_TASK_CHARS = 24
_SUBJECT_CHARS = 16


def example_questions(documents: tuple[Document, ...]) -> Iterator[str]:
    """Candidate example questions, one document after another (callers keep those that get an answer)."""
    per_document = [_questions(document) for document in documents]
    while per_document:
        for questions in list(per_document):
            question = next(questions, None)
            if question is None:
                per_document.remove(questions)
            else:
                yield question


def _questions(document: Document) -> Iterator[str]:
    subject = document.place or _short_title(document.title)
    for clause in document.clauses:
        task = _task(clause)
        if task and clause.units.lead:
            yield f"{subject}{task}由哪个部门牵头?"
        elif task and clause.units.responsible:
            yield f"{subject}{task}由哪些部门负责?"
        for target in clause.targets:
            if target.year and 4 <= len(target.metric) <= _TASK_CHARS:
                yield f"{subject}{target.year}年{target.metric}的目标是多少?"


def _task(clause: Clause) -> str:
    heading = re.split(r"[，,。;；:：]", _NUMBERING.sub("", clause.heading))[0].strip()
    if re.search("负责|牵头|配合|会同", heading):  # a heading that already says who: no question to ask
        return ""
    return heading if 4 <= len(heading) <= _TASK_CHARS and "…" not in heading else ""


def _short_title(title: str) -> str:
    return f"《{title}》中" if len(title) <= _SUBJECT_CHARS * 2 else f"《{title[:_SUBJECT_CHARS]}…》中"

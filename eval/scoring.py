"""Scoring answers against gold questions: answer, citation, retrieval and abstention accuracy."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.records import Answer

ROLES = ("lead", "cooperate", "responsible")


@dataclass(frozen=True)
class Item:
    """One gold question (format of ../shared/questions.sample.jsonl)."""

    id: str
    q: str
    cat: str
    doc: tuple[str, ...] = ()
    lead: tuple[str, ...] | None = None
    cooperate: tuple[str, ...] | None = None
    responsible: tuple[str, ...] | None = None
    must: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    abstain: bool = False
    history: tuple[str, ...] = ()
    line: int = 0

    def gold_units(self, role: str) -> tuple[str, ...] | None:
        return getattr(self, role)


@dataclass(frozen=True)
class Score:
    """How one answer fares against its gold item."""

    item: Item
    answer: Answer
    correct: bool
    cited: bool  # the first citation is the gold clause (for crossdoc: every gold clause is cited)
    cited_top3: bool
    anchor_rank: int | None  # 1-based rank of the gold clause among the retrieved clauses, None if absent
    seconds: float
    reasons: tuple[str, ...] = field(default=())


def read_items(path: Path) -> tuple[list[Item], list[str]]:
    """Items of a JSONL question file, and one message per malformed line (the rest are still read)."""
    items, problems = [], []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            items.append(item_from_record(json.loads(raw), number))
        except (ValueError, TypeError, KeyError) as error:
            problems.append(f"line {number}: {error}")
    return items, problems


def item_from_record(record: dict, line: int = 0) -> Item:
    """An Item from one parsed record; raises ValueError naming what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in ("id", "q") if not str(record.get(key, "")).strip()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    anchors = record.get("anchors") or ([record["anchor"]] if record.get("anchor") else [])
    abstain = bool(record.get("abstain")) or record.get("cat") == "abstain"
    if not abstain and not (anchors or record.get("must") or any(record.get(role) for role in ROLES)):
        raise ValueError("no gold: give anchor, must, lead/cooperate/responsible or abstain")
    doc = record.get("doc") or ()
    return Item(
        id=str(record["id"]),
        q=str(record["q"]),
        cat=str(record.get("cat") or "other"),
        doc=(doc,) if isinstance(doc, str) else tuple(doc),
        must=tuple(_strings(record.get("must"))),
        anchors=tuple(_strings(anchors)),
        abstain=abstain,
        history=tuple(_strings(record.get("history"))),
        line=line,
        **{role: tuple(_strings(record[role])) for role in ROLES if record.get(role) is not None},
    )


def score(item: Item, answer: Answer, retrieved_texts: list[str], seconds: float) -> Score:
    """Judge one answer. Units are compared as sets per gold role; `must` strings must be in the answer."""
    reasons = []
    if item.abstain:
        if not answer.abstained:
            reasons.append("should abstain")
    else:
        if answer.abstained:
            reasons.append("abstained")
        for role in ROLES:
            gold = item.gold_units(role)
            given = getattr(answer.departments, role)
            if gold is not None and set(gold) != set(given):
                reasons.append(f"{role}: expected {'、'.join(gold) or '—'}, got {'、'.join(given) or '—'}")
        reasons += [f"answer lacks {text!r}" for text in item.must if text not in answer.answer]
    citations = [citation.text for citation in answer.citations]
    if item.abstain:
        cited = cited_top3 = not citations
    elif len(item.anchors) > 1:
        cited = cited_top3 = all(any(anchor in text for text in citations) for anchor in item.anchors)
    else:
        cited = bool(citations) and all(anchor in citations[0] for anchor in item.anchors)
        cited_top3 = any(all(anchor in text for anchor in item.anchors) for text in citations[:3])
    rank = next(
        (position for position, text in enumerate(retrieved_texts, 1) if item.anchors and item.anchors[0] in text),
        None,
    )
    return Score(item, answer, not reasons, cited, cited_top3, rank, seconds, tuple(reasons))


def _strings(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"expected a list of strings, got {type(value).__name__}")
    return [str(part) for part in value]

"""Scoring answers against gold questions: answer, citation, retrieval and abstention accuracy."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Answer
from eval.columns import FIELD_NAMES
from eval.inputs import read_items
from eval.items import ROLES, Item, item_from_record

__all__ = ["ROLES", "Item", "Score", "UnitCounts", "department_counts", "item_from_record", "read_items", "score"]


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
    lenient: bool = False  # every gold unit and `must` string is in the answer text (abstain items: abstained)

    @property
    def failed(self) -> bool:
        """Wrong, or right but resting on the wrong clause."""
        return not (self.correct and (self.cited or self.item.abstain))


@dataclass(frozen=True)
class UnitCounts:
    """Department units of one role: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: UnitCounts) -> UnitCounts:
        return UnitCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def score(item: Item, answer: Answer, retrieved_texts: list[str], seconds: float) -> Score:
    """Judge one answer. Units are compared as sets per gold role; `must` strings must be in the answer."""
    reasons = []
    if item.abstain:
        if not answer.abstained:
            reasons.append("应拒答,却作了回答")
    else:
        if answer.abstained:
            reasons.append("未作答(拒答)")
        for role in ROLES:
            gold = item.gold_units(role)
            given = getattr(answer.departments, role)
            if gold is not None and set(gold) != set(given):
                reasons.append(f"{FIELD_NAMES[role]}:应为{'、'.join(gold) or '无'},实为{'、'.join(given) or '无'}")
        reasons += [f"回答缺少“{text}”" for text in item.must if text not in answer.answer]
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
    return Score(item, answer, not reasons, cited, cited_top3, rank, seconds, tuple(reasons), lenient(item, answer))


def lenient(item: Item, answer: Answer) -> bool:
    """Right by the answer text alone: each gold unit and `must` string appears in it (fair to plain-text answers)."""
    if item.abstain:
        return answer.abstained
    return not answer.abstained and all(text in answer.answer for text in item.all_gold_units() + item.must)


def department_counts(item: Item, answer: Answer) -> dict[str, UnitCounts]:
    """Per role with a gold list: units given and gold (as sets), counted as tp / fp / fn."""
    counts = {}
    for role in ROLES:
        gold = item.gold_units(role)
        if gold is None:
            continue
        gold_set, given = set(gold), set(() if answer.abstained else getattr(answer.departments, role))
        counts[role] = UnitCounts(len(gold_set & given), len(given - gold_set), len(gold_set - given))
    return counts

"""Figures over a list of scores: accuracies, citation, recall@k and MRR, abstention, departments, latency."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable

from eval.columns import FIELD_NAMES
from eval.items import ROLES
from eval.scoring import Score, UnitCounts, department_counts

NAN = float("nan")
# Every figure the report compares, with a label; latency is lower-is-better, the rest higher-is-better.
METRICS = {
    "accuracy": "回答准确率(严格:单位、必含内容、拒答均正确)",
    "lenient_accuracy": "回答准确率(宽松:标准单位和必含内容出现在回答中)",
    "citation": "首条引用为标准条款",
    "citation_top3": "前三条引用含标准条款",
    "recall@1": "检索召回率@1",
    "recall@3": "检索召回率@3",
    "recall@5": "检索召回率@5",
    "mrr": "检索平均倒数排名@5",
    "abstain_precision": "拒答精确率",
    "abstain_recall": "拒答召回率",
    "dept_precision": "单位精确率(全部角色合计)",
    "dept_recall": "单位召回率(全部角色合计)",
    "dept_f1": "单位 F1 值(全部角色合计)",
    **{f"dept_{role}_{name}": f"{FIELD_NAMES[role]}{label}" for role in ROLES for name, label in (("precision", "精确率"), ("recall", "召回率"), ("f1", " F1 值"))},
    "p50_ms": "响应时间中位数(毫秒)",
    "p95_ms": "响应时间 95 分位(毫秒)",
}
LOWER_IS_BETTER = ("p50_ms", "p95_ms")


def summarize(scores: list[Score]) -> dict[str, float]:
    """All figures of one system on one question set; NaN where a figure has nothing to measure."""
    answerable = [s for s in scores if not s.item.abstain]
    anchored = [s for s in answerable if s.item.anchors]
    abstained = [s for s in scores if s.answer.abstained]
    should = [s for s in scores if s.item.abstain]
    latencies = sorted(s.seconds * 1000 for s in scores)
    figures = {
        "questions": len(scores),
        "accuracy": share(s.correct for s in scores),
        "lenient_accuracy": share(s.lenient for s in scores),
        "citation": share(s.cited for s in answerable),
        "citation_top3": share(s.cited_top3 for s in answerable),
        **{f"recall@{k}": share(s.anchor_rank is not None and s.anchor_rank <= k for s in anchored) for k in (1, 3, 5)},
        "mrr": sum(1 / s.anchor_rank for s in anchored if s.anchor_rank) / len(anchored) if anchored else NAN,
        "abstain_precision": share(s.item.abstain for s in abstained),
        "abstain_recall": share(s.answer.abstained for s in should),
    }
    figures.update(department_figures(scores))
    figures["p50_ms"] = percentile(latencies, 50)
    figures["p95_ms"] = percentile(latencies, 95)
    return figures


def department_figures(scores: list[Score]) -> dict[str, float]:
    """Precision, recall and F1 over units (micro: summed over items), per role and over all roles."""
    totals: dict[str, UnitCounts] = defaultdict(UnitCounts)
    for item_score in scores:
        for role, counts in department_counts(item_score.item, item_score.answer).items():
            totals[role] += counts
    figures = {}
    every = sum(totals.values(), UnitCounts())
    for prefix, counts in [("dept", every)] + [(f"dept_{role}", totals.get(role, UnitCounts())) for role in ROLES]:
        precision, recall, f1 = prf(counts)
        figures.update({f"{prefix}_precision": precision, f"{prefix}_recall": recall, f"{prefix}_f1": f1})
    return figures


def prf(counts: UnitCounts) -> tuple[float, float, float]:
    """Precision (NaN when nothing was given), recall (NaN when nothing is gold), F1 (0 when no unit is right)."""
    given, gold = counts.tp + counts.fp, counts.tp + counts.fn
    precision = counts.tp / given if given else NAN
    recall = counts.tp / gold if gold else NAN
    if not given and not gold:
        return precision, recall, NAN
    f1 = 2 * precision * recall / (precision + recall) if counts.tp else 0.0
    return precision, recall, f1


def by_group(scores: list[Score], key: Callable[[Score], str]) -> dict[str, dict[str, float]]:
    """n, strict and lenient accuracy, citation accuracy per group (category, document), groups sorted."""
    groups: dict[str, list[Score]] = defaultdict(list)
    for item_score in scores:
        groups[key(item_score)].append(item_score)
    return {
        name: {
            "n": len(group),
            "accuracy": share(s.correct for s in group),
            "lenient_accuracy": share(s.lenient for s in group),
            "citation": share(s.cited for s in group if not s.item.abstain),
        }
        for name, group in sorted(groups.items())
    }


def category(item_score: Score) -> str:
    return item_score.item.cat


def document(item_score: Score) -> str:
    """The item's document, "multi-doc" when it names several, "none" when none (e.g. an unknown place)."""
    docs = item_score.item.doc
    return docs[0] if len(docs) == 1 else "multi-doc" if docs else "none"


def gain(ours: float, baseline: float) -> float:
    """ours / baseline (NaN when undefined; inf when the baseline scores 0 and we do not)."""
    if math.isnan(ours) or math.isnan(baseline):
        return NAN
    if baseline == 0:
        return NAN if ours == 0 else math.inf
    return ours / baseline


def share(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(1 for value in values if value) / len(values) if values else NAN


def percentile(ordered: list[float], percent: int) -> float:
    """Nearest-rank percentile of sorted values (the median for 50)."""
    if not ordered:
        return NAN
    if percent == 50:
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return ordered[min(len(ordered) - 1, int(percent / 100 * len(ordered)))]

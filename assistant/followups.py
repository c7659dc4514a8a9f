"""A follow-up that moves to another document ("上海市呢?"): say so when the clause found there is another task."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.records import Answer, Query
from assistant.retrieval import bigrams, idf

if TYPE_CHECKING:
    from index import CorpusIndex

# Below this IDF-weighted share of the task's bigrams in the found clause's heading, the clause is another task.
# On the follow-ups of eval/followups.jsonl and the examples, the same tasks under other wording score
# 0.48 and 0.64 (实施工程质量提升工程 for 提升工程质量管理能力; 打造检验检测技术平台 for 推进检验检测技术平台建设),
# other tasks 0.00 to 0.25 (着力强化企业质量管理 for 开展计量惠民专项行动).
SAME_TASK = 0.3


def moved_to_another_document(query: Query, previous: Query | None) -> bool:
    """The question kept the earlier task but names other documents ("上海市呢?" after a 济南 question)."""
    return (
        previous is not None
        and bool(query.doc_ids)
        and query.task == previous.task
        and set(query.doc_ids) != set(previous.doc_ids)
    )


def task_share(task: str, heading: str, index: CorpusIndex) -> float:
    """IDF-weighted share of the task's character bigrams that the heading also has."""
    grams = set(bigrams(task))
    weights = {gram: idf(gram, index) for gram in grams}
    total = sum(weights.values())
    if not total:
        return 1.0
    found = set(bigrams(heading))
    return sum(weight for gram, weight in weights.items() if gram in found) / total


def note_other_task(result: Answer, previous: Query | None, index: CorpusIndex) -> Answer:
    """The answer, opened with "上海市文件中没有同名任务,最接近的是“…”:" when it answers from another task."""
    query = result.query
    if result.abstained or not result.citations or query is None or not moved_to_another_document(query, previous):
        return result
    first = result.citations[0]
    heading = first.clause.rsplit(" > ", 1)[-1].strip()
    if not heading or task_share(query.task, heading, index) >= SAME_TASK:
        return result
    document = next((d for d in index.documents if d.doc_id == first.doc_id), None)
    where = document.place if document is not None and document.place else f"《{first.title}》"
    return replace(result, answer=f"{where}文件中没有同名任务,最接近的是“{heading}”:{result.answer}")

"""An evaluation run of the assistant and the naive baseline on one question file, written as a report folder."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant import answer, retrieve
from eval.baseline import CHUNK_CHARS, OVERLAP_CHARS, NaiveRag
from eval.charts import write_charts
from eval.columns import FIELD_NAMES
from eval.inputs import read_items
from eval.items import Item
from eval.markdown import render_markdown
from eval.metrics import METRICS, by_group, category, document, gain, summarize
from eval.scoring import Score, score

Progress = Callable[[float, str], None]
BASELINE_NAME = f"朴素检索基线:按{CHUNK_CHARS}字切块(重叠{OVERLAP_CHARS}字),按字的二元组做关键词检索,以最相关一块作答"


@dataclass(frozen=True)
class EvaluationReport:
    """What the 评测 tab shows and the files written for it."""

    summary: dict[str, float]  # our figures, and the baseline's as "baseline_<name>"
    markdown: str
    table_rows: list[list]  # per category: category, n, accuracy, citation accuracy, baseline accuracy
    failures: list[list]  # id, question, expected, given, cited clause, why
    charts: tuple[Path, ...]
    files: tuple[Path, ...]  # report.md, report.json, the PNGs
    problems: tuple[str, ...]  # malformed-row messages


@dataclass(frozen=True)
class Run:
    """Both systems' scores on the same items, in item order."""

    items: tuple[Item, ...]
    ours: tuple[Score, ...]
    baseline: tuple[Score, ...]
    titles: tuple[tuple[str, str], ...] = ()  # (doc id, title) of the documents answered from


def run_evaluation(questions_path: Path, index, report_dir: Path, progress: Progress | None = None) -> EvaluationReport:
    """Score a question file (JSONL, CSV or .xlsx) with the assistant and the baseline; write the report.

    Raises ValueError when the file holds no valid question (the message lists the problems),
    OSError when it cannot be read.
    """
    questions_path = Path(questions_path)
    items, problems = read_items(questions_path)
    if not items:
        raise ValueError("\n".join([f"{questions_path.name}:没有可评测的有效问题", *problems[:20]]))
    run = score_both(items, index, progress)
    return write_report(run, questions_path, Path(report_dir), problems, progress)


def score_both(items: list[Item], index, progress: Progress | None = None) -> Run:
    """Answer every item with the assistant, then with the baseline (built from the index's documents)."""
    report = progress or (lambda _fraction, _message: None)
    total = 2 * len(items) + 1
    ours = []
    for number, item in enumerate(items, 1):
        ours.append(evaluate(item, index))
        report(0.9 * number / total, f"本系统作答:{number}/{len(items)}")
    report(0.9 * (len(items) + 0.5) / total, "建立基线")
    rag = NaiveRag.from_documents(index.documents)
    baseline = []
    for number, item in enumerate(items, 1):
        baseline.append(evaluate_baseline(item, rag))
        report(0.9 * (len(items) + 1 + number) / total, f"基线作答:{number}/{len(items)}")
    titles = tuple((document.doc_id, document.title) for document in index.documents)
    return Run(tuple(items), tuple(ours), tuple(baseline), titles)


def evaluate(item: Item, index) -> Score:
    """Answer one item (with its history) and score it, with the retrieval ranking for recall@k."""
    started = time.perf_counter()
    result = answer(item.q, index, history=item.history)
    seconds = time.perf_counter() - started
    query = result.query
    retrieved = [ranked.clause.text for ranked in retrieve(query, index, k=5)] if query else []
    return score(item, result, retrieved, seconds)


def evaluate_baseline(item: Item, rag: NaiveRag) -> Score:
    started = time.perf_counter()
    result, retrieved = rag.answer(item.q, item.history)
    return score(item, result, retrieved, time.perf_counter() - started)


def write_report(run: Run, questions_path: Path, report_dir: Path, problems: list[str], progress: Progress | None = None) -> EvaluationReport:
    """report.json, the charts and report.md in report_dir (created), and the report's figures."""
    report_dir.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(0.92, "绘制图表")
    results = results_of(run, questions_path, problems)
    charts = write_charts(results, report_dir)
    markdown = render_markdown(results, [path.name for path in charts])
    json_path, md_path = report_dir / "report.json", report_dir / "report.md"
    json_path.write_text(json.dumps(_clean(results), ensure_ascii=False, indent=1), encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    ours, baseline = results["ours"], results["baseline"]
    summary = {**ours["summary"], **{f"baseline_{name}": value for name, value in baseline["summary"].items()}}
    rows = [
        [name, group["n"], group["accuracy"], _blank(group["citation"]), baseline["per_category"][name]["accuracy"]]
        for name, group in ours["per_category"].items()
    ]
    failures = [[f["id"], f["question"], f["expected"], f["given"], f["cited"], f["why"]] for f in results["failures"]]
    if progress:
        progress(1.0, f"完成:{len(run.items)} 题,{len(failures)} 题未通过")
    return EvaluationReport(summary, markdown, rows, failures, charts, (md_path, json_path, *charts), tuple(problems))


def results_of(run: Run, questions_path: Path, problems: list[str]) -> dict:
    """Everything report.json holds: both systems' figures by category and document, gains, failures, items."""
    systems = {}
    for name, scores in (("ours", list(run.ours)), ("baseline", list(run.baseline))):
        systems[name] = {
            "summary": summarize(scores),
            "per_category": by_group(scores, category),
            "per_document": by_group(scores, document),
            "latencies_ms": [round(s.seconds * 1000, 3) for s in scores],
        }
    return {
        "questions_file": str(questions_path),
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "baseline_system": BASELINE_NAME,
        "documents": {**dict(run.titles), "multi-doc": "多份文件", "none": "未指定文件"},
        "problems": list(problems),
        **systems,
        "gain": {name: gain(systems["ours"]["summary"][name], systems["baseline"]["summary"][name]) for name in METRICS},
        "failures": [_failure(s) for s in run.ours if s.failed],
        "baseline_failures": len([s for s in run.baseline if s.failed]),
        "items": [_item(ours, base) for ours, base in zip(run.ours, run.baseline)],
    }


def expected_text(item: Item) -> str:
    """The gold answer in a line: units by role, must strings, gold clause words; or that it should abstain."""
    if item.abstain:
        return "应拒答(文件中未找到)"
    parts = [f"{FIELD_NAMES[role]}:{'、'.join(units) or '无'}" for role in ("lead", "cooperate", "responsible") if (units := item.gold_units(role)) is not None]
    parts += [f"必含:{' / '.join(item.must)}"] if item.must else []
    parts += [f"条款:«{' / '.join(item.anchors)}»"] if item.anchors else []
    return ";".join(parts)


def cited_text(result) -> str:
    """The first citation as document title and clause path, or a dash."""
    if not result.citations:
        return "—"
    first = result.citations[0]
    more = f"(另 {len(result.citations) - 1} 条)" if len(result.citations) > 1 else ""
    return f"《{first.title}》{first.clause}{more}"


def _failure(item_score: Score) -> dict:
    item, result = item_score.item, item_score.answer
    why = list(item_score.reasons)
    if not item.abstain and not item_score.cited:
        why.append("未引用条款" if not result.citations else "首条引用不含标准条款的文字")
    question = item.q + (f"(上文:{' / '.join(item.history)})" if item.history else "")
    return {
        "id": item.id,
        "cat": item.cat,
        "question": question,
        "expected": expected_text(item),
        "given": ("[拒答] " if result.abstained else "") + result.answer,
        "cited": cited_text(result),
        "why": ";".join(why),
    }


def _item(ours: Score, base: Score) -> dict:
    def one(item_score: Score) -> dict:
        return {
            "correct": item_score.correct,
            "lenient": item_score.lenient,
            "cited": item_score.cited,
            "cited_top3": item_score.cited_top3,
            "rank": item_score.anchor_rank,
            "ms": round(item_score.seconds * 1000, 3),
            "abstained": item_score.answer.abstained,
            "cited_clause": cited_text(item_score.answer),
            "reasons": list(item_score.reasons),
        }

    return {"id": ours.item.id, "cat": ours.item.cat, "q": ours.item.q, "ours": one(ours), "baseline": one(base)}


def _blank(value: float) -> float | None:
    return None if isinstance(value, float) and math.isnan(value) else value


def _clean(value):
    """NaN and infinity as JSON null (json.dumps would write the invalid tokens NaN / Infinity)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {key: _clean(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(inner) for inner in value]
    return value

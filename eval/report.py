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
from eval.inputs import read_items
from eval.items import Item
from eval.markdown import render_markdown
from eval.metrics import METRICS, by_group, category, document, gain, summarize
from eval.scoring import Score, score

Progress = Callable[[float, str], None]
BASELINE_NAME = f"naive RAG: {CHUNK_CHARS}-char chunks (overlap {OVERLAP_CHARS}), BM25 over character bigrams, top chunk"


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


def run_evaluation(questions_path: Path, index, report_dir: Path, progress: Progress | None = None) -> EvaluationReport:
    """Score a question file (JSONL, CSV or .xlsx) with the assistant and the baseline; write the report.

    Raises ValueError when the file holds no valid question (the message lists the problems),
    OSError when it cannot be read.
    """
    questions_path = Path(questions_path)
    items, problems = read_items(questions_path)
    if not items:
        raise ValueError("\n".join([f"{questions_path.name}: no valid questions to score", *problems[:20]]))
    run = score_both(items, index, progress)
    return write_report(run, questions_path, Path(report_dir), problems, progress)


def score_both(items: list[Item], index, progress: Progress | None = None) -> Run:
    """Answer every item with the assistant, then with the baseline (built from the index's documents)."""
    report = progress or (lambda _fraction, _message: None)
    total = 2 * len(items) + 1
    ours = []
    for number, item in enumerate(items, 1):
        ours.append(evaluate(item, index))
        report(0.9 * number / total, f"assistant: {number}/{len(items)} {item.id}")
    report(0.9 * (len(items) + 0.5) / total, "building the baseline")
    rag = NaiveRag.from_documents(index.documents)
    baseline = []
    for number, item in enumerate(items, 1):
        baseline.append(evaluate_baseline(item, rag))
        report(0.9 * (len(items) + 1 + number) / total, f"baseline: {number}/{len(items)} {item.id}")
    return Run(tuple(items), tuple(ours), tuple(baseline))


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
        progress(0.92, "writing charts")
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
        progress(1.0, f"done: {len(run.items)} questions, {len(failures)} failed")
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
        return "abstain (文件中未找到)"
    parts = [f"{role}: {'、'.join(units) or '—'}" for role in ("lead", "cooperate", "responsible") if (units := item.gold_units(role)) is not None]
    parts += [f"must: {' / '.join(item.must)}"] if item.must else []
    parts += [f"clause: «{' / '.join(item.anchors)}»"] if item.anchors else []
    return "; ".join(parts)


def cited_text(result) -> str:
    """The first citation as doc id and clause path, or a dash."""
    if not result.citations:
        return "—"
    first = result.citations[0]
    return f"{first.doc_id}: {first.clause}" + (f" (+{len(result.citations) - 1} more)" if len(result.citations) > 1 else "")


def _failure(item_score: Score) -> dict:
    item, result = item_score.item, item_score.answer
    why = list(item_score.reasons)
    if not item.abstain and not item_score.cited:
        why.append("no citation" if not result.citations else "cited clause lacks the gold clause words")
    question = item.q + (f" (after: {' / '.join(item.history)})" if item.history else "")
    return {
        "id": item.id,
        "cat": item.cat,
        "question": question,
        "expected": expected_text(item),
        "given": ("[abstained] " if result.abstained else "") + result.answer,
        "cited": cited_text(result),
        "why": "; ".join(why),
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

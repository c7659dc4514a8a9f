"""`python -m eval`: score a question file (assistant and baseline), print the table, write the report, apply thresholds."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from assistant.cli import default_corpus, default_embed_model, default_index
from eval.inputs import read_items
from eval.metrics import by_group, category, summarize
from eval.report import evaluate, score_both, write_report
from eval.scoring import Score

HERE = Path(__file__).resolve().parent
# Thresholds set at the figures reached (README, "Accuracy"); a change that falls below them fails CI.
# A figure with nothing to measure (NaN, e.g. abstain_recall on a file without abstain items) passes.
THRESHOLDS = {"accuracy": 0.97, "citation": 0.98, "abstain_recall": 1.0}

__all__ = ["THRESHOLDS", "evaluate", "format_summary", "main", "summarize"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score answers against a question set.")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl", help="question file: .jsonl, .csv or .xlsx")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of source documents")
    parser.add_argument("--index", type=Path, default=None, help="index folder")
    parser.add_argument("--embed-model", default=None, help="dense model name or 'off'")
    parser.add_argument("--report", type=Path, default=None, help="report folder (default eval/reports/<timestamp>/)")
    parser.add_argument("--no-thresholds", action="store_true", help="report only; exit 0 whatever the figures")
    args = parser.parse_args(argv)

    from index import open_index  # noqa: PLC0415

    try:
        items, problems = read_items(args.questions)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if not items:
        print(f"error: no valid questions in {args.questions}", file=sys.stderr)
        return 2
    model = args.embed_model or default_embed_model()
    index = open_index(args.corpus or default_corpus(), args.index or default_index(), None if model == "off" else model)
    run = score_both(items, index)
    report_dir = args.report or HERE / "reports" / time.strftime("%Y%m%d-%H%M%S")
    report = write_report(run, args.questions, report_dir, problems)
    figures = summarize(list(run.ours))
    print(format_summary(figures, list(run.ours), list(run.baseline)))
    print(f"\nreport: {report_dir / 'report.md'} ({len(report.files)} files)")
    failed = [name for name, minimum in THRESHOLDS.items() if figures[name] < minimum]
    if failed and not args.no_thresholds:
        print(f"below threshold: {', '.join(f'{n} {figures[n]:.3f} < {THRESHOLDS[n]}' for n in failed)}", file=sys.stderr)
        return 1
    return 0


def format_summary(figures: dict[str, float], scores: list[Score], baseline: list[Score] | None = None) -> str:
    """The per-category table (with the baseline's strict and lenient accuracy), the figures, the failures."""
    ours_groups = by_group(scores, category)
    base_groups = by_group(baseline, category) if baseline else {}
    header = "category      n  accuracy  citation"
    lines = [header + ("  | baseline acc  lenient" if baseline else "")]
    for name, group in ours_groups.items():
        line = f"{name:<12}{group['n']:>3}  {_fmt(group['accuracy'])}  {_fmt(group['citation'])}"
        if baseline:
            line += f"  |     {_fmt(base_groups[name]['accuracy'])} {_fmt(base_groups[name]['lenient_accuracy'])}"
        lines.append(line)
    lines.append("")
    base_figures = summarize(baseline) if baseline else {}
    for name, value in figures.items():
        text = f"{name:<28}{_fmt(value)}" if isinstance(value, float) else f"{name:<28}{value:>8}"
        if name in base_figures:
            text += f"   baseline {_fmt(base_figures[name])}" if isinstance(value, float) else ""
        lines.append(text)
    failures = [s for s in scores if s.failed]
    if failures:
        lines.append(f"\n{len(failures)} failed:")
        for failed in failures:
            first = failed.answer.citations[0].clause if failed.answer.citations else "—"
            why = "; ".join(failed.reasons) or "wrong citation"
            lines.append(f"  {failed.item.id} [{failed.item.cat}] {failed.item.q}\n      {why} | cited: {first}\n      answer: {failed.answer.answer[:120]}")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return "     n/a" if isinstance(value, float) and math.isnan(value) else f"{value:8.3f}"

"""`python -m eval`: score a question file (assistant and baseline), print the table, write the report, apply thresholds."""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.cli import chosen_milvus_uri, chosen_vector_store, default_corpus, default_embed_model, default_index, vector_store_option
from eval.inputs import read_items
from eval.metrics import by_group, category, summarize
from eval.report import evaluate, score_both, write_report
from eval.scoring import Score

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


@dataclass(frozen=True)
class Suite:
    """A question set over a corpus, optionally one split of it, with the figures CI requires of it."""

    name: str
    questions: Path
    corpus: Path
    index: Path
    split: str = ""  # "" for every item, else "tune" or "test"
    thresholds: tuple[tuple[str, float], ...] = ()
    blind: bool = False  # a held-out set nobody tunes on: the console shows its figures, never its failed questions


# Thresholds set at (or just under) the figures reached (README, "Accuracy"); a change that falls below them
# fails CI. A figure with nothing to measure (NaN) passes.
SUITES = (
    Suite("seeds", HERE / "questions.jsonl", PROJECT / "corpus" / "documents", PROJECT / "index" / "built",
          thresholds=(("accuracy", 0.97), ("citation", 0.98), ("abstain_recall", 0.9))),
    Suite("dev-tune", HERE / "questions-dev.jsonl", PROJECT / "corpus" / "dev", PROJECT / "index" / "built-dev", "tune",
          thresholds=(("accuracy", 0.92), ("citation", 0.9), ("abstain_recall", 0.9))),
    Suite("dev-test", HERE / "questions-dev.jsonl", PROJECT / "corpus" / "dev", PROJECT / "index" / "built-dev", "test",
          thresholds=(("accuracy", 0.68), ("citation", 0.82), ("abstain_recall", 0.95))),
    Suite("extra-tune", HERE / "questions-extra.jsonl", PROJECT / "corpus" / "extra", PROJECT / "index" / "built-extra", "tune",
          thresholds=(("accuracy", 0.97), ("citation", 0.95), ("abstain_recall", 0.95))),
    Suite("extra-test", HERE / "questions-extra.jsonl", PROJECT / "corpus" / "extra", PROJECT / "index" / "built-extra", "test",
          thresholds=(("accuracy", 0.93), ("citation", 0.94), ("abstain_recall", 0.85))),
    Suite("extra2-tune", HERE / "questions-extra2.jsonl", PROJECT / "corpus" / "extra2", PROJECT / "index" / "built-extra2", "tune",
          thresholds=(("accuracy", 0.84), ("citation", 0.88), ("abstain_recall", 0.85))),
    Suite("extra2-test", HERE / "questions-extra2.jsonl", PROJECT / "corpus" / "extra2", PROJECT / "index" / "built-extra2", "test",
          thresholds=(("accuracy", 0.71), ("citation", 0.83), ("abstain_recall", 0.95))),
    Suite("extra3-tune", HERE / "questions-extra3.jsonl", PROJECT / "corpus" / "extra3", PROJECT / "index" / "built-extra3", "tune",
          thresholds=(("accuracy", 0.69), ("citation", 0.77), ("abstain_recall", 0.9))),
    Suite("extra3-test", HERE / "questions-extra3.jsonl", PROJECT / "corpus" / "extra3", PROJECT / "index" / "built-extra3", "test",
          thresholds=(("accuracy", 0.75), ("citation", 0.83), ("abstain_recall", 0.95))),
    # Blind: documents and questions nobody tunes on (corpus/blind/SOURCES.md); only its figures are printed, its
    # per-question report goes to <report>/blind/ and is not to be read while changing the assistant.
    Suite("blind", HERE / "questions-blind.jsonl", PROJECT / "corpus" / "blind", PROJECT / "index" / "built-blind", "test",
          thresholds=(("accuracy", 0.65), ("citation", 0.81), ("abstain_recall", 0.95)), blind=True),
)  # fmt: skip
THRESHOLDS = dict(SUITES[0].thresholds)

__all__ = ["SUITES", "THRESHOLDS", "Suite", "evaluate", "format_summary", "main", "summarize"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score answers against question sets.")
    parser.add_argument("--questions", type=Path, default=None,
                        help="question file: .jsonl, .csv or .xlsx (default: every suite: seeds, dev-tune, dev-test, extra-tune, extra-test, extra2-tune, extra2-test, extra3-tune, extra3-test, blind)")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of source documents (with --questions)")
    parser.add_argument("--index", type=Path, default=None, help="index folder (with --questions)")
    parser.add_argument("--split", choices=("tune", "test"), default=None, help="score only this split of the questions")
    parser.add_argument("--embed-model", default=None, help="dense model name or 'off'")
    vector_store_option(parser)
    parser.add_argument("--report", type=Path, default=None, help="report folder (default eval/reports/<timestamp>/)")
    parser.add_argument("--no-thresholds", action="store_true", help="report only; exit 0 whatever the figures")
    args = parser.parse_args(argv)
    if args.questions is not None:
        suites = [Suite(args.questions.stem, args.questions, args.corpus or default_corpus(), args.index or default_index(),
                        args.split or "", tuple(THRESHOLDS.items()))]
    else:
        suites = [suite for suite in SUITES if args.split in (None, suite.split)]
    report_root = args.report or HERE / "reports" / time.strftime("%Y%m%d-%H%M%S")
    status = 0
    for suite in suites:
        outcome = _run_suite(suite, args, report_root / suite.name if len(suites) > 1 else report_root)
        status = max(status, outcome)
    return status


def _run_suite(suite: Suite, args: argparse.Namespace, report_dir: Path) -> int:
    from index import open_index  # noqa: PLC0415

    try:
        items, problems = read_items(suite.questions)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    items = [item for item in items if not suite.split or item.split == suite.split]
    if not items:
        print(f"error: no valid questions in {suite.questions}", file=sys.stderr)
        return 2
    model = args.embed_model or default_embed_model()
    index = open_index(suite.corpus, suite.index, None if model == "off" else model, vector_store=chosen_vector_store(args),
                       milvus_uri=chosen_milvus_uri(args))  # fmt: skip
    run = score_both(items, index)
    report = write_report(run, suite.questions, report_dir, problems)
    figures = summarize(list(run.ours))
    print(f"\n== {suite.name}: {suite.questions.name}{' (' + suite.split + ')' if suite.split else ''} over {suite.corpus} ==")
    print(format_summary(figures, list(run.ours), list(run.baseline), show_failures=not suite.blind))
    if suite.blind:
        failed_count = sum(score.failed for score in run.ours)
        print(f"\n{failed_count} failed (blind set: the questions are not shown; do not read the report while tuning)")
    print(f"\nreport: {report_dir / 'report.md'} ({len(report.files)} files)")
    failed = [(name, minimum) for name, minimum in suite.thresholds if figures[name] < minimum]
    if failed and not args.no_thresholds:
        print(f"{suite.name} below threshold: {', '.join(f'{n} {figures[n]:.3f} < {m}' for n, m in failed)}", file=sys.stderr)
        return 1
    return 0


def format_summary(
    figures: dict[str, float], scores: list[Score], baseline: list[Score] | None = None, show_failures: bool = True
) -> str:
    """The per-category table (with the baseline's strict and lenient accuracy), the figures, the failures (unless blind)."""
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
    failures = [s for s in scores if s.failed] if show_failures else []
    if failures:
        lines.append(f"\n{len(failures)} failed:")
        for failed in failures:
            first = failed.answer.citations[0].clause if failed.answer.citations else "—"
            why = "; ".join(failed.reasons) or "wrong citation"
            lines.append(f"  {failed.item.id} [{failed.item.cat}] {failed.item.q}\n      {why} | cited: {first}\n      answer: {failed.answer.answer[:120]}")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return "     n/a" if isinstance(value, float) and math.isnan(value) else f"{value:8.3f}"

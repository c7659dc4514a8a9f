"""Latency benchmark: per-question p50/p95 of `answer()` with the index loaded, against a bare BM25 lookup.

    python -m eval.bench [--questions FILE] [--repeat N]
    python -m eval.bench --add-to 1000 [--keep DIR]     # time to add one document to a library of that size

Timings on shared machines are noisy, so the figure to compare across runs is the ratio to the
baseline measured in the same run (one lexical search per question, no understanding or facts).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assistant import answer
from assistant.cli import default_corpus, default_index
from eval.scoring import read_items

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the question set")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--add-to", type=int, default=0, metavar="N",
                        help="instead: time adding one document to a synthetic library of N documents")
    parser.add_argument("--keep", type=Path, default=None, help="with --add-to: build the library here and reuse it")
    args = parser.parse_args(argv)
    if args.add_to:
        from eval.library_bench import measure_add, report  # noqa: PLC0415

        print(report(measure_add(args.add_to, args.keep)))
        return 0

    from index import open_index  # noqa: PLC0415

    started = time.perf_counter()
    index = open_index(args.corpus or default_corpus(), args.index or default_index(), None)
    load_ms = (time.perf_counter() - started) * 1000
    items, _problems = read_items(args.questions)
    for item in items:  # warm-up: jieba's dictionary and the first-call costs are not per-question costs
        answer(item.q, index, history=item.history)

    ours, baseline = [], []
    for _ in range(args.repeat):
        for item in items:
            started = time.perf_counter()
            answer(item.q, index, history=item.history)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            index.search_lexical(item.q, 5, None)
            baseline.append((time.perf_counter() - started) * 1000)
    print(f"index open: {load_ms:.0f} ms; {len(items)} questions x {args.repeat}")
    print(f"answer()        p50 {_p(ours, 50):6.2f} ms   p95 {_p(ours, 95):6.2f} ms   mean {statistics.fmean(ours):6.2f} ms")
    print(f"bare BM25 top-5 p50 {_p(baseline, 50):6.2f} ms   p95 {_p(baseline, 95):6.2f} ms")
    print(f"ratio answer/BM25: p50 {_p(ours, 50) / _p(baseline, 50):.1f}x   p95 {_p(ours, 95) / _p(baseline, 95):.1f}x")
    return 0


def _p(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(percent / 100 * len(ordered)))]


if __name__ == "__main__":
    raise SystemExit(main())

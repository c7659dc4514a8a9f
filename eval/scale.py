"""`python -m eval bench`: the assistant at a province's scale, on synthetic libraries of the given sizes.

    python -m eval bench [--sizes 1,100,1000] [--json] [--keep DIR] [--repeat N] [--no-users]

Per size it prints the build (a child process: its time and peak RSS), the index's size on disk, a cold start to
the first answer (`assistant ask` as a new process), p50/p95/p99 per intent with the index loaded, the same for a
plain bm25s lookup over the same chunks (an index of its own, character bigrams: the ratio's baseline), 16 chat users
at once against the served app (eval/users.py) and adding one document from the command line. Figures, not verdicts:
shared machines are noisy, so compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eval.synthetic import INTENTS, questions, write_library

if TYPE_CHECKING:
    from eval.users import UsersComparison

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Latency:
    """Milliseconds per question of one kind."""

    n: int
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class SizeFigures:
    """The figures of one library size."""

    documents: int
    clauses: int
    chunks: int
    build_s: float | None  # None when a kept index was reused
    build_peak_rss_mb: float | None
    index_mb: float
    cold_start_s: float  # a new `assistant ask` process, index built: start, open, first answer (median of runs)
    cold_start_rss_mb: float
    latency_ms: dict[str, Latency]  # per intent, and "all"
    bm25s_ms: Latency
    users: UsersComparison | None  # USERS chat users against `app.py` on loopback, against one user at a time
    add_one_s: float  # `assistant docs add` of one new document, a new process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000", help="library sizes in documents, comma-separated")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--keep", type=Path, default=None, help="build the libraries here and reuse them")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts per size (the median is reported)")
    parser.add_argument("--no-users", action="store_true", help="leave out the chat users against the served app")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    root = args.keep or Path(tempfile.mkdtemp(prefix="pqa-scale-bench-"))
    results = {}
    for size in sizes:
        print(f"bench: {size} documents in {root / str(size)}", file=sys.stderr, flush=True)
        results[str(size)] = measure(size, root / str(size), args.repeat, args.cold_runs, not args.no_users)
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "sizes": {size: asdict(figures) for size, figures in results.items()}},
                         ensure_ascii=False))  # fmt: skip
    else:
        print(report(results))
    return 0


def measure(size: int, folder: Path, repeat: int = 3, cold_runs: int = 3, with_users: bool = True) -> SizeFigures:
    """Every figure of one size; the library (and its index) stay in `folder`."""
    from assistant import answer  # noqa: PLC0415
    from assistant.library import remove_documents  # noqa: PLC0415
    from eval.users import measure_users  # noqa: PLC0415  (it reads this module's Latency)
    from index import open_index  # noqa: PLC0415

    corpus, index_dir = folder / "library", folder / "index"
    write_library(corpus, size)
    build_s = build_rss = None
    if not (index_dir / "manifest.json").exists():
        build_s, build_rss = _child(["build", "--corpus", str(corpus), "--index", str(index_dir)])
    asked = questions(size)
    cold = [_child(["ask", "--json", asked[0].text, "--corpus", str(corpus), "--index", str(index_dir)]) for _ in range(cold_runs)]
    index = open_index(corpus, index_dir, None)
    for item in asked:  # warm-up: first-call costs are not per-question costs
        answer(item.text, index)
    times: dict[str, list[float]] = {intent: [] for intent in INTENTS}
    for _ in range(repeat):
        for item in asked:
            started = time.perf_counter()
            answer(item.text, index)
            times[item.intent].append((time.perf_counter() - started) * 1000)
    times["all"] = [value for values in times.values() for value in values]
    bm25s_times = _plain_bm25s([chunk.text for chunk in index.chunks], [item.text for item in asked], repeat)
    users = measure_users(index, [item.text for item in asked]) if with_users else None
    extra = write_library(folder / "incoming", 1, start=size)[0]
    add_s, _rss = _child(["docs", "add", str(extra), "--corpus", str(corpus), "--index", str(index_dir)])
    remove_documents([extra.stem], corpus, index_dir)  # the library as built, for the next run
    return SizeFigures(
        documents=len(index.documents),
        clauses=len(index.clauses_by_id),
        chunks=len(index.chunks),
        build_s=build_s,
        build_peak_rss_mb=build_rss,
        index_mb=sum(path.stat().st_size for path in index_dir.rglob("*") if path.is_file()) / 2**20,
        cold_start_s=sorted(seconds for seconds, _rss in cold)[len(cold) // 2],
        cold_start_rss_mb=max(rss for _seconds, rss in cold),
        latency_ms={intent: _latency(values) for intent, values in times.items() if values},
        bm25s_ms=_latency(bm25s_times),
        users=users,
        add_one_s=add_s,
    )


def report(results: dict[str, SizeFigures]) -> str:
    """The figures as a table per size."""
    from eval.users import report as users_report  # noqa: PLC0415

    lines = []
    for size, figures in results.items():
        built = f"{figures.build_s:.1f} s (peak {figures.build_peak_rss_mb:.0f} MB)" if figures.build_s is not None else "kept"
        lines += [
            f"== {size} documents: {figures.clauses} clauses, {figures.chunks} chunks ==",
            f"build {built}; index on disk {figures.index_mb:.1f} MB",
            f"cold start to the first answer {figures.cold_start_s:.2f} s (peak {figures.cold_start_rss_mb:.0f} MB); "
            f"add one document (CLI) {figures.add_one_s:.2f} s",
            f"{'':12}{'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   p95 / bm25s p95",
        ]
        for intent, latency in {**figures.latency_ms, "plain bm25s": figures.bm25s_ms}.items():
            ratio = latency.p95 / figures.bm25s_ms.p95 if figures.bm25s_ms.p95 else float("nan")
            lines.append(f"{intent:12}{latency.n:5d} {latency.p50:8.2f} {latency.p95:8.2f} {latency.p99:8.2f}   {ratio:6.1f}x")
        lines.append(users_report(figures.users) if figures.users is not None else "chat users: not measured")
    return "\n".join(lines)


def _child(arguments: list[str]) -> tuple[float, float]:
    """Run `python -m assistant …` as a new process: (seconds, its peak RSS in MB); a failure raises."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "assistant", *arguments, "--embed-model", "off"], cwd=PROJECT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"assistant {arguments[0]} failed ({process.returncode}): {errors[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def _plain_bm25s(texts: list[str], asked: list[str], repeat: int) -> list[float]:
    """Milliseconds per top-5 lookup (get_scores, then argpartition) in a bm25s index of the same chunks (character
    bigrams), the query's tokenizing included."""
    import bm25s  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from eval.baseline import bigram_tokens  # noqa: PLC0415

    k = min(5, len(texts))
    retriever = bm25s.BM25()
    retriever.index([bigram_tokens(text) or ["∅"] for text in texts], show_progress=False)
    vocabulary = retriever.vocab_dict
    found = []
    for _ in range(repeat + 1):
        for text in asked:
            started = time.perf_counter()
            scores = retriever.get_scores([token for token in bigram_tokens(text) if token in vocabulary])
            top = np.argpartition(-scores, k - 1)[:k]
            top[np.argsort(-scores[top])]
            found.append((time.perf_counter() - started) * 1000)
    return found[len(asked) :]  # the first pass warms up


def _latency(values: list[float]) -> Latency:
    ordered = sorted(values)

    def at(percent: int) -> float:
        return round(ordered[min(len(ordered) - 1, int(percent / 100 * len(ordered)))], 3)

    return Latency(len(ordered), at(50), at(95), at(99))

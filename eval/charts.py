"""PNG charts of an evaluation (matplotlib, Agg backend; ASCII labels, since the machine has no CJK font)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

OURS, BASELINE = "#1f6fb2", "#c8553d"
_COMPARED = (
    "accuracy", "lenient_accuracy", "citation", "citation_top3", "recall@1", "recall@3", "recall@5", "mrr",
    "abstain_precision", "abstain_recall", "dept_precision", "dept_recall", "dept_f1",
)  # fmt: skip


def write_charts(results: dict, folder: Path) -> tuple[Path, ...]:
    """accuracy by category and by document, all figures side by side, latency; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    ours, baseline = results["ours"], results["baseline"]
    paths = (
        _grouped(folder / "accuracy_by_category.png", "Answer accuracy by category", ours["per_category"], baseline["per_category"]),
        _grouped(folder / "accuracy_by_document.png", "Answer accuracy by document", ours["per_document"], baseline["per_document"]),
        _figures(folder / "metrics_ours_vs_baseline.png", ours["summary"], baseline["summary"]),
        _latency(folder / "latency.png", ours["latencies_ms"], baseline["latencies_ms"]),
    )
    return paths


def _grouped(path: Path, title: str, ours: dict, baseline: dict) -> Path:
    """Strict and lenient accuracy per group, ours beside the baseline."""
    names = list(ours)
    series = [
        ("ours (strict)", [ours[n]["accuracy"] for n in names], OURS, None),
        ("ours (lenient)", [ours[n]["lenient_accuracy"] for n in names], OURS, "//"),
        ("baseline (strict)", [baseline[n]["accuracy"] for n in names], BASELINE, None),
        ("baseline (lenient)", [baseline[n]["lenient_accuracy"] for n in names], BASELINE, "//"),
    ]
    width = 0.2
    figure, axes = plt.subplots(figsize=(max(8, 1.1 * len(names) + 3), 5))
    for number, (label, values, color, hatch) in enumerate(series):
        positions = [i + (number - 1.5) * width for i in range(len(names))]
        axes.bar(positions, [_zero(v) for v in values], width, label=label, color=color,
                 alpha=0.55 if hatch else 1.0, hatch=hatch, edgecolor="white")  # fmt: skip
    axes.set_xticks(range(len(names)), [f"{n}\n(n={ours[n]['n']})" for n in names], rotation=30, ha="right", fontsize=8)
    _finish(axes, title, "share of questions")
    return _save(figure, path)


def _figures(path: Path, ours: dict, baseline: dict) -> Path:
    """Every rate-type figure, horizontal bars, ours above the baseline, with values."""
    names = [name for name in _COMPARED if name in ours]
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    height = 0.38
    for offset, (label, values, color) in enumerate((("ours", ours, OURS), ("baseline", baseline, BASELINE))):
        positions = [i - height / 2 + offset * height for i in range(len(names))]
        bars = axes.barh(positions, [_zero(values[n]) for n in names], height, label=label, color=color)
        for bar, name in zip(bars, names):
            text = "n/a" if math.isnan(values[name]) else f"{values[name]:.2f}"
            axes.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=7)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1.12)
    axes.set_title("All figures: ours vs naive RAG baseline (same questions, same run)")
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def _latency(path: Path, ours: list[float], baseline: list[float]) -> Path:
    """Latency per question, both systems, log scale, with p50 / p95 marked."""
    figure, axes = plt.subplots(figsize=(8, 4))
    data = [[max(value, 1e-3) for value in values] or [1e-3] for values in (ours, baseline)]
    parts = axes.boxplot(data, orientation="horizontal", whis=(5, 95), patch_artist=True, showfliers=True)
    axes.set_yticks([1, 2], ["ours", "baseline"])
    for patch, color in zip(parts["boxes"], (OURS, BASELINE)):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    axes.set_xscale("log")
    axes.set_xlabel("milliseconds per question (log scale; whiskers p5-p95)")
    axes.set_title("Latency per question")
    axes.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def _finish(axes, title: str, ylabel: str) -> None:
    axes.set_ylim(0, 1.22)
    axes.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8, ncol=4, loc="upper center")
    axes.grid(axis="y", alpha=0.3)


def _save(figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _zero(value: float) -> float:
    return 0.0 if value is None or math.isnan(value) else value

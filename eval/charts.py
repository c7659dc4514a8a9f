"""PNG charts of an evaluation (matplotlib, Agg backend), labelled in Chinese with a CJK font when one is installed."""

from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

from eval.columns import CATEGORY_NAMES  # noqa: E402
from eval.metrics import METRICS  # noqa: E402

OURS, BASELINE = "#1f6fb2", "#c8553d"
_COMPARED = (
    "accuracy", "lenient_accuracy", "citation", "citation_top3", "recall@1", "recall@3", "recall@5", "mrr",
    "abstain_precision", "abstain_recall", "dept_precision", "dept_recall", "dept_f1",
)  # fmt: skip
_CJK_FONTS = (
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC",
)  # fmt: skip
_CJK_FILES = ("CJK", "wqy", "SourceHan", "simhei", "msyh", "PingFang")


def write_charts(results: dict, folder: Path) -> tuple[Path, ...]:
    """accuracy by category and by document, all figures side by side, latency; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    font = chinese_font()
    ours, baseline = results["ours"], results["baseline"]
    documents = results.get("documents", {})
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}):
        return (
            _grouped(folder / "accuracy_by_category.png", "各类别回答准确率", ours["per_category"], baseline["per_category"], CATEGORY_NAMES),
            _grouped(folder / "accuracy_by_document.png", "各文件回答准确率", ours["per_document"], baseline["per_document"], documents),
            _figures(folder / "metrics_ours_vs_baseline.png", ours["summary"], baseline["summary"]),
            _latency(folder / "latency.png", ours["latencies_ms"], baseline["latencies_ms"]),
        )


@functools.cache
def chinese_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use; None (said once on stderr) when there is none."""
    from matplotlib import font_manager  # noqa: PLC0415

    def installed() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((name for name in _CJK_FONTS if name in names), None)

    found = installed()
    if found is None:  # matplotlib's font cache can predate the fonts: add the system's CJK files and look again
        for path in font_manager.findSystemFonts():
            if any(mark in Path(path).name for mark in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError) as error:
                    print(f"charts: cannot read font {path}: {error}", file=sys.stderr)
        found = installed()
    if found is None:
        print("charts: no CJK font installed, Chinese labels will show as boxes (apt-get install fonts-noto-cjk)", file=sys.stderr)
    return found


def _grouped(path: Path, title: str, ours: dict, baseline: dict, labels: dict[str, str]) -> Path:
    """Strict and lenient accuracy per group, ours beside the baseline."""
    names = list(ours)
    series = [
        ("本系统(严格)", [ours[n]["accuracy"] for n in names], OURS, None),
        ("本系统(宽松)", [ours[n]["lenient_accuracy"] for n in names], OURS, "//"),
        ("基线(严格)", [baseline[n]["accuracy"] for n in names], BASELINE, None),
        ("基线(宽松)", [baseline[n]["lenient_accuracy"] for n in names], BASELINE, "//"),
    ]
    width = 0.2
    figure, axes = plt.subplots(figsize=(max(8, 1.1 * len(names) + 3), 5))
    for number, (label, values, color, hatch) in enumerate(series):
        positions = [i + (number - 1.5) * width for i in range(len(names))]
        axes.bar(positions, [_zero(v) for v in values], width, label=label, color=color,
                 alpha=0.55 if hatch else 1.0, hatch=hatch, edgecolor="white")  # fmt: skip
    ticks = [f"{_short(labels.get(n, n))}\n({ours[n]['n']} 题)" for n in names]
    axes.set_xticks(range(len(names)), ticks, rotation=30, ha="right", fontsize=8)
    _finish(axes, title, "答对的比例")
    return _save(figure, path)


def _figures(path: Path, ours: dict, baseline: dict) -> Path:
    """Every rate-type figure, horizontal bars, ours above the baseline, with values."""
    names = [name for name in _COMPARED if name in ours]
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    height = 0.38
    for offset, (label, values, color) in enumerate((("本系统", ours, OURS), ("基线", baseline, BASELINE))):
        positions = [i - height / 2 + offset * height for i in range(len(names))]
        bars = axes.barh(positions, [_zero(values[n]) for n in names], height, label=label, color=color)
        for bar, name in zip(bars, names):
            text = "—" if math.isnan(values[name]) else f"{values[name]:.2f}"
            axes.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=7)
    axes.set_yticks(range(len(names)), [_short(METRICS[name].split("(")[0], 18) for name in names], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1.12)
    axes.set_title("全部指标:本系统与朴素检索基线(同一批题,同一次评测)")
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def _latency(path: Path, ours: list[float], baseline: list[float]) -> Path:
    """Latency per question, both systems, log scale, with p50 / p95 marked."""
    figure, axes = plt.subplots(figsize=(8, 4))
    data = [[max(value, 1e-3) for value in values] or [1e-3] for values in (ours, baseline)]
    parts = axes.boxplot(data, orientation="horizontal", whis=(5, 95), patch_artist=True, showfliers=True)
    axes.set_yticks([1, 2], ["本系统", "基线"])
    for patch, color in zip(parts["boxes"], (OURS, BASELINE)):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    axes.set_xscale("log")
    axes.set_xlabel("每题耗时(毫秒,对数刻度;须线为 5%–95% 分位)")
    axes.set_title("每题响应时间")
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


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _zero(value: float) -> float:
    return 0.0 if value is None or math.isnan(value) else value

"""report.md: the figures of both systems side by side with gains, per category and document, and every failure."""

from __future__ import annotations

import math

from eval.metrics import LOWER_IS_BETTER, METRICS

_ANSWER_CHARS = 240


def render_markdown(results: dict, chart_names: list[str]) -> str:
    """The whole report as Markdown (tables render in GitHub and in the web app)."""
    ours, baseline = results["ours"], results["baseline"]
    lines = [
        "# Evaluation report",
        "",
        f"- questions: `{results['questions_file']}` — {ours['summary']['questions']} scored, "
        f"{len(results['problems'])} problem(s) in the file",
        f"- run: {results['created']}",
        f"- baseline: {results['baseline_system']}; it gives no departments and never abstains, so compare "
        "it on the *lenient* accuracy (gold units and `must` strings appear in the answer text).",
        f"- failed questions (ours): {len(results['failures'])}; baseline: {results['baseline_failures']}",
        "",
        "## All figures, ours vs baseline",
        "",
        "| metric | ours | baseline | gain (ours / baseline) |",
        "|---|---:|---:|---:|",
    ]
    for name, label in METRICS.items():
        mine, theirs = ours["summary"][name], baseline["summary"][name]
        lines.append(f"| {label} | {_number(mine, name)} | {_number(theirs, name)} | {_gain(results['gain'][name], name)} |")
    lines += ["", "Rates are shares of the questions they apply to; n/a = nothing to measure (e.g. no abstention given).", ""]
    lines += _group_table("Accuracy per category", ours["per_category"], baseline["per_category"])
    lines += _group_table("Accuracy per document", ours["per_document"], baseline["per_document"])
    lines += ["## Charts", ""] + [f"![{name}]({name})" for name in chart_names] + [""]
    lines += _failure_table(results["failures"])
    if results["problems"]:
        lines += ["## Problems in the question file (rows not scored, or fields ignored)", ""]
        lines += [f"- {_cell(problem)}" for problem in results["problems"]] + [""]
    return "\n".join(lines)


def _group_table(title: str, ours: dict, baseline: dict) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| group | n | ours strict | ours lenient | ours citation | baseline strict | baseline lenient | baseline citation |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, group in ours.items():
        other = baseline[name]
        figures = [group["accuracy"], group["lenient_accuracy"], group["citation"], other["accuracy"], other["lenient_accuracy"], other["citation"]]
        lines.append(f"| {name} | {group['n']} | " + " | ".join(_number(value, "") for value in figures) + " |")
    return lines + [""]


def _failure_table(failures: list[dict]) -> list[str]:
    if not failures:
        return ["## Failed questions", "", "None: every answer is right and cites the gold clause.", ""]
    lines = [
        f"## Failed questions ({len(failures)})",
        "",
        "| id | cat | question | expected | given | cited clause | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for failure in failures:
        cells = [failure["id"], failure["cat"], failure["question"], failure["expected"], _clip(failure["given"]), failure["cited"], failure["why"]]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines + [""]


def _number(value, name: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if name == "questions" or isinstance(value, int):
        return str(value)
    return f"{value:.2f} ms" if name in LOWER_IS_BETTER else f"{value:.3f}"


def _gain(value, name: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "∞ (baseline 0)"
    return f"{value:.2f}× {'(time)' if name in LOWER_IS_BETTER else ''}".strip()


def _clip(text: str) -> str:
    return text if len(text) <= _ANSWER_CHARS else text[:_ANSWER_CHARS] + "…"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")

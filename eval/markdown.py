"""report.md: the figures of both systems side by side with gains, per category and document, and every failure."""

from __future__ import annotations

import math

from eval.columns import CATEGORY_NAMES
from eval.metrics import LOWER_IS_BETTER, METRICS

_ANSWER_CHARS = 240


def render_markdown(results: dict, chart_names: list[str]) -> str:
    """The whole report as Markdown (tables render in GitHub and in the web app)."""
    ours, baseline = results["ours"], results["baseline"]
    lines = [
        "# 评测报告",
        "",
        f"- 问题集:`{results['questions_file']}`,评测 {ours['summary']['questions']} 题,"
        f"文件中有 {len(results['problems'])} 处格式问题",
        f"- 评测时间:{results['created']}",
        f"- 基线:{results['baseline_system']}。基线不给出单位、也从不拒答,宜比较*宽松*准确率(标准单位和必含内容出现在回答中)。",
        f"- 未通过的题:本系统 {len(results['failures'])} 题,基线 {results['baseline_failures']} 题",
        "",
        "## 全部指标:本系统与基线",
        "",
        "| 指标 | 本系统 | 基线 | 倍数(本系统 / 基线) |",
        "|---|---:|---:|---:|",
    ]
    for name, label in METRICS.items():
        mine, theirs = ours["summary"][name], baseline["summary"][name]
        lines.append(f"| {label} | {_number(mine, name)} | {_number(theirs, name)} | {_gain(results['gain'][name], name)} |")
    lines += ["", "比率均按适用的题计算;“—”表示无可计算(例如没有拒答)。", ""]
    lines += _group_table("各类别准确率", ours["per_category"], baseline["per_category"], CATEGORY_NAMES)
    lines += _group_table("各文件准确率", ours["per_document"], baseline["per_document"], results.get("documents", {}))
    lines += ["## 图表", ""] + [f"![{name}]({name})" for name in chart_names] + [""]
    lines += _failure_table(results["failures"])
    if results["problems"]:
        lines += ["## 问题集中的格式问题(未评测的行或被忽略的字段)", ""]
        lines += [f"- {_cell(problem)}" for problem in results["problems"]] + [""]
    return "\n".join(lines)


def _group_table(title: str, ours: dict, baseline: dict, names: dict[str, str]) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| 分组 | 题数 | 本系统严格 | 本系统宽松 | 本系统引用 | 基线严格 | 基线宽松 | 基线引用 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, group in ours.items():
        other = baseline[name]
        figures = [group["accuracy"], group["lenient_accuracy"], group["citation"], other["accuracy"], other["lenient_accuracy"], other["citation"]]
        lines.append(f"| {_cell(names.get(name, name))} | {group['n']} | " + " | ".join(_number(value, "") for value in figures) + " |")
    return lines + [""]


def _failure_table(failures: list[dict]) -> list[str]:
    if not failures:
        return ["## 未通过的题", "", "没有:每题都答对并引用了标准条款。", ""]
    lines = [
        f"## 未通过的题({len(failures)})",
        "",
        "| 编号 | 类别 | 问题 | 标准答案 | 系统回答 | 引用条款 | 原因 |",
        "|---|---|---|---|---|---|---|",
    ]
    for failure in failures:
        cells = [failure["id"], CATEGORY_NAMES.get(failure["cat"], failure["cat"]), failure["question"], failure["expected"], _clip(failure["given"]), failure["cited"], failure["why"]]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines + [""]


def _number(value, name: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if name == "questions" or isinstance(value, int):
        return str(value)
    return f"{value:.2f} 毫秒" if name in LOWER_IS_BETTER else f"{value:.3f}"


def _gain(value, name: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞(基线为 0)"
    return f"{value:.2f}×{'(耗时)' if name in LOWER_IS_BETTER else ''}"


def _clip(text: str) -> str:
    return text if len(text) <= _ANSWER_CHARS else text[:_ANSWER_CHARS] + "…"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")

"""The 评测 tab: score a question file (JSONL, CSV, Excel) against the assistant and a baseline, with a progress bar."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eval.columns import CATEGORY_NAMES

from ui.scratch import new_folder

if TYPE_CHECKING:
    from assistant.records import Answer

BUILT_IN = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"
TABLE_HEADERS = ["类别", "题数", "准确率", "引用准确率", "基线准确率"]
FAILURE_HEADERS = ["编号", "问题", "标准答案", "系统回答", "引用条款", "原因"]
ONE_RUN = {"concurrency_limit": 1, "concurrency_id": "evaluation"}  # a run answers a whole question set: one at a time
_HEADLINE = (
    ("accuracy", "回答准确率"),
    ("citation", "引用准确率"),
    ("abstain_recall", "拒答召回率"),
    ("recall@5", "检索召回@5"),
)


def available() -> bool:
    """Whether the evaluation module (eval/report.py) is installed in this checkout."""
    return importlib.util.find_spec("eval.report") is not None


def build_tab(index, examples: Sequence[tuple[str, "Answer"]] = ()) -> None:
    """The tab's components and events, inside an open gr.Blocks / gr.Tab; `examples` fill the template."""
    import gradio as gr  # noqa: PLC0415

    from eval.inputs import MAX_QUESTION_FILE_BYTES  # noqa: PLC0415  (eval/ is optional: see available())
    from ui.questionsets import template_rows, write_question_set  # noqa: PLC0415

    def run(path: str | None, progress=gr.Progress()):
        from eval.report import run_evaluation  # noqa: PLC0415

        if not path:
            raise gr.Error("请先上传问题集文件(.jsonl / .csv / .xlsx)。")
        report_dir = new_folder("eval")
        try:
            report = run_evaluation(Path(path), index, report_dir, lambda share, message: progress(share, desc=message))
        except ValueError as error:
            raise gr.Error(f"无法评测:{error}") from None
        except OSError as error:
            print(f"evaluation: cannot read {path}: {error}", file=sys.stderr)
            raise gr.Error("无法评测:读取问题集文件失败,请重新上传。") from None
        return (
            headline(report.summary, len(report.problems)),
            {"headers": TABLE_HEADERS, "data": table_rows(report.table_rows)},
            [str(chart) for chart in report.charts],
            {"headers": FAILURE_HEADERS, "data": report.failures},
            [str(file) for file in report.files],
            report.markdown,
        )

    template_csv, template_xlsx = write_question_set(template_rows(examples), "问题集模板")
    with gr.Row(equal_height=True, elem_classes="pqa-eval-intro"):
        gr.Markdown(
            "上传问题集(CSV、Excel 或 JSONL),逐题回答并评分,同时与朴素检索基线对比。表格的第一行为列名:"
            "**问题**(必填)、编号、类别、牵头单位、配合单位、责任单位、必含、引用片段、应拒答、上文;"
            "多个单位用“、”分隔或每行一个。可先下载模板照着填写。"
        )
        gr.DownloadButton("下载模板(CSV)", value=str(template_csv), size="sm", scale=0, min_width=150, elem_id="pqa-template-csv")
        gr.DownloadButton("下载模板(Excel)", value=str(template_xlsx), size="sm", scale=0, min_width=150, elem_id="pqa-template-xlsx")
    with gr.Row(equal_height=False):
        upload = gr.File(
            label=f"问题集文件(不超过{MAX_QUESTION_FILE_BYTES // 1_000_000}兆字节)", file_types=[".jsonl", ".csv", ".xlsx"], type="filepath", height=130, scale=3, elem_id="pqa-eval-file"
        )
        with gr.Column(scale=1, min_width=200):
            start = gr.Button("评测上传的问题集", variant="primary", elem_id="pqa-eval-run")
            built_in = gr.Button(f"评测内置问题集({_count_lines(BUILT_IN)} 题)", variant="secondary",
                                 visible=BUILT_IN.exists(), elem_id="pqa-eval-builtin")
    summary = gr.HTML('<div class="pqa-eval-empty">尚未评测。</div>', js_on_load=None, elem_id="pqa-eval-summary")
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, label="各类别准确率", elem_id="pqa-eval-table")
    charts = gr.Gallery(label="图表", columns=2, object_fit="contain", elem_id="pqa-eval-charts")
    failures = gr.Dataframe(
        headers=FAILURE_HEADERS, interactive=False, wrap=True, label="答错的题", max_height=480,
        column_widths=["7%", "21%", "20%", "24%", "16%", "12%"], elem_id="pqa-eval-failures",
    )
    files = gr.File(label="下载报告(报告、数据与图表)", file_count="multiple", interactive=False, elem_id="pqa-eval-files")
    with gr.Accordion("完整报告", open=False):
        markdown = gr.Markdown()

    outputs = [summary, table, charts, failures, files, markdown]
    def run_built_in(progress=gr.Progress()):
        return run(str(BUILT_IN), progress)

    start.click(run, [upload], outputs, **ONE_RUN)
    built_in.click(run_built_in, None, outputs, **ONE_RUN)


def headline(summary: dict[str, float], problems: int) -> str:
    """The main figures as tiles, ours against the baseline."""
    tiles = []
    for name, label in _HEADLINE:
        ours, baseline = summary.get(name, math.nan), summary.get(f"baseline_{name}", math.nan)
        tiles.append(
            f'<div class="pqa-tile"><div class="pqa-tile-label">{label}</div><div class="pqa-tile-value">{percent(ours)}</div>'
            f'<div class="pqa-tile-base">基线 {percent(baseline)}</div></div>'
        )
    latency = summary.get("p50_ms", math.nan)
    tiles.append(
        f'<div class="pqa-tile"><div class="pqa-tile-label">响应时间中位数</div>'
        f'<div class="pqa-tile-value">{"—" if math.isnan(latency) else f"{latency:.0f} 毫秒"}</div>'
        f'<div class="pqa-tile-base">共 {int(summary.get("questions", 0))} 题</div></div>'
    )
    note = f'<div class="pqa-eval-note">问题集中有 {problems} 处格式问题,详见完整报告。</div>' if problems else ""
    return f'<div class="pqa-tiles">{"".join(tiles)}</div>{note}'


def table_rows(rows: list[list]) -> list[list]:
    """The report's per-category rows with Chinese category names and percentages."""
    return [
        [CATEGORY_NAMES.get(name, name), n, percent(accuracy), percent(citation), percent(baseline)]
        for name, n, accuracy, citation, baseline in rows
    ]


def percent(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}%"


def _count_lines(path: Path) -> int:
    try:
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    except OSError:
        return 0

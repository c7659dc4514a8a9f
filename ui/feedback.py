"""👍 / 👎 on answers: one JSON line per verdict or comment, and the file as a question set for the 评测 tab.

Set PQA_FEEDBACK to the file (default feedback/feedback.jsonl in the project). Each line holds the answer as the
CLI's JSON object plus `id` (conversation and turn), `time`, `history`, `verdict` ("up" / "down") and `comment`;
a comment added later is a new line with the same `id`, and the last line of an id is the one that counts.
"""

import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.cli import answer_json
from assistant.records import Answer
from ui.conversations import answer_from_json
from ui.questionsets import GoldRow

PROJECT = Path(__file__).resolve().parent.parent
VERDICTS = {"up": "👍 有用", "down": "👎 有误"}
EXTRA_HEADERS = ["评价", "意见", "系统回答", "时间"]
MAX_COMMENT = 500
_LOCK = threading.Lock()  # one server process appends; lines from two clicks must not interleave


def default_feedback_path() -> Path:
    return Path(os.environ.get("PQA_FEEDBACK") or PROJECT / "feedback" / "feedback.jsonl")


@dataclass(frozen=True)
class Feedback:
    """One reader's verdict on one answer."""

    id: str  # "<conversation id>-<turn number>"
    answer: Answer
    verdict: str  # "up" or "down"
    comment: str = ""
    history: tuple[str, ...] = ()
    time: str = ""


def record_feedback(path: Path, feedback: "Feedback") -> dict:
    """Append one line to the feedback file (made when missing); returns what was written."""
    if feedback.verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {feedback.verdict!r}")
    line = {
        "id": feedback.id, "time": feedback.time or time.strftime("%Y-%m-%dT%H:%M:%S%z"), "verdict": feedback.verdict,
        "comment": feedback.comment.strip()[:MAX_COMMENT], "history": list(feedback.history), **answer_json(feedback.answer),
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line


def read_feedback(path: Path) -> list[dict]:
    """The feedback lines, the last of each id, in the order the ids were first given; unreadable lines skipped."""
    latest: dict[str, dict] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    for number, raw in enumerate(lines, 1):
        try:
            record = json.loads(raw)
            latest[str(record["id"])] = {**latest.get(str(record["id"]), {}), **record}
        except (ValueError, KeyError, TypeError):
            if raw.strip():
                print(f"feedback: {path}:{number}: not a feedback line, skipped", file=sys.stderr)
    return list(latest.values())


def feedback_rows(records: Sequence[dict]) -> list[list[str]]:
    """The feedback as question-set rows (ui/questionsets.HEADERS + EXTRA_HEADERS).

    👍: the confirmed answer is the gold answer. 👎: the gold columns are left blank for an administrator to
    fill in (the 评测 tab reports such a row as having no gold answer until then).
    """
    rows = []
    for number, record in enumerate(records, 1):
        try:
            result = answer_from_json(record)
        except (KeyError, TypeError, ValueError):
            continue
        confirmed = record.get("verdict") == "up"
        note = "" if confirmed else "请填写正确答案后再评测"
        gold = GoldRow(f"反馈{number}", result.question, result if confirmed else None, tuple(record.get("history") or ()), note)
        rows.append(gold.cells() + [VERDICTS.get(record.get("verdict"), ""), record.get("comment", ""), result.answer, record.get("time", "")])
    return rows


def admins_from_environment() -> tuple[str, ...]:
    """PQA_ADMINS="user1,user2": who may download the feedback; empty means whoever can open the app."""
    return tuple(name.strip() for name in os.environ.get("PQA_ADMINS", "").split(",") if name.strip())


def is_admin(username: str | None, admins: Sequence[str]) -> bool:
    return not admins or (username is not None and username in admins)


def build_feedback_section(demo, path: Path, admins: Sequence[str]) -> None:
    """The administrator's download of the feedback, as a question set (CSV, Excel) and as the raw JSONL file."""
    import gradio as gr  # noqa: PLC0415

    from ui.questionsets import write_question_set  # noqa: PLC0415

    def export(request: gr.Request):
        if not is_admin(getattr(request, "username", None), admins):
            raise gr.Error("只有管理员可以下载用户反馈。")
        records = read_feedback(path)
        if not records:
            raise gr.Error("还没有用户反馈。")
        csv_path, xlsx_path = write_question_set(feedback_rows(records), "用户反馈问题集", extra_headers=EXTRA_HEADERS)
        ups = sum(1 for record in records if record.get("verdict") == "up")
        summary = f"共 {len(records)} 条反馈:{ups} 条有用,{len(records) - ups} 条有误(有误的题请先填写正确答案再评测)。"
        return summary, [str(csv_path), str(xlsx_path), str(path)]

    def visible(request: gr.Request):
        return gr.Accordion(visible=is_admin(getattr(request, "username", None), admins))

    with gr.Accordion("用户反馈(管理员)", open=False, elem_id="pqa-feedback-admin") as section:
        gr.Markdown(
            "问答页中每个回答下的“有用 / 有误”及说明都记录在反馈文件中。下载为问题集后可直接在上方评测:"
            "标为有用的回答作为标准答案;标为有误的题留空待填写正确答案。"
        )
        button = gr.Button("生成反馈问题集", variant="secondary", elem_id="pqa-feedback-export")
        summary = gr.Markdown(elem_id="pqa-feedback-summary")
        files = gr.File(label="反馈下载(问题集表格与原始记录)", file_count="multiple", interactive=False, elem_id="pqa-feedback-files")
    button.click(export, None, [summary, files])
    demo.load(visible, None, [section], show_progress="hidden")

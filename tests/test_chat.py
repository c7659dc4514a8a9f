"""Conversations kept in the browser, copy / export, and 👍 / 👎 feedback, without a browser."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from assistant.answering import answer
from ui import conversations as kept
from ui.conversations import Conversation, Turn
from ui.feedback import Feedback, feedback_rows, read_feedback, record_feedback
from ui.render import render_chat

QUESTION = "许昌市开展计量惠民专项行动由哪个部门牵头?"


@pytest.fixture(scope="module")
def turns(index):
    first = Turn(QUESTION, answer(QUESTION, index))
    second = Turn("配合单位呢?", answer("配合单位呢?", index, history=[QUESTION]), "up", "对")
    return (first, second)


def test_a_conversation_survives_the_round_trip_through_the_browser(turns):
    records = kept.saved([], Conversation("c1", turns, ""))
    back = kept.conversations(json.loads(json.dumps(records)))  # what localStorage gives back
    assert len(back) == 1 and back[0].id == "c1" and back[0].updated
    unresolved = tuple(replace(turn, answer=replace(turn.answer, query=None)) for turn in turns)
    assert back[0].turns == unresolved  # answers, citations with highlights, feedback and comment all kept
    assert back[0].title == QUESTION


def test_saving_puts_the_conversation_first_once_and_keeps_at_most_fifty(turns):
    records = []
    for number in range(kept.MAX_CONVERSATIONS + 5):
        records = kept.saved(records, Conversation(f"c{number}", turns[:1], ""))
    assert len(records) == kept.MAX_CONVERSATIONS and records[0]["id"] == f"c{kept.MAX_CONVERSATIONS + 4}"
    records = kept.saved(records, Conversation("c10", turns, ""))
    assert [r["id"] for r in records].count("c10") == 1 and records[0]["id"] == "c10" and len(records[0]["turns"]) == 2
    assert "c10" not in [r["id"] for r in kept.deleted(records, "c10")]


def test_what_the_browser_kept_is_read_carefully(turns):
    good = kept.saved([], Conversation("ok", turns, ""))[0]
    assert [c.id for c in kept.conversations([{"id": "x"}, "junk", {"id": "y", "turns": [{"q": 1}]}, good])] == ["ok"]
    assert kept.conversations(None) == [] and kept.conversations({"not": "a list"}) == []


def test_history_list_names_each_conversation_and_escapes_it(turns):
    records = kept.saved([], Conversation("c<1>", (Turn("<b>问题</b>", turns[0].answer),), ""))
    html = kept.render_history(records, "c<1>")
    assert "&lt;b&gt;问题&lt;/b&gt;" in html and "<b>" not in html
    assert 'data-id="c&lt;1&gt;"' in html and "pqa-current" in html and "删除" in html
    assert "还没有保存的对话" in kept.render_history([])


def test_markdown_of_an_answer_carries_its_citations(turns):
    text = kept.answer_markdown(turns[0])
    assert text.startswith(f"**问:**{QUESTION}") and "市质监局" in text
    assert "1. 《许昌市贯彻落实质量发展纲要" in text and "19.开展计量惠民专项行动" in text
    assert "   > 19.开展计量惠民专项行动" in text  # the clause's own text, quoted


def test_every_answer_has_copy_export_and_votes(turns):
    html = render_chat(list(turns))
    assert html.count('class="pqa-actions"') == 2 and html.count("pqa-copy") == 2 and html.count("pqa-export") == 2
    assert 'data-verdict="up" aria-pressed="true"' in html  # the second turn's 👍 is shown as given
    assert "已记录您的反馈与说明,谢谢:对" in html
    voted = render_chat([Turn(QUESTION, turns[0].answer, "down")])
    assert 'class="pqa-comment"' in voted and "补充说明(可选)" in voted
    assert "pqa-actions" not in render_chat([Turn(QUESTION)])  # nothing to copy while it is being answered


def test_feedback_lines_and_their_question_set(turns, index, tmp_path):
    from eval.report import run_evaluation
    from ui.questionsets import write_question_set

    path = tmp_path / "fb" / "feedback.jsonl"
    record_feedback(path, Feedback("c1-0", turns[0].answer, "up"))
    record_feedback(path, Feedback("c1-1", turns[1].answer, "down", history=(QUESTION,)))
    record_feedback(path, Feedback("c1-1", turns[1].answer, "down", "应为市发展改革委等", (QUESTION,)))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    assert {"question", "answer", "citations", "verdict", "comment", "time"} <= set(lines[0])
    assert lines[0]["citations"][0]["clause"].endswith("19.开展计量惠民专项行动")
    records = read_feedback(path)
    assert [r["id"] for r in records] == ["c1-0", "c1-1"] and records[1]["comment"] == "应为市发展改革委等"
    with pytest.raises(ValueError):
        record_feedback(path, Feedback("c1-2", turns[0].answer, "maybe"))

    rows = feedback_rows(records)
    assert rows[0][1] == QUESTION and rows[0][3] == "市质监局" and rows[1][3] == ""  # 👎: gold left to fill in
    csv_path, _xlsx = write_question_set(rows, "反馈", tmp_path, ["评价", "意见", "系统回答", "时间"])
    report = run_evaluation(csv_path, index, tmp_path / "report")
    assert report.summary["questions"] == 1 and report.summary["accuracy"] == 1.0  # the confirmed answer
    assert len(report.problems) == 1 and "没有标准答案" in report.problems[0]  # the 👎 row, until it is filled in


def test_the_history_list_the_server_keeps_follows_the_records_the_page_keeps(turns):
    """The page puts `saved_one`'s record first in its records (ui/chat.py SAVE_JS): the same records as `saved`,
    and the server's list is the list of those records."""
    records = []
    for number in range(3):
        records = kept.saved(records, Conversation(f"c{number}", turns[: number % 2 + 1], ""))
    record, listed = kept.saved_one(kept.listing(records), Conversation("c1", turns, ""))
    in_page = [record] + [other for other in records if other["id"] != "c1"]
    assert in_page == kept.saved(records, Conversation("c1", turns, "")) or record["updated"] != in_page[0]["updated"]
    assert listed == kept.listing(in_page) and [line.id for line in listed] == ["c1", "c2", "c0"]
    assert kept.render_listing(listed, "c1") == kept.render_history(in_page, "c1")


def test_a_turn_rendered_before_is_shown_as_it_was_and_a_changed_one_again(turns):
    known = {}
    assert render_chat(list(turns), ["例"], known) == render_chat(list(turns), ["例"]) and len(known) == 2
    voted = [turns[0], replace(turns[1], feedback="down")]  # a vote makes a new Turn: rendered again
    assert render_chat(voted, [], known) == render_chat(voted) and 'data-verdict="down" aria-pressed="true"' in render_chat(voted, [], known)
    assert render_chat([], ["例"], known) == render_chat([], ["例"])

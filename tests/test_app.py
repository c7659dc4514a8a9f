"""The web UI without a browser: the app builds, cards escape and mark, the matrix and its exports are right."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering import answer
from assistant.records import Citation
from ui import matrix
from ui.render import Turn, locate, mark, render_card, render_chat, render_document
from ui.status import status_line

PROJECT = Path(__file__).resolve().parent.parent
XUCHANG = "xuchang-2013-action-plan"
QUESTION = "许昌市开展计量惠民专项行动由哪个部门牵头?"


@pytest.fixture(scope="session")
def index(corpus_dir, tmp_path_factory):
    from index import open_index

    return open_index(corpus_dir, tmp_path_factory.mktemp("index"), None)


@pytest.fixture(scope="session")
def documents(index):
    return index.documents


def test_build_app_returns_blocks(index):
    import gradio as gr

    from app import build_app

    demo = build_app(index)
    assert isinstance(demo, gr.Blocks)
    assert demo.title == "政策文件问答助手"


def test_card_escapes_markup_and_marks_every_highlight():
    text = "1.测试任务。<script>alert(1)</script><img src=x onerror=alert(2)>由市测试局牵头,市测试局年底前完成。"
    citation = Citation("doc", "《标题》<b>", "一、重点任务 > 1.测试任务", text, 1.0, ("市测试局", "<script>"))
    html = render_card(citation, turn=0, position=0)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert html.count('<mark class="hl-key">市测试局</mark>') == 2
    assert '<mark class="hl-key">&lt;script&gt;</mark>' in html
    assert 'data-turn="0" data-cite="0"' in html


def test_units_inside_the_marked_sentence_stand_out():
    sentence = "由市质监局牵头,市发展改革委配合。"
    html = mark("19.开展计量惠民专项行动。" + sentence, ("市质监局", "市发展改革委", sentence))
    assert '<mark class="hl-ctx">由</mark><mark class="hl-key">市质监局</mark><mark class="hl-ctx">牵头,</mark>' in html
    assert '<mark class="hl-key">市发展改革委</mark>' in html
    assert mark("a<b", ()) == "a&lt;b"


def test_cited_answer_renders_answer_first_then_marked_cards(index):
    result = answer(QUESTION, index)
    html = render_chat([Turn(QUESTION, result)])
    assert html.index("市质监局") < html.index('class="pqa-card')
    assert '<mark class="hl-key">市质监局</mark>' in html
    assert "五、开展重点领域质量安全监管专项行动 › 19.开展计量惠民专项行动" in html


def test_abstention_is_shown_plainly_without_cards(index):
    result = answer("北京市开展计量惠民专项行动由哪个部门牵头?", index)
    assert result.abstained
    html = render_chat([Turn(result.question, result)])
    assert "文件中未找到" in html and "pqa-abstained" in html
    assert "pqa-card" not in html and "<mark" not in html


def test_pending_turn_and_empty_chat():
    assert "正在检索" in render_chat([Turn("问题<i>")])
    assert "&lt;i&gt;" in render_chat([Turn("问题<i>")])
    assert "请输入问题" in render_chat([])


def test_viewer_frames_the_cited_clause_in_the_whole_document(index, documents):
    result = answer(QUESTION, index)
    citation = result.citations[0]
    document = next(d for d in documents if d.doc_id == citation.doc_id)
    start, end = locate(document, citation)
    assert (start, end) == next((c.start, c.end) for c in document.clauses if c.label == citation.clause)
    assert document.text[start:end].startswith("19.开展计量惠民专项行动")
    html = render_document(document, (start, end), citation.highlights)
    assert html.count('class="pqa-focus"') == 1
    focus = html[html.index('class="pqa-focus"') :]
    assert '<mark class="hl-key">市质监局</mark>' in focus[: focus.index("</div>")]
    assert "许政办[2013]54号" in html


def test_a_metadata_citation_is_found_in_the_document_text(documents):
    document = next(d for d in documents if d.doc_id == XUCHANG)
    header = document.text[:40]
    assert locate(document, Citation(XUCHANG, document.title, "", header, 1.0)) == (0, 40)


def test_status_line_says_in_chinese_how_questions_are_answered(index):
    line = status_line(index)
    assert "语义检索未启用(未配置向量模型),当前使用关键词检索与结构化抽取" in line
    assert f"{len(index.documents)} 份文件" in line and "125 条款" in line


def test_status_line_keeps_the_technical_reason_in_its_tooltip():
    class Off:
        documents, dense, dense_status = (), None, "off: BAAI/bge-small-zh-v1.5 is not in the local <model> cache"

    line = status_line(Off())
    assert ">语义检索未启用(未找到向量模型),当前使用关键词检索与结构化抽取<" in line
    assert 'title="dense retrieval off: BAAI/bge-small-zh-v1.5 is not in the local &lt;model&gt; cache"' in line

    class On:
        documents, dense, dense_status = (), object(), "BAAI/bge-small-zh-v1.5"

    assert "语义检索已启用(向量模型 BAAI/bge-small-zh-v1.5)" in status_line(On())


def test_matrix_of_xuchang_lists_its_27_tasks(documents):
    headers, rows = matrix.matrix(documents, XUCHANG)
    assert headers == matrix.HEADERS
    assert len(rows) == 27
    row = next(row for row in rows if row[2] == "19.开展计量惠民专项行动")
    named = dict(zip(headers, row))
    assert named["牵头单位"] == "市质监局"
    assert named["配合单位"] == "市发展改革委、工业和信息化局、交通运输局、卫生局"
    assert named["文件"] == "许昌市"


def test_department_picker_finds_zhijianju_in_every_document_that_names_it(documents):
    labels = dict(matrix.department_choices(documents))
    key = next(value for label, value in labels.items() if label.startswith("质监局"))
    headers, rows = matrix.matrix(documents, matrix.ALL, key)
    assert headers[0] == "角色"
    places = {row[1] for row in rows}
    assert {"许昌市", "山东省"} <= places
    xuchang = [dict(zip(headers, row)) for row in rows if row[1] == "许昌市"]
    written = {name for row in xuchang for name in "、".join(row[h] for h in matrix.HEADERS[3:]).split("、")}
    assert {"市质监局", "质监局"} <= written
    metering = next(row for row in xuchang if row["条款"] == "19.开展计量惠民专项行动")
    assert metering["角色"] == "牵头"
    assert any(row["角色"] == "负责" for row in xuchang)
    # restricted to one document, only that document's tasks remain
    _headers, only = matrix.matrix(documents, XUCHANG, key)
    assert only and {row[1] for row in only} == {"许昌市"}


def test_department_key_groups_written_forms():
    assert matrix.department_key("市质监局") == matrix.department_key("质监局") == matrix.department_key("质监")
    assert matrix.department_key("市质量技术监督局") == matrix.department_key("质监局")
    assert matrix.department_key("市发展改革委") == matrix.department_key("发展改革")
    assert matrix.department_key("市委宣传部") != matrix.department_key("宣传")  # 部 is not stripped


def test_exports_round_trip(documents, tmp_path):
    from openpyxl import load_workbook

    headers, rows = matrix.matrix(documents, XUCHANG)
    csv_path, xlsx_path = matrix.export(headers, rows, "责任矩阵-许昌市/全部", tmp_path)
    assert csv_path.parent == tmp_path and "/" not in csv_path.name
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [headers] + rows
    sheet = load_workbook(xlsx_path).active
    read = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    assert read == [headers] + rows


def test_evaluation_figures_read_as_percentages():
    from ui import evaluation

    rows = evaluation.table_rows([["lead", 3, 1.0, None, 0.5], ["abstain", 2, 0.5, float("nan"), 0.0]])
    assert rows == [["牵头单位", 3, "100.0%", "—", "50.0%"], ["应拒答", 2, "50.0%", "—", "0.0%"]]
    html = evaluation.headline({"accuracy": 0.9, "baseline_accuracy": 0.4, "questions": 10, "p50_ms": 12.3}, 1)
    assert "90.0%" in html and "基线 40.0%" in html and "12 毫秒" in html and "1 处格式问题" in html


def test_the_template_is_a_question_set_the_assistant_passes(index, tmp_path):
    """The template's rows are read under their Chinese headers, and its examples score as answered today."""
    from app import _answerable_examples
    from eval.report import run_evaluation
    from ui.questionsets import HEADERS, template_rows, write_question_set

    csv_path, xlsx_path = write_question_set(template_rows(_answerable_examples(index)), "模板", tmp_path)
    assert csv_path.read_text(encoding="utf-8-sig").startswith(",".join(HEADERS))
    for path in (csv_path, xlsx_path):
        report = run_evaluation(path, index, tmp_path / path.suffix[1:])
        assert report.problems == () and report.summary["questions"] == 4
        assert report.summary["accuracy"] == 1.0 and report.summary["abstain_recall"] == 1.0


def test_auth_from_environment():
    from app import parse_auth

    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("official:pass:word") == ("official", "pass:word")
    with pytest.raises(ValueError):
        parse_auth("nopassword")


def test_command_line_help_is_fast_and_lists_the_options():
    result = subprocess.run([sys.executable, str(PROJECT / "app.py"), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--host", "--port", "--corpus", "--index", "--embed-model"):
        assert option in result.stdout



def test_missing_corpus_is_one_line_and_exit_code_2(tmp_path):
    command = [sys.executable, str(PROJECT / "app.py"), "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "index")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "PQA_AUTH": ""})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_matrix_rows_carry_the_task_text_and_a_link_to_the_clause(documents):
    from ui.matrix_tab import render_tasks

    tasks = matrix.tasks(documents, XUCHANG, search="计量惠民")
    assert [task.clause.heading for task in tasks] == ["19.开展计量惠民专项行动"]
    assert tasks[0].text.startswith("启动高速公路放心行工程")
    html = render_tasks(tasks, documents)
    assert "启动高速公路放心行工程" in html and "查看条款原文" in html
    assert f'data-doc="{XUCHANG}" data-clause="{tasks[0].clause.ordinal}"' in html
    headers, rows = matrix.matrix(documents, XUCHANG, search="计量惠民")
    assert dict(zip(headers, rows[0]))["任务内容"].startswith("启动高速公路放心行工程")


def test_an_empty_choice_says_why_and_where_to_look(documents):
    labels = dict(matrix.department_choices(documents))
    market = next(value for label, value in labels.items() if label.startswith("市场监管局"))
    assert matrix.tasks(documents, XUCHANG, market) == []
    why = matrix.why_empty(documents, XUCHANG, market, "", "市场监管局")
    assert why.startswith("《许昌市") and "没有写明由市场监管局牵头、配合或负责的任务" in why and "宣城市" in why
    assert "没有含“不存在的词”的任务" in matrix.why_empty(documents, XUCHANG, matrix.ALL, "不存在的词", "全部部门")


def test_unit_names_are_shown_whole(documents):
    assert matrix.whole_name("国资") == "国资部门" and matrix.whole_name("林业") == "林业部门"
    for name in ("市质监局", "市政府食安办", "各县(市、区)政府", "市质量发展委员会成员单位", "市委宣传部", "市总工会"):
        assert matrix.whole_name(name) == name
    from ui.matrix_tab import render_tasks

    html = render_tasks(matrix.tasks(documents, "shandong-2016-action-plan"), documents)
    assert '<span class="pqa-unit" title="原文:国资">国资部门</span>' in html
    assert ">国资<" not in html and ">林业<" not in html


def test_the_matrix_overlay_frames_the_clause(documents):
    from ui.matrix_tab import render_overlay

    document = next(d for d in documents if d.doc_id == XUCHANG)
    clause = next(c for c in document.clauses if c.heading == "19.开展计量惠民专项行动")
    html = render_overlay(document, clause.ordinal, 3)
    assert 'class="pqa-overlay" data-n="3"' in html and "关闭" in html
    focus = html[html.index('class="pqa-focus"') :]
    assert focus.index("19.开展计量惠民专项行动") < focus.index("</div>")


def test_status_line_says_a_test_model_is_no_semantic_model():
    class Test:
        documents, dense, dense_status, vector_store = (), object(), "/srv/models/pqa-test-static-zh", "milvus"

    line = status_line(Test())
    assert ">向量检索仅用测试模型(非语义模型),回答依据关键词检索与结构化抽取<" in line and "语义检索已启用" not in line
    assert "vector store milvus" in line

"""The evaluation package: scorer on hand-made answers, question files in three formats, baseline, report."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from assistant.records import Answer, Citation, Departments
from eval.cells import split_cell
from eval.inputs import read_items
from eval.items import Item
from eval.metrics import department_figures, summarize
from eval.scoring import UnitCounts, department_counts, score

QUESTION = "许昌市开展计量惠民专项行动由哪个部门牵头?"
CLAUSE = "19.开展计量惠民专项行动。启动高速公路放心行工程。由市质监局牵头,市发展改革委、工业和信息化局配合。"
OTHER_CLAUSE = "20.推进检验检测技术平台建设。由市质监局牵头,市发展改革委、工业和信息化局配合。"
GOLD = Item("t1", QUESTION, "lead", ("xuchang-2013-action-plan",), ("市质监局",), ("市发展改革委", "工业和信息化局"), anchors=("开展计量惠民专项行动",))
ABSTAIN = Item(id="t2", q="许昌市2013年行动计划对新能源汽车充电桩建设由哪个部门牵头?", cat="abstain", abstain=True)


def _answer(lead=("市质监局",), cooperate=("市发展改革委", "工业和信息化局"), clauses=(CLAUSE,), abstained=False, text=None):
    citations = tuple(Citation("xuchang-2013-action-plan", "许昌", f"第{n}条", body, 1.0) for n, body in enumerate(clauses))
    body = text if text is not None else f"牵头单位:{'、'.join(lead)};配合单位:{'、'.join(cooperate)}。"
    return Answer(QUESTION, body, abstained, Departments(lead, cooperate), () if abstained else citations, "lead")


def test_correct_answer_scores_right_and_cited():
    result = score(GOLD, _answer(), [OTHER_CLAUSE, CLAUSE], 0.002)
    assert (result.correct, result.cited, result.cited_top3, result.lenient) == (True, True, True, True)
    assert result.reasons == () and result.anchor_rank == 2 and not result.failed


def test_a_missing_or_wrong_unit_is_wrong_and_named():
    result = score(GOLD, _answer(cooperate=("市发展改革委",)), [CLAUSE], 0.0)
    assert not result.correct and result.cited and not result.lenient
    assert result.reasons == ("配合单位:应为市发展改革委、工业和信息化局,实为市发展改革委",)
    assert department_counts(GOLD, result.answer)["cooperate"] == UnitCounts(tp=1, fp=0, fn=1)
    result = score(GOLD, _answer(lead=("市商务局",)), [CLAUSE], 0.0)  # the wrong unit
    assert not result.correct and result.reasons == ("牵头单位:应为市质监局,实为市商务局",)
    assert department_counts(GOLD, result.answer)["lead"] == UnitCounts(tp=0, fp=1, fn=1)


def test_right_units_wrong_clause_fails_on_citation_only():
    result = score(GOLD, _answer(clauses=(OTHER_CLAUSE, CLAUSE)), [OTHER_CLAUSE], 0.0)
    assert result.correct and not result.cited and result.cited_top3 and result.failed and result.anchor_rank is None
    alone = score(GOLD, _answer(clauses=(OTHER_CLAUSE,)), [], 0.0)
    assert not alone.cited and not alone.cited_top3


def test_abstention_is_wrong_on_an_answerable_question_and_right_on_an_abstain_item():
    result = score(GOLD, _answer(abstained=True, text="文件中未找到"), [], 0.0)
    assert not result.correct and not result.cited and not result.lenient
    assert result.reasons[0] == "未作答(拒答)"
    right = score(ABSTAIN, Answer(ABSTAIN.q, "文件中未找到", True), [], 0.0)
    assert right.correct and right.cited and right.lenient and not right.failed
    wrong = score(ABSTAIN, _answer(), [CLAUSE], 0.0)
    assert not wrong.correct and not wrong.lenient and wrong.reasons == ("应拒答,却作了回答",)


def test_lenient_accepts_units_in_plain_text():
    """The baseline's chunk names the units but fills no departments: strictly wrong, leniently right."""
    plain = Answer(QUESTION, CLAUSE, False, Departments(), (Citation("x", "t", "chunk", CLAUSE, 1.0),))
    result = score(GOLD, plain, [CLAUSE], 0.0)
    assert (result.correct, result.lenient, result.cited) == (False, True, True)


def test_department_precision_recall_f1_hand_computed():
    both = Item(id="a", q="?", cat="lead", lead=("甲",), cooperate=("乙", "丙"))
    resp = Item(id="b", q="?", cat="responsible", responsible=("戊", "己", "庚"))
    gone = Item(id="c", q="?", cat="lead", lead=("辛",))
    scores = [
        score(both, Answer("?", "", False, Departments(("甲",), ("乙", "丁"))), [], 0.0),  # lead 1/0/0, coop 1/1/1
        score(resp, Answer("?", "", False, Departments(responsible=("戊",))), [], 0.0),  # resp 1/0/2
        score(gone, Answer("?", "", True, Departments(lead=("辛",))), [], 0.0),  # abstained: lead 0/0/1
    ]
    figures = department_figures(scores)
    assert (figures["dept_lead_precision"], figures["dept_lead_recall"], figures["dept_lead_f1"]) == (1.0, 0.5, pytest.approx(2 / 3))
    assert (figures["dept_cooperate_precision"], figures["dept_cooperate_recall"], figures["dept_cooperate_f1"]) == (0.5, 0.5, 0.5)
    assert figures["dept_responsible_recall"] == pytest.approx(1 / 3) and figures["dept_responsible_f1"] == pytest.approx(0.5)
    # micro over all units: tp 3, fp 1, fn 4
    assert (figures["dept_precision"], figures["dept_recall"], figures["dept_f1"]) == (0.75, pytest.approx(3 / 7), pytest.approx(6 / 11))


def test_summary_figures_and_undefined_precision():
    scores = [
        score(GOLD, _answer(), [OTHER_CLAUSE, CLAUSE], 0.001),
        score(GOLD, _answer(lead=("市商务局",)), [CLAUSE], 0.003),
        score(ABSTAIN, _answer(), [], 0.002),
    ]
    figures = summarize(scores)
    assert figures["accuracy"] == pytest.approx(1 / 3)
    assert figures["recall@1"] == 0.5 and figures["recall@3"] == 1.0 and figures["mrr"] == pytest.approx(0.75)
    assert figures["abstain_recall"] == 0.0 and math.isnan(figures["abstain_precision"])  # nothing abstained
    assert figures["p50_ms"] == pytest.approx(2.0)


def test_malformed_jsonl_lines_are_reported_and_good_lines_read(tmp_path):
    records = [
        {"id": "a", "q": QUESTION, "cat": "lead", "lead": ["市质监局"]},
        '{"id": "b", "q": "坏的", ',
        {"id": "c", "cat": "lead", "lead": ["市质监局"]},
        {"id": "d", "q": "没有答案?", "cat": "lead"},
        {"id": "e", "q": "类别错?", "cat": "leed", "lead": ["x"]},
        {"id": "f", "q": ["列表"], "must": ["x"]},
        "",
        {"id": "h", "q": "配合单位呢?", "history": [QUESTION], "cat": "cooperate", "cooperate": ["市发展改革委"]},
        {"id": "a", "q": "重复?", "must": ["x"]},
    ]
    lines = [record if isinstance(record, str) else json.dumps(record, ensure_ascii=False) for record in records]
    path = tmp_path / "qs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, problems = read_items(path)
    assert [(item.id, item.line, item.history) for item in items] == [("a", 1, ()), ("h", 8, (QUESTION,))]
    assert problems[0].startswith("qs.jsonl:第2行:JSON 格式错误")
    assert problems[1] == "qs.jsonl:第3行:缺少问题"
    assert problems[2].startswith("qs.jsonl:第4行:没有标准答案")
    assert problems[3].startswith("qs.jsonl:第5行:未知类别“leed”")
    assert problems[4] == "qs.jsonl:第6行:问题应为文本,实为列表"
    assert problems[5].startswith("qs.jsonl:第9行:编号“a”重复")
    assert len(problems) == 6


RECORDS = [
    {"id": "x1", "q": "宣城提升质量基础保障能力的配合单位有哪些?", "cat": "cooperate", "doc": "xuancheng-2021-quality-opinions",
     "cooperate": ["市科技局", "各县、市、区人民政府"], "anchor": "提升质量基础保障能力"},
    {"id": "x2", "q": "配合单位呢?", "cat": "cooperate", "history": ["宣城市提升工程质量管理能力由哪个部门牵头?"],
     "cooperate": ["市发改委", "市交通运输局", "市水利局"], "anchor": "提升工程质量管理能力"},
    {"id": "x3", "q": "许昌市财政保证必需经费投入由哪些部门负责落实?", "cat": "responsible",
     "responsible": ["市财政(国资)局", "发展改革委", "各县(市、区)政府"], "anchor": "完善质量工作稳定投入机制"},
    {"id": "x4", "q": "这项任务里县级社会公用计量标准要达到多少项?", "cat": "target", "must": ["12项"],
     "history": ["宣城市提升质量基础保障能力由哪个部门牵头?", "配合单位有哪些?"]},
    {"id": "x5", "q": "许昌市对新能源汽车充电桩建设由哪个部门牵头?", "cat": "abstain", "abstain": True},
    {"id": "x6", "q": "许昌和宣城分别由哪个部门牵头?", "cat": "crossdoc", "doc": ["xuchang-2013-action-plan", "xuancheng-2021-quality-opinions"],
     "must": ["市质监局", "市市场监管局"], "anchors": ["推进检验检测技术平台建设", "打造检验检测技术平台"]},
    {"id": "x7", "q": "配合单位呢?", "cat": "lead", "lead": ["市质监局"], "history": ["许昌市标准化示范市、县和标准化示范区创建工作由谁牵头?"]},
]  # fmt: skip
COLUMNS = ["id", "q", "cat", "doc", "lead", "cooperate", "responsible", "must", "anchor", "anchors", "abstain", "history"]
CELLS = {  # the same records as a person types them into a spreadsheet
    "x1": {"cooperate": "市科技局、各县、市、区人民政府"},
    "x2": {"cooperate": "市发改委、市交通运输局、市水利局", "history": '["宣城市提升工程质量管理能力由哪个部门牵头?"]'},
    "x3": {"responsible": "市财政(国资)局、发展改革委、各县(市、区)政府"},
    "x4": {"must": "12项", "history": "宣城市提升质量基础保障能力由哪个部门牵头?、配合单位有哪些?"},
    "x5": {"abstain": "TRUE"},
    "x6": {"doc": "xuchang-2013-action-plan、xuancheng-2021-quality-opinions", "must": "市质监局、市市场监管局",
           "anchors": "推进检验检测技术平台建设、打造检验检测技术平台"},
    "x7": {"lead": "市质监局", "history": "许昌市标准化示范市、县和标准化示范区创建工作由谁牵头?"},
}  # fmt: skip


def _table():
    strings = [{key: value for key, value in record.items() if isinstance(value, str)} for record in RECORDS]
    return [{column: {**row, **CELLS[row["id"]]}.get(column, "") for column in COLUMNS} for row in strings]


def _same(items, others):
    return [replace(item, line=0) for item in items] == [replace(item, line=0) for item in others]


@pytest.fixture
def jsonl_items(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    items, problems = read_items(path)
    assert problems == [] and len(items) == 7
    return items


def test_csv_reads_into_the_same_items_as_jsonl(tmp_path, jsonl_items):
    import pandas as pd

    path = tmp_path / "q.csv"
    pd.DataFrame(_table(), columns=COLUMNS).to_csv(path, index=False, encoding="utf-8-sig")
    items, problems = read_items(path)
    assert problems == [] and _same(items, jsonl_items)
    assert items[0].cooperate == ("市科技局", "各县、市、区人民政府") and items[0].line == 2
    assert items[3].history == ("宣城市提升质量基础保障能力由哪个部门牵头?", "配合单位有哪些?")
    assert split_cell("市科技局、各县、市、区人民政府") == ["市科技局", "各县、市、区人民政府"]
    assert split_cell("市财政(国资)局、各县(市、区)政府") == ["市财政(国资)局", "各县(市、区)政府"]
    assert split_cell('["各县、市、区", "市质监局"]') == ["各县、市、区", "市质监局"]


def test_chinese_column_names_read_into_the_same_items(tmp_path, jsonl_items):
    """序号 / 问题 / 类别 (牵头单位 …) / 牵头单位 … / 应拒答 (是) / 备注: the same items as the JSONL file."""
    import pandas as pd

    from eval.columns import CATEGORY_NAMES, FIELD_NAMES

    names = {**FIELD_NAMES, "id": "序号", "history": "追问上文"}
    table = pd.DataFrame(_table(), columns=COLUMNS)
    table["cat"] = table["cat"].map(lambda code: CATEGORY_NAMES.get(code, code))
    table["abstain"] = table["abstain"].map(lambda flag: "是" if flag == "TRUE" else flag)
    table = table.rename(columns=names).assign(备注="人工核对")
    path = tmp_path / "中文.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    items, problems = read_items(path)
    assert problems == [] and _same(items, jsonl_items)
    no_ids = tmp_path / "无编号.csv"
    no_ids.write_text("问题,牵头单位\n许昌市开展计量惠民专项行动由哪个部门牵头?,市质监局\n", encoding="utf-8")
    [item], problems = read_items(no_ids)
    assert problems == [] and item.id == "2" and item.lead == ("市质监局",) and item.cat == "other"


def test_excel_reads_into_the_same_items_as_jsonl(tmp_path, jsonl_items):
    from openpyxl import Workbook

    sheet = (workbook := Workbook()).active
    sheet.append(COLUMNS)
    for row in _table():
        # a real Excel boolean; a history cell with one question a line (Alt+Enter)
        row.update({"x5": {"abstain": True}, "x4": {"history": "宣城市提升质量基础保障能力由哪个部门牵头?\n配合单位有哪些?"}}.get(row["id"], {}))
        sheet.append([row[column] or None for column in COLUMNS])
    path = tmp_path / "q.xlsx"
    workbook.save(path)
    items, problems = read_items(path)
    assert problems == [] and _same(items, jsonl_items)
    assert items[2].responsible == ("市财政(国资)局", "发展改革委", "各县(市、区)政府")
    assert items[6].history == ("许昌市标准化示范市、县和标准化示范区创建工作由谁牵头?",)


def test_malformed_table_rows_name_their_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,q,cat,lead,abstain,extra\n"
        "a,许昌由谁牵头?,lead,市质监局,,\n"
        "b,许昌由谁牵头?,leed,市质监局,,\n"
        'c,"[""两个"",""问题""]",lead,市质监局,,\n'
        'd,许昌由谁牵头?,lead,"[""市质监局"",",,\n'
        "e,许昌由谁牵头?,abstain,,maybe,\n",
        encoding="utf-8",
    )
    items, problems = read_items(path)
    assert [item.id for item in items] == ["a"]
    assert problems[0] == "bad.csv:第1行(表头):未知的列 “extra” 已忽略"
    assert problems[1].startswith("bad.csv:第3行:未知类别“leed”")
    assert problems[2].startswith("bad.csv:第4行:问题:此处应为文本而非列表")
    assert problems[3].startswith("bad.csv:第5行:牵头单位:JSON 数组格式错误")
    assert problems[4] == "bad.csv:第6行:应拒答:应为是或否,实为'maybe'"
    with pytest.raises(ValueError, match="JSON 数组格式错误"):
        split_cell('["a", ')


def test_baseline_answers_with_the_chunk(corpus_dir):
    from eval.baseline import CHUNK_CHARS, NaiveRag

    rag = NaiveRag.from_folder(corpus_dir)
    assert all(len(chunk.text) <= CHUNK_CHARS for chunk in rag.chunks) and len(rag.chunks) > 50
    result, retrieved = rag.answer(QUESTION)
    assert "计量惠民" in result.answer and "市质监局" in result.answer and not result.abstained and result.departments == Departments()
    assert len(result.citations) == 1 and result.citations[0].text == result.answer
    assert result.citations[0].doc_id == "xuchang-2013-action-plan" and result.citations[0].clause.startswith("chars ")
    assert retrieved[0] == result.answer and len(retrieved) == 5


FOUR = [
    {"id": "r1", "q": QUESTION, "cat": "lead", "doc": "xuchang-2013-action-plan", "lead": ["市质监局"], "anchor": "开展计量惠民专项行动"},
    {"id": "r2", "q": "许昌市2013年行动计划对新能源汽车充电桩建设由哪个部门牵头?", "cat": "abstain", "abstain": True},
    {"id": "r3", "q": "哪些单位配合?", "history": [QUESTION], "cat": "cooperate", "doc": "xuchang-2013-action-plan",
     "cooperate": ["市发展改革委", "工业和信息化局", "交通运输局", "卫生局"], "anchor": "开展计量惠民专项行动"},
    {"id": "r4", "q": QUESTION, "cat": "lead", "doc": "xuchang-2013-action-plan", "lead": ["市商务局"], "anchor": "开展计量惠民专项行动"},
]  # fmt: skip  (r4's gold is wrong on purpose: it must show in the failure table)


@pytest.fixture(scope="module")
def real_index(tmp_path_factory, corpus_dir):
    from index import open_index

    return open_index(corpus_dir, tmp_path_factory.getbasetemp() / "eval-index", None)


@pytest.fixture
def four_questions(tmp_path):
    path = tmp_path / "four.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in FOUR] + ['{"id": "r5"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_run_evaluation_writes_the_report(tmp_path, real_index, four_questions):
    from eval.report import run_evaluation

    calls = []
    report = run_evaluation(four_questions, real_index, tmp_path / "report", lambda f, m: calls.append((f, m)))
    names = {path.name for path in report.files}
    assert {"report.md", "report.json"} <= names and any(name.endswith(".png") for name in names)
    assert all(path.exists() and path.stat().st_size > 0 for path in report.files)
    assert report.charts and report.charts[0].read_bytes()[:4] == b"\x89PNG"
    assert [f for f, _m in calls] == sorted(f for f, _m in calls) and calls[-1][0] == 1.0 and len(calls) >= 8

    data = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    ours, baseline = data["ours"]["per_category"], data["baseline"]["per_category"]
    assert set(ours) == set(baseline) == {"abstain", "cooperate", "lead"}
    assert (ours["lead"]["n"], ours["lead"]["accuracy"], ours["abstain"]["accuracy"], ours["cooperate"]["accuracy"]) == (2, 0.5, 1.0, 1.0)
    assert (baseline["lead"]["accuracy"], baseline["abstain"]["accuracy"], baseline["cooperate"]["accuracy"]) == (0.0, 0.0, 0.0)
    assert baseline["lead"]["lenient_accuracy"] == 0.5  # its chunk names 市质监局 (r1) but not 市商务局 (r4)
    assert (report.summary["accuracy"], report.summary["baseline_accuracy"], data["gain"]["accuracy"]) == (0.75, 0.0, None)

    assert [row[0] for row in report.table_rows] == ["abstain", "cooperate", "lead"]
    assert report.table_rows[2][1:] == [2, 0.5, 1.0, 0.0] and report.table_rows[0][3] is None
    [(failed_id, question, expected, given, cited, why)] = report.failures
    assert failed_id == "r4" and "市商务局" in expected and "市质监局" in given
    assert cited.startswith("《许昌市贯彻落实") and "计量惠民" in cited and "牵头单位:应为市商务局" in why  # titles, not doc ids
    assert report.problems == ("four.jsonl:第5行:缺少问题",)
    assert "| r4 | 牵头单位 |" in report.markdown and "∞(基线为 0)" in report.markdown


def test_cli_thresholds_and_report(tmp_path_factory, tmp_path, real_index, corpus_dir, four_questions, capsys):
    from eval.run import main

    index_dir = tmp_path_factory.getbasetemp() / "eval-index"  # built by real_index: loaded, not rebuilt
    common = ["--questions", str(four_questions), "--corpus", str(corpus_dir), "--index", str(index_dir), "--embed-model", "off"]
    assert main(common + ["--report", str(tmp_path / "a")]) == 1  # accuracy 0.75 < 0.95
    out = capsys.readouterr()
    assert "lead          2     0.500" in out.out and "below threshold: accuracy 0.750" in out.err
    assert "four.jsonl:第5行:缺少问题" in out.err
    assert main(common + ["--report", str(tmp_path / "b"), "--no-thresholds"]) == 0 and (tmp_path / "b" / "report.md").exists()
    assert main(["--questions", str(tmp_path / "missing.jsonl")]) == 2


def test_the_blind_suite_is_registered_and_prints_figures_but_no_failed_question(
    tmp_path_factory, tmp_path, real_index, corpus_dir, four_questions, capsys
):
    import argparse

    from eval.run import SUITES, Suite, _run_suite, format_summary

    blind = [suite for suite in SUITES if suite.blind]
    assert [suite.name for suite in blind] == ["blind"] and blind[0].split == "test"
    assert blind[0].corpus.name == "blind" and blind[0].index.name == "built-blind" and blind[0].questions.exists()
    wrong = score(GOLD, _answer(lead=("市商务局",)), [CLAUSE], 0.0)
    figures = summarize([wrong])
    assert "t1 [lead]" in format_summary(figures, [wrong])
    assert "t1 [lead]" not in format_summary(figures, [wrong], show_failures=False)
    index_dir = tmp_path_factory.getbasetemp() / "eval-index"  # built by real_index: loaded, not rebuilt
    suite = Suite("blind", four_questions, corpus_dir, index_dir, blind=True)
    _run_suite(suite, argparse.Namespace(embed_model="off", no_thresholds=True), tmp_path / "blind")
    out = capsys.readouterr().out
    assert "accuracy" in out and "1 failed (blind set" in out
    assert not any(line.startswith("  r") for line in out.splitlines())  # no failed question is listed
    assert (tmp_path / "blind" / "report.md").exists()

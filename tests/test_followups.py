"""A follow-up that moves to another document says when the clause found there is another task; whole-unit marks."""

from __future__ import annotations

from ui.render import mark

XUCHANG_METERING = "许昌市开展计量惠民专项行动由哪个部门牵头?"


def test_a_follow_up_to_another_document_says_the_task_is_not_there(ask):
    moved = ask("山东省呢?", history=[XUCHANG_METERING])
    assert moved.answer.startswith("山东省文件中没有同名任务,最接近的是“2.着力强化企业质量管理”:")
    assert moved.citations[0].doc_id == "shandong-2016-action-plan"


def test_the_same_task_under_other_words_is_answered_plainly(ask):
    same = ask("宣城呢?", history=["许昌市推进检验检测技术平台建设由哪个部门牵头?"])
    assert same.departments.lead == ("市市场监管局",) and "没有同名任务" not in same.answer
    staying = ask("配合单位呢?", history=[XUCHANG_METERING])  # same document: nothing to say
    assert "没有同名任务" not in staying.answer and "市发展改革委" in staying.departments.cooperate
    asked_directly = ask("山东省着力强化企业质量管理由哪些部门负责?")
    assert "没有同名任务" not in asked_directly.answer


def test_units_and_figures_are_marked_only_where_they_stand_whole():
    text = "加快建设适应现代农业的机构,农产品质量达到95%,而非195%。(发展改革、农业、林业等部门按职责分工负责)"
    sentence = "(发展改革、农业、林业等部门按职责分工负责)"
    html = mark(text, ("农业", "林业", "95%", sentence))
    assert "现代农业" in html and html.count('<mark class="hl-key">农业</mark>') == 1
    assert html.count('<mark class="hl-key">95%</mark>') == 1 and "而非195%" in html
    assert mark("由市质监局牵头,质监局配合,质监部门负责", ("质监",)).count("hl-key") == 1  # not inside 质监局
    assert mark("由市质监局牵头,会同市财政局", ("市质监局", "市财政局")).count("hl-key") == 2

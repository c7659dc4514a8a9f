"""Questions to answers on the real documents: units, targets, people, follow-ups, abstention, bad input."""

from __future__ import annotations

import pytest

XUCHANG = "xuchang-2013-action-plan"
XUANCHENG = "xuancheng-2021-quality-opinions"
SHANDONG = "shandong-2016-action-plan"
LINXIA = "linxia-2013-2020-quality-outline"


def test_lead_question_cites_the_task_clause_first(ask):
    result = ask("许昌市推进检验检测技术平台建设由哪个部门牵头?")
    assert not result.abstained
    assert result.departments.lead == ("市质监局",)
    assert result.departments.cooperate == ("市发展改革委", "科技局", "工业和信息化局", "财政(国资)局")
    first = result.citations[0]
    assert first.doc_id == XUCHANG and first.clause.endswith("21.推进检验检测技术平台建设")
    assert first.title == "许昌市贯彻落实质量发展纲要深入实施质量立市战略2013年行动计划"
    assert result.answer.startswith("牵头单位:市质监局")
    assert "由市质监局牵头" in first.text and "由市质监局牵头,市发展改革委、科技局、工业和信息化局、财政(国资)局配合。" in first.highlights


def test_cooperate_question_names_the_asked_role_first(ask):
    result = ask("宣城提升质量基础保障能力的配合单位有哪些?")
    assert result.answer.startswith("配合单位:市经信局、市农业农村局")
    assert result.departments.cooperate == ("市经信局", "市农业农村局")
    assert result.citations[0].clause.endswith("10. 提升质量基础保障能力")


def test_responsible_units_of_a_sector_list(ask):
    result = ask("山东省实施服务业质量提升工程由哪些部门负责?")
    assert result.departments.responsible == ("发展改革", "经济和信息化", "商务", "卫生计生", "旅游", "金融")
    assert result.departments.lead == ()


def test_lead_question_on_a_task_without_a_lead_says_so(ask):
    result = ask("许昌市开展工程质量提升活动由哪个部门牵头?")
    assert result.answer.startswith("未指定牵头单位")
    assert result.departments.responsible == ("市住房城乡建设局", "交通运输局", "水利局")


def test_target_with_year_and_figure(ask):
    result = ask("临夏州2020年产品质量监督抽查合格率目标是多少?")
    assert "95%以上" in result.answer and "2020" in result.answer
    assert result.citations[0].clause.endswith("1.产品质量")
    water = ask("临夏州到2015年城镇集中式饮用水水源地水质达标率要达到多少?")
    assert "城镇集中式饮用水水源地水质达标率达到95%" in water.answer


def test_target_for_a_year_the_document_does_not_cover_abstains(ask):
    assert ask("临夏州2025年产品质量监督抽查合格率目标是多少?").abstained


def test_person_from_the_annex_member_list(ask):
    result = ask("黄石市创建全国质量强市示范城市领导小组里谁是常务副市长?")
    assert "周蔚芬" in result.answer and result.citations[0].clause.startswith("附件")
    leader = ask("黄石市创建全国质量强市示范城市领导小组组长是谁?")
    assert "董卫民" in leader.answer
    assert ask("许昌市质监局局长是谁?").abstained
    # a name the question gives picks its line, above a sentence sharing more of the group's name
    post = ask("秦永宏在黄石市创建全国质量强市示范城市领导小组里是什么身份?")
    assert "市政府副秘书长" in post.answer and post.citations[0].clause.startswith("附件")


def test_amount(ask):
    result = ask("宣城市新获得中国质量奖的组织能拿到多少奖励?")
    assert "50万元" in result.answer
    assert ask("许昌市对获得市长质量奖的企业奖励多少钱?").abstained


@pytest.mark.parametrize(
    "question",
    [
        "许昌市2013年行动计划对新能源汽车充电桩建设由哪个部门牵头?",
        "广州市实施质量强市战略由哪个部门牵头?",
        "宣城市新能源汽车产业质量提升由哪个部门牵头?",
        "河南省2013年质量立省行动计划中标准化工作由哪个部门牵头?",
    ],
)
def test_questions_the_documents_do_not_answer_are_abstained(ask, question):
    result = ask(question)
    assert result.abstained and result.answer.startswith("文件中未找到") and result.citations == ()


def test_follow_ups_change_the_role_then_the_document(ask):
    first = "宣城市提升工程质量管理能力由哪个部门牵头?"
    assert ask(first).departments.lead == ("市住建局",)
    cooperate = ask("配合单位呢?", history=[first])
    assert cooperate.answer.startswith("配合单位:市发改委、市交通运输局、市水利局")
    other_document = ask("山东省呢?", history=[first, "配合单位呢?"])
    assert other_document.citations[0].doc_id == SHANDONG
    assert other_document.citations[0].clause.endswith("4.实施工程质量提升工程")


def test_listing_the_tasks_a_unit_leads(ask):
    result = ask("宣城市住建局牵头哪些任务?")
    assert [c.clause.split(" > ")[-1] for c in result.citations] == ["12. 提升工程质量管理能力", "15. 提升质量安全监管能力"]


def test_question_naming_two_places_cites_both(ask):
    result = ask("许昌和宣城分别由哪个部门牵头推进检验检测技术平台建设?")
    assert {c.doc_id for c in result.citations} == {XUCHANG, XUANCHENG}
    assert "市质监局" in result.answer and "市市场监管局" in result.answer


def test_document_metadata(ask):
    result = ask("山东省贯彻实施质量发展纲要2016年行动计划的文号是多少?")
    assert "鲁政办字〔2016〕103号" in result.answer and result.citations[0].clause == "文件信息"


def test_document_filter(ask):
    unfiltered = ask("加强质量信用信息公共平台由哪个部门负责?")
    assert unfiltered.citations[0].doc_id == XUCHANG
    filtered = ask("完善信用监管体系由哪个部门牵头?", doc_ids=[XUANCHENG])
    assert filtered.citations[0].doc_id == XUANCHENG
    assert ask("许昌市开展计量惠民专项行动由哪个部门牵头?", doc_ids=[SHANDONG]).abstained


@pytest.mark.parametrize("question", ["", "   ", "?" * 3, "x" * 600, "质" * 600, "\x00\x01\x02", "SELECT * FROM t;"])
def test_bad_input_gets_a_message_not_a_crash(ask, question):
    result = ask(question)
    assert result.abstained and result.answer and result.citations == ()


def test_a_question_in_traditional_characters_is_answered_like_simplified(ask):
    simplified = ask("许昌市开展计量惠民专项行动由哪个部门牵头?")
    traditional = ask("許昌市開展計量惠民專項行動由哪個部門牽頭?")
    assert traditional.departments == simplified.departments and traditional.departments.lead == ("市质监局",)
    assert traditional.citations[0].clause == simplified.citations[0].clause

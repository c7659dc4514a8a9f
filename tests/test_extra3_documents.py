"""corpus/extra3 (two Shanghai districts with three documents each, gov.cn pages): places, tables, prose roles."""

from __future__ import annotations

from pathlib import Path

import pytest

EXTRA3 = Path(__file__).resolve().parent.parent / "corpus" / "extra3"


@pytest.fixture(scope="module")
def extra3_docs():
    from corpus import load_documents

    return {document.doc_id: document for document in load_documents(EXTRA3)}


@pytest.fixture(scope="module")
def extra3_ask(tmp_path_factory):
    from assistant import answer
    from index import open_index

    index = open_index(EXTRA3, tmp_path_factory.mktemp("extra3-index"), None)
    return lambda question: answer(question, index)


def test_a_district_name_several_cities_share_is_the_one_within_the_city_named_before_it(extra3_docs):
    from corpus.places import find_places, most_specific

    assert most_specific(find_places("上海市宝山区人民政府办公室")).code == "310113000000"
    assert find_places("宝山区")[0].code == "230506000000"  # alone, the first of the list (双鸭山市宝山区)
    assert find_places("宝山区", frozenset({"310000000000"}))[0].code == "310113000000"  # within a known place
    plans = [document for document in extra3_docs.values() if document.doc_id.startswith("baoshan_")]
    assert len(plans) == 3 and {document.place_code for document in plans} == {"310113000000"}
    assert all(document.title.startswith("宝山区") for document in plans)  # "…》 的通知": the plan it issues


def test_a_question_naming_the_shared_district_name_finds_the_corpus_district(extra3_ask):
    lead = extra3_ask("宝山区向社会公开选聘生活垃圾管理社会监督员，牵头部门是哪个？")
    assert not lead.abstained and lead.departments.lead == ("区绿化市容局",)
    assert lead.query.doc_ids and all(doc_id.startswith("baoshan_") for doc_id in lead.query.doc_ids)


def test_a_flattened_task_table_with_bracketed_unit_names_and_merged_task_names(extra3_docs):
    rows = {clause.heading.split(".")[0]: clause for clause in extra3_docs["baoshan_2019_household_waste_sorting_plan"].clauses
            if " | " in clause.text}  # fmt: skip
    assert len(rows) == 39
    assert rows["2"].units.lead == ("区委组织部（区公务员局）",)  # one unit with its other name, not 区委 organising
    assert rows["4"].units.lead == ("各街镇（园区）",) and rows["4"].units.cooperate == ("各联席会议成员单位",)
    assert rows["19"].heading == "19.加快体系建设"  # the task name given once for its group, carried down
    assert rows["19"].units.lead == ("各街镇（园区）",) and rows["19"].units.cooperate == ("区财政局", "区绿化市容局")
    assert rows["29"].units.cooperate == ("区委宣传部（区文明办、区政府新闻办、区委网信办）", "区民政局")


def test_the_tasks_a_unit_leads_in_a_flattened_task_table(extra3_ask):
    listing = extra3_ask("宝山区垃圾分类任务清单中，区委组织部牵头哪些任务？")
    assert listing.answer.startswith("区委组织部牵头的任务共2项")
    assert "绿色账户" in listing.answer and "双报到" in listing.answer


def test_a_unit_named_alone_on_the_line_heading_its_duties(extra3_docs, extra3_ask):
    duties = {clause.heading: clause for clause in extra3_docs["putuo_2025_sponge_city_plan"].clauses}
    assert duties["(一)区建管委"].units.lead == ("区建管委",)  # "牵头协调督促…"
    assert duties["(三)区财政局"].units.responsible == ("区财政局",)  # "负责在政府投资项目中安排…"
    budget = extra3_ask("普陀区政府投资项目中的海绵城市建设年度预算由谁安排？")
    assert budget.departments.responsible == ("区财政局",)


def test_a_share_of_something_reaching_a_goal_is_a_target(extra3_ask):
    from corpus.targets import extract_targets

    goals = extract_targets("到2025年底，本区建成区40%以上面积达到海绵城市建设目标要求;到2030年底，本区建成区80%以上面积达到海绵城市建设目标要求。")
    assert [(goal.figure, goal.qualifier, goal.year) for goal in goals] == [("40%", "以上", 2025), ("80%", "以上", 2030)]
    assert extract_targets("70%以上居住区实现垃圾分类实效达标")[0].metric == "居住区实现垃圾分类实效达标"
    later = extra3_ask("普陀区到2030年底海绵城市建设要达到什么目标？")
    assert "80%以上" in later.answer and "40%" not in later.answer.split("(")[0]


def test_units_a_request_names_and_a_second_place_naming_its_document_by_a_few_title_words(extra3_docs):
    from assistant.routing import route
    from corpus.units import extract_units

    assert extract_units("请人力资源社会保障部会同财政部、科技部等部门制定具体操作办法。").lead == ("人力资源社会保障部",)
    both = route("普陀区海绵城市建设实施方案和宝山区垃圾分类实施方案分别是哪天印发的?", tuple(extra3_docs.values()))
    assert both.doc_ids == ("putuo_2025_sponge_city_plan", "baoshan_2019_household_waste_sorting_plan")
    assert not both.unknown_place

"""Reading the documents of corpus/extra (written against none of them): regulation lead-ins, covering notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import load_document

EXTRA = Path(__file__).resolve().parent.parent / "corpus" / "extra"


def test_an_article_ending_with_a_colon_is_not_an_addressee_line():
    regulation = load_document(EXTRA / "shanghai_2020_fire_protection_regulation.md")
    articles = {clause.heading: clause for clause in regulation.clauses}
    assert "市和区人民政府应当履行下列消防工作职责" in articles["第十条"].text  # "第十条 市和区人民政府…职责:"
    assert any(clause.label.startswith("第六章  法律责任 > 第七十条") for clause in regulation.clauses)


def test_a_covering_notice_stating_a_fact_is_kept():
    plan = load_document(EXTRA / "songjiang_2025_urban_renewal_annual_plan.md")
    assert any("经区政府第97次常务会议通过" in clause.text for clause in plan.clauses)


def test_supporting_units_cooperate():
    plan = load_document(EXTRA / "songjiang_2025_urban_renewal_annual_plan.md")
    renewal = next(clause for clause in plan.clauses if "九里亭秀浜城市更新项目" in clause.text)
    assert renewal.units.lead == ("经济技术开发区", "九里亭街道")  # "(牵头单位:…,支撑单位:区规划资源局、…)"
    assert renewal.units.cooperate == ("区规划资源局", "区建设管理委", "区经委")


def test_a_flattened_table_with_merged_unit_cells_gives_each_row_its_units():
    plan = load_document(EXTRA / "jingan_2023_urban_renewal_action_plan.md")
    rows = {clause.heading.split(".")[0]: clause for clause in plan.clauses if clause.label.startswith("表格")}
    assert rows["4"].units.responsible[:2] == ("区“两旧”专班", "区房管局")  # not row 3's units carried down
    assert rows["7"].units.responsible == rows["4"].units.responsible  # the merged cell spans rows 4 to 8
    assert "各相关街镇" in rows["4"].units.responsible  # the towns concerned are units; 有关部门 is not


def test_a_table_of_contents_is_not_read_as_sections_and_decimal_headings_nest():
    plan = load_document(EXTRA / "jiading_2025_evacuation_shelter_contingency_plan.md")
    labels = [clause.label for clause in plan.clauses]
    assert not any(label.startswith("附件") and "1.总则" in label for label in labels)  # the 目录 ends before "1.总则"
    assert any(label.startswith("2.组织体系 > 2.2区级应急指挥部") for label in labels)
    assert any(label.startswith("3.启用准备 > 3.2启用准备 > 3.2.1组织准备") for label in labels)


def test_decimal_headings_are_not_figures_or_dates():
    from corpus.structure import heading_style

    assert heading_style("2.1领导机构") == "decimal2" and heading_style("3.2.1组织准备") == "decimal3"
    assert heading_style("2.11月30日前,完成…") == "arabic" and heading_style("1.5万人以上的…") is None


def test_a_numbered_duty_item_opens_with_its_unit():
    plan = load_document(EXTRA / "jiading_2025_evacuation_shelter_contingency_plan.md")
    water = next(clause for clause in plan.clauses if clause.text.startswith("11.区水务局"))
    assert water.units.responsible == ("区水务局",)  # "11.区水务局:组织、协调…"
    rules = load_document(EXTRA / "songjiang_2020_fire_safety_responsibility_rules.md")
    civil_defence = next(clause for clause in rules.clauses if clause.text.startswith("24.区民防办负责"))
    assert civil_defence.units.responsible == ("区民防办",)  # "24.区民防办负责…", not "24.区民防办"
    training = next(clause for clause in rules.clauses if clause.text.startswith("10.区人力资源社会保障局会同"))
    assert (training.units.lead, training.units.cooperate) == (("区人力资源社会保障局",), ("区消防救援支队",))


def test_a_span_opening_with_a_preposition_or_governing_verb_is_no_unit():
    plan = load_document(EXTRA / "jiading_2025_evacuation_shelter_contingency_plan.md")
    units = {unit for clause in plan.clauses for unit in clause.units.all()}
    assert not any(unit.startswith(("当", "在", "其")) for unit in units)  # "当接到市级应急指挥部…", "在区委…"
    assert {"区级应急指挥部", "区应急管理局", "区水务局"} <= units
    rules = load_document(EXTRA / "songjiang_2020_fire_safety_responsibility_rules.md")
    housing = next(clause for clause in rules.clauses if clause.text.startswith("22.区住房保障房屋管理局"))
    assert housing.units.responsible == ("区住房保障房屋管理局",)  # not "指导、督促物业服务企业"
    assert not any(unit.startswith("(") for clause in rules.clauses for unit in clause.units.all())  # "(三)专职消防队…"


def test_a_name_ends_after_its_whole_word():
    from corpus.units import extract_units

    # a seed's sentence: 管委会 is one word ("开发区管委" was cut short); 全部 / 局部 end no name; 及其 is not a name's end
    units = extract_units("各职能部门和县(市)区政府、开发区管委会要相应成立工作机构,确保各项创建任务顺利完成。")
    assert "开发区管委会" in units.responsible
    assert extract_units("规模以上重点企业全部完成清洁生产审核。").responsible == ()
    assert extract_units("本市各级人民政府及其有关部门应当加强消防工作。").responsible == ("本市各级人民政府",)


def test_units_acting_within_their_remits_are_responsible():
    from corpus.units import extract_units

    # "在职责范围内" as well as "按照各自职责": the units before it are the sentence's agents
    remits = extract_units("区民政局、区财政局在职责范围内，分别负责养老机构的监督管理和资金保障。")
    assert remits.responsible == ("区民政局", "区财政局")


@pytest.fixture(scope="module")
def extra_ask(tmp_path_factory):
    from assistant import answer
    from index import open_index

    index = open_index(EXTRA, tmp_path_factory.mktemp("extra-index"), None)
    return lambda question: answer(question, index)


def test_the_fine_for_an_item_is_its_articles_and_how_to_punish_asks_it(extra_ask):
    fine = extra_ask("上海市消防条例中，建筑物施工高度超过二十四米，施工单位没有随施工进度落实消防水源的，怎么罚？")
    assert fine.intent == "amount" and "二千元以上二万元以下" in fine.answer  # "第七十条 …有下列行为之一的,…处…罚款:"


def test_a_figure_in_the_measure_asked_or_none(extra_ask):
    seconds = extra_ask("按上海市消防条例，专职消防队接到出警命令后要在多长时间内出动消防车？")
    assert not seconds.abstained and "六十秒" in seconds.answer
    share = extra_ask("自贸试验区深化改革创新若干措施中，新设有限责任制专利代理机构，非专利代理人股东最多占多大比例？")
    assert not share.abstained and "五分之一" in share.answer
    drop = extra_ask("药品集中采购和使用试点方案里，中选药品价格的平均降幅要达到多少？")
    assert drop.abstained and "具体数值" in drop.answer  # the plan states no such share: no sentence of other figures


def test_who_asks_for_the_agent_of_a_duty_item(extra_ask):
    # 谁 / 哪家 ask for a unit ("归谁", "是谁的事"); a numbered duty item's unit covers its later sentences
    gas = extra_ask("松江区消防责任制细则里，城区燃气安全监管、督促燃气公司上门查隐患这些事归谁？")
    assert gas.intent == "responsible" and gas.departments.responsible == ("区建设管理委",)
    smart = extra_ask("松江区消防责任制细则里，把“智慧消防”放进全区“智慧城市”建设是哪家的活？")
    assert smart.departments.responsible == ("区信息委",)  # the item's own sentence "区信息委将…", not its opening 区科委
    person = extra_ask("上海市消防条例规定，本地区消防工作的第一责任人是谁？")
    assert person.intent == "person"


def test_a_listing_of_one_units_duties_shows_its_item_and_who_plus_when_gives_the_date(extra_ask):
    duties = extra_ask("松江区消防安全责任制实施细则中，区教育局承担哪些消防安全职责？")
    assert duties.intent == "listing" and "消防安全知识第一课" in duties.answer  # the item, not its first sentence only
    system = extra_ask("按照国办发〔2019〕4号，全国三级公立医院绩效考核信息系统由哪个部门在什么时间前建立？")
    assert system.departments.responsible == ("国家卫生健康委",) and "2019年3月底前" in system.answer


def test_a_figure_in_ten_thousands_and_units_before_a_kind_of_department(extra_ask):
    scale = extra_ask("嘉定区突发事件人员转移安置预案中，Ⅱ级（重大规模）转移安置行动指需转移安置多少人？")
    assert not scale.abstained and "10万人以上、50万人以下" in scale.answer
    sectors = extra_ask("嘉定区转移安置和应急避难场所启用预案中，哪些行业主管部门负责利用区属会展场馆、学校、文旅设施、体育场馆、公园绿地建设应急避难场所？")
    assert sectors.departments.responsible[-1] == "绿洲控股集团"  # not "绿洲控股集团等行业主管部门"


def test_the_documents_own_year_and_a_runner_up_that_covers_the_task(extra_ask):
    # 2020 is the regulation's date only, never in its articles: the year names the document
    fire = extra_ask("上海市2020年修正的消防条例规定，专职消防队接到出警命令后要在多长时间内出动消防车？")
    assert not fire.abstained and "六十秒" in fire.answer
    # the annex heading ranks first but uses few of the question's words; the section after it covers the task
    oversight = extra_ask("国务院办公厅关于加强三级公立医院绩效考核工作的意见中，对各地三级公立医院绩效考核工作的指导和监督，由哪个部门会同相关部门开展？")
    assert oversight.departments.lead == ("国家卫生健康委",)


def test_a_figure_in_chinese_numerals_needs_a_measure_word():
    from assistant.abstention import FIGURE

    assert FIGURE.search("燃气管道与建筑物的距离不得小于五米") and FIGURE.search("每三年至少组织一次演练")
    assert not FIGURE.search("统一规划，进一步加强管理")


def test_a_competent_department_and_a_unit_responsible_for_leading():
    from corpus.units import extract_units

    competent = extract_units("第五条 市城市管理部门是本市生活垃圾分类管理工作的主管部门，负责组织实施本条例。")
    assert competent.responsible == ("市城市管理部门",)
    assert extract_units("市城市管理局负责牵头组织生活垃圾分类工作。").lead == ("市城市管理局",)


def test_a_section_title_used_as_task_words_does_not_confine_the_search(extra_ask):
    # "资金保障" is the title of section 8.6, but here it is the task's own words: the annex duty item answers
    funds = extra_ask("嘉定区转移安置预案中，区级应急避难场所相关资金保障工作由哪个部门负责？")
    assert funds.departments.responsible == ("区财政局",)


def test_two_questions_about_two_documents_one_of_them_a_contingency_plan(extra_ask):
    both = extra_ask("上海市城市更新条例规定由哪个部门负责组织编制城市更新指引？嘉定区转移安置预案中，区级应急避难场所相关资金保障工作由哪个部门负责？")
    assert both.departments.responsible == ("规划资源部门", "区财政局")  # 预案 names a document like 方案


def test_a_listing_gives_the_items_an_article_introduces_with_a_colon(extra_ask):
    duties = extra_ask("上海市消防条例中，公安派出所承担哪些职责？")
    assert duties.intent == "listing" and "共1项" in duties.answer  # (一)…(四) are the article's, not four more tasks
    assert "开展消防宣传教育培训" in duties.answer and "依法控制火灾肇事嫌疑人" in duties.answer
    quoted = duties.citations[0].text
    assert quoted.startswith("第十五条 公安派出所应当履行下列消防工作职责") and "（三）开展消防宣传教育培训；" in quoted


def test_the_tasks_of_a_role_asked_by_what_they_include_are_a_listing(extra_ask):
    measures = extra_ask("自贸试验区深化改革创新若干措施里，海关总署负责的措施有哪些？")
    assert measures.intent == "listing" and measures.answer.startswith("海关总署参与的任务共9项")


def test_a_compound_question_whose_part_names_a_title_but_no_kind_of_document(extra_ask):
    # "…若干措施中…?" names the notice by its title only; each part is answered from its own document
    both = extra_ask("自贸试验区深化改革创新若干措施中开展艺术品保税仓储由哪个部门负责？三级公立医院绩效考核工作的意见中，绩效考核信息系统由哪个部门建立？")
    assert both.departments.responsible == ("文化和旅游部", "海关总署", "国家卫生健康委") and len(both.citations) == 2


def test_a_label_documents_use_asks_for_its_role(extra_ask):
    # "推进单位" is a 责任单位 column of the task list: the question asks for units, not a sentence
    units = extra_ask("静安区城市更新行动重点任务清单里，推进大徐家阁地区规划研究的推进单位？")
    assert units.intent == "responsible" and units.departments.responsible[-1] == "大宁集团"


def test_an_articles_number_is_not_a_listed_name(extra_ask):
    from assistant.abstention import names_a_person

    assert not names_a_person("第九条 本市各级人民政府应当依法落实消防工作责任制。")
    assert names_a_person("吴 刚 黄石日报传媒集团董事长")  # a member list's line still is
    chief = extra_ask("按上海市消防条例，谁是各级政府消防工作的第一责任人？")
    assert chief.answer.startswith("本市各级人民政府主要负责人是本地区消防工作的第一责任人")  # not the article's first line


def test_two_titles_in_one_question_name_both_documents():
    from assistant.routing import route
    from corpus import load_document

    documents = tuple(load_document(EXTRA / name) for name in ("songjiang_2025_urban_renewal_annual_plan.md", "jingan_2023_urban_renewal_action_plan.md"))
    # the second title is found in what the first leaves: its words are fewer than the first's but still most of its own
    routed = route("松江区城市更新2025年度实施计划和静安区“卓越城区”城市更新行动方案，口袋公园各建几座？", documents)
    assert set(routed.doc_ids) == {document.doc_id for document in documents} and routed.named_titles == 2


def test_the_clause_bm25_ranks_first_with_every_word_of_the_question_comes_first(extra_ask):
    # the heading channel votes for a section titled "8.1应急避难场所保障"; the annex item uses every word asked
    network = extra_ask("嘉定区突发事件人员转移安置和应急避难场所启用预案中，应急避难场所通信网络建设由哪个部门协调？")
    assert network.departments.responsible == ("区数据局",)


def test_a_place_the_named_document_never_mentions_is_not_answered_from_it(extra_ask):
    province = extra_ask("国务院支持自贸试验区深化改革创新若干措施中，对黑龙江自贸试验区的支持措施由哪个部门负责？")
    assert province.abstained and "未提及“黑龙江”" in province.answer
    county = extra_ask("国务院支持自贸试验区深化改革创新若干措施中，支持平潭口岸建设进境种苗监管作业场所由哪个部门负责？")
    assert county.departments.responsible == ("海关总署",)  # 平潭 is in the notice


def test_a_place_inside_a_word_is_no_place():
    from corpus.places import places_in_words

    assert [place.found for place in places_in_words("静安区“卓越城区”城市更新行动方案")] == ["静安区"]  # not 越城区
    assert [place.found for place in places_in_words("按照上海市消防条例")] == ["上海市"]


def test_a_place_blanked_from_a_question_leaves_the_word_its_suffix_begins():
    from assistant.routing import blank_places

    assert blank_places("黄石市民对城市的满意程度").split() == ["市民对城市的满意程度"]  # 市民, not 民
    assert blank_places("上海市民政局负责什么").split() == ["民政局负责什么"]
    assert blank_places("许昌市民营企业").split() == ["民营企业"]


def test_a_question_about_citizens_of_a_city_is_answered(ask):
    satisfaction = ask("黄石市民对城市的满意程度到2020年要达到多少?")
    assert not satisfaction.abstained and "满意度指数达到85%" in satisfaction.answer


def test_the_unit_a_question_asks_as_the_object_of_a_verb(extra_ask):
    review = extra_ask("按照上海市消防条例，特殊建设工程的消防设计文件由建设单位报送哪个部门审查？")
    assert review.departments.responsible == ("住房城乡建设管理部门",)  # not the 建设单位 that sends it
    assert "报送住房城乡建设管理部门审查" in review.answer


def test_a_document_named_by_a_short_form_of_its_title_leaves_only_the_task(extra_ask):
    network = extra_ask("嘉定区转移安置预案中负责应急避难场所通信网络建设的部门是哪个？")
    assert [word for word, _flag in network.query.terms][:2] == ["应急", "避难"]  # 转移, 安置 named the document
    assert network.departments.responsible == ("区数据局",)


def test_a_units_tasks_asked_in_other_words_and_of_a_role_the_plan_does_not_use(extra_ask):
    plan = "静安区城市更新行动方案中"
    for asked in ("哪些任务由区房管局负责？", "区房管局要做哪些事？", "区房管局的任务有哪些？"):
        tasks = extra_ask(plan + asked)
        assert tasks.intent == "listing" and tasks.answer.startswith("区房管局参与的任务共7项"), asked
    lead = extra_ask(plan + "区房管局牵头哪些任务？")  # the plan names 推进单位 only
    assert lead.answer.startswith("文件未指定牵头单位;区房管局参与的任务共7项")


def test_each_document_of_a_two_document_question_named_by_place_and_short_title(extra_ask):
    parks = extra_ask("松江区城市更新实施计划与静安区城市更新行动方案中，口袋公园分别由哪个部门负责？")
    assert parks.query.doc_ids == ("songjiang_2025_urban_renewal_annual_plan", "jingan_2023_urban_renewal_action_plan")
    assert parks.answer.count("区绿化市容局") == 2  # one line per plan, not the fire rules of 松江区
    duties = extra_ask("松江区消防安全责任制实施细则和嘉定区转移安置预案中，区民防办各负责什么？")
    assert set(duties.query.doc_ids) == {"songjiang_2020_fire_safety_responsibility_rules", "jiading_2025_evacuation_shelter_contingency_plan"}
    assert not duties.abstained  # 嘉定区 names its plan, not a place the rules fail to mention


def test_two_documents_of_one_place_are_told_apart_by_title(extra_ask):
    both = extra_ask("上海市消防条例和上海市城市更新条例各自由哪个部门负责组织实施？")
    lines = both.answer.split("\n")
    assert lines[0].startswith("《上海市消防条例》:") and lines[1].startswith("《上海市城市更新条例》:")


def test_a_second_question_after_who_is_answered_from_the_same_clause(extra_ask):
    both = extra_ask("国务院支持自贸试验区深化改革创新的若干措施里，支持平潭口岸建设进境种苗、水果、食用水生动物等监管作业场所由哪个部门负责？适用于哪个自贸试验区？")
    assert both.departments.responsible == ("海关总署",) and "适用范围：福建自贸试验区" in both.answer
    area = extra_ask("松江区城市更新2025年度实施计划中，低效产业用地处置任务由哪些部门牵头？要完成多少平方公里？")
    assert "完成3.44平方公里低效产业用地处置任务" in area.answer.split("\n")[1]


def test_a_unit_asked_by_an_abbreviation_of_its_name(extra_ask):
    plan = "松江区城市更新2025年度实施计划中，"
    for asked in ("区建管委牵头哪些任务？", "哪些任务由区建管委牵头？", "区建管委牵头几项任务？"):
        tasks = extra_ask(plan + asked)
        assert tasks.answer.startswith("区建设管理委牵头的任务共3项"), asked  # 建管委: 建设管理委's characters in order


def test_a_word_for_stating_after_a_modal_is_the_tasks_own_verb(extra_ask):
    contents = extra_ask("上海市城市更新条例规定，更新行动计划应当明确哪些内容？")
    assert "明确" in contents.query.task  # "规定," refers to the regulation; "应当明确" is what the plan must do
    assert contents.citations[0].clause.endswith("第十七条")
    assert "区域范围、目标定位、更新内容" in contents.answer

"""How plans and regulations assign work in prose (corpus/dev): subjects, duties lines, annex lists, and the
questions built on them: compound questions, effective dates, qualified targets, several figures, fines."""

from __future__ import annotations


def _assignment(document, words: str):
    return next(units for clause in document.clauses for units in clause.assignments if words in units.scope)


def test_the_subject_of_a_plan_sentence_is_responsible_after_an_opening_date(dev_docs):
    plan = dev_docs["chongming_2017_highrise_fire_safety_plan"]
    count = _assignment(plan, "对照标准完成高层建筑底数")  # "1.9月30日前,区建设管理委、区住房保障房屋管理局对照标准完成…"
    assert count.responsible == ("区建设管理委", "区住房保障房屋管理局") and not count.lead


def test_a_joint_part_keeps_every_subject_of_its_sentence(dev_docs):
    plan = dev_docs["chongming_2017_highrise_fire_safety_plan"]
    credit = _assignment(plan, "纳入征信体系")  # "区公安分局和区公安消防支队列出…清单,会同区发展改革委、区市场监管局等部门…"
    assert credit.lead == ("区公安分局", "区公安消防支队")
    assert credit.cooperate == ("区发展改革委", "区市场监管局")


def test_a_unit_line_keeps_its_later_duties_and_an_annex_list_is_not_a_section(dev_docs):
    plan = dev_docs["fengxian_2022_emergency_shelter_plan"]
    education = _assignment(plan, "区教育局")
    assert education.responsible == ("区教育局",)
    assert "在学校建设应急避难场所" in education.scope and "经费预算" in education.scope  # "负责A;负责B;负责C"
    duties = next(clause for clause in plan.clauses if clause.heading.startswith("五、"))
    assert all(not clause.label.startswith(duties.label + " > ") for clause in plan.clauses)  # 附表 items are not under 五、
    towns = _assignment(plan, "头桥集团:") if "头桥集团:" in duties.text else _assignment(plan, "头桥集团：")
    assert towns.responsible == ("各镇政府", "街道（开发区）办事处", "头桥集团")


def test_the_verb_of_each_duty_gives_the_units_role_in_it(dev_docs):
    plan = dev_docs["fengxian_2022_emergency_shelter_plan"]
    roles = [units for clause in plan.clauses for units in clause.assignments if "区应急管理局" in units.all()]
    joins = next(units for units in roles if "参与制定区级应急避难场所专业规划" in units.scope)  # "区应急管理局:参与制定…"
    assert joins.cooperate == ("区应急管理局",) and not joins.responsible
    opens = next(units for units in roles if "负责全区应急避难场所启用" in units.scope)  # "…;负责全区应急避难场所启用"
    assert opens.responsible == ("区应急管理局",) and "参与" not in opens.scope


def test_a_question_asking_two_roles_gets_both_and_a_plan_named_in_it_is_its_task(dev_ask):
    answer = dev_ask("奉贤区的区级应急避难场所专业规划，哪个部门负责制定，哪个部门参与制定？")
    assert answer.departments.responsible == ("区民防办",) and answer.departments.cooperate == ("区应急管理局",)
    assert "规划" in answer.query.task  # "专业规划" is the task
    task = dev_ask("奉贤区应急避难场所实施方案里，区级应急避难场所专业规划和年度建设计划由哪个部门负责制定？").query.task
    assert "规划" in task and "计划" in task and "方案" not in task  # "实施方案里" refers to the document


def test_a_unit_with_its_other_name_in_brackets_opens_its_line(dev_docs):
    plan = dev_docs["fengxian_2022_emergency_shelter_plan"]
    assert _assignment(plan, "大型商超场所").responsible == ("区经委（商务委）",)  # "区经委（商务委）:负责指导、监督…"
    regulation = dev_docs["shanghai_2020_bus_tram_passenger_transport_regulation"]
    assert not any("以下简称" in unit for clause in regulation.clauses for unit in clause.units.all())


def test_a_span_running_past_a_name_into_its_sentence_is_no_unit(dev_docs):
    units = {unit for document in dev_docs.values() for clause in document.clauses for unit in clause.units.all()}
    assert {"市财政部门", "各县、市、区人民政府", "各试点城市政府", "地方各级人民政府"} & units  # names kept
    overrun = [unit for unit in units if unit.startswith("本条例") or "按照" in unit or unit.endswith(("年度政府", "坚持政府", "的政府"))]
    assert overrun == []  # "本条例所称市本级政府…", "项目建设单位按照…实施政府", "列入重点工程的政府"


def test_a_part_naming_its_agent_with_by_assigns_it(dev_docs):
    regulation = dev_docs["henan_2011_agri_comprehensive_development_regulation"]
    audit = _assignment(regulation, "由省审计部门组织")  # "…函告省审计部门,由省审计部门组织对…竣工项目进行审计"
    assert audit.responsible == ("省审计部门",)
    rail = dev_docs["beijing_2014_rail_transit_operation_safety_regulation"]
    penalties = {unit for clause in rail.clauses if clause.heading == "第六十五条" for unit in clause.units.all()}
    assert penalties == {"市交通行政管理部门"}  # "由市交通行政管理部门责令改正…": 行政 goes on, no unit "市交通行"


def test_the_object_of_a_responsibility_is_not_a_unit(dev_docs):
    regulation = dev_docs["luoyang_2013_gov_investment_projects_regulation"]
    assert _assignment(regulation, "由项目法人对项目的策划").responsible == ("项目法人",)  # not 资金筹措、建设实施…


def test_prose_beside_a_parenthetical_statement_still_assigns(dev_docs):
    plan = dev_docs["national_2019_vocational_education_reform"]
    clause = next(clause for clause in plan.clauses if "启动1+X证书制度试点工作" in clause.heading)
    # "…(技工院校内由人力资源社会保障行政部门负责),…,国务院教育行政部门依照职业标准牵头组织开发教学等相关标准。"
    assert [units.responsible for units in clause.assignments if units.responsible] == [("人力资源社会保障行政部门",)]
    assert [units.lead for units in clause.assignments if units.lead] == [("国务院教育行政部门",)]
    labelled = dev_docs["national_2018_zero_waste_city_pilot"]
    guided = _assignment(labelled, "优化固体废物管理体制机制")  # "(生态环境部指导,试点城市政府负责落实。…)"
    assert "生态环境部" in guided.responsible and not any(unit.startswith("(") or unit.startswith("（") for unit in guided.all())


def test_government_departments_in_general_are_not_a_unit(dev_docs):
    regulation = dev_docs["beijing_2014_rail_transit_operation_safety_regulation"]
    plan = _assignment(regulation, "专项应急预案，报市人民政府批准")  # "会同政府有关部门及相关单位制定…"
    assert plan.lead == ("市交通行政主管部门",) and plan.cooperate == ()


def test_a_listing_shows_each_units_own_duties(dev_ask):
    answer = dev_ask("奉贤区应急避难场所建设实施方案中，区教育局负责哪些工作？")
    assert not answer.abstained and "在学校建设应急避难场所" in answer.answer
    article = dev_ask("洛阳市政府投资项目管理条例中，市财政部门负责哪些事项？")
    assert "工程预算核定" in article.answer and "绩效评价" in article.answer  # not bare "第四条", "第二十五条"


def test_a_place_beside_a_title_names_its_documents_too(dev_ask):
    answer = dev_ask("奉贤区应急避难场所实施方案和崇明区高层建筑消防安全综合治理工作方案中，经费保障分别由哪个部门负责？")
    cited = {citation.doc_id for citation in answer.citations}
    assert cited == {"fengxian_2022_emergency_shelter_plan", "chongming_2017_highrise_fire_safety_plan"}
    assert "现有文件只涉及" not in answer.answer  # 奉贤区 has a document: it is not an unknown place


def test_places_with_their_own_tasks_are_asked_one_by_one(dev_docs):
    from assistant.compound import split_compound

    documents = tuple(dev_docs.values())
    parts = split_compound("奉贤区应急避难场所的建设规划和崇明区高层建筑的消防安全检查分别由哪个部门负责？", documents)
    assert [doc_ids for _part, doc_ids in parts] == [("fengxian_2022_emergency_shelter_plan",), ("chongming_2017_highrise_fire_safety_plan",)]
    assert parts[0][0].endswith("由哪个部门负责?") and "分别" not in parts[0][0]
    assert split_compound("北京市和上海市分别由哪个部门负责大气污染防治？", documents) == ()  # one task, shared


def test_a_documents_own_topic_is_its_task(dev_ask):
    answer = dev_ask("上海市由哪个部门负责大气污染防治？")
    assert answer.query.task == "大气污染防治" and answer.query.whole_document
    assert answer.citations[0].clause.startswith("第一章") and any(answer.departments.responsible + answer.departments.lead)  # 总则, not "(一)大气污染源信息"


def test_a_compound_question_is_answered_document_by_document(dev_ask):
    answer = dev_ask(
        "消费扶贫指导意见中“打通供应链条”由哪些单位负责？农机化指导意见中“提高农机作业便利程度”由哪个部门牵头？"
    )
    cited = [citation.doc_id for citation in answer.citations]
    assert cited[:2] == ["national_2018_consumption_poverty_alleviation", "national_2018_agri_mechanization"]
    assert "商务部" in answer.departments.responsible and answer.departments.lead == ("农业农村部",)


def test_a_regulation_of_another_place_with_the_same_title_is_not_answered(dev_ask):
    answer = dev_ask("广州市政府投资项目管理条例中，政府投资项目的工程预算由哪个部门核定？")
    assert answer.abstained and "广州市" in answer.answer


def test_effective_dates_come_from_the_final_provisions(dev_ask):
    answer = dev_ask("洛阳市政府投资项目管理条例和河南省农业综合开发条例分别从什么时候开始施行？")
    assert not answer.abstained and answer.answer.count("起施行") == 2
    assert {citation.doc_id for citation in answer.citations} == {
        "luoyang_2013_gov_investment_projects_regulation",
        "henan_2011_agri_comprehensive_development_regulation",
    }


def test_a_target_is_chosen_by_what_qualifies_it(dev_ask):
    answer = dev_ask("农机化指导意见提出，到2025年丘陵山区县农作物耕种收综合机械化率要达到多少？")
    assert "55%" in answer.answer and "70%" not in answer.answer  # not the national target's sentence


def test_several_figures_asked_are_all_answered(dev_ask):
    answer = dev_ask("国发〔2018〕39号文件规定，个人自主创业和小微企业分别最高可以申请多少创业担保贷款？")
    assert "15万元" in answer.answer and "300万元" in answer.answer


def test_a_figure_in_the_measure_asked_and_both_bounds_in_one_sentence(dev_ask):
    meetings = dev_ask("国家职业教育改革实施方案里，职业教育工作部际联席会议一年要开几回会？")
    assert "两次" in meetings.answer  # "每年召开两次会议", not the heading the question's words also match
    bounds = dev_ask("北京市轨道交通运营安全条例规定，轨道交通试运营期间，试运营时间最短多长、最长多久？")
    assert "1年" in bounds.answer and "3年" in bounds.answer  # "试运营的时间不得少于1年且不得超过3年"


def test_a_person_in_charge_is_not_a_role_asked(dev_ask):
    answer = dev_ask("崇明区高层建筑消防安全综合治理工作中，报送负责领导、联络员名单的联系人是谁？")
    assert answer.intent == "person" and "许海挺" in answer.answer  # "负责领导" names people, it asks no 负责 unit


def test_a_sum_is_looked_for_in_the_part_of_an_article_the_question_is_about(dev_ask):
    fireworks = dev_ask("上海市大气污染防治条例中，拒不执行禁止燃放烟花爆竹措施的，罚款多少元？")
    assert fireworks.abstained  # "…禁止燃放烟花爆竹措施的,由公安机关依照有关规定予以处罚": no sum in that part
    dust = dev_ask("上海市大气污染防治条例中，拒不执行扬尘管控措施的，罚款多少？")
    assert not dust.abstained and "一万元以上十万元以下" in dust.answer


def test_a_who_question_on_a_clause_naming_no_unit_is_not_answered_by_its_heading(dev_ask):
    answer = dev_ask("推广第二批支持创新相关改革举措的通知里，军民深度融合方面第16项举措由哪些部门指导推广？")
    assert answer.abstained and "未写明" in answer.answer  # the rows were cut at publication: "(四)军民深度融合方面6项" only


def test_a_fine_stated_as_a_share_and_the_fine_for_an_item_are_sums(dev_ask):
    share = dev_ask("河南省农业综合开发条例规定，企业骗取农业综合开发财政资金的，处多少罚款？")
    assert not share.abstained and "百分之十" in share.answer
    item = dev_ask("北京市轨道交通运营安全条例规定，在车站、车厢内派发广告的，罚款多少？")
    assert not item.abstained and "罚款" in item.answer


def test_a_named_section_and_a_statement_of_who_leads(dev_docs, dev_ask):
    plan = dev_docs["fengxian_2022_emergency_shelter_plan"]
    assert _assignment(plan, "条块结合").lead == ("区民防办", "应急管理局")  # 应急 starts a name, not a modal 应
    answer = dev_ask("奉贤区应急避难场所建设实施方案的职责分工中，全区应急避难场所建设工作由哪些部门牵头？")
    assert answer.citations[0].clause == "五、职责分工"  # the section the question names, not an annex list item
    assert answer.departments.lead == ("区民防办", "应急管理局")


def test_words_ending_like_units_are_not_units(dev_docs):
    names = {name for document in dev_docs.values() for clause in document.clauses for units in clause.assignments for name in units.all()}
    for fragment in ("建成覆盖大部", "国务院职业教育工作部", "改善中等职业学校基本办", "职业院", "非道路移动机械具体管理办", "鼓励金融机构"):
        assert fragment not in names  # 大部分, 部际, 办学, 院校, 办法: the word goes on
    assert {"区财政局", "市交通行政主管部门", "区公安消防支队"} <= names


def test_words_only_one_title_has_name_its_document(dev_ask):
    answer = dev_ask("国办那份真抓实干激励通知里，对河湖长制工作推进力度大的省份给予激励，由哪几个部委落实？")
    assert answer.citations and answer.citations[0].doc_id == "national_2018_supervision_incentive_measures"
    assert answer.departments.responsible == ("水利部", "财政部")

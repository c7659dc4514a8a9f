"""Documents the project was not built on (corpus/dev): formats, tables, roles as data, many documents, places."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PROJECT

DEV = PROJECT / "corpus" / "dev"
SEEDS = PROJECT / "corpus" / "documents"


def _clause(document, words: str):
    return next(clause for clause in document.clauses if words in clause.text)


def test_every_dev_document_is_read_with_its_metadata(dev_docs):
    assert len(dev_docs) == 21  # SOURCES.md (English notes) is refused, not read as a policy document
    agri = dev_docs["national_2018_agri_mechanization"]
    assert (agri.doc_number, agri.date, agri.issuer) == ("国发〔2018〕42号", "2018年12月21日", "国务院")
    assert agri.place == ""  # a national document governs no one place
    pv = dev_docs["shanghai_2023_transport_pv_plan"]
    assert pv.title == "上海交通领域光伏推广应用实施方案" and pv.doc_number == "沪交科〔2023〕429号"
    assert "类型" not in pv.title and all("官方链接" not in clause.text for clause in pv.clauses)
    assert dev_docs["chongming_2017_highrise_fire_safety_plan"].place == "崇明区"


def test_labels_are_data():
    from corpus.roles import COOPERATE, LEAD, RESPONSIBLE, label_role

    for label in ("牵头单位", "牵头处室", "牵头指导处室", "委内牵头处室"):
        assert label_role(label) == LEAD
    for label in ("配合单位", "配合部门", "协办", "参与单位"):
        assert label_role(label) == COOPERATE
    for label in ("责任单位", "负责部门", "责任处室", "实施单位", "指导部门", "责 任 单 位"):
        assert label_role(label) == RESPONSIBLE
    assert label_role("完成时限") is None
    assert label_role("牵头领导") is None  # a person or a post, never a unit


def test_units_marked_with_their_own_role_and_other_ways_of_stating_who_leads():
    from corpus.units import extract_units, states_first_listed_leads

    marked = extract_units("推进政务服务标准化。责任单位:市发展改革委为牵头单位,市经信委、市财政局为配合单位")
    assert marked.lead == ("市发展改革委",) and marked.cooperate == ("市经信委", "市财政局")
    with_leader = extract_units("推进政务服务标准化。牵头领导:张三;牵头单位:市发展改革委;协办单位:市经信委、市财政局")
    assert with_leader.lead == ("市发展改革委",) and with_leader.cooperate == ("市经信委", "市财政局")
    overall = extract_units("推进政务服务标准化。(市发展改革委负总责,市经信委、市财政局等参与)")
    assert overall.responsible == ("市发展改革委",) and overall.cooperate == ("市经信委", "市财政局")
    for convention in ("排在首位的为牵头单位", "排名第一的为牵头单位", "列第一位者为牵头单位"):
        text = f"推进政务服务标准化。(责任单位:市发展改革委、市经信委、市财政局,{convention})"
        units = extract_units(text, states_first_listed_leads(text))
        assert units.lead == ("市发展改革委",) and units.cooperate == ("市经信委", "市财政局"), convention
    for sentence in ("由市发展改革委牵头,会同市经信委、市财政局制定实施方案。", "由市发展改革委负责,会同市经信委、市财政局制定实施方案。",
                     "市发展改革委要牵头制定实施方案,市经信委、市财政局要积极配合。"):
        units = extract_units(sentence)  # "X会同Y…": X leads, Y cooperates, after 由 too; a modal before the role
        assert units.lead == ("市发展改革委",) and units.cooperate == ("市经信委", "市财政局"), sentence
    for sentence, lead in (("市场监管总局要发挥牵头作用,加强统筹协调,会同各有关部门共同推进各项工作。", "市场监管总局"),
                           ("地方各级人民政府要出台具体实施办法,建立市场监管部门牵头的联席会议制度。", "市场监管部门")):
        assert extract_units(sentence).lead == (lead,), sentence  # 发挥牵头作用; a body "建立X牵头的…"
    for empty in ("牵头单位:(", "(牵头单位:)", "牵头单位:"):
        assert not extract_units(empty).lead  # an empty list, not an error


def test_labelled_units_in_any_label_of_the_table():
    from corpus.units import extract_units

    units = extract_units("推进政务服务标准化(牵头指导处室:政策法规处;配合单位:市财政局、市统计局;完成时限:2019年底)")
    assert units.lead == ("政策法规处",) and units.cooperate == ("市财政局", "市统计局")


def test_a_stated_convention_makes_the_first_unit_lead(dev_docs):
    clause = _clause(dev_docs["national_2018_agri_mechanization"], "加强农机装备质量可靠性建设")
    assert clause.units.lead == ("市场监管总局",)
    assert clause.units.cooperate == ("工业和信息化部", "发展改革委", "农业农村部")


def test_without_the_convention_every_unit_of_a_list_is_responsible(dev_docs):
    clause = _clause(dev_docs["national_2018_supervision_incentive_measures"], "对棚户区改造、农村危房改造工作积极主动")
    assert clause.units.responsible == ("住房城乡建设部", "国家发展改革委", "财政部") and not clause.units.lead


def test_each_sentence_of_an_article_keeps_its_own_unit(dev_docs):
    from corpus.units import extract_assignments

    article = _clause(dev_docs["luoyang_2013_gov_investment_projects_regulation"], "市财政部门负责组织重大投资项目的绩效评价")
    by_task = {units.responsible[0]: units.scope for units in extract_assignments(article.text) if units.responsible}
    assert "绩效评价" in by_task["市财政部门"] and "绩效评价" not in by_task["市发展改革行政主管部门"]
    joint = _clause(dev_docs["beijing_2014_rail_transit_operation_safety_regulation"], "会同交通主管部门、运营单位制定")
    assert joint.units.lead == ("公安机关",) and joint.units.cooperate == ("交通主管部门", "运营单位")


def test_a_task_table_row_is_a_clause_with_its_guiding_departments(dev_docs):
    document = dev_docs["national_2018_innovation_reforms_table"]
    rows = [clause for clause in document.clauses if clause.text.startswith("序号:")]
    row = next(clause for clause in rows if "以协商估值、坏账分担为核心的中小企业商标质押贷款模式" in clause.text)
    assert row.units.responsible == ("中国人民银行", "中国银保监会", "工业和信息化部", "国家知识产权局")
    assert row.path[0] == "第二批支持创新相关改革举措推广清单" and row.text.startswith("序号:")
    assert len(rows) == 17 and all(clause.path[0] == row.path[0] for clause in rows)


def test_a_flattened_table_is_rebuilt_with_merged_cells_carried_down(dev_docs):
    document = dev_docs["shanghai_2023_transport_pv_plan"]
    rows = [clause for clause in document.clauses if clause.path[0] == "任务分工表"]
    assert len(rows) == 48
    assert rows[1].text == "序号:2 | 事项:“光伏+地铁”工程 | 工作措施:新建高架车站、地面车站、基地库房等要求屋顶光伏覆盖面积达到50% | 责任单位:申通地铁集团"
    port = next(row for row in rows if "结合港口码头既有条件" in row.text)
    assert port.units.responsible == ("上港集团", "市交通委", "市水务局", "各区政府")


def test_answers_over_the_dev_corpus(dev_ask):
    lead = dev_ask("国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见中，“加强农机装备质量可靠性建设”这项任务由哪个部门牵头？")
    assert lead.departments.lead == ("市场监管总局",) and "加强农机装备质量可靠性建设" in lead.citations[0].text
    table = dev_ask("第二批支持创新相关改革举措推广清单里，以地方立法形式建立推动改革创新的决策容错机制，指导部门是哪些？")
    assert table.departments.responsible == ("国家发展改革委", "国务院国资委", "审计署")
    article = dev_ask("洛阳市政府投资项目管理条例规定，重大投资项目的绩效评价由哪个部门负责组织？")
    assert article.departments.responsible == ("市财政部门",) and article.citations[0].clause.endswith("第二十五条")
    fine = dev_ask("北京地铁车站、车厢里发小广告的，会被怎么处罚？罚多少钱？")
    assert not fine.abstained and "处100元以上1000元以下罚款" in fine.answer


def test_rows_under_one_merged_item_cell_answer_for_the_item(dev_ask):
    # rows 16-18 of the task table share the merged 事项 "“光伏+港口”工程"; a question naming a row's own measure gets that row
    item = dev_ask("上海交通领域光伏推广应用实施方案中，“光伏+港口”工程的责任单位有哪些？")
    assert item.departments.responsible == ("上港集团", "市交通委", "市水务局", "各区政府")
    assert "结合港口码头既有条件" in item.citations[0].text
    # the body's own paragraph (with its "(责任单位:…)") is cited first, the annex table's rows after it
    bus = dev_ask("上海交通领域光伏推广应用实施方案里，“光伏+公交”工程由哪些单位负责？")
    assert bus.citations[0].clause.startswith("二、主要任务") and bus.citations[1].clause.startswith("任务分工表 > 13.")
    assert bus.departments.responsible == ("久事集团", "市道路运输局", "各区政府")
    row = dev_ask("上海交通领域光伏推广应用实施方案中，推进沪东码头、冠东码头屋顶光伏设施建设的责任单位有哪些？")
    assert row.departments.responsible == ("上港集团",)


def test_several_documents_of_one_city_are_all_searched(tmp_path):
    """Three Shanghai documents: the place ranks them all; the task picks the clause, never the first file."""
    from assistant import answer
    from index import open_index

    corpus = tmp_path / "library"
    corpus.mkdir()
    for name in ("shanghai_2018_air_pollution_prevention_regulation.md", "shanghai_2020_bus_tram_passenger_transport_regulation.md",
                 "shanghai_2023_transport_pv_plan.md"):  # fmt: skip
        shutil.copy(DEV / name, corpus / name)
    index = open_index(corpus, tmp_path / "index", None)
    pv = answer("上海市“光伏+港口”工程的责任单位有哪些？", index)
    assert pv.citations[0].doc_id == "shanghai_2023_transport_pv_plan"
    assert "上港集团" in pv.departments.responsible
    air = answer("上海市低挥发性有机物含量产品的目录由哪个部门牵头公布？", index)
    assert air.citations[0].doc_id == "shanghai_2018_air_pollution_prevention_regulation"
    assert air.departments.lead == ("市市场监督管理部门",)


def test_a_county_of_a_city_the_corpus_covers_is_not_an_unknown_place(ask):
    result = ask("大冶市在领导小组中的代表是谁?")
    assert not result.abstained and "大冶市" in result.answer
    assert result.citations[0].doc_id == "huangshi-2015-quality-city-opinions"


@pytest.mark.parametrize(
    ("text", "place"),
    [("中共上海市委 上海市人民政府关于加快建设", "上海市"), ("广西壮族自治区人民政府办公厅关于", "广西壮族自治区"),
     ("临夏州2020年产品质量", "临夏回族自治州"), ("上海市崇明区人民政府办公室转发", "崇明区")],
)  # fmt: skip
def test_places_come_from_the_division_list(text, place):
    from corpus.places import find_places, most_specific

    assert most_specific(find_places(text)).name == place


def test_a_common_word_is_not_a_place():
    from corpus.places import find_places

    assert find_places("全年日照时间多少小时") == []


def test_the_place_table_reads_the_tags_jieba_posseg_has():
    """The two-character words' tags, read from jieba's dictionary file without jieba.posseg, are posseg's own."""
    import jieba.posseg

    from corpus.places import _two_character_tags

    tagged = {word: tag for word, tag in jieba.posseg.dt.word_tag_tab.items() if len(word) == 2}
    assert _two_character_tags() == tagged and len(tagged) > 100_000


def test_the_same_answer_from_docx_and_pdf_as_from_txt(tmp_path):
    """Fixtures written in the test from a seed's text: the same cited answer from each format."""
    docx = pytest.importorskip("docx")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from assistant import answer
    from index import open_index

    seed = next(SEEDS.glob("xuancheng*.txt"))
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    question = "宣城提升质量基础保障能力的配合单位有哪些?"
    answers = {}
    for suffix in (".txt", ".docx", ".pdf"):
        folder = tmp_path / suffix.strip(".")
        folder.mkdir()
        target = folder / f"xuancheng{suffix}"
        if suffix == ".txt":
            shutil.copy(seed, target)
        elif suffix == ".docx":
            document = docx.Document()
            for line in lines:
                document.add_paragraph(line)
            document.save(target)
        else:
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            page = canvas.Canvas(str(target), pagesize=A4)
            y = 800
            for line in lines:
                for start in range(0, len(line), 38):  # short lines: each ends where the text does
                    page.setFont("STSong-Light", 10)
                    page.drawString(40, y, line[start : start + 38])
                    y -= 14
                    if y < 40:
                        page.showPage()
                        y = 800
            page.save()
        result = answer(question, open_index(folder, tmp_path / f"index-{suffix.strip('.')}", None))
        answers[suffix] = (result.departments, result.citations[0].clause if result.citations else "")
    assert answers[".txt"][0].cooperate == ("市经信局", "市农业农村局")
    assert answers[".docx"] == answers[".txt"]
    assert answers[".pdf"][0] == answers[".txt"][0]


def test_a_task_that_is_issued_is_no_question_about_the_documents_metadata(dev_ask):
    catalogue = dev_ask("北京市轨道交通运营安全条例中，禁止携带物品目录由哪个部门制定并发布？")
    assert "公安机关" in catalogue.answer and catalogue.citations[0].clause.endswith("第四十一条")
    issued = dev_ask("北京市轨道交通运营安全条例是什么时候发布的？")
    assert "2014年11月28日" in issued.answer and issued.citations[0].clause == "文件信息"


def test_a_figure_stated_in_an_item_of_the_article_that_covers_the_task(dev_ask):
    # "第十三条 …申报产业化经营项目应当具备下列条件:…(三)申报单位经营期在2年以上" (the item alone covers little)
    term = dev_ask("按河南省农业综合开发条例，申报产业化经营项目的单位经营期限至少多少年？")
    assert not term.abstained and "经营期在2年以上" in term.answer
    assert term.citations[0].text.startswith("第十三条") and "（三）申报单位经营期在2年以上" in term.citations[0].text


def test_the_lines_a_preamble_sentence_introduces_are_kept(tmp_path):
    """A notice with no headings: "现将调整后的名单通知如下:" and the member list after it are its text."""
    from assistant import answer
    from corpus import load_document
    from index import open_index

    source = PROJECT / "corpus" / "extra2" / "national_2018_pollution_census_leading_group.html"
    notice = load_document(source)
    assert "魏山忠　　水利部副部长" in notice.clauses[0].text and "办公室主任由生态环境部副部长赵英民兼任" in notice.clauses[0].text
    corpus = tmp_path / "library"
    corpus.mkdir()
    shutil.copy(source, corpus / source.name)
    member = answer("国务院第二次全国污染源普查领导小组成员中，水利部是谁？", open_index(corpus, tmp_path / "index", None))
    assert member.answer.startswith("魏山忠")


def test_a_doc_number_on_its_own_line_above_the_title():
    """A PDF's first lines: the issuers, "发改办财金规〔2019〕860 号" (spaced by the layout), then the title."""
    from corpus import load_document

    notice = load_document(PROJECT / "corpus" / "extra2" / "national_2019_individual_income_tax_credit.pdf")
    assert notice.doc_number == "发改办财金规〔2019〕860号" and notice.title == "关于加强个人所得税纳税信用建设的通知"


def test_a_jointly_issued_document_names_every_issuer(tmp_path):
    """The PDF is signed "国家发展改革委办公厅" and "税务总局办公厅" on two lines above the date: both issued it."""
    from assistant import answer
    from corpus import load_document
    from index import open_index

    source = PROJECT / "corpus" / "extra2" / "national_2019_individual_income_tax_credit.pdf"
    notice = load_document(source)
    assert notice.issuer == "国家发展改革委办公厅、税务总局办公厅"
    assert "税务总局办公厅" not in notice.clauses[-1].text  # the signature is no clause's text
    corpus = tmp_path / "library"
    corpus.mkdir()
    shutil.copy(source, corpus / source.name)
    issuers = answer("关于加强个人所得税纳税信用建设的通知是哪两个单位联合发的？", open_index(corpus, tmp_path / "index", None))
    assert issuers.answer == "《关于加强个人所得税纳税信用建设的通知》的发布机构:国家发展改革委办公厅、税务总局办公厅。"


def test_the_final_article_names_what_it_repeals_and_a_heading_is_answered_by_its_body(tmp_path):
    from assistant import answer
    from index import open_index

    corpus = tmp_path / "library"
    corpus.mkdir()
    for name in ("hangzhou_2019_elevator_safety_regulation.md", "national_2006_olympic_airport_coordination_committee.html"):
        shutil.copy(PROJECT / "corpus" / "extra2" / name, corpus / name)
    index = open_index(corpus, tmp_path / "index", None)
    effective = answer("杭州市电梯安全管理条例什么时候起施行？同时废止了哪个文件？", index)
    assert "自2020年5月1日起施行。《杭州市电梯安全管理办法》同时废止。" in effective.answer
    duties = answer("2008年北京奥运会首都国际机场协调委员会的主要职能有哪些？", index)
    assert duties.answer.startswith("在北京奥运会组委会领导下，研究拟订")  # not the bare heading "一、主要职能"


def test_where_an_office_sits_and_a_place_that_begins_a_titled_name(tmp_path):
    from assistant import answer
    from index import open_index

    corpus = tmp_path / "library"
    corpus.mkdir()
    for name in ("national_2018_pollution_census_leading_group.html", "national_2006_olympic_airport_coordination_committee.html",
                 "hangzhou_2019_elevator_safety_regulation.md"):  # fmt: skip
        shutil.copy(PROJECT / "corpus" / "extra2" / name, corpus / name)
    index = open_index(corpus, tmp_path / "index", None)
    seat = answer("国务院第二次全国污染源普查领导小组办公室设在哪个部门？", index)
    assert seat.answer.startswith("领导小组办公室设在生态环境部")  # not "责任单位:领导小组办公室"
    event = answer("北京奥运会首都国际机场协调委员会是根据国务院第几次常务会议精神组建的？", index)
    assert not event.abstained and "第126次常务会议" in event.answer  # 北京奥运会 is a name in a title, not a place asked about
    foreign = answer("北京市电梯安全由哪个部门负责？", index)
    assert foreign.abstained and "北京" in foreign.answer


def test_a_question_asking_whether_asks_no_figure():
    from assistant.abstention import asks_measure

    assert asks_measure("医保报销比例是多少？") and asks_measure("报销比例比大医院高多少？")
    assert not asks_measure("在社区卫生院看病，医保报销比例跟大医院一样吗？")
    assert asks_measure("报销比例是否达到百分之几？")  # whether, and a figure all the same


def test_the_part_of_a_penalty_whose_condition_the_question_repeats_is_the_part_asked():
    from assistant.abstention import missing_money

    article = "违反本条例第二十七条规定投放生活垃圾的，由城市管理行政执法部门责令改正；拒不改正的，对个人处二百元以下罚款。"
    assert not missing_money("个人不按规定分类投放生活垃圾、拒不改正的，最多罚多少钱？", article)
    assert missing_money("个人不按规定分类投放生活垃圾的，罚多少钱？", "违反规定投放生活垃圾的，责令改正；逾期不改正的，依法处理。")


def test_a_post_asked_with_its_unit_needs_that_unit_in_the_line():
    from assistant.abstention import missing_post

    assert missing_post("领导小组中市民政局局长是谁?", "姜笑山 市财政局局长") == "民政局局长"
    assert missing_post("领导小组办公室副主任是谁？", "郭卫民　　中央宣传部部务会议成员、新闻办副主任") == "办公室副主任"
    assert missing_post("市财政局局长是谁?", "姜笑山 市财政局局长") == ""
    assert missing_post("联合采购办公室主任人选怎么确定？", "联合采购办公室由试点城市各派1名代表组成，主任人选由试点地区推举确定") == ""


def test_a_heading_stating_a_figure_is_no_bare_heading():
    from assistant.sentences import _bare_heading
    from corpus import Clause

    title = Clause("d", 1, ("1.摸底排查",), "1.摸底排查。各地对城镇小区配套幼儿园情况进行全面摸底排查。", 0, 30)
    statement = Clause("d", 2, ("4.完成旧住房修缮更新60万平方米",), "4.完成旧住房修缮更新60万平方米\n区房管局", 0, 30)
    assert _bare_heading("1.摸底排查。", title)
    assert not _bare_heading("4.完成旧住房修缮更新60万平方米", statement)


def test_a_member_line_belongs_to_the_group_labelled_above_it():
    from assistant.sentences import with_group_label

    members = "组　长：韩　正　　国务院副总理\n副组长：丁学东　　国务院副秘书长\n李干杰　　生态环境部部长\n宁吉喆　　统计局局长\n成　员：郭卫民　　中央宣传部部务会议成员"
    assert with_group_label(members, "宁吉喆　　统计局局长") == "副组长:宁吉喆　　统计局局长"
    assert with_group_label(members, "成　员：郭卫民　　中央宣传部部务会议成员") == "成　员：郭卫民　　中央宣传部部务会议成员"


def test_a_unit_introducing_its_short_form_is_in_charge_of_what_it_governs():
    from corpus.units import extract_units

    governs = extract_units("第六条 市城市市容和环境卫生主管部门（以下简称市市容环卫主管部门）主管本市生活垃圾管理工作，负责本条例的组织实施。")
    assert governs.responsible == ("市城市市容和环境卫生主管部门",)
    obliged = extract_units("市生态环境局（以下简称市环保局）应当定期公布空气质量。")
    assert obliged.responsible == ("市生态环境局",)


def test_units_stated_in_the_common_forms_of_plans():
    from corpus.units import extract_units

    prose = extract_units("1.推进产业园区转型升级。区发改委牵头，区财政局、区科委配合。")
    assert (prose.lead, prose.cooperate) == (("区发改委",), ("区财政局", "区科委"))
    square = extract_units("推进产业园区转型升级。【牵头单位：区发改委；配合单位：区财政局】")
    assert (square.lead, square.cooperate) == (("区发改委",), ("区财政局",))  # no "】" in a name
    marked = extract_units("推进产业园区转型升级。【区发改委牵头，区财政局配合】")
    assert (marked.lead, marked.cooperate) == (("区发改委",), ("区财政局",))
    listed = extract_units("3.加快推进老旧小区综合改造（区住建委、区房管局、各街镇）。")
    assert listed.responsible == ("区住建委", "区房管局", "各街镇")
    assert extract_units("3.加快推进老旧小区综合改造（区住建委、区房管局）。", first_listed_leads=True).lead == ("区住建委",)
    # not a list of units: a unit's short name, a date, a table cell, a sentence's own words
    assert not extract_units("各部门将情况报领导小组办公室(省质监局)。").all()
    assert not extract_units("1.完成老旧小区综合改造任务（2025年底前）。").all()
    assert not extract_units("党委统一领导、政府分级负责、社会协同").cooperate


def test_the_agent_after_an_opening_condition():
    from corpus.units import extract_units

    before = extract_units("第十六条 新安装的乘客电梯在交付使用前，建设单位应当完成电梯轿厢和井道通信信号覆盖。")
    assert before.responsible == ("建设单位",)
    case = extract_units("第十一条 电梯存在制造、安装质量问题的，电梯经营单位应当协助电梯使用单位与制造单位协商解决。")
    assert case.responsible == ("电梯经营单位",)
    assert not extract_units("对违反规定的，以及拒不改正的，依法处理。").all()  # a condition names no agent by itself


def test_a_goal_stated_in_words_answers_what_the_goal_is(tmp_path):
    from assistant import answer
    from index import open_index

    corpus = tmp_path / "library"
    corpus.mkdir()
    source = PROJECT / "corpus" / "dev" / "national_2019_comprehensive_bonded_zones.html"
    shutil.copy(source, corpus / source.name)
    index = open_index(corpus, tmp_path / "index", None)
    goal = answer("国务院关于促进综合保税区高水平开放高质量发展的若干意见提出的发展目标是什么？", index)
    assert not goal.abstained and goal.answer.startswith("对标高质量发展要求")
    figure = answer("国务院关于促进综合保税区高水平开放高质量发展的若干意见提出的发展目标是多少亿元？", index)
    assert figure.abstained  # a figure asked, none stated


def test_a_member_line_holding_another_post_does_not_answer_a_post_question(tmp_path):
    from assistant import answer
    from index import open_index

    corpus = tmp_path / "library"
    corpus.mkdir()
    source = PROJECT / "corpus" / "extra2" / "national_2018_pollution_census_leading_group.html"
    shutil.copy(source, corpus / source.name)
    index = open_index(corpus, tmp_path / "index", None)
    head = answer("国务院第二次全国污染源普查领导小组中，办公室主任由谁兼任？", index)
    assert "办公室主任由生态环境部副部长赵英民兼任" in head.answer  # not "张勇 发展改革委副主任"
    assert answer("国务院第二次全国污染源普查领导小组中，组长是谁？", index).answer.startswith("组　长：韩　正")


def test_a_name_spaced_in_a_member_list_is_found_and_whose_body_is_a_person_question(tmp_path):
    from assistant import answer
    from index import open_index
    from index.lexical import tokenize

    assert "韩正" in tokenize("组　长：韩　正　　国务院副总理", None, "bigram")  # one space between two characters is layout
    index = open_index(PROJECT / "corpus" / "extra2", tmp_path / "index", None)
    post = answer("国务院第二次全国污染源普查领导小组中，韩正担任什么职务？", index)
    assert post.answer.startswith("组　长：韩　正　　国务院副总理")
    body = answer("国务院第二次全国污染源普查领导小组中，张勇是哪个部门的？", index)
    assert body.intent == "person" and body.answer.startswith("张　勇　　发展改革委副主任")


def test_a_unit_approving_with_jing_and_when_a_regulation_starts_to_apply(tmp_path):
    from assistant.metadata import asks_effective_date
    from corpus.units import extract_units

    approve = extract_units("需要暂停线路营运的，经市运输管理处或者区运输管理机构批准后，由市运输管理处会同公安部门实施。")
    assert "经市运输管理处或者区运输管理机构" not in approve.all()
    assert extract_units("市经济和信息化委负责推进。").responsible == ("市经济和信息化委",)  # 经济 begins a name
    assert asks_effective_date("这个条例什么时候开始实施？") and asks_effective_date("本条例何时起施行?")
    assert not asks_effective_date("垃圾分类什么时候完成?")


def test_a_units_tasks_asked_by_which_tasks_it_leads_or_has(dev_ask):
    guidance = "农机装备转型升级指导意见里，"
    canonical = dev_ask(guidance + "工业和信息化部牵头哪些任务？")
    assert canonical.answer.startswith("工业和信息化部牵头的任务共4项")
    for asked in ("工业和信息化部是哪些任务的牵头单位？", "工业和信息化部在哪些任务中担任牵头单位？",
                  "工业和信息化部需要牵头落实哪些工作？", "列出工业和信息化部牵头的所有任务", "工业和信息化部牵头的有哪些？"):
        assert dev_ask(guidance + asked).answer == canonical.answer, asked
    every_role = dev_ask(guidance + "工业和信息化部有哪些任务？")
    assert every_role.intent == "listing" and every_role.answer.startswith("工业和信息化部参与的任务共12项")


def test_a_listed_table_row_under_a_shared_item_shows_its_own_measure(dev_ask):
    listing = dev_ask("上海交通领域光伏推进方案中，市交通委负责哪些任务？")
    lines = listing.answer.splitlines()
    assert any(line.startswith("11. 16.“光伏+港口”工程:结合港口码头既有条件") for line in lines)
    assert any(line.startswith("12. 17.“光伏+港口”工程:合理规范利用河道") for line in lines)
    assert any(line.startswith("1. 5.“光伏+港口”工程(") for line in lines)  # the body's own paragraph: its heading alone

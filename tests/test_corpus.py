"""The corpus layer on the real documents: metadata, clause trees, units of every task, targets, chrome."""

from __future__ import annotations

import pytest

from corpus import DocumentError, load_document, load_documents

XUCHANG = "xuchang-2013-action-plan"
LINXIA = "linxia-2013-2020-quality-outline"
XUANCHENG = "xuancheng-2021-quality-opinions"
HUANGSHI = "huangshi-2015-quality-city-opinions"
SHANDONG = "shandong-2016-action-plan"


def clause_starting(document, prefix):
    matches = [c for c in document.clauses if c.heading.startswith(prefix)]
    assert len(matches) == 1, [c.label for c in matches]
    return matches[0]


def test_clause_counts(docs):
    assert {doc_id: len(doc.clauses) for doc_id, doc in docs.items()} == {
        HUANGSHI: 19,
        LINXIA: 33,
        SHANDONG: 22,
        XUANCHENG: 23,
        XUCHANG: 28,
    }


def test_metadata(docs):
    xuchang = docs[XUCHANG]
    assert xuchang.title == "许昌市贯彻落实质量发展纲要深入实施质量立市战略2013年行动计划"
    assert (xuchang.doc_number, xuchang.date, xuchang.place) == ("许政办[2013]54号", "2013年8月15日", "许昌市")
    shandong = docs[SHANDONG]
    assert shandong.title == "山东省贯彻实施质量发展纲要2016年行动计划"
    assert (shandong.issuer, shandong.doc_number, shandong.date) == ("山东省人民政府办公厅", "鲁政办字〔2016〕103号", "2016年7月7日")
    assert docs[HUANGSHI].title == "黄石市人民政府关于实施质量强市战略提升发展质量的意见"
    assert docs[HUANGSHI].date == "2015年11月30日"
    assert docs[LINXIA].title == "临夏州质量发展纲要(2013—2020年)" and docs[LINXIA].place == "临夏州"


def test_untitled_document_gets_a_title_from_its_content(docs):
    xuancheng = docs[XUANCHENG]
    assert xuancheng.title_derived and xuancheng.place == "宣城市"
    assert xuancheng.title == "宣城市推进质量工作“1256”实施意见(2021年)"
    assert not xuancheng.clauses[0].text.startswith("各县")  # the addressee line is not a clause


def test_heading_paths(docs):
    xuchang = docs[XUCHANG]
    assert clause_starting(xuchang, "21.").label == "六、推进质量创新体系建设 > 21.推进检验检测技术平台建设"
    assert [c.heading.split(".")[0] for c in xuchang.clauses[1:]] == [str(n) for n in range(1, 28)]
    shandong = docs[SHANDONG]
    restarted = [c.label for c in shandong.clauses if c.heading.startswith("3.")]
    assert restarted == [
        "二、主要措施 > (一)加强质量基础建设,培育质量和品牌提升新动能 > 3.积极提高劳动者职业技能和质量素养",
        "二、主要措施 > (二)实施创新驱动战略,构筑质量和品牌竞争新优势 > 3.打造品牌发展新优势",
        "二、主要措施 > (三)实施质量提升工程,开创质量和品牌提升新局面 > 3.实施服务业质量提升工程",
        "二、主要措施 > (四)加强质量安全监管,打造质量和品牌提升新环境 > 3.加快质量信用体系建设",
    ]
    linxia = docs[LINXIA]
    assert clause_starting(linxia, "4.环境质量").path == ("一、指导思想、工作方针和发展目标", "(三)发展目标", "4.环境质量")
    # a heading with only a title ("(一)强化企业质量主体作用。") is a path element, not a clause
    assert not [c for c in linxia.clauses if c.text.strip() in ("(一)强化企业质量主体作用。",)]
    assert docs[HUANGSHI].clauses[-1].heading.startswith("附件")


def test_clause_text_is_the_source_text_with_offsets(docs):
    for document in docs.values():
        for clause in document.clauses:
            source = document.text[clause.start : clause.end]
            assert "".join(clause.text.split()) == "".join(source.split()) or clause.heading == "引言"


def test_clause_includes_its_department_line(docs):
    clause = clause_starting(docs[XUCHANG], "19.")
    assert clause.text.startswith("19.开展计量惠民专项行动。")
    assert clause.text.endswith("由市质监局牵头,市发展改革委、工业和信息化局、交通运输局、卫生局配合。")


def test_no_web_chrome_in_any_clause(docs):
    chrome = ("首页", "次阅读", "收藏", "评论", "啤酒与狗友", "相关法律", "询律", "热门推荐", "推荐文章", "查看更多", "索 引 号", "验证码", "标签")
    for document in docs.values():
        for clause in document.clauses:
            for word in chrome:
                assert word not in clause.text, (document.doc_id, clause.label, word)
    annex = docs[HUANGSHI].clauses[-1]
    assert "周蔚芬 常务副市长" in annex.text and "柳旺元同志任办公室副主任" in annex.text
    assert "黄石市人民政府办公室" not in annex.text  # the signature is metadata, not the annex


# --- units: every numbered task of 许昌, 宣城 and 山东 -------------------------------------------

XUCHANG_UNITS = {
    1: (["市质监局"], ["市发展改革委", "工业和信息化局", "统计局"], []),
    2: (["市质监局", "市政府食安办"], ["市发展改革委", "科技局", "工业和信息化局", "商务局", "农业局", "财政(国资)局", "工商局", "畜牧局", "粮食局", "食品药品监管局"], []),
    3: ([], [], ["市住房城乡建设局", "交通运输局", "水利局"]),
    4: (["市质监局"], ["市工商局", "发展改革委", "住房城乡建设局", "交通运输局", "商务局", "旅游局", "银监局"], []),
    5: (["市质监局"], ["市委宣传部", "市总工会", "教育局", "工业和信息化局", "工商局"], []),
    6: ([], [], ["市质监局", "市发展改革委", "科技局", "工业和信息化局", "环保局", "卫生局", "财政(国资)局", "食品药品监管局"]),
    7: (["市质监局"], ["市发展改革委", "教育局", "民政局", "人力资源社会保障局", "环保局", "交通运输局", "商务局", "文化新闻出版局", "卫生局", "安全生产监管局", "旅游局", "邮政局", "通信管理局", "银监局"], []),
    8: (["市农业局"], [], ["质监局", "粮食局", "畜牧局"]),
    9: (["市质监局"], ["市发展改革委", "科技局", "工业和信息化局", "环保局", "农业局", "旅游局"], []),
    10: (["市质监局"], ["市发展改革委", "工业和信息化局", "财政(国资)局", "农业局", "商务局", "工商局", "粮食局"], []),
    11: (["市质监局"], ["发展改革委", "科技局", "工业和信息化局", "旅游局"], []),
    12: ([], [], ["市工业和信息化局", "质监局", "人力资源社会保障局", "财政(国资)局", "食品药品监管局", "市政府食安办"]),
    13: ([], [], ["市工业和信息化局", "质监局", "工商局", "财政(国资)局", "市政府食安办"]),
    14: ([], [], ["市发展改革委", "工业和信息化局", "环保局", "农业局", "卫生局", "工商局", "质监局", "食品药品监管局", "市政府食安办"]),
    15: ([], [], ["市交通运输局", "农业局", "商务局", "卫生局", "财政(国资)局", "工商局", "质监局", "食品药品监管局", "畜牧局", "市政府食安办"]),
    16: ([], [], ["市农业局", "工商局", "质监局", "畜牧局", "粮食局"]),
    17: ([], [], ["市质监局", "市工业和信息化局", "发展改革委", "教育局", "住房城乡建设局", "交通运输局", "商务局", "财政(国资)局", "安全监管局", "南水北调办"]),
    18: (["市质监局"], ["市工业和信息化局", "农业局", "商务局", "卫生局", "公安局", "工商局", "食品药品监管局", "旅游局", "畜牧局", "市政府食安办"], []),
    19: (["市质监局"], ["市发展改革委", "工业和信息化局", "交通运输局", "卫生局"], []),
    20: ([], [], ["市发展改革委", "科技局", "工业和信息化局", "质监局"]),
    21: (["市质监局"], ["市发展改革委", "科技局", "工业和信息化局", "财政(国资)局"], []),
    22: ([], [], ["市质监局", "工业和信息化局", "商务局", "工商局", "食品药品监管局", "粮食局", "市政府食安办", "银监局"]),
    23: ([], [], ["市质监局", "工业和信息化局", "商务局", "工商局", "旅游局"]),
    24: (["市质监局"], ["市质量立市战略工作领导小组成员其他单位"], []),
    25: (["市质监局"], ["市质量立市战略工作领导小组成员其他单位"], []),
    26: (["市质监局"], ["市发展改革委", "工业和信息化局", "财政(国资)局", "人力资源社会保障局", "环保局", "住房城乡建设局", "交通运输局", "商务局", "总工会", "旅游局"], []),
    27: ([], [], ["市财政(国资)局", "发展改革委", "科技局", "国土资源局", "质监局", "编办", "银监局", "各县(市、区)政府"]),
}

MEMBERS = "市质量发展委员会成员单位"
COUNTIES = "各县、市、区人民政府"
XUANCHENG_UNITS = {
    "1.": (["市市场监管局"], [MEMBERS, COUNTIES]),
    "2.": (["市市场监管局"], [MEMBERS, COUNTIES]),
    "3.": (["市市场监管局"], ["市科技局", COUNTIES]),
    "4.": (["市市场监管局"], ["市商务局", "市农业农村局", "市生态环境局", "市数据资源局"]),
    "5.": (["市质量发展委员会办公室", "市市场监管局"], [MEMBERS, COUNTIES]),
    "6.": (["市发改委", "市市场监管局"], []),
    "7.": (["市市场监管局", "市交通运输局", "市生态环境局", "市文旅局", "市农业农村局"], ["市公安局"]),
    "8.": (["市市场监管局"], [MEMBERS, COUNTIES]),
    "9.": (["市司法局"], ["市市场监管局", COUNTIES]),
    "10.": (["市市场监管局"], ["市经信局", "市农业农村局"]),
    "11.": (["市市场监管局", "市经信局", "市发改委"], [MEMBERS]),
    "12.": (["市住建局"], ["市发改委", "市交通运输局", "市水利局"]),
    "13.": (["市发改委", "市商务局", "市文旅局"], ["市市场监管局", "市卫健委", "市交通运输局", "市教体局"]),
    "14.": (["市市场监管局", "市发改委", "市经信局", "市商务局", "市农业农村局"], []),
    "15.": (["市市场监管局", "市住建局", "市农业农村局"], ["市发改委", "市水利局", "市商务局"]),
    "(一)政策激励": (["市市场监管局", "市经信局"], ["市发改委", "市财政局", COUNTIES]),
    "(二)奖补激励": (["市市场监管局", "市财政局"], [MEMBERS, COUNTIES]),
    "(三)信用激励": (["市发改委", "市市场监管局"], []),
    "(二)加强宣传引导": (["市市场监管局"], ["市教体局", "市文旅局"]),
}

SHANDONG_RESPONSIBLE = {
    "1.大力加强质量技术基础建设": ["发展改革", "经济和信息化", "住房城乡建设", "交通运输", "水利", "农业", "林业", "旅游", "质监", "出入境检验检疫"],
    "2.着力强化企业质量管理": ["经济和信息化", "国资", "质监"],
    "3.积极提高劳动者职业技能和质量素养": ["经济和信息化", "教育", "人力资源社会保障", "水利", "质监"],
    "1.打造质量技术新优势": ["发展改革", "经济和信息化", "科技", "知识产权", "中小企业"],
    "2.打造标准化建设新优势": ["财政", "科技", "质监"],
    "3.打造品牌发展新优势": ["经济和信息化", "住房城乡建设", "水利", "农业", "林业", "商务", "旅游", "工商", "质监", "食品药品监管", "出入境检验检疫"],
    "4.打造外贸竞争新优势": ["发展改革", "商务", "海关", "出入境检验检疫"],
    "1.实施现代农业质量提升工程": ["农业", "林业"],
    "2.实施制造业质量提升工程": ["发展改革", "经济和信息化", "环保", "工商", "质监"],
    "3.实施服务业质量提升工程": ["发展改革", "经济和信息化", "商务", "卫生计生", "旅游", "金融"],
    "4.实施工程质量提升工程": ["住房城乡建设", "交通运输", "水利"],
    "5.实施大气环境质量提升工程": ["经济和信息化", "环保"],
    "6.实施电子商务产业质量提升工程": ["经济和信息化", "公安", "商务", "工商", "质监", "出入境检验检疫"],
    "1.强化重点领域质量安全监管": ["公安", "住房城乡建设", "交通运输", "水利", "农业", "工商", "质监", "食品药品监管", "出入境检验检疫"],
    "2.加强质量安全风险研判": ["经济和信息化", "教育", "住房城乡建设", "水利", "农业", "商务", "质监", "食品药品监管", "出入境检验检疫"],
    "3.加快质量信用体系建设": ["发展和改革", "住房城乡建设", "交通运输", "水利", "商务", "旅游", "工商", "质监"],
    "4.充分发挥各类媒体的宣传和监督作用": ["宣传", "经济和信息化", "商务", "新闻出版广电", "工商", "质监", "金融", "出入境检验检疫"],
}


@pytest.mark.parametrize("number", sorted(XUCHANG_UNITS))
def test_xuchang_units_of_every_task(docs, number):
    clause = clause_starting(docs[XUCHANG], f"{number}.")
    lead, cooperate, responsible = XUCHANG_UNITS[number]
    assert (list(clause.units.lead), list(clause.units.cooperate), list(clause.units.responsible)) == (lead, cooperate, responsible)


@pytest.mark.parametrize("prefix", sorted(XUANCHENG_UNITS))
def test_xuancheng_units_of_every_task(docs, prefix):
    clause = clause_starting(docs[XUANCHENG], prefix)
    lead, cooperate = XUANCHENG_UNITS[prefix]
    assert (list(clause.units.lead), list(clause.units.cooperate), clause.units.responsible) == (lead, cooperate, ())


def test_shandong_units_of_every_task(docs):
    tasks = [c for c in docs[SHANDONG].clauses if c.units]
    assert {c.heading: list(c.units.responsible) for c in tasks} == SHANDONG_RESPONSIBLE
    assert all(not c.units.lead and not c.units.cooperate for c in tasks)


def test_unit_sentence_is_quoted_from_the_source(docs):
    clause = clause_starting(docs[XUCHANG], "8.")
    assert clause.units.sentence == "由市农业局牵头,质监局、粮食局、畜牧局负责落实。"
    assert clause.units.sentence in clause.text


def test_prose_units_in_linxia(docs):
    clause = [c for c in docs[LINXIA].clauses if c.label == "四、组织实施 > (一)加强组织领导"][0]
    # "本纲要由州推进质量振兴工作领导小组负责组织实施。2015年前,州推进质量振兴工作领导小组办公室每年…制订年度行动计划"
    assert clause.units.responsible == ("州推进质量振兴工作领导小组", "州推进质量振兴工作领导小组办公室")
    planning = [units for units in clause.assignments if "年度行动计划" in units.scope][0]
    assert planning.responsible == ("州推进质量振兴工作领导小组办公室",)


# --- targets -----------------------------------------------------------------------------------


def test_targets_with_year_inherited_from_the_heading_above(docs):
    clause = clause_starting(docs[LINXIA], "1.产品质量")
    target = [t for t in clause.targets if t.metric == "产品质量监督抽查合格率"][0]
    assert (target.figure, target.value, target.unit, target.qualifier, target.year) == ("95%", 95.0, "%", "以上", 2020)
    assert target.phrase == "产品质量监督抽查合格率达到95%以上"


def test_targets_with_their_own_year(docs):
    environment = clause_starting(docs[LINXIA], "4.环境质量")
    water = [t for t in environment.targets if t.metric == "城镇集中式饮用水水源地水质达标率"][0]
    assert (water.figure, water.year) == ("95%", 2015)
    brands = clause_starting(docs[XUANCHENG], "14.")
    trademarks = [t for t in brands.targets if "商标拥有量" in t.metric][0]
    assert (trademarks.figure, trademarks.year) == ("1200件", 2025)
    goals = [c for c in docs[HUANGSHI].clauses if c.heading == "(三)总体目标"][0]
    assert [(t.metric, t.figure, t.year) for t in goals.targets] == [
        ("制造业质量竞争力指数", "90%", 2020),
        ("城市质量强度指数", "85%", 2020),
        ("城市居民满意度指数", "85%", 2020),
    ]


def test_every_document_loads(corpus_dir):
    assert len(load_documents(corpus_dir)) == 5

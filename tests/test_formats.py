"""Documents the project has not seen: other numbering, labels, punctuation, encodings and bad files."""

from __future__ import annotations

import pytest

from corpus import DocumentError, load_document


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


ARTICLES = """某某市质量奖管理办法
第一条 为规范质量奖评审工作,制定本办法。
第二条 市质量奖评审工作由市市场监管局会同市财政局、市工信局组织实施。
第三条 获奖组织由市财政给予一次性奖励20万元。
"""


def test_articles_of_a_measure(tmp_path):
    document = load_document(write(tmp_path, "measure.txt", ARTICLES))
    assert document.title == "某某市质量奖管理办法" and document.place == "某某市"
    assert [c.heading for c in document.clauses] == ["第一条", "第二条", "第三条"]
    second = document.clauses[1]
    assert second.units.lead == ("市市场监管局",) and second.units.cooperate == ("市财政局", "市工信局")
    assert document.clauses[2].units.lead == ()  # "由市财政给予…奖励" names who pays, not who leads


FULL_WIDTH = """某县2024年质量提升行动方案
一、重点任务
１．推进标准化建设。开展标准化试点示范。
牵头单位：县市场监管局
配合单位：县发改局、各乡（镇）人民政府
２．提升服务质量。开展满意度测评。（责任单位：县商务局（牵头）、县文旅局）
二、保障措施
１．加强组织领导。县市场监管局会同县财政局等部门负责统筹推进。
"""


def test_full_width_punctuation_labels_on_their_own_lines_and_restarted_numbering(tmp_path):
    document = load_document(write(tmp_path, "plan.txt", FULL_WIDTH))
    assert [c.label for c in document.clauses] == [
        "一、重点任务 > １．推进标准化建设",
        "一、重点任务 > ２．提升服务质量",
        "二、保障措施 > １．加强组织领导",
    ]
    first, second, third = document.clauses
    assert first.units.lead == ("县市场监管局",)
    assert first.units.cooperate == ("县发改局", "各乡（镇）人民政府")  # quoted with the document's own brackets
    assert second.units.lead == ("县商务局",) and second.units.responsible == ("县文旅局",)
    assert third.units.lead == ("县市场监管局",) and third.units.cooperate == ("县财政局",)


def test_gbk_document_without_title(tmp_path):
    text = "各乡镇人民政府:\n为做好质量工作,制定本实施方案。\n一、工作目标\n到2025年,产品质量监督抽查合格率达到96%以上。(牵头单位:县市场监管局)\n"
    document = load_document(write(tmp_path, "gbk.txt", text, encoding="gbk"))
    assert document.title_derived and "实施方案" in document.title
    clause = document.clauses[-1]
    assert clause.units.lead == ("县市场监管局",)
    assert [(t.metric, t.figure, t.year) for t in clause.targets] == [("产品质量监督抽查合格率", "96%", 2025)]


@pytest.mark.parametrize(
    "content, reason",
    [(b"\x00\x01\x02binary\x00junk" * 50, "二进制"), (b"", "空的"), (b"only ascii words here\n", "中文")],
)
def test_bad_files_are_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        load_document(path)


DEADLINES = """某市2024年优化营商环境工作要点
一、提升政务服务效能
1、推进“一网通办”。全面推行政务服务事项网上办理。（责任单位：市数据资源局、市政务服务中心；完成时限：2024年12月底）
2、压缩审批时限。工程建设项目审批时间压减至60个工作日以内。
牵头部门：市住建局 配合部门：市自然资源和规划局、市发改委
"""


def test_other_labels_end_a_unit_list_and_time_limits_are_targets(tmp_path):
    first, second = load_document(write(tmp_path, "points.txt", DEADLINES)).clauses
    assert first.label == "一、提升政务服务效能 > 1、推进“一网通办”"
    assert first.units.responsible == ("市数据资源局", "市政务服务中心")  # not "完成时限:…"
    assert second.units.lead == ("市住建局",) and second.units.cooperate == ("市自然资源和规划局", "市发改委")
    assert [(t.metric, t.figure, t.qualifier) for t in second.targets] == [("工程建设项目审批时间", "60个工作日", "以内")]

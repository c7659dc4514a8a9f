"""Unit names reduced to a comparable key, so 质监局, 市质监局 and 市质量技术监督局 are found together."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.text import nfkc, quiet_jieba

# Full names and their usual short forms in government documents (longest first).
_SHORT_FORMS = (
    ("质量技术监督局", "质监局"),
    ("市场监督管理局", "市场监管局"),
    ("发展和改革委员会", "发改委"),
    ("发展改革委员会", "发改委"),
    ("发展改革委", "发改委"),
    ("发展和改革", "发改"),
    ("发展改革", "发改"),
    ("住房和城乡建设局", "住建局"),
    ("住房城乡建设局", "住建局"),
    ("住房和城乡建设", "住建"),
    ("住房城乡建设", "住建"),
    ("经济和信息化委员会", "经信委"),
    ("经济和信息化局", "经信局"),
    ("经济和信息化", "经信"),
    ("工业和信息化局", "工信局"),
    ("工业和信息化", "工信"),
    ("食品药品监督管理局", "食药监局"),
    ("食品药品监管局", "食药监局"),
    ("人力资源和社会保障局", "人社局"),
    ("人力资源社会保障局", "人社局"),
    ("生态环境局", "环保局"),
    ("环境保护局", "环保局"),
    ("工商行政管理局", "工商局"),
    ("卫生和计划生育委员会", "卫计委"),
    ("安全生产监督管理局", "安监局"),
    ("安全生产监管局", "安监局"),
    ("安全监管局", "安监局"),
)
ORGAN_SUFFIX = re.compile(r"(?:局|委员会|委|厅)$")
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|市|州)(?=[\u4e00-\u9fff]{2})")
_LEVEL_PREFIX = re.compile(r"^[市省州县区](?![委政场])(?=[\u4e00-\u9fff]{2})")


def unit_key(name: str) -> str:
    """A key for comparing unit names: no level prefix (市/省/…), short forms for long names."""
    key = re.sub(r"\s", "", nfkc(name))
    without_place = _PLACE_PREFIX.sub("", key, count=1)
    key = without_place if without_place != key else _LEVEL_PREFIX.sub("", key, count=1)
    for long, short in _SHORT_FORMS:
        key = key.replace(long, short)
    return key


def department_key(name: str) -> str:
    """unit_key without the organ suffix, so 市质监局, 质监局 and a bare 质监 (as some documents write it) are one department."""
    key = unit_key(name)
    stripped = ORGAN_SUFFIX.sub("", key)
    return stripped if len(stripped) >= 2 else key


# Grammar, not names: a unit's name never opens with a preposition, conjunction or pronoun (as a whole word, so
# 当地政府, 对外贸易委员会 and 其他… are not caught), nor with a verb whose object is a unit ("指导、督促物业服务企业",
# "协助市交通执法部门"). Spans that do ran from the sentence into a name ("当接到市级应急指挥部", "其权属或管理单位").
_FUNCTION_WORDS = frozenset("当 在 对 向 从 于 自 并 且 及 或 其 该 此 如 若 凡 以 把 将 被 按 按照 依照 依据 根据 参照 通过 经 未经 为 及时".split())
_GOVERNING_VERBS = ("指导", "督促", "协助", "配合", "依法", "自行", "会同", "委托", "符合", "接到", "接收", "拒绝")


def opens_like_a_name(span: str) -> bool:
    """Whether a span could open a unit's name: no function word or governing verb first."""
    span = nfkc(span).strip()
    if span.startswith(_GOVERNING_VERBS):
        return False
    return _first_word(span[:8]) not in _FUNCTION_WORDS


@lru_cache(maxsize=65536)
def _first_word(text: str) -> str:
    """jieba's first word of a text ("" for none): unit names open alike, so most are segmented once."""
    words = quiet_jieba().lcut(text)
    return words[0] if words else ""

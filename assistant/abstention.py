"""When the documents do not answer: a year, a sum or a post the documents never give."""

from __future__ import annotations

import functools
import re

from assistant.records import Query
from corpus import Document
from corpus.text import nfkc, quiet_jieba

_MONEY_QUESTION = re.compile(r"多少|几")
NUMERAL = r"(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千两]+)"
# A sum as documents state it: an amount of money, or a share or multiple of one ("处骗取资金百分之十以上…的罚款",
# "处违法所得一倍以上三倍以下罚款").
_CURRENCY = re.compile(rf"{NUMERAL}\s*[万亿]?元")
_PROPORTION = re.compile(rf"百分之[零〇一二三四五六七八九十百]+|\d+(?:\.\d+)?%|{NUMERAL}倍")
MONEY = re.compile(f"{_CURRENCY.pattern}|{_PROPORTION.pattern}")
_ASKS_CURRENCY = re.compile(r"多少(?:万|亿)?元|多少钱|金额")
# A figure as documents write it: digits, 百分之五十, 三十日, 一亿元.
# (Chinese numerals only before a measure word: 统一, 一律 and 进一步 state no figure.)
_MEASURE_WORDS = (
    "元|日|天|个月|月|年|周岁|岁|周|小时|分钟|秒|人次|人|名|位|户|家|项|个|件|倍|次|遍|轮|批|期|届|公里|千米|米|平方米|"
    "立方米|亩|公顷|吨|千瓦|所|座|处|台|辆|层|条|间|张|份|类|种|级|支|班"
)
FIGURE = re.compile(rf"\d|百分之[零〇一二三四五六七八九十百]+|{NUMERAL}[万亿]?(?:{_MEASURE_WORDS})")
# The measure a question asks (its words after 几 / 多少) → how documents write a figure in it.
_MEASURES = (
    (r"几(?:回|次|遍)|多少(?:回|次)", r"次|回"),
    (r"几(?:天|日)|多少(?:天|日|个工作日)", r"日|天"),
    (r"几个?月|多少个月", r"个?月"),
    (r"几年|多少年|多少周年", r"年(?!度)"),
    (r"几个?小时|多少(?:个)?小时", r"小时"),
    (r"多久|多长(?:时间)?|期限", r"年(?!度)|个?月|日|天|小时|分钟|秒|周"),
    (r"几(?:人|名|位)|多少(?:人|名|位)", r"人|名"),
    (r"几家|多少家", r"家"),
    (r"几项|多少项", r"项"),
    (r"几个|多少个", r"个"),
    (r"几所|多少所", r"所"),
    (r"多少(?:万|亿)?元|多少钱", r"(?:万|亿)?元"),
    (r"比例|比重|百分之几|多少%|率|降幅|增幅|幅度", r"%|成"),
)
# A member list: a two- or three-character name, then spaces, then the post ("张　勇　　发展改革委副主任"); an
# article's number before its text ("第九条 本市…") is not a name.
_LISTED_NAME = re.compile(
    r"(?:^|[:\s])(?!第[一二三四五六七八九十百零\d]+[条章节])[\u4e00-\u9fff]\s?[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff])?\s+\S{2,}"
    r"|[\u4e00-\u9fff]{2,3}同志"
)
# A question asking whether something holds, and one asking a figure all the same ("是否达到多少?").
_ASKS_WHETHER = re.compile(r"吗\s*[?？]?\s*$|是否|能不能|可不可以|是不是|有没有|能否|可否")
_FIGURE_ASKED = re.compile(r"多少|几|多久|多长")
_POSTS = re.compile(r"(?:常务)?副?(?:组长|市长|局长|主任|书记|秘书长|县长|区长|州长|省长|行长|关长|董事长|部长)")


def scope_text(documents: tuple[Document, ...]) -> str:
    """The NFKC text of the clauses of the documents a question is about (computed once per question)."""
    return nfkc("\n".join(clause.text for document in documents for clause in document.clauses))


def unattested_year(query: Query, text: str) -> bool:
    return query.year is not None and str(query.year) not in text


def missing_money(question: str, sentence: str) -> bool:
    """An amount question ("奖励多少?") whose answering sentence states no sum of money, in the part of it that
    the question is about ("…处二万元以上罚款;拒不执行禁止燃放烟花爆竹措施的,由公安机关依照有关规定予以处罚")."""
    sentence = _part_asked(nfkc(question), nfkc(sentence))
    if not _MONEY_QUESTION.search(question) or _CURRENCY.search(sentence):
        return False
    return bool(_ASKS_CURRENCY.search(nfkc(question))) or not _PROPORTION.search(sentence)


def _part_asked(question: str, sentence: str) -> str:
    """Of a sentence's ;-separated parts, the one whose condition the question repeats ("…责令改正;拒不改正的,对个人
    处二百元以下罚款" asked "拒不改正的,最多罚多少?"), else the one sharing most character pairs with it (the first at a tie)."""
    parts = [part for part in re.split(r"[;；]", sentence) if part.strip()]
    if len(parts) < 2:
        return sentence
    for part in parts[1:]:
        condition = re.match(r"\s*([^,，]{2,15}的)[,，]", part)
        if condition and condition.group(1) in question:
            return part
    asked = {question[i : i + 2] for i in range(len(question) - 1)}
    return max(parts, key=lambda part: len(asked & {part[i : i + 2] for i in range(len(part) - 1)}))


# A post asked with the unit it is held in, the unit's last three characters: "民政局局长", "办公室副主任".
# The line names that unit before the post, in the same sentence, at most this many characters before it
# ("联合采购办公室由试点城市各派1名代表组成,主任人选由…").
_UNIT_POST = re.compile(rf"([\u4e00-\u9fff]{{2}}[局委厅办部室署])({_POSTS.pattern})")
UNIT_TO_POST = 20


def missing_post(question: str, line: str) -> str:
    """The post a person question asks about ("局长", "常务副市长") when the answering line does not name it."""
    norm_line = re.sub(r"\s+", "", nfkc(line))
    for held in _UNIT_POST.finditer(nfkc(question)):  # "市民政局局长" is not answered by "市财政局局长"
        if not re.search(rf"{held.group(1)}[^。;]{{0,{UNIT_TO_POST}}}?{held.group(2)}", norm_line):
            return held.group(0)
    for post in _POSTS.findall(nfkc(question)):
        exact = post if post.startswith(("副", "常务")) else f"(?<!副){post}"
        if not re.search(exact, norm_line):
            return post
    return ""


def asks_post(question: str) -> bool:
    return bool(_POSTS.search(nfkc(question)))


def names_a_person(line: str) -> bool:
    """Whether a line names a person: a member-list line ("董卫民 市长") or a name jieba recognises."""
    if _LISTED_NAME.search(nfkc(line)):
        return True
    if len(line) > 40:  # in long prose jieba's name tags are mostly false (地名, 术语)
        return False
    quiet_jieba()
    import jieba.posseg  # noqa: PLC0415

    return any(pair.flag == "nr" and len(pair.word) >= 2 for pair in jieba.posseg.cut(nfkc(line)))


def asks_measure(question: str) -> bool:
    """Whether a question asks a figure in a measure ("几回", "多少天", "多久", "比例", "多少亿元"), not whether
    something holds ("报销比例跟大医院一样吗?")."""
    norm = nfkc(question)
    return bool(_measures_asked(norm)) and not (_ASKS_WHETHER.search(norm) and not _FIGURE_ASKED.search(norm))


def states_measure(question: str, sentence: str) -> bool:
    """Whether a sentence states a figure in a measure the question asks (a share also as 百分之…, 五分之一)."""
    sentence = nfkc(sentence)
    return any(
        re.search(rf"{NUMERAL}\s*[万亿]?\s*(?:{written})", sentence)  # "10万人以上"
        or ("%" in written and "分之" in sentence)
        for written in _measures_asked(nfkc(question))
    )


@functools.lru_cache(maxsize=256)
def _measures_asked(question: str) -> tuple[str, ...]:
    """How documents write the measures a question asks (worked out once per question, not per sentence)."""
    return tuple(written for asked, written in _MEASURES if re.search(asked, question))

"""Question understanding: the intent, the documents a question names, its task words, and follow-ups."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.records import Query
from assistant.routing import blank_places, route
from assistant.tagging import tagged_words
from corpus import Document
from corpus.roles import LABEL_ROLES
from corpus.text import nfkc, simplified
from corpus.unitnames import department_key, unit_key
from index.lookups import lookups

# A unit's name as a question writes it, perhaps abbreviated ("区建管委").
_UNIT_NAMED = re.compile(r"(?:(?![由是的在和与及对把将中])[\u4e00-\u9fff]){2,8}?(?:委员会|委|局|办|厅|部|中心|集团|公司|院|队|署)(?=牵头|负责|配合|参与|作为|的|要|承担|需要|$)")
# A question asking which body a person named in it belongs to.
_ASKS_WHOSE = re.compile(r"(?:是|在|来自)(?:哪个|哪一个|什么)(?:部门|单位|机构)")
_LISTING = re.compile(
    r"(牵头|负责|配合|参与|主办|协办|指导|承担|履行)(了|的)?(哪些|哪几项|几项|多少项|什么)(?!部门|单位|机构)"
    r"|(牵头|负责|配合|参与)的(任务|工作|事项)(有|是)?"
    # "作为牵头单位的任务有哪些?", "负责的措施有哪些?": the tasks of a role, asked by what they include
    r"|(牵头|负责|配合|参与|推进|责任)(单位|部门)?的(任务|工作|事项|措施|举措|职责)(有|是|包括)(哪些|什么)"
    # "哪些任务由区房管局牵头?", "区房管局的任务有哪些?", "区房管局要做哪些事?"
    r"|哪些(任务|工作|事项|措施|举措)(是)?由"
    r"|的(任务|工作|事项|职责)(有|是|包括)(哪些|什么)"
    # "是哪些任务的牵头单位?", "在哪些工作中担任…", "牵头落实哪些工作?", "列出…牵头的所有任务", "牵头的有哪些?"
    r"|(哪些|哪几项|所有|全部)(的)?(任务|工作|事项|措施|举措)"
    r"|(牵头|负责|配合|参与)的(有|是|包括)(哪些|什么)"
    r"|(要|需要)?做(哪些|什么)(事|工作)"
)
# "负责" and "主管" ask for a role, except in the nouns for a person in charge (负责人, 负责领导) or a competent body (主管部门).
IN_CHARGE = r"负责(?!人|领导|同志)|主管(?!部门|单位|机关|领导)"
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lead", re.compile(r"牵头|主办|挑头|领头|主抓|带头|主责")),
    ("cooperate", re.compile(r"配合|协办|协助|协同|参与(单位|部门)|(部门|单位)参与")),
    ("responsible", re.compile(rf"{IN_CHARGE}|责任单位|责任部门|指导部门|指导单位")),
    # a label documents put before units asks for its role ("推进单位", "支撑单位", "实施单位")
    *((role, re.compile("|".join(label for label, labelled in LABEL_ROLES.items() if labelled == role and len(label) >= 4)))
      for role in ("lead", "cooperate", "responsible")),
    # asking which body, whatever the task is about ("…中央资金,这条激励是哪几个部委来落实的?")
    ("responsible", re.compile(r"(?<!多少)哪(?:个|些|几个|几家|一个|一级)?(?:部门|单位|部委|机关|机构)|哪家")),
    ("amount", re.compile(r"奖励|奖补|资金|补贴|多少钱|金额|经费|万元|罚款|罚金|处罚|罚多少|(?:怎么|怎样|如何)罚")),
    ("person", re.compile(r"谁是|是谁(?!的)|哪位|(?<!部门)谁担任|姓名|名字|身份|职务|(?:组长|副市长|市长|局长|主任)(?!质量|奖)")),
    # any other 谁 asks for an agent ("归谁", "找谁来修", "是谁的事"); a person is asked by 谁是 / 是谁 / 谁担任
    ("responsible", re.compile(r"哪些部门|哪个部门|哪些单位|哪个单位|谁|分工|(?:落实|承担)(?!.*多少)|(?:部门|单位|机构)(?:是|有)?(?:哪|谁|什么)")),
    ("target", re.compile(r"目标|多少|达到|比例|比重|覆盖率|合格率|[率量数]是|几个|几家|几项|几件|指标|%")),
    ("fact", re.compile(r"何时|什么时候|时间|日期|哪天|哪一天|文号|发布|印发|设在|哪里|依据|根据|期限|截止|之前|哪年|成文")),
)
# Words that make a question about roles proper: without one ("报给哪个单位"), a clause that names no
# lead or cooperating units can still answer from its sentences.
ROLE_WORDS = re.compile(rf"牵头|配合|协办|主办|{IN_CHARGE}|责任单位|责任部门|参与|指导部门|指导单位")
_MULTI = re.compile(r"分别|各自|哪些文件|哪几个文件|哪些地方|哪些地区|都由|均由|各地")
# A question this short that states no role or kind of answer continues the conversation ("那服务业的呢?").
FOLLOW_UP_CHARS = 20
_YEAR = re.compile(r"(\d{4})\s*年(?:底|末|前)?")
# Words that ask rather than name the task: interrogatives, role and answer-kind words, particles, and the
# words documents use for themselves. Grammar, not topics: no word is here to make a question abstain or answer.
_STOPWORDS = frozenset(
    """由 是由 哪个 哪些 哪一个 哪 哪家 哪几个 哪几家 哪一级 哪位 哪些人 哪里 哪儿 哪天 哪一年 哪年 谁 谁来 啥 什么 什么样
    多少 多少个 多大 多长 多久 多高 多远 几 几个 几项 几件 几家 几年 几次 几回 几天 如何 怎么 怎样 是否 有没有
    部门 单位 机构 牵头 牵头单位 牵头部门 配合 配合单位 配合部门 负责 负责落实 落实 参与 协办 主办 责任 责任单位
    责任部门 哪些单位 哪些部门 职责 分工 分别 各自 任务 事项 工作 目标 要求 要 达到 达 规定 提出 明确 提到
    是 的 有 有些 了 被 给 将 从 到 在 中 里 对 关于 按 按照 为 和 与 及 以及 其 它 们 该 此 本 这 那 这项 该项 这个
    这份 这些 这类 那么 么 呢 吗 吧 啊 请问 还 又 也 都 均 其他 来 做 干 会 能 应 应该 需要 应当 具体 主要 相关 有关
    文件 计划 行动 行动计划 意见 实施意见 指导意见 纲要 规定 办法 方案 实施方案 预案 通知 条例 规划 中 年""".split()
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
# The words documents name themselves by are the task's own words when no reference follows them: "专业规划和年度
# 建设计划由谁制定?" asks about a plan, "实施方案里…" / "指导意见中…" / "意见的" refer to the document.
_DOCUMENT_KINDS = frozenset("计划 行动计划 意见 实施意见 指导意见 纲要 办法 方案 实施方案 预案 规划".split())
_REFERENCE_AFTER = frozenset("中 里 的 规定 提出 要求 明确 指出 强调 提到 写明 所 对 之 是".split())
# The words documents use for what they state are the task's own verb after a modal: "更新行动计划应当明确哪些内容?"
_STATING = frozenset("规定 提出 要求 明确 写明 载明 列明".split())
_MODALS = frozenset("应当 应 要 需要 须 必须".split())


def understand(question: str, documents: tuple[Document, ...], previous: Query | None = None) -> Query:
    """Read a question; with a previous query, a bare follow-up ("配合单位呢?", "上海市呢?") inherits from it."""
    norm = nfkc(simplified(question)).strip()
    routed = route(norm, documents)
    year_match = _YEAR.search(routed.text)
    year = int(year_match.group(1)) if year_match else None
    words = _cut(_YEAR.sub(" ", routed.text))
    unknown = routed.unknown_place
    intent = _intent(norm)
    unit = _listed_unit(routed.text, documents) if intent == "listing" else ""
    unit_words = set(_cut(unit)) if unit else set()
    terms = tuple(
        (word, flag)
        for position, (word, flag) in enumerate(words)
        if (word not in _STOPWORDS or _names_a_plan(words, position) or _stated_by_modal(words, position))
        and (word, flag) not in unit_words
    )
    if intent == "responsible" and any(
        flag == "nr" and len(word) >= 2 and re.search(re.escape(word) + _ASKS_WHOSE.pattern, norm) for word, flag in terms
    ):
        intent = "person"  # "张勇是哪个部门的?": the member-list line naming the person
    whole_document = not terms and bool(routed.named_titles)
    if whole_document:  # "上海市由哪个部门负责大气污染防治?": the title's topic is the task
        topic = _cut(_YEAR.sub(" ", blank_places(norm)))
        terms = tuple((word, flag) for position, (word, flag) in enumerate(topic) if word not in _STOPWORDS or _names_a_plan(topic, position))
    task = "".join(word for word, _flag in terms)
    query = Query(
        question=question,
        intent=intent,
        task=task,
        terms=terms,
        doc_ids=routed.doc_ids,
        year=year,
        unknown_place=unknown,
        unit=unit,
        whole_document=whole_document,
        multi_doc=routed.named_places > 1 or routed.named_titles > 1 or (len(routed.doc_ids) != 1 and bool(_MULTI.search(norm))),
    )
    explicit_intent = intent != "other"
    if previous is not None and not unit and (len(task) <= 2 or (not explicit_intent and len(norm) <= FOLLOW_UP_CHARS)):
        return _follow_up(query, previous, explicit_intent)
    return query


def _stated_by_modal(words: list[tuple[str, str]], position: int) -> bool:
    """Whether a word for stating ("明确") is the task's verb: a modal comes right before it."""
    return words[position][0] in _STATING and position > 0 and words[position - 1][0] in _MODALS


def _names_a_plan(words: list[tuple[str, str]], position: int) -> bool:
    """Whether a document-kind word ("规划") is part of the task: a word follows it and does not refer back."""
    return words[position][0] in _DOCUMENT_KINDS and position + 1 < len(words) and words[position + 1][0] not in _REFERENCE_AFTER


def _follow_up(query: Query, previous: Query, explicit_intent: bool) -> Query:
    """A follow-up keeps what it does not restate: the task ("配合单位呢?"), the role asked and the document
    ("服务业的呢?"), or both but the document ("上海市呢?")."""
    own_task = len(query.task) > 2
    return replace(
        previous,
        question=query.question,
        intent=query.intent if explicit_intent else previous.intent,
        task=query.task if own_task else previous.task,
        terms=query.terms if own_task else previous.terms,
        doc_ids=query.doc_ids or previous.doc_ids,
        year=query.year or previous.year,
        unknown_place=query.unknown_place,
        multi_doc=query.multi_doc if query.doc_ids else previous.multi_doc,
    )


def _intent(norm: str) -> str:
    if _LISTING.search(norm):
        return "listing"
    for intent, pattern in _INTENTS:
        if pattern.search(norm):
            return intent
    return "other"


def _cut(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech) pairs of a question, punctuation dropped (assistant.tagging bounds their cost)."""
    return [(word, flag) for word, flag in tagged_words(_PUNCTUATION.sub(" ", text)) if word.strip()]


def _listed_unit(norm: str, documents: tuple[Document, ...]) -> str:
    """The unit a listing question asks about ("市住建局牵头哪些任务?"), as the corpus names it: of the names the
    question contains, the one nearest before the listing verb, the longest at a tie (not one inside a title)."""
    listing = _LISTING.search(norm)
    before = norm[: listing.start()] if listing else norm
    return (
        _nearest_unit(unit_key(before), documents)
        or _nearest_unit(unit_key(norm), documents)  # "哪些任务由X牵头?"
        or _abbreviated_unit(before, documents)
        or _abbreviated_unit(norm, documents)
    )


def _abbreviated_unit(text: str, documents: tuple[Document, ...]) -> str:
    """The one unit a name the question gives abbreviates: its key's characters in order, first and last the same
    ("区建管委" for 区建设管理委); "" when none or several do."""
    named = _UNIT_NAMED.findall(text)
    if not named:
        return ""
    short = unit_key(named[-1])
    found = {
        department_key(name): name for key, name in lookups(documents).unit_names.items()
        if len(short) >= 3 and key[0] == short[0] and key[-1] == short[-1] and len(key) > len(short)
        and re.fullmatch(".*?".join(map(re.escape, short)), key)
    }  # fmt: skip
    return next(iter(found.values())) if len(found) == 1 else ""


def _nearest_unit(question_key: str, documents: tuple[Document, ...]) -> str:
    """Of the unit names a question's key contains, the one ending last, the longest at a tie."""
    best, best_rank = "", (-1, 0)
    for key, name in lookups(documents).unit_names.items():
        if len(key) >= 2 and key in question_key:
            rank = (question_key.rindex(key) + len(key), len(key))
            if rank > best_rank:
                best, best_rank = name, rank
    return best

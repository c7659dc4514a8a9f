"""Choosing the sentence of a clause (or the line of a member list) that answers a question."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.abstention import FIGURE, MONEY, asks_post, missing_post, names_a_person, states_measure
from assistant.records import Query
from assistant.retrieval import Ranked, bigrams, idf
from corpus import Clause
from corpus.structure import is_article, without_number
from corpus.text import nfkc

if TYPE_CHECKING:
    from index import CorpusIndex

AMOUNT_BONUS = 2.0
# A sentence stating a figure in the measure a question asks ("一年开几回会?" → "每年召开两次会议") is worth this
# much shared vocabulary (chosen on the tuning questions, README "Accuracy").
MEASURE_BONUS = 2.0
SHARED_MEASURE_BONUS = 20.0
# A sentence holding the name a person question gives outweighs any number of shared words.
NAMED_PERSON_BONUS = 40.0
# A clause's heading line on its own ranks below any sentence of its body sharing as many words.
BARE_HEADING_PENALTY = 0.5
_PLURAL = re.compile(r"哪些人|有谁|都是谁|哪几位|哪几个人|分别是谁|名单")
_LIST_LABEL = re.compile(r"^[\u4e00-\u9fff\s]{1,8}:")
_SENTENCE = re.compile(r"[^。;\n]+[。;]?")
_FIGURE_QUESTION = re.compile(r"多少|多久|多长|多大|几[年月天日次回个项家人名位所]")


def rerank_by_sentence(query: Query, ranked: list[Ranked], index: CorpusIndex) -> list[Ranked]:
    """For a person or amount, the clause whose best sentence names a post / a sum comes first."""

    def clause_score(position: int) -> float:
        clause = ranked[position].clause
        return _sentence_score(query, best_sentence(query, clause, index), clause, _topic(clause), index) - 1.5 * position

    best = max(range(min(3, len(ranked))), key=clause_score)
    return [ranked[best]] + ranked[:best] + ranked[best + 1 :]


def best_sentence(query: Query, clause: Clause, index: CorpusIndex) -> str:
    """The clause sentence (or annex line) that shares most of the question's words."""
    topic = _topic(clause)
    best, best_score = clause.text.split("\n")[0], -1.0
    for match in _SENTENCE.finditer(clause.text):
        sentence = match.group(0).strip()
        score = _sentence_score(query, sentence, clause, topic, index)
        if _bare_heading(sentence, clause):
            score -= BARE_HEADING_PENALTY  # "一、主要职能" says what its body is about; the body answers
        if score > best_score:
            best, best_score = sentence, score
    return best


def _bare_heading(sentence: str, clause: Clause) -> bool:
    """Whether a sentence is only the clause's heading ("1.摸底排查。"), stating no figure, with a body after it."""
    heading = clause.heading.strip()
    return (
        sentence.rstrip("。.:：") == heading
        and len(clause.text.strip()) > len(sentence)
        and not FIGURE.search(without_number(nfkc(heading)))
    )


def with_group_label(text: str, line: str) -> str:
    """A member-list line with the label of the group it belongs to ("宁吉喆 统计局局长" under "副组长:丁学东 …")."""
    lines = text.split("\n")
    if line not in lines or _LIST_LABEL.match(nfkc(line)):
        return line
    for above in reversed(lines[: lines.index(line)]):
        if _LIST_LABEL.match(nfkc(above)):
            return nfkc(above).split(":", 1)[0] + ":" + line
        if not names_a_person(above):
            break
    return line


def _member_group(text: str, line: str) -> str:
    """In a member list, a labelled line ("副组长:周蔚芬 常务副市长") and the unlabelled lines that follow it."""
    lines = text.split("\n")
    if line not in lines or not _LIST_LABEL.match(nfkc(line)):
        return line
    group = [line]
    for following in lines[lines.index(line) + 1 :]:
        if _LIST_LABEL.match(nfkc(following)) or not names_a_person(following):
            break
        group.append(following)
    return "、".join(part.strip() for part in group)


def _topic(clause: Clause) -> set[str]:
    """Bigrams of the clause's heading and title line: its topic, which every one of its sentences shares.
    An article ("第八十八条 违反…") has no title line: its first sentence is content like the others."""
    if is_article(clause.heading):
        return set(bigrams(clause.label))
    return set(bigrams(clause.label + clause.text.split("\n")[0].split("。")[0]))


def _sentence_score(query: Query, sentence: str, clause: Clause, topic: set[str], index: CorpusIndex) -> float:
    """IDF-weighted words shared beyond the clause's topic, plus what the intent needs: a sum, or a person."""
    shared = (set(bigrams(query.task or query.question)) - topic) & set(bigrams(sentence))
    score = sum(idf(gram, index) for gram in shared)
    if query.intent == "amount" and score > 0 and MONEY.search(nfkc(sentence)):
        score += AMOUNT_BONUS  # a sentence stating a sum answers "罚多少?" before one only naming the breach
    if states_measure(query.question, sentence):
        # one that also shares words with the question comes before any that states none ("经营期限?" →
        # "(三)申报单位经营期在2年以上", not the article's opening sentence)
        score += MEASURE_BONUS + SHARED_MEASURE_BONUS * (score > 0)
    if query.intent == "person" and any(flag == "nr" and len(word) >= 2 and word in sentence for word, flag in query.terms):
        score += NAMED_PERSON_BONUS  # "孔凡新…是什么身份?": the line with the name the question gives
    if query.intent == "person" and score > 0 and names_a_person(sentence):
        # a line naming a person comes first, above all one naming the post asked about; one naming another post
        # ("张勇 发展改革委副主任" for "办公室主任由谁兼任?") does not
        asked = asks_post(query.question)
        holds = asked and not missing_post(query.question, with_group_label(clause.text, sentence))
        score += 20 + 20 * holds if holds or not asked else 0
    return score


def answering_sentence(query: Query, clause: Clause, index: CorpusIndex) -> str:
    """The best sentence; for a plural person question, its whole member-list group; for a question asking
    several figures ("分别…多少", "最短多长、最长多久"), the best two sentences stating figures, in order."""
    sentence = best_sentence(query, clause, index)
    if query.intent == "person" and _PLURAL.search(query.question):
        return _member_group(clause.text, sentence)
    if query.intent != "person":
        return several_figures(query, clause, index) or sentence
    return sentence


def several_figures(query: Query, clause: Clause, index: CorpusIndex) -> str:
    """For a question asking several figures, the clause's best sentence stating them all, or its two best sentences
    stating figures, in order; else ""."""
    norm = nfkc(query.question)
    if "分别" not in norm and len(_FIGURE_QUESTION.findall(norm)) < 2:
        return ""
    topic = _topic(clause)
    found = [
        (_sentence_score(query, match.group(0).strip(), clause, topic, index), match.start(), match.group(0).strip())
        for match in _SENTENCE.finditer(clause.text)
        if FIGURE.search(nfkc(match.group(0)))
    ]
    best = sorted((item for item in found if item[0] > 0), reverse=True)[:2]
    asks_bounds = "分别" not in norm  # "最短多长、最长多久?" asks the bounds of one figure: one sentence may state both
    if asks_bounds and best and len(FIGURE.findall(nfkc(best[0][2]))) >= 2:  # "不得少于1年且不得超过3年"
        return best[0][2]
    return "".join(sentence for _score, _start, sentence in sorted(best, key=lambda item: item[1])) if len(best) == 2 else ""

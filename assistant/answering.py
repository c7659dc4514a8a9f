"""Answer composition: a direct answer from the extracted facts of the best clause, with its citation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from assistant.compound import combine, merged_departments, split_compound
from assistant.abstention import FIGURE, MONEY, asks_measure, missing_money, missing_post, scope_text, states_measure, unattested_year
from assistant.followups import note_other_task
from assistant.guard import MAX_QUESTION_CHARS, NAME_THE_TASK, check_question, names_no_task, recent, spend, valid_text
from assistant.metadata import asks_effective_date, effective_date_answer, metadata_answer, metadata_field, names_a_task_of_its_own
from assistant.records import UNIT_INTENTS, Answer, Citation, Departments, Query
from assistant.retrieval import Ranked, bigrams, coverage, idf, retrieve, term_coverage
from assistant.sentences import answering_sentence, best_sentence, rerank_by_sentence, several_figures, with_group_label
from assistant.understanding import IN_CHARGE, ROLE_WORDS, understand
from corpus import Clause, Document, Target, Units
from corpus.formats.source import CELL_SEPARATOR, row_cells
from corpus.roles import LABEL_ROLES, label_role
from corpus.structure import is_article, without_number
from corpus.text import nfkc, simplified
from corpus.units import PROSE_UNITS, UNIT_SUFFIX, merge
from corpus.unitnames import department_key
from index.lookups import lookups

if TYPE_CHECKING:
    from index import CorpusIndex

# Below this share of the task's (IDF-weighted) words found in the best clause, the documents do not
# answer the question. Measured on eval/questions.jsonl (README, "Accuracy").
MIN_COVERAGE = 0.15
# Below this IDF-weighted share of the question's words used by the best clause, it is about another task.
# Chosen on the tuning questions (seed set + the tuning half of the dev set), reported on the test half (README).
MIN_TERM_COVERAGE = 0.3
# A statement naming the role asked (牵头) is preferred to a closer one naming none, down to this share of its words.
ROLE_STATEMENT_SHARE = 0.1
# A question asking two roles ("由哪个部门负责制定?哪个部门参与?") also takes, for a role the best statement lacks,
# the statement naming that role whose words match the question at least this share as well.
SECOND_ROLE_SHARE = 0.8
# A question asking when as well as who, and the date an assignment states ("2019年3月底前", "6月底前", "2020年底").
_ASKS_WHEN = re.compile(r"什么时间|什么时候|何时|哪一?年|时限|期限")
_WHEN_STATED = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底|末)?(?:前|以前|之前)?|\d{1,2}月(?:\d{1,2}日)?(?:底|末)?(?:前|以前|之前)")
# A sentence that can answer "which body?" in prose names one: a word ending like a unit's name.
_NAMES_A_UNIT = re.compile(rf"[\u4e00-\u9fff]{UNIT_SUFFIX}")
# A question asking the unit a verb takes as its object ("办公室设在哪个部门?", "消防设计文件报送哪个部门审查?"): the
# sentence names it after the same verb, and that unit is no agent of the task.
_OBJECT_VERBS = "设在|报送|上报|报请|提交|移交|送交|交给|报"
_ASKS_OBJECT = re.compile(rf"({_OBJECT_VERBS})(?:给)?(?:哪个|哪些|哪一?级|什么)(?:部门|单位|机构|机关)|(设在)(?:哪里|哪儿|何处)")
_ASKED_ROLES = ((re.compile(r"牵头|主办"), "lead"), (re.compile(r"配合|参与|协助|协办|协同"), "cooperate"),
                (re.compile(rf"{IN_CHARGE}|责任单位|责任部门"), "responsible"))  # fmt: skip
# How far down a who-question looks for a clause that names units when the best one names none.
RUNNER_UP_DEPTH = 3
NOT_FOUND = "文件中未找到"
MAX_LISTED_TASK = 200  # a unit's own duties in a listing are shortened to this length (three times it when one is listed)
MAX_TARGET_SENTENCE = 160  # a target is answered with its whole sentence up to this length, else with its phrase
# A target question asking a figure; "目标是什么?" may be answered by a goal stated in words ("基本建成…体系").
_ASKS_FIGURE = re.compile(r"多少|几|多大|多高|比例|比重|%|百分之|指标|达到|提高到|降低到|控制在|[率量数额](?:目标)?(?:是|要|为)")
_ASKS_WHO = re.compile(r"谁|哪个部门|哪些部门|哪个单位|哪些单位|牵头|配合|负责|参与")
_ROLE_NAMES = {"lead": "牵头单位", "cooperate": "配合单位", "responsible": "责任单位"}


def answer(
    question: str, index: CorpusIndex, history: Sequence[str] = (), doc_ids: Sequence[str] | None = None,
    deadline: float | None = None,
) -> Answer:
    """Answer one question from the corpus.

    Args:
        history: the earlier questions of the conversation, oldest first (for follow-ups).
        doc_ids: restrict the answer to these documents (a filter chosen in the UI).
        deadline: a time.monotonic() value past which the stages that repeat (earlier questions, compound parts,
            documents) raise guard.OverBudget; None: no deadline (assistant.budget.answer_in_time sets one).
    """
    asked = valid_text(question)
    # 杭州市…牽頭 is read as 杭州市…牵头 by every stage (a question refused for its length is not converted first);
    # the answer names the question as asked
    read = simplified(asked) if len(asked) <= 4 * MAX_QUESTION_CHARS else asked
    result = _answer(read, index, history, doc_ids, deadline)
    return result if read == asked else replace(result, question=asked)


def _answer(
    question: str, index: CorpusIndex, history: Sequence[str], doc_ids: Sequence[str] | None, deadline: float | None
) -> Answer:
    problem = check_question(question)
    if problem:
        return Answer(question, problem, abstained=True)
    parts = () if history else split_compound(question, index.documents)
    if parts:
        answers = []
        for part, part_docs in parts:
            spend(deadline)
            answers.append(_answer(part, index, (), [d for d in part_docs if not doc_ids or d in doc_ids], deadline))
        return combine(question, answers, answers[0].intent)
    previous = None
    for earlier in recent(history):
        spend(deadline)
        if not check_question(earlier):
            previous = understand(earlier, index.documents, previous)
    query = understand(question, index.documents, previous)
    if doc_ids:
        if query.doc_ids and not set(query.doc_ids) & set(doc_ids):
            return _abstain(query, f"{NOT_FOUND}:问题所指的文件不在所选文件范围内,请调整文件筛选。")
        query = _restrict(query, tuple(doc_ids))
    if query.unknown_place and query.doc_ids:
        named = tuple(_document(index, doc_id) for doc_id in query.doc_ids)
        return _abstain(query, f"{NOT_FOUND}关于“{query.unknown_place}”的内容:{_titles(named)}未提及“{query.unknown_place}”。")
    if query.unknown_place:
        return _abstain(query, f"{NOT_FOUND}关于“{query.unknown_place}”的文件:现有文件只涉及{_places(index)}。")
    if query.intent == "listing" and query.unit:
        return _listing(query, index)
    if asks_effective_date(question) and query.doc_ids:
        return _effective_dates(query, index)
    field = metadata_field(question)
    if field and len(query.doc_ids) == 1 and not names_a_task_of_its_own(query.task):
        found = metadata_answer(_document(index, query.doc_ids[0]), *field)
        if found is None:
            return _abstain(query, f"{NOT_FOUND}该文件的{field[1]}。")
        text, citation = found
        return Answer(question, text, False, Departments(), (citation,), "fact", query)
    if names_no_task(query):
        return _abstain(query, NAME_THE_TASK)
    scope = tuple(d for d in index.documents if not query.doc_ids or d.doc_id in query.doc_ids)
    if _unattested_year(query, scope, index):
        return _abstain(query, f"{NOT_FOUND}{query.year}年的相关内容:{_titles(scope)}未涉及该年份。")
    if query.multi_doc:
        return _across_documents(query, index, deadline)
    ranked = retrieve(query, index)
    return note_other_task(_from_best_clause(query, ranked, index), previous, index)


def _effective_dates(query: Query, index: CorpusIndex) -> Answer:
    """When each named document takes effect, as its final provisions say."""
    found = [effective_date_answer(_document(index, doc_id)) for doc_id in query.doc_ids]
    if not any(found):
        return _abstain(query, f"{NOT_FOUND}施行日期:{_titles(tuple(_document(index, d) for d in query.doc_ids))}未写明。")
    lines = [
        item[0] if item else f"《{_document(index, doc_id).title}》未写明施行日期。"
        for doc_id, item in zip(query.doc_ids, found, strict=True)
    ]
    citations = tuple(item[1] for item in found if item)
    return Answer(query.question, "\n".join(lines), False, Departments(), citations, "fact", query)


def _restrict(query: Query, doc_ids: tuple[str, ...]) -> Query:
    """Apply a document filter: the named documents within it, or the whole filter when none is named."""
    named = tuple(doc_id for doc_id in query.doc_ids if doc_id in doc_ids)
    return replace(query, doc_ids=named or doc_ids, multi_doc=query.multi_doc and len(named or doc_ids) > 1)


def _covers(query: Query, candidate: Ranked, index: CorpusIndex) -> bool:
    """Whether a candidate uses enough of the task's bigrams and of the question's words to answer it."""
    return candidate.coverage >= MIN_COVERAGE and term_coverage(query.terms, candidate.clause, index) >= MIN_TERM_COVERAGE


def _from_best_clause(query: Query, ranked: list[Ranked], index: CorpusIndex) -> Answer:
    covering = next((candidate for candidate in ranked if _covers(query, candidate, index)), None)
    if covering is None:
        return _abstain(query, f"{NOT_FOUND}与“{query.task or query.question}”相关的内容。")
    ranked = [covering] + [candidate for candidate in ranked if candidate is not covering]  # a runner-up that covers the task beats one that does not
    if query.intent in UNIT_INTENTS:
        return _units_answer(query, ranked, index)
    if query.intent == "target":
        ranked = _stating_year_first(query, ranked)
        target = _best_target(query, ranked[0].clause)
        if target is not None:
            return _target_answer(query, target, ranked, index)
        sentence = best_sentence(query, ranked[0].clause, index)
        year_unstated = query.year and str(query.year) not in sentence and not _names_the_document(query.year, ranked[0].clause, index)
        if (not FIGURE.search(nfkc(sentence)) and _ASKS_FIGURE.search(nfkc(query.question))) or year_unstated:
            return _abstain(query, f"{NOT_FOUND}{query.year or ''}{'年' if query.year else ''}“{query.task}”的目标数值。")
    if query.intent in ("amount", "person"):
        if query.intent == "amount":
            ranked = _citing_penalties(ranked, index) + ranked
        ranked = rerank_by_sentence(query, ranked, index)
        sentence = best_sentence(query, ranked[0].clause, index)
        if query.intent == "amount" and missing_money(query.question, sentence):
            return _abstain(query, f"{NOT_FOUND}“{query.task}”的具体金额。")
        post = missing_post(query.question, with_group_label(ranked[0].clause.text, sentence)) if query.intent == "person" else ""
        if post:
            return _abstain(query, f"{NOT_FOUND}“{post}”的人选:文件未列出。")
    elif asks_measure(query.question):
        ranked = _stating_measure_first(query, ranked, index)
        if not states_measure(query.question, answering_sentence(query, ranked[0].clause, index)):
            return _abstain(query, f"{NOT_FOUND}“{query.task}”的具体数值。")  # "降幅达到多少?" answered by a sentence with none
    return _sentence_answer(query, ranked, index)


def _stating_measure_first(query: Query, ranked: list[Ranked], index: CorpusIndex) -> list[Ranked]:
    """For a figure in a measure ("经营期限…?"), the first of the top candidates covering the task whose sentence
    states one, an article read with the items it introduces ("…应当具备下列条件:…(三)经营期在2年以上")."""
    for candidate in ranked[:RUNNER_UP_DEPTH]:
        if candidate is not ranked[0] and not _covers(query, candidate, index):
            continue
        whole = _with_items(candidate.clause, _document(index, candidate.clause.doc_id))
        if states_measure(query.question, answering_sentence(query, whole, index)):
            return [replace(candidate, clause=whole)] + [other for other in ranked if other is not candidate]
    return ranked


def _names_the_document(year: int, clause: Clause, index: CorpusIndex) -> bool:
    """Whether a question's year is the document's own (its date or title: "济南市2019年的条例规定…多少?"), not a target's."""
    document = _document(index, clause.doc_id)
    return str(year) in document.title or str(year) in document.date


def _stating_year_first(query: Query, ranked: list[Ranked]) -> list[Ranked]:
    """For a target in a given year, the first of the top candidates that states a target (or a figure in a
    sentence naming the year: "2025年前完成总目标的75%") for that year."""
    if query.year is None:
        return ranked
    for candidate in ranked[:3]:
        if _states_for_year(candidate.clause, query.year):
            return [candidate] + [other for other in ranked if other is not candidate]
    return ranked


def _states_for_year(clause: Clause, year: int) -> bool:
    if any(target.year == year for target in clause.targets):
        return True
    sentences = re.findall(rf"[^。;,\n]*{year}年[^。;,\n]*", nfkc(clause.text))
    return any(FIGURE.search(sentence.replace(f"{year}年", "")) for sentence in sentences)


def _citing_penalties(ranked: list[Ranked], index: CorpusIndex) -> list[Ranked]:
    """Articles that fine a breach of a retrieved article ("违反本条例第三十二条规定…处…罚款"), or the article
    whose item was retrieved when it fines its items ("有下列行为之一的,…处…罚款:(二)…"), best first."""
    found = []
    for candidate in ranked[:3]:
        articles = [part.strip() for part in candidate.clause.path if is_article(part)]
        if not articles:  # the article itself, or the article an item ("(十六)在车站…派发广告") belongs to
            continue
        article = articles[-1]
        breach = re.compile(rf"违反本(?:条例|办法|规定|细则)?{article}(?![零〇一二三四五六七八九十百])")
        for clause in _document(index, candidate.clause.doc_id).clauses:
            text = nfkc(clause.text)
            fines_its_items = clause.heading == article and candidate.clause.label.startswith(clause.label + " > ")
            if clause is not candidate.clause and (breach.search(text) or fines_its_items) and MONEY.search(text):
                found.append(Ranked(clause, candidate.score, candidate.coverage))
    return found


def _units_answer(query: Query, ranked: list[Ranked], index: CorpusIndex) -> Answer:
    ranked = _naming_units_first(query, ranked, index)
    if query.whole_document:
        ranked = _first_assignment(query, ranked, index)
    best = ranked[0]
    document = _document(index, best.clause.doc_id)
    rows = _rows_of_item(query, best.clause, document)
    body = _stated_in_body(rows, document) if rows else None
    if rows:  # "“光伏+港口”工程的责任单位": every row under the merged 事项 cell
        answering = ([body] if body is not None else []) + rows  # the body's own paragraph first when it states them
        units = body.units if body is not None else merge(tuple(row.units for row in rows))
        ranked = [Ranked(clause, best.score, best.coverage) for clause in answering] + [r for r in ranked[1:] if r.clause not in answering]
        best = ranked[0]
    else:
        units = _best_assignment(query, best.clause, index)
    sentence = answering_sentence(query, best.clause, index)
    objects = _object_units(query.question, sentence)
    if objects:  # "办公室设在哪个部门?": where it sits, not who is responsible
        text = f"{sentence}({_source(document, best.clause)})"
        return Answer(query.question, text, False, Departments(responsible=objects), _citations(ranked, index, (sentence, *objects)), query.intent, query)
    if not units and not ROLE_WORDS.search(query.question) and _NAMES_A_UNIT.search(sentence):
        return _sentence_answer(query, ranked, index)  # "报给哪个单位?": the sentence names it in prose
    if not units:
        return _abstain(query, f"{NOT_FOUND}该项工作的牵头或责任单位:《{document.title}》{best.clause.heading}未写明。")
    roles = {"lead": units.lead, "cooperate": units.cooperate, "responsible": units.responsible}
    order = [query.intent] + [role for role in ("lead", "cooperate", "responsible") if role != query.intent]
    parts = [f"{_ROLE_NAMES[role]}:{'、'.join(roles[role])}" for role in order if roles[role]]
    if query.intent == "lead" and not units.lead:
        parts.insert(0, "未指定牵头单位")
    if query.intent == "cooperate" and not units.cooperate:
        parts.insert(0, "未列配合单位")
    when = _WHEN_STATED.search(nfkc(units.scope)) if _ASKS_WHEN.search(query.question) else None
    if when:  # "由哪个部门在什么时间前建立?": the date the assignment states
        parts.append(f"时间:{when.group(0)}")
    text = f"{';'.join(parts)}。({_source(document, best.clause)})"
    also = _second_ask(query, best.clause, index)
    if also:  # "…由哪个部门负责?适用于哪个自贸试验区?": the clause's sentence answering the second question too
        text += f"\n{also}"
    departments = Departments(units.lead, units.cooperate, units.responsible)
    return Answer(query.question, text, False, departments, _citations(ranked, index, units.all() + (units.sentence,)), query.intent, query)


def _second_ask(query: Query, clause: Clause, index: CorpusIndex) -> str:
    """For a question asking something else after who ("…由哪个部门负责?适用于哪个自贸试验区?"), the clause's
    sentence answering that, when it shares words with it; else ""."""
    parts = [part for part in re.split(r"[?？]", query.question) if part.strip()]
    if len(parts) < 2 or _ASKS_WHO.search(parts[-1]):
        return ""
    asked = replace(query, question=parts[-1], task=parts[-1], intent="other")
    sentence = best_sentence(asked, clause, index)
    shared = set(bigrams(parts[-1])) & set(bigrams(sentence))
    return sentence if shared else ""


def _object_units(question: str, sentence: str) -> tuple[str, ...]:
    """The units a sentence names right after the verb a question asks them of ("报送住房城乡建设管理部门审查")."""
    asked = _ASKS_OBJECT.search(nfkc(question))
    verb = asked and (asked.group(1) or asked.group(2))
    stated = re.search(rf"{verb}({PROSE_UNITS.pattern})", nfkc(sentence)) if verb else None
    return tuple(unit for unit in stated.group(1).split("、") if unit) if stated else ()


def _naming_units_first(query: Query, ranked: list[Ranked], index: CorpusIndex) -> list[Ranked]:
    """For a who-question, a runner-up that names units and uses as much of the question beats a best clause
    that names none (the task described in one section, assigned in another)."""
    if ranked[0].clause.units or not ROLE_WORDS.search(query.question):
        return ranked
    best_coverage = term_coverage(query.terms, ranked[0].clause, index)
    for candidate in ranked[1:RUNNER_UP_DEPTH]:
        if candidate.clause.units and term_coverage(query.terms, candidate.clause, index) >= best_coverage:
            return [candidate] + [other for other in ranked if other is not candidate]
    return ranked


def _first_assignment(query: Query, ranked: list[Ranked], index: CorpusIndex) -> list[Ranked]:
    """For a document's own topic, the first clause in it that assigns units and names the topic (a regulation's
    总则: "市生态环境行政主管部门对本市大气污染防治实施统一监督管理")."""
    document = _document(index, ranked[0].clause.doc_id)
    grams = set(bigrams(query.task))
    for clause in document.clauses:
        if clause.units and grams and len(grams & set(bigrams(clause.text))) >= len(grams) / 2:
            return [Ranked(clause, ranked[0].score, coverage(query.task, clause, index))] + [r for r in ranked if r.clause is not clause]
    return ranked


def _rows_of_item(query: Query, clause: Clause, document: Document) -> list[Clause]:
    """The rows sharing a table row's merged item cell (siblings with its heading but for the row number), when the
    question names that item rather than the row's own measure; otherwise none."""
    item = without_number(nfkc(clause.heading))
    if len(item) < 2:
        return []
    rows = [
        other for other in document.clauses
        if other.path[:-1] == clause.path[:-1] and other.units and without_number(nfkc(other.heading)) == item
    ]  # fmt: skip
    task = set(bigrams(query.task))
    own = set(bigrams(nfkc(clause.text))) - set(bigrams(item))
    return rows if len(rows) > 1 and len(task & set(bigrams(item))) > len(task & own) else []


def _stated_in_body(rows: list[Clause], document: Document) -> Clause | None:
    """The document's own paragraph that task-table rows repeat: another clause headed by the same item
    ("5.“光伏+港口”工程。…(责任单位:…)" and table rows "16.“光伏+港口”工程") that names every unit they do."""
    item = without_number(nfkc(rows[0].heading))
    named = set(merge(tuple(row.units for row in rows)).all())
    if not named:
        return None
    return next(
        (clause for clause in document.clauses
         if clause not in rows and clause.path[:-1] != rows[0].path[:-1] and without_number(nfkc(clause.heading)) == item
         and named <= set(clause.units.all())),
        None,
    )  # fmt: skip


def _best_assignment(query: Query, clause: Clause, index: CorpusIndex) -> Units:
    """Of a clause's unit lines and sentences, the one whose task the question names (the merged units when one)."""
    if len(clause.assignments) <= 1:
        return clause.units
    grams = set(bigrams(query.task or query.question))
    weights = {gram: idf(gram, index) for gram in grams}

    def shared(units: Units) -> float:
        scope = set(bigrams(units.scope))
        return sum(weight for gram, weight in weights.items() if gram in scope)

    best = max(clause.assignments, key=shared)
    if query.intent in ("lead", "cooperate") and not getattr(best, query.intent):
        # "由哪些部门牵头?": a statement of who leads that names the task nearly as well answers it
        naming = [units for units in clause.assignments if getattr(units, query.intent)]
        runner_up = max(naming, key=shared, default=None)
        if runner_up is not None and shared(runner_up) >= ROLE_STATEMENT_SHARE * shared(best):
            best = runner_up
    asked = [role for pattern, role in _ASKED_ROLES if pattern.search(query.question)]
    for role in asked if len(asked) > 1 else ():
        naming = [units for units in clause.assignments if getattr(units, role) and not getattr(best, role)]
        second = max(naming, key=shared, default=None)
        if second is not None and shared(second) >= SECOND_ROLE_SHARE * shared(best):
            best = merge((best, second))
    return best


def _best_target(query: Query, clause: Clause) -> Target | None:
    """The clause's target whose words (its metric with what qualifies it: "丘陵山区县…机械化率") the task names most."""
    grams = set(bigrams(query.task))
    text = nfkc(clause.text)
    scored = []
    for target in clause.targets:
        overlap = len(grams & set(bigrams(target.metric)))
        if overlap and (query.year is None or target.year in (None, query.year)):
            stated = set(bigrams(_stating_part(text, nfkc(target.phrase))))
            scored.append((overlap, len(grams & stated), -len(stated - grams), target))
    return max(scored, key=lambda item: item[:3])[3] if scored else None


def _stating_part(text: str, phrase: str) -> str:
    """The part of the sentence that states a target, from the comma or stop before it to its figure."""
    at = text.find(phrase)
    if at < 0:
        return phrase
    start = max(text.rfind(mark, 0, at) for mark in "。;,:\n") + 1
    return text[start : at + len(phrase)]


def _target_answer(query: Query, target: Target, ranked: list[Ranked], index: CorpusIndex) -> Answer:
    best = ranked[0]
    document = _document(index, best.clause.doc_id)
    stated = _sentence_of(best.clause.text, target.phrase)
    several = several_figures(query, best.clause, index)
    if target.phrase in several:
        stated = several
    when = f"到{target.year}年," if target.year and str(target.year) not in stated else ""
    text = f"{when}{stated.rstrip('。;；')}。({_source(document, best.clause)})"
    return Answer(query.question, text, False, Departments(), _citations(ranked, index, (stated,)), query.intent, query)


def _sentence_of(text: str, phrase: str) -> str:
    """The sentence of a clause that states a phrase (with the other figures stated beside it), or the phrase."""
    for sentence in re.findall(r"[^。;；\n]+[。;；]?", text):
        if phrase in sentence:
            return sentence.strip() if len(sentence) <= MAX_TARGET_SENTENCE else phrase
    return phrase


def _sentence_answer(query: Query, ranked: list[Ranked], index: CorpusIndex) -> Answer:
    best = ranked[0]
    document = _document(index, best.clause.doc_id)
    sentence = answering_sentence(query, best.clause, index)
    text = f"{sentence}({_source(document, best.clause)})"
    return Answer(query.question, text, False, Departments(), _citations(ranked, index, (sentence,)), query.intent, query)


def _listing(query: Query, index: CorpusIndex) -> Answer:
    """Every task where a unit leads / cooperates / is responsible."""
    role = _listing_role(nfkc(query.question))
    key = department_key(query.unit)
    found = _tasks_of(index, query, role, key)
    unused_role = role in ("lead", "cooperate") and not found and not _assigns_role(index, query, role)
    if unused_role:  # "区房管局牵头哪些任务?" of a plan naming only 推进单位: the tasks it takes part in, said so
        found = _tasks_of(index, query, "", key)
    listed_role = "" if unused_role else role
    if not found:
        return _abstain(query, f"{NOT_FOUND}{query.unit}{_ROLE_NAMES.get(role, '负责')}的任务。")
    items = {clause.clause_id: _enumerated_items(clause, document) for clause, document in found}
    listed = {item.clause_id for enumerated in items.values() for item in enumerated}
    found = [(clause, document) for clause, document in found if clause.clause_id not in listed]  # an item is its article's
    verb = {"lead": "牵头", "cooperate": "配合"}.get(listed_role, "参与")
    lines = [f"{'文件未指定' + _ROLE_NAMES[role] + ';' if unused_role else ''}{query.unit}{verb}的任务共{len(found)}项:"]
    for number, (clause, document) in enumerate(found, 1):
        limit = MAX_LISTED_TASK * (3 if len(found) == 1 else 1)
        lines.append(f"{number}. {_listed_task(clause, document, key, listed_role, limit)}(《{document.title}》)")
        lines += [f"   {_shortened(item.text, limit)}" for item in items[clause.clause_id]]
    citations = tuple(_citation(_with_items(clause, document), document, 1.0, (query.unit,)) for clause, document in found)
    return Answer(query.question, "\n".join(lines), False, Departments(), citations, "listing", query)


def _tasks_of(index: CorpusIndex, query: Query, role: str, key: str) -> list[tuple[Clause, Document]]:
    """The clauses of the documents in scope that give the unit the role ("" for any), in document order."""
    found = []
    for number, position in lookups(index.documents).by_unit(role, key):
        document = index.documents[number]
        if not query.doc_ids or document.doc_id in query.doc_ids:
            found.append((document.clauses[position], document))
    return found


def _assigns_role(index: CorpusIndex, query: Query, role: str) -> bool:
    """Whether any document in scope gives any unit the role."""
    scope = {number for number, document in enumerate(index.documents) if not query.doc_ids or document.doc_id in query.doc_ids}
    return not scope.isdisjoint(lookups(index.documents).assigning(role))


def _enumerated_items(clause: Clause, document: Document) -> tuple[Clause, ...]:
    """The numbered items a clause introduces with a colon ("消防救援机构履行下列职责:" then (一)…(八)): its
    children, which are the duties it assigns."""
    if not re.search(r"[:：]\s*$", clause.text):
        return ()
    items = []
    for child in document.clauses[clause.ordinal + 1 :]:
        if child.path[: len(clause.path)] != clause.path:
            break  # the clause's descendants follow it; the next section ends them
        if len(child.path) == len(clause.path) + 1:
            items.append(child)
    return tuple(items)


def _with_items(clause: Clause, document: Document) -> Clause:
    """A clause read with the numbered items it introduces, as the document has them (itself when it has none)."""
    items = _enumerated_items(clause, document)
    return replace(clause, text=document.text[clause.start : items[-1].end].strip(), end=items[-1].end) if items else clause


def _shortened(text: str, limit: int) -> str:
    text = re.sub(r"\s+", "", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed_task(clause: Clause, document: Document, key: str, role: str, limit: int) -> str:
    """A listed task: the clause's heading, or, where the clause assigns several units their own duties
    ("区教育局:负责…"), its heading is a bare "第十六条" or names the unit, the duties it gives this unit (shortened);
    a task-table row under an item cell it shares with other rows adds its own measure ("1.优化企业开办服务:实行…")."""
    names_the_unit = any(department_key(name) == key and name in clause.heading for name in clause.units.all())
    if len(clause.assignments) <= 1 and not is_article(clause.heading) and not names_the_unit:
        measure = _row_measure(clause, document)
        return f"{clause.heading}:{_shortened(measure, limit)}" if measure else clause.heading  # a heading naming the unit ("4.区教育局负责…") is a duty's first sentence, not a title
    own = [
        units.scope for units in clause.assignments
        if any(department_key(name) == key for name in (getattr(units, role) if role else units.all()))
    ]  # fmt: skip
    return _shortened("".join(own) or clause.heading, limit)


def _row_measure(clause: Clause, document: Document) -> str:
    """A task-table row's own measure when its item cell is shared with other rows (merged): its longest cell other
    than the item, a number or a unit list; "" for any other clause."""
    item = without_number(clause.heading)
    shared = sum(other.path[:-1] == clause.path[:-1] and without_number(other.heading) == item for other in document.clauses) > 1
    if not shared or CELL_SEPARATOR not in clause.text:
        return ""
    cells = [cell for label, cell in row_cells(clause.text) if label_role(label) is None and cell != item and not cell.isdigit()]
    return max(cells, key=len, default="")


def _listing_role(question: str) -> str:
    """The role a listing question asks about: a label it names ("作为指导部门"), else 牵头 / 配合; "" for any."""
    for label in sorted(LABEL_ROLES, key=len, reverse=True):
        if len(label) > 2 and label in question:
            return LABEL_ROLES[label]
    return "lead" if "牵头" in question else "cooperate" if re.search("配合|协办", question) else ""


def _across_documents(query: Query, index: CorpusIndex, deadline: float | None) -> Answer:
    """One answer per document that answers the query, each with its own citation."""
    doc_ids = query.doc_ids or tuple(document.doc_id for document in index.documents)
    answers = []
    for doc_id in doc_ids:
        spend(deadline)
        ranked = retrieve(query, index, doc_ids=(doc_id,))
        single = _from_best_clause(query, ranked, index)
        if not single.abstained:
            answers.append((doc_id, single))
    if not answers:
        return _abstain(query, f"{NOT_FOUND}与“{query.task or query.question}”相关的内容。")
    if len(answers) == 1:
        return answers[0][1]
    places = [_document(index, doc_id).place for doc_id, _single in answers]
    distinct = all(places) and len(set(places)) == len(places)  # "上海市:…" twice says nothing: then the titles
    lines = [
        f"{place}:{single.answer}" if distinct else f"《{_document(index, doc_id).title}》:{single.answer}"
        for place, (doc_id, single) in zip(places, answers, strict=True)
    ]
    merged = merged_departments([single for _doc_id, single in answers])
    citations = tuple(single.citations[0] for _doc_id, single in answers)
    return Answer(query.question, "\n".join(lines), False, merged, citations, query.intent, query)


def _citations(ranked: list[Ranked], index: CorpusIndex, highlights: tuple[str, ...]) -> tuple[Citation, ...]:
    """The clause the answer rests on, then the runners-up that also cover the task."""
    best, runners_up = ranked[0], [other for other in ranked[1:3] if other.coverage >= MIN_COVERAGE]
    first = _citation(best.clause, _document(index, best.clause.doc_id), best.score, tuple(h for h in highlights if h))
    return (first,) + tuple(
        _citation(other.clause, _document(index, other.clause.doc_id), other.score, ()) for other in runners_up
    )


def _citation(clause: Clause, document: Document, score: float, highlights: tuple[str, ...]) -> Citation:
    """The clause as written (a document in traditional characters: quoted, and its units marked, in its own characters)."""
    quote = partial(document.written, start=clause.start, end=clause.end)
    return Citation(clause.doc_id, document.title, clause.label, quote(clause.text), round(score, 4), tuple(map(quote, highlights)))


def _abstain(query: Query, message: str) -> Answer:
    return Answer(query.question, message, True, Departments(), (), query.intent, query)


def _unattested_year(query: Query, scope: tuple[Document, ...], index: CorpusIndex) -> bool:
    """A year the documents in scope never state (looked up in each document's four-digit runs)."""
    if query.year is None:
        return False
    if len(str(query.year)) == 4:
        return not lookups(index.documents).mention(scope, str(query.year))
    return unattested_year(query, scope_text(scope))


def _document(index: CorpusIndex, doc_id: str) -> Document:
    return lookups(index.documents).documents_by_id[doc_id]


def _titles(documents: tuple[Document, ...]) -> str:
    return "、".join(f"《{document.title}》" for document in documents) if len(documents) <= 2 else "现有文件"


def _places(index: CorpusIndex) -> str:
    return "、".join(dict.fromkeys(document.place for document in index.documents if document.place))


def _source(document: Document, clause: Clause) -> str:
    return f"《{document.title}》{clause.label}"


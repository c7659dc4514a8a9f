"""HTML for the chat: answers, cited-clause cards with the answering words marked, and the document viewer.

Everything that comes from a document or an answer is escaped here before any tag of ours is added,
so markup inside a document (`<script>`, `<img onerror=…>`) is shown as text and never runs.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from html import escape

from assistant.records import Answer, Citation
from corpus import Document
from corpus.records import PATH_SEPARATOR
from ui.conversations import Turn, answer_markdown

# Turns rendered, by (place in the conversation, id of the Turn): a chat shows the whole conversation after each
# answer, and its earlier turns are the same objects (frozen) as before. At most KNOWN_TURNS, the oldest dropped.
Rendered = MutableMapping[tuple[int, int], tuple[Turn, str]]
KNOWN_TURNS = 2048
_ROLE_LABELS = (("lead", "牵头"), ("cooperate", "配合"), ("responsible", "负责"))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PUNCTUATION = re.compile(r"[,。;:、,;:()()]")
# Characters that may stand right before a unit's name ("由市质监局牵头", "会同市财政局", "请各县…").
_BEFORE_UNIT = frozenset("由和与及同请经报向是为以将把对在从或即其并")
_ORGAN_ENDS = frozenset("局委厅办署")  # 质监 inside 质监局 is part of another name; 质监部门 is 质监
# 👍 drawn, not typed: machines without an emoji font would show a box (👎 is the same shape turned over by CSS).
_THUMB = (
    '<svg class="pqa-thumb" viewBox="0 0 24 24" aria-hidden="true"><path d="M2 21h4V9H2v12zm22-11c0-1.1-.9-2-2-2h-6.31'
    'l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L15.17 1 8.59 7.59C8.22 7.95 8 8.45 8 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 '
    '1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg>'
)


def mark(text: str, highlights: Sequence[str], tag: str = "mark") -> str:
    """`text` escaped, with every occurrence of every highlight wrapped in <mark>.

    A highlight that contains another one (the sentence that names the units) is marked lightly
    (class "hl-ctx"); the others (units, figures) strongly (class "hl-key"), and only where they stand
    whole: 农业 not inside 现代农业, 质监 not inside 质监局, 95% not inside 195%.
    """
    wanted = [h for h in dict.fromkeys(highlights) if h]
    context = {h for h in wanted if any(other != h and other in h for other in wanted)}
    levels = [0] * len(text)
    for highlight in wanted:
        level = 1 if highlight in context else 2
        start = text.find(highlight)
        while start >= 0:
            if level == 1 or _stands_whole(text, start, start + len(highlight)):
                for position in range(start, start + len(highlight)):
                    levels[position] = max(levels[position], level)
            start = text.find(highlight, start + 1)
    parts, run_start = [], 0
    for position in range(1, len(text) + 1):
        if position == len(text) or levels[position] != levels[run_start]:
            piece = escape(text[run_start:position])
            level = levels[run_start]
            if level:
                css = "hl-key" if level == 2 else "hl-ctx"
                piece = f'<{tag} class="{css}">{piece}</{tag}>'
            parts.append(piece)
            run_start = position
    return "".join(parts)


def _stands_whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] (a unit or a figure) is a whole name or number there, not part of a longer one."""
    span, before, after = text[start:end], text[start - 1 : start], text[end : end + 1]
    if _PUNCTUATION.search(span):
        return True  # a sentence or a phrase: marked wherever it stands
    if span[0].isdigit() and (before.isdigit() or before == "."):
        return False
    if span[-1].isdigit() and (after.isdigit() or after in ".%"):
        return False
    if _CJK.match(span[0]) and _CJK.match(before) and before not in _BEFORE_UNIT:
        return False
    return not (_CJK.match(span[-1]) and after in _ORGAN_ENDS)


def render_chat(turns: Sequence[Turn], examples: Sequence[str] = (), known: Rendered | None = None) -> str:
    """The whole conversation: each question, its answer first, then the cited clauses as cards. With `known`, a turn
    rendered before at the same place (the same Turn object: a conversation's earlier turns) is not rendered again."""
    if not turns:
        example = f",例如“{escape(examples[0])}”" if examples else ""
        return (
            '<div class="pqa-chat"><div class="pqa-empty">'
            f"<p><b>请输入问题</b>{example}</p>"
            "<p>每个回答都附有所依据的文件条款;点击“查看原文”可在整篇文件中核对。"
            "追问时可直接说“配合单位呢?”或换一个地方、文件接着问。</p></div></div>"
        )
    if known is None:
        body = "".join(_render_turn(number, turn) for number, turn in enumerate(turns))
    else:
        body = "".join(_known_turn(number, turn, known) for number, turn in enumerate(turns))
    return f'<div class="pqa-chat">{body}</div>'


def _known_turn(number: int, turn: Turn, known: Rendered) -> str:
    seen = known.get((number, id(turn)))
    if seen is not None and seen[0] is turn:
        return seen[1]
    html = _render_turn(number, turn)
    known[(number, id(turn))] = (turn, html)  # the Turn is kept with it, so its id is not reused meanwhile
    while len(known) > KNOWN_TURNS:
        known.pop(next(iter(known)), None)  # the oldest
    return html


def render_pending() -> str:
    """A turn being answered, its question left empty: what the page shows at once when a question is asked."""
    return _render_turn(0, Turn(""))


def _render_turn(number: int, turn: Turn) -> str:
    question = f'<div class="pqa-q"><span class="pqa-who">问</span><div>{escape(turn.question)}</div></div>'
    result = turn.answer
    if result is None:
        reply = '<div class="pqa-a pqa-pending"><span class="pqa-spinner"></span>正在检索文件…</div>'
        return f'<div class="pqa-turn" data-turn="{number}">{question}{reply}</div>'
    if result.abstained:
        reply = f'<div class="pqa-a pqa-abstained"><span class="pqa-who">答</span><div>{escape(result.answer)}</div></div>'
        return f'<div class="pqa-turn" data-turn="{number}">{question}{reply}{_actions(number, turn)}</div>'
    units = [name for role, _label in _ROLE_LABELS for name in getattr(result.departments, role)]
    text = mark(result.answer, units, tag="strong")
    reply = f'<div class="pqa-a"><span class="pqa-who">答</span><div>{text}{_role_chips(result)}</div></div>'
    cards = "".join(render_card(citation, number, position) for position, citation in enumerate(result.citations))
    heading = f'<div class="pqa-cites-head">依据条款({len(result.citations)})</div>' if cards else ""
    return f'<div class="pqa-turn" data-turn="{number}">{question}{reply}{_actions(number, turn)}{heading}{cards}</div>'


def _actions(number: int, turn: Turn) -> str:
    """Copy / export (Markdown with the citations) and 👍 / 👎 with an optional comment, under an answer."""
    votes = "".join(
        f'<button type="button" class="pqa-act pqa-vote{" pqa-on" if turn.feedback == verdict else ""}" data-turn="{number}"'
        f' data-verdict="{verdict}" aria-pressed="{str(turn.feedback == verdict).lower()}" title="{tip}">{label}</button>'
        for verdict, label, tip in (("up", f"{_THUMB}有用", "回答正确"), ("down", f"{_THUMB}有误", "回答有误"))
    )
    bar = (
        f'<div class="pqa-actions" data-turn="{number}"><textarea class="pqa-md" hidden readonly>{escape(answer_markdown(turn))}</textarea>'
        '<button type="button" class="pqa-act pqa-copy" title="复制问题、回答和依据条款">复制</button>'
        '<button type="button" class="pqa-act pqa-export" title="下载为 Markdown 文件">导出</button>'
        f'<span class="pqa-act-gap"></span>{votes}</div>'
    )
    if not turn.feedback:
        return bar
    if turn.comment:
        return bar + f'<div class="pqa-thanks">已记录您的反馈与说明,谢谢:{escape(turn.comment)}</div>'
    return bar + (
        f'<div class="pqa-comment" data-turn="{number}"><span class="pqa-thanks">已记录您的反馈,谢谢。</span>'
        '<textarea class="pqa-comment-text" rows="2" maxlength="500" placeholder="补充说明(可选):哪里不对,正确答案是什么"></textarea>'
        f'<button type="button" class="pqa-act pqa-comment-send" data-turn="{number}" data-verdict="{turn.feedback}">提交说明</button></div>'
    )


def _role_chips(result: Answer) -> str:
    rows = []
    for role, label in _ROLE_LABELS:
        names = getattr(result.departments, role)
        if names:
            chips = "".join(f'<span class="pqa-chip pqa-{role}">{escape(name)}</span>' for name in names)
            rows.append(f'<div class="pqa-roles"><span class="pqa-role">{label}</span>{chips}</div>')
    return "".join(rows)


def render_card(citation: Citation, turn: int, position: int) -> str:
    """One cited clause: document title, clause path, the clause text with the answering words marked."""
    kind = "主要依据" if position == 0 else "相关条款"
    path = " › ".join(escape(part) for part in citation.clause.split(PATH_SEPARATOR)) if citation.clause else ""
    return (
        f'<div class="pqa-card{" pqa-card-main" if position == 0 else ""}">'
        f'<div class="pqa-card-head"><span class="pqa-badge">[{position + 1}] {kind}</span>'
        f'<span class="pqa-title">《{escape(citation.title)}》</span>'
        f'<button class="pqa-open" type="button" data-turn="{turn}" data-cite="{position}">查看原文</button></div>'
        f'<div class="pqa-path">{path}</div>'
        f'<div class="pqa-text">{mark(citation.text, citation.highlights)}</div></div>'
    )


def locate(document: Document, citation: Citation) -> tuple[int, int] | None:
    """Where a cited clause stands in its document's text (character offsets), or None."""
    for clause in document.clauses:
        if clause.label == citation.clause and clause.text == citation.text:
            return clause.start, clause.end
    start = document.written_text.find(citation.text) if citation.text else -1
    if start >= 0:
        return start, start + len(citation.text)
    for clause in document.clauses:
        if clause.label == citation.clause:
            return clause.start, clause.end
    return None


def render_document(document: Document | None, focus: tuple[int, int] | None = None, highlights: Sequence[str] = ()) -> str:
    """A whole document as text, the focused clause framed (and scrolled to by the viewer's script)."""
    if document is None:
        return (
            '<div class="pqa-doc pqa-doc-empty">点击回答下方条款卡片上的“查看原文”,'
            "在此查看该条款在整篇文件中的位置。</div>"
        )
    facts = [
        ("发布机构", document.issuer),
        ("文号", document.doc_number),
        ("日期", document.date),
        ("地区", document.place),
    ]
    meta = " · ".join(f"{label}:{escape(value)}" for label, value in facts if value)
    derived = '<span class="pqa-derived">标题据内容推定</span>' if document.title_derived else ""
    text = document.written_text
    if focus is None:
        body = escape(text)
    else:
        start, end = focus
        body = (
            f"{escape(text[:start])}<div class=\"pqa-focus\">{mark(text[start:end], highlights)}</div>"
            f"{escape(text[end:])}"
        )
    return (
        f'<div class="pqa-doc"><div class="pqa-doc-head"><div class="pqa-doc-title">《{escape(document.title)}》{derived}</div>'
        f'<div class="pqa-doc-meta">{meta}</div></div><div class="pqa-doc-body">{body}</div></div>'
    )


def document_rows(documents: Sequence[Document]) -> list[list]:
    """The documents table: title (derived ones marked), issuer, 文号, date, place, clause count."""
    return [
        [
            document.title + ("(标题据内容推定)" if document.title_derived else ""),
            document.issuer or "未注明",
            document.doc_number or "无",
            document.date or "未注明",
            document.place or "未知",
            len(document.clauses),
        ]
        for document in documents
    ]

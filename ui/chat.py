"""The 问答 tab: the conversation, kept in the browser, with copy / export / 👍 👎 per answer and the document viewer."""

import json
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.budget import answer_in_time
from assistant.guard import FAILED
from assistant.records import Answer
from ui import conversations as kept
from ui.busy import BUSY, MAX_WAITING_ANSWERS, Answering
from ui.conversations import Conversation, Turn
from ui.feedback import Feedback, record_feedback
from ui.ratelimit import QuestionRate, client_of, too_frequent
from ui.refresh import Refresh
from ui.render import Rendered, locate, render_chat, render_document, render_pending

if TYPE_CHECKING:
    import gradio as gr

    from corpus import Document
    from index import CorpusIndex

# Questions answered at once, across all readers (answering only reads the index): a cheap question is not queued
# behind a costly one. Every trigger (Enter, 提问, the examples) shares this one pool (ui/busy.py Answering).
ANSWER_WORKERS = 8
STORAGE_KEY = "pqa-conversations"
# BrowserState encrypts what it keeps with this; the page can read it anyway, so it only has to stay the same
# from one start of the server to the next (a random one would lose every conversation on restart).
STORAGE_SECRET = "pqa-conversations-v1"

# Clicks inside the chat: "查看原文" and 👍 / 👎 go to Python; copy and export happen in the browser.
CHAT_JS = """
const flash = (button, text) => { const old = button.textContent; button.textContent = text;
  setTimeout(() => { button.textContent = old; }, 1500); };
const markdownOf = (button) => button.closest('.pqa-actions').querySelector('textarea.pqa-md').value;
const copy = async (text) => {
  if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return; }
  const area = document.createElement('textarea'); area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
  document.body.appendChild(area); area.select(); document.execCommand('copy'); area.remove();
};
element.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  if (button.classList.contains('pqa-open')) {
    trigger('click', {turn: Number(button.dataset.turn), cite: Number(button.dataset.cite)});
  } else if (button.classList.contains('pqa-copy')) {
    try { await copy(markdownOf(button)); flash(button, '已复制'); } catch (error) { flash(button, '复制失败'); }
  } else if (button.classList.contains('pqa-export')) {
    const blob = new Blob([markdownOf(button)], {type: 'text/markdown;charset=utf-8'});
    const link = document.createElement('a'); link.href = URL.createObjectURL(blob);
    link.download = '问答-' + new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '') + '.md';
    document.body.appendChild(link); link.click(); link.remove(); setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } else if (button.classList.contains('pqa-vote')) {
    trigger('click', {turn: Number(button.dataset.turn), verdict: button.dataset.verdict});
  } else if (button.classList.contains('pqa-comment-send')) {
    const text = button.closest('.pqa-comment').querySelector('textarea').value.trim();
    if (text) trigger('click', {turn: Number(button.dataset.turn), verdict: button.dataset.verdict, comment: text});
  }
});
let seen = '';
watch('value', () => {
  const turns = element.querySelectorAll('.pqa-turn');
  const state = turns.length + ':' + element.querySelectorAll('.pqa-pending').length;
  if (state === seen || !turns.length) { seen = state; return; }
  seen = state;
  const log = element.querySelector('.pqa-chat');
  const last = turns[turns.length - 1];
  if (log.scrollHeight > log.clientHeight + 4) log.scrollTop = last.offsetTop - 8;
  else last.scrollIntoView({block: 'start', behavior: 'smooth'});
});
"""
# The viewer scrolls its own text to the framed clause, and itself into view when it is out of sight.
VIEWER_JS = """
const show = () => {
  const body = element.querySelector('.pqa-doc-body');
  const focus = element.querySelector('.pqa-focus');
  if (!body || !focus) return;
  body.scrollTop = Math.max(0, focus.offsetTop - 12);
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) element.scrollIntoView({block: 'start', behavior: 'smooth'});
};
watch('value', show);
show();
"""
# The chat's viewer: on a phone it opens over the page with a 关闭 button, leaving the reader where they were.
CHAT_VIEWER_JS = """
const show = () => {
  const body = element.querySelector('.pqa-doc-body');
  const focus = element.querySelector('.pqa-focus');
  if (!body || !focus) return;
  const phone = window.matchMedia('(max-width: 640px)').matches;
  element.classList.toggle('pqa-over', phone);
  const doc = element.querySelector('.pqa-doc');
  if (phone && doc && !doc.querySelector('.pqa-close')) {
    const close = document.createElement('button');
    close.type = 'button'; close.className = 'pqa-close'; close.textContent = '关闭';
    doc.prepend(close);
  }
  body.scrollTop = Math.max(0, focus.offsetTop - 12);
};
element.addEventListener('click', (event) => { if (event.target.closest('.pqa-close')) element.classList.remove('pqa-over'); });
watch('value', show);
show();
"""
# Pressing Enter (or 提问, or an example) shows the question at once as pending and empties the box, in the page;
# the one queue event that follows (`respond`) brings the answer. `{text}` is an example's question, or null.
ASK_JS = """(question, ...rest) => {{
  const asked = ({text} ?? question ?? '').trim();
  const log = document.querySelector('#pqa-chat-log .pqa-chat');
  if (asked && log) {{
    const holder = document.createElement('div');
    holder.innerHTML = {pending};
    const turn = holder.firstElementChild;
    turn.dataset.turn = String(log.querySelectorAll('.pqa-turn').length);
    turn.querySelector('.pqa-q > div').textContent = asked;
    log.querySelector('.pqa-empty')?.remove();
    log.appendChild(turn);
    if (log.scrollHeight > log.clientHeight + 4) log.scrollTop = turn.offsetTop - 8;
    else turn.scrollIntoView({{block: 'start', behavior: 'smooth'}});
  }}
  const box = document.querySelector('#pqa-question textarea');
  if (asked && box) {{ box.value = ''; box.dispatchEvent(new Event('input', {{bubbles: true}})); }}
  return [{text} ?? question, ...rest];
}}"""
# After a turn or a vote: the page puts the conversation the server saved first in its records (kept in the
# browser), replacing its earlier version, as ui/conversations.py `saved` does; nothing when there is none.
# (Returned inside a list: a list returned for a single output is read as the list of outputs.)
SAVE_JS = f"""(one, records) => {{
  if (!one || typeof one !== 'object') return [records];
  const others = (Array.isArray(records) ? records : []).filter((r) => r && typeof r === 'object' && !Array.isArray(r) && r.id !== one.id);
  return [[one, ...others.slice(0, {kept.MAX_CONVERSATIONS - 1})]];
}}"""
HISTORY_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-id]');
  if (!button) return;
  if (button.classList.contains('pqa-history-delete')) {
    if (window.confirm('删除这段对话?删除后无法恢复。')) trigger('click', {remove: button.dataset.id});
  } else trigger('click', {open: button.dataset.id});
});
"""


def build_chat_tab(
    demo: "gr.Blocks", index: "CorpusIndex", examples: Sequence[str], feedback_path: Path, rate: QuestionRate
) -> Refresh:
    """The tab's components and events, inside an open gr.Blocks / gr.Tab; `rate` counts each client's questions.
    Returns how its 文件范围 follows the library (ui/refresh.py).

    (No `from __future__ import annotations` here: Gradio reads the handlers' `gr.EventData` annotations at runtime.)
    """
    import gradio as gr  # noqa: PLC0415

    documents = tuple(index.documents)
    by_id = {document.doc_id: document for document in documents}
    all_ids = [document.doc_id for document in documents]

    def current_ids() -> set[str]:
        return {document.doc_id for document in index.current().documents}

    known: Rendered = {}  # turns rendered, shared by every reader's session (ui/render.py)

    def chat_html(turns: Sequence[Turn]) -> str:
        return render_chat(turns, examples[:1], known)

    def remembered(listed: list[kept.Listed], conversation_id: str, turns: list[Turn]):
        """This conversation as the page is to save it (SAVE_JS), the history list, the conversation's id, the list."""
        conversation_id = conversation_id or kept.new_id()
        record, listed = kept.saved_one(listed, Conversation(conversation_id, tuple(turns), ""))
        return record, kept.render_listing(listed, conversation_id), conversation_id, listed

    def restore(records, turns: list[Turn]):
        """On page load: reopen the latest conversation, unless the reader has already started a new one; the
        history list, kept in the session from then on."""
        found = kept.conversations(records)
        listed = kept.listing(records)
        if not found or turns:
            return gr.skip(), gr.skip(), gr.skip(), kept.render_listing(listed), listed
        latest = found[0]
        return list(latest.turns), latest.id, chat_html(latest.turns), kept.render_listing(listed, latest.id), listed

    async def respond(question: str, turns: list[Turn], chosen: list[str], conversation_id: str, listed: list[kept.Listed],
                      request: gr.Request | None = None):
        """One turn: the page has already shown the question as pending (ASK_JS); the answer, or at once that the
        waiting answers are full. Answering runs in a worker thread, at most ANSWER_WORKERS at once."""
        question = (question or "").strip()
        if not question:
            return (gr.skip(),) * 2 + (None,) + (gr.skip(),) * 3
        if answering.full():  # told now, not after waiting behind them all; not kept in the history
            turns = [*turns, Turn(question, Answer(question, BUSY, abstained=True))]
            return turns, chat_html(turns), None, gr.skip(), conversation_id, gr.skip()
        doc_ids = None if not chosen or set(chosen) == current_ids() else list(chosen)
        wait = rate.wait(client_of(request))

        def answered():
            try:
                result = (
                    Answer(question, too_frequent(wait), abstained=True) if wait
                    else answer_in_time(question, index.current(), history=kept.history_questions([*turns, Turn(question)]), doc_ids=doc_ids)
                )  # fmt: skip
            except Exception:  # shown in the chat, and the traceback logged: the chat must not hang
                traceback.print_exc()
                result = Answer(question, FAILED, abstained=True)
            now = [*turns, Turn(question, result)]
            return (now, chat_html(now), *remembered(listed, conversation_id, now))

        return await answering.run(answered)

    def on_chat_click(turns: list[Turn], conversation_id: str, listed: list[kept.Listed], event: gr.EventData):
        data = getattr(event, "_data", None) or {}
        skip = (gr.skip(),) * 3 + (None,) + (gr.skip(),) * 3  # None: nothing for the page to save
        try:
            number = int(data["turn"])
            turn = turns[number]
        except (KeyError, IndexError, TypeError, ValueError):
            return skip
        if "cite" in data:
            try:
                citation = turn.answer.citations[int(data["cite"])]
            except (AttributeError, IndexError, TypeError, ValueError):
                return skip
            document = by_id.get(citation.doc_id) or _document(index.current(), citation.doc_id)  # added since
            if document is None:
                return skip
            return (render_document(document, locate(document, citation), citation.highlights),) + skip[1:]
        verdict, comment = str(data.get("verdict") or ""), str(data.get("comment") or "").strip()
        if turn.answer is None or verdict not in ("up", "down"):
            return skip
        conversation_id = conversation_id or kept.new_id()
        record_feedback(feedback_path, Feedback(
            f"{conversation_id}-{number}", turn.answer, verdict, comment, tuple(kept.history_questions(turns[: number + 1])),
        ))  # fmt: skip
        turns = [*turns[:number], Turn(turn.question, turn.answer, verdict, comment), *turns[number + 1 :]]
        return gr.skip(), turns, chat_html(turns), *remembered(listed, conversation_id, turns)

    def on_history_click(records, current: str, event: gr.EventData):
        data = getattr(event, "_data", None) or {}
        if data.get("remove"):
            records = kept.deleted(records, str(data["remove"]))
            listed = kept.listing(records)
            if data["remove"] == current:
                return [], "", chat_html([]), records, kept.render_listing(listed), listed
            return gr.skip(), gr.skip(), gr.skip(), records, kept.render_listing(listed, current), listed
        chosen = next((c for c in kept.conversations(records) if c.id == data.get("open")), None)
        if chosen is None:
            return (gr.skip(),) * 6
        listed = kept.listing(records)
        return list(chosen.turns), chosen.id, chat_html(chosen.turns), gr.skip(), kept.render_listing(listed, chosen.id), listed

    def scope_label(chosen: list[str]):
        return gr.Accordion(label=_scope_label(chosen, current_ids()))

    def scope_refreshed(current: "CorpusIndex", chosen: list[str], listed: list[str]):
        """The current documents to choose from; all of them when all were chosen, else the chosen that remain."""
        ids = [document.doc_id for document in current.documents]
        everything = not chosen or set(listed) <= set(chosen)
        value = ids if everything else [doc_id for doc_id in chosen if doc_id in ids]
        return (gr.CheckboxGroup(choices=[(document.title, document.doc_id) for document in current.documents], value=value),
                gr.Accordion(label=_scope_label(value, set(ids))), ids)  # fmt: skip

    answering = Answering(ANSWER_WORKERS, MAX_WAITING_ANSWERS)
    store = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
    turns, conversation, listed = gr.State([]), gr.State(""), gr.State(all_ids)
    history_list = gr.State([])  # of the browser's conversations (kept.Listed): the records stay in the browser
    one = gr.JSON(None, visible=False)  # the conversation just saved, for the page to put in its records (SAVE_JS)
    with gr.Row(equal_height=False, elem_classes="pqa-chat-row"):
        with gr.Column(scale=3, min_width=320):
            chat = gr.HTML(chat_html([]), js_on_load=CHAT_JS, elem_id="pqa-chat-log")
            with gr.Row(elem_classes="pqa-ask"):
                question = gr.Textbox(
                    placeholder="输入问题,按回车提问",
                    label="问题", show_label=False, container=False, lines=1, max_lines=4, scale=6, elem_id="pqa-question",
                )
                send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="pqa-send")
                clear = gr.Button("新对话", variant="secondary", scale=1, min_width=72, elem_id="pqa-new")
            with gr.Row(elem_classes="pqa-examples"):
                gr.HTML('<span class="pqa-examples-label">示例问题:</span>', js_on_load=None)
                example_buttons = [gr.Button(text, size="sm", variant="secondary") for text in examples]
            with gr.Accordion("历史对话", open=False, elem_id="pqa-history-box"):
                history = gr.HTML(kept.render_history([]), js_on_load=HISTORY_JS, elem_id="pqa-history")
            with gr.Accordion(_scope_label(all_ids, set(all_ids)), open=False) as scope_box:
                scope = gr.CheckboxGroup(
                    choices=[(document.title, document.doc_id) for document in documents], value=all_ids,
                    label="文件范围", show_label=False, elem_id="pqa-scope", info="只在勾选的文件中查找答案(全不选等同于全部文件)。",
                )
        with gr.Column(scale=2, min_width=320, elem_classes="pqa-viewer-col"):
            viewer = gr.HTML(render_document(None), js_on_load=CHAT_VIEWER_JS, elem_id="pqa-viewer")

    demo.load(restore, [store, turns], [turns, conversation, chat, history, history_list], show_progress="hidden")
    asking = dict(fn=respond, inputs=[question, turns, scope, conversation, history_list],
                  outputs=[turns, chat, one, history, conversation, history_list], show_progress="hidden", concurrency_limit=None)  # fmt: skip
    saving = dict(fn=None, inputs=[one, store], outputs=[store], js=SAVE_JS, show_progress="hidden")
    # Enter and 提问 are one event: while its answer is pending, either is ignored (Gradio's trigger_mode "once").
    gr.on([question.submit, send.click], **asking, js=ask_js()).then(**saving)
    for button, text in zip(example_buttons, examples):
        button.click(**asking, js=ask_js(text)).then(**saving)
    clear.click(
        lambda listed: ([], "", chat_html([]), "", render_document(None), kept.render_listing(listed)),
        [history_list], [turns, conversation, chat, question, viewer, history], show_progress="hidden",
    )
    chat.click(
        on_chat_click, [turns, conversation, history_list], [viewer, turns, chat, one, history, conversation, history_list],
        show_progress="hidden",
    ).then(**saving)
    history.click(
        on_history_click, [store, conversation], [turns, conversation, chat, store, history, history_list], show_progress="hidden"
    )
    scope.change(scope_label, [scope], [scope_box], show_progress="hidden")
    return Refresh(scope_refreshed, (scope, listed), (scope, scope_box, listed))


def ask_js(text: str | None = None) -> str:
    """The page's half of a turn (ASK_JS), for the question typed or for an example's `text`."""
    return ASK_JS.format(text=json.dumps(text, ensure_ascii=False), pending=json.dumps(render_pending(), ensure_ascii=False))


def _scope_label(chosen: Sequence[str], ids: set[str]) -> str:
    if not chosen or set(chosen) == ids:
        return f"文件范围:全部 {len(ids)} 份文件"
    return f"文件范围:已选 {len(chosen)} / {len(ids)} 份文件"


def _document(index: "CorpusIndex", doc_id: str) -> "Document | None":
    return next((document for document in index.documents if document.doc_id == doc_id), None)

"""The 责任矩阵 tab: tasks with their text and a link to the clause, units as whole names, and why a choice is empty."""

from collections.abc import Sequence
from html import escape
import threading
from itertools import count
from typing import TYPE_CHECKING

from corpus import Document
from corpus.records import PATH_SEPARATOR
from corpus.unitnames import department_key
from ui import matrix as table
from ui.refresh import Refresh
from ui.render import render_document

if TYPE_CHECKING:
    import gradio as gr

    from index import CorpusIndex

EXCERPT_CHARS = 110
_ROLE_COLUMNS = (("lead", "牵头单位"), ("cooperate", "配合单位"), ("responsible", "责任单位"))
MATRIX_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('.pqa-clause-link');
  if (!link) return;
  event.preventDefault();
  trigger('click', {doc: link.dataset.doc, clause: Number(link.dataset.clause)});
});
"""
OVERLAY_JS = """
const close = () => { const overlay = element.querySelector('.pqa-overlay'); if (overlay) overlay.classList.add('pqa-closed'); };
element.addEventListener('click', (event) => {
  if (event.target.closest('.pqa-close') || event.target.classList.contains('pqa-overlay')) close();
});
document.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
watch('value', () => {
  const body = element.querySelector('.pqa-doc-body');
  const focus = element.querySelector('.pqa-focus');
  if (body && focus) body.scrollTop = Math.max(0, focus.offsetTop - 12);
});
"""


def render_tasks(tasks: Sequence[table.Task], documents: Sequence[Document], department: str = table.ALL, empty: str = "") -> str:
    """The matrix as a table (cards on a phone): role, document, task with its text and clause link, units by role."""
    if not tasks:
        return f'<div class="pqa-matrix-empty">{escape(empty or "没有任务。")}</div>'
    role_head = "<th>角色</th>" if department != table.ALL else ""
    head = f"<thead><tr>{role_head}<th>文件</th><th>任务</th>{''.join(f'<th>{label}</th>' for _r, label in _ROLE_COLUMNS)}</tr></thead>"
    rows = []
    for task in tasks:
        badges = "".join('<span class="pqa-rolebadge">' + role + "</span>" for role in task.roles)
        role = f'<td data-label="角色" class="pqa-m-role">{badges}</td>' if role_head else ""
        units = "".join(
            f'<td data-label="{label}" class="pqa-m-units">{_units(getattr(task.clause.units, role), department)}</td>'
            for role, label in _ROLE_COLUMNS
        )
        rows.append(f'<tr>{role}<td data-label="文件" class="pqa-m-doc">{escape(table.short_name(task.document, documents))}</td>'
                    f'<td data-label="任务" class="pqa-m-task">{_task_cell(task)}</td>{units}</tr>')  # fmt: skip
    return f'<div class="pqa-matrix-wrap"><table class="pqa-matrix-table">{head}<tbody>{"".join(rows)}</tbody></table></div>'


def render_overlay(document: Document, clause_ordinal: int, nonce: int = 0) -> str:
    """The whole document over the page, scrolled to the clause, with a close button."""
    clause = next((c for c in document.clauses if c.ordinal == clause_ordinal), None)
    focus = (clause.start, clause.end) if clause else None
    viewer = render_document(document, focus, clause.units.all() if clause else ())
    return (
        f'<div class="pqa-overlay" data-n="{nonce}" role="dialog" aria-label="条款原文"><div class="pqa-overlay-box">'
        f'<button type="button" class="pqa-close" aria-label="关闭">关闭</button>{viewer}</div></div>'
    )


def _task_cell(task: table.Task) -> str:
    clause = task.clause
    text = task.text if len(task.text) <= EXCERPT_CHARS else task.text[: EXCERPT_CHARS - 1] + "…"
    section = PATH_SEPARATOR.join(clause.path[:-1])
    return (
        (f'<div class="pqa-m-path">{escape(" › ".join(section.split(PATH_SEPARATOR)))}</div>' if section else "")
        + f'<div class="pqa-m-head">{escape(clause.heading)}</div><div class="pqa-m-text">{escape(text)}</div>'
        f'<a href="#" class="pqa-clause-link" data-doc="{escape(clause.doc_id)}" data-clause="{clause.ordinal}">查看条款原文</a>'
    )


def _units(names: Sequence[str], department: str) -> str:
    chips = []
    for name in names:
        chosen = " pqa-unit-chosen" if department != table.ALL and department_key(name) == department else ""
        whole = table.whole_name(name)
        title = f' title="原文:{escape(name)}"' if whole != name else ""
        chips.append(f'<span class="pqa-unit{chosen}"{title}>{escape(whole)}</span>')
    return "".join(chips)


def build_matrix_tab(index: "CorpusIndex") -> Refresh:
    """The tab's components and events, inside an open gr.Blocks / gr.Tab, over the index's current documents;
    returns how it follows the library (ui/refresh.py)."""
    import gradio as gr  # noqa: PLC0415

    opened = count(1)
    labelled: list = [None, {}]  # the documents of one version and their departments' labels (built once per version)
    labelling = threading.Lock()  # answered from several threads at once (ui/server.py DEFAULT_CONCURRENCY)

    def labels(documents: Sequence[Document]) -> dict[str, str]:
        with labelling:
            if labelled[0] is not documents:
                labelled[:] = [documents, {department.key: department.label for department in table.departments(documents)}]
            return labelled[1]

    def view(doc_id: str, department: str, search: str, documents: Sequence[Document] | None = None):
        documents = index.current().documents if documents is None else documents
        by_id = {document.doc_id: document for document in documents}
        doc_id, department, search = doc_id or table.ALL, department or table.ALL, (search or "").strip()
        found = table.tasks(documents, doc_id, department, search)
        doc_label = (by_id[doc_id].place or by_id[doc_id].title) if doc_id in by_id else "全部文件"
        dept_label = labels(documents).get(department, "全部部门") if department != table.ALL else "全部部门"
        headers, rows = table.matrix(documents, doc_id, department, search)
        csv_path, xlsx_path = table.export(headers, rows, f"责任矩阵-{doc_label}-{dept_label}")
        summary = f"**{len(found)}** 项任务 · {doc_label} · {dept_label}" + (f" · 含“{search}”" if search else "")
        empty = table.why_empty(documents, doc_id, department, search, dept_label) if not found else ""
        return summary, render_tasks(found, documents, department, empty), str(csv_path), str(xlsx_path)

    def open_clause(event: gr.EventData):
        data = getattr(event, "_data", None) or {}
        document = next((d for d in index.current().documents if d.doc_id == str(data.get("doc"))), None)
        if document is None:
            return gr.skip()
        try:
            return render_overlay(document, int(data.get("clause")), next(opened))
        except (TypeError, ValueError):
            return gr.skip()

    def refreshed(current: "CorpusIndex", doc_id: str, department: str, search: str):
        """The pickers' choices from the current documents, the choices kept where they still exist."""
        documents = current.documents
        docs, departments = table.document_choices(documents), table.department_choices(documents)
        doc_id = doc_id if doc_id in {value for _label, value in docs} else table.ALL
        department = department if department in {value for _label, value in departments} else table.ALL
        return (gr.Dropdown(choices=docs, value=doc_id), gr.Dropdown(choices=departments, value=department),
                *view(doc_id, department, search, documents))  # fmt: skip

    documents = index.current().documents
    gr.Markdown("每项任务的牵头、配合与责任单位。选一份文件看其全部任务;选一个部门看它在各文件中承担的任务;点“查看条款原文”核对。")
    with gr.Row(elem_classes="pqa-matrix-filters"):
        doc = gr.Dropdown(choices=table.document_choices(documents), value=table.ALL, label="文件", elem_id="pqa-matrix-doc",
                          elem_classes="pqa-pick", scale=3, min_width=240)  # fmt: skip
        department = gr.Dropdown(choices=table.department_choices(documents), value=table.ALL, label="部门(按规范化名称归并,可输入筛选)",
                                 filterable=True, elem_id="pqa-matrix-dept", elem_classes="pqa-pick", scale=2, min_width=200)  # fmt: skip
        search = gr.Textbox(label="搜索", placeholder="输入任务或单位中的词,如“计量”", elem_id="pqa-matrix-search", scale=2, min_width=200)
    summary, html, csv_file, xlsx_file = view(table.ALL, table.ALL, "", documents)
    with gr.Row(equal_height=True, elem_classes="pqa-matrix-bar"):
        matrix_summary = gr.Markdown(summary, elem_id="pqa-matrix-summary")
        csv_button = gr.DownloadButton("下载 CSV", value=csv_file, size="sm", scale=0, min_width=110)
        xlsx_button = gr.DownloadButton("下载 Excel", value=xlsx_file, size="sm", scale=0, min_width=110)
    matrix = gr.HTML(html, js_on_load=MATRIX_JS, elem_id="pqa-matrix")
    overlay = gr.HTML("", js_on_load=OVERLAY_JS, elem_id="pqa-matrix-viewer")

    outputs = [matrix_summary, matrix, csv_button, xlsx_button]
    for picker in (doc, department):
        picker.change(view, [doc, department, search], outputs, show_progress="hidden")
    search.change(view, [doc, department, search], outputs, show_progress="hidden", trigger_mode="always_last")
    matrix.click(open_clause, None, [overlay], show_progress="hidden")
    return Refresh(refreshed, (doc, department, search), (doc, department, *outputs))

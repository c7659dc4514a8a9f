"""The 文件 tab: the library's documents, uploading (a progress bar, one result line per file) and removal (confirmed).

Documents added or removed here are answerable in the chat at once: the chat asks `index.current()`, which loads
the version this tab switched in.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.text import MAX_DOCUMENT_BYTES
from ui.refresh import Refresh
from ui.render import document_rows, render_document

if TYPE_CHECKING:
    from assistant.library import Change
    from index import CorpusIndex

HEADERS = ["标题", "发布机构", "文号", "日期", "地区", "条款数"]
FORMATS = [".txt", ".md", ".html", ".htm", ".docx", ".pdf"]
MAX_MB = MAX_DOCUMENT_BYTES // 1_000_000
ONE_WRITER = {"concurrency_limit": 1, "concurrency_id": "library"}  # adds and removals, one at a time, in order
VIEWER_HINT = '<div class="pqa-doc pqa-doc-empty">点击上表中的文件查看全文。</div>'
READ_ONLY = ('<div class="pqa-result pqa-refused">本服务器只从 Milvus 读取索引,本机没有文件库:'
             "请在建立索引的服务器上添加或移除文件。</div>")  # fmt: skip


def build_tab(index: "CorpusIndex", viewer_js: str | None = None) -> tuple[Refresh, list[Any]]:
    """The tab's components and events, inside the caller's `gr.Tab`: how its list follows the library (ui/refresh.py),
    and the events that change the library (an upload, a confirmed removal), for the other tabs to follow."""
    import gradio as gr  # noqa: PLC0415

    shown = gr.State([document.doc_id for document in index.documents])
    upload = gr.File(
        label=f"上传政策文件(txt、md、html、docx、pdf,可多选;单个文件不超过 {MAX_MB} 兆字节)",
        file_count="multiple", file_types=FORMATS, elem_id="pqa-upload", height=120,
    )  # fmt: skip
    results = gr.HTML("", elem_id="pqa-upload-results")
    gr.Markdown("点击一行,在下方查看该文件全文。")
    table = gr.Dataframe(
        value=document_rows(index.documents), headers=HEADERS, interactive=False, wrap=True,
        column_widths=["36%", "17%", "15%", "13%", "10%", "9%"], elem_id="pqa-documents",
    )  # fmt: skip
    with gr.Row(equal_height=True):
        chosen = gr.Dropdown(choices=_choices(index), value=None, label="从文件库移除", scale=4, elem_id="pqa-remove-choice")
        remove = gr.Button("移除…", variant="secondary", scale=1, min_width=100, elem_id="pqa-remove")
    with gr.Row(visible=False, elem_id="pqa-remove-confirm") as confirm_row:
        question = gr.Markdown("")
        confirm = gr.Button("确认移除", variant="stop", scale=0, min_width=110, elem_id="pqa-remove-yes")
        cancel = gr.Button("取消", variant="secondary", scale=0, min_width=80, elem_id="pqa-remove-no")
    viewer = gr.HTML(VIEWER_HINT, js_on_load=viewer_js, elem_id="pqa-document-view")

    def listed(current: "CorpusIndex") -> tuple:
        ids = [document.doc_id for document in current.documents]
        return document_rows(current.documents), gr.Dropdown(choices=_choices(current), value=None), ids

    def refreshed(message: str) -> tuple:
        return message, *listed(index.current())

    def add(files: list[Any] | None, progress=gr.Progress()):  # noqa: B008  (Gradio's progress idiom)
        if not files:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if index.current().index_dir is None:  # opened from the collection alone (index/remote.py)
            return (*refreshed(READ_ONLY), None)
        change = add_files([Path(_path(file)) for file in files], index, lambda f, text: progress(f, desc=text))
        return (*refreshed(results_html(change)), None)

    def ask_to_remove(doc_id: str | None):
        document = _document(index.current(), doc_id)
        if document is None:
            return gr.Row(visible=False), ""
        from corpus.library import read_library  # noqa: PLC0415

        current = index.current()
        if current.corpus_dir is None:
            return gr.Row(visible=True), f"确定从文件库移除《{_plain(document.title)}》吗?"
        copied = read_library(current.corpus_dir).by_file(Path(document.source).name) is not None
        fate = "文件库中的副本将被删除" if copied else "该文件不是通过文件库上传的,会保留在文件夹中,只是不再检索"
        return gr.Row(visible=True), f"确定从文件库移除《{_plain(document.title)}》吗?移除后问答中不再引用它;{fate}。"

    def remove_chosen(doc_id: str | None):
        from assistant.library import LibraryError, remove_documents  # noqa: PLC0415

        current = index.current()
        document = _document(current, doc_id)
        if document is None:
            return (gr.Row(visible=False), *refreshed(""), VIEWER_HINT)
        if current.index_dir is None:
            return (gr.Row(visible=False), *refreshed(READ_ONLY), VIEWER_HINT)
        try:
            change = remove_documents([document.doc_id], current.corpus_dir, current.index_dir,
                                      embedder=current.embedder, model=_model(current))  # fmt: skip
            message = f'<div class="pqa-result pqa-ok">已移除《{escape(document.title)}》(用时 {change.seconds:.1f} 秒)。</div>'
        except (LibraryError, OSError, ValueError) as error:
            message = f'<div class="pqa-result pqa-refused">未能移除:{escape(str(error))}</div>'
        return (gr.Row(visible=False), *refreshed(message), VIEWER_HINT)

    def open_row(ids: list[str], event: gr.SelectData):  # the annotation tells Gradio to pass the event
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if row is None or not 0 <= int(row) < len(ids):
            return gr.skip()
        return render_document(_document(index.current(), ids[int(row)]))

    added = upload.upload(add, [upload], [results, table, chosen, shown, upload], show_progress="full", **ONE_WRITER)
    remove.click(ask_to_remove, [chosen], [confirm_row, question], show_progress="hidden")
    cancel.click(lambda: gr.Row(visible=False), None, [confirm_row], show_progress="hidden")
    removed = confirm.click(remove_chosen, [chosen], [confirm_row, results, table, chosen, shown, viewer], **ONE_WRITER)
    table.select(open_row, [shown], [viewer])
    return Refresh(listed, (), (table, chosen, shown)), [added, removed]


def add_files(paths: Sequence[Path], index: "CorpusIndex", progress: Callable[[float, str], None] | None = None) -> "Change":
    """Add uploaded files to the library of an open index: each readable one goes in, each refused one says why."""
    from assistant.library import add_documents  # noqa: PLC0415

    current = index.current()
    return add_documents(
        paths, current.corpus_dir, current.index_dir, embedder=current.embedder, model=_model(current),
        tokenizer=current.lexical.__dict__.get("tokenizer"), all_or_nothing=False, progress=progress,
    )  # fmt: skip


def results_html(change: "Change") -> str:
    """One line per file: what the library found in it, or why it was not added."""
    lines = []
    for result in change.results:
        name = escape(result.original)
        if result.status in ("added", "replaced", "restored"):
            verb = {"added": "已加入", "replaced": "已替换同名文件", "restored": "已重新加入"}[result.status]
            found = (f"{result.clauses} 个条款,其中 {result.tasks} 项任务列明责任单位({result.units} 个单位),"
                     f"{result.targets} 项目标")  # fmt: skip
            lines.append(f'<div class="pqa-result pqa-ok">✓ {name}:{verb}《{escape(result.title)}》——{found}</div>')
        elif result.status == "duplicate":
            lines.append(f'<div class="pqa-result pqa-same">= {name}:{escape(result.reason)}</div>')
        else:
            lines.append(f'<div class="pqa-result pqa-refused">✗ {name}:未加入——{escape(result.reason)}</div>')
    if change.committed:
        lines.append(f'<div class="pqa-result-sum">文件库共 {change.documents} 份文件,用时 {change.seconds:.1f} 秒;'
                     "新文件已可在问答中提问。</div>")  # fmt: skip
    return "".join(lines)


def _choices(index: "CorpusIndex") -> list[tuple[str, str]]:
    """(label, doc id) per document: its title, with its file name only where two documents share a title."""
    titles = Counter(document.title for document in index.documents)
    return [
        (document.title if titles[document.title] == 1 else f"{document.title}({Path(document.source).name})", document.doc_id)
        for document in index.documents
    ]


def _document(index: "CorpusIndex", doc_id: str | None):
    return next((document for document in index.documents if document.doc_id == doc_id), None)


def _model(index: "CorpusIndex") -> str:
    return index.dense_status if index.embedder is not None else "off"


def _path(file: Any) -> str:
    return file if isinstance(file, str) else getattr(file, "path", None) or file.name


def _plain(text: str) -> str:
    """Text for a Markdown line: markup characters shown as written."""
    return "".join(f"\\{char}" if char in "\\`*_{}[]<>()#+-.!|" else char for char in text)

"""The web chat: ask about the policy documents, read each answer's clause, browse documents and who does what.

    python app.py [--host 127.0.0.1] [--port 7860] [--corpus DIR] [--index DIR] [--embed-model NAME|off] [--backend faiss|milvus] [--milvus-uri URI]

Set PQA_AUTH="user:password" to ask for a login (the HTTP API then takes the same pair as HTTP basic auth,
or PQA_API_TOKEN as a bearer token).
"""

import argparse
import atexit
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering import answer
from assistant.examples import example_questions
from assistant.cli import chosen_milvus_uri, chosen_vector_store, default_corpus, default_embed_model, default_index, vector_store_option
from assistant.records import Answer
from corpus import DocumentError
from ui import evaluation
from ui import library as library_tab
from ui.chat import VIEWER_JS, build_chat_tab
from ui.matrix_tab import build_matrix_tab
from ui.ratelimit import QuestionRate
from ui.refresh import Refresh, wire
from ui.feedback import admins_from_environment, build_feedback_section, default_feedback_path
from ui.scratch import gradio_cache, remove_used
from ui.status import status_line

if TYPE_CHECKING:
    import gradio as gr

    from index import CorpusIndex

EXAMPLE_COUNT = 5


def _answerable_examples(index: "CorpusIndex") -> list[tuple[str, Answer]]:
    """Up to EXAMPLE_COUNT questions about the loaded documents that the assistant answers, with their answers."""
    examples = []
    for question in example_questions(index.documents):
        if len(examples) == EXAMPLE_COUNT:
            break
        result = answer(question, index)
        if not result.abstained:
            examples.append((question, result))
    return examples


def build_app(
    index: "CorpusIndex", feedback_path: Path | None = None, admins: Sequence[str] | None = None, rate: QuestionRate | None = None
) -> "gr.Blocks":
    """The whole UI over an opened index; serve it with `launch(build_app(index), index)`.

    Args:
        feedback_path: where 👍 / 👎 are appended (default $PQA_FEEDBACK or feedback/feedback.jsonl).
        admins: login names that may download the feedback (default $PQA_ADMINS; none = everyone).
        rate: each client's questions counted (ui/ratelimit.py; default a new count; share it with the API's).
    """
    import gradio as gr  # noqa: PLC0415

    feedback_path = feedback_path or default_feedback_path()
    answered_examples = _answerable_examples(index)
    examples = [question for question, _result in answered_examples]

    with gr.Blocks(title="政策文件问答助手", fill_width=True, analytics_enabled=False, delete_cache=(600, 600)) as demo:
        with gr.Row(elem_classes="pqa-header"):
            gr.HTML(
                '<div class="pqa-brand"><div class="pqa-name">政策文件问答助手</div>'
                '<div class="pqa-tagline">回答地方政府政策文件中的牵头单位、配合单位、目标指标等问题,并附原文条款</div></div>',
                js_on_load=None,
            )
            status = gr.HTML(status_line(index), js_on_load=None, elem_id="pqa-status")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                scope = build_chat_tab(demo, index, examples, feedback_path, rate or QuestionRate())
            with gr.Tab("文件", id="documents"):
                library, changes = library_tab.build_tab(index, VIEWER_JS)
            with gr.Tab("责任矩阵", id="matrix"):
                matrix = build_matrix_tab(index)
            if evaluation.available():
                with gr.Tab("评测", id="evaluation"):
                    evaluation.build_tab(index, answered_examples)
                    build_feedback_section(demo, feedback_path, admins_from_environment() if admins is None else admins)
        header = Refresh(lambda current: (status_line(current),), (), (status,))
        wire(demo, index, [header, scope, library, matrix], changes)  # the counts, 文件范围 and matrix follow the library
    return demo


def launch(demo: "gr.Blocks", index: "CorpusIndex", host: str = "127.0.0.1", port: int = 7860,
           auth: tuple[str, str] | None = None, token: str = "", rate: QuestionRate | None = None) -> None:
    """Serve a built app and the HTTP API (ui/api.py) on one server, behind the login when there is one;
    `rate`, the chat's count of each client's questions, counts the API's too."""
    from ui.server import create_server, serve  # noqa: PLC0415

    serve(create_server(demo, index, (auth,) if auth else (), token, rate), host, port)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """PQA_AUTH="user:password" as Gradio's auth pair, None when unset."""
    if not value:
        return None
    user, separator, password = value.partition(":")
    if not separator or not user or not password:
        raise ValueError('PQA_AUTH must look like "user:password"')
    return user, password


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python app.py", description="Serve the policy-document chat in a browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to serve on (default: 7860)")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of source documents (default: corpus/documents)")
    parser.add_argument("--index", type=Path, default=None, help="index folder, built on first use (default: index/built)")
    parser.add_argument("--embed-model", default=None, help="dense model name, or 'off' (default: $PQA_EMBED_MODEL)")
    vector_store_option(parser)
    args = parser.parse_args(argv)
    try:
        auth = parse_auth(os.environ.get("PQA_AUTH"))
        store = chosen_vector_store(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        index = open_with_progress(
            args.corpus or default_corpus(), args.index or default_index(), args.embed_model, store, chosen_milvus_uri(args)
        )
    except (DocumentError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.environ.setdefault("GRADIO_TEMP_DIR", str(gradio_cache()))  # uploads and served files in our folder (ui/scratch.py)
    atexit.register(remove_used)
    rate = QuestionRate()
    launch(build_app(index, rate=rate), index, args.host, args.port, auth, os.environ.get("PQA_API_TOKEN", ""), rate)
    return 0


def open_with_progress(
    corpus_dir: Path, index_dir: Path, embed_model: str | None, vector_store: str | None = None, milvus_uri: str | None = None
) -> "CorpusIndex":
    """Open the index (building it when missing or stale), saying so on stderr."""
    from index import open_index  # noqa: PLC0415

    model = embed_model or default_embed_model()
    fresh = not (index_dir / "manifest.json").exists()
    print("正在建立索引…" if fresh else "正在载入索引(文件有变化时自动重建)…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    index = open_index(
        corpus_dir, index_dir, None if model == "off" else model, progress=_progress_bar, vector_store=vector_store,
        milvus_uri=milvus_uri,
    )
    clauses = sum(len(document.clauses) for document in index.documents)
    store = f",后端 {index.vector_store}" if index.dense is not None or index.collection is not None else ""
    print(
        f"索引就绪:{len(index.documents)} 份文件,{clauses} 条款,向量模型 {index.dense_status}{store}"
        f"({time.perf_counter() - started:.1f} 秒)",
        file=sys.stderr, flush=True,
    )
    return index


def _progress_bar(fraction: float, stage: str, width: int = 30) -> None:
    """An index build's progress on stderr: 建立索引 [██████░░░░] 60% 词法索引."""
    done = round(fraction * width)
    end = "\n" if fraction >= 1 else ""
    print(f"\r建立索引 [{'█' * done}{'░' * (width - done)}] {fraction:4.0%} {stage:<16}", end=end, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

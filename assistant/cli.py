"""The command line: `python -m assistant ask|inspect|build|docs` (contract: ../shared/CONTRACT.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

from assistant.budget import answer_in_time
from assistant.guard import FAILED
from assistant.library_cli import add_commands as add_library_commands
from assistant.records import Answer, Departments
from corpus import Document, DocumentError

PROJECT = Path(__file__).resolve().parent.parent
# Characters inside a JSON string that str.splitlines and some editors take for line ends; escaped on output.
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


def default_corpus() -> Path:
    return Path(os.environ.get("PQA_CORPUS", PROJECT / "corpus" / "documents"))


def default_index() -> Path:
    return Path(os.environ.get("PQA_INDEX", PROJECT / "index" / "built"))


def default_embed_model() -> str:
    return os.environ.get("PQA_EMBED_MODEL", "BAAI/bge-small-zh-v1.5")


VECTOR_STORES = ("faiss", "milvus")  # index.vectorstore's backends, named here so that --help imports nothing


def vector_store_option(command: argparse.ArgumentParser) -> None:
    """--backend faiss|milvus (or its older name --vector-store) and --milvus-uri: where the chunks are searched."""
    command.add_argument(
        "--backend",
        "--vector-store",
        dest="vector_store",
        choices=VECTOR_STORES,
        default=None,
        help="where the chunks are searched: faiss (the default: BM25 and FAISS in this process) or milvus (BM25, "
        "facts and embeddings in a Milvus collection) (default: $PQA_BACKEND, $PQA_VECTOR_STORE or faiss)",
    )
    command.add_argument(
        "--milvus-uri",
        default=None,
        help="the Milvus collection's URI with --backend milvus: http://host:19530 for a Milvus server "
        "(default: $PQA_MILVUS_URI, else a Milvus Lite file in the index folder)",
    )


def chosen_vector_store(args: argparse.Namespace) -> str:
    """--backend, else $PQA_BACKEND, else $PQA_VECTOR_STORE, else faiss; an unknown value in a variable raises ValueError."""
    name = getattr(args, "vector_store", None) or os.environ.get("PQA_BACKEND") or os.environ.get("PQA_VECTOR_STORE")
    name = (name or "faiss").strip().lower()
    if name not in VECTOR_STORES:
        raise ValueError(f"未知的后端 {name!r}(PQA_BACKEND / PQA_VECTOR_STORE):可选 {'、'.join(VECTOR_STORES)}")
    return name


def chosen_milvus_uri(args: argparse.Namespace) -> str | None:
    """--milvus-uri, else $PQA_MILVUS_URI, else None (the Milvus Lite file in the index folder)."""
    return getattr(args, "milvus_uri", None) or os.environ.get("PQA_MILVUS_URI") or None


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        chosen_vector_store(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except (DocumentError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def answer_json(result: Answer) -> dict:
    """An Answer as the contract's JSON object (plus the added `intent` and citation `highlights`): what
    `dataclasses.asdict` gives without the query, built directly (the chat saves every answer it shows)."""
    return {
        "question": result.question, "answer": result.answer, "abstained": result.abstained,
        "departments": {role.name: tuple(getattr(result.departments, role.name)) for role in fields(Departments)},
        "citations": tuple(
            {"doc_id": c.doc_id, "title": c.title, "clause": c.clause, "text": c.text, "score": c.score,
             "highlights": tuple(c.highlights)}
            for c in result.citations
        ),
        "intent": result.intent,
    }  # fmt: skip


def error_json(question: str, error: BaseException) -> dict:
    """The contract's object for a question that raised: abstained, nothing cited, an `error` naming no internals
    (the details are for the log)."""
    return {"question": question, "answer": FAILED, "abstained": True, "error": f"内部错误({type(error).__name__})",
            "departments": {"lead": [], "cooperate": [], "responsible": []}, "citations": []}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Cited answers from policy documents.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question (or '-' for one question per stdin line)")
    ask.add_argument("question", help="the question, or '-' to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    _index_options(ask)
    vector_store_option(ask)
    ask.set_defaults(run=_ask)

    inspect = commands.add_parser("inspect", help="print a document's clause tree with its units and targets")
    inspect.add_argument("document", nargs="?", help="doc id, file name or place (default: list the documents)")
    inspect.add_argument("--corpus", type=Path, default=None, help="folder of source documents")
    inspect.set_defaults(run=_inspect)

    build = commands.add_parser("build", help="build (or rebuild when stale) the index and report it")
    build.add_argument("--rebuild", action="store_true", help="read and index every document again")
    _index_options(build)
    vector_store_option(build)
    build.set_defaults(run=_build)
    add_library_commands(commands, _index_options)
    return parser


def _index_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--corpus", type=Path, default=None, help="folder of source documents (default: corpus/documents)")
    command.add_argument("--index", type=Path, default=None, help="index folder, built on first use (default: index/built)")
    command.add_argument(
        "--embed-model",
        default=None,
        help="sentence-transformers model for dense retrieval, or 'off' (default: $PQA_EMBED_MODEL or BAAI/bge-small-zh-v1.5)",
    )


def _open(args: argparse.Namespace, rebuild: bool = False):
    from index import open_index  # noqa: PLC0415  (keeps --help fast)

    model = args.embed_model or default_embed_model()
    return open_index(
        args.corpus or default_corpus(), args.index or default_index(), None if model == "off" else model, rebuild=rebuild,
        vector_store=chosen_vector_store(args), milvus_uri=chosen_milvus_uri(args),
    )  # fmt: skip


def _ask(args: argparse.Namespace) -> int:
    index = _open(args)
    failed = 0
    for question in _questions(args.question):
        if args.question == "-" and not question.strip():
            continue  # the contract: a blank line is skipped
        try:
            result = answer_in_time(question, index)
        except Exception as error:  # noqa: BLE001  (one bad line must not stop the batch; it still yields its object)
            print(f"error answering {question[:40]!r}: {error!r}", file=sys.stderr)
            failed += 1
            _emit(_json_line(error_json(question, error)) if args.json else FAILED)
            continue
        _emit(_json_line(answer_json(result)) if args.json else _human(result))
    return 1 if failed and not args.json else 0


def _questions(argument: str) -> Iterator[str]:
    """The question given, or with '-' every line of stdin read as bytes, each decoded on its own (bad bytes → U+FFFD)."""
    if argument != "-":
        yield _valid_text(argument)
        return
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    for number, raw in enumerate(stream):
        line = (raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else _valid_text(raw)).rstrip("\r\n")
        yield line.removeprefix("\ufeff") if number == 0 else line


def _valid_text(text: str) -> str:
    """A command-line argument as valid Unicode: bytes that were not UTF-8 become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _json_line(record: dict) -> str:
    """One JSON object on one line for any reader: the characters some split lines at are escaped too."""
    text = json.dumps(record, ensure_ascii=False)
    return text.translate(_LINE_BREAKS)


def _emit(text: str) -> None:
    """Write a line to stdout as UTF-8 whatever the locale, flushed (a batch is read line by line)."""
    data = (text + "\n").encode("utf-8", "replace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        buffer.write(data)
        buffer.flush()


def _human(result: Answer) -> str:
    lines = [result.answer]
    for number, citation in enumerate(result.citations, 1):
        lines.append(f"\n[{number}] 《{citation.title}》 {citation.clause}")
        lines.extend(f"    {text_line}" for text_line in citation.text.splitlines())
    return "\n".join(lines) + "\n"


def _inspect(args: argparse.Namespace) -> int:
    from corpus import load_documents  # noqa: PLC0415

    documents = load_documents(args.corpus or default_corpus())
    if not args.document:
        for document in documents:
            print(f"{document.doc_id}\t{document.title}\t{document.place}\t{len(document.clauses)} clauses")
        return 0
    chosen = [
        d for d in documents if d.doc_id.startswith(args.document) or args.document in (Path(d.source).name, d.place)
    ]
    if not chosen:
        print(f"error: no document matches {args.document!r}; try `python -m assistant inspect`", file=sys.stderr)
        return 2
    for document in chosen:
        print(_tree(document))
    return 0


def _tree(document: Document) -> str:
    lines = [
        f"《{document.title}》{'(标题据内容推定)' if document.title_derived else ''}",
        f"  发布机构: {document.issuer or '未注明'}  文号: {document.doc_number or '无'}  日期: {document.date or '未注明'}"
        f"  地区: {document.place or '未知'}  条款: {len(document.clauses)}",
    ]
    printed: set[tuple[str, ...]] = set()
    for clause in document.clauses:
        for depth in range(1, len(clause.path) + 1):
            if clause.path[:depth] not in printed:
                printed.add(clause.path[:depth])
                lines.append("  " * depth + clause.path[depth - 1])
        pad = "  " * (len(clause.path) + 1)
        for role, names in (("牵头", clause.units.lead), ("配合", clause.units.cooperate), ("负责", clause.units.responsible)):
            if names:
                lines.append(f"{pad}[{role}] {' | '.join(names)}")
        for target in clause.targets:
            lines.append(f"{pad}[目标] {target.year or '—'}年 {target.metric} = {target.figure}{target.qualifier}")
    return "\n".join(lines)


def _build(args: argparse.Namespace) -> int:
    index = _open(args, rebuild=args.rebuild)
    clauses = sum(len(document.clauses) for document in index.documents)
    store = f"; backend: {index.vector_store}" if index.dense is not None or index.collection is not None else ""
    print(f"{len(index.documents)} documents, {clauses} clauses, {len(index.chunks)} chunks; dense: {index.dense_status}{store}")
    return 0

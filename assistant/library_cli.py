"""`python -m assistant docs add|remove|list`: the document library from the command line (contract: CONTRACT.md)."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

_VERBS = {"added": "已添加", "replaced": "已替换", "restored": "已恢复"}


def add_commands(commands: Any, index_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `docs` and its three subcommands on the CLI's subparsers."""
    docs = commands.add_parser("docs", help="manage the document library: add, remove, list")
    verbs = docs.add_subparsers(required=True, metavar="ACTION")
    add = verbs.add_parser("add", help="copy files (or the documents of folders) into the library and index them")
    add.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    index_options(add)
    add.set_defaults(run=_add)
    remove = verbs.add_parser("remove", help="remove documents from the library and the index")
    remove.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    index_options(remove)
    remove.set_defaults(run=_remove)
    listing = verbs.add_parser("list", help="list the library's documents (a table, or --json)")
    listing.add_argument("--json", action="store_true", help="print one JSON array of objects")
    index_options(listing)
    listing.set_defaults(run=_list)


def _add(args: argparse.Namespace) -> int:
    from assistant.library import add_documents  # noqa: PLC0415

    corpus, index = _folders(args)
    embedder, model = _embedder(args, index)
    change = add_documents(args.paths, corpus, index, embedder=embedder, model=model)
    for result in change.results:
        if result.status == "refused":
            print(f"无法添加 {result.original}:{result.reason}", file=sys.stderr)
        elif result.status in ("duplicate", "held"):
            print(f"未添加 {result.original}:{result.reason}")
        else:
            print(f"{_VERBS[result.status]} {result.original} → {result.doc_id}《{result.title}》:{result.clauses} 个条款,"
                  f"{result.tasks} 项任务列明责任单位,{result.units} 个单位,{result.targets} 项目标")  # fmt: skip
    if any(result.status == "refused" for result in change.results):
        if len(change.results) > 1:
            print("文件库和索引保持不变;去掉无法读取的文件后重试。", file=sys.stderr)
        return 1
    print(f"文件库共 {change.documents} 份文件(索引第 {change.generation} 版),用时 {change.seconds:.1f} 秒")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from assistant.library import LibraryError, remove_documents  # noqa: PLC0415

    corpus, index = _folders(args)
    embedder, model = _embedder(args, index)
    try:
        change = remove_documents(args.doc_ids, corpus, index, embedder=embedder, model=model)
    except LibraryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for doc_id in change.removed:
        print(f"已移除 {doc_id}")
    for file in change.kept_files:
        print(f"  {file} 不是通过文件库添加的,文件保留在原处,只是不再检索它(library.json 记为已移除)")
    print(f"文件库共 {change.documents} 份文件(索引第 {change.generation} 版),用时 {change.seconds:.1f} 秒")
    return 0


def _list(args: argparse.Namespace) -> int:
    from assistant.library import list_documents  # noqa: PLC0415

    rows = list_documents(*_folders(args))
    if args.json:
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False))
        return 0
    table = [("文件 ID", "标题", "文件", "条款", "任务", "添加时间")]
    table += [(r.doc_id, r.title, r.file, str(r.clauses), str(r.tasks), r.added[:16].replace("T", " ")) for r in rows]
    print(_aligned(table))
    print(f"共 {len(rows)} 份文件")
    return 0


def _folders(args: argparse.Namespace) -> tuple[Path, Path]:
    from assistant.cli import default_corpus, default_index  # noqa: PLC0415

    return args.corpus or default_corpus(), args.index or default_index()


def _embedder(args: argparse.Namespace, index_dir: Path) -> tuple[Any, str]:
    """The model named by --embed-model, else the saved index's own (none when it has none: nothing to say)."""
    from index.manifest import read_manifest  # noqa: PLC0415
    from index.store import open_embedder  # noqa: PLC0415

    name = args.embed_model
    if name is None:
        try:
            name = read_manifest(index_dir).model
        except (OSError, ValueError):
            name = "off"
    embedder, _status, model = open_embedder(name)
    return embedder, model


def _aligned(rows: Sequence[Sequence[str]]) -> str:
    """Rows as columns padded to their widest cell (a Chinese character counts two)."""
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

"""Reading documents and tokenizing chunks in worker processes, when a build has enough of them to share out.

Both are pure functions of their input (a file; a chunk's text and the tokenizer's words), so the workers' results,
taken in order, are exactly what one process computes: the same documents, the same counts, the same index.
Workers are forked, and only from a process that runs no other thread (a fork copies other threads' locks in whatever
state they are in; the app's server has threads, so what it builds is built in its own process): starting processes
afresh instead would run the caller's main script again in each of them, unless it guards itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from corpus import Document, DocumentError, load_document
from index.lexical import jieba_tokenizer, tokenize

WORKERS_VARIABLE = "PQA_BUILD_WORKERS"  # processes a build may use (1: none besides itself); default: the CPUs it may use
MIN_DOCUMENTS = 50  # fewer are read in this process: a worker takes about half a second to start (imports, regexes)
MIN_TEXTS = 2000  # fewer are tokenized in this process: a worker also loads jieba's dictionary (most of a second)
_DOCUMENTS_PER_TASK = 4
_TEXTS_PER_TASK = 64
_worker: dict[str, Any] = {}  # in a tokenizing worker process: its tokenizer and scheme (set by _start_tokenizing)


def build_workers() -> int:
    """How many processes a build may use: $PQA_BUILD_WORKERS, else the CPUs this process may run on (a setting
    that is no whole number is said once on stderr and the default used: a build never fails for it)."""
    setting = os.environ.get(WORKERS_VARIABLE, "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            print(f"index: {WORKERS_VARIABLE} 应为整数(实为 {setting!r}),按可用的 CPU 数构建", file=sys.stderr)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_documents(paths: Sequence[Path]) -> Iterator[Document | DocumentError | OSError]:
    """Each file read as a document (or why it could not be), in order: in worker processes when there are
    at least MIN_DOCUMENTS of them and more than one process to use."""
    workers = min(build_workers(), len(paths) // _DOCUMENTS_PER_TASK)
    if len(paths) < MIN_DOCUMENTS or workers < 2 or not _can_fork():
        return map(_read, paths)
    return _in_workers(workers, _read, paths, _DOCUMENTS_PER_TASK)


def tokenize_all(texts: Sequence[str], tokenizer: Any, words: Iterable[str], scheme: str) -> Iterator[list[str]]:
    """Each text's tokens, in order: tokenized by `tokenizer` here, or, for at least MIN_TEXTS texts with more than
    one process to use, in worker processes by tokenizers built alike (jieba's dictionary with the same `words`)."""
    workers = min(build_workers(), len(texts) // _TEXTS_PER_TASK)
    if len(texts) < MIN_TEXTS or workers < 2 or not _can_fork():
        return (tokenize(text, tokenizer, scheme) for text in texts)
    return _in_workers(workers, _tokenize, texts, _TEXTS_PER_TASK, _start_tokenizing, (tuple(words), scheme))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _in_workers(workers: int, function, items: Sequence, per_task: int, initializer=None, initargs=()) -> Iterator:
    """function(item) for each item, in order, computed by `workers` forked processes."""
    pool = ProcessPoolExecutor(workers, multiprocessing.get_context("fork"), _start, (initializer, initargs))
    try:
        yield from pool.map(function, items, chunksize=per_task)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start(initializer, initargs) -> None:
    """A worker's start: what it inherited is never walked by its garbage collector (a walk would copy the pages that
    the fork shares with the building process), then its own initializer."""
    gc.freeze()
    if initializer is not None:
        initializer(*initargs)


def _read(path: Path) -> Document | DocumentError | OSError:
    try:
        return load_document(path)
    except (DocumentError, OSError) as error:
        return error


def _start_tokenizing(words: tuple[str, ...], scheme: str) -> None:
    _worker["tokenizer"], _worker["scheme"] = jieba_tokenizer(words), scheme


def _tokenize(text: str) -> list[str]:
    return tokenize(text, _worker["tokenizer"], _worker["scheme"])

"""Benchmark: adding one document to a library of about a thousand (synthetic, eval/synthetic.py), without a rebuild.

    python -m eval.bench --add-to 1000 [--keep DIR]

Prints, not asserts (shared machines are noisy): the full build, then one document added three ways — from the
command line (a new process, as an official runs it), in-process as the CLI does it, and in the running app (its
jieba dictionary already loaded) until the chat answers from it — and one removed; the goal is ≤ 2 s for an add.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant import answer
from assistant.library import add_documents, remove_documents
from eval.synthetic import write_library
from index import open_index

PROJECT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 2.0


def measure_add(size: int, keep: Path | None = None) -> dict[str, float]:
    """Build a library of `size` documents (reused from `keep` when already there), then time one add each way."""
    folder = keep or Path(tempfile.mkdtemp(prefix="pqa-library-bench-"))
    corpus, index_dir = folder / "library", folder / "index"
    write_library(corpus, size)  # unchanged files keep their content, so a kept index stays as built
    started = time.perf_counter()
    index = open_index(corpus, index_dir, None)
    figures = {"open_or_build_s": time.perf_counter() - started}
    leftovers = [path.stem for path in corpus.glob("synthetic-*.txt") if int(path.stem.split("-")[1]) >= size]
    if leftovers:  # documents an earlier run added to a kept library
        remove_documents(leftovers, corpus, index_dir)
        index = index.current()
    figures |= {"documents": len(index.documents), "chunks": len(index.chunks)}
    extra = write_library(folder / "incoming", 3, start=size)
    before = _shards(index_dir)

    started = time.perf_counter()
    command = [sys.executable, "-m", "assistant", "docs", "add", str(extra[0]), "--corpus", str(corpus),
               "--index", str(index_dir)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    figures["add_cli_process_s"] = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    figures["documents_read_by_add"] = len(set(_shards(index_dir).items()) - set(before.items()))

    started = time.perf_counter()
    add_documents([extra[1]], corpus, index_dir)
    figures["add_in_process_s"] = time.perf_counter() - started

    index = index.current()
    answer("石家庄市推进检验检测技术平台建设由哪个部门牵头?", index)  # jieba loaded, as in a serving app
    started = time.perf_counter()
    add_documents([extra[2]], corpus, index_dir, tokenizer=index.lexical.__dict__.get("tokenizer"))
    figures["add_in_app_s"] = time.perf_counter() - started
    newest = index.current()
    answer("石家庄市推进检验检测技术平台建设由哪个部门牵头?", newest)
    figures["add_in_app_until_answerable_s"] = time.perf_counter() - started

    started = time.perf_counter()
    remove_documents([extra[2].stem], corpus, index_dir)
    figures["remove_in_process_s"] = time.perf_counter() - started
    return figures


def report(figures: dict[str, float]) -> str:
    """The figures as the bench prints them."""
    verdict = lambda seconds: "ok" if seconds <= GOAL_SECONDS else f"over the {GOAL_SECONDS:.0f} s goal"  # noqa: E731
    return "\n".join([
        f"library: {figures['documents']:.0f} documents, {figures['chunks']:.0f} chunks; "
        f"open (building when new): {figures['open_or_build_s']:.1f} s",
        f"add one document, CLI process  : {figures['add_cli_process_s']:5.2f} s ({verdict(figures['add_cli_process_s'])}; "
        f"documents read: {figures['documents_read_by_add']:.0f}, no rebuild)",
        f"add one document, in process   : {figures['add_in_process_s']:5.2f} s ({verdict(figures['add_in_process_s'])})",
        f"add one document, in the app   : {figures['add_in_app_s']:5.2f} s, answerable after "
        f"{figures['add_in_app_until_answerable_s']:.2f} s ({verdict(figures['add_in_app_until_answerable_s'])})",
        f"remove one document, in process: {figures['remove_in_process_s']:5.2f} s",
    ])  # fmt: skip


def _shards(index_dir: Path) -> dict[str, str]:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    return {entry["doc_id"]: entry["shard"] for entry in manifest["documents"]}

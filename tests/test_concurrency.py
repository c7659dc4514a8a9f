"""Several readers at once: the chat answers in a bounded pool, answers under threads equal the sequential ones,
and a version switched in while many threads ask is loaded once."""

from __future__ import annotations

import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.budget import answer_in_time
from ui.chat import ANSWER_WORKERS

PROJECT = Path(__file__).resolve().parent.parent
QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
GENEROUS_SECONDS = 60.0  # only a deadlock would wait this long


def eval_items(name: str) -> list[tuple[str, tuple[str, ...]]]:
    lines = (PROJECT / "eval" / name).read_text(encoding="utf-8").splitlines()
    return [(item["q"], tuple(item.get("history", []))) for item in map(json.loads, filter(str.strip, lines))]


def test_the_chat_answers_in_one_bounded_pool_and_writers_one_at_a_time(index):
    from app import build_app
    from ui.server import DEFAULT_CONCURRENCY, create_server

    demo = build_app(index)
    create_server(demo, index)
    functions = list(demo.fns.values())
    answering = [block for block in functions if block.fn is not None and block.fn.__name__ == "respond"]
    assert len(answering) >= 3  # Enter and 提问 (one event), each example question: one queue event per turn
    assert {block.concurrency_limit for block in answering} == {None}  # started at once; ui/busy.py Answering bounds them
    writers = [block for block in functions if block.fn is not None and block.fn.__name__ in ("add", "remove_chosen")]
    assert len(writers) == 2 and {(block.concurrency_limit, block.concurrency_id) for block in writers} == {(1, "library")}
    assert demo._queue.default_concurrency_limit == DEFAULT_CONCURRENCY < ANSWER_WORKERS


def test_the_served_queue_does_not_summarise_every_event_for_a_monitoring_page(index, monkeypatch):
    """Gradio's per-event summary of all its recorded events (pandas, 10-30 ms each) is never computed; an
    operator who sets GRADIO_ANALYTICS_CACHE_FREQUENCY gets it back."""
    from app import build_app
    from ui.server import ANALYTICS_EVERY, create_server

    record = {"time": 0.0, "status": "success", "process_time": 0.01, "function": "respond", "session_hash": "s"}
    for setting, summarised in ((None, False), ("1", True)):
        if setting is None:
            monkeypatch.delenv(ANALYTICS_EVERY, raising=False)
        else:
            monkeypatch.setenv(ANALYTICS_EVERY, setting)
        demo = build_app(index)
        create_server(demo, index)
        queue = demo._queue
        queue.events_recorded += 5000  # a server that has answered 2,500 questions
        summary = queue.compute_analytics_summary([record] * 5000)
        assert ("respond" in summary["functions"]) is summarised


def test_answers_under_threads_equal_the_sequential_ones(index):
    items = eval_items("questions.jsonl") + eval_items("followups.jsonl")
    alone = [answer_in_time(question, index, history) for question, history in items]
    with ThreadPoolExecutor(ANSWER_WORKERS) as pool:
        together = list(pool.map(lambda item: answer_in_time(item[0], index, item[1]), items))
    assert together == alone


def test_a_version_added_while_many_threads_ask_is_loaded_once(corpus_dir, tmp_path, capfd):
    """The 文件 tab adds a document; the next questions, asked at once from many threads, all see it, and the new
    version is loaded (and its lazily built weights computed) once."""
    from index import open_index
    from ui.library import add_files

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in corpus_dir.glob("*.txt"):
        if not path.name.startswith("xuchang"):
            shutil.copy(path, corpus / path.name)
    index = open_index(corpus, tmp_path / "index", None)
    assert "文件中未找到" in answer_in_time(QUESTION, index.current()).answer
    assert add_files([corpus_dir / "xuchang-2013-action-plan.txt"], index).committed
    capfd.readouterr()

    start = threading.Barrier(ANSWER_WORKERS)

    def ask(_number: int):
        start.wait()
        current = index.current()
        return current, answer_in_time(QUESTION, current)

    with ThreadPoolExecutor(ANSWER_WORKERS) as pool:
        results = list(pool.map(ask, range(ANSWER_WORKERS)))
    loaded = [line for line in capfd.readouterr().err.splitlines() if "loaded" in line]
    assert len(loaded) == 1
    newest = index.current()
    assert len(newest.documents) == 5
    for current, result in results:
        # a thread that asked while the new version was loading answered from the previous one, whole
        assert current is newest or len(current.documents) == 4
        assert result.departments.lead == ("市质监局",) if current is newest else "文件中未找到" in result.answer
    assert answer_in_time(QUESTION, index.current()).departments.lead == ("市质监局",)


def test_a_freshly_opened_index_answers_the_same_from_every_thread(corpus_dir, tmp_path):
    """Its lexical weights and tokenizer are built lazily, on the first question: many first questions at once
    get the answers a single reader gets."""
    from index import open_index

    items = eval_items("questions.jsonl")[:64]
    cold = open_index(corpus_dir, tmp_path / "index", None)
    start = threading.Barrier(ANSWER_WORKERS)

    def first_questions(offset: int):
        start.wait()
        return [answer_in_time(question, cold, history) for question, history in items[offset::ANSWER_WORKERS]]

    with ThreadPoolExecutor(ANSWER_WORKERS) as pool:
        parts = list(pool.map(first_questions, range(ANSWER_WORKERS)))
    alone = open_index(corpus_dir, tmp_path / "index", None)
    for offset, part in enumerate(parts):
        assert part == [answer_in_time(question, alone, history) for question, history in items[offset::ANSWER_WORKERS]]


def test_a_corpus_s_lookups_are_computed_once_under_many_first_askers(index, monkeypatch):
    """lru_cache let every thread that missed compute them (a second each at 1,000 documents); now one does, the
    others wait for its result, and a corpus already computed is served while another is being computed."""
    from index import lookups as module

    known = module.lookups(index.documents)
    calls, release, started = [], threading.Event(), threading.Event()
    original = module._computed

    def slow(documents):
        calls.append(documents)
        started.set()
        release.wait(GENEROUS_SECONDS)  # every asker arrives while the first is computing
        return original(documents)

    monkeypatch.setattr(module, "_computed", slow)
    corpus = tuple(index.documents[:3])
    gate = threading.Barrier(ANSWER_WORKERS)

    def first(_number: int):
        gate.wait()
        return module.lookups(corpus)

    with ThreadPoolExecutor(ANSWER_WORKERS + 1) as pool:
        askers = [pool.submit(first, number) for number in range(ANSWER_WORKERS)]
        assert started.wait(GENEROUS_SECONDS)
        other = pool.submit(module.lookups, index.documents)
        assert other.result(GENEROUS_SECONDS) is known  # not held up by the corpus being computed
        release.set()
        results = [asker.result(GENEROUS_SECONDS) for asker in askers]
    assert len(calls) == 1 and calls[0] is corpus
    assert all(result is results[0] for result in results)
    assert results[0].documents_by_id.keys() == {document.doc_id for document in corpus}

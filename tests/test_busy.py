"""A bounded queue: past MAX_WAITING_ANSWERS a question is told at once to come back; Gradio's own full queue in Chinese."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from ui import busy
from ui.busy import BUSY, GRADIO_BUSY, MAX_QUEUED_EVENTS, MAX_WAITING_ANSWERS, QUEUE_FULL, waiting
from ui.chat import ANSWERING

QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
CHROMIUM = Path("/usr/bin/chromium")
GENEROUS_MS = 60_000


def _app(index, tmp_path):
    import app
    from ui.server import create_server

    demo = app.build_app(index, feedback_path=tmp_path / "feedback.jsonl")
    return demo, create_server(demo, index)


def _fn(demo, name: str):
    return next(block for block in demo.fns.values() if block.fn is not None and block.fn.__name__ == name)


def test_past_the_waiting_answers_a_question_is_told_at_once_to_come_back(index, tmp_path):
    from ui.conversations import Turn

    demo, _server = _app(index, tmp_path)
    ask, respond = _fn(demo, "ask"), _fn(demo, "respond")
    assert demo._queue.max_size == MAX_QUEUED_EVENTS
    demo._queue.create_event_queue_for_fn(respond)
    queued = demo._queue.event_queue_per_concurrency_id[ANSWERING].queue
    queued.extend(object() for _ in range(MAX_WAITING_ANSWERS - 1))
    assert waiting(demo, ANSWERING) == MAX_WAITING_ANSWERS - 1
    _box, turns, _html = ask.fn(QUESTION, [])
    assert turns == [Turn(QUESTION)]  # one place left: queued for an answer
    queued.append(object())
    _box, turns, html = ask.fn(QUESTION, [])
    assert turns[-1].answer.answer == BUSY and turns[-1].answer.abstained and BUSY in html
    assert respond.fn(turns, [], "", [])[0] == turns  # nothing more to answer: the worker is not held
    queued.clear()
    turns = respond.fn(ask.fn(QUESTION, [])[1], [], "", [])[0]
    assert turns[-1].answer.departments.lead == ("市质监局",)


def test_the_sentence_the_page_translates_is_the_one_gradio_s_page_shows():
    import gradio

    from ui.server import PAGE_JS

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    assert any(GRADIO_BUSY in path.read_text(encoding="utf-8", errors="replace") for path in assets.glob("index-*.js"))
    assert busy.TRANSLATE_JS in PAGE_JS and QUEUE_FULL in PAGE_JS


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_a_full_gradio_queue_is_shown_in_chinese(index, tmp_path, monkeypatch):
    """With Gradio's queue at its size (1 here) and the answer worker held, one more question gets Gradio's own
    refusal, shown in Chinese."""
    import uvicorn
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from ui import chat, server

    release, answering = threading.Event(), threading.Event()

    def held(question, *args, **kwargs):
        answering.set()
        release.wait(GENEROUS_MS / 1000)
        from assistant.records import Answer

        return Answer(question, "好", abstained=True)

    monkeypatch.setattr(chat, "answer_in_time", held)
    monkeypatch.setattr(server, "MAX_QUEUED_EVENTS", 1)
    monkeypatch.setattr(chat, "ANSWER_WORKERS", 1)
    demo, app = _app(index, tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        while not served.started:
            time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])

            def ask_from_a_new_page(number: int, shown: str):
                """One reader asks one question at a time: a page per question, Enter pressed until `shown` is (a key
                pressed before the page's scripts are ready does nothing)."""
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                deadline = time.monotonic() + GENEROUS_MS / 1000
                while True:
                    page.fill("#pqa-question textarea", f"{QUESTION}{number}", timeout=GENEROUS_MS)
                    page.press("#pqa-question textarea", "Enter", timeout=GENEROUS_MS)
                    try:
                        page.wait_for_selector(shown, timeout=2_000)
                        return page
                    except PlaywrightTimeout:
                        assert time.monotonic() < deadline

            ask_from_a_new_page(1, ".pqa-turn")
            assert answering.wait(GENEROUS_MS / 1000)  # the one worker is held by the first question
            ask_from_a_new_page(2, ".pqa-turn")
            _until(lambda: waiting(demo, ANSWERING) == 1)  # the second waits: the queue is full
            page = ask_from_a_new_page(3, f"text={QUEUE_FULL}")
            assert GRADIO_BUSY not in page.evaluate("() => document.body.innerText")
            browser.close()
    finally:
        release.set()
        served.should_exit = True
        thread.join(GENEROUS_MS / 1000)


def _until(condition) -> None:
    deadline = time.monotonic() + GENEROUS_MS / 1000
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)

"""A bounded queue: past MAX_WAITING_ANSWERS a question is told at once to come back; Gradio's own full queue in Chinese."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from ui import busy
from ui.busy import BUSY, GRADIO_BUSY, QUEUE_FULL, Answering

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


def test_past_the_waiting_answers_a_question_is_told_at_once_to_come_back(index, tmp_path, monkeypatch):
    from ui import chat

    async def held_then_released():
        answering, started, release = Answering(1, 1), threading.Event(), threading.Event()

        def first():
            started.set()
            return release.wait(GENEROUS_MS / 1000) and "first"

        running = asyncio.ensure_future(answering.run(first))
        await _until_async(started.is_set)
        assert not answering.full()  # the one worker is busy; one place left to wait in
        waiting = asyncio.ensure_future(answering.run(lambda: "second"))
        await _until_async(lambda: answering.waiting == 1)
        assert answering.full()
        release.set()
        assert await running == "first" and await waiting == "second"
        assert answering.waiting == 0 and not answering.full()

    asyncio.run(held_then_released())

    demo, _server = _app(index, tmp_path)
    turns, html, record, _history, _id, listed = asyncio.run(_fn(demo, "respond").fn(QUESTION, [], [], "", []))
    assert turns[-1].answer.departments.lead == ("市质监局",) and record["turns"][0]["question"] == QUESTION
    assert [line.turns for line in listed] == [1]
    monkeypatch.setattr(chat, "MAX_WAITING_ANSWERS", 0)  # no room: every question is told at once
    demo, _server = _app(index, tmp_path)
    turns, html, record, history, _id, listed = asyncio.run(_fn(demo, "respond").fn(QUESTION, [], [], "", []))
    assert turns[-1].answer.answer == BUSY and turns[-1].answer.abstained and BUSY in html
    assert record is None and history == listed == {"__type__": "update"}  # a refusal is not kept in the history


def test_the_sentence_the_page_translates_is_the_one_gradio_s_page_shows():
    import gradio

    from ui.server import PAGE_JS

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    assert any(GRADIO_BUSY in path.read_text(encoding="utf-8", errors="replace") for path in assets.glob("index-*.js"))
    assert busy.TRANSLATE_JS in PAGE_JS and QUEUE_FULL in PAGE_JS


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_a_full_gradio_queue_is_shown_in_chinese(index, tmp_path, monkeypatch):
    """With Gradio's queue at its size (0 here: every event is refused), a question gets Gradio's own refusal,
    shown in Chinese. (Questions themselves never wait in Gradio's queue: ui/busy.py Answering bounds them.)"""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from ui import server

    monkeypatch.setattr(server, "MAX_QUEUED_EVENTS", 0)
    _demo, app = _app(index, tmp_path)
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
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#pqa-question textarea", QUESTION, timeout=GENEROUS_MS)
            page.press("#pqa-question textarea", "Enter", timeout=GENEROUS_MS)
            page.wait_for_selector(f"text={QUEUE_FULL}", timeout=GENEROUS_MS)
            assert GRADIO_BUSY not in page.evaluate("() => document.body.innerText")
            browser.close()
    finally:
        served.should_exit = True
        thread.join(GENEROUS_MS / 1000)


def _until(condition) -> None:
    deadline = time.monotonic() + GENEROUS_MS / 1000
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


async def _until_async(condition) -> None:
    deadline = time.monotonic() + GENEROUS_MS / 1000
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)

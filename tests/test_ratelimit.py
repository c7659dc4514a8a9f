"""Questions per client: a burst, then a steady rate, told in Chinese in the chat and as HTTP 429 on /api/ask."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ui import ratelimit
from ui.ratelimit import QUESTION_BURST, QUESTIONS_PER_MINUTE, QuestionRate, too_frequent

QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_question_per_interval_per_client():
    clock = Clock()
    rate = QuestionRate(clock=clock)
    assert [rate.wait("10.0.0.1") for _ in range(QUESTION_BURST)] == [0.0] * QUESTION_BURST
    interval = 60 / QUESTIONS_PER_MINUTE
    assert rate.wait("10.0.0.1") == pytest.approx(interval)
    assert rate.wait("10.0.0.2") == 0.0  # another client has its own bucket
    clock.now += interval / 2
    assert rate.wait("10.0.0.1") == pytest.approx(interval / 2)  # refused questions do not count
    clock.now += interval / 2
    assert rate.wait("10.0.0.1") == 0.0 and rate.wait("10.0.0.1") > 0
    clock.now += 3600
    assert [rate.wait("10.0.0.1") for _ in range(QUESTION_BURST + 1)][-2:] == [0.0, pytest.approx(interval)]


def test_the_message_is_chinese_and_says_how_long_to_wait():
    assert too_frequent(2.2) == f"提问过于频繁,请3秒后再试(每分钟最多{QUESTIONS_PER_MINUTE}个问题)。"
    assert too_frequent(0.01).startswith("提问过于频繁,请1秒后再试")


def test_the_clients_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 50)
    clock = Clock()
    rate = QuestionRate(clock=clock)
    for number in range(500):
        clock.now += 0.01
        for _ in range(QUESTION_BURST):
            rate.wait(f"client-{number}")
        assert len(rate._buckets) <= 50
    assert rate.wait("client-499") > 0  # the latest clients are remembered


def test_the_chat_answers_a_client_at_most_as_often_as_the_rate_allows(index, tmp_path):
    import asyncio

    import app

    demo = app.build_app(index, feedback_path=tmp_path / "feedback.jsonl", rate=QuestionRate(burst=2))
    respond = next(block.fn for block in demo.fns.values() if block.fn is not None and block.fn.__name__ == "respond")

    def ask(host: str):
        request = SimpleNamespace(client=SimpleNamespace(host=host))
        turns, *_rest = asyncio.run(respond(QUESTION, [], [], "", [], request))
        return turns[-1].answer

    assert [ask("10.0.0.1").departments.lead for _ in range(2)] == [("市质监局",)] * 2
    refused = ask("10.0.0.1")
    assert refused.abstained and refused.answer.startswith("提问过于频繁,请") and refused.citations == ()
    assert ask("10.0.0.2").departments.lead == ("市质监局",)


def test_the_api_says_429_in_chinese_with_retry_after(index):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui.api import build_api

    server = FastAPI()
    server.include_router(build_api(index, rate=QuestionRate(burst=2)))
    client = TestClient(server)
    assert [client.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(2)] == [200, 200]
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 429 and response.json()["detail"].startswith("提问过于频繁,请")
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/api/documents").status_code == 200  # listing the documents is not a question

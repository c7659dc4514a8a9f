"""Chat users at once against `python app.py` on loopback (eval/users.py): every reply is the answer the assistant
gives in process, and a user past the per-client limit is counted as refused (timings are never asserted)."""

from __future__ import annotations

import json

from tests.conftest import PROJECT


def seed_questions() -> list[str]:
    lines = (PROJECT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def test_users_at_once_get_the_answers_one_user_gets(index):
    from eval.users import measure_users

    figures = measure_users(index, seed_questions(), users=3, per_user=4, seconds=120)
    assert figures.documents == 5 and not figures.same_address
    for run, at_once in ((figures.one, 1), (figures.many, 3)):
        assert run.users == at_once and run.turns == 12
        assert run.errors == {} and run.answered == 12 and run.latency_ms.n == 12
        assert run.answers_per_s > 0 and run.server_cpu_ms > 0 and 0 < run.latency_ms.p50 <= run.latency_ms.p95 <= run.latency_ms.p99


def test_users_sharing_one_address_share_one_client_s_limit(index):
    """All from 127.0.0.1, two users of 6 questions ask more than one client's burst: the rest are refused, and
    counted as errors, not answers."""
    from eval.users import measure_users
    from ui.ratelimit import QUESTION_BURST

    figures = measure_users(index, seed_questions(), users=2, per_user=QUESTION_BURST // 2 + 1, seconds=120, same_address=True)
    refused = figures.one.errors.get("rate limited", 0) + figures.many.errors.get("rate limited", 0)
    assert refused >= 1 and figures.one.answered <= QUESTION_BURST
    for run in (figures.one, figures.many):
        assert set(run.errors) <= {"rate limited"} and run.answered + sum(run.errors.values()) == run.turns

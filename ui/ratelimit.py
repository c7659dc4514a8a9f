"""Questions per client: a token bucket per client address, shared by the chat and /api/ask."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

QUESTION_BURST = 10  # questions a client may ask in a row…
QUESTIONS_PER_MINUTE = 20  # …and then on average: the bucket refills at this rate
MAX_CLIENTS = 10_000  # buckets kept at most; the ones refilled to the brim are forgotten first (they are new again)


def client_of(request) -> str:
    """A request's client as the server sees it (its address; behind a proxy, what the proxy forwards)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or ""


def too_frequent(seconds: float) -> str:
    """What a client that asked too often is told, with how long to wait."""
    return f"提问过于频繁,请{max(1, math.ceil(seconds))}秒后再试(每分钟最多{QUESTIONS_PER_MINUTE}个问题)。"


class QuestionRate:
    """A token bucket per client: QUESTION_BURST at once, then QUESTIONS_PER_MINUTE; safe to call from many threads."""

    def __init__(self, burst: int = QUESTION_BURST, per_minute: float = QUESTIONS_PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._burst, self._per_second, self._clock = burst, per_minute / 60, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when counted)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """0 when the client may ask now (the question is counted), else the seconds until it may."""
        with self._lock:
            now = self._clock()
            tokens = self._tokens(client, now)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return (1 - tokens) / self._per_second
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._forget_full(now)
            return 0.0

    def _tokens(self, client: str, now: float) -> float:
        tokens, counted = self._buckets.get(client, (self._burst, now))
        return min(self._burst, tokens + (now - counted) * self._per_second)

    def _forget_full(self, now: float) -> None:
        for client in [client for client in self._buckets if self._tokens(client, now) >= self._burst]:
            del self._buckets[client]
        by_age = sorted(self._buckets, key=lambda client: self._buckets[client][1])
        for client in by_age[: len(by_age) - MAX_CLIENTS]:  # still too many: the longest silent start afresh
            del self._buckets[client]

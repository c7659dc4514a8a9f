"""The web app's login: PQA_AUTH's user and password, with failed attempts per user name throttled."""

from __future__ import annotations

import hmac
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

MAX_FAILURES = 5  # failed logins of one user name within WINDOW_SECONDS, after which every login is refused
WINDOW_SECONDS = 60.0


class ThrottledLogin:
    """An auth callable, (username, password) -> bool, that refuses a user name after too many failures.

    Gradio's login form and the API's HTTP basic auth both call it, so they share one count.
    """

    def __init__(self, logins: Sequence[tuple[str, str]], clock: Callable[[], float] = time.monotonic):
        self._logins, self._clock = tuple(logins), clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        now = self._clock()
        with self._lock:
            failures = self._recent(username, now)
            if len(failures) >= MAX_FAILURES:
                return False  # refused without counting, so the pause ends WINDOW_SECONDS after the failures
            if self._matches(username, password):
                self._failures.pop(username, None)
                return True
            failures.append(now)
            self._failures[username] = failures
            if len(failures) == MAX_FAILURES:
                print(f"登录: 用户名 {username[:40]!r} 在 {WINDOW_SECONDS:.0f} 秒内失败 {MAX_FAILURES} 次,暂停其登录",
                      file=sys.stderr, flush=True)
            return False

    def _recent(self, username: str, now: float) -> deque[float]:
        failures = self._failures.pop(username, deque())
        while failures and now - failures[0] >= WINDOW_SECONDS:
            failures.popleft()
        if failures:
            self._failures[username] = failures
        return failures

    def _matches(self, username: str, password: str) -> bool:
        given = (_bytes(username), _bytes(password))
        return any(
            hmac.compare_digest(given[0], _bytes(user)) & hmac.compare_digest(given[1], _bytes(word))
            for user, word in self._logins
        )


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "replace")

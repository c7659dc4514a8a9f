"""The web app's login: PQA_AUTH's pair and the API's token, wrong ones throttled per user name and per address."""

from __future__ import annotations

import hmac
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

MAX_FAILURES = 5  # failed logins of one user name (tokens of one address) within WINDOW_SECONDS: then all refused
WINDOW_SECONDS = 60.0


class ThrottledLogin:
    """An auth callable, (username, password) -> bool, that refuses a user name after too many failures.

    Gradio's login form and the API's HTTP basic auth both call it, so they share one count; the API's bearer
    token is checked by `token`, counted per client address.
    """

    def __init__(self, logins: Sequence[tuple[str, str]], clock: Callable[[], float] = time.monotonic):
        self._logins, self._clock = tuple(logins), clock
        self._failures: dict[tuple[str, str], deque[float]] = {}  # (what, whose) -> times of recent failures
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        return self._attempt(("用户名", username), lambda: self._matches(username, password))

    def token(self, client: str, given: str, expected: str) -> bool:
        """Whether a bearer token is the expected one, unless this client address gave too many wrong ones."""
        return self._attempt(("令牌,地址", client), lambda: hmac.compare_digest(_bytes(given), _bytes(expected)))

    def _attempt(self, key: tuple[str, str], check: Callable[[], bool]) -> bool:
        now = self._clock()
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) >= MAX_FAILURES:
                return False  # refused without counting, so the pause ends WINDOW_SECONDS after the failures
            if check():
                self._failures.pop(key, None)
                return True
            failures.append(now)
            self._failures[key] = failures
            if len(failures) == MAX_FAILURES:
                print(f"登录: {key[0]} {key[1][:40]!r} 在 {WINDOW_SECONDS:.0f} 秒内失败 {MAX_FAILURES} 次,暂停其登录",
                      file=sys.stderr, flush=True)
            return False

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures.pop(key, deque())
        while failures and now - failures[0] >= WINDOW_SECONDS:
            failures.popleft()
        if failures:
            self._failures[key] = failures
        return failures

    def _matches(self, username: str, password: str) -> bool:
        given = (_bytes(username), _bytes(password))
        return any(
            hmac.compare_digest(given[0], _bytes(user)) & hmac.compare_digest(given[1], _bytes(word))
            for user, word in self._logins
        )


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "replace")

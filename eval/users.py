"""`python -m eval bench --users 16`: concurrent chat users against the real app (`app.py`) served on loopback.

    python -m eval bench --users 16 [--size N] [--keep DIR] [--per-user K] [--seconds S] [--one-address] [--json]

Starts `python app.py` on 127.0.0.1 (a free port) over the seed documents (or, with --size, a synthetic library of
that many documents, `eval/synthetic.py`), waits until it serves, and has each simulated user ask a conversation of
real questions as the browser's chat does: Gradio's queue over HTTP (`/gradio_api/queue/join`, then the SSE stream
`/gradio_api/queue/data`), one `respond` event per turn (the page shows the question itself and saves the
conversation in its own records). Each
user first opens the page (its `restore` event, which makes the server's session: not timed, as a browser does it at
load). A turn's latency is from pressing Enter to the answer's arrival. The same conversations are asked one user at a time
(the baseline), then by all users at once. Every reply is checked against the chat the assistant renders in this
process for the same conversation; anything else (an exception, an HTTP error, a failed event, a refusal, another
answer) is an error. Each user comes from an address of its own, sent as X-Forwarded-For (what a reverse proxy on the
same machine sends; uvicorn trusts it from 127.0.0.1 only), so the per-client question limit (ui/ratelimit.py)
counts each user apart; --one-address sends none: every user is then 127.0.0.1 and shares one client's limit.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eval.scale import PROJECT, Latency, _latency
from ui.ratelimit import QUESTION_BURST

if TYPE_CHECKING:
    import httpx

    from index import CorpusIndex

USERS = 16
STARTUP_SECONDS = 300  # opening the index (built beforehand) and computing the example answers
REFUSALS = {"提问过于频繁": "rate limited", "排队的问题已满": "busy", "系统出错": "failed", "问题过于复杂": "too complex"}


@dataclass(frozen=True)
class Reply:
    """One turn as a user saw it: the chat's HTML after the answer arrived, or what went wrong instead."""

    user: int
    turn: int
    seconds: float
    chat: str = ""
    error: str = ""


@dataclass(frozen=True)
class UsersFigures:
    """One run of the conversations at a given number of users at once."""

    users: int
    turns: int  # questions the conversations hold
    answered: int  # replies that are the expected answer
    errors: dict[str, int]  # by kind; questions the time bound left unasked count as "not asked in time"
    seconds: float
    answers_per_s: float
    latency_ms: Latency  # of the answered turns: Enter to the answer's arrival
    server_cpu_ms: float  # the app process's CPU time per turn asked (Linux /proc; nan elsewhere): load-independent


@dataclass(frozen=True)
class UsersComparison:
    """The same conversations one user at a time and all users at once, on one served app."""

    documents: int
    questions_per_user: int
    same_address: bool
    load_before: float  # the machine's 1-minute load average before the run
    load_after: float
    one: UsersFigures
    many: UsersFigures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval bench", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=USERS, help="users asking at once")
    parser.add_argument("--size", type=int, default=0, help="a synthetic library of this many documents (default: the seeds)")
    parser.add_argument("--keep", type=Path, default=None, help="with --size: build the library here and reuse it")
    parser.add_argument("--per-user", type=int, default=QUESTION_BURST, help="questions in each user's conversation "
                        "(default: the per-client burst; beyond it the rate limit refuses)")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=120, help="time bound of each of the two runs")
    parser.add_argument("--one-address", action="store_true", help="every user from 127.0.0.1 (one client's limit)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    from index import open_index  # noqa: PLC0415

    if args.size:
        from eval.synthetic import questions, write_library  # noqa: PLC0415

        folder = (args.keep or Path(tempfile.mkdtemp(prefix="pqa-users-bench-"))) / str(args.size)
        corpus, index_dir = folder / "library", folder / "index"
        write_library(corpus, args.size)
        asked = [item.text for item in questions(args.size)]
    else:
        from assistant.cli import default_corpus, default_index  # noqa: PLC0415
        from eval.inputs import read_items  # noqa: PLC0415

        corpus, index_dir = default_corpus(), default_index()
        asked = [item.q for item in read_items(PROJECT / "eval" / "questions.jsonl")[0]]
    print(f"bench: {args.users} users over {corpus}", file=sys.stderr, flush=True)
    index = open_index(corpus, index_dir, None)  # built here if needed, before the app opens it
    figures = measure_users(index, asked, args.users, args.per_user, args.seconds, args.one_address)
    print(json.dumps({"cpus": os.cpu_count(), **asdict(figures)}, ensure_ascii=False) if args.json else report(figures))
    return 0


def measure_users(index: CorpusIndex, asked: Sequence[str], users: int = USERS, per_user: int = QUESTION_BURST,
                  seconds: float = 120, same_address: bool = False) -> UsersComparison:  # fmt: skip
    """Serve `app.py` over the index's corpus and folder, and ask `users` conversations of `per_user` questions
    (taken in turn from `asked`) one user at a time, then all at once; each run bounded by `seconds`."""
    conversations = [[asked[(turn * users + user) % len(asked)] for turn in range(per_user)] for user in range(users)]
    expected = [_expected_chats(conversation, index) for conversation in conversations]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pqa-users-") as scratch, served(index.corpus_dir, index.index_dir, Path(scratch)) as (url, pid):
        chat = ServedChat.connect(url, pid)
        warm = open_tab(url, "10.255.0.1")
        chat.open_page(warm)
        chat.turn(asked[0], warm)  # first-call costs are not per-turn costs
        warm.client.close()
        one = _run(chat, conversations, expected, 1, seconds, None if same_address else 1)
        many = _run(chat, conversations, expected, users, seconds, None if same_address else 2)
    return UsersComparison(len(index.documents), per_user, same_address, load_before, os.getloadavg()[0], one, many)


def report(figures: UsersComparison) -> str:
    """The two runs as a table, their ratio and the errors by kind."""
    one, many = figures.one, figures.many
    address = "all from 127.0.0.1" if figures.same_address else "each its own address"
    lines = [
        f"{many.users} chat users against app.py on 127.0.0.1 ({figures.documents} documents, {figures.questions_per_user} "
        f"questions per user, {address}; load {figures.load_before:.1f} before, {figures.load_after:.1f} after, "
        f"{os.cpu_count()} cpus)",
        f"{'':10}{'turns':>6} {'answered':>9} {'errors':>7} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'app CPU ms/turn':>16}",
    ]
    for name, run in ((f"{one.users} user", one), (f"{many.users} users", many)):
        latency = run.latency_ms
        lines.append(f"{name:10}{run.turns:6d} {run.answered:9d} {sum(run.errors.values()):7d} {run.answers_per_s:10.1f} "
                     f"{latency.p50:8.1f} {latency.p95:8.1f} {latency.p99:8.1f} {run.server_cpu_ms:16.1f}")  # fmt: skip
    if one.answers_per_s and one.latency_ms.p95:
        lines.append(f"{many.users} users / 1 user: throughput {many.answers_per_s / one.answers_per_s:.1f}x, "
                     f"p95 {many.latency_ms.p95 / one.latency_ms.p95:.1f}x")  # fmt: skip
    for run in (one, many):
        if run.errors:
            lines.append(f"errors with {run.users} user(s): " + ", ".join(f"{kind} {n}" for kind, n in run.errors.items()))
    return "\n".join(lines)


@contextmanager
def served(corpus_dir: Path, index_dir: Path, scratch: Path) -> Iterator[tuple[str, int]]:
    """`python app.py` as an official runs it, on 127.0.0.1 and a free port, until the block ends; its URL and pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PQA_FEEDBACK": str(scratch / "feedback.jsonl")}
    env.pop("PQA_AUTH", None)
    command = [sys.executable, str(PROJECT / "app.py"), "--host", "127.0.0.1", "--port", str(port), "--corpus", str(corpus_dir),
               "--index", str(index_dir), "--embed-model", "off"]  # fmt: skip
    log_path = scratch / "app.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_served(process, url, log_path)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_served(process: subprocess.Popen, url: str, log_path: Path) -> None:
    import httpx  # noqa: PLC0415

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}: {log_path.read_text(encoding='utf-8')[-1000:]}")
        try:
            if httpx.get(f"{url}/config", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(f"app.py did not serve within {STARTUP_SECONDS} s: {log_path.read_text(encoding='utf-8')[-1000:]}")


@dataclass(frozen=True)
class Tab:
    """One user's browser tab: its connection (with the user's address, when it has one of its own) and session."""

    client: httpx.Client
    session: str


def open_tab(url: str, address: str = "") -> Tab:
    """A new tab on the served app, from `address` (sent as X-Forwarded-For; '' = the loopback address itself)."""
    import httpx  # noqa: PLC0415

    return Tab(httpx.Client(base_url=url, headers={"X-Forwarded-For": address} if address else {}), uuid.uuid4().hex)


@dataclass(frozen=True)
class ServedChat:
    """The served chat as the browser calls it: what a turn sends and where the answer comes back."""

    url: str
    pid: int  # the app's process
    load: dict  # the page's first load event (`restore`): the server makes the tab's session
    respond: dict  # the Enter key's event (ui/chat.py `respond`, after the page has shown the question), from the config
    types: dict[int, str]  # component id -> type
    scope: list  # the 文件范围 checkboxes as the page starts: every document
    chat_id: int  # the chat log's component

    @classmethod
    def connect(cls, url: str, pid: int) -> ServedChat:
        """Read the page's config as the browser does."""
        import httpx  # noqa: PLC0415

        config = httpx.get(f"{url}/config", timeout=30).json()
        components = {component["id"]: component for component in config["components"]}
        by_name = {dependency.get("api_name"): dependency for dependency in config["dependencies"]}
        chat_id = next(number for number, component in components.items() if component.get("props", {}).get("elem_id") == "pqa-chat-log")
        scope = next(component for component in components.values() if component.get("props", {}).get("elem_id") == "pqa-scope")
        types = {number: component["type"] for number, component in components.items()}
        return cls(url, pid, by_name["restore"], by_name["respond"], types, scope["props"]["value"], chat_id)

    def open_page(self, tab: Tab, timeout: float = 30) -> None:
        """What loading the page does first: restore the (empty) conversation, making the server's session."""
        self._event(tab, self.load, {"browserstate": [], "state": None}, timeout)

    def turn(self, question: str, tab: Tab, timeout: float = 30) -> str:
        """Ask one question in a conversation: the chat's HTML afterwards. (The page then saves the conversation the
        reply carries in its own records, ui/chat.py SAVE_JS: no request.)"""
        values = {"textbox": question, "checkboxgroup": self.scope, "state": None}
        output = self._event(tab, self.respond, values, timeout)
        return dict(zip(self.respond["outputs"], output))[self.chat_id]

    def _event(self, tab: Tab, dependency: dict, values: dict, timeout: float) -> list:
        """Join the queue with one event and read the session's stream until it completes; its output data."""
        joined = tab.client.post("/gradio_api/queue/join", timeout=timeout, json={
            "data": [values[self.types[number]] for number in dependency["inputs"]], "event_data": None,
            "fn_index": dependency["id"], "trigger_id": dependency["targets"][0][0], "session_hash": tab.session,
        })  # fmt: skip
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with tab.client.stream("GET", "/gradio_api/queue/data", params={"session_hash": tab.session}, timeout=timeout) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "unexpected_error":
                    raise RuntimeError(f"unexpected error: {message.get('message')}")
                if message.get("msg") == "process_completed" and message.get("event_id") == event_id:
                    if not message.get("success"):
                        raise RuntimeError(f"event failed: {str(message.get('output'))[:200]}")
                    return message["output"]["data"]
        raise RuntimeError("the stream ended before the answer")


def _run(chat: ServedChat, conversations: list[list[str]], expected: list[list[str]], at_once: int, seconds: float,
         network: int | None) -> UsersFigures:  # fmt: skip
    """Every conversation, `at_once` users at a time, until `seconds` have passed; each user its own session and,
    unless `network` is None, its own address 10.<network>.x.y."""
    tabs = [open_tab(chat.url, "" if network is None else f"10.{network}.{user // 250}.{user % 250 + 1}")
            for user in range(len(conversations))]  # fmt: skip
    for tab in tabs:
        chat.open_page(tab, seconds)
    deadline = time.monotonic() + seconds

    def converse(user: int) -> list[Reply]:
        replies = []
        for number, question in enumerate(conversations[user]):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            started = time.perf_counter()
            try:
                html = chat.turn(question, tabs[user], timeout=left)
                replies.append(Reply(user, number, time.perf_counter() - started, chat=html))
            except Exception as error:  # noqa: BLE001  (every failure is counted, by kind)
                replies.append(Reply(user, number, time.perf_counter() - started, error=type(error).__name__))
        return replies

    started, cpu = time.perf_counter(), _cpu_seconds(chat.pid)
    with ThreadPoolExecutor(at_once) as pool:
        replies = [reply for user_replies in pool.map(converse, range(len(conversations))) for reply in user_replies]
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds(chat.pid) - cpu
    for tab in tabs:
        tab.client.close()
    kinds = [_error(reply, expected[reply.user][reply.turn]) for reply in replies]
    errors = Counter(kind for kind in kinds if kind)
    unasked = sum(map(len, conversations)) - len(replies)
    if unasked:
        errors["not asked in time"] = unasked
    latencies = [reply.seconds * 1000 for reply, kind in zip(replies, kinds) if not kind]
    answered = len(latencies)
    return UsersFigures(
        users=at_once, turns=sum(map(len, conversations)), answered=answered, errors=dict(errors), seconds=round(elapsed, 3),
        answers_per_s=round(answered / elapsed, 2), latency_ms=_latency(latencies) if latencies else Latency(0, 0, 0, 0),
        server_cpu_ms=round(cpu * 1000 / max(1, len(replies)), 2),
    )  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux); nan where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _error(reply: Reply, expected_turn: str) -> str:
    """'' for the expected answer, else what went wrong."""
    if reply.error:
        return reply.error
    served = _last_turn(reply.chat)
    if served == expected_turn:
        return ""
    return next((kind for text, kind in REFUSALS.items() if text in served), "another answer")


def _expected_chats(conversation: Sequence[str], index: CorpusIndex) -> list[str]:
    """Per question, the chat's last turn as the app renders it for this conversation (answered in this process)."""
    from assistant.budget import answer_in_time  # noqa: PLC0415
    from ui.conversations import Turn, history_questions  # noqa: PLC0415
    from ui.render import render_chat  # noqa: PLC0415

    turns, rendered = [], []
    for question in conversation:
        pending = [*turns, Turn(question)]
        turns.append(Turn(question, answer_in_time(question, index, history=history_questions(pending))))
        rendered.append(_last_turn(render_chat(turns)))
    return rendered


def _last_turn(chat: str) -> str:
    return chat[chat.rfind('<div class="pqa-turn"') :]

"""The web app under abuse: formula cells in exports, login guessing, temporary files, failures shown to a user."""

from __future__ import annotations

import base64
import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from corpus import Document
from ui import matrix, scratch
from ui.formulas import neutralise
from ui.login import MAX_FAILURES, WINDOW_SECONDS, ThrottledLogin

PROJECT = Path(__file__).resolve().parent.parent
FORMULAS = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture(autouse=True)
def _our_scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("PQA_TMP", str(tmp_path / "pqa-tmp"))


@pytest.fixture(scope="module")
def documents(docs) -> tuple[Document, ...]:
    return tuple(docs.values())


# ---- exports ----


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_formula_cell_is_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["市质监局", "六、推进质量创新体系建设", "", "1-2", None, 3])
def test_other_cells_are_unchanged(cell):
    assert neutralise(cell) == cell


def test_exports_of_a_real_matrix_with_formula_cells_run_nothing(documents, tmp_path):
    from openpyxl import load_workbook

    headers, rows = matrix.matrix(documents, "xuchang-2013-action-plan")
    hostile = [FORMULAS] + [row[:3] + [f"{FORMULAS[n % 6]}{row[3]}"] + row[4:] for n, row in enumerate(rows)]
    csv_path, xlsx_path = matrix.export(headers, hostile, "责任矩阵")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == headers
    assert written[1] == ["'" + cell for cell in FORMULAS]
    assert [row[3] for row in written[2:]] == ["'" + row[3] for row in hostile[1:]]
    assert [row[2] for row in written[2:]] == [row[2] for row in rows]  # ordinary cells as they were
    sheet = load_workbook(xlsx_path).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert [cell.value for cell in sheet[2]][: len(FORMULAS)] == ["'" + cell for cell in FORMULAS]
    assert all(not str(cell.value).startswith(("=", "+", "-", "@")) for cell in cells)
    assert csv_path.parent.parent == tmp_path / "pqa-tmp"  # under our one folder, not loose in the system's temp


def test_control_characters_do_not_break_the_excel_export(tmp_path):
    csv_path, xlsx_path = matrix.export(["文件"], [["市质监局\x00\x07牵头"]], "x", folder=tmp_path)
    from openpyxl import load_workbook

    assert load_workbook(xlsx_path).active["A2"].value == "市质监局牵头"


# ---- temporary files ----


def test_used_temporary_folders_are_removed_and_only_ours(tmp_path):
    first = scratch.new_folder("matrix")
    (first / "a.csv").write_text("x", encoding="utf-8")
    foreign = scratch.scratch_root() / "notes"
    foreign.mkdir()
    gradio = scratch.gradio_cache()
    gradio.mkdir()
    old = time.time() - scratch.KEEP_SECONDS - 1
    os.utime(first, (old, old))
    second = scratch.new_folder("eval")
    assert not first.exists() and second.exists()
    assert scratch.remove_used() == [second]
    assert sorted(p.name for p in scratch.scratch_root().iterdir()) == ["gradio", "notes"]


# ---- login ----


def test_login_is_refused_after_five_failures_a_minute_then_allowed_again():
    now = [1000.0]
    login = ThrottledLogin([("official", "s3cret")], clock=lambda: now[0])
    assert login("official", "s3cret")
    for _ in range(MAX_FAILURES):
        assert not login("official", "wrong")
        now[0] += 1
    assert not login("official", "s3cret")  # the right password, refused while throttled
    assert login("someone-else", "x") is False and not login("official", "s3cret")
    now[0] += WINDOW_SECONDS - MAX_FAILURES + 1  # the first failure has left the window
    assert login("official", "s3cret")


def test_wrong_bearer_tokens_are_throttled_per_address():
    now = [1000.0]
    login = ThrottledLogin([("official", "s3cret")], clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        assert not login.token("10.0.0.1", "guess", "t0ken")
    assert not login.token("10.0.0.1", "t0ken", "t0ken")  # the right token, refused from that address
    assert login.token("10.0.0.2", "t0ken", "t0ken") and login("official", "s3cret")  # others, and logins, unaffected
    now[0] += WINDOW_SECONDS
    assert login.token("10.0.0.1", "t0ken", "t0ken")


def test_the_api_refuses_a_token_guesser_even_the_right_token(index):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui.api import ApiAccess, build_api

    server = FastAPI()
    server.include_router(build_api(index, ApiAccess((), "t0ken", ThrottledLogin(()))))
    client = TestClient(server)

    def documents(token: str) -> int:
        return client.get("/api/documents", headers={"Authorization": f"Bearer {token}"}).status_code

    assert documents("t0ken") == 200
    assert [documents(f"guess{n}") for n in range(MAX_FAILURES)] == [401] * MAX_FAILURES
    assert documents("t0ken") == 401


def test_login_failures_spread_over_time_do_not_lock_out():
    now = [0.0]
    login = ThrottledLogin([("official", "s3cret")], clock=lambda: now[0])
    for _ in range(3 * MAX_FAILURES):
        assert not login("official", "wrong")
        now[0] += WINDOW_SECONDS / (MAX_FAILURES - 1)
    assert login("official", "s3cret")


def test_login_throttling_in_the_running_app(tmp_path):
    """40 wrong passwords once took 0.65 s; now the sixth attempt in a minute is refused, even the right one,
    on the login form and on the API's basic auth alike."""
    with _served(tmp_path, auth="official:s3cret") as url:
        assert _api(url, "official", "s3cret") == 200 and _login(url, "official", "s3cret") == 200
        statuses = [_login(url, "official", f"guess{n}") for n in range(MAX_FAILURES - 1)] + [_api(url, "official", "guess")]
        assert statuses == [400] * (MAX_FAILURES - 1) + [401]
        assert _login(url, "official", "s3cret") == 400
        assert _api(url, "official", "s3cret") == 401
        assert _login(url, "other", "s3cret") == 400
    assert "暂停其登录" in (tmp_path / "app.log").read_text(encoding="utf-8")
    assert (tmp_path / "pqa-tmp" / "gradio").is_dir()  # Gradio's cache inside our folder


# ---- what a chat user is shown when answering fails ----


def test_a_failing_answer_shows_no_exception_text(index, monkeypatch, tmp_path):
    import asyncio

    import app
    from ui import chat

    demo = app.build_app(index, feedback_path=tmp_path / "feedback.jsonl")
    respond = next(block.fn for block in demo.fns.values() if block.fn.__name__ == "respond")

    def broken(*args, **kwargs):
        raise IndexError("index 4194418 is out of bounds for axis 0 with size 33266")

    monkeypatch.setattr(chat, "answer_in_time", broken)
    turns, html, *_rest = asyncio.run(respond("许昌市推进检验检测技术平台建设由哪个部门牵头?", [], [], "", []))
    assert turns[-1].answer.answer.startswith("系统出错") and turns[-1].answer.abstained
    assert "4194418" not in str(html) and "IndexError" not in str(html)


def test_a_failing_api_question_shows_no_exception_text(index, monkeypatch):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui import api

    def broken(*args, **kwargs):
        raise IndexError("index 4194418 is out of bounds for axis 0 with size 33266")

    monkeypatch.setattr(api, "answer_in_time", broken)
    server = FastAPI()
    server.include_router(api.build_api(index))
    record = TestClient(server).post("/api/ask", json={"question": "许昌市推进检验检测技术平台建设由哪个部门牵头?"}).json()
    assert record["abstained"] and record["error"] == "内部错误(IndexError)" and record["answer"].startswith("系统出错")
    assert "4194418" not in json.dumps(record, ensure_ascii=False)


def _api(url: str, user: str, password: str) -> int:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(url + "api/documents", headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _login(url: str, user: str, password: str) -> int:
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _served:
    """`python app.py` on a free port with our temporary folder under tmp_path, until the block ends."""

    def __init__(self, tmp_path: Path, auth: str):
        self.tmp_path, self.auth = tmp_path, auth

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PQA_AUTH": self.auth,
               "PQA_TMP": str(self.tmp_path / "pqa-tmp")}
        env.pop("GRADIO_TEMP_DIR", None)
        command = [sys.executable, str(PROJECT / "app.py"), "--port", str(port), "--index", str(self.tmp_path / "index"),
                   "--embed-model", "off"]
        self.log = (self.tmp_path / "app.log").open("w", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        for _attempt in range(600):
            if self.process.poll() is not None:
                pytest.fail(f"app.py exited: {(self.tmp_path / 'app.log').read_text(encoding='utf-8')}")
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return url
            except urllib.error.HTTPError:
                return url  # served (a login page answers too)
            except OSError:
                time.sleep(0.3)
        pytest.fail("app.py did not serve")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()

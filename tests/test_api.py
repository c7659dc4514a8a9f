"""The HTTP API (ui/api.py) through FastAPI's TestClient: the CLI's JSON contract, the document list, the login."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
QUESTION = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
CONTRACT_FIELDS = {"question", "answer", "abstained", "departments", "citations"}


@pytest.fixture(scope="module")
def server(index):
    """The whole server (chat + API) behind a login and a token, as `python app.py` serves it."""
    from fastapi.testclient import TestClient

    from app import build_app
    from ui.server import create_server

    app = create_server(build_app(index), index, (("official", "s3cret"),), "t0ken")
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def open_api(index):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui.api import build_api

    app = FastAPI()
    app.include_router(build_api(index))
    return TestClient(app)


@pytest.fixture(scope="module")
def index_dir_for_cli(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-index")


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_ask_returns_what_the_cli_prints(open_api, index_dir_for_cli):
    response = open_api.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert CONTRACT_FIELDS <= set(body)
    assert body["departments"]["lead"] == ["市质监局"]
    assert body["citations"][0]["clause"] == "六、推进质量创新体系建设 > 21.推进检验检测技术平台建设"
    cli = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--index", str(index_dir_for_cli), QUESTION],
        capture_output=True, text=True, cwd=PROJECT, timeout=180,
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == body


def test_ask_follows_the_conversation_and_the_document_filter(open_api):
    follow_up = open_api.post("/api/ask", json={"question": "配合单位呢?", "history": [QUESTION]}).json()
    assert follow_up["intent"] == "cooperate" and "市发展改革委" in follow_up["departments"]["cooperate"]
    elsewhere = open_api.post("/api/ask", json={"question": QUESTION, "doc_ids": ["shandong-2016-action-plan"]}).json()
    assert elsewhere["abstained"] and not elsewhere["citations"]
    unknown = open_api.post("/api/ask", json={"question": QUESTION, "doc_ids": ["no-such-document"]})
    assert unknown.status_code == 422 and "no-such-document" in unknown.json()["detail"]
    assert open_api.post("/api/ask", json={"history": []}).status_code == 422


def test_documents_lists_the_library(open_api, index):
    documents = open_api.get("/api/documents").json()
    assert [d["doc_id"] for d in documents] == [d.doc_id for d in index.documents]
    xuchang = next(d for d in documents if d["doc_id"] == "xuchang-2013-action-plan")
    clauses = len(next(d for d in index.documents if d.doc_id == "xuchang-2013-action-plan").clauses)
    assert xuchang["file"] == "xuchang-2013-action-plan.txt" and xuchang["clauses"] == clauses > 20
    assert xuchang["title"].startswith("许昌市") and xuchang["added"][:2] == "20"


def test_the_api_is_closed_when_a_login_is_required(server):
    assert server.post("/api/ask", json={"question": QUESTION}).status_code == 401
    assert server.get("/api/documents", headers=_basic("official", "wrong")).status_code == 401
    assert server.get("/api/documents", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert server.get("/api/documents", headers=_basic("official", "s3cret")).status_code == 200
    answered = server.post("/api/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer t0ken"})
    assert answered.status_code == 200 and answered.json()["departments"]["lead"] == ["市质监局"]


def test_the_chat_is_served_beside_the_api_in_chinese(server):
    page = server.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "define('language', 'zh-CN')" in page.text  # Gradio's own words in Chinese, whatever the browser
    assert page.text.index("zh-CN") < page.text.index('type="module"')
    assert int(page.headers["content-length"]) == len(page.content)

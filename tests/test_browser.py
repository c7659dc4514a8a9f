"""The web UI in a real headless Chromium: `python app.py` served on a copy of the corpus plus a hostile document.

Set PQA_SCREENSHOTS=1 to also write docs/chat.png and docs/matrix.png (served on the real corpus).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STEP_MS = 60_000  # the longest any one step may take
XUCHANG_TITLE = "许昌市贯彻落实质量发展纲要深入实施质量立市战略2013年行动计划"
# A document whose title, clause and unit carry markup: it must be shown as text and never run.
INJECTED_TITLE = '测试市质量提升测试方案<img src=x onerror="window.__pwned=3">'
INJECTED = (
    f"{INJECTED_TITLE}\n\n一、重点任务\n"
    '1.开展网页注入防护检查。<script>window.__pwned=1</script>内容<img src=x onerror="window.__pwned=2">。'
    "(牵头单位:市测试局<b>)\n"
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@contextmanager
def serve(corpus_dir: Path, index_dir: Path, log_path: Path, auth: str | None = None) -> Iterator[str]:
    """Run `python app.py` on a free port until the block ends; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("PQA_AUTH", None)
    if auth:
        env["PQA_AUTH"] = auth
    command = [sys.executable, str(PROJECT / "app.py"), "--port", str(port), "--corpus", str(corpus_dir),
               "--index", str(index_dir), "--embed-model", "off"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STEP_MS / 1000
        while True:
            if process.poll() is not None:
                pytest.fail(f"app.py exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"app.py did not serve within {STEP_MS // 1000} s:\n{log_path.read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    corpus = folder / "corpus"
    corpus.mkdir()
    for path in (PROJECT / "corpus" / "documents").glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    (corpus / "zz-injected.txt").write_text(INJECTED, encoding="utf-8")
    with serve(corpus, folder / "index", folder / "app.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.goto(app_url)
    page.wait_for_selector("#pqa-question textarea")
    yield page
    context.close()


def ask(page, question: str):
    """Type a question, send it, and return the locator of its answered turn."""
    before = page.locator(".pqa-turn").count()
    page.fill("#pqa-question textarea", question)
    page.press("#pqa-question textarea", "Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('.pqa-turn').length > {before}"
        " && !document.querySelector('.pqa-turn:last-child .pqa-pending')"
    )
    return page.locator(".pqa-turn").nth(before)


def test_chat_cites_the_clause_and_answers_a_follow_up(page):
    turn = ask(page, "许昌市开展计量惠民专项行动由哪个部门牵头?")
    assert "市质监局" in turn.locator(".pqa-a").inner_text()
    card = turn.locator(".pqa-card").first
    assert "19.开展计量惠民专项行动" in card.locator(".pqa-path").inner_text()
    assert card.locator("mark", has_text="市质监局").count() >= 1

    follow_up = ask(page, "配合单位呢?")
    assert "市发展改革委" in follow_up.locator(".pqa-a").inner_text()
    assert follow_up.locator(".pqa-card mark", has_text="市发展改革委").count() >= 1

    page.click("#pqa-new")
    page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 0")
    assert "请输入问题" in page.locator("#pqa-chat-log").inner_text()


def test_example_click_and_the_viewer_scrolls_to_the_cited_clause(page):
    """The example questions come from the loaded documents, and each one is answered with a cited clause."""
    buttons = page.locator(".pqa-examples button")
    assert buttons.count() == 5
    question = buttons.first.inner_text()
    buttons.first.click()
    page.wait_for_selector(".pqa-turn .pqa-card-main")
    assert question in page.locator(".pqa-turn").first.inner_text()
    assert "文件中未找到" not in page.locator(".pqa-turn .pqa-a").first.inner_text()
    page.locator(".pqa-card-main button.pqa-open").first.click()
    focus = page.locator("#pqa-viewer .pqa-focus")
    focus.wait_for()
    assert focus.locator("mark").count() >= 1
    page.wait_for_function(  # the framed clause is scrolled into the viewer's visible part
        """() => { const body = document.querySelector('#pqa-viewer .pqa-doc-body');
                   const focus = body.querySelector('.pqa-focus');
                   const top = focus.getBoundingClientRect().top - body.getBoundingClientRect().top;
                   return body.scrollTop > 0 && top >= 0 && top < body.clientHeight; }"""
    )


def test_abstention_has_no_cards(page):
    turn = ask(page, "北京市开展计量惠民专项行动由哪个部门牵头?")
    assert "文件中未找到" in turn.locator(".pqa-a").inner_text()
    assert turn.locator(".pqa-card").count() == 0


def test_matrix_by_document_and_by_department(page):
    page.get_by_role("tab", name="责任矩阵").click()
    page.locator("#pqa-matrix-doc input").click()
    page.get_by_role("option", name=XUCHANG_TITLE).click()
    page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('27 项任务')")
    table = page.locator("#pqa-matrix")
    table.locator("input").first.fill("计量惠民")  # the table's own search box (long tables render lazily)
    page.wait_for_function("() => document.querySelector('#pqa-matrix').innerText.includes('19.开展计量惠民专项行动')")
    assert "市质监局" in table.inner_text()
    table.locator("input").first.fill("")

    page.locator("#pqa-matrix-dept input").click()
    page.get_by_role("option").filter(has_text="质监局(").first.click()
    page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('许昌市 · 质监局')")
    assert "角色" in table.inner_text() and "牵头" in table.inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("角色,文件,章节,条款,牵头单位,配合单位,责任单位")
    assert "19.开展计量惠民专项行动,市质监局" in text
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_document_markup_is_shown_as_text_and_never_runs(page):
    turn = ask(page, "测试市开展网页注入防护检查由哪个部门牵头?")
    assert "市测试局<b>" in turn.locator(".pqa-a").inner_text()
    card = turn.locator(".pqa-card").first
    assert INJECTED_TITLE in card.locator(".pqa-title").inner_text()
    card_text = card.locator(".pqa-text").inner_text()
    assert "<script>window.__pwned=1</script>" in card_text
    assert '<img src=x onerror="window.__pwned=2">' in card_text
    card.locator("button.pqa-open").click()
    page.locator("#pqa-viewer .pqa-focus").wait_for()
    viewer = page.locator("#pqa-viewer").inner_text()
    assert "<script>window.__pwned=1</script>" in viewer and INJECTED_TITLE in viewer

    page.get_by_role("tab", name="文件").click()
    page.locator("#pqa-documents .body-cell", has_text="测试市质量提升测试方案").first.click()
    page.wait_for_function("() => document.querySelector('#pqa-document-view').innerText.includes('onerror')")
    assert INJECTED_TITLE in page.locator("#pqa-documents").inner_text()

    page.get_by_role("tab", name="责任矩阵").click()
    page.locator("#pqa-matrix-dept input").click()
    page.get_by_role("option").filter(has_text="测试局<b>").first.click()
    page.wait_for_function("() => document.querySelector('#pqa-matrix').innerText.includes('市测试局<b>')")

    page.wait_for_timeout(500)  # an <img onerror> would have fired by now
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("script:not([src]):has-text('__pwned'), img[src='x'], .pqa-chat b, .pqa-doc b").count() == 0


def test_evaluation_tab_scores_an_uploaded_question_file(page, tmp_path):
    from ui import evaluation

    if not evaluation.available():
        pytest.skip("eval/report.py is not in this checkout, so the app has no 评测 tab")
    questions = tmp_path / "three.jsonl"
    lines = (PROJECT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_role("tab", name="评测").click()
    page.locator("#pqa-eval-file input[type=file]").set_input_files(str(questions))
    page.locator("#pqa-eval-file").get_by_text("three.jsonl").first.wait_for()
    page.click("#pqa-eval-run")
    page.wait_for_function("() => document.querySelector('#pqa-eval-table').innerText.includes('(lead)')")
    table = page.locator("#pqa-eval-table").inner_text()
    assert "牵头单位(lead)" in table and "100.0%" in table
    assert "回答准确率" in page.locator("#pqa-eval-summary").inner_text()
    page.locator("#pqa-eval-charts img").first.wait_for()


def test_login_when_pqa_auth_is_set(browser, tmp_path):
    with serve(PROJECT / "corpus" / "documents", tmp_path / "index", tmp_path / "app.log", auth="official:s3cret") as url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.goto(url)
        page.locator("input[type=password]").wait_for()
        page.locator("input[type=text]").first.fill("official")
        page.locator("input[type=password]").fill("s3cret")
        page.locator("button", has_text="登录").click()  # Gradio's own words in Chinese too
        page.wait_for_selector("#pqa-question textarea")
        context.close()


@pytest.mark.skipif(not os.environ.get("PQA_SCREENSHOTS"), reason="set PQA_SCREENSHOTS=1 to write docs/chat.png and docs/matrix.png")
def test_screenshots(browser, tmp_path):
    docs = PROJECT / "docs"
    with serve(PROJECT / "corpus" / "documents", tmp_path / "index", tmp_path / "app.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.goto(url)
        page.wait_for_selector("#pqa-question textarea")
        ask(page, "许昌市开展计量惠民专项行动由哪个部门牵头?")
        page.locator(".pqa-card-main button.pqa-open").first.click()
        page.locator("#pqa-viewer .pqa-focus").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(docs / "chat.png"))
        page.get_by_role("tab", name="责任矩阵").click()
        page.locator("#pqa-matrix-doc input").click()
        page.get_by_role("option", name=XUCHANG_TITLE).click()
        page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('27 项任务')")
        page.wait_for_timeout(500)
        page.screenshot(path=str(docs / "matrix.png"))
        context.close()

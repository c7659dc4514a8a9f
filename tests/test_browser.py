"""The web UI in a real headless Chromium: `python app.py` served on a copy of the corpus plus a hostile document.

One server and one browser for the module; each test opens its own page (desktop 1400×900 or phone 390×844).
Set PQA_SCREENSHOTS=1 to also write the screenshots under docs/ (served on the real corpus).
"""

from __future__ import annotations

import json
import os
import re
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
DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}
# Latin words a reader may see: names of file formats. (Words of the documents themselves, such as the
# hostile document's markup, and file names in download lists are not interface words; see latin_words.)
FILE_FORMATS = {"CSV", "Excel", "JSONL", "txt", "md", "html", "docx", "pdf"}
LATIN_JS = r"""() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!element || !node.textContent.trim() || element.closest('script, style, textarea.pqa-md, #pqa-eval-file .file-preview, #pqa-eval-files, #pqa-feedback-files')) continue;
    const box = element.getBoundingClientRect(), style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility === 'hidden' || !element.checkVisibility()) continue;
    for (const word of node.textContent.match(/[A-Za-z]{2,}/g) || []) words.push(word + ' in «' + node.textContent.trim().slice(0, 60) + '»');
  }
  for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (input.checkVisibility()) for (const word of input.placeholder.match(/[A-Za-z]{2,}/g) || []) words.push(word + ' in placeholder');
  }
  return words;
}"""
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
def serve(corpus_dir: Path, index_dir: Path, log_path: Path, auth: str | None = None, feedback: Path | None = None) -> Iterator[str]:
    """Run `python app.py` on a free port until the block ends; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PQA_FEEDBACK": str(feedback or log_path.with_suffix(".feedback.jsonl"))}
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
def served(tmp_path_factory) -> Iterator[tuple[str, Path, Path]]:
    """The app's URL, its feedback file and its documents' folder."""
    folder = tmp_path_factory.mktemp("served")
    corpus = folder / "corpus"
    corpus.mkdir()
    for path in (PROJECT / "corpus" / "documents").glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    (corpus / "zz-injected.txt").write_text(INJECTED, encoding="utf-8")
    with serve(corpus, folder / "index", folder / "app.log", feedback=folder / "feedback.jsonl") as url:
        yield url, folder / "feedback.jsonl", corpus


@pytest.fixture(scope="module")
def app_url(served) -> str:
    return served[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def opened(browser, url: str, viewport: dict = DESKTOP):
    """A fresh browser context (its own localStorage) on the app, at a viewport size."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.goto(url)
    page.wait_for_selector("#pqa-question textarea")
    try:
        yield page
    finally:
        context.close()


@pytest.fixture()
def page(browser, app_url):
    with opened(browser, app_url) as page:
        yield page


def latin_words(page, allowed: set[str]) -> list[str]:
    """Latin-alphabet words visible on the page, other than file formats and words of the documents themselves."""
    return [word for word in page.evaluate(LATIN_JS) if word.split(" ", 1)[0] not in FILE_FORMATS | allowed]


def document_words(corpus: Path) -> set[str]:
    return {word for path in corpus.glob("*.txt") for word in re.findall(r"[A-Za-z]{2,}", path.read_text(encoding="utf-8"))}


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
    page.wait_for_selector(".pqa-examples button")  # the empty chat shows them once it has rendered
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
    assert "启动高速公路放心行工程" in table.inner_text()  # the task's own text, not just its heading
    page.fill("#pqa-matrix-search textarea", "计量惠民")
    page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('1 项任务')")
    assert "19.开展计量惠民专项行动" in table.inner_text() and "市质监局" in table.inner_text()
    table.locator(".pqa-clause-link").first.click()  # the clause, over the page, framed
    focus = page.locator("#pqa-matrix-viewer .pqa-overlay .pqa-focus")
    focus.wait_for()
    assert focus.inner_text().startswith("19.开展计量惠民专项行动")
    page.locator("#pqa-matrix-viewer .pqa-close").click()
    page.locator("#pqa-matrix-viewer .pqa-overlay.pqa-closed").wait_for(state="attached")
    page.fill("#pqa-matrix-search textarea", "")

    page.locator("#pqa-matrix-dept input").click()
    page.keyboard.type("市场监管")  # typing narrows the picker (the text "全部部门" is not kept in front)
    assert page.get_by_role("option").count() == 1
    page.get_by_role("option").first.click()
    page.locator("#pqa-matrix .pqa-matrix-empty").wait_for()  # 许昌 + 市场监管局: why there is nothing
    assert "没有写明由市场监管局牵头、配合或负责的任务" in table.inner_text() and "宣城市" in table.inner_text()

    page.locator("#pqa-matrix-dept input").click()
    page.keyboard.type("质监局(")
    page.get_by_role("option").filter(has_text="质监局(").first.click()
    page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('许昌市 · 质监局')")
    assert "角色" in table.inner_text() and "牵头" in table.inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("角色,文件,章节,条款,牵头单位,配合单位,责任单位,任务内容")
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


CHINESE_CSV = (
    "序号,问题,类别,牵头单位,配合单位,引用片段,应拒答,上文\n"
    "1,许昌市开展计量惠民专项行动由哪个部门牵头?,牵头单位,市质监局,,19.开展计量惠民专项行动,,\n"
    "2,配合单位呢?,配合单位,,市发展改革委、工业和信息化局、交通运输局、卫生局,19.开展计量惠民专项行动,,"
    "许昌市开展计量惠民专项行动由哪个部门牵头?\n"
    "3,北京市开展计量惠民专项行动由哪个部门牵头?,应拒答,,,,是,\n"
)


def score_chinese_csv(page, folder: Path) -> None:
    """Upload a question set with Chinese column names to the 评测 tab and wait for its figures."""
    questions = folder / "中文问题集.csv"
    questions.write_text(CHINESE_CSV, encoding="utf-8-sig")
    page.get_by_role("tab", name="评测").click()
    page.locator("#pqa-eval-file input[type=file]").set_input_files(str(questions))
    page.locator("#pqa-eval-file").get_by_text("中文问题集").first.wait_for()
    page.click("#pqa-eval-run")
    page.wait_for_function("() => document.querySelector('#pqa-eval-table')?.innerText.includes('牵头单位')")
    page.locator("#pqa-eval-charts img").first.wait_for()


def test_evaluation_tab_scores_a_question_set_with_chinese_columns(page, tmp_path):
    from ui import evaluation

    if not evaluation.available():
        pytest.skip("eval/report.py is not in this checkout, so the app has no 评测 tab")
    score_chinese_csv(page, tmp_path)
    table = page.locator("#pqa-eval-table").inner_text()
    assert "牵头单位" in table and "应拒答" in table and "100.0%" in table and "(lead)" not in table
    assert "回答准确率" in page.locator("#pqa-eval-summary").inner_text()
    with page.expect_download() as download:
        page.click("#pqa-template-csv")
    template = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert template.startswith("编号,问题,类别,牵头单位,配合单位,责任单位,必含,引用片段,应拒答,上文,备注")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_tab_reads_in_chinese(browser, served, viewport, tmp_path):
    """At 1400×900 and 390×844, with content in every tab, no Latin word shows but file formats and document text."""
    url, _feedback, corpus = served
    allowed = document_words(corpus)
    with opened(browser, url, viewport) as page:
        ask(page, "许昌市开展计量惠民专项行动由哪个部门牵头?")
        page.locator(".pqa-card-main button.pqa-open").first.click()
        page.locator("#pqa-viewer .pqa-focus").wait_for()
        found = {"问答": latin_words(page, allowed)}
        if viewport is PHONE:  # the document opened over the page; the reader closes it and is where they were
            assert page.locator("#pqa-viewer .pqa-doc").evaluate("(doc) => getComputedStyle(doc).position") == "fixed"
            page.locator("#pqa-viewer .pqa-close").click()
            page.wait_for_function("() => getComputedStyle(document.querySelector('#pqa-viewer .pqa-doc')).position !== 'fixed'")
        page.get_by_role("tab", name="文件").click()
        page.locator("#pqa-documents .body-cell", has_text="许昌市").first.click()
        page.wait_for_function("() => document.querySelector('#pqa-document-view').innerText.includes('许政办')")
        found["文件"] = latin_words(page, allowed)
        page.get_by_role("tab", name="责任矩阵").click()
        page.locator("#pqa-matrix .pqa-m-text").first.wait_for()
        found["责任矩阵"] = latin_words(page, allowed)
        score_chinese_csv(page, tmp_path)
        found["评测"] = latin_words(page, allowed)
    assert found == {"问答": [], "文件": [], "责任矩阵": [], "评测": []}


def test_a_conversation_survives_a_reload_and_feedback_is_written(browser, served):
    url, feedback, _corpus = served
    before = len(feedback.read_text(encoding="utf-8").splitlines()) if feedback.exists() else 0
    with opened(browser, url, PHONE) as page:
        ask(page, "许昌市开展计量惠民专项行动由哪个部门牵头?")
        ask(page, "配合单位呢?")
        page.reload()
        page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 2")  # kept in the browser
        assert "市发展改革委" in page.locator(".pqa-turn").nth(1).inner_text()

        first = page.locator(".pqa-turn").first
        first.locator("button.pqa-vote[data-verdict=down]").click()
        first.locator(".pqa-comment textarea").fill("应只列牵头单位")
        first.locator(".pqa-comment-send").click()
        first.get_by_text("应只列牵头单位").wait_for()
        page.locator(".pqa-turn").nth(1).locator("button.pqa-vote[data-verdict=up]").click()
        page.locator(".pqa-turn").nth(1).locator("button.pqa-vote.pqa-on").wait_for()
        lines = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()[before:]]
        assert [(line["verdict"], line["comment"]) for line in lines] == [("down", ""), ("down", "应只列牵头单位"), ("up", "")]
        assert lines[0]["question"] == "许昌市开展计量惠民专项行动由哪个部门牵头?" and lines[0]["citations"]
        assert lines[2]["history"] == ["许昌市开展计量惠民专项行动由哪个部门牵头?"] and "市发展改革委" in lines[2]["answer"]

        with page.expect_download() as download:  # the answer with its clauses, as Markdown
            page.locator(".pqa-turn").first.locator("button.pqa-export").click()
        assert download.value.suggested_filename.endswith(".md")
        assert "19.开展计量惠民专项行动" in Path(download.value.path()).read_text(encoding="utf-8")

        page.click("#pqa-new")
        page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 0")
        ask(page, "宣城提升质量基础保障能力的配合单位有哪些?")
        page.get_by_text("历史对话").click()
        history = page.locator("#pqa-history .pqa-history-item")
        page.wait_for_function("() => document.querySelectorAll('#pqa-history .pqa-history-item').length === 2")
        history.nth(1).locator(".pqa-history-open").click()  # reopen the first conversation, its verdicts kept
        page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 2")
        assert page.locator(".pqa-turn").first.locator("button.pqa-vote.pqa-on").count() == 1
        page.once("dialog", lambda dialog: dialog.accept())
        history.nth(0).locator(".pqa-history-delete").click()
        page.wait_for_function("() => document.querySelectorAll('#pqa-history .pqa-history-item').length === 1")


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_asks_the_api_on_the_same_server(app_url):
    question = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
    result = subprocess.run(
        ["curl", "-s", "-X", "POST", f"{app_url}api/ask", "-H", "Content-Type: application/json",
         "-d", json.dumps({"question": question}, ensure_ascii=False)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    body = json.loads(result.stdout)
    assert {"question", "answer", "abstained", "departments", "citations"} <= set(body)
    assert body["question"] == question and body["departments"]["lead"] == ["市质监局"] and not body["abstained"]
    assert body["citations"][0]["clause"].endswith("21.推进检验检测技术平台建设")


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


@pytest.mark.skipif(not os.environ.get("PQA_SCREENSHOTS"), reason="set PQA_SCREENSHOTS=1 to write the screenshots under docs/")
def test_screenshots(browser, tmp_path):
    """docs/chat.png, docs/matrix.png (1400×900) and docs/chat-phone.png, docs/matrix-phone.png (390×844)."""
    docs = PROJECT / "docs"
    with serve(PROJECT / "corpus" / "documents", tmp_path / "index", tmp_path / "app.log") as url:
        for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
            with opened(browser, url, viewport) as page:
                ask(page, "许昌市开展计量惠民专项行动由哪个部门牵头?")
                if viewport is DESKTOP:
                    page.locator(".pqa-card-main button.pqa-open").first.click()
                    page.locator("#pqa-viewer .pqa-focus").wait_for()
                    page.evaluate("() => window.scrollTo(0, 0)")
                else:
                    page.locator(".pqa-turn").first.scroll_into_view_if_needed()
                    page.evaluate("() => window.scrollTo(0, document.querySelector('.pqa-turn').getBoundingClientRect().top + window.scrollY - 8)")
                page.wait_for_timeout(700)
                page.screenshot(path=str(docs / f"chat{suffix}.png"))
                page.get_by_role("tab", name="责任矩阵").click()
                page.locator("#pqa-matrix-doc input").click()
                page.get_by_role("option", name=XUCHANG_TITLE).click()
                page.wait_for_function("() => document.querySelector('#pqa-matrix-summary').innerText.includes('27 项任务')")
                if viewport is PHONE:
                    page.evaluate("() => window.scrollTo(0, document.querySelector('#pqa-matrix-summary').getBoundingClientRect().top + window.scrollY - 8)")
                page.wait_for_timeout(500)
                page.screenshot(path=str(docs / f"matrix{suffix}.png"))


def test_library_upload_then_answer_then_remove(browser, tmp_path):
    """Upload a .docx in the 文件 tab, ask about it in the chat at once, remove it, and the chat no longer knows it;
    the header's counts, the 文件范围 list and the matrix follow each change, and a page opened later is current."""
    from writers import write_docx

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (PROJECT / "corpus" / "documents").glob("*.txt"):
        if not path.name.startswith("xuchang"):
            shutil.copy(path, corpus / path.name)
    lines = [line.strip() for line in (PROJECT / "corpus" / "documents" / "xuchang-2013-action-plan.txt")
             .read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    upload = write_docx(lines, tmp_path / "许昌市质量立市行动计划.docx")
    question = "许昌市推进检验检测技术平台建设由哪个部门牵头?"
    with serve(corpus, tmp_path / "index", tmp_path / "app.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.goto(url)
        page.wait_for_selector("#pqa-question textarea")
        assert "文件中未找到" in ask(page, question).locator(".pqa-a").inner_text()

        page.get_by_role("tab", name="文件").click()
        assert "单个文件不超过 20 兆字节" in page.locator("#pqa-upload").inner_text()
        page.locator("#pqa-upload input[type=file]").set_input_files(str(upload))
        page.wait_for_function("() => document.querySelector('#pqa-upload-results').innerText.includes('已加入')")
        line = page.locator("#pqa-upload-results .pqa-ok").inner_text()
        assert "许昌市质量立市行动计划.docx" in line and "28 个条款,其中 27 项任务列明责任单位" in line
        page.wait_for_function(f"() => document.querySelector('#pqa-documents').innerText.includes('{XUCHANG_TITLE}')")
        assert (corpus / "许昌市质量立市行动计划.docx").is_file()
        follows_the_library(page, 5, XUCHANG_TITLE)
        later = context.new_page()
        later.set_default_timeout(STEP_MS)
        later.goto(url)
        later.wait_for_function("() => document.querySelector('#pqa-status')?.innerText.includes('5 份文件')")
        later.close()

        page.get_by_role("tab", name="问答").click()
        page.click("#pqa-new")
        page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 0")
        turn = ask(page, question)
        assert "牵头单位:市质监局" in turn.locator(".pqa-a").inner_text()
        assert "21.推进检验检测技术平台建设" in turn.locator(".pqa-card").first.locator(".pqa-path").inner_text()
        assert XUCHANG_TITLE in turn.locator(".pqa-card").first.locator(".pqa-title").inner_text()

        page.get_by_role("tab", name="文件").click()
        page.locator("#pqa-remove-choice input").click()
        page.get_by_role("option", name=XUCHANG_TITLE, exact=False).click()
        page.click("#pqa-remove")
        page.locator("#pqa-remove-confirm").get_by_text("确定从文件库移除").wait_for()
        page.click("#pqa-remove-yes")
        page.wait_for_function("() => document.querySelector('#pqa-upload-results').innerText.includes('已移除')")
        page.wait_for_function(f"() => !document.querySelector('#pqa-documents').innerText.includes('{XUCHANG_TITLE}')")
        assert not (corpus / "许昌市质量立市行动计划.docx").exists() and upload.is_file()  # the copy, never the original
        follows_the_library(page, 4, XUCHANG_TITLE)

        page.get_by_role("tab", name="问答").click()
        page.click("#pqa-new")
        page.wait_for_function("() => document.querySelectorAll('.pqa-turn').length === 0")
        assert "文件中未找到" in ask(page, question).locator(".pqa-a").inner_text()
        context.close()


def follows_the_library(page, documents: int, title: str) -> None:
    """The header, the chat's 文件范围 and the matrix show `documents` documents, with or without `title` (issue 10)."""
    present = "true" if documents == 5 else "false"
    page.wait_for_function(f"() => document.querySelector('#pqa-status').innerText.includes('{documents} 份文件')")
    page.get_by_role("tab", name="问答").click()
    page.get_by_text(f"文件范围:全部 {documents} 份文件").wait_for()
    page.get_by_role("tab", name="责任矩阵").click()
    page.wait_for_function(f"() => document.querySelector('#pqa-matrix').innerText.includes('许昌') === {present}")
    page.locator("#pqa-matrix-doc input").click()
    assert page.get_by_role("option", name=title, exact=False).count() == (1 if documents == 5 else 0)
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="文件").click()

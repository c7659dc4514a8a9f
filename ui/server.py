"""One server for the chat and the HTTP API: a FastAPI app with /api routes and the Gradio Blocks mounted at /.

Gradio picks the language of its own words (upload boxes, the login form, "加载中") from the browser;
this server tells every page it is Chinese, whatever the browser's language.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.text import MAX_DOCUMENT_BYTES
from ui.api import ApiAccess, build_api
from ui.busy import MAX_QUEUED_EVENTS, TRANSLATE_JS
from ui.login import ThrottledLogin
from ui.ratelimit import QuestionRate

if TYPE_CHECKING:
    import fastapi
    import gradio as gr

    from index import CorpusIndex

# Events other than answering (ui/chat.py ANSWER_WORKERS), writing the library and evaluating (one at a time):
# opening a clause, filtering the matrix, feedback — each runs this many at once.
DEFAULT_CONCURRENCY = 4
# After every event Gradio summarises all the events it keeps (up to 10,000, in pandas) for a monitoring page this
# app does not enable: 10-30 ms of CPU per event, two events per question, growing as the server runs. It is read
# when the queue is made, as the number of events between two summaries; an operator's own setting is kept.
ANALYTICS_EVERY = "GRADIO_ANALYTICS_CACHE_FREQUENCY"
CSS_PATH = Path(__file__).resolve().parent / "style.css"
AUTH_MESSAGE = "请登录后使用政策文件问答助手。"
# Runs before Gradio's scripts (they are modules, so deferred): Gradio reads navigator.language for its locale.
_CHINESE_PAGE = (
    b"<script>(() => { const define = (name, value) => { try { Object.defineProperty(Navigator.prototype, name,"
    b" {get: () => value, configurable: true}); } catch (error) { console.warn(error); } };"
    b" define('language', 'zh-CN'); define('languages', ['zh-CN', 'zh']);"
    b" document.documentElement.lang = 'zh-CN'; })();</script>"
)


# Clicking into a dropdown empties its text, so what is typed narrows the list (not "全部部门市场监管").
PAGE_JS = """() => {
  document.addEventListener('focusin', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.closest('.pqa-pick')) return;
    setTimeout(() => { input.value = ''; input.dispatchEvent(new Event('input', {bubbles: true})); }, 0);
  });
  // Text that arrives without key presses (a pasted word, some input methods) narrows the list too.
  document.addEventListener('input', (event) => {
    const input = event.target;
    if (event.isTrusted && input instanceof HTMLInputElement && input.closest('.pqa-pick')) {
      input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Unidentified', bubbles: true}));
    }
  });
  // Gradio's queue-full message, in Chinese (ui/busy.py).""" + TRANSLATE_JS + "}"


# Gradio scopes style.css inside the app's content, so the page's own margins are set here: narrow on a phone.
PAGE_HEAD = "<style>@media (max-width: 640px) { .gradio-container .main.app { padding: 8px !important; } }</style>"


def create_server(
    demo: gr.Blocks, index: CorpusIndex, logins: tuple[tuple[str, str], ...] = (), token: str = "",
    rate: QuestionRate | None = None,
) -> fastapi.FastAPI:
    """The FastAPI app: `/api/ask`, `/api/documents` and the chat at `/`, behind the same logins when given;
    `/api/ask` counts each client's questions in `rate` (the chat's, to share one count; default a new one)."""
    import gradio as gr  # noqa: PLC0415
    from fastapi import FastAPI  # noqa: PLC0415

    app = FastAPI(title="政策文件问答助手 API", docs_url=None, redoc_url=None, openapi_url=None)
    login = ThrottledLogin(logins)  # the login form and the API's basic auth share one count; tokens per address
    app.include_router(build_api(index, ApiAccess(logins, token, login), rate or QuestionRate()))
    theme = gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        font=["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "monospace"],
    )
    os.environ.setdefault(ANALYTICS_EVERY, str(sys.maxsize))
    app = gr.mount_gradio_app(
        app, demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY, max_size=MAX_QUEUED_EVENTS), path="/", auth=login if logins else None, auth_message=AUTH_MESSAGE, max_file_size=MAX_DOCUMENT_BYTES,
        theme=theme, css_paths=[CSS_PATH], js=PAGE_JS, head=PAGE_HEAD, footer_links=[], run_history=False,
    )  # fmt: skip
    app.add_middleware(ChinesePages)
    return app


def serve(app: fastapi.FastAPI, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve until interrupted."""
    import uvicorn  # noqa: PLC0415

    print(f"在浏览器中打开 http://{host}:{port}/(接口:/api/ask、/api/documents)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


class ChinesePages:
    """ASGI middleware: an HTML page gets a script that makes its language zh-CN before Gradio starts."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body = bytearray()

        async def rewrite(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = bytes(body).replace(b"<head>", b"<head>" + _CHINESE_PAGE, 1)
                headers = [(name, value) for name, value in start.get("headers", []) if name.lower() != b"content-length"]
                headers.append((b"content-length", str(len(page)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, rewrite)

"""A bounded queue: past so many waiting answers a question is told at once, in Chinese, to come back later."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Questions waiting for one of the answer workers (ui/chat.py ANSWER_WORKERS): four rounds of them at most.
MAX_WAITING_ANSWERS = 32
# Events of every kind Gradio keeps waiting (its queue's max_size): past it, Gradio refuses the event itself.
MAX_QUEUED_EVENTS = 256
BUSY = "当前提问的人较多,排队的问题已满;请稍后再试。"
# What Gradio's page shows when its queue is full: a fixed English sentence in its client (gradio/templates/
# frontend/assets/index-*.js), whatever the server says; the page puts it in Chinese (PAGE_JS in ui/server.py).
GRADIO_BUSY = "This application is currently busy. Please try again."
QUEUE_FULL = "服务繁忙:排队的请求已满,请稍后再试。"
TRANSLATE_JS = f"""
  const english = {GRADIO_BUSY!r}, chinese = {QUEUE_FULL!r};
  const swap = (node) => {{ if (node.nodeValue && node.nodeValue.includes(english)) node.nodeValue = node.nodeValue.replace(english, chinese); }};
  new MutationObserver((changes) => {{
    for (const change of changes) {{
      if (change.type === 'characterData') swap(change.target);
      for (const added of change.addedNodes) {{
        if (added.nodeType === Node.TEXT_NODE) swap(added);
        else if (added.nodeType === Node.ELEMENT_NODE) {{
          const walker = document.createTreeWalker(added, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) swap(walker.currentNode);
        }}
      }}
    }}
  }}).observe(document.body, {{subtree: true, childList: true, characterData: true}});
"""


class Answering:
    """At most `workers` answers at once, in worker threads; the questions waiting for one are counted, so that past
    `room` of them a question is told at once (`full`) instead of waiting behind them all."""

    def __init__(self, workers: int, room: int) -> None:
        self.workers, self.room = workers, room
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None  # made in the server's event loop, on first use

    def full(self) -> bool:
        return self.waiting >= self.room

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` in a worker thread once one of the `workers` places is free."""
        import anyio  # noqa: PLC0415  (Gradio's own dependency; its worker threads)

        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            return await anyio.to_thread.run_sync(work)
        finally:
            self._slots.release()

"""A bounded queue: past so many waiting answers a question is told at once, in Chinese, to come back later."""

from __future__ import annotations

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


def waiting(demo, concurrency_id: str) -> int:
    """How many events of one concurrency group wait in Gradio's queue, not yet started (it keeps no public count)."""
    groups = getattr(getattr(demo, "_queue", None), "event_queue_per_concurrency_id", None) or {}
    group = groups.get(concurrency_id)
    return len(group.queue) if group is not None else 0

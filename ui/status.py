"""The header's status line: which ways of answering are on, in plain Chinese, the technical detail in a tooltip."""

from __future__ import annotations

from html import escape

from index.testmodel import is_test_model

OFF_REASONS = (  # words of index.dense.load_embedder's "off: …" reasons -> what an official reads
    ("not installed", "未安装语义检索组件"),
    ("no Chinese", "向量模型不支持中文"),
    ("cannot load", "向量模型无法载入"),
)


def status_line(index) -> str:
    """"语义检索未启用(未找到向量模型),当前使用关键词检索与结构化抽取 | 5 份文件 · 125 条款"."""
    clauses = sum(len(document.clauses) for document in index.documents)
    status = index.dense_status or "off"
    store = getattr(index, "vector_store", "faiss")
    if status.startswith("off"):
        detail = status[3:].strip(" :：")
        text = f"语义检索未启用({dense_reason(detail)}),当前使用关键词检索与结构化抽取"
        short = "关键词检索与结构化抽取"
        tooltip = f"dense retrieval {status}" if detail else "dense retrieval off (--embed-model off)"
    elif is_test_model(status):
        text = "向量检索仅用测试模型(非语义模型),回答依据关键词检索与结构化抽取"
        short = "关键词检索与结构化抽取"
        tooltip = f"dense retrieval: test model {status} (index.testmodel; not semantic), vector store {store}"
    else:
        text = f"语义检索已启用(向量模型 {escape(status)}),并结合关键词检索与结构化抽取"
        short = "语义检索与关键词检索"
        tooltip = f"dense retrieval: {status}, vector store {store}"
    return (
        f'<div class="pqa-status"><span class="pqa-mode" title="{escape(tooltip)}">{text}</span>'
        f'<span class="pqa-mode-short" title="{escape(text)}">{short}</span>'
        f' <span class="pqa-sep">|</span> {len(index.documents)} 份文件 · {clauses} 条款</div>'
    )


def dense_reason(detail: str) -> str:
    """Why dense retrieval is off, in Chinese: "" (switched off) -> 未配置向量模型; a missing model -> 未找到向量模型."""
    if not detail:
        return "未配置向量模型"
    return next((reason for words, reason in OFF_REASONS if words in detail), "未找到向量模型")

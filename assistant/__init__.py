"""The assistant layer: question understanding, retrieval fusion, cited answers, follow-ups and the CLI."""

from importlib import import_module

__all__ = ["Answer", "Citation", "Departments", "Query", "answer", "retrieve", "understand"]
_HOMES = {
    "Answer": "assistant.records",
    "Citation": "assistant.records",
    "Departments": "assistant.records",
    "Query": "assistant.records",
    "answer": "assistant.answering",
    "retrieve": "assistant.retrieval",
    "understand": "assistant.understanding",
}


def __getattr__(name: str):
    """The verbs are imported at first use: `docs add|remove|list` never load the answering code."""
    if name not in _HOMES:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)

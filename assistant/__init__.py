"""The assistant layer: question understanding, retrieval fusion, cited answers, follow-ups and the CLI."""

from assistant.answering import answer
from assistant.records import Answer, Citation, Departments, Query
from assistant.retrieval import retrieve
from assistant.understanding import understand

__all__ = ["Answer", "Citation", "Departments", "Query", "answer", "retrieve", "understand"]

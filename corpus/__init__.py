"""The corpus layer: published policy documents read into Documents, Clauses, Units and Targets."""

from corpus.loading import PARSER_VERSION, load_document, load_documents
from corpus.places import place_stem
from corpus.records import Clause, Document, Target, Units
from corpus.text import DocumentError

__all__ = [
    "PARSER_VERSION",
    "Clause",
    "Document",
    "DocumentError",
    "Target",
    "Units",
    "load_document",
    "load_documents",
    "place_stem",
]

"""Text helpers: the document error, NFKC matching that quotes the original, simplified characters, jieba."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Limits on one document, checked before it is parsed: the file, and the text read from it (about ten times the
# longest policy document we know; parsing costs about five seconds per million characters).
MAX_DOCUMENT_BYTES = 20_000_000
MAX_DOCUMENT_CHARS = 1_000_000


class DocumentError(ValueError):
    """A file that cannot be read as a policy document (binary, undecodable, empty, huge)."""


@dataclass(frozen=True)
class Normalized:
    """NFKC form of a text plus, for each of its characters, the index of the original character."""

    original: str
    text: str
    origin: tuple[int, ...]

    def quote(self, start: int, end: int) -> str:
        """The original characters behind normalized[start:end]."""
        if start >= end:
            return ""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def normalize(text: str) -> Normalized:
    """NFKC-normalize character by character, remembering where each character came from."""
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char)
        if char in "\u3000\xa0":
            folded = " "
        parts.append(folded)
        origin.extend([index] * len(folded))
    return Normalized(text, "".join(parts), tuple(origin))


def nfkc(text: str) -> str:
    """Plain NFKC with ideographic and no-break spaces folded to ASCII spaces."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")


@lru_cache(maxsize=1)
def _to_simplified():
    try:
        import opencc  # noqa: PLC0415
    except ImportError:  # without OpenCC a question in traditional characters is read as typed
        return None
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters converted to simplified (許昌市 → 许昌市), so a question in either form is understood."""
    converter = _to_simplified()
    return converter.convert(text) if converter is not None and text else text


def quiet_jieba():
    """The jieba module, imported on first use, with its dictionary-loading chatter kept off stderr."""
    import jieba  # noqa: PLC0415  (loads a dictionary: only when segmentation is needed)

    jieba.setLogLevel(logging.WARNING)
    return jieba

"""Text helpers: the document error, NFKC matching that quotes the original, simplified characters, jieba."""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# A text is read as traditional when at least this share of its Han characters changes under t2s: a simplified
# document changes none (0 of the 223,534 in the project's 36 documents), the same converted with s2t 32-44%.
TRADITIONAL_SHARE = 0.1
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
    folds = {ord(char): folded for char in set(text) if (folded := _folded(char)) != char}  # the few that change
    normalized = text.translate(folds) if folds else text
    if all(len(folded) == 1 for folded in folds.values()):  # one for one: every character stays where it was
        return Normalized(text, normalized, tuple(range(len(text))))
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(folds.get(ord(char), char)))
    return Normalized(text, normalized, tuple(origin))


@lru_cache(maxsize=65536)
def _folded(char: str) -> str:
    """One character's NFKC form, ideographic and no-break spaces as ASCII spaces."""
    return " " if char in "\u3000\xa0" else unicodedata.normalize("NFKC", char)


def nfkc(text: str) -> str:
    """Plain NFKC with ideographic and no-break spaces folded to ASCII spaces."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")


@lru_cache(maxsize=1)
def _to_simplified():
    try:
        import opencc  # noqa: PLC0415
    except ImportError:  # without OpenCC a question or document in traditional characters is read as written
        return None
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters converted to simplified (濟南市 → 济南市), so a question in either form is understood."""
    converter = _to_simplified()
    return converter.convert(text) if converter is not None and text else text


def reads_traditional(text: str) -> bool:
    """Whether a document is written in traditional characters (counted over its distinct characters: milliseconds)."""
    counts = {char: count for char, count in Counter(text).items() if "\u4e00" <= char <= "\u9fff"}
    changed = sum(count for char, count in counts.items() if _simplified_char(char) != char)
    return changed > 0 and changed >= TRADITIONAL_SHARE * sum(counts.values())


def simplified_aligned(text: str) -> str:
    """A traditional text in simplified characters, character for character: the same length, every offset kept.

    Offsets are kept so that whatever is found in the simplified reading (a clause, a unit, a figure) is quoted
    from the document at the same place. OpenCC converts phrases (瞭解 → 了解, 答覆 → 答复, which one character
    at a time would leave as 瞭, 覆) and nearly always keeps a phrase's length, so each line is converted whole;
    a line whose length would change is converted one character at a time.
    """
    return "\n".join(_simplified_line(line) for line in text.split("\n"))


def _simplified_line(line: str) -> str:
    converted = simplified(line)
    return converted if len(converted) == len(line) else "".join(_simplified_char(char) for char in line)


def simplified_chars(text: str) -> str:
    """Each character in simplified form on its own, no phrases: how a reader reads a label (標題 → 标题); a
    simplified text is returned as it is (t2s's phrases would turn 坏 into 坯 in one line of the project's documents)."""
    return "".join(map(_simplified_char, text))


@lru_cache(maxsize=65536)
def _simplified_char(char: str) -> str:
    converted = simplified(char)
    return converted if len(converted) == 1 else char


def quiet_jieba():
    """The jieba module, imported on first use, with its dictionary-loading chatter kept off stderr."""
    import jieba  # noqa: PLC0415  (loads a dictionary: only when segmentation is needed)

    jieba.setLogLevel(logging.WARNING)
    return jieba

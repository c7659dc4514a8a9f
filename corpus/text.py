"""Reading documents as text (UTF-8 or GBK, never binary) and NFKC matching that quotes the original."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAX_DOCUMENT_BYTES = 20_000_000
_ENCODINGS = ("utf-8-sig", "gb18030")


class DocumentError(ValueError):
    """A file that cannot be read as a policy document (binary, undecodable, empty, huge)."""


def read_text(path: Path) -> str:
    """Decode a document (UTF-8, else GBK/GB18030) with line endings unified to "\\n"."""
    data = path.read_bytes()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path.name}: {len(data)} bytes is larger than {MAX_DOCUMENT_BYTES}")
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{path.name}: binary file (contains NUL bytes), not a text document")
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DocumentError(f"{path.name}: neither UTF-8 nor GBK text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t")
    if controls > max(10, len(text) // 100):
        raise DocumentError(f"{path.name}: {controls} control characters, not a text document")
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        raise DocumentError(f"{path.name}: no Chinese text")
    return text


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

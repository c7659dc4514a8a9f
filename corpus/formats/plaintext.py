"""Plain-text documents: bytes decoded (UTF-8, UTF-16, GBK/GB18030, Big5) with line endings unified."""

from __future__ import annotations

import codecs
from collections import Counter
import unicodedata
from pathlib import Path

from corpus.formats.source import Source
from corpus.text import DocumentError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_COMMON_SHARE = 0.9  # of a clean GB18030 decoding's non-ASCII characters, the share that must be common Chinese


def read_plaintext(path: Path) -> Source:
    """A .txt document: its decoded text as the body, no metadata (the cleaning layer finds it)."""
    return Source(text=decode(path.read_bytes()))


def decode(data: bytes) -> str:
    """Text from bytes: a BOM decides, else UTF-8, else GB18030 when it reads as Chinese, else charset-normalizer."""
    text = _decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    counts = Counter(text)  # by distinct character: a text has a few thousand
    controls = sum(count for char, count in counts.items() if unicodedata.category(char) == "Cc" and char not in "\n\t\f")
    if controls > max(10, len(text) // 100):
        raise DocumentError(f"含有{controls}个控制字符，是二进制文件而不是文本文件")
    return text


def _decode_bytes(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise DocumentError(f"文件以{encoding.upper()}标记开头，但内容无法按该编码解码") from error
    if b"\x00" in data:
        raise DocumentError("含有空字节(NUL)，是二进制文件而不是文本文件")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _reads_as_chinese(text):
            return text
    except UnicodeDecodeError:
        pass
    return _guess(data)


def _guess(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes  # noqa: PLC0415  (only for bytes that are neither UTF-8 nor GBK)
    except ImportError as error:
        raise ImportError("charset-normalizer is needed to guess encodings: pip install charset-normalizer") from error
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError("无法识别为文本：不是UTF-8、GBK/GB18030、UTF-16或Big5编码的文本，可能是二进制文件")
    return str(best)


def _reads_as_chinese(text: str) -> bool:
    """Whether nearly all non-ASCII characters are common Chinese (GB2312 hanzi or punctuation), not mojibake."""
    wide = [char for char in text if ord(char) > 0x7F and not char.isspace()]
    if not wide:
        return True
    common = sum(1 for char in wide if _is_common(char))
    return common >= _COMMON_SHARE * len(wide)


def _is_common(char: str) -> bool:
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xF7

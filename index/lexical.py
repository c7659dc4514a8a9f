"""Lexical retrieval: BM25 (bm25s) over jieba words, CJK character bigrams, or both."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.text import nfkc, quiet_jieba

if TYPE_CHECKING:
    from index.chunking import Chunk

SCHEMES = ("jieba", "bigram", "jieba+bigram")
DEFAULT_SCHEME = "jieba+bigram"
EMPTY_TOKEN = "∅"  # stands in for a chunk without any token, so that bm25s keeps chunk numbers aligned
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FUNCTION_WORDS = frozenset("的 了 和 与 及 或 在 是 由 对 将 把 等 为 以 其 之 并 而 有 中 上 下 个 各 及其".split())


@dataclass(frozen=True)
class LexicalIndex:
    """A bm25s index with the tokenizer that built it (its jieba dictionary knows the corpus's unit names)."""

    bm25: Any  # bm25s.BM25
    tokenizer: Any  # a private jieba.Tokenizer
    scheme: str
    user_words: tuple[str, ...]

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], user_words: Iterable[str] = (), scheme: str = DEFAULT_SCHEME
    ) -> LexicalIndex:
        """Index the chunks' texts, segmenting with jieba that keeps each user word (unit name) whole."""
        bm25s = _bm25s()
        if scheme not in SCHEMES:
            raise ValueError(f"unknown tokenization scheme {scheme!r}; choose one of {SCHEMES}")
        words = tuple(sorted(set(user_words)))
        tokenizer = _jieba_tokenizer(words)
        bm25 = bm25s.BM25()
        corpus_tokens = [tokenize(chunk.text, tokenizer, scheme) or [EMPTY_TOKEN] for chunk in chunks]
        bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, tokenizer, scheme, words)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk number, BM25 score) with a positive score, among the allowed chunks."""
        tokens = self.query_tokens(query)
        if not tokens or k <= 0:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(number), float(scores[number])) for number in order if scores[number] > 0]

    def query_tokens(self, query: str) -> list[str]:
        """The query's tokens under this index's scheme (some may not occur in the corpus)."""
        return tokenize(query, self.tokenizer, self.scheme)

    def document_frequency(self, token: str) -> int:
        """How many chunks contain the token (0 when the corpus never uses it)."""
        token_id = self.bm25.vocab_dict.get(nfkc(token))
        if token_id is None:
            return 0
        indptr = self.bm25.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    @property
    def size(self) -> int:
        """Number of indexed chunks."""
        return int(self.bm25.scores["num_docs"])

    def save(self, folder: Path) -> None:
        """Write the BM25 matrices (folder/bm25/) and the tokenizer settings (folder/lexical.json)."""
        self.bm25.save(str(Path(folder) / "bm25"))
        settings = {"scheme": self.scheme, "user_words": list(self.user_words)}
        (Path(folder) / "lexical.json").write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index written by save()."""
        bm25s = _bm25s()
        settings = json.loads((Path(folder) / "lexical.json").read_text(encoding="utf-8"))
        user_words = tuple(settings["user_words"])
        bm25 = bm25s.BM25.load(str(Path(folder) / "bm25"))
        return cls(bm25, _jieba_tokenizer(user_words), settings["scheme"], user_words)


def tokenize(text: str, tokenizer: Any, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """NFKC-normalised tokens: jieba words (search mode, function words dropped), CJK bigrams, or both.

    Punctuation and whitespace never become tokens; runs of letters or digits are kept whole.
    """
    norm = nfkc(text)
    tokens: list[str] = []
    if scheme in ("jieba", "jieba+bigram"):
        tokens += [
            word
            for word in tokenizer.lcut_for_search(norm)
            if _RUN.fullmatch(word) and word not in _FUNCTION_WORDS
        ]
    if scheme in ("bigram", "jieba+bigram"):
        for run in _RUN.findall(norm):
            if _CJK.match(run):
                tokens += [run[i : i + 2] for i in range(len(run) - 1)] or ([] if run in _FUNCTION_WORDS else [run])
            elif scheme == "bigram":
                tokens.append(run)
    return tokens


def _jieba_tokenizer(user_words: Iterable[str]) -> Any:
    """A private jieba.Tokenizer (never jieba's global one) that keeps the given words whole."""
    jieba = quiet_jieba()
    tokenizer = jieba.Tokenizer()
    for word in user_words:
        word = nfkc(word).strip()
        if word:
            tokenizer.add_word(word, freq=2000)
    return tokenizer


def _bm25s() -> Any:
    try:
        import bm25s  # noqa: PLC0415
    except ImportError as error:
        raise ImportError("lexical retrieval needs bm25s: pip install bm25s") from error
    return bm25s

"""Lexical retrieval: BM25 (bm25s) over jieba words and character bigrams."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.text import nfkc, quiet_jieba

SCHEMES = ("jieba", "bigram", "jieba+bigram")
DEFAULT_SCHEME = "jieba+bigram"
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
_FUNCTION_WORDS = frozenset("的 了 和 与 及 或 在 是 由 对 将 把 等 为 以 其 之 并 而 及其 有 中 上 下 个".split())


@dataclass
class LexicalIndex:
    """A bm25s index with the tokenizer that built it (its jieba dictionary knows the corpus's unit names)."""

    bm25: object  # bm25s.BM25
    segmenter: object  # jieba.Tokenizer
    scheme: str
    user_words: tuple[str, ...]

    @classmethod
    def build(cls, texts: list[str], user_words: tuple[str, ...], scheme: str = DEFAULT_SCHEME) -> "LexicalIndex":
        import bm25s  # noqa: PLC0415

        if scheme not in SCHEMES:
            raise ValueError(f"unknown tokenization scheme {scheme!r}; choose one of {SCHEMES}")
        segmenter = _segmenter(user_words)
        bm25 = bm25s.BM25()
        bm25.index([tokenize(text, segmenter, scheme) or ["∅"] for text in texts], show_progress=False)
        return cls(bm25, segmenter, scheme, user_words)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk number, score) with a positive score, among the allowed chunks."""
        scores = np.asarray(self.bm25.get_scores(self.query_tokens(query)), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def query_tokens(self, query: str) -> list[str]:
        return tokenize(query, self.segmenter, self.scheme)

    def document_frequency(self, token: str) -> int:
        """How many chunks contain the token (0 when the corpus never uses it)."""
        token_id = self.bm25.vocab_dict.get(token)
        if token_id is None:
            return 0
        indptr = self.bm25.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / "bm25"))
        (folder / "lexical.json").write_text(
            json.dumps({"scheme": self.scheme, "user_words": list(self.user_words)}, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s  # noqa: PLC0415

        settings = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        user_words = tuple(settings["user_words"])
        return cls(bm25s.BM25.load(str(folder / "bm25")), _segmenter(user_words), settings["scheme"], user_words)


def tokenize(text: str, segmenter, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """Tokens of a text: jieba words (search mode), CJK character bigrams, or both."""
    norm = nfkc(text)
    tokens: list[str] = []
    if scheme in ("jieba", "jieba+bigram"):
        tokens += [
            word
            for word in segmenter.lcut_for_search(norm)
            if _RUN.fullmatch(word) and word not in _FUNCTION_WORDS
        ]
    if scheme in ("bigram", "jieba+bigram"):
        for run in _RUN.findall(norm):
            if "\u4e00" <= run[0] <= "\u9fff":
                tokens += [run[i : i + 2] for i in range(len(run) - 1)] or [run]
            elif scheme == "bigram":
                tokens.append(run)
    return tokens


def _segmenter(user_words: tuple[str, ...]):
    """A private jieba tokenizer (never jieba's global one) that keeps the corpus's unit names whole."""
    jieba = quiet_jieba()
    segmenter = jieba.Tokenizer()
    for word in user_words:
        segmenter.add_word(nfkc(word), freq=2000)
    return segmenter

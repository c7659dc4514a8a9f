"""Lexical retrieval: BM25 (the Lucene weights of bm25s) over jieba words, CJK character bigrams, or both.

The index keeps each chunk's token counts, so a document added or removed changes only its own rows:
the BM25 weights of every chunk are recomputed from the counts (vectorized) without tokenizing again.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.text import nfkc, quiet_jieba

if TYPE_CHECKING:
    from index.chunking import Chunk

SCHEMES = ("jieba", "bigram", "jieba+bigram")
DEFAULT_SCHEME = "jieba+bigram"
EMPTY_TOKEN = "∅"  # stands in for a chunk without any token, so that every chunk has a length
K1, B = 1.5, 0.75  # bm25s's defaults
COUNTS_FILE = "counts.npz"
VOCAB_FILE = "vocab.json"
SETTINGS_FILE = "lexical.json"
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FUNCTION_WORDS = frozenset("的 了 和 与 及 或 在 是 由 对 将 把 等 为 以 其 之 并 而 有 中 上 下 个 各 及其".split())


@dataclass(frozen=True, eq=False)
class TermCounts:
    """How often each token occurs in each chunk: a CSR matrix (row = chunk, column = token of `vocab`)."""

    vocab: tuple[str, ...]
    indptr: np.ndarray  # int64, one more than rows
    indices: np.ndarray  # int32 column of each entry
    counts: np.ndarray  # int32 occurrences of each entry

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def count(cls, token_lists: Iterable[Sequence[str]], vocab: Sequence[str] = ()) -> TermCounts:
        """Counts of token lists, over `vocab` extended by the tokens it lacks (existing columns keep their number)."""
        words = list(vocab)
        ids = {word: number for number, word in enumerate(words)}
        indptr, indices, counts = [0], [], []
        for tokens in token_lists:
            for token, times in Counter(tokens or [EMPTY_TOKEN]).items():
                number = ids.get(token)
                if number is None:
                    number = ids[token] = len(words)
                    words.append(token)
                indices.append(number)
                counts.append(times)
            indptr.append(len(indices))
        return cls(tuple(words), np.array(indptr, np.int64), np.array(indices, np.int32), np.array(counts, np.int32))

    def take(self, ranges: Sequence[range]) -> TermCounts:
        """The rows of the given ranges, in that order (same vocabulary)."""
        ranges = [rows for rows in ranges if len(rows)]
        if not ranges:
            return TermCounts(self.vocab, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
        entries = np.concatenate([np.arange(self.indptr[rows.start], self.indptr[rows.stop]) for rows in ranges])
        lengths = np.concatenate([np.diff(self.indptr[rows.start : rows.stop + 1]) for rows in ranges])
        indptr = np.concatenate([np.zeros(1, np.int64), np.cumsum(lengths, dtype=np.int64)])
        return TermCounts(self.vocab, indptr, self.indices[entries], self.counts[entries])

    def stack(self, other: TermCounts) -> TermCounts:
        """These rows then the other's; `other` must be counted over this vocabulary (possibly extended)."""
        if other.vocab[: len(self.vocab)] != self.vocab:
            raise ValueError("stacked counts must extend this vocabulary")
        return TermCounts(
            other.vocab,
            np.concatenate([self.indptr, other.indptr[1:] + self.indptr[-1]]),
            np.concatenate([self.indices, other.indices]),
            np.concatenate([self.counts, other.counts]),
        )

    def save(self, folder: Path) -> None:
        np.savez(Path(folder) / COUNTS_FILE, indptr=self.indptr, indices=self.indices, counts=self.counts)
        (Path(folder) / VOCAB_FILE).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TermCounts:
        with np.load(Path(folder) / COUNTS_FILE, allow_pickle=False) as arrays:
            indptr, indices, counts = arrays["indptr"], arrays["indices"], arrays["counts"]
        vocab = tuple(json.loads((Path(folder) / VOCAB_FILE).read_text(encoding="utf-8")))
        if indptr[-1] != len(indices) or len(indices) != len(counts) or (len(indices) and indices.max() >= len(vocab)):
            raise ValueError("term counts do not match their vocabulary")
        return cls(vocab, indptr, indices, counts)


@dataclass(frozen=True, eq=False)
class LexicalIndex:
    """BM25 over chunks' token counts, with the tokenizer that counted them (its jieba knows the corpus's unit names)."""

    counts: TermCounts
    scheme: str
    user_words: tuple[str, ...]
    base_tokenizer: Any = field(default=None, repr=False, compare=False)  # an initialised jieba.Tokenizer to copy

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], user_words: Iterable[str] = (), scheme: str = DEFAULT_SCHEME
    ) -> LexicalIndex:
        """Index the chunks' texts, segmenting with jieba that keeps each user word (unit name) whole."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown tokenization scheme {scheme!r}; choose one of {SCHEMES}")
        empty = cls(TermCounts.count([]), scheme, ())
        return empty.rebuilt([tuple(chunk.text for chunk in chunks)], user_words)

    def rebuilt(self, parts: Sequence[range | Sequence[str]], user_words: Iterable[str] = ()) -> LexicalIndex:
        """A new index whose rows are, in order, each part: a range of this index's rows (kept as counted), or the
        texts of new chunks (tokenized now, by a tokenizer that also keeps `user_words` whole)."""
        words = tuple(sorted(set(self.user_words) | {nfkc(word).strip() for word in user_words} - {""}))
        base = self.__dict__.get("tokenizer") or self.base_tokenizer
        texts = [text for part in parts if not isinstance(part, range) for text in part]
        tokenizer = _jieba_tokenizer(words, base) if texts else None  # loading jieba costs a second: only to count
        added = TermCounts.count([tokenize(text, tokenizer, self.scheme) for text in texts], self.counts.vocab)
        old = self.counts
        combined = TermCounts(added.vocab, old.indptr, old.indices, old.counts).stack(added)
        ranges, next_row = [], old.rows
        for part in parts:
            if isinstance(part, range):
                ranges.append(part)
            else:
                ranges.append(range(next_row, next_row + len(part)))
                next_row += len(part)
        index = LexicalIndex(combined.take(ranges), self.scheme, words, tokenizer or base)
        if tokenizer is not None:
            index.__dict__["tokenizer"] = tokenizer  # already built: the cached property starts filled
        return index

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk number, BM25 score) with a positive score, among the allowed chunks."""
        tokens = self.query_tokens(query)
        if not tokens or k <= 0:
            return []
        scores = self.scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(number), float(scores[number])) for number in order if scores[number] > 0]

    def query_tokens(self, query: str) -> list[str]:
        """The query's tokens under this index's scheme (some may not occur in the corpus)."""
        return tokenize(query, self.tokenizer, self.scheme)

    def document_frequency(self, token: str) -> int:
        """How many chunks contain the token (0 when the corpus never uses it)."""
        number = self._vocab_ids.get(nfkc(token))
        return 0 if number is None else int(self._frequencies[number])

    @property
    def size(self) -> int:
        """Number of indexed chunks."""
        return self.counts.rows

    @cached_property
    def tokenizer(self) -> Any:
        """A private jieba.Tokenizer (built on first use) that keeps the user words whole."""
        return _jieba_tokenizer(self.user_words, self.base_tokenizer)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every chunk for the tokens (a repeated token counts again), as bm25s computes it."""
        data, chunk_numbers, pointers = self._weights
        scores = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            number = self._vocab_ids.get(token)
            if number is not None:  # a column lists each chunk once, so plain fancy-index addition is exact
                start, end = pointers[number], pointers[number + 1]
                scores[chunk_numbers[start:end]] += data[start:end]
        return scores

    def save(self, folder: Path) -> None:
        """Write the counts (folder/counts.npz, vocab.json) and the tokenizer settings (folder/lexical.json)."""
        self.counts.save(folder)
        settings = {"scheme": self.scheme, "user_words": list(self.user_words)}
        (Path(folder) / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, base_tokenizer: Any = None) -> LexicalIndex:
        """Read an index written by save()."""
        settings = json.loads((Path(folder) / SETTINGS_FILE).read_text(encoding="utf-8"))
        return cls(TermCounts.load(folder), settings["scheme"], tuple(settings["user_words"]), base_tokenizer)

    @cached_property
    def _weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return bm25_weights(self.counts, self._frequencies)

    @cached_property
    def _vocab_ids(self) -> dict[str, int]:
        return {word: number for number, word in enumerate(self.counts.vocab)}

    @cached_property
    def _frequencies(self) -> np.ndarray:
        return np.bincount(self.counts.indices, minlength=len(self.counts.vocab))


def bm25_weights(counts: TermCounts, frequencies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSC arrays (data, chunk numbers, column pointers) of bm25s's Lucene weights:
    idf = ln(1 + (N - df + 0.5) / (df + 0.5)),  weight = idf · tf / (tf + k1 · (1 - b + b · length / mean length))."""
    from scipy import sparse  # noqa: PLC0415

    rows = counts.rows
    if rows == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(len(counts.vocab) + 1, np.int64)
    entry_rows = np.repeat(np.arange(rows), np.diff(counts.indptr))
    lengths = np.bincount(entry_rows, weights=counts.counts, minlength=rows)
    idf = np.log(1 + (rows - frequencies + 0.5) / (frequencies + 0.5))
    tf = counts.counts.astype(np.float64)
    norm = K1 * (1 - B + B * lengths[entry_rows] / lengths.mean())
    weights = (idf[counts.indices] * tf / (tf + norm)).astype(np.float32)
    matrix = sparse.csr_matrix((weights, counts.indices, counts.indptr), shape=(rows, len(counts.vocab))).tocsc()
    matrix.sort_indices()
    return matrix.data, matrix.indices.astype(np.int32), matrix.indptr.astype(np.int64)


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


def _jieba_tokenizer(user_words: Iterable[str], base: Any = None) -> Any:
    """A private jieba.Tokenizer (never jieba's global one) that keeps the given words whole.

    When `base` is an initialised tokenizer built this way with a subset of these words (else jieba's own, once
    question understanding has loaded it), its dictionary is copied instead of loaded again (that takes a second).
    """
    jieba = quiet_jieba()
    tokenizer = jieba.Tokenizer()
    words = {word for word in (nfkc(word).strip() for word in user_words) if word}
    if base is None and jieba.dt.initialized:
        base = jieba.dt  # the project never adds words to jieba's own tokenizer
    known = getattr(base, "pqa_user_words", frozenset() if base is jieba.dt else None)
    if base is not None and base.initialized and known is not None and known <= words:
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(base.FREQ), base.total, True
    else:
        known = frozenset()
    for word in sorted(words - known):
        tokenizer.add_word(word, freq=2000)
    tokenizer.pqa_user_words = frozenset(words)
    return tokenizer



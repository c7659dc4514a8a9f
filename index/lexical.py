"""Lexical retrieval: BM25 (the Lucene weights of bm25s) over jieba words, CJK character bigrams, or both.

The index keeps each chunk's token counts, so a document added or removed changes only its own rows:
the BM25 weights of every chunk are recomputed from the counts (vectorized) without tokenizing again.
"""

from __future__ import annotations

import json
import re
from array import array
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
VOCAB_FILE = "vocab.json"
SETTINGS_FILE = "lexical.json"
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FUNCTION_WORDS = frozenset("的 了 和 与 及 或 在 是 由 对 将 把 等 为 以 其 之 并 而 有 中 上 下 个 各 及其".split())


@dataclass(frozen=True, eq=False)
class TermCounts:
    """How often each token occurs in each chunk, by token: a CSC matrix (column = token of `vocab`, row = chunk).

    A column lists each chunk once, in no particular order; `lengths` is each chunk's token count."""

    vocab: tuple[str, ...]
    pointers: np.ndarray  # int64, one more than columns
    rows: np.ndarray  # int32 chunk of each entry
    counts: np.ndarray  # int32 occurrences of each entry
    lengths: np.ndarray  # int64 tokens of each chunk

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def empty(cls) -> TermCounts:
        return cls((), np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))

    def rebuilt(self, kept: np.ndarray, token_lists: Iterable[Sequence[str]], new_rows: np.ndarray) -> TermCounts:
        """These counts with row r moved to kept[r] (dropped when -1), and the token lists counted as rows new_rows
        (the vocabulary extended by the tokens it lacks; existing columns keep their number). One pass over the kept
        entries (a column's new entries inserted after its old ones), no sort."""
        words = list(self.vocab)
        ids = {word: number for number, word in enumerate(words)}
        columns, rows, counts, lengths = array("i"), array("i"), array("i"), array("q")
        for row, tokens in zip(new_rows.tolist(), token_lists):
            tokens = tokens or [EMPTY_TOKEN]
            for token, times in Counter(tokens).items():
                number = ids.get(token)
                if number is None:
                    number = ids[token] = len(words)
                    words.append(token)
                columns.append(number)
                rows.append(row)
                counts.append(times)
            lengths.append(len(tokens))
        order = np.argsort(np.frombuffer(columns, np.int32), kind="stable")  # one document's entries: small
        new_columns = np.frombuffer(columns, np.int32)[order]
        new_entry_rows, new_counts = np.frombuffer(rows, np.int32)[order], np.frombuffer(counts, np.int32)[order]
        del order, columns, rows, counts  # a build's entries: hundreds of MB, not kept past their copies
        moved = kept[self.rows] if len(self.rows) else np.zeros(0, np.int64)
        old_rows, old_counts = moved.astype(np.int32), np.asarray(self.counts)
        old_per_column = np.diff(self.pointers)
        gone = moved < 0
        if gone.any():  # entries of dropped rows leave their columns
            columns_gone = np.searchsorted(self.pointers, np.flatnonzero(gone), side="right") - 1
            old_per_column = old_per_column - np.bincount(columns_gone, minlength=len(self.vocab))
            old_rows, old_counts = old_rows[~gone], old_counts[~gone]
        old_per_column = np.concatenate([old_per_column, np.zeros(len(words) - len(self.vocab), np.int64)])
        old_ends = np.cumsum(old_per_column)  # each column keeps its old entries in place, the new ones after them
        if len(old_rows):
            out_rows = np.insert(old_rows, old_ends[new_columns], new_entry_rows)
            out_counts = np.insert(old_counts, old_ends[new_columns], new_counts)
        else:  # a build: nothing to insert into (np.insert would give the same arrays, and copy them twice over)
            out_rows, out_counts = new_entry_rows, new_counts
        pointers = np.concatenate([np.zeros(1, np.int64), np.cumsum(old_per_column + np.bincount(new_columns, minlength=len(words)))])
        size = int((kept >= 0).sum()) + len(new_rows)
        all_lengths = np.zeros(size, np.int64)
        all_lengths[kept[kept >= 0]] = self.lengths[kept >= 0]
        all_lengths[new_rows] = np.frombuffer(lengths, np.int64)
        return TermCounts(tuple(words), pointers, out_rows, out_counts, all_lengths)

    def save(self, folder: Path) -> None:
        for name in ("pointers", "rows", "counts", "lengths"):
            np.save(Path(folder) / f"{name}.npy", getattr(self, name), allow_pickle=False)
        (Path(folder) / VOCAB_FILE).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TermCounts:
        """The saved counts, the entries memory-mapped (read as questions need them)."""
        arrays = {
            name: np.load(Path(folder) / f"{name}.npy", mmap_mode="r" if name in ("rows", "counts") else None, allow_pickle=False)
            for name in ("pointers", "rows", "counts", "lengths")
        }  # fmt: skip
        vocab = tuple(json.loads((Path(folder) / VOCAB_FILE).read_text(encoding="utf-8")))
        pointers, rows = arrays["pointers"], arrays["rows"]
        if len(pointers) != len(vocab) + 1 or pointers[-1] != len(rows) or len(rows) != len(arrays["counts"]):
            raise ValueError("term counts do not match their vocabulary")
        return cls(vocab, pointers, rows, arrays["counts"], arrays["lengths"])


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
        empty = cls(TermCounts.empty(), scheme, ())
        return empty.rebuilt([tuple(chunk.text for chunk in chunks)], user_words)

    def rebuilt(self, parts: Sequence[range | Sequence[str]], user_words: Iterable[str] = ()) -> LexicalIndex:
        """A new index whose rows are, in order, each part: a range of this index's rows (kept as counted), or the
        texts of new chunks (tokenized now, by a tokenizer that also keeps `user_words` whole)."""
        words = tuple(sorted(set(self.user_words) | {nfkc(word).strip() for word in user_words} - {""}))
        base = self.__dict__.get("tokenizer") or self.base_tokenizer
        kept, new_rows, texts, row = np.full(self.size, -1, np.int64), [], [], 0
        for part in parts:
            if isinstance(part, range):
                kept[part.start : part.stop] = np.arange(row, row + len(part))
            else:
                new_rows.extend(range(row, row + len(part)))
                texts.extend(part)
            row += len(part)
        from index.workers import tokenize_all  # noqa: PLC0415  (it imports this module)

        tokenizer = jieba_tokenizer(words, base) if texts else None  # loading jieba costs a second: only to count
        tokens = tokenize_all(texts, tokenizer, words, self.scheme)  # one chunk's tokens at a time, in order
        counts = self.counts.rebuilt(kept, tokens, np.array(new_rows, np.int64))
        index = LexicalIndex(counts, self.scheme, words, tokenizer or base)
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
        return 0 if number is None else int(self.counts.pointers[number + 1] - self.counts.pointers[number])

    @property
    def size(self) -> int:
        """Number of indexed chunks."""
        return self.counts.size

    @cached_property
    def tokenizer(self) -> Any:
        """A private jieba.Tokenizer (built on first use) that keeps the user words whole."""
        return jieba_tokenizer(self.user_words, self.base_tokenizer)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every chunk for the tokens (a repeated token counts again), as bm25s computes it."""
        scores = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            number = self._vocab_ids.get(token)
            if number is not None:  # a column lists each chunk once, so plain fancy-index addition is exact
                rows, weights = self._column(number)
                scores[rows] += weights
        return scores

    def save(self, folder: Path) -> None:
        """Write the counts (folder/pointers.npy, rows.npy, counts.npy, lengths.npy, vocab.json) and the tokenizer
        settings (folder/lexical.json)."""
        self.counts.save(folder)
        settings = {"scheme": self.scheme, "user_words": list(self.user_words)}
        (Path(folder) / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, base_tokenizer: Any = None) -> LexicalIndex:
        """Read an index written by save()."""
        settings = json.loads((Path(folder) / SETTINGS_FILE).read_text(encoding="utf-8"))
        return cls(TermCounts.load(folder), settings["scheme"], tuple(settings["user_words"]), base_tokenizer)

    def _column(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """The chunks of one token's column and their BM25 weights, computed at its first use and kept (opening
        computes nothing; an add recomputes nothing): bm25s's Lucene weights,
        idf = ln(1 + (N - df + 0.5) / (df + 0.5)),  weight = idf · tf / (tf + k1 · (1 - b + b · length / mean length))."""
        found = self._columns.get(number)
        if found is None:
            start, end = self.counts.pointers[number], self.counts.pointers[number + 1]
            rows = np.asarray(self.counts.rows[start:end])
            tf = self.counts.counts[start:end].astype(np.float64)
            norm = K1 * (1 - B + B * self._lengths[rows] / self._mean_length)
            found = self._columns[number] = rows, (self._idf[number] * tf / (tf + norm)).astype(np.float32)
        return found

    @cached_property
    def _columns(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {}

    @cached_property
    def _idf(self) -> np.ndarray:
        frequencies = np.diff(self.counts.pointers)
        return np.log(1 + (self.size - frequencies + 0.5) / (frequencies + 0.5))

    @cached_property
    def _lengths(self) -> np.ndarray:
        return self.counts.lengths.astype(np.float64)

    @cached_property
    def _mean_length(self) -> float:
        return self._lengths.mean()

    @cached_property
    def _vocab_ids(self) -> dict[str, int]:
        return {word: number for number, word in enumerate(self.counts.vocab)}


_LAYOUT_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def tokenize(text: str, tokenizer: Any, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """NFKC-normalised tokens: jieba words (search mode, function words dropped), CJK bigrams, or both.

    Punctuation and whitespace never become tokens; runs of letters or digits are kept whole. A single space between
    two Chinese characters is layout, not a word break ("韩　正" in a member list, "总 则" in a PDF's heading).
    """
    norm = _LAYOUT_SPACE.sub("", nfkc(text))
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


def jieba_tokenizer(user_words: Iterable[str], base: Any = None) -> Any:
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



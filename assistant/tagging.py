"""A question's words with their part of speech (jieba.posseg), the costly tagging of unknown characters bounded."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.text import quiet_jieba

# jieba.posseg cuts a run of characters its dictionary does not know with an HMM over its ~250 tags: about 10 ms a
# character for rare ones, so 150 random characters took a second. The evaluation questions tag at most 12 such
# characters each (4 runs, the longest 5); past this many in one text, a run is cut by jieba's 4-state HMM (as
# jieba.cut cuts it, in microseconds) and its words tagged from the dictionary, "x" when it lacks them.
MAX_TAGGED_CHARS = 24
# A conversation's earlier questions are read again at every turn: their words are kept (jieba's own dictionary,
# the only one questions are cut with, never changes).
CACHED_TEXTS = 512
_HAN = re.compile(r"[\u4e00-\u9fd5]")


@lru_cache(maxsize=CACHED_TEXTS)
def tagged_words(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part-of-speech) pairs of a text as jieba.posseg.cut gives them, up to MAX_TAGGED_CHARS tagged by its HMM."""
    return tuple((pair.word, pair.flag) for pair in _bounded_tokenizer()(MAX_TAGGED_CHARS).cut(text))


@lru_cache(maxsize=1)
def _bounded_tokenizer() -> type:
    """A jieba.posseg.POSTokenizer over jieba's own dictionary and tags whose unknown-run tagger spends a budget."""
    quiet_jieba()
    import jieba.finalseg  # noqa: PLC0415  (jieba loads its dictionary on first use)
    import jieba.posseg  # noqa: PLC0415

    base = jieba.posseg.dt

    class Bounded(jieba.posseg.POSTokenizer):
        def __init__(self, budget: int) -> None:  # shares the loaded dictionary and tags, loads nothing
            self.tokenizer, self.word_tag_tab, self.budget = base.tokenizer, base.word_tag_tab, budget

        def _POSTokenizer__cut_detail(self, sentence: str):  # noqa: N802  (jieba's private method, name-mangled)
            size = len(_HAN.findall(sentence))
            if size <= self.budget:
                self.budget -= size
                yield from super()._POSTokenizer__cut_detail(sentence)
                return
            for word in jieba.finalseg.cut(sentence):
                yield jieba.posseg.pair(word, self.word_tag_tab.get(word, "x"))

    return Bounded

"""Token counts for the chunker, summed from cached counts of whitespace-separated words.

The splitter measures every paragraph, sentence and clause it considers, so a page's text goes
through the tokenizer several times; counting each distinct word once and summing is exact for
tokenizers whose tokens never cross whitespace (WordPiece with BERT's pre-tokenizer, SentencePiece
with Metaspace). Whether a model's tokenizer is such is checked on a sample when the counter is
made; when it is not, every text is counted whole, as before.
"""

from __future__ import annotations

import threading

import numpy as np

_SAMPLE = (
    "The Commission's 2023 report (pp. 14–17) found 1,204 cases; «Мемориал» назвал их "
    "политическими. Ms. Nguyễn said: \"we weren't told\" — see https://example.org/a?b=1 and "
    "§ 3.2(b)! 北京市 1.5% un­believably\u00a0long-standing e-mail x=y+z…"
)
_MAX_WORDS = 1 << 18  # distinct words kept before the cache starts over


class WordTokenCounter:
    """count(text): the tokens a fast tokenizer gives text without special tokens.

    tokenizer is a `tokenizers.Tokenizer` this object owns (it is not shared with the encoder).
    """

    def __init__(self, tokenizer) -> None:
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        self._words: dict[str, int] = {}
        self.by_words = all(self._holds(text) for text in (_SAMPLE, _SAMPLE.upper(), " ".join(_SAMPLE.split()[::-1])))

    def __call__(self, text: str) -> int:
        return self._summed(text) if self.by_words else self._whole(text)

    def _holds(self, text: str) -> bool:
        """Whether, on text, the words counted alone add up to the whole, and counting them in one call agrees."""
        alone = {word: self._whole(word) for word in text.split()}
        return sum(alone[w] for w in text.split()) == self._whole(text) and self._each(list(alone)) == list(alone.values())

    def _whole(self, text: str) -> int:
        with self._lock:
            return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def _each(self, words: list[str]) -> list[int]:
        """Tokens of each word, from one call over the words joined by spaces.

        A token belongs to the word holding its last character (SentencePiece's '▁word' may start on the space)."""
        starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
        with self._lock:
            offsets = self._tokenizer.encode(" ".join(words), add_special_tokens=False).offsets
        owner = np.searchsorted(starts, [max(start, end - 1) for start, end in offsets], side="right") - 1
        return np.bincount(owner, minlength=len(words)).tolist()

    def _summed(self, text: str) -> int:
        words = text.split()
        known = self._words
        missing = [w for w in set(words) if w not in known]
        if missing:
            if len(known) + len(missing) > _MAX_WORDS:
                known.clear()
            known.update(zip(missing, self._each(missing)))
        return sum(known[w] for w in words)

"""The chunker's token counter: summed from cached word counts, equal to counting the text whole."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.models.tokencount import WordTokenCounter

TEXTS = [
    "Armed men detained 14 activists on 3 March 2021; three were released (see Annex II, p. 4).",
    "«Мемориал» сообщил, что задержаны 14 активистов — трое освобождены 5 марта.",
    "Les défenseurs des droits humains à Genève: l'enquête n'a pas abouti… e-mail: a.b@c.org",
    "北京市 人权 报告 2019 年 — mixed with English words and un\u00adusual\u200bcharacters\u00a0here.",
    "WORD " * 300,
    "\n\n  leading and trailing whitespace, tabs\tand\nnew lines  \n",
    "",
]


def whole(tokenizer_json: str, text: str) -> int:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return len(tokenizer.encode(text, add_special_tokens=False).ids)


@pytest.fixture(scope="module")
def tokenizer_json(embeddings) -> str:
    return embeddings.model.tokenizer.backend_tokenizer.to_str()


def test_word_sums_equal_whole_counts_for_the_bundled_model(tokenizer_json):
    from tokenizers import Tokenizer

    counter = WordTokenCounter(Tokenizer.from_str(tokenizer_json))
    assert counter.by_words
    for text in TEXTS + [" ".join(TEXTS)]:
        assert counter(text) == whole(tokenizer_json, text), text[:40]
        assert counter(text) == whole(tokenizer_json, text)  # and again from the cache


def test_the_model_wrapper_counts_with_it(embeddings, tokenizer_json):
    report = " ".join(TEXTS) * 20
    assert embeddings.count_tokens(report) == whole(tokenizer_json, report)


class Pairs:
    """A tokenizer whose tokens are pairs of non-space characters, across spaces: word sums are wrong for it."""

    def no_truncation(self) -> None: ...

    def no_padding(self) -> None: ...

    def encode(self, text: str, add_special_tokens: bool = False):
        where = [i for i, ch in enumerate(text) if not ch.isspace()]
        offsets = [(where[i], where[min(i + 1, len(where) - 1)] + 1) for i in range(0, len(where), 2)]
        return SimpleNamespace(ids=list(range(len(offsets))), offsets=offsets)


def test_a_tokenizer_whose_tokens_cross_spaces_is_counted_whole():
    counter = WordTokenCounter(Pairs())
    assert not counter.by_words
    assert counter("a b c") == 2  # "ab", "c": summing words would say 3

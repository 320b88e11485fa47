"""Vectors reused across the marked copies of the benchmark corpus, to pre-fill a large index before timing changes to it.

Documents past SciFact's real abstracts are copies whose text opens with "[copy N] "
(rag.lab.bench.scifact_documents). With `python -m rag bench --prefill`, the full build of a corpus
with copies gives a chunk the vector of the first chunk read with the same text once the mark is
removed: each distinct unmarked text is embedded once, so 100,000 documents cost about as much
model time as the 5,183 real ones. Only builds are pre-filled; every timed reindex after a change
uses the model itself, as the pipeline under test does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.models.embeddings import Encoder
from rag.models.tokenstates import Spans

COPY_MARK = re.compile(r"^\[copy \d+\] ")


def unmarked(text: str) -> str:
    """The text without a copy's leading mark; other texts unchanged."""
    return COPY_MARK.sub("", text, count=1)


def _first_of_each(keys: list, items: list, known: dict) -> dict:
    """The first item given for each key not yet known, in order: the text embedded for that key."""
    fresh: dict = {}
    for key, item in zip(keys, items):
        if key not in known:
            fresh.setdefault(key, item)
    return fresh


class ReusedEmbeddings(Embeddings):
    """LangChain Embeddings that embed each distinct unmarked text once and reuse its vector for the copies."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.vectors: dict[str, list[float]] = {}
        self.embedded = 0  # texts the model embedded; the rest were reused

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [unmarked(text) for text in texts]
        fresh = _first_of_each(keys, texts, self.vectors)
        if fresh:
            self.vectors.update(zip(fresh, self.inner.embed_documents(list(fresh.values()))))
            self.embedded += len(fresh)
        return [self.vectors[key] for key in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class ReusedEncoder:
    """The pipeline's Encoder with the same reuse: passage and sentence vectors of a text and its copies, computed once.

    A text is keyed by its unmarked text and its number of sentences, so the sentence vectors reused
    always have the shape the chunk needs.
    """

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name, self.dimension, self.backend = inner.name, inner.dimension, inner.backend
        self.reads_in_context = inner.reads_in_context
        self.vectors: dict[tuple[str, int], tuple[np.ndarray, np.ndarray | None]] = {}
        self.embedded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode(texts)

    def encode_query(self, text: str) -> np.ndarray:
        return self.inner.encode_query(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        keys = [(unmarked(text), len(s)) for text, s in zip(texts, spans)]
        fresh = _first_of_each(keys, list(zip(texts, spans)), self.vectors)
        if fresh:
            vectors, pooled = self.inner.encode_with_sentences([t for t, _ in fresh.values()], [s for _, s in fresh.values()])
            self.vectors.update(zip(fresh, zip(vectors, pooled if pooled is not None else [None] * len(fresh))))
            self.embedded += len(fresh)
        found = [self.vectors[key] for key in keys]
        sentences = None if not self.reads_in_context else [s for _, s in found]
        return np.stack([v for v, _ in found]), sentences

"""Keyword search: stemmed English/Russian tokens scored by BM25 (bm25s), persisted beside the vectors.

Tokens of every chunk are kept in the bookkeeping database, so after a reindex the BM25 matrix is
rebuilt from stored tokens only (no file is re-read, no text re-tokenised) and saved with the
bookkeeping generation it reflects; a process that finds a saved matrix of the current
generation loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_local = threading.local()
_UNSEEN = object()
_MAX_WORDS = 1 << 18  # distinct words a thread keeps stems of before starting over


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_RUSSIAN

    return frozenset(STOPWORDS_EN_PLUS) | frozenset(STOPWORDS_RUSSIAN)


def _stems() -> dict[str, str | None]:
    """This thread's word -> stem table (None for a word left out); PyStemmer objects are not thread-safe."""
    if not hasattr(_local, "stems"):
        _local.stems = {}
    elif len(_local.stems) > _MAX_WORDS:
        _local.stems.clear()
    return _local.stems


def _stem(word: str) -> str | None:
    if not hasattr(_local, "stemmers"):
        import Stemmer

        _local.stemmers = (Stemmer.Stemmer("english"), Stemmer.Stemmer("russian"), _stopwords())
    english, russian, stop = _local.stemmers
    if word in stop or (len(word) == 1 and not word.isdigit()):
        return None
    return (russian if _CYRILLIC.search(word) else english).stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased word stems, stop words dropped; Cyrillic words get the Russian stemmer."""
    stems = _stems()
    tokens = []
    for word in _WORD.findall(text.lower().replace("ё", "е")):
        stem = stems.get(word, _UNSEEN)
        if stem is _UNSEEN:
            stem = stems[word] = _stem(word)
        if stem is not None:
            tokens.append(stem)
    return tokens


def script(text: str) -> str:
    """'cyrillic' or 'latin', whichever has more letters in text."""
    lowered = text.lower()
    return "cyrillic" if len(_CYRILLIC.findall(lowered)) > len(_LATIN.findall(lowered)) else "latin"


class KeywordIndex:
    """BM25 over chunk tokens, with a row -> chunk id table; immutable once built."""

    def __init__(self, ids: list[str], sources: list[str], model) -> None:
        self.ids = ids
        self.sources = np.asarray(sources, dtype=object)
        self.model = model

    @classmethod
    def build(cls, rows: Sequence[tuple[str, str, str]]) -> KeywordIndex:
        """From (chunk id, source, space-joined tokens) rows, as the bookkeeping stores them."""
        import bm25s

        ids = [r[0] for r in rows]
        if not ids:
            return cls([], [], None)
        model = bm25s.BM25()
        model.index([r[2].split() for r in rows], show_progress=False)
        return cls(ids, [r[1] for r in rows], model)

    def search(self, query: str, n: int, sources: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Top n (chunk id, BM25 score) with a positive score, optionally only from the given sources."""
        if self.model is None:
            return []
        token_ids = self.model.get_tokens_ids(tokenize(query))
        if not token_ids:
            return []
        scores = self.model.get_scores(token_ids)
        if sources is not None:
            scores = np.where(np.isin(self.sources, list(sources)), scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path, generation: int) -> None:
        """Write to a fresh folder, then swap it in, so a reader never sees half a save."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp / "bm25"))
        (tmp / "rows.json").write_text(json.dumps({"generation": generation, "ids": self.ids, "sources": list(self.sources)}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, generation: int) -> KeywordIndex | None:
        """The saved index if it reflects this bookkeeping generation, else None."""
        import bm25s

        try:
            rows = json.loads((folder / "rows.json").read_text())
        except (OSError, ValueError):
            return None
        if rows.get("generation") != generation:
            return None
        model = bm25s.BM25.load(str(folder / "bm25")) if rows["ids"] else None
        return cls(rows["ids"], rows["sources"], model)

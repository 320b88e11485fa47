"""Keyword search: stemmed English/Russian tokens scored by BM25 (bm25s), persisted beside the vectors.

Tokens of every chunk are kept in the bookkeeping database. After a reindex the keyword index is
brought up to date by the changed documents' rows alone (KeywordIndex.updated), or, when no index
of the generation the reindex started from is at hand, built from every stored row (no file is
re-read, no text re-tokenised). It is saved with the bookkeeping generation it reflects; a process
that finds a save of the current generation loads it instead of building.

A save is a base (the term counts of every chunk, written whole) and a change log beside it
(changes.json: the documents dropped from the base and the rows added since, net of later
changes). A reindex appends to the log, a file of a few kilobytes, instead of rewriting the base,
which at a million chunks is some 300 MB; the base is written again once the log holds more than
a hundredth of its rows. Loading applies the log to the base in one step.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.stores.bookkeeping import Records
from rag.text import script, tokenize


class KeywordIndex:
    """BM25 over chunk tokens, with a row -> chunk id table; immutable once built (updated() returns a new one).

    bm25s scores the queries; the index it scores from is computed here, from a sparse chunks x words
    matrix of term counts that is kept with it. A reindex then drops the rows of changed documents
    and adds their new rows, tokenising nothing else, and the weights (which depend on every chunk
    through the document frequencies and the mean length) are recomputed at the index's first search
    (a reindex process, which only updates and saves it, never does), with array operations over the
    whole matrix: milliseconds where bm25s's own index() takes a Python loop per chunk (0.1 ms each).
    The weights are those of bm25s's default, Lucene BM25 (tests compare them with it).
    """

    def __init__(self, ids: list[str], sources: Sequence[str], vocab: dict[str, int], counts) -> None:
        self.ids = ids
        self.sources = np.asarray(sources, dtype=object)
        self.vocab = vocab
        # scipy.sparse.csr_matrix (chunks x words) of 16-bit term counts: a chunk of a few hundred tokens never
        # counts a word 65,536 times, and at a million chunks the counts are 100 MB smaller than in 32 bits
        self.counts = counts if counts.dtype == _COUNT else counts.astype(_COUNT)
        self._model = None
        self._model_lock = threading.Lock()
        self._scripts: dict[str, float] | None = None
        self._df = None  # chunks holding each word, counted at the first rarity() call
        self._sorted: list[str] | None = None  # the words in order, sorted at the first starting() call

    @property
    def model(self):
        """The bm25s scorer, weighed at the first search: a reindex that only updates and saves the index never does."""
        if self._model is None and self.ids:
            with self._model_lock:
                if self._model is None:
                    self._model = _bm25(self.vocab, self.counts)
        return self._model

    def scripts(self) -> dict[str, float]:
        """Share of the indexed word occurrences in each script ('cyrillic', 'latin'): which languages the corpus
        holds. Figures are left out; computed once per index (an index never changes)."""
        if self._scripts is None:
            per_word = np.asarray(self.counts.sum(axis=0)).ravel() if self.ids else np.zeros(0)
            totals = {"cyrillic": 0.0, "latin": 0.0}
            for word, column in self.vocab.items():
                if column < len(per_word) and per_word[column] and not word[0].isdigit():
                    totals[script(word)] += float(per_word[column])
            whole = sum(totals.values()) or 1.0
            self._scripts = {name: count / whole for name, count in totals.items()}
        return self._scripts

    def rarity(self, tokens: Iterable[str]) -> dict[str, float]:
        """Each token's BM25 idf in this index: high for a word few chunks hold (an article number, an acronym), low for
        one most hold; a word no chunk holds counts as the rarest. The chunk counts are taken once per index."""
        n = len(self.ids)
        return {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5))) for t, df in self.holding(tokens).items()}

    def holding(self, tokens: Iterable[str]) -> dict[str, int]:
        """How many chunks hold each token (0 for a word of no chunk); the counts are taken at the first call."""
        if self._df is None:
            with self._model_lock:
                if self._df is None:
                    self._df = np.bincount(self.counts.indices, minlength=len(self.vocab)) if self.ids else np.zeros(0, dtype=np.int64)
        return {t: int(self._df[self.vocab[t]]) if t in self.vocab and self.vocab[t] < len(self._df) else 0 for t in tokens}

    @classmethod
    def build(cls, rows: Sequence[tuple[str, str, str]]) -> KeywordIndex:
        """From (chunk id, source, space-joined tokens) rows, as the bookkeeping stores them."""
        return _empty().updated((), rows)

    def updated(self, drop_sources: Iterable[str], rows: Sequence[tuple[str, str, str]]) -> KeywordIndex:
        """A new index without the chunks of drop_sources and with rows added after the rest."""
        from scipy import sparse

        drop = set(drop_sources)
        keep = np.fromiter((s not in drop for s in self.sources), dtype=bool, count=len(self.ids)) if drop else np.ones(len(self.ids), dtype=bool)
        vocab = dict(self.vocab)
        columns: list[int] = []
        lengths: list[int] = []
        for _, _, words in rows:
            tokens = words.split()
            columns.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
            lengths.append(len(tokens))
        added = sparse.csr_matrix(
            (np.ones(len(columns), dtype=np.int32), (np.repeat(np.arange(len(rows)), lengths), np.asarray(columns, dtype=np.int64))),
            shape=(len(rows), len(vocab)),
            dtype=np.int32,
        )  # repeated words of a chunk are summed into one count
        np.minimum(added.data, np.iinfo(_COUNT).max, out=added.data)
        kept = self.counts[keep] if not keep.all() else self.counts
        kept = sparse.csr_matrix((kept.data, kept.indices, kept.indptr), shape=(kept.shape[0], len(vocab)))
        counts = sparse.vstack([kept, added], format="csr", dtype=_COUNT)
        ids = [i for i, k in zip(self.ids, keep) if k] + [r[0] for r in rows]
        sources = [*self.sources[keep], *(r[1] for r in rows)]
        vocab, counts = _compacted(vocab, counts)
        return KeywordIndex(ids, sources, vocab, counts)

    def search(self, query: str, n: int, sources: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Top n (chunk id, BM25 score) with a positive score, optionally only from the given sources."""
        return self.search_tokens(tokenize(query), n, sources)

    def rarest(self, tokens: Iterable[str], most: int) -> str | None:
        """Of the tokens, the one fewest chunks hold, if at least one and at most `most` do (None otherwise)."""
        held = [(df, t) for t, df in self.holding(set(tokens)).items() if 0 < df <= most]
        return min(held)[1] if held else None

    def search_tokens(self, tokens: Sequence[str], n: int, sources: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """search() for tokens already made (rag.text.tokenize)."""
        if self.model is None:
            return []
        token_ids = self.model.get_tokens_ids(list(tokens))
        if not token_ids:
            return []
        scores = self.model.get_scores(token_ids)
        if sources is not None:
            scores = np.where(np.isin(self.sources, list(sources)), scores, 0.0)
        hits = np.flatnonzero(scores > 0)  # at a million chunks, a partition of every score took 10 ms a query
        n = min(n, len(hits))
        if not n:
            return []
        top = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        top = top[np.lexsort((top, -scores[top]))]  # by score, ties in chunk order
        return [(self.ids[i], float(scores[i])) for i in top]

    def starting(self, prefix: str) -> list[str]:
        """The indexed tokens that start with prefix (every form of a Russian name: "черкас", "черкасов"), found by
        bisection in the words sorted once per index: a question naming someone in another case than the reports asks
        this on its way to an answer, where a scan of every word would cost tens of milliseconds at a million chunks."""
        if self._sorted is None:
            with self._model_lock:
                if self._sorted is None:
                    self._sorted = sorted(self.vocab)
        words, found = self._sorted, []
        at = bisect.bisect_left(words, prefix)
        while at < len(words) and words[at].startswith(prefix):
            found.append(words[at])
            at += 1
        return found

    def save(self, folder: Path, generation: int) -> None:
        """Write to a fresh folder (the base, and an empty change log), then swap it in, so a reader never sees half a save."""
        from scipy import sparse

        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        sparse.save_npz(tmp / "counts.npz", self.counts, compressed=False)
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        rows = {"format": _FORMAT, "generation": generation, "ids": self.ids, "sources": list(self.sources), "words": words}
        (tmp / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        write_log(tmp, ChangeLog(base=generation, generation=generation, base_rows=len(self.ids)))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, generation: int) -> KeywordIndex | None:
        """The saved index (base and change log) if it reflects this bookkeeping generation, else None (also for a
        save in an older format). A save without a change log is its base alone."""
        log = read_log(folder)
        if log is not None and log.generation != generation:
            return None
        base = cls._load_base(folder, log.base if log else generation)
        if base is None or log is None or not (log.drop or log.rows):
            return base
        return base.updated(log.drop, log.rows)

    @classmethod
    def _load_base(cls, folder: Path, generation: int) -> KeywordIndex | None:
        from scipy import sparse

        try:
            rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
            if rows.get("format") != _FORMAT or rows.get("generation") != generation:
                return None
            counts = sparse.load_npz(folder / "counts.npz").tocsr()
        except (OSError, ValueError):
            return None
        vocab = {word: i for i, word in enumerate(rows["words"])}
        if counts.shape != (len(rows["ids"]), len(vocab)):
            return None
        one: dict[str, str] = {}  # a document's chunks share one string of its source, not one each
        return cls(rows["ids"], [one.setdefault(source, source) for source in rows["sources"]], vocab, counts)


@dataclass
class ChangeLog:
    """What separates a saved keyword index's base from a later bookkeeping generation: the documents whose base
    rows are dropped, and the rows added since (id, source, tokens), net of later changes to the same documents."""

    base: int  # the bookkeeping generation of the base
    generation: int  # the generation the base with this log reflects
    base_rows: int
    drop: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def then(self, sources: Sequence[str], rows: Sequence[tuple[str, str, str]], generation: int) -> ChangeLog:
        """This log followed by one reindex that replaced these documents' rows (none for a removed document)."""
        changed = set(sources)
        kept = [row for row in self.rows if row[1] not in changed]
        drop = sorted(set(self.drop) | changed)
        return ChangeLog(self.base, generation, self.base_rows, drop, [*kept, *(tuple(row) for row in rows)])

    def full(self) -> bool:
        """Time to write the base again: the log holds more than a hundredth of its rows (and over a thousand)."""
        return len(self.rows) > max(_LOG_ROWS, self.base_rows // 100)


def read_log(folder: Path) -> ChangeLog | None:
    """The change log of a saved keyword index, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads((folder / _LOG).read_text(encoding="utf-8"))
        return ChangeLog(data["base"], data["generation"], data["base_rows"], data["drop"], [tuple(row) for row in data["rows"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_log(folder: Path, log: ChangeLog) -> None:
    """Written beside and then renamed over the old one: a reader sees the old log or the new, never half of one."""
    tmp = folder / (_LOG + ".tmp")
    tmp.write_text(json.dumps(asdict(log), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / _LOG)


class KeywordStore:
    """The keyword index kept in step with the bookkeeping: one per bookkeeping generation, loaded, built or updated.

    Safe to share between threads; a reindex in another process is seen at the next current().
    """

    def __init__(self, folder: Path, records: Records) -> None:
        self.folder = folder
        self.records = records
        self._index: KeywordIndex | None = None
        self._generation = -1
        self._lock = threading.Lock()

    def current(self) -> KeywordIndex:
        """The keyword index of the current bookkeeping generation, reloaded after any reindex (this process or another)."""
        generation = self.records.generation()
        if self._index is None or generation != self._generation:
            with self._lock:
                if self._index is None or generation != self._generation:
                    self._index, self._generation = self._load(generation), generation
        return self._index

    def refresh(self, changed: Sequence[str], removed: Sequence[str], before: int, after: int) -> None:
        """After a reindex that took the bookkeeping from generation `before` to `after`: drop and add the changed
        documents' rows; loaded, or built from every stored row, when the index of `before` is not at hand.
        A reindex that changed nothing leaves it alone: the first search loads it."""
        if after == before:
            return
        with self._lock:
            sources, rows = [*changed, *removed], self.records.keyword_rows(list(changed))
            log = read_log(self.folder)
            if log is not None and log.generation == before and not (longer := log.then(sources, rows, after)).full():
                write_log(self.folder, longer)  # the base stays as it is; a process that loads the index applies the log
                if self._index is not None and self._generation == before:
                    self._index, self._generation = self._index.updated(sources, rows), after
                return
            base = self._index if self._generation == before else KeywordIndex.load(self.folder, before)
            if base is not None:
                updated = base.updated(sources, rows)
                if len(updated.ids) == self.records.chunk_count():  # a guard: the bookkeeping is the truth
                    updated.save(self.folder, after)
                    self._index, self._generation = updated, after
                    return
        self.current()

    def _load(self, generation: int) -> KeywordIndex:
        """The saved keyword index of this generation, or one rebuilt from the stored tokens and saved (also when the
        save does not hold as many chunks as the bookkeeping: the bookkeeping is the truth)."""
        keywords = KeywordIndex.load(self.folder, generation)
        if keywords is None or len(keywords.ids) != self.records.chunk_count():
            keywords = KeywordIndex.build(self.records.keyword_rows())
            if self.records.generation() == generation:  # else a reindex committed meanwhile: its own save stands
                keywords.save(self.folder, generation)
        return keywords


_FORMAT = 2  # 1: bm25s's own save, before term counts were kept
_LOG = "changes.json"
_COUNT = np.uint16  # the type of a stored term count
_WEIGHT_ROWS = 65536  # chunks weighed at a time
_LOG_ROWS = 1000  # a change log of up to this many rows never calls for a new base


def _empty() -> KeywordIndex:
    from scipy import sparse

    return KeywordIndex([], [], {}, sparse.csr_matrix((0, 0), dtype=_COUNT))


def _bm25(vocab: dict[str, int], counts):
    """A bm25s.BM25 scoring from the Lucene BM25 weights of these term counts, as bm25s's index() would compute them.

    The arithmetic follows bm25s.scoring step by step (float32 idf, float64 term part, float32 weight),
    so the weights agree with its own index of the same chunks to the last bit or one float32 step."""
    import bm25s
    from scipy import sparse

    model = bm25s.BM25()
    k1, b = model.k1, model.b
    n_docs, n_vocab = counts.shape
    doc_len = np.asarray(counts.sum(axis=1)).ravel()
    avg_len = doc_len.mean()
    norm = k1 * ((1 - b) + b * doc_len / avg_len)  # float64, per chunk: the length part of each of its weights
    df = np.bincount(counts.indices, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    present = df > 0
    idf[present] = np.log(1 + (n_docs - df[present] + 0.5) / (df[present] + 0.5))
    weights = np.empty(len(counts.data), dtype=np.float32)
    for start in range(0, n_docs, _WEIGHT_ROWS):  # in slices of chunks: float64 temporaries of every count at once were
        end = min(start + _WEIGHT_ROWS, n_docs)  # over a gigabyte at a million chunks
        lo, hi = counts.indptr[start], counts.indptr[end]
        tf = counts.data[lo:hi].astype(np.float64)
        per_count = np.repeat(norm[start:end], np.diff(counts.indptr[start : end + 1]))
        weights[lo:hi] = idf[counts.indices[lo:hi]] * (tf / (per_count + tf))
    # the weights share the term counts' layout (chunk rows, word columns); bm25s reads them by word
    matrix = sparse.csr_matrix((weights, counts.indices, counts.indptr), shape=(n_docs, n_vocab)).tocsc()
    model.scores = {"data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr, "num_docs": n_docs}
    model.vocab_dict = vocab
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None
    return model


def _compacted(vocab: dict[str, int], counts) -> tuple[dict[str, int], object]:
    """Drop words no chunk has any more once they are half the vocabulary, so it does not grow with every edit."""
    used = np.bincount(counts.indices, minlength=len(vocab)) > 0
    if used.sum() * 2 >= len(vocab):
        return vocab, counts
    new_id = np.cumsum(used) - 1
    words = sorted(vocab, key=vocab.__getitem__)
    compact = {w: int(new_id[i]) for i, w in enumerate(words) if used[i]}
    return compact, counts[:, used].tocsr()

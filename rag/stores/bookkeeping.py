"""The index's bookkeeping: which documents are indexed, at which hash, with which chunks.

One SQLite file beside the vectors. It is the truth the incremental reindex compares the corpus
with; it keeps each chunk's keyword tokens so the BM25 index can be rebuilt without
re-reading any file, and the vectors of each chunk's sentences (rag.models.tokenstates) so an answer
needs no model pass over its passages. LangChain's record manager keeps only key/time pairs; the per-document
view (title, pages, chunk ids, tokens) that the reindex, the documents list and the keyword
index need lives here instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL, pages INTEGER NOT NULL,
    chunks INTEGER NOT NULL, modified TEXT NOT NULL, indexed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, text_sha TEXT NOT NULL, tokens TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE INDEX IF NOT EXISTS chunks_text ON chunks(text_sha);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentence_vectors (text_sha TEXT PRIMARY KEY, dim INTEGER NOT NULL, vectors BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS file_stamps (source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, stamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS failures (source TEXT PRIMARY KEY, reason TEXT NOT NULL, at REAL NOT NULL);
"""
# Sentence vectors are unit length: int8 steps of 1/127 per component move a cosine by about 0.002
# (standard deviation), a quarter of the stored size of float32.
_INT8_SCALE = 127.0


@dataclass(frozen=True)
class DocRecord:
    """One indexed document as the documents list shows it."""

    source: str
    sha256: str
    title: str
    pages: int
    chunks: int
    modified: str
    indexed_at: float


@dataclass(frozen=True)
class ChunkRecord:
    """What the bookkeeping keeps of a chunk: its id, a hash of its text, its keyword tokens."""

    id: str
    text_sha: str
    tokens: Sequence[str]


class Records:
    """Thread-safe access to the bookkeeping database; every change bumps a generation counter."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        # Reads go through a second connection: under WAL they see every committed change and do not
        # wait for a write in progress (the indexer looks texts up while its writer thread commits).
        self._reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._read_lock = threading.Lock()

    @contextmanager
    def _transaction(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic change; bump=False for one that leaves documents, chunks and keyword tokens as they were."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                if bump:
                    self._db.execute(
                        "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                        "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._read_lock:
            return self._reader.execute(sql, args).fetchall()

    def _rows_in(self, sql: str, values: Iterable[str]) -> list[tuple]:
        """Rows of sql, whose `IN ({marks})` takes the values, run 500 values at a time (SQLite's bound on parameters)."""
        values = list(values)
        found: list[tuple] = []
        for i in range(0, len(values), 500):
            part = values[i : i + 500]
            found += self._rows(sql.format(marks=",".join("?" * len(part))), part)
        return found

    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    def meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def put_meta(self, key: str, value: str) -> None:
        """Keep a value of the index's own state (not a change to documents: no generation bump)."""
        with self._transaction(bump=False) as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def documents(self) -> dict[str, DocRecord]:
        return {row[0]: DocRecord(*row) for row in self._rows("SELECT * FROM documents ORDER BY source")}

    def titles(self) -> dict[str, str]:
        """source -> title of every document (two columns: what a question naming its report is matched against)."""
        return dict(self._rows("SELECT source, title FROM documents ORDER BY source"))

    def document_count(self, within: Sequence[str] = ()) -> int:
        """How many documents, or how many at or under the sources `within` names (files or folders)."""
        return sum(row[0] for row in self._under("SELECT COUNT(*) FROM documents", within))

    def folder_counts(self) -> dict[str, int]:
        """Each top-level folder of the documents' sources, with how many documents lie in it, in name order."""
        rows = self._rows(
            "SELECT substr(source, 1, instr(source, '/') - 1) AS folder, COUNT(*) FROM documents WHERE instr(source, '/') > 0 "
            "GROUP BY folder ORDER BY folder"
        )
        return dict(rows)

    def indexed(self, sources: Iterable[str]) -> set[str]:
        """Those of the sources that are indexed documents (a keyed read, however large the index)."""
        return {row[0] for row in self._rows_in("SELECT source FROM documents WHERE source IN ({marks})", set(sources))}

    def trusted_stamps(self, within: Sequence[str] = ()) -> dict[str, str]:
        """source -> file stamp of every document, or of those at or under the sources `within` names (files or folders),
        whose stamp was taken when its present hash was (see rag.ingest.indexer): what a reindex compares the corpus with."""
        return dict(self._under("SELECT source, stamp FROM file_stamps JOIN documents USING (source, sha256)", within))

    def hashes_of(self, sources: Iterable[str]) -> dict[str, str]:
        """source -> content hash of those of the sources that are indexed documents (a keyed read)."""
        return dict(self._rows_in("SELECT source, sha256 FROM documents WHERE source IN ({marks})", set(sources)))

    def sources(self, within: Sequence[str] = ()) -> list[str]:
        """Every document's source, or those at or under the sources `within` names, in order."""
        return [row[0] for row in self._under("SELECT source FROM documents", within)]

    def _under(self, select: str, within: Sequence[str]) -> list[tuple]:
        """Rows of select (a table keyed by source), all of them or those whose source is a name of `within` or lies
        in its folder: a range of the key, so a reindex of one file does not read the rows of a million others."""
        if not within:
            return self._rows(select)
        found = []
        for name in sorted(set(within)):  # "/" sorts just before "0": the folder's sources lie between name/ and name0
            found += self._rows(f"{select} WHERE source = ? OR (source > ? AND source < ?)", (name, name + "/", name + "0"))
        return found

    def chunk_ids(self, source: str | None = None) -> set[str]:
        if source is None:
            return {row[0] for row in self._rows("SELECT id FROM chunks")}
        return {row[0] for row in self._rows("SELECT id FROM chunks WHERE source = ?", (source,))}

    def chunk_ids_in_order(self, source: str) -> list[str]:
        """A document's chunk ids in the order they were recorded, which is its reading order (put writes them so)."""
        return [row[0] for row in self._rows("SELECT id FROM chunks WHERE source = ? ORDER BY rowid", (source,))]

    def ids_for_texts(self, text_shas: Iterable[str]) -> dict[str, str]:
        """An indexed chunk id for each text hash already embedded, so identical text is not re-embedded."""
        return dict(self._rows_in("SELECT text_sha, id FROM chunks WHERE text_sha IN ({marks})", set(text_shas)))

    def keyword_rows(self, sources: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
        """(chunk id, source, space-joined tokens) of every chunk, or of those sources' chunks, in a stable order."""
        if sources is None:
            return self._rows("SELECT id, source, tokens FROM chunks ORDER BY rowid")
        return self._rows_in("SELECT id, source, tokens FROM chunks WHERE source IN ({marks}) ORDER BY rowid", sources)

    def chunk_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM chunks")[0][0]

    def put_file_stamps(self, stamps: Mapping[str, tuple[str, str]]) -> None:
        with self._transaction(bump=False) as db:
            _put_stamps(db, stamps)

    def failures(self) -> dict[str, str]:
        """source -> reason for each corpus file the last reindex could not index (corrupt, unsupported, unreadable)."""
        return dict(self._rows("SELECT source, reason FROM failures ORDER BY source"))

    def put_failures(self, failures: Mapping[str, str]) -> None:
        """Keep exactly these failures: each reindex reads every failed file again, so its list replaces the last one."""
        now = time.time()
        with self._transaction(bump=False) as db:
            db.execute("DELETE FROM failures")
            db.executemany("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)", [(s, r, now) for s, r in failures.items()])

    def replace(self, documents: Sequence[tuple[DocRecord, Sequence[ChunkRecord]]], stamps: Mapping[str, str] | None = None) -> None:
        """Record each document with exactly these chunks, atomically replacing what they had before;
        stamps, by source, are the file stamps taken before the files were read (an empty one is not kept)."""
        with self._transaction() as db:
            _put_stamps(db, {doc.source: (doc.sha256, (stamps or {}).get(doc.source, "")) for doc, _ in documents})
            old: set[str] = set()
            for doc, chunks in documents:
                old |= _drop_chunks(db, doc.source)
                db.executemany(
                    "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?)",
                    [(c.id, doc.source, c.text_sha, " ".join(c.tokens)) for c in chunks],
                )
                db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", _row(doc))
            _drop_sentence_vectors(db, old)

    def remove(self, sources: Iterable[str]) -> None:
        with self._transaction() as db:
            old: set[str] = set()
            for source in sources:
                old |= _drop_chunks(db, source)
                db.execute("DELETE FROM documents WHERE source = ?", (source,))
                db.execute("DELETE FROM file_stamps WHERE source = ?", (source,))
            _drop_sentence_vectors(db, old)

    def forget_hashes(self, sources: Iterable[str]) -> None:
        """Mark documents as needing a re-embed (their vectors were found missing)."""
        sources = list(sources)
        if not sources:
            return  # no change: the generation (and with it the keyword index) stays as it is
        with self._transaction() as db:
            db.executemany("UPDATE documents SET sha256 = '' WHERE source = ?", [(s,) for s in sources])

    def clear(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM documents")
            db.execute("DELETE FROM sentence_vectors")
            db.execute("DELETE FROM file_stamps")
            db.execute("DELETE FROM failures")

    def put_sentence_vectors(self, rows: Mapping[str, np.ndarray]) -> None:
        """Keep the sentence vectors (sentences x dimension) of chunk texts, by the hash of the text."""
        packed = [(sha, int(v.shape[1]), np.round(np.clip(v, -1, 1) * _INT8_SCALE).astype(np.int8).tobytes()) for sha, v in rows.items()]
        with self._transaction(bump=False) as db:
            db.executemany("INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?, ?)", packed)

    def sentence_vectors(self, text_shas: Iterable[str]) -> dict[str, np.ndarray]:
        """The kept sentence vectors (unit length, float32) of those chunk texts that have them."""
        found: dict[str, np.ndarray] = {}
        for sha, dim, blob in self._rows_in("SELECT text_sha, dim, vectors FROM sentence_vectors WHERE text_sha IN ({marks})", set(text_shas)):
            rows = np.frombuffer(blob, dtype=np.int8).reshape(-1, dim).astype(np.float32)
            found[sha] = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return found

    def prune_sentence_vectors(self) -> int:
        """Drop the sentence vectors of texts no chunk has any more; how many went. A scan of every kept text:
        replace() and remove() drop those of the texts they take away as they go, so this only tidies after a repair."""
        with self._transaction(bump=False) as db:
            return db.execute("DELETE FROM sentence_vectors WHERE text_sha NOT IN (SELECT text_sha FROM chunks)").rowcount

    def sources_of(self, ids: Iterable[str]) -> set[str]:
        return {row[0] for row in self._rows_in("SELECT DISTINCT source FROM chunks WHERE id IN ({marks})", ids)}

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._db.close()
            self._reader.close()


def _drop_chunks(db: sqlite3.Connection, source: str) -> set[str]:
    """Delete a document's chunks; the hashes of their texts."""
    shas = {row[0] for row in db.execute("SELECT text_sha FROM chunks WHERE source = ?", (source,))}
    db.execute("DELETE FROM chunks WHERE source = ?", (source,))
    return shas


def _drop_sentence_vectors(db: sqlite3.Connection, text_shas: Iterable[str]) -> None:
    """Delete the sentence vectors of those texts that no chunk has any more."""
    db.executemany(
        "DELETE FROM sentence_vectors WHERE text_sha = ? AND NOT EXISTS (SELECT 1 FROM chunks WHERE text_sha = ?)",
        [(sha, sha) for sha in text_shas],
    )


def _put_stamps(db: sqlite3.Connection, stamps: Mapping[str, tuple[str, str]]) -> None:
    db.executemany("DELETE FROM file_stamps WHERE source = ?", [(s,) for s, (_, stamp) in stamps.items() if not stamp])
    db.executemany("INSERT OR REPLACE INTO file_stamps VALUES (?, ?, ?)", [(s, sha, stamp) for s, (sha, stamp) in stamps.items() if stamp])


def _row(doc: DocRecord) -> tuple:
    return (doc.source, doc.sha256, doc.title, doc.pages, doc.chunks, doc.modified, doc.indexed_at or time.time())

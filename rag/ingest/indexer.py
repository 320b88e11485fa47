"""Incremental reindex: compare the corpus with the bookkeeping by content hash (hashing only files whose stamp moved), embed only what changed.

Documents are parsed on one thread, embedded in groups on the caller's, and each group is written
on a third while the next is embedded. Order of a group's writes, chosen so a crash at any point
loses nothing and the next run repairs it: vectors are upserted first, then the bookkeeping
commits the group's documents in one transaction, then their stale vectors are deleted. Each run
starts by reconciling the two stores: vectors no document claims are deleted, documents whose
vectors are missing are re-embedded. That compares every chunk id of both stores, a read of the
whole vector store, so it is done only when they may disagree: a run marks the bookkeeping while it
writes and clears the mark when it has finished, and the mark found set (a crash, a kill) or the two
stores counting different numbers of chunks (a store changed behind the index's back) calls for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.errors import IndexBusyError, LoadError
from rag.ingest.chunking import make_splitter, split_documents
from rag.ingest.loaders import file_sha256, load_file, scan_corpus, stat_stamp
from rag.models.embeddings import Encoder
from rag.stores.bookkeeping import ChunkRecord, DocRecord, Records
from rag.stores.keyword import KeywordStore
from rag.stores.vectors import Store
from rag.text import tokenize
from rag.types import Chunk, Progress

_GROUP_CHUNKS = 512  # chunks embedded and committed together
_PREFETCH_FILES = 256  # documents parsed ahead of the embedder, at most
_PREFETCH_BYTES = 64 << 20  # and at most this much file content, unless one file is larger
SETTLED_NS = 2_000_000_000  # a file changed this recently is hashed on every run until it is older
_PROGRESS_CHUNKS = 64  # new chunks embedded between two progress reports (a multiple of the encoders' micro-batch)
_WRITING = "reindex_writing"  # bookkeeping meta key, "1" from before a run's first write until it has finished
RECIPE = "text_recipe"  # bookkeeping meta key: how the indexed text was cut into chunks, sentences and tokens
# Raised whenever page cleaning, sentence ends or keyword tokens change, so every report is read again at the next
# reindex: 2 (6 December 2026) added note arrows, footnote rules and lines, and "Figure I" tokens; 3 ends a sentence
# at a year's "г." / "гг." before a capital; 4 ends one after a note mark glued to its full stop ("relocated.116 The")
# reads "вкл." / "incl." as abbreviations, and takes a date wrapped onto its own line for no table row; 5 keeps a
# figure that ends its line after a full stop with the sentence before it (a table row's last cell); 6 indexes a decimal
# comma as a point ("3,8 млн" as 3.8).
TEXT_RECIPE = 6


def text_recipe(settings: Settings) -> str:
    """How this code cuts text, with the chunk size and overlap: an index of another recipe is read again."""
    return f"{TEXT_RECIPE}:{settings.chunk_tokens}:{settings.chunk_overlap}"


@dataclass
class IndexSummary:
    """What one reindex did, for the CLI, the web page and the tests."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    repaired: int = 0
    reread: bool = False  # every report was read again: the text recipe or the chunk size changed since they were indexed
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)


@dataclass(frozen=True)
class _Todo:
    """A file to (re-)embed: whether it is new to the index, and its stamp taken before it is read."""

    path: Path
    is_new: bool
    stamp: str


@dataclass
class _Plan:
    """What a run has to do, as the comparison of the corpus with the bookkeeping found it."""

    todo: list[_Todo] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    restamped: dict[str, tuple[str, str]] = field(default_factory=dict)
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)


@dataclass
class _Loaded:
    """A parsed document ready to embed: its chunks and, computed off the embedding thread, their keyword records."""

    source: str
    chunks: list[Chunk]
    keyed: list[ChunkRecord]
    record: DocRecord
    is_new: bool
    stamp: str


@dataclass
class _Writing:
    """The group the writer thread is storing: its future, and its vectors by text hash for the next group to reuse."""

    future: Future
    vectors: dict[str, np.ndarray]


@dataclass
class _Tally:
    """Chunks done against the run's expected total, so a progress bar follows the embedding work and not
    the files: the total counts the chunks of the files read so far and extrapolates to those still unread."""

    report: Progress
    files: int
    files_read: int = 0
    chunks_read: int = 0
    chunks_done: int = 0

    def read(self, item: _Loaded | None) -> None:
        self.files_read += 1
        self.chunks_read += len(item.chunks) if item is not None else 0

    def done(self, chunks: int) -> None:
        self.chunks_done += chunks
        unread = self.files - self.files_read
        expected = self.chunks_read + (round(unread * self.chunks_read / self.files_read) if self.files_read else 0)
        self.report(self.chunks_done, max(expected, self.chunks_done), f"indexing {self.files} files")


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One reindex at a time per index folder, across processes and platforms; a second one is refused at once."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / "reindex.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(f"Another reindex of {index_dir} is running; try again when it has finished.") from None
    try:
        yield
    finally:
        lock.release()


class Indexer:
    """Brings the index in step with the corpus folder."""

    def __init__(self, settings: Settings, embeddings: Encoder, store: Store, records: Records, keywords: KeywordStore) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.records = records
        self.keywords = keywords
        self.splitter = make_splitter(embeddings.count_tokens, settings.chunk_tokens, settings.chunk_overlap)

    def run(self, rebuild: bool = False, progress: Progress | None = None, verify: bool = False, within: Sequence[str] = ()) -> IndexSummary:
        """Index the corpus, or only the files and folders inside it that `within` names (sources relative to it: a
        collection's folder, the files just uploaded); the documents elsewhere are neither read nor compared."""
        started = time.perf_counter()
        summary = IndexSummary()
        with index_lock(self.settings.index_dir):
            before = self.records.generation()
            if rebuild:
                self.records.clear()
                self.store.reset()
            self.store.check()
            full = verify or self.records.meta(_WRITING) == "1"
            recipe = text_recipe(self.settings)
            again = False
            if self.records.meta(RECIPE) != recipe:
                again = self.records.document_count() > 0
                if not again:
                    self.records.put_meta(RECIPE, recipe)  # an empty index: whatever this run writes is cut by this recipe
            summary.reread = again and not within  # named files are read again; every report, at the next full reindex
            plan = plan_changes(self.settings.corpus_dir, self.records, again, within)
            # the vector store is compared with the bookkeeping only by a run that writes to it (or is asked to):
            # its first use loads the whole HNSW graph, 1 s at 300,000 chunks, which a run with nothing to do skips
            touched = bool(full or plan.todo or plan.gone)
            if touched:
                summary.repaired = self.reconcile(full=full)
                if summary.repaired:
                    plan = plan_changes(self.settings.corpus_dir, self.records, again, within)  # documents whose vectors were missing
            self.records.put_meta(_WRITING, "1")
            todo = self._apply(plan, summary)
            self._embed_all(todo, summary, progress or _quiet)
            failures = {item["source"]: item["reason"] for item in summary.skipped}
            if within:  # the unreadable files elsewhere stay listed
                failures = {**{s: r for s, r in self.records.failures().items() if not inside(s, within)}, **failures}
            self.records.put_failures(failures)
            if summary.reread:
                self.records.put_meta(RECIPE, recipe)  # every report is now cut by it (an interrupted run reads them again)
            if summary.repaired:
                self.records.prune_sentence_vectors()  # of texts whose chunks a repair took away
            # what this run changed, and nothing else, lies between the generation when it took the lock
            # (-1 for a rebuild) and the one when it lets go: the keyword index is brought across now
            generations = (-1 if rebuild else before, self.records.generation())
            self.records.put_meta(_WRITING, "0")
        self.keywords.refresh([*summary.added, *summary.updated], summary.removed, *generations)
        summary.documents = self.records.document_count()
        summary.chunks = self.store.count() if touched else self.records.chunk_count()
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def reconcile(self, full: bool = True) -> int:
        """Delete vectors no document claims; mark documents whose vectors are missing for re-embedding.

        Unless full, only when the two stores count different numbers of chunks."""
        if not full and self.store.count() == self.records.chunk_count():
            return 0
        stored = self.store.ids()
        claimed = self.records.chunk_ids()
        self.store.delete(stored - claimed)
        broken = self.records.sources_of(claimed - stored)
        self.records.forget_hashes(broken)
        return len(stored - claimed) + len(broken)

    def _apply(self, plan: _Plan, summary: IndexSummary) -> list[_Todo]:
        """Keep the new stamps of unchanged files, remove the documents whose files are gone; the files to embed."""
        summary.skipped.extend(plan.skipped)
        summary.unchanged += plan.unchanged
        if plan.restamped:
            self.records.put_file_stamps(plan.restamped)
        if plan.gone:
            ids = set().union(*(self.records.chunk_ids(s) for s in plan.gone))
            self.records.remove(plan.gone)
            self.store.delete(ids)
            summary.removed.extend(plan.gone)
        return plan.todo

    def _embed_all(self, todo: list[_Todo], summary: IndexSummary, progress: Progress) -> None:
        """Embed groups of documents on this thread while a writer thread stores the group before.

        One group is written at a time, in order, each as _write describes; a writer's error is raised
        here at the next group or at the end, and the groups after it are not embedded."""
        group: list[_Loaded] = []
        tally = _Tally(progress, len(todo))
        progress(0, 0, f"indexing {len(todo)} files")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-write") as writer:
            writing: _Writing | None = None
            for done, item in enumerate(self._load_ahead(todo, summary), start=1):
                tally.read(item)
                if item is not None:
                    group.append(item)
                if sum(len(g.chunks) for g in group) >= _GROUP_CHUNKS or done == len(todo):
                    writing = self._commit(group, summary, writer, writing, tally)
                    group = []
            if group:
                writing = self._commit(group, summary, writer, writing, tally)
            if writing is not None:
                writing.future.result()

    def _load_ahead(self, todo: list[_Todo], summary: IndexSummary) -> Iterator[_Loaded | None]:
        """Parse and chunk files on a worker thread while the caller embeds the previous ones.

        The worker stays up to _PREFETCH_FILES files (and _PREFETCH_BYTES) ahead, so the model does
        not wait for parsing while a group fills."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-load") as pool:
            futures: list[tuple[Future, int]] = []
            ahead = 0
            for item in todo:
                size = _size(item.path)
                futures.append((pool.submit(self._load, item), size))
                ahead += size
                while len(futures) > _PREFETCH_FILES or (ahead > _PREFETCH_BYTES and len(futures) > 1):
                    future, done = futures.pop(0)
                    ahead -= done
                    yield self._result(future, summary)
            for future, _ in futures:
                yield self._result(future, summary)

    def _result(self, future: Future, summary: IndexSummary) -> _Loaded | None:
        try:
            return future.result()
        except LoadError as exc:
            summary.skipped.append({"source": exc.source, "reason": exc.reason})
            return None

    def _load(self, todo: _Todo) -> _Loaded:
        pages = load_file(todo.path, self.settings.corpus_dir, self.settings.max_file_bytes)
        chunks = split_documents(pages, self.splitter)
        meta = pages[0].metadata
        record = DocRecord(
            source=meta["source"],
            sha256=meta["sha256"],
            title=meta["title"],
            pages=len({p.metadata["page"] for p in pages}),
            chunks=len(chunks),
            modified=meta["modified"],
            indexed_at=0.0,
        )
        keyed = [ChunkRecord(c.id, c.text_sha, tokenize(c.text)) for c in chunks]
        return _Loaded(meta["source"], chunks, keyed, record, todo.is_new, todo.stamp)

    def _commit(
        self, group: list[_Loaded], summary: IndexSummary, writer: ThreadPoolExecutor, writing: _Writing | None, tally: _Tally
    ) -> _Writing | None:
        """Embed a group here (reusing the vectors of the group being written), then, once that one is
        stored, hand this one to the writer."""
        chunks = [c for item in group for c in item.chunks]
        if not chunks:
            return writing
        shas = [k.text_sha for item in group for k in item.keyed]
        vectors, sentences = self._vectors(chunks, shas, summary, writing.vectors if writing else {}, tally)
        if writing is not None:
            writing.future.result()
        future = writer.submit(self._write, group, chunks, vectors, sentences, summary)
        return _Writing(future, dict(zip(shas, vectors)))

    def _write(self, group: list[_Loaded], chunks: list[Chunk], vectors: np.ndarray, sentences: dict[str, np.ndarray], summary: IndexSummary) -> None:
        """Write vectors, then record the group's documents in one transaction, then drop their stale vectors."""
        if sentences:
            self.records.put_sentence_vectors(sentences)
        self.store.upsert(chunks, vectors)
        stale = set().union(*(self.records.chunk_ids(item.source) for item in group)) - {c.id for c in chunks}
        self.records.replace([(_stamped(item.record), item.keyed) for item in group], {item.source: item.stamp for item in group})
        self.store.delete(stale)
        for item in group:
            (summary.added if item.is_new else summary.updated).append(item.source)

    def _vectors(
        self, chunks: list[Chunk], shas: list[str], summary: IndexSummary, pending: dict[str, np.ndarray], tally: _Tally
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Vectors for chunks, reused where the same text is pending or already indexed, each new text embedded
        once; and, by text hash, the sentence vectors of the new texts (when the model pools them from the same pass).

        New texts go to the model longest first in slices of _PROGRESS_CHUNKS, with progress reported after each:
        the encoders sort by length and run micro-batches of 8 themselves, so the slices change no chunk's batch."""
        by_sha = {s: pending[s] for s in set(shas) if s in pending}
        known = self.records.ids_for_texts([s for s in shas if s not in by_sha])
        stored = self.store.vectors([known[s] for s in set(shas) if s in known])
        by_sha.update({s: stored[known[s]] for s in set(shas) if s in known and known[s] in stored})
        fresh = {s: c for s, c in zip(shas, chunks) if s not in by_sha}
        sentences: dict[str, np.ndarray] = {}
        tally.done(len(chunks) - len(fresh))
        longest_first = sorted(fresh.items(), key=lambda pair: -len(pair[1].text))
        for start in range(0, len(longest_first), _PROGRESS_CHUNKS):
            part = longest_first[start : start + _PROGRESS_CHUNKS]
            vectors, pooled = self.embeddings.encode_with_sentences([c.text for _, c in part], [c.spans() for _, c in part])
            by_sha.update(zip((sha for sha, _ in part), vectors))
            if pooled is not None:
                sentences.update(zip((sha for sha, _ in part), pooled))
            tally.done(len(part))
        summary.chunks_embedded += len(fresh)
        summary.chunks_reused += len(chunks) - len(fresh)
        return np.stack([by_sha[s] for s in shas]).astype(np.float32), sentences


def plan_changes(corpus_dir: Path, records: Records, again: bool = False, within: Sequence[str] = ()) -> _Plan:
    """Compare the corpus (or the files and folders in it that `within` names) with the bookkeeping, changing nothing:
    files to embed, documents whose files are gone.

    A file is hashed only when its stamp (size, times, inode) differs from the one kept with its
    hash, so a run over an unchanged corpus reads no file content, and builds nothing for an unchanged
    file: the listing counts it and goes on. With `again`, every file is read again (the text recipe
    changed: its chunks, sentences or tokens would differ now)."""
    now = time.time_ns()  # before the listing, so no stat is older than it: a stamp is never trusted sooner than one read alone
    listing = scan_corpus(corpus_dir, within, {} if again else records.trusted_stamps(within))
    plan = _Plan(skipped=[{"source": s, "reason": r} for s, r in listing.passed_over], unchanged=len(listing.stamped))
    known = records.hashes_of(file.source for file in listing.files)
    for file in listing.files:
        sha = known.get(file.source, "")
        stamp = file_stamp(file.stat, now)
        if again and file.source in known:
            plan.todo.append(_Todo(Path(file.path), False, stamp))
            continue
        path = Path(file.path)
        try:
            new_sha = file_sha256(path)
        except OSError as exc:
            plan.skipped.append({"source": file.source, "reason": f"cannot be read ({exc.strerror or exc})"})
            continue
        if sha == new_sha:
            plan.unchanged += 1
            plan.restamped[file.source] = (sha, stamp)
        else:
            plan.todo.append(_Todo(path, file.source not in known, stamp))
    # the documents elsewhere are neither compared nor removed; when every document is accounted for, none is gone
    # (the common case, counted, so that a reindex does not read a million sources to find that out)
    if len(listing.stamped) + len(known) < records.document_count(within):
        plan.gone = sorted(set(records.sources(within)) - set(listing.stamped) - set(known))
    return plan


def inside(source: str, within: Sequence[str]) -> bool:
    """Whether source is one of the files or folders `within` names, or lies in one of those folders."""
    return any(source == name or source.startswith(name + "/") for name in within)


def file_stamp(st: os.stat_result, now: int | None = None) -> str:
    """The file's stat_stamp, or "" while it may still be being written.

    Kept with the file's hash, it lets the next run skip hashing a file whose stamp is the same.
    A stamp taken within SETTLED_NS of the file's last change is not trusted: a second write in the
    same clock tick could leave the same stamp on different content. (A stamp that is the same as a
    trusted one needs no such check: the file has not changed since that one was taken.)"""
    if (now or time.time_ns()) - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLED_NS:
        return ""
    return stat_stamp(st)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the loader reports it


def _stamped(record: DocRecord) -> DocRecord:
    return DocRecord(**{**asdict(record), "indexed_at": time.time()})


def _quiet(done: int, total: int, desc: str) -> None:
    return None

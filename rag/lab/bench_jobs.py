"""The jobs of `python -m rag bench`, each run in a freshly spawned interpreter by rag.lab.bench.

A fresh process per job makes a job's timings and peak memory its own: no model, HNSW graph or
page cache of another pipeline is resident. Each job returns a plain dict of figures.
"""

from __future__ import annotations

import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.config import Settings
from rag.ingest.indexer import RECIPE, SETTLED_NS
from rag.lab.baseline import (
    BATCH_SIZE,
    COLLECTION,
    baseline_embeddings,
    build_baseline,
    chroma_settings,
    index_with_api,
    model_path,
    open_baseline,
    open_record_manager,
    stored_chunk_count,
)
from rag.lab.evaluate import write_corpus
from rag.lab.prefill import ReusedEmbeddings, ReusedEncoder
from rag.models.embeddings import load_embeddings
from rag.pipeline import Pipeline
from rag.stores.bookkeeping import ChunkRecord
from rag.stores.vectors import Store
from rag.types import Chunk

CHANGES = ("add", "edit", "delete", "none")  # none: a reindex with nothing changed since the last one
EDIT = "\n\nThis sentence was appended by the benchmark to change the document."
NOISE = 0.025  # per-dimension noise of a replica vector: cosine about 0.9 to the real vector it copies
_PAGE = 1000  # ids per Chroma read


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    Read from VmHWM, not ru_maxrss: a child started by vfork+exec (as multiprocessing's spawn is)
    inherits the parent's ru_maxrss, so a child of a large parent would report the parent's peak.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KB elsewhere
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kb / 1024, 1)


def apply_change(change: str, corpus_dir: Path, spare: tuple[str, str]) -> Path:
    """One file added (the spare document), edited (the first file) or deleted (the second file); none: nothing.
    The file changed (none: the first file, unchanged)."""
    files = sorted(corpus_dir.glob("*.txt"))
    if change == "add":
        write_corpus(corpus_dir, dict([spare]))
        return corpus_dir / f"{spare[0]}.txt"
    if change == "edit":
        with files[0].open("a", encoding="utf-8") as fh:
            fh.write(EDIT)
    elif change == "delete":
        files[1].unlink()
        return files[1]
    elif change != "none":
        raise ValueError(f"unknown change {change!r}; expected one of {CHANGES}")
    return files[0]


def latency(ms: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile and mean of query times in milliseconds."""
    values = np.asarray(ms, dtype=np.float64)
    return {
        "queries": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


# -- index builds and one-file changes ----------------------------------------------------------


def ours_session(settings: Settings, raw_encode: bool, fills: Sequence[tuple[Settings, int]], prefill: bool = False) -> dict:
    """Full build with Pipeline.index(), then the model's raw encode of the same chunks if asked.

    Last, the query-scale stores are filled from this index (fills: target settings and size), in this
    process because the model is already loaded; nothing measured above is affected. With prefill the
    build reuses vectors across the corpus's marked copies (rag.lab.prefill) and is no build time.
    """
    import torch

    started = time.perf_counter()
    model = load_embeddings(settings)
    encoder = ReusedEncoder(model) if prefill else model
    pipeline = Pipeline(settings, encoder)
    loaded = time.perf_counter()
    summary = pipeline.index()
    build = {
        "seconds": round(time.perf_counter() - loaded, 3),
        "model_load_s": round(loaded - started, 3),
        "documents": summary.documents,
        "chunks": summary.chunks,
        "chunks_embedded": summary.chunks_embedded,
        "skipped": len(summary.skipped),
        "peak_rss_mb": peak_rss_mb(),
        "torch_threads": torch.get_num_threads(),
        "embed_backend": pipeline.embeddings.backend,  # what 'auto' resolved to
    }
    if isinstance(encoder, ReusedEncoder):
        build.update(prefilled=True, chunks_embedded=encoder.embedded)
    result: dict = {"build": build}
    if raw_encode:
        texts = list(dict.fromkeys(c.text for c in stored_chunks(pipeline.store)))  # each distinct text, as the indexer embeds it
        result["raw_encode"] = encode_alone(lambda batch: pipeline.embeddings.encode(batch), texts)
    result["filled"] = [fill_ours(pipeline, target, size) for target, size in fills]
    pipeline.close()
    return result


def encode_alone(encode: Callable[[list[str]], object], texts: list[str]) -> dict:
    """The model alone over texts, in one call, through the same entry point and backend the pipeline measured uses."""
    started = time.perf_counter()
    encode(texts)
    seconds = time.perf_counter() - started
    return {"chunks": len(texts), "seconds": round(seconds, 3), "chunks_per_s": round(len(texts) / seconds, 2)}


def ours_reindex(settings: Settings, files: Sequence[str] | None = None) -> dict:
    """Pipeline.index() after one change, as `python -m rag index` runs it: a new process opens the index. With files,
    only those are brought in step (`python -m rag index FILE`, the page's Add reports): the corpus is not listed.

    Loading the model and opening the stores are timed apart; seconds is the reindex itself.
    """
    started = time.perf_counter()
    model = load_embeddings(settings)
    loaded = time.perf_counter()
    pipeline = Pipeline(settings, model)
    opened = time.perf_counter()
    summary = pipeline.index(files=files)
    figures = {
        "seconds": round(time.perf_counter() - opened, 3),
        "model_load_s": round(loaded - started, 3),
        "open_s": round(opened - loaded, 3),
        "documents": summary.documents,
        "chunks": summary.chunks,
        "chunks_embedded": summary.chunks_embedded,
    }
    pipeline.close()
    return figures


def baseline_session(
    settings: Settings, corpus_dir: Path, spare: tuple[str, str], workdir: Path, raw_encode: bool, fills: Sequence[tuple[Path, int]]
) -> dict:
    """Full build with the tutorial recipe, the model's raw encode of its chunks if asked, then a rebuild after each change.

    Last, the query-scale stores are filled from the full build (fills: target folder and size).
    """
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    embeddings = baseline_embeddings(settings)
    loaded = time.perf_counter()
    build, texts = _build_baseline(corpus_dir, embeddings, workdir / "build")
    result: dict = {"build": {**build, "model_load_s": round(loaded - started, 3), "peak_rss_mb": peak_rss_mb()}}
    if raw_encode:
        model = SentenceTransformer(model_path(), device="cpu")
        result["raw_encode"] = encode_alone(
            lambda batch: model.encode(batch, batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False), texts
        )
    result["reindex"] = {}
    for change in CHANGES:
        apply_change(change, corpus_dir, spare)
        result["reindex"][change] = _build_baseline(corpus_dir, embeddings, workdir / change)[0]
        shutil.rmtree(workdir / change)  # measured; at 10,000 documents each rebuilt store is some 100 MB
    result["filled"] = [fill_baseline(workdir / "build", target, size) for target, size in fills]
    return result


def _build_baseline(corpus_dir: Path, embeddings: Embeddings, persist_dir: Path) -> tuple[dict, list[str]]:
    started = time.perf_counter()
    documents, texts = build_baseline(corpus_dir, embeddings, persist_dir)
    seconds = round(time.perf_counter() - started, 3)
    return {"seconds": seconds, "documents": documents, "chunks": len(texts), "chunks_embedded": len(texts)}, texts


def api_build(settings: Settings, folder: Path, prefill: bool = False) -> dict:
    """Full build through LangChain's index() (folder holds corpus/, the Chroma store and the record manager).

    With prefill the embeddings reuse vectors across the corpus's marked copies (rag.lab.prefill).
    """
    started = time.perf_counter()
    model = baseline_embeddings(settings)
    embeddings = ReusedEmbeddings(model) if prefill else model
    loaded = time.perf_counter()
    build = {**_index_api(folder, embeddings), "model_load_s": round(loaded - started, 3), "peak_rss_mb": peak_rss_mb()}
    if isinstance(embeddings, ReusedEmbeddings):
        build.update(prefilled=True, chunks_embedded=embeddings.embedded)
    return build


def api_reindex(settings: Settings, folder: Path) -> dict:
    """index() after one change in a new process that re-opens the record manager and the store, as a re-run script does."""
    started = time.perf_counter()
    embeddings = baseline_embeddings(settings)
    return {**_index_api(folder, embeddings), "model_load_s": round(time.perf_counter() - started, 3)}


def _index_api(folder: Path, embeddings: Embeddings) -> dict:
    """Open the record manager and the store (open_s), then time loading, splitting and index() (seconds)."""
    started = time.perf_counter()
    record_manager, store = open_record_manager(folder), open_baseline(folder / "store", embeddings)
    opened = time.perf_counter()
    result = index_with_api(folder / "corpus", record_manager, store)
    seconds = round(time.perf_counter() - opened, 3)
    chunks = stored_chunk_count(folder / "store")
    return {
        "seconds": seconds,
        "open_s": round(opened - started, 3),
        "documents": result["documents"],
        "chunks": chunks,
        "chunks_embedded": result["num_added"] + result["num_updated"],
        "chunks_deleted": result["num_deleted"],
        "chunks_skipped": result["num_skipped"],
    }


# -- stores at query scale ------------------------------------------------------------------------


def stored_chunks(store: Store) -> list[Chunk]:
    """Every chunk of a store in reading order (document, then position)."""
    ids = sorted(store.ids())
    chunks = [c for i in range(0, len(ids), _PAGE) for c in store.get(ids[i : i + _PAGE])]
    return sorted(chunks, key=lambda c: (c.source, c.ord))


def replicas(pool: int, size: int) -> Iterator[tuple[int, int]]:
    """(replica number, how many pool items it takes) to reach size items; replica 0 is the real pool."""
    for replica in range(-(-size // pool)):
        yield replica, min(pool, size - replica * pool)


def replica_vectors(vectors: np.ndarray, replica: int, count: int) -> np.ndarray:
    """The vectors stored with replica `replica` of the first count chunks.

    Replica 0 is the real index. Replica r gives chunk i the vector (and, in fill_ours, the keyword
    tokens) of chunk i - r, the vector moved by noise: the chunks found for a question are then
    different texts, as in a real corpus. Replicas searched by their own text would make the answer
    step look cheaper than it is at scale (it embeds each distinct sentence once).
    """
    if not replica:
        return vectors[:count]
    return noisy(np.roll(vectors, replica, axis=0)[:count], replica)


def noisy(vectors: np.ndarray, seed: int) -> np.ndarray:
    """Unit vectors near the given ones (cosine about 0.9), reproducible from the seed."""
    rng = np.random.default_rng(seed)
    moved = vectors + NOISE * rng.standard_normal(vectors.shape).astype(np.float32)
    return (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)


def fill_ours(real: Pipeline, target: Settings, size: int) -> dict:
    """A store of `size` chunks: the real chunks of an index, then replicas (see replica_vectors).

    Each document of the fill is also written to the target's corpus folder (a replica's file holds the
    text of the file it copies) and recorded with its file stamp, so a reindex after one change can be
    timed on the filled index as on one built from its corpus.
    """
    started = time.perf_counter()
    pipeline = Pipeline(target, real.embeddings)
    chunks = stored_chunks(real.store)
    ids = [c.id for c in chunks]
    stored = {k: v for i in range(0, len(ids), _PAGE) for k, v in real.store.vectors(ids[i : i + _PAGE]).items()}
    vectors = np.stack([stored[i] for i in ids])
    tokens = {chunk_id: words.split() for chunk_id, _, words in real.records.keyword_rows()}
    documents = real.records.documents()
    # replicas repeat the real texts, so the real texts' sentence vectors serve them all
    pipeline.records.put_sentence_vectors(real.records.sentence_vectors(c.text_sha for c in chunks))
    for replica, count in replicas(len(chunks), size):
        part = [_renamed(c, replica) for c in chunks[:count]]
        pipeline.store.upsert(part, replica_vectors(vectors, replica, count))
        searched_as = [chunks[(i - replica) % len(chunks)].id for i in range(count)]  # keyword tokens follow the vector
        grouped = _by_source(part, chunks, [tokens[i] for i in searched_as])
        for source_name, rows in grouped.items():
            _copy_file(real.settings.corpus_dir / rows[0][1].source, target.corpus_dir / source_name)
        pipeline.records.replace(  # one transaction per replica: one per document made the fill crawl at 1,000,000 chunks
            [
                (replace(documents[rows[0][1].source], source=source_name, chunks=len(rows)), [record for record, _ in rows])
                for source_name, rows in grouped.items()
            ]
        )
    pipeline.records.put_meta(RECIPE, real.records.meta(RECIPE) or "")  # the copied chunks were cut by the real index's recipe
    time.sleep(SETTLED_NS / 1e9)  # a stamp taken sooner after a write is not trusted, and the file would be hashed again
    stamped = pipeline.index()  # hashes each written file once and keeps its stamp, as after any first reindex
    if stamped.changed or stamped.chunks_embedded:
        raise RuntimeError(f"the filled index does not match its corpus files: {stamped.to_dict()}")
    keywords = len(pipeline.keywords().ids)  # builds and saves the BM25 index for this bookkeeping generation
    filled = {"chunks": pipeline.store.count(), "keyword_rows": keywords, "real": min(size, len(chunks))}
    filled["seconds"] = round(time.perf_counter() - started, 1)
    pipeline.close()
    return filled


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _renamed(chunk: Chunk, replica: int) -> Chunk:
    return replace(chunk, id=f"{chunk.id}-r{replica}", source=f"r{replica}/{chunk.source}") if replica else chunk


def _by_source(part: list[Chunk], originals: list[Chunk], tokens: list[list[str]]) -> dict[str, list[tuple[ChunkRecord, Chunk]]]:
    """Bookkeeping rows of the chunks (with the keyword tokens given for each), grouped by document, each beside the chunk it copies."""
    grouped: dict[str, list[tuple[ChunkRecord, Chunk]]] = {}
    for chunk, original, words in zip(part, originals, tokens):
        record = ChunkRecord(chunk.id, chunk.text_sha, words)
        grouped.setdefault(chunk.source, []).append((record, original))
    return grouped


def fill_baseline(source_dir: Path, target_dir: Path, size: int) -> dict:
    """The recipe's store at `size` chunks, filled the same way: real chunks, then replicas."""
    import chromadb

    started = time.perf_counter()
    real = chromadb.PersistentClient(str(source_dir), settings=chroma_settings()).get_collection(COLLECTION)
    got = real.get(include=["documents", "metadatas", "embeddings"])
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    client = chromadb.PersistentClient(str(target_dir), settings=chroma_settings())
    target = client.get_or_create_collection(COLLECTION, embedding_function=None)
    batch = client.get_max_batch_size()
    for replica, count in replicas(len(got["ids"]), size):
        moved = replica_vectors(vectors, replica, count)
        suffix, prefix = (f"-r{replica}", f"r{replica}/") if replica else ("", "")
        for i in range(0, count, batch):
            end = min(i + batch, count)
            target.upsert(
                ids=[chunk_id + suffix for chunk_id in got["ids"][i:end]],
                embeddings=moved[i:end],
                documents=got["documents"][i:end],
                metadatas=[{**meta, "source": prefix + str(meta["source"])} for meta in got["metadatas"][i:end]],
            )
    return {"chunks": target.count(), "real": min(size, len(got["ids"])), "seconds": round(time.perf_counter() - started, 1)}


# -- serving queries ------------------------------------------------------------------------------


def serve_ours(settings: Settings, queries: Sequence[str], what: str) -> dict:
    """Pipeline.search (hybrid) or Pipeline.ask over the queries, the first one timed apart; for ask, also its answer step.

    Each runs in its own process: asking the questions a search has just run would find Chroma's
    pages for them already read, and look faster than a user's new question.
    """
    pipeline = Pipeline(settings)
    if what == "search":
        figures = _serve(pipeline.search, queries)
    else:
        steps: list[float] = []
        figures = _serve(lambda query: steps.append(pipeline.ask(query).timings_ms["answer"]), queries)
        figures["answer_step"] = latency(steps[1:])
    pipeline.close()
    return figures


def settle(settings: Settings, persist_dir: Path, query: str) -> dict:
    """Open both freshly filled stores once and query each, untimed, as a service running on them would
    have: the first process to open a store pays for Chroma applying its write log, and without this
    the timed search (the first process) paid it and the ask after it did not."""
    settle_ours(settings, query)
    open_baseline(persist_dir, baseline_embeddings(settings)).similarity_search(query, k=settings.top_k)
    return {}


def settle_ours(settings: Settings, query: str) -> dict:
    """Open ours' index once and search it, untimed (see settle)."""
    pipeline = Pipeline(settings)
    pipeline.search(query)
    pipeline.close()
    return {}


def serve_baseline(settings: Settings, persist_dir: Path, queries: Sequence[str]) -> dict:
    """similarity_search on the recipe's store over the queries, k as for ours; the first one timed apart."""
    store = open_baseline(persist_dir, baseline_embeddings(settings))
    return _serve(lambda query: store.similarity_search(query, k=settings.top_k), queries)


def _serve(call: Callable[[str], object], queries: Sequence[str]) -> dict:
    first = _ms(call, queries[0])
    warm = [_ms(call, query) for query in queries[1:]]
    return {"first_ms": round(first, 2), **latency(warm), "peak_rss_mb": peak_rss_mb()}


def _ms(call: Callable[[str], object], query: str) -> float:
    started = time.perf_counter()
    call(query)
    return (time.perf_counter() - started) * 1000

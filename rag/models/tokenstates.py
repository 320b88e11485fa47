"""Vectors pooled from a transformer's token states: of whole texts, and of sentences read in their passage.

A chunk's sentence vectors come from the same model pass as the chunk's own vector: the token
states that fall inside a sentence's characters are averaged, so the sentence is read with the
words around it (the "late chunking" of Günther et al., 2024) and costs no second model call.
The indexer stores them (rag.stores.bookkeeping), so an answer step only looks them up. On XQuAD they also
rank the answer sentence higher than sentences encoded alone (eval/RESULTS.md).

Two runners share the pooling: ONNX Runtime (rag.models.onnx) and torch (TorchEncoder, for
RAG_EMBED_BACKEND=torch). Only models made of a transformer with mean or CLS pooling qualify.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Spans = Sequence[tuple[int, int]]
_POOLING = ("mean", "cls")


def unsupported(model: SentenceTransformer) -> str:
    """Why the model's vectors cannot be pooled here (nor exported), or '' when they can."""
    kinds = [type(module).__name__ for module in model]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        return f"its modules are {' + '.join(kinds)}, not a transformer with pooling"
    if model[1].pooling_mode not in _POOLING:
        return f"its pooling is {model[1].pooling_mode!r}, not mean or cls"
    if model.prompts and any(model.prompts.values()):
        return "it adds prompts to its inputs"
    return ""


class TokenEncoder:
    """Unit vectors of texts and of spans of them, from token states a subclass computes (_hidden)."""

    micro_batch = 32  # texts per model call

    def __init__(self, model: SentenceTransformer) -> None:
        self.pooling = model[1].pooling_mode
        self.max_tokens = int(model.max_seq_length)
        self._tokenizer = copy.deepcopy(model.tokenizer)  # its padding state is per object: one for this encoder
        self._tokenizer_lock = threading.Lock()

    def _hidden(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        """Last hidden states, (texts, tokens, dimension), for tokenizer output."""
        raise NotImplementedError

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Normalised vectors in the order of texts; batches of similar length, longest first."""
        return self._run(texts, None, batch_size)[0]

    def encode_spans(self, texts: list[str], spans: Sequence[Spans], batch_size: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors of texts and, for each text, one unit vector per (start, end) character span of it.

        A span the model never reads (past its token limit) is encoded on its own instead.
        """
        vectors, pooled = self._run(texts, spans, batch_size)
        unread = [(i, j) for i, rows in enumerate(pooled) for j in range(len(rows)) if not rows[j].any()]
        if unread:
            alone = self._run([texts[i][slice(*spans[i][j])] for i, j in unread], None, batch_size)[0]
            for (i, j), vector in zip(unread, alone):
                pooled[i][j] = vector
        return vectors, pooled

    def _run(self, texts: list[str], spans: Sequence[Spans] | None, batch_size: int) -> tuple[np.ndarray, list[np.ndarray]]:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), []
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
        pooled: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
        step = max(1, min(batch_size, self.micro_batch))
        for start in range(0, len(texts), step):
            picked = order[start : start + step]
            batch_spans = [spans[i] for i in picked] if spans is not None else None
            batch_vectors, batch_pooled = self._batch([texts[i] for i in picked], batch_spans)
            for n, i in enumerate(picked):
                vectors[i] = batch_vectors[n]
                if batch_pooled is not None:
                    pooled[i] = batch_pooled[n]
        return np.stack(vectors), pooled

    def _batch(self, texts: list[str], spans: Sequence[Spans] | None) -> tuple[np.ndarray, list[np.ndarray] | None]:
        with self._tokenizer_lock:
            tokens = self._tokenizer(
                texts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="np",
                return_offsets_mapping=spans is not None,
            )
        offsets = tokens.pop("offset_mapping", None)
        hidden = self._hidden({name: np.asarray(value, dtype=np.int64) for name, value in tokens.items()})
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        if self.pooling == "cls":
            vectors = hidden[:, 0]
        else:
            vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        if spans is None or offsets is None:
            return unit(vectors), None
        return unit(vectors), [span_vectors(hidden[n], offsets[n], spans[n]) for n in range(len(texts))]


class TorchEncoder(TokenEncoder):
    """The same pooling over the model's torch transformer (RAG_EMBED_BACKEND=torch)."""

    def __init__(self, model: SentenceTransformer) -> None:
        super().__init__(model)
        self._transformer = model[0].auto_model

    def _hidden(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self._transformer(**{k: torch.from_numpy(v) for k, v in feed.items()}).last_hidden_state.float().numpy()


def span_vectors(hidden: np.ndarray, offsets: np.ndarray, spans: Spans) -> np.ndarray:
    """Unit mean of the token states inside each character span; a zero row where no token was read."""
    real = offsets[:, 1] > offsets[:, 0]  # special and padding tokens have empty offsets
    rows = np.zeros((len(spans), hidden.shape[-1]), dtype=np.float32)
    for j, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        if inside.any():
            rows[j] = hidden[inside].mean(axis=0)
    return unit(rows)


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero), as float32."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)

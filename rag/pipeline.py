"""The one object that owns the model, the store and the keyword index; shared by CLI, web app and tests."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.answering.extractive import EMPTY_INDEX, SentenceVectors, abstain, extractive_answer
from rag.answering.generate import AnswerStream, generative_stream
from rag.answering.questions import clean_question, resolve_followup
from rag.answering.retrieve import Mode, retrieve
from rag.config import Settings, calibrated
from rag.errors import RagError
from rag.ingest.indexer import Indexer, IndexSummary
from rag.models.embeddings import Encoder, as_encoder, load_embeddings
from rag.models.llm import load_chat_model
from rag.stores.bookkeeping import DocRecord, Records
from rag.stores.keyword import KeywordIndex, KeywordStore
from rag.stores.vectors import Store, index_description, make_client
from rag.types import Answer, Passage, Progress


class Pipeline:
    """Index and answer over one corpus; built once per process, safe to share between threads."""

    def __init__(self, settings: Settings, embeddings: Encoder | Embeddings | None = None) -> None:
        self.embeddings = as_encoder(embeddings or load_embeddings(settings))
        self.settings = settings = calibrated(settings, self.embeddings.name)
        self.description = index_description(settings, self.embeddings.name, self.embeddings.dimension)
        self.store = Store(make_client(settings), settings.collection, self.description)
        self.records = Records(settings.index_dir / "records.sqlite3")
        self.sentence_vectors = SentenceVectors(self.embeddings, stored=self.records.sentence_vectors)
        self.chat_model = load_chat_model(settings)  # None unless RAG_LLM names a language model
        self.keyword_store = KeywordStore(settings.index_dir / "keyword", self.records)
        self._checked = False

    # -- indexing -------------------------------------------------------------------------

    def index(self, rebuild: bool = False, progress: Progress | None = None) -> IndexSummary:
        """Bring the index in step with the corpus folder (or rebuild it), keyword search included."""
        indexer = Indexer(self.settings, self.embeddings, self.store, self.records, self.keyword_store)
        summary = indexer.run(rebuild=rebuild, progress=progress)
        self._checked = True
        return summary

    def keywords(self) -> KeywordIndex:
        """The keyword index of the current bookkeeping generation."""
        return self.keyword_store.current()

    # -- asking ---------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, sources: Sequence[str] | None = None, mode: Mode = "hybrid") -> list[Passage]:
        """Ranked passages for a query: hybrid by default, dense or keyword alone on request."""
        self._check()
        query = clean_question(query, self.settings.max_question_chars)
        vector = self.embeddings.encode_query(query) if mode != "keyword" else None
        allowed = self.resolve_sources(sources)
        return retrieve(query, vector, self.store, self.keywords(), self.settings, k or self.settings.top_k, allowed, mode)

    def ask(
        self,
        question: str,
        history: Sequence | None = None,
        k: int | None = None,
        sources: Sequence[str] | None = None,
    ) -> Answer:
        """A cited answer (extractive, or written by RAG_LLM and checked), or an abstention with the nearest passages."""
        return self.ask_stream(question, history, k, sources).finish()

    def ask_stream(
        self,
        question: str,
        history: Sequence | None = None,
        k: int | None = None,
        sources: Sequence[str] | None = None,
    ) -> AnswerStream:
        """The answer while it is written, for the chat: iterating yields the checked text so far; `.answer` at the end."""
        started = time.perf_counter()
        self._check()
        question = clean_question(question, self.settings.max_question_chars)
        resolved = resolve_followup(question, history)
        vector = self.embeddings.encode_query(resolved)
        allowed = self.resolve_sources(sources)
        passages = retrieve(resolved, vector, self.store, self.keywords(), self.settings, k or self.settings.top_k, allowed)
        retrieved = time.perf_counter()

        def label(answer: Answer) -> Answer:
            answer.question = question
            answer.resolved_question = resolved
            answer.timings_ms = _timings(started, retrieved, time.perf_counter())
            return answer

        if not passages:
            stream = AnswerStream.of(
                abstain(question, [], [], EMPTY_INDEX if self.store.count() == 0 else "No passage of the chosen reports matches this question.")
            )
        elif self.chat_model is None:
            stream = AnswerStream.of(
                extractive_answer(resolved, vector, passages, self.sentence_vectors, self.settings)
            )
        else:
            stream = generative_stream(resolved, vector, passages, self.sentence_vectors, self.chat_model, self.settings)
        return stream.then(label)

    def resolve_sources(self, sources: Sequence[str] | None) -> list[str] | None:
        """Exact document sources for filters naming files or folders; None means every document."""
        if not sources:
            return None
        known = list(self.records.documents())
        wanted = [s.strip().strip("/") for s in sources if s and s.strip().strip("/")]
        matched = [d for d in known if any(d == w or d.startswith(w + "/") or Path(d).name == w for w in wanted)]
        if not matched:
            raise RagError(f"No indexed document matches the source filter {', '.join(wanted)}; see python -m rag status.")
        return matched

    def _check(self) -> None:
        if not self._checked:
            self.store.check()
            self._checked = True

    # -- describing -----------------------------------------------------------------------

    def documents(self) -> list[DocRecord]:
        return list(self.records.documents().values())

    def status(self) -> dict:
        docs = self.documents()
        return {
            "documents": len(docs),
            "chunks": self.store.count(),
            "model": self.description["model"],
            "dimension": self.description["dimension"],
            "backend": self.embeddings.backend,
            "index": self.settings.chroma_url or str(self.settings.index_dir.resolve()),
            "corpus": str(self.settings.corpus_dir.resolve()),
            "last_update": max((d.indexed_at for d in docs), default=None),
            "problem": self.store.mismatch() if self.store.count() else "",
        }

    def close(self) -> None:
        self.records.close()


def _timings(started: float, retrieved: float, finished: float) -> dict[str, float]:
    return {
        "retrieve": round((retrieved - started) * 1000, 2),
        "answer": round((finished - retrieved) * 1000, 2),
        "total": round((finished - started) * 1000, 2),
    }

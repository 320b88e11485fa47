"""The one object that owns the model, the store and the keyword index; shared by CLI, web app and tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.answer import EMPTY_INDEX, Answer, SentenceVectors, abstain, calibrated, extractive_answer
from rag.config import Settings
from rag.embeddings import dimension, encode_query, load_embeddings, model_name
from rag.errors import RagError
from rag.generate import AnswerStream, generative_stream
from rag.indexer import Indexer, IndexSummary, Progress
from rag.keyword import KeywordIndex
from rag.llm import load_chat_model
from rag.questions import clean_question, resolve_followup
from rag.records import DocRecord, Records
from rag.retrieve import Mode, Passage, retrieve
from rag.store import Store, index_description, make_client


class Pipeline:
    """Index and answer over one corpus; built once per process, safe to share between threads."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.embeddings = embeddings or load_embeddings(settings)
        self.settings = settings = calibrated(settings, model_name(self.embeddings))
        self.description = index_description(settings, model_name(self.embeddings), dimension(self.embeddings))
        self.store = Store(make_client(settings), settings.collection, self.description)
        self.records = Records(settings.index_dir / "records.sqlite3")
        self.sentence_vectors = SentenceVectors(self.embeddings, stored=self.records.sentence_vectors)
        self.chat_model = load_chat_model(settings)  # None unless RAG_LLM names a language model
        self._keywords: KeywordIndex | None = None
        self._keywords_generation = -1
        self._keywords_lock = threading.Lock()
        self._checked = False

    # -- indexing -------------------------------------------------------------------------

    def index(self, rebuild: bool = False, progress: Progress | None = None) -> IndexSummary:
        """Bring the index in step with the corpus folder (or rebuild it) and refresh keyword search."""
        indexer = Indexer(self.settings, self.embeddings, self.store, self.records)
        summary = indexer.run(rebuild=rebuild, progress=progress)
        self._checked = True
        self._refresh_keywords(summary, *indexer.generations)  # now, not on the next question
        return summary

    def _refresh_keywords(self, summary: IndexSummary, before: int, after: int) -> None:
        """Bring the keyword index from the run's first bookkeeping generation to its last by dropping and
        adding the changed documents' rows; loaded, or built from every stored row, when that base is not at hand."""
        if after != before:
            folder = self.settings.index_dir / "keyword"
            with self._keywords_lock:
                base = self._keywords if self._keywords_generation == before else KeywordIndex.load(folder, before)
                if base is not None:
                    changed = [*summary.added, *summary.updated]
                    updated = base.updated([*changed, *summary.removed], self.records.keyword_rows(changed))
                    if len(updated.ids) == self.records.chunk_count():  # a guard: the bookkeeping is the truth
                        updated.save(folder, after)
                        self._keywords, self._keywords_generation = updated, after
                        return
        self.keywords()

    def keywords(self) -> KeywordIndex:
        """The keyword index of the current bookkeeping generation, reloaded after any reindex (this process or another)."""
        generation = self.records.generation()
        if self._keywords is None or generation != self._keywords_generation:
            with self._keywords_lock:
                if self._keywords is None or generation != self._keywords_generation:
                    self._keywords = self._load_keywords(generation)
                    self._keywords_generation = generation
        return self._keywords

    def _load_keywords(self, generation: int) -> KeywordIndex:
        """The saved keyword index of this generation, or one rebuilt from the stored tokens and saved."""
        folder = self.settings.index_dir / "keyword"
        keywords = KeywordIndex.load(folder, generation)
        if keywords is None:
            keywords = KeywordIndex.build(self.records.keyword_rows())
            keywords.save(folder, generation)
        return keywords

    # -- asking ---------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, sources: Sequence[str] | None = None, mode: Mode = "hybrid") -> list[Passage]:
        """Ranked passages for a query: hybrid by default, dense or keyword alone on request."""
        self._check()
        query = clean_question(query, self.settings.max_question_chars)
        vector = encode_query(self.embeddings, query) if mode != "keyword" else None
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
        vector = encode_query(self.embeddings, resolved)
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
            "backend": getattr(self.embeddings, "backend", "own"),  # torch, onnx, onnx-int8; 'own' for other Embeddings
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

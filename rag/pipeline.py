"""The one object that owns the model, the store and the keyword index; shared by CLI, web app and tests."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.answering.constraints import (
    DATING_CHUNKS,
    NAME_PREFIX,
    country_stems,
    fitting,
    named_documents,
    parse,
    source_names,
    source_runs,
    without_source,
    written_names,
)
from rag.answering.export import export
from rag.answering.extractive import EMPTY_INDEX, SentenceVectors, abstain, extractive_answer, not_mentioned, note_answer
from rag.answering.generate import AnswerStream, generative_stream
from rag.answering.notes import Note, asked_note, later_note, notes_of
from rag.answering.places import countries
from rag.answering.questions import clean_question, resolve_followup
from rag.answering.retrieve import Mode, missing_names, retrieve, with_rare_match
from rag.answering.wording import LANGUAGE_NAMES, Lang, every, language, say
from rag.config import AUTO_MODEL, DEFAULT_MODEL, E5_MODEL, INT8_SUFFIX, Settings, calibrated
from rag.errors import CorpusFileError, RagError
from rag.ingest.indexer import Indexer, IndexSummary, plan_changes
from rag.ingest.loaders import corpus_source, sample_scripts
from rag.ingest.pages import PageImage, render_page
from rag.ingest.uploads import corpus_file
from rag.models.embeddings import DeferredEncoder, Encoder, as_encoder, load_embeddings
from rag.models.llm import load_chat_model
from rag.stores.bookkeeping import DocRecord, Records
from rag.stores.keyword import KeywordIndex, KeywordStore
from rag.stores.vectors import Store, index_description, make_client
from rag.text import listed, script, tokenize
from rag.types import Answer, Chunk, Passage, Progress

MIXED_SHARE = 0.05  # a script holding less of the corpus's words than this counts as absent (names, quotes)
OPENING_CHUNKS = 3  # a document's period is read in its first passages when its title names none
CONTEXT_CHUNKS = 2  # passages shown on each side of a quoted one in the text view of a report that is no PDF
PERIOD_DEPTH = 3  # a question naming a period retrieves this many times k passages, to find k of that period
SOURCE_CHUNKS = 50  # passages read for the name of a question's source, among the retrieved reports


class Pipeline:
    """Index and answer over one corpus; built once per process, safe to share between threads."""

    def __init__(self, settings: Settings, embeddings: Encoder | Embeddings | None = None) -> None:
        # RAG_EMBED_MODEL=auto: the model the index was built with; a new index's model is chosen by the corpus's languages
        self.requested = settings
        self.auto = embeddings is None and settings.embed_model == AUTO_MODEL
        self.client = make_client(settings)
        self.records = Records(settings.index_dir / "records.sqlite3")
        recorded = recorded_description(self.client, settings.collection)  # read once: the model choice and its stand-in use it
        if self.auto:
            settings = replace(settings, embed_model=recorded_model(recorded) or corpus_model(settings.corpus_dir))
        self._use(settings, as_encoder(embeddings) if embeddings is not None else deferred_model(recorded, settings))
        self.chat_model = load_chat_model(settings)  # None unless RAG_LLM names a language model
        self.keyword_store = KeywordStore(settings.index_dir / "keyword", self.records)
        self._checked = False
        self._texts: dict[tuple[str, str, int, int], str] = {}  # a document's passages' text (_document_text)
        self._texts_lock = threading.Lock()
        self._titles: tuple[int, dict[str, str]] = (-1, {})  # (bookkeeping generation, source -> title): _document_titles

    def _use(self, settings: Settings, embeddings: Encoder) -> None:
        """Serve with this model: its calibration, the index description it implies, its sentence vectors."""
        self.embeddings = embeddings
        self.settings = settings = calibrated(settings, embeddings.name)
        self.description = index_description(settings, embeddings.name, embeddings.dimension)
        self.store = Store(self.client, settings.collection, self.description)
        self.sentence_vectors = SentenceVectors(embeddings, stored=self.records.sentence_vectors)

    # -- indexing -------------------------------------------------------------------------

    def index(
        self, rebuild: bool = False, progress: Progress | None = None, verify: bool = False, collection: str | None = None,
        files: Sequence[str] | None = None,
    ) -> IndexSummary:
        """Bring the index in step with the corpus folder (or rebuild it), keyword search included; verify compares
        every chunk id of the two stores first (rag.ingest.indexer does so by itself when they may disagree). With a
        collection, only that sub-folder of the corpus is read and brought in step; the others are left as they are. With
        files (paths inside the corpus folder, or sources as indexed: files or folders), only those are: a file added,
        changed or deleted is brought in step without listing the rest of the corpus, which at 300,000 files takes
        seconds.

        Under RAG_EMBED_MODEL=auto a rebuild, or a first build into an empty index, chooses the model again
        from the corpus as it is now (a corpus that gained Russian reports moves to the multilingual model).
        """
        if collection and rebuild:
            raise RagError(f"--rebuild rebuilds the whole index; to read the collection {collection!r} again, reindex without it.")
        if files is not None and (rebuild or collection):
            raise RagError("Name files to reindex, or a collection, or --rebuild: one of them (files name their folder themselves).")
        if files is not None and not files:
            raise RagError("No file was named to reindex.")
        if self.auto and (rebuild or self.store.count() == 0):
            chosen = corpus_model(self.settings.corpus_dir)
            if chosen != self.settings.embed_model:
                settings = replace(self.requested, embed_model=chosen)
                self._use(settings, as_encoder(load_embeddings(settings)))
        within = [corpus_source(self.settings.corpus_dir, name) for name in files or ()]
        if collection:
            within = [self.collection_folder(collection)]
        indexer = Indexer(self.settings, self.embeddings, self.store, self.records, self.keyword_store)
        summary = indexer.run(rebuild=rebuild, progress=progress, verify=verify, within=within)
        self._checked = True
        return summary

    def warm(self) -> None:
        """Load the model now (a pipeline over an existing index loads it at its first use: a reindex with nothing
        to embed never needs it), so a server's first question does not wait for it."""
        self.embeddings.encode_query("warm-up")
        countries()  # the country names the answer checks read (half a second, once)

    def keywords(self) -> KeywordIndex:
        """The keyword index of the current bookkeeping generation."""
        return self.keyword_store.current()

    # -- asking ---------------------------------------------------------------------------

    def search(
        self, query: str, k: int | None = None, sources: Sequence[str] | None = None, mode: Mode = "hybrid",
        collections: Sequence[str] | None = None,
    ) -> list[Passage]:
        """Ranked passages for a query: hybrid by default, dense or keyword alone on request; within the collections
        (corpus sub-folders) when given."""
        self._check()
        query = clean_question(query, self.settings.max_question_chars)
        vector = self.embeddings.encode_query(query) if mode != "keyword" else None
        allowed = self.resolve_sources(sources, collections)
        return retrieve(query, vector, self.store, self.keywords(), self.settings, k or self.settings.top_k, allowed, mode)

    def ask(
        self,
        question: str,
        history: Sequence | None = None,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        collections: Sequence[str] | None = None,
    ) -> Answer:
        """A cited answer (extractive, or written by RAG_LLM and checked), or an abstention with the nearest passages;
        from the collections (corpus sub-folders) given, else from every document."""
        return self.ask_stream(question, history, k, sources, collections).finish()

    def ask_stream(
        self,
        question: str,
        history: Sequence | None = None,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        collections: Sequence[str] | None = None,
    ) -> AnswerStream:
        """The answer while it is written, for the chat: iterating yields the checked text so far; `.answer` at the end."""
        started = time.perf_counter()
        self._check()
        question = clean_question(question, self.settings.max_question_chars)
        resolved = resolve_followup(question, history)
        vector = self.embeddings.encode_query(resolved)
        allowed = self.resolve_sources(sources, collections)
        constraints = parse(resolved)
        k = k or self.settings.top_k
        # a question about a period looks deeper, and answers from the passages of that period when there are any; one
        # asking what something means looks deeper too, for the passages that define
        deeper = constraints.period or constraints.wanted == "definition"
        keywords = self.keywords()  # one generation for the whole question, though a reindex may publish the next meanwhile
        # a name no report writes constrains nothing (a misspelt acronym, a full name the reports abbreviate); a name is
        # written in any form sharing its first letters, as the quotes are read (the question's "Ярославу" stems apart
        # from the report's "Ярослав"); a country's name always counts, written in the other language or not at all
        # ("в Нигерии" asked of English reports, which write "Nigeria")
        held, country = keywords.holding(constraints.names), country_stems(constraints.names)
        written = [
            n for n, count in held.items() if count or n in country or (len(n) > NAME_PREFIX and keywords.starting(n[:NAME_PREFIX]))
        ]
        constraints = replace(constraints, names=tuple(written))
        # a question asking what one organisation or report says looks in the documents it names so, when some are
        named = self.named_sources(resolved, allowed) if not sources else None
        looked_in = named or allowed
        depth = k * PERIOD_DEPTH if deeper else k
        found = retrieve(resolved, vector, self.store, keywords, self.settings, depth, looked_in, keyword_query=without_source(resolved))
        if not found and named:  # the documents named hold no passage (a scan without text)
            looked_in, named = allowed, None
            found = retrieve(resolved, vector, self.store, keywords, self.settings, depth, allowed, keyword_query=without_source(resolved))
        # otherwise it is answered from the documents that write the source's names somewhere (its report, or one quoting it)
        found, uncited = (found, []) if named else citing(resolved, found, keywords, self.store)
        passages = fitting(found, constraints, self.opening, self.preceding)[:k] or found[:k]
        passages = with_rare_match(passages, resolved, self.store, keywords, looked_in)
        retrieved = time.perf_counter()

        lang = language(question)

        def label(answer: Answer) -> Answer:
            if answer.abstained and answer.answer.startswith(every("not_answered")) and keywords.ids:  # the index is not empty
                # (its keyword rows are its chunks: counting the store's costs 0.1 s at a million chunks)
                answer.answer = " ".join(filter(None, [answer.answer, self.language_note(resolved)]))
            if answer.abstained and sources:
                answer.answer = f"{answer.answer} {filtered_note(allowed or [], lang)}"
            elif answer.abstained and collections is not None:
                answer.answer = f"{answer.answer} {say('collection', lang, names=', '.join(collections))}"
            answer.question = question
            answer.resolved_question = resolved
            answer.timings_ms = _timings(started, retrieved, time.perf_counter())
            return answer

        missing = missing_names(resolved, keywords) if passages and not uncited else []
        if not passages:
            stream = AnswerStream.of(
                abstain(question, [], [], EMPTY_INDEX if not keywords.ids else say("no_passage", lang))
            )
        elif note := asked_note(resolved):  # one note by its number: looked up, not ranked ("What does footnote 67 say?")
            hits = keywords.search_tokens([note], NOTE_CHUNKS, looked_in)
            titles = {source: title for source, title in self._document_titles().items() if looked_in is None or source in looked_in}
            chunks = self.store.get([i for i, _ in hits])
            stream = AnswerStream.of(note_answer(question, note, chunks, titles, self.opening, keywords.rarity))
        elif uncited or missing:  # no retrieved report is the source asked about or quotes it; or the reports never
            # write a name the question gives exactly: they do not answer about it (the quotes it would have given are
            # shown as the nearest)
            shown = extractive_answer(
                resolved, vector, passages, self.sentence_vectors, self.settings, constraints, question, self.opening, keywords.rarity
            )
            message = say("uncited", lang, source=" ".join(uncited)) if uncited else ""
            stream = AnswerStream.of(not_mentioned(shown, uncited or missing, message))
        elif self.chat_model is None:
            stream = AnswerStream.of(
                extractive_answer(
                    resolved, vector, passages, self.sentence_vectors, self.settings, constraints, question, self.opening,
                    keywords.rarity, self.store.page, self.preceding, self.note,
                )
            )
        else:
            stream = generative_stream(resolved, vector, passages, self.sentence_vectors, self.chat_model, self.settings)
        return stream.then(label)

    def note(self, source: str, number: str, page: int) -> Note | None:
        """The note a mark on that page of a document points to: at the foot of the page, else on a later page (a
        report's endnotes), looked for among the document's passages holding the number."""
        found = notes_of(self.store.page(source, page)).get(number)
        if found is None:
            hits = self.keywords().search_tokens([number], NOTE_CHUNKS, [source])
            found = later_note(self.store.get([i for i, _ in hits]), number, page)
        return found

    def opening(self, chunk: Chunk) -> str:
        """The opening passages of a chunk's document, where a report states its period."""
        return self._document_text(chunk, 0, OPENING_CHUNKS - 1)

    def preceding(self, chunk: Chunk, chunks: int = DATING_CHUNKS) -> str:
        """The text of the `chunks` passages of a chunk's document before it: where the last date before it is
        (DATING_CHUNKS), or the heading of the section it sits in (SECTION_CHUNKS; rag.answering.constraints)."""
        return self._document_text(chunk, chunk.ord - chunks, chunk.ord - 1)

    def _document_text(self, chunk: Chunk, first: int, last: int) -> str:
        """The text of a chunk's document's passages first to last, cached per document version: every quote of an
        answer may ask for its document's opening or the passages before it."""
        key = (chunk.source, chunk.sha256, first, last)
        with self._texts_lock:
            if key in self._texts:
                return self._texts[key]
        text = "\n".join(c.text for c in self.document_chunks(chunk.source, first, last))
        with self._texts_lock:
            if len(self._texts) >= 4096:
                self._texts.clear()
            self._texts[key] = text
        return text

    def languages(self) -> dict[str, float]:
        """Share of the indexed words in each language (told by script), a language under MIXED_SHARE left out."""
        return {LANGUAGE_NAMES["en"][name]: round(share, 3) for name, share in self.keywords().scripts().items() if share >= MIXED_SHARE}

    def reads_across_languages(self) -> bool:
        """Whether the model matches a question with text in another language (it has a calibrated cross-language bonus)."""
        return bool(self.settings.cross_language_bonus)

    def language_advice(self) -> str:
        """When the reports are in two languages and the model reads one at a time: what that costs, and the way out."""
        held = list(self.languages())
        if self.reads_across_languages() or len(held) < 2:
            return ""
        return (
            f"The reports are in {' and '.join(held)}, and the model {self.embeddings.name} matches a question only with "
            f"text in the question's language: to ask across languages, {self.cross_language_way_out()}"
        )

    def cross_language_way_out(self, lang: Lang = "en") -> str:
        """How to move this index to the multilingual model: a rebuild under auto (it then chooses it), else the setting too."""
        return say("rebuild" if self.auto else "set_and_rebuild", lang, model=E5_MODEL)

    def language_note(self, question: str) -> str:
        """For an abstention under a model that does not read across languages: what the reports hold in the
        other language, and the setting that would read them ("" when the reports are in the question's language);
        in the question's language."""
        if self.reads_across_languages():
            return ""
        asked = script(question)
        shares = self.keywords().scripts()
        other = "latin" if asked == "cyrillic" else "cyrillic"
        if shares.get(other, 0.0) < MIXED_SHARE:
            return ""
        lang = language(question)
        names = LANGUAGE_NAMES[lang]
        key = "no_report_in_language" if shares.get(asked, 0.0) < MIXED_SHARE else "some_reports_in_other"
        return say(key, lang, ask=names[asked], hold=names[other], model=self.embeddings.name, way_out=self.cross_language_way_out(lang))

    def named_sources(self, question: str, within: Sequence[str] | None = None) -> list[str] | None:
        """The documents (of those within, when given) a question names as its source by their file name or title
        ("According to OVD-Info, …"), or None (see constraints.named_documents)."""
        if not source_names(question):
            return None
        titles = self._document_titles()
        return named_documents(question, titles if within is None else {source: titles[source] for source in within if source in titles})

    def _document_titles(self) -> dict[str, str]:
        """Every document's title by source, read again only after a reindex changed the documents: a question naming
        a report is matched against all of them, and at 300,000 documents a read takes a fifth of a second."""
        generation = self.records.generation()
        if self._titles[0] != generation:
            self._titles = (generation, self.records.titles())
        return self._titles[1]

    def resolve_sources(self, sources: Sequence[str] | None, collections: Sequence[str] | None = None) -> list[str] | None:
        """Exact document sources for filters naming files or folders, within the collections when given; None means
        every document."""
        if not sources and collections is None:
            return None
        known = self.records.sources()
        if collections is not None:
            folders = [self.collection_folder(c) for c in collections]
            known = [d for d in known if any(d.startswith(f + "/") for f in folders)]
            if not known:
                raise RagError(f"No indexed document in the collection {', '.join(folders) or '(none)'}; see python -m rag status.")
            if not sources:
                return known
        wanted = [s.strip().strip("/") for s in sources or [] if s and s.strip().strip("/")]
        matched = [d for d in known if any(d == w or d.startswith(w + "/") or Path(d).name == w for w in wanted)]
        if not matched:
            raise RagError(f"No indexed document matches the source filter {', '.join(wanted)}; see python -m rag status.")
        return matched

    def document_count(self, collections: Sequence[str] | None = None) -> int:
        """How many documents the index holds, or holds in those collections (without reading their records)."""
        if collections is None:
            return self.records.document_count()
        return self.records.document_count([str(c).strip("/") for c in collections]) if collections else 0

    def indexed(self, sources: Sequence[str]) -> set[str]:
        """Those of the sources (exact, as the index names them) that are indexed documents."""
        return self.records.indexed(sources)

    def collections(self) -> dict[str, int]:
        """The corpus's collections (its top-level sub-folders holding indexed documents), each with its document count."""
        return self.records.folder_counts()

    def collection_folder(self, name: str) -> str:
        """A collection's name checked: one sub-folder of the corpus, by its plain name (no path, no link)."""
        name = str(name or "").strip().strip("/")
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            raise RagError(f"--collection {name!r}: a collection is one sub-folder of the corpus, named plainly (e.g. 'haiti').")
        folder = self.settings.corpus_dir / name
        if folder.is_symlink() or not folder.is_dir():
            raise RagError(f"--collection {name!r}: no such folder in the corpus ({self.settings.corpus_dir}); collections: "
                           f"{', '.join(self.collections()) or 'none yet'}.")
        return name

    def _check(self) -> None:
        if not self._checked:
            self.store.check()
            self._checked = True

    # -- describing -----------------------------------------------------------------------

    def documents(self) -> list[DocRecord]:
        return list(self.records.documents().values())

    def export(self, answers: Sequence[Answer], fmt: str = "md") -> bytes:
        """Answers as a document with footnotes that prove each quote (rag.answering.export): "md", "docx" or "odt"."""
        return export(answers, self.records.documents(), fmt)

    def report_file(self, source: str) -> Path:
        """The file of an indexed document, inside the corpus folder; anything else is refused."""
        if source not in self.records.hashes_of([source]):
            raise CorpusFileError(f"{source}: not an indexed document; python -m rag status lists them.")
        return corpus_file(self.settings.corpus_dir, source)

    def page_image(self, source: str, page: int, quotes: Sequence[str] = ()) -> PageImage:
        """Page `page` of an indexed PDF rendered as an image, each quote marked where it stands (rag.ingest.pages)."""
        path = self.report_file(source)
        if path.suffix.lower() != ".pdf":
            raise CorpusFileError(f"{source}: pages can be shown for PDF reports only; its passages are shown as text.")
        return render_page(path, page, list(quotes))

    def passage_context(self, chunk_id: str, step: int = 0) -> tuple[list[Chunk], bool, bool]:
        """The passage `chunk_id` with CONTEXT_CHUNKS passages on each side, in reading order, for reports whose pages
        cannot be shown (text, Word, web pages); step moves the window that many widths back (< 0) or on. Also
        whether there is text before and after the window. The passage must be one of an indexed document."""
        found = self.store.get([str(chunk_id)])
        if not found:
            raise CorpusFileError(f"passage {chunk_id!r}: not in the index (a reindex may have replaced it); ask again.")
        chunk, width = found[0], 2 * CONTEXT_CHUNKS + 1
        middle = max(chunk.ord + int(step) * width, CONTEXT_CHUNKS)
        ids = self.records.chunk_ids_in_order(chunk.source)  # read once: the window's passages and whether text follows it
        chunks = self.document_chunks(chunk.source, middle - CONTEXT_CHUNKS, middle + CONTEXT_CHUNKS, ids)
        return chunks, middle - CONTEXT_CHUNKS > 0, middle + CONTEXT_CHUNKS < len(ids) - 1

    def document_chunks(self, source: str, first: int, last: int, ids: list[str] | None = None) -> list[Chunk]:
        """A document's chunks numbered first to last in reading order, fetched by their ids (the bookkeeping keeps them
        in reading order; ids: those already read): a keyed read, where a metadata filter over the store scans it (about
        3 s at a million chunks, for every document an answer's period check opens). Should the two disagree, the
        store's filter decides."""
        ids = self.records.chunk_ids_in_order(source) if ids is None else ids
        first, last = max(first, 0), min(last, len(ids) - 1)
        if first > last:
            return []
        found = sorted((c for c in self.store.get(ids[first : last + 1]) if first <= c.ord <= last), key=lambda c: c.ord)
        return found if len(found) == last - first + 1 else self.store.around(source, first, last)

    def failures(self) -> dict[str, str]:
        """Corpus files the last reindex could not index, with the reason (corrupt, encrypted, unsupported...)."""
        return self.records.failures()

    def waiting(self) -> dict[str, str]:
        """What the next reindex would change, changing nothing: each report file not indexed yet or changed since it
        was, and each document whose file is gone, with a word saying which ("new", "changed", "removed"). Files the
        last reindex could not read are left to failures()."""
        plan = plan_changes(self.settings.corpus_dir, self.records)
        root, failed = self.settings.corpus_dir.resolve(), self.records.failures()
        waiting = {Path(todo.path).relative_to(root).as_posix(): "new" if todo.is_new else "changed" for todo in plan.todo}
        waiting.update((source, "removed") for source in plan.gone)
        return {source: what for source, what in sorted(waiting.items()) if source not in failed}

    def status(self) -> dict:
        docs = self.documents()
        return {
            "documents": len(docs),
            "chunks": self.store.count(),
            "model": self.description["model"],
            "dimension": self.description["dimension"],
            "backend": self.embeddings.backend,
            "languages": self.languages(),
            "reads_across_languages": self.reads_across_languages(),
            "language_advice": self.language_advice(),
            "index": self.settings.chroma_url or str(self.settings.index_dir.resolve()),
            "corpus": str(self.settings.corpus_dir.resolve()),
            "last_update": max((d.indexed_at for d in docs), default=None),
            "collections": self.collections(),
            "waiting": self.waiting(),
            "unreadable": self.failures(),
            "problem": self.store.mismatch() if self.store.count() else "",
        }

    def close(self) -> None:
        self.records.close()


NOTE_CHUNKS = 400  # passages holding a note's number read for the note itself (a number is in many passages)


def citing(question: str, found: list[Passage], keywords: KeywordIndex, store: Store) -> tuple[list[Passage], list[str]]:
    """The passages of documents that write every name of the source the question asks about ("According to Amnesty
    International, …") somewhere, a name's words in a row, as its report or quoting it; when none does, all the
    passages and the source as written (the answer is then that no report by it or quoting it answers). Words compare
    by their first NAME_PREFIX letters, so "Черкасова" is written by "Черкасов"; a report on gang amnesties that
    thanks international partners does not write "Amnesty International". A name is looked for only in the passages
    of its own alphabet (names are spelt apart across languages: "по данным Службы … США" is not checked against an
    English report, which is kept), and a two-letter acronym inside a longer name may be left out ("the UN
    Secretary-General's report" is by the Secretary-General)."""
    runs = source_runs(question)
    words = [word for run in runs for word in run]
    if not runs or not found:
        return found, []
    writing = {p.chunk.source for p in found}
    alphabet = {p.chunk.source: script(p.chunk.text) for p in found}
    acronyms = {stem for word in _ACRONYM.findall(question) for stem in tokenize(word)}
    # an acronym no report writes is the asker's shorthand ("the Secretary-General's CRSV report" for the one on
    # conflict-related sexual violence): the rest of the name is looked for
    shorthand = {stem for stem in acronyms if not keywords.starting(stem[:NAME_PREFIX])}
    for run in filter(None, (tuple(word for word in run if word not in shorthand) for run in runs)):
        same = {source for source in writing if alphabet[source] == script(" ".join(run))}
        if not same:
            continue
        core = tuple(word for word in run if word not in acronyms or len(word) > 2) or run
        forms = {word: keywords.starting(word[:NAME_PREFIX]) for word in core}
        rarest = min(core, key=lambda word: sum(keywords.holding(forms[word]).values()))
        hits = keywords.search_tokens(forms[rarest], SOURCE_CHUNKS, sorted(same)) if forms[rarest] else []
        writers = {chunk.source for chunk in store.get([i for i, _ in hits]) if _in_a_row(core, tokenize(chunk.text))}
        writing = (writing - same) | writers
        if not writing:
            return found, written_names(question, words)
    return [p for p in found if p.chunk.source in writing], []


_ACRONYM = re.compile(r"\b[A-ZА-ЯЁ]{2,6}\b")


def _in_a_row(words: Sequence[str], tokens: Sequence[str]) -> bool:
    """Whether tokens hold the words one after another, each compared by its first NAME_PREFIX letters."""
    wanted = [word[:NAME_PREFIX] for word in words]
    starts = [token[:NAME_PREFIX] for token in tokens]
    return any(starts[i : i + len(wanted)] == wanted for i in range(len(starts) - len(wanted) + 1))


def recorded_model(recorded: dict) -> str:
    """The model a non-empty index was built with (recorded_description), as RAG_EMBED_MODEL names it ('' for a new
    or empty index)."""
    return str(recorded.get("model", "")).removesuffix(INT8_SUFFIX) if recorded.get("chunks") else ""


def recorded_description(client, collection: str) -> dict:
    """What an index recorded of the model it was built with (its description) and how many chunks it holds; {} for
    a new index."""
    try:
        found = client.get_collection(collection)
    except Exception:  # no such collection yet: a new index
        return {}
    return {**(found.metadata or {}), "chunks": found.count()}


def deferred_model(recorded: dict, settings: Settings) -> Encoder:
    """The settings' model, loaded at its first use when the index records it (recorded_description) by the same name
    and vector size, so a reindex with nothing to embed never loads it; loaded at once otherwise (a new index, another
    model)."""
    if settings.embed_model == AUTO_MODEL:
        settings = replace(settings, embed_model=DEFAULT_MODEL)
    model, dimension = str(recorded.get("model", "")), recorded.get("dimension")
    if model and dimension and model.removesuffix(INT8_SUFFIX) == settings.embed_model:
        return DeferredEncoder(lambda: load_embeddings(settings), model, int(dimension))
    return load_embeddings(settings)


def corpus_model(corpus_dir: Path) -> str:
    """The model for a new index of this corpus: the fast English one for English reports, the multilingual one
    as soon as a sample of the reports holds Russian (another script) in more than a trace."""
    return E5_MODEL if sample_scripts(corpus_dir).get("cyrillic", 0.0) >= MIXED_SHARE else DEFAULT_MODEL


def filtered_note(allowed: Sequence[str], lang: Lang = "en") -> str:
    """What an abstention under a document filter adds: the search covered only the chosen reports."""
    return say("filtered", lang, sources=listed(allowed))


def _timings(started: float, retrieved: float, finished: float) -> dict[str, float]:
    return {
        "retrieve": round((retrieved - started) * 1000, 2),
        "answer": round((finished - retrieved) * 1000, 2),
        "total": round((finished - started) * 1000, 2),
    }

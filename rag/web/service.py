"""What the chat page does, without Gradio: answer (streamed), reindex, upload, delete, record feedback.

app.py places the components and wires their events to a ChatService; everything the events do is
here, so it is tested without a browser.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import html
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.answering.questions import previous_questions
from rag.errors import RagError
from rag.ingest.indexer import IndexSummary
from rag.ingest.loaders import corpus_source
from rag.ingest.uploads import delete_document, save_upload
from rag.pipeline import Pipeline
from rag.text import listed
from rag.types import EXPORT_EXTENSIONS, Answer, Progress
from rag.web import render
from rag.web.feedback import append_feedback, feedback_record

MAX_MARKED_QUOTES = 10  # quotes a page view marks at once (an answer quotes at most a few)
STREAM_PAUSE = 0.03  # seconds between streamed pieces: fast, but visibly progressive
Messages = list[dict[str, Any]]
Answers = dict[int, Answer]


@dataclass
class ChatUpdate:
    """One step of the chat: the messages, the sources panel, the answers so far (chat position -> Answer), what the
    question box holds, a note under the chat, and whether the last answer read the question as a follow-up."""

    messages: Messages
    panel: str
    answers: Answers
    question: str = ""
    note: str = ""
    interpreted: bool = False


@dataclass
class DocumentsView:
    """What the page shows of the corpus: the table, the sources sidebar's checkboxes (the filter) and status, the delete
    list, example questions and the collections to choose from."""

    rows: list[list]
    choices: list[tuple[str, str]]
    removable: list[tuple[str, str]]
    examples: list[dict[str, str]]
    collections: list[str]
    summary: str = ""


class ChatService:
    """What the page's events do, without Gradio: answer, reindex, upload, delete, record feedback."""

    def __init__(self, pipeline: Pipeline, access: Mapping[str, Sequence[str]] | None = None) -> None:
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.access = {user: tuple(collections) for user, collections in (access or {}).items()}  # rag.web.auth.parse_access
        self._download_dir: Path | None = None
        self._salt = os.urandom(16)

    def scope(self, user: str | None, chosen: str | None = None) -> list[str] | None:
        """The collections a user's questions search: the one chosen on the page (when the user may), else all the
        user may reach; None for every document (a user RAG_AUTH does not limit, no collection chosen)."""
        allowed = self.access.get(user or "")
        if chosen:
            if allowed is not None and chosen not in allowed:
                raise RagError(f"The collection {chosen} is not one of yours.")
            return [chosen]
        return list(allowed) if allowed is not None else None

    def permits(self, source: str, user: str | None) -> bool:
        """Whether a user may read a document (its file, its pages, its passages)."""
        return _within(str(source), self.access.get(user or ""))

    def _exists(self, collection: str) -> bool:
        try:
            return bool(self.pipeline.collection_folder(collection))
        except RagError:
            return False  # a collection a login names but the corpus does not hold (yet)

    def collections(self, user: str | None) -> list[str]:
        """The collections a user may choose on the page."""
        allowed = self.access.get(user or "")
        return [c for c in self.pipeline.collections() if allowed is None or c in allowed]

    def respond(
        self,
        question: str,
        history: Messages | None,
        sources: Sequence[str] | None,
        answers: Answers | None,
        alone: bool = False,
        user: str | None = None,
        collection: str | None = None,
        ticked: bool = False,
    ) -> Iterator[ChatUpdate]:
        """Stream the answer into the chat: checked sentences as a language model writes them, or the quotes a few
        words at a time. `alone` asks the question as written, not as a follow-up of the conversation; with `ticked`,
        sources are the reports ticked in the sidebar (see ticked()). A question that cannot be asked leaves the chat as
        it was and the question in its box, with the reason in the note."""
        earlier = list(history or [])
        turn = [*earlier, {"role": "user", "content": render.chat_text(question or "")}]
        answers = dict(answers or {})
        panel = render.sources_html(answers)
        try:
            asked = None if alone else _questions_of(earlier)
            sources = self.ticked(sources, user, collection) if ticked else list(sources or []) or None
            stream = self.pipeline.ask_stream(question, history=asked, sources=sources, collections=self.scope(user, collection))
            shown = None  # each piece is held back one step: the last one goes out with the sources panel
            for text in stream:
                pieces = render.progressive(render.chat_text(text)) if self.pipeline.chat_model is None else [render.chat_text(text)]
                for piece in pieces:
                    if shown is not None:
                        yield ChatUpdate([*turn, _assistant(shown)], panel, answers)
                        time.sleep(STREAM_PAUSE)
                    shown = piece
            answer = stream.answer
        except RagError as exc:
            reason = render.markdown_literal(render.for_readers(str(exc)))
            yield ChatUpdate(earlier, panel, answers, question=question, note=f"**Not asked:** {reason}")
            return
        answers[len(turn)] = answer
        interpreted = bool(answer.resolved_question) and answer.resolved_question != answer.question
        yield ChatUpdate([*turn, _assistant(render.answer_html(answer, len(turn)))], render.sources_html(answers), answers, interpreted=interpreted)

    def ask_as_written(
        self, history: Messages | None, sources: Sequence[str] | None, answers: Answers | None, user: str | None = None,
        collection: str | None = None, ticked: bool = False,
    ) -> Iterator[ChatUpdate]:
        """Ask the last question again as written, without leaning on the turns before it."""
        questions = _questions_of(history or [])
        if not questions:
            return iter(())
        return self.respond(questions[-1]["content"], history, sources, answers, alone=True, user=user, collection=collection, ticked=ticked)

    def ask(self, question: str, sources: Sequence[str] | None, user: str | None = None, collection: str | None = None) -> Answer:
        """The answer for the API: the same Answer the CLI prints with --json."""
        return self.pipeline.ask(question, sources=list(sources or []) or None, collections=self.scope(user, collection))

    def reindex(self, progress: Progress | None = None, user: str | None = None, files: Sequence[str] | None = None) -> dict:
        """Bring the index in step with the corpus folder (a user RAG_AUTH limits: with that user's collections only), or
        only with the report files or folders named (sources as the index names them, relative to the corpus folder);
        the summary as a dict, with the languages the index now holds."""
        limited = self.access.get(user or "")
        if files is not None:
            corpus = self.settings.corpus_dir
            sources = [corpus_source(corpus, str(corpus / str(f))) for f in files]  # "a/../b" is b, and its permission b's
            refused = [source for source in sources if not self.permits(source, user)]
            if refused:
                raise RagError(f"{listed(refused)}: not in your collections.")
            summary = self.pipeline.index(progress=progress, files=[str(corpus / source) for source in sources]).to_dict()
        elif limited is None:
            summary = self.pipeline.index(progress=progress).to_dict()
        else:
            summary = _merged([self.pipeline.index(progress=progress, collection=c).to_dict() for c in limited if self._exists(c)])
        return {
            **summary,
            "model": self.pipeline.embeddings.name,
            "languages": self.pipeline.languages(),
            "reads_across_languages": self.pipeline.reads_across_languages(),
            "language_advice": self.pipeline.language_advice(),
        }

    def add(self, paths: Sequence[str] | None, replace: bool = False, progress: Progress | None = None, user: str | None = None) -> str:
        """Save uploaded files into the corpus folder and index them at once (those files only: the rest of the corpus
        is not listed, so adding a report to a large collection takes as long as the report); one note says both."""
        saved, note = self._save(paths, replace, user)
        if not saved:
            return note
        summary = self.reindex(progress, user, files=[corpus_source(self.settings.corpus_dir, str(path)) for path in saved])
        return f"{note}\n\n{render.summary_markdown(summary)}"

    def _save(self, paths: Sequence[str] | None, replace: bool, user: str | None) -> tuple[list[Path], str]:
        """Save uploaded files into the corpus folder (a user RAG_AUTH limits: into that user's first collection): the
        paths saved, and one line per file saying what happened. A file named like a report already there replaces it
        when `replace` is set; otherwise both are kept, the new one renamed."""
        limited = self.access.get(user or "")
        if limited is not None and not limited:
            return [], "- Not saved: your login reaches no collection to add reports to."
        folder = self.settings.corpus_dir / limited[0] if limited else self.settings.corpus_dir
        lines, kept = [], []
        for path in paths or []:
            name = Path(path).name
            try:
                saved = save_upload(folder, Path(path), name, self.settings.max_file_bytes, replace)
            except RagError as exc:
                lines.append(f"- Not saved: {render.markdown_literal(str(exc))}")
                continue
            kept.append(saved.path)
            shown = render.markdown_literal(saved.path.name)
            if saved.replaced:
                lines.append(f"- Saved {shown}, replacing the report of that name")
            elif saved.renamed_from:
                lines.append(
                    f"- Saved {shown}: {render.markdown_literal(saved.renamed_from)} already exists and is kept "
                    "(tick “Replace reports of the same name” to replace it instead)"
                )
            else:
                lines.append(f"- Saved {shown}")
        return kept, "\n".join(lines)

    def export(self, answers: Answers | None, fmt: str) -> tuple[Path | None, str]:
        """The conversation's answers as a file with footnotes proving each quote, and a note; (None, why) when there
        is nothing to export or the export fails."""
        shown = [answer for _, answer in sorted((answers or {}).items())]
        if not shown:
            return None, "Ask a question first: the export holds the conversation's answers with their sources."
        try:
            document = self.pipeline.export(shown, fmt)
        except RagError as exc:
            return None, f"**Not exported:** {render.markdown_literal(render.for_readers(str(exc)))}"
        path = self._downloads() / f"answers-{time.strftime('%Y%m%d-%H%M%S')}-{len(shown)}.{EXPORT_EXTENSIONS[fmt]}"
        path.write_bytes(document)
        if fmt == "csl":
            return path, f"Exported {render.plural(_cited_documents(shown), 'cited document')} as CSL-JSON for a reference manager."
        return path, f"Exported {render.plural(len(shown), 'answer')} with {render.plural(_quotes(shown), 'footnote')}."

    def original_file(self, source: str | None, user: str | None = None) -> tuple[Path | None, str]:
        """A copy of an indexed report's file to download (the page serves files from its own folder only), and a note."""
        if not self.permits(str(source or ""), user):
            return None, f"**Not available:** {render.markdown_literal(str(source))} is not in your collections."
        try:
            path = self.pipeline.report_file(str(source or ""))
        except RagError as exc:
            return None, f"**Not available:** {render.markdown_literal(render.for_readers(str(exc)))}"
        # a folder per login and file, named with this process's secret: one login cannot guess another's download
        copy = self._downloads() / hashlib.sha256(self._salt + f"{user}\0{path}".encode()).hexdigest()[:24] / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, copy)  # the same report downloaded again overwrites its copy: the folder does not grow
        return copy, ""

    def _downloads(self) -> Path:
        """One temporary folder per page server for the files it offers (Gradio serves from its own folders only)."""
        if self._download_dir is None:
            self._download_dir = Path(tempfile.mkdtemp(prefix="rag-downloads-"))
            atexit.register(shutil.rmtree, self._download_dir, ignore_errors=True)  # copies, not the reports: gone with the server
        return self._download_dir

    def page_view(self, source: str, page: int, quotes: Sequence[str] | None = None, user: str | None = None) -> dict:
        """A PDF page for the page view: the image as a data URL, its number, the page count and how many lines are
        marked; or {"error": why} (a file that is not an indexed PDF, a page out of range, not the user's)."""
        if not self.permits(str(source), user):
            return {"error": f"{source}: not in your collections."}
        try:
            image = self.pipeline.page_image(str(source), int(page), [str(q) for q in quotes or []][:MAX_MARKED_QUOTES])
        except (RagError, ValueError, TypeError) as exc:
            return {"error": render.for_readers(str(exc))}
        encoded = base64.b64encode(image.png).decode("ascii")
        return {
            "image": f"data:image/png;base64,{encoded}", "page": image.page, "pages": image.pages, "marked": image.marked,
            "first_mark": image.first_mark,
        }

    def context_view(self, chunk_id: str, quotes: Sequence[str] | None = None, step: int = 0, user: str | None = None) -> dict:
        """A passage of a report that is no PDF among the passages around it, for the page view: {"html", "source",
        "title", "before", "after"} (whether there is text before and after; step moves the window), or {"error": why}."""
        try:
            chunks, before, after = self.pipeline.passage_context(str(chunk_id), int(step))
        except (RagError, ValueError, TypeError) as exc:
            return {"error": render.for_readers(str(exc))}
        if not chunks:
            return {"error": "Nothing more of this report is indexed in that direction."}
        if not self.permits(chunks[0].source, user):
            return {"error": f"{chunks[0].source}: not in your collections."}
        marked = [str(q) for q in quotes or []][:MAX_MARKED_QUOTES]
        return {
            "html": render.context_html(chunks, marked), "source": chunks[0].source, "title": chunks[0].title,
            "before": before, "after": after,
        }

    def confirm_delete(self, source: str | None) -> str:
        """The question asked before a delete, or "" when no document is chosen."""
        if not source:
            return ""
        return (
            f"Delete **{render.markdown_literal(source)}**? Its file is removed from the corpus folder and its passages "
            "from the index. This cannot be undone."
        )

    def delete(self, source: str | None, progress: Progress | None = None, user: str | None = None) -> str:
        """Remove a document's file from the corpus, then reindex so its passages leave the index."""
        if not source:
            return "Choose a document to delete."
        if not self.permits(source, user):
            return f"{render.markdown_literal(source)} is not in your collections."
        delete_document(self.settings.corpus_dir, source)
        summary = self.reindex(progress, user, files=[source])
        return f"Deleted {render.markdown_literal(source)}.\n\n{render.summary_markdown(summary)}"

    def feedback(self, answers: Answers | None, index: Any, liked: bool, comment: str, user: str | None = None) -> str:
        """Record a like (True) or dislike (False) of the answer at chat position `index`, with the login that rated it."""
        answer = (answers or {}).get(index if isinstance(index, int) else -1)
        if answer is None:
            return "Only answers can be rated."
        append_feedback(self.settings.index_dir, feedback_record(answer.to_dict(), liked is True, comment or "", user=user))
        return f"Thank you: your {'like' if liked is True else 'dislike'} was recorded."

    def documents_view(self, user: str | None = None, collection: str | None = None) -> DocumentsView:
        """Table rows, the sidebar's checkboxes and status, delete choices and example questions for the corpus as last
        indexed (a user RAG_AUTH limits sees that user's collections only); the checkboxes, of the collection chosen."""
        docs = [d for d in self.pipeline.documents() if self.permits(d.source, user)]
        failures = {s: r for s, r in self.pipeline.failures().items() if self.permits(s, user)}
        waiting = {s: w for s, w in self.pipeline.waiting().items() if self.permits(s, user)}
        examples = [{"text": q} for q in render.example_questions(docs)]
        try:
            scope = self.scope(user, collection)
        except RagError:
            scope = []  # a collection this login may not choose: no checkboxes
        searched = [d for d in docs if _within(d.source, scope)]
        return DocumentsView(
            render.document_rows(docs, failures), render.source_choices(searched, failures, waiting), render.removable_choices(docs, failures),
            examples, self.collections(user), render.sources_summary(docs, failures, waiting, offered=len(searched)),
        )

    def ticked(self, sources: Sequence[str] | None, user: str | None = None, collection: str | None = None) -> list[str] | None:
        """The source filter the sidebar's ticked reports make: None when every report the question may search is
        ticked (so reports indexed later are searched too), else the ticked ones. None ticked cannot be asked."""
        scope = self.scope(user, collection)  # a limited login's scope is its own
        searched = self.pipeline.document_count(scope)
        if searched > render.MAX_LISTED:
            return None  # too many to offer as checkboxes: none were, and every report of the scope is asked
        if not sources:
            raise RagError("No report is ticked in Sources: tick the reports to ask (or Select All).")
        ticked = self.pipeline.indexed([source for source in sources if _within(source, scope)])
        return None if len(ticked) >= searched else list(sources)

    def noted(self, action: Callable[[], str]) -> str:
        """The note an action returns, or its error as a note: a failed reindex never shows a traceback."""
        try:
            return action()
        except RagError as exc:
            return f"**Error:** {render.markdown_literal(str(exc))}"


def _within(source: str, collections: Sequence[str] | None) -> bool:
    """Whether a document lies in one of the collections (None: every document does)."""
    return collections is None or any(source.startswith(f"{c}/") for c in collections)


def _merged(summaries: Sequence[dict]) -> dict:
    """One summary for the reindex of several collections: lists joined, counts added, the last run's totals."""
    if not summaries:
        return IndexSummary().to_dict()
    merged = dict(summaries[-1])
    for key, value in summaries[-1].items():
        if isinstance(value, list):
            merged[key] = [item for summary in summaries for item in summary[key]]
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and key not in ("documents", "chunks"):
            merged[key] = sum(summary[key] for summary in summaries)
    return merged


def _quotes(answers: Sequence[Answer]) -> int:
    return sum(len(a.citations) for a in answers)


def _cited_documents(answers: Sequence[Answer]) -> int:
    return len({c.source for a in answers for c in a.citations})


def _questions_of(history: Messages) -> Messages:
    """The user's turns of the chat as the pipeline reads them: the text asked, not its escaped display."""
    return [{"role": "user", "content": html.unescape(q)} for q in previous_questions(history)]


def _assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}

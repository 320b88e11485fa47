"""What the chat page does, without Gradio: answer (streamed), reindex, upload, delete, record feedback.

app.py places the components and wires their events to a ChatService; everything the events do is
here, so it is tested without a browser.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.ingest.uploads import delete_document, save_upload
from rag.pipeline import Pipeline
from rag.types import Answer, Progress
from rag.web import render
from rag.web.feedback import append_feedback, feedback_record

STREAM_PAUSE = 0.03  # seconds between streamed pieces: fast, but visibly progressive
Messages = list[dict[str, Any]]
Answers = dict[int, dict]


@dataclass
class DocumentsView:
    """What the page shows of the corpus: the table, the filter's choices, the delete list and example questions."""

    rows: list[list]
    choices: list[tuple[str, str]]
    removable: list[tuple[str, str]]
    examples: list[dict[str, str]]


class ChatService:
    """What the page's events do, without Gradio: answer, reindex, upload, delete, record feedback."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.settings = pipeline.settings

    def respond(
        self, question: str, history: Messages | None, sources: Sequence[str] | None, answers: Answers | None
    ) -> Iterator[tuple[Messages, str, Answers]]:
        """Stream the answer into the chat: checked sentences as a language model writes them, or the quotes a few words at a time."""
        earlier = list(history or [])
        turn = [*earlier, {"role": "user", "content": question}]
        answers = dict(answers or {})
        waiting = render.sources_html(None)
        try:
            stream = self.pipeline.ask_stream(question, history=earlier, sources=list(sources or []) or None)
            shown = None  # each piece is held back one step: the last one goes out with the sources panel
            for text in stream:
                pieces = render.progressive(render.chat_text(text)) if self.pipeline.chat_model is None else [render.chat_text(text)]
                for piece in pieces:
                    if shown is not None:
                        yield [*turn, _assistant(shown)], waiting, answers
                        time.sleep(STREAM_PAUSE)
                    shown = piece
        except RagError as exc:
            yield [*turn, _assistant(f"Error: {render.chat_text(str(exc))}")], waiting, answers
            return
        answer = stream.answer
        answers[len(turn)] = answer.to_dict()
        yield [*turn, _assistant(render.chat_text(answer.answer))], render.sources_html(answer), answers

    def ask(self, question: str, sources: Sequence[str] | None) -> Answer:
        """The answer for the API: the same Answer the CLI prints with --json."""
        return self.pipeline.ask(question, sources=list(sources or []) or None)

    def reindex(self, progress: Progress | None = None) -> dict:
        """Bring the index in step with the corpus folder; the summary as a dict."""
        return self.pipeline.index(progress=progress).to_dict()

    def upload(self, paths: Sequence[str] | None, replace: bool = False) -> str:
        """Save uploaded files into the corpus folder; one line per file saying what happened. A file named like a
        report already there replaces it when `replace` is set; otherwise both are kept, the new one renamed."""
        lines = []
        for path in paths or []:
            name = Path(path).name
            try:
                saved = save_upload(self.settings.corpus_dir, Path(path), name, self.settings.max_file_bytes, replace)
            except RagError as exc:
                lines.append(f"- Not saved: {render.markdown_literal(str(exc))}")
                continue
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
        return "\n".join(lines)

    def confirm_delete(self, source: str | None) -> str:
        """The question asked before a delete, or "" when no document is chosen."""
        if not source:
            return ""
        return (
            f"Delete **{render.markdown_literal(source)}**? Its file is removed from the corpus folder and its passages "
            "from the index. This cannot be undone."
        )

    def delete(self, source: str | None, progress: Progress | None = None) -> str:
        """Remove a document's file from the corpus, then reindex so its passages leave the index."""
        if not source:
            return "Choose a document to delete."
        delete_document(self.settings.corpus_dir, source)
        summary = self.reindex(progress)
        return f"Deleted {render.markdown_literal(source)}.\n\n{render.summary_markdown(summary)}"

    def feedback(self, answers: Answers | None, index: Any, liked: bool, comment: str) -> str:
        """Record a like (True) or dislike (False) of the answer at chat position `index`."""
        answer = (answers or {}).get(index if isinstance(index, int) else -1)
        if answer is None:
            return "Only answers can be rated."
        append_feedback(self.settings.index_dir, feedback_record(answer, liked is True, comment or ""))
        return f"Thank you: your {'like' if liked is True else 'dislike'} was recorded."

    def documents_view(self) -> DocumentsView:
        """Table rows, filter and delete choices and example questions for the corpus as last indexed."""
        docs, failures = self.pipeline.documents(), self.pipeline.failures()
        examples = [{"text": q} for q in render.example_questions(docs)]
        return DocumentsView(
            render.document_rows(docs, failures), render.document_choices(docs), render.removable_choices(docs, failures), examples
        )

    def noted(self, action: Callable[[], str]) -> str:
        """The note an action returns, or its error as a note: a failed reindex never shows a traceback."""
        try:
            return action()
        except RagError as exc:
            return f"**Error:** {render.markdown_literal(str(exc))}"


def _assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}

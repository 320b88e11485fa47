"""The web chat: a Gradio page built from a ready Pipeline. It only wires; the library does the work.

Run with `python app.py` (or `make run`). Gradio is imported inside functions, after the network
policy has switched its analytics off, so `import app` stays cheap.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag import render
from rag.answer import Answer
from rag.auth import parse_auth
from rag.config import Settings
from rag.corpus import delete_document, save_upload
from rag.errors import RagError
from rag.feedback import append_feedback, feedback_record
from rag.indexer import Progress
from rag.loaders import SUPPORTED
from rag.pipeline import Pipeline

if TYPE_CHECKING:
    import gradio as gr

STREAM_PAUSE = 0.03  # seconds between streamed pieces: fast, but visibly progressive
ASK_CONCURRENCY = 4  # questions answered at once; reindexing has its own single slot
Messages = list[dict[str, Any]]
Answers = dict[int, dict]

SOURCES_CSS = """
.rag-sources h3 { margin: 0 0 .6em; }
.rag-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6em .8em; margin-bottom: .8em; }
.rag-title { font-weight: 600; }
.rag-n { color: var(--color-accent); }
.rag-meta { font-size: .85em; opacity: .75; margin-bottom: .4em; }
.rag-passage { white-space: pre-wrap; font-size: .9em; margin: 0; }
.rag-passage mark { background: #fde68a; color: #111; padding: 0 .1em; }
.rag-empty { opacity: .7; }
"""


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

    def upload(self, paths: Sequence[str] | None) -> str:
        """Save uploaded files into the corpus folder; one line per file saying what happened."""
        lines = []
        for path in paths or []:
            name = Path(path).name
            try:
                saved = save_upload(self.settings.corpus_dir, Path(path), name, self.settings.max_file_bytes)
            except RagError as exc:
                lines.append(f"- Not saved: {render.markdown_literal(str(exc))}")
                continue
            renamed = f" ({render.markdown_literal(saved.renamed_from)} already exists)" if saved.renamed_from else ""
            lines.append(f"- Saved {render.markdown_literal(saved.path.name)}{renamed}")
        if any(line.startswith("- Saved") for line in lines):
            lines.append("\nPress **Reindex** to make the new reports searchable.")
        return "\n".join(lines)

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

    def documents_view(self) -> tuple[list[list], list[tuple[str, str]], list[dict[str, str]]]:
        """Table rows, dropdown choices and example questions for the indexed documents."""
        docs = self.pipeline.documents()
        examples = [{"text": q} for q in render.example_questions(docs)]
        return render.document_rows(docs), render.document_choices(docs), examples


def build_app(pipeline: Pipeline) -> "gr.Blocks":
    """The Blocks page over a ready pipeline: Chat tab, Documents tab, and the /ask and /reindex API."""
    import gradio as gr

    service = ChatService(pipeline)
    with gr.Blocks(title="Ask the reports") as demo:
        page = _layout(gr, *service.documents_view())
        _wire(gr, demo, service, page)
        _api(gr, service)
    return demo


@dataclass
class _Page:
    """The components the events read and write."""

    chatbot: Any
    question: Any
    send: Any
    only: Any
    comment: Any
    feedback_note: Any
    sources: Any
    table: Any
    upload: Any
    upload_note: Any
    reindex: Any
    index_note: Any
    doomed: Any
    delete: Any
    answers: Any


def _layout(gr: Any, rows: list[list], choices: list[tuple[str, str]], examples: list[dict[str, str]]) -> _Page:
    """Place the components: chat and sources side by side, then the documents tab."""
    gr.Markdown("## Ask the reports\nAnswers quote the indexed reports and cite them as [1], [2]…")
    with gr.Tab("Chat"), gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Chat", elem_id="chat", height=480, examples=examples, render_markdown=False, latex_delimiters=[],
                placeholder="Ask a question about the reports, or pick an example.",
            )
            with gr.Row():
                question = gr.Textbox(show_label=False, placeholder="Ask about the reports…", elem_id="question", scale=5)
                send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
            only = gr.Dropdown(choices=choices, value=[], multiselect=True, label="Only these documents (empty: all)", elem_id="filter")
            comment = gr.Textbox(label="Comment sent with your like or dislike (optional)", elem_id="comment", lines=1)
            feedback_note = gr.Markdown(elem_id="feedback-note")
        with gr.Column(scale=2):
            sources = gr.HTML(render.sources_html(None), elem_id="sources", css_template=SOURCES_CSS, js_on_load=None, max_height=640)
    with gr.Tab("Documents"):
        table = gr.Dataframe(
            value=rows, headers=render.DOCUMENT_HEADERS, interactive=False, elem_id="documents", wrap=True,
            column_widths=["42%", "30%", "8%", "8%", "12%"],
        )
        upload = gr.File(file_count="multiple", file_types=list(SUPPORTED), label="Add reports", elem_id="upload")
        upload_note = gr.Markdown(elem_id="upload-note")
        reindex = gr.Button("Reindex", variant="primary", elem_id="reindex")
        index_note = gr.Markdown(elem_id="index-note")
        with gr.Row():
            doomed = gr.Dropdown(choices=choices, value=None, label="Document to delete", elem_id="delete-choice", scale=4)
            delete = gr.Button("Delete document", variant="stop", elem_id="delete", scale=1)
    return _Page(
        chatbot, question, send, only, comment, feedback_note, sources, table, upload, upload_note, reindex, index_note,
        doomed, delete, gr.State({}),
    )


def _wire(gr: Any, demo: Any, service: ChatService, page: _Page) -> None:
    """Connect the events; asking and reindexing run in separate concurrency groups, so neither waits for the other."""
    tracker = gr.Progress()  # Gradio spots a Progress default and feeds it the running event's bar

    def listing() -> tuple:
        rows, choices, examples = service.documents_view()
        return rows, gr.Dropdown(choices=choices), gr.Dropdown(choices=choices, value=None), gr.Chatbot(examples=examples)

    def chat(text: str, history: Messages, chosen: list[str], state: Answers) -> Iterator[tuple]:
        for messages, panel, kept in service.respond(text, history, chosen, state):
            yield "", messages, panel, kept

    def pick_example(selected: gr.SelectData) -> str:
        return selected.value["text"]

    def reindex_clicked(progress: gr.Progress = tracker) -> tuple:
        return _noted(lambda: render.summary_markdown(service.reindex(_reporter(progress)))), *listing()

    def delete_clicked(source: str | None, progress: gr.Progress = tracker) -> tuple:
        return _noted(lambda: service.delete(source, _reporter(progress))), *listing()

    def rated(state: Answers, note: str, liked: gr.LikeData) -> tuple[str, str]:
        return service.feedback(state, liked.index, liked.liked, note), ""

    private = {"api_visibility": "private"}
    asking = {"concurrency_id": "ask", "concurrency_limit": ASK_CONCURRENCY, **private}
    indexing = {"concurrency_id": "index", "concurrency_limit": 1, **private}
    chat_io = {"fn": chat, "inputs": [page.question, page.chatbot, page.only, page.answers],
               "outputs": [page.question, page.chatbot, page.sources, page.answers]}
    listed = [page.table, page.only, page.doomed, page.chatbot]
    page.question.submit(**chat_io, **asking)
    page.send.click(**chat_io, **asking)
    page.chatbot.example_select(pick_example, None, page.question, **private).then(**chat_io, **asking)
    page.chatbot.like(rated, [page.answers, page.comment], [page.feedback_note, page.comment], **private)
    page.upload.upload(service.upload, page.upload, page.upload_note, **private).then(lambda: None, None, page.upload, **private)
    page.reindex.click(reindex_clicked, None, [page.index_note, *listed], **indexing)
    page.delete.click(delete_clicked, page.doomed, [page.index_note, *listed], **indexing)
    demo.load(listing, None, listed, **private)


def _api(gr: Any, service: ChatService) -> None:
    """The named endpoints for gradio_client and MCP: /ask and /reindex, both returning JSON."""

    def ask(question: str, sources: list[str] | None = None) -> dict:
        """Answer a question from the indexed reports, quoting them with numbered citations.

        Args:
            question: the question, in plain words.
            sources: optional document file names or folders to search; empty means every document.
        Returns:
            The answer text with [n] markers, its citations (source, page, quoted span), or an abstention.
        """
        try:
            return service.ask(question, sources).to_dict()
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def reindex() -> dict:
        """Bring the index in step with the corpus folder and return what changed."""
        try:
            return service.reindex()
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    gr.api(ask, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    gr.api(reindex, api_name="reindex", concurrency_id="index", concurrency_limit=1)


def _noted(action: Callable[[], str]) -> str:
    """The note an action returns, or its error as a note: a failed reindex never shows a traceback."""
    try:
        return action()
    except RagError as exc:
        return f"**Error:** {render.markdown_literal(str(exc))}"


def _reporter(progress: Any) -> Progress:
    """The indexer's progress callback drawn as a Gradio progress bar."""

    def report(done: int, total: int, desc: str) -> None:
        if total:
            progress((done, total), desc=desc, unit="files")

    return report


def _assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of Blocks.launch for these settings: address, login, upload limit, MCP."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": parse_auth(settings.auth),
        "max_file_size": settings.max_file_bytes,
        "mcp_server": settings.mcp,
    }


def main() -> None:
    """Index the corpus (incremental, so seconds when current), then serve the page."""
    from rag.embeddings import apply_network_policy

    try:
        settings = Settings.from_env()
        apply_network_policy(settings)  # before gradio is imported: its analytics read the environment
        options = launch_options(settings)
        pipeline = Pipeline(settings)
        summary = pipeline.index()
    except RagError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"index: {render.plural(summary.documents, 'document')}, {render.plural(summary.chunks, 'chunk')} ({summary.seconds:.1f} s)")
    build_app(pipeline).queue().launch(**options)


if __name__ == "__main__":
    main()

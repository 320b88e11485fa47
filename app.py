"""The web chat: a Gradio page built from a ready Pipeline. It only wires; the library does the work.

Run with `python app.py` (or `make run`). Gradio is imported inside functions, after the network
policy has switched its analytics off, so `import app` stays cheap.
"""

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.errors import RagError
from rag.ingest.loaders import SUPPORTED
from rag.pipeline import Pipeline
from rag.types import EXPORT_EXTENSIONS, Progress
from rag.web import render
from rag.web.auth import parse_access, parse_auth
from rag.web.service import Answers, ChatService, DocumentsView, Messages

if TYPE_CHECKING:
    import gradio as gr

ASK_CONCURRENCY = 4  # questions answered at once; reindexing has its own single slot

SOURCES_CSS = """
.rag-sources h3 { margin: 0; }
.rag-asked { font-size: .85em; opacity: .75; margin: 0 0 .6em; }
.rag-doc { margin-bottom: 1em; }
.rag-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .5em .8em; margin: .4em 0 .6em; }
.rag-card.rag-flash { outline: 3px solid var(--color-accent); }
.rag-title { font-weight: 600; }
.rag-n { color: var(--color-accent); font-weight: 600; }
.rag-meta, .rag-where { font-size: .85em; opacity: .75; }
.rag-passage { white-space: pre-wrap; font-size: .9em; margin: .3em 0 0; }
.rag-passage mark { background: #fde68a; color: #111; padding: 0 .1em; }
.rag-nearest .rag-card { border-style: dashed; opacity: .85; }
.rag-passage mark.rag-near { background: none; color: inherit; text-decoration: underline dotted; }
.rag-empty { opacity: .7; }
.rag-original, .rag-view, .rag-context { font-size: .85em; padding: 0 .5em; border: 1px solid var(--border-color-primary); border-radius: 4px;
  cursor: pointer; }
.rag-original { margin-left: .5em; }
.rag-view, .rag-context { float: right; }
"""
# the chat's citation chips and the follow-up note: styled here because the chat bubbles are outside the sources panel
PAGE_CSS = """
.rag-chip { cursor: pointer; color: var(--color-accent); font-weight: 600; border-radius: 4px; padding: 0 .15em; }
.rag-chip:hover { background: var(--color-accent-soft); }
.rag-interpreted { font-size: .85em; opacity: .75; margin-bottom: .4em; }
#documents { --font-mono: var(--font); }
#chat > .wrapper { padding-top: 2.2em; box-sizing: border-box; }  /* the label and buttons sit above the scrolled messages, not on them */
#picked [data-testid=checkbox-group] { max-height: 60vh; overflow-y: auto; }
#picked [data-testid=checkbox-group] label { width: 100%; padding: .25em .5em; font-size: .85em; line-height: 1.3; }
#sources-summary ul { margin-top: .2em; font-size: .9em; }
#rag-pageview { position: fixed; inset: 3vh 3vw; z-index: 1000; display: flex; flex-direction: column;
  background: var(--background-fill-primary); border: 1px solid var(--border-color-primary); border-radius: 8px;
  box-shadow: 0 8px 32px rgba(0, 0, 0, .35); }
#rag-pageview[hidden] { display: none; }
#rag-pageview .rag-bar { display: flex; gap: .5em; align-items: center; padding: .5em .8em; border-bottom: 1px solid var(--border-color-primary); }
#rag-pageview .rag-bar span { flex: 1; font-size: .9em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#rag-pageview button { padding: .2em .7em; border: 1px solid var(--border-color-primary); border-radius: 4px; cursor: pointer; }
#rag-pageview .rag-scroll { overflow: auto; flex: 1; text-align: center; padding: .5em; }
#rag-pageview img { max-width: 100%; box-shadow: 0 0 4px rgba(0, 0, 0, .3); }
#rag-pageview .rag-text { max-width: 46em; margin: 0 auto; text-align: left; line-height: 1.5; }
#rag-pageview .rag-text .rag-passage { white-space: pre-wrap; margin: 0; }
#rag-pageview .rag-text mark { background: #fde68a; color: #111; }
"""
# a click on a chip [n] shows the sources of its answer and marks card n; a click elsewhere on an earlier answer shows
# that answer's sources. Runs once per page: the listener sits on the document, so re-rendered bubbles keep it.
CHIP_SCRIPT = """
if (!window.ragChips) {
  window.ragChips = true;
  // on a phone the sources sidebar would cover the chat: it starts closed there (its button opens it)
  if (window.matchMedia('(max-width: 768px)').matches) {
    const closeSidebar = (tries) => {
      const toggle = document.querySelector('#sidebar.open .toggle-button');
      if (toggle) toggle.click(); else if (tries > 0) setTimeout(() => closeSidebar(tries - 1), 100);
    };
    closeSidebar(50);
  }
  const tagged = (node, prefix) => {
    const name = [...node.classList].find((c) => c.startsWith(prefix));
    return name ? name.slice(prefix.length) : null;
  };
  // the page view: a PDF page rendered by the server with the quotes marked, with previous and next page
  const viewer = document.createElement('div');
  viewer.id = 'rag-pageview';
  viewer.hidden = true;
  viewer.innerHTML = '<div class="rag-bar"><span></span><button class="rag-prev" type="button">◀ Previous</button>'
    + '<button class="rag-next" type="button">Next ▶</button><button class="rag-close" type="button">Close</button></div>'
    + '<div class="rag-scroll"><img alt=""><div class="rag-text"></div></div>';
  document.body.appendChild(viewer);
  let showing = null;
  const img = viewer.querySelector('img');
  const words = viewer.querySelector('.rag-text');
  // a report that is no PDF: its passage among the passages around it, the quotes marked; previous and next move on
  const openContext = async (source, chunk, quotes, step) => {
    showing = {source, chunk, quotes, step};
    viewer.hidden = false;
    img.hidden = true;
    words.hidden = false;
    viewer.querySelector('span').textContent = `${source}: loading…`;
    const shown = await server.context_view({chunk, quotes, step});
    if (showing.chunk !== chunk || showing.step !== step) return;
    if (shown.error) { viewer.querySelector('span').textContent = shown.error; return; }
    viewer.querySelector('span').textContent = `${shown.title} (${shown.source}): the passage in its context`;
    words.innerHTML = shown.html;
    const mark = words.querySelector('mark');
    if (mark) mark.scrollIntoView({block: 'center'}); else viewer.querySelector('.rag-scroll').scrollTop = 0;
    viewer.querySelector('.rag-prev').disabled = !shown.before;
    viewer.querySelector('.rag-next').disabled = !shown.after;
  };
  const openPage = async (source, page, quotes) => {
    showing = {source, page, quotes};
    viewer.hidden = false;
    img.hidden = false;
    words.hidden = true;
    viewer.querySelector('span').textContent = `${source}: loading page ${page}…`;
    const shown = await server.page_view({source, page, quotes});
    if (showing.page !== page || showing.source !== source) return;
    if (shown.error) { viewer.querySelector('span').textContent = shown.error; return; }
    showing.pages = shown.pages;
    const marked = quotes.length ? (shown.marked ? ' — the quote is marked' : ' — the quote is not on this page') : '';
    viewer.querySelector('span').textContent = `${source}, page ${shown.page} of ${shown.pages}${marked}`;
    const scroller = viewer.querySelector('.rag-scroll');
    img.onload = () => {  // bring the first marked line into view: a quote is often a footnote at the foot of the page
      const at = shown.first_mark === null ? 0 : img.offsetTop + shown.first_mark * img.height - scroller.clientHeight / 3;
      scroller.scrollTop = Math.max(0, at);
    };
    img.src = shown.image;
    img.alt = `Page ${shown.page} of ${source}`;
    viewer.querySelector('.rag-prev').disabled = shown.page <= 1;
    viewer.querySelector('.rag-next').disabled = shown.page >= shown.pages;
  };
  viewer.querySelector('.rag-close').addEventListener('click', () => { viewer.hidden = true; showing = null; });
  const turn = (by) => {
    if (!showing) return;
    if (showing.chunk !== undefined) openContext(showing.source, showing.chunk, showing.quotes, showing.step + by);
    else openPage(showing.source, showing.page + by, showing.quotes);
  };
  viewer.querySelector('.rag-prev').addEventListener('click', () => turn(-1));
  viewer.querySelector('.rag-next').addEventListener('click', () => turn(1));
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') viewer.hidden = true; });
  document.addEventListener('click', (event) => {
    const original = event.target.closest('#sources .rag-original');
    if (original) {  // hand the file's name to the hidden box and press the hidden button: the server offers the file
      const box = document.querySelector('#original-source textarea');
      box.value = original.dataset.source;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.querySelector('#original-go').click(), 50);
      return;
    }
    const view = event.target.closest('#sources .rag-view');
    if (view) {
      openPage(view.dataset.source, Number(view.dataset.page), JSON.parse(view.dataset.quotes || '[]'));
      return;
    }
    const context = event.target.closest('#sources .rag-context');
    if (context) {
      openContext(context.dataset.source, context.dataset.chunk, JSON.parse(context.dataset.quotes || '[]'), 0);
      return;
    }
    if (!event.target.closest('#chat')) return;  // a click outside the chat (export, filter, comment) leaves the sources be
    const chip = event.target.closest('.rag-chip');
    let marker = chip;
    for (let node = event.target; !marker && node && node.id !== 'chat'; node = node.parentElement) {
      marker = node.querySelector && node.querySelector('.rag-turn, .rag-chip');
    }
    if (!marker || !marker.closest('#chat')) return;
    const turn = tagged(marker, 'rag-turn-');
    let shown = null;
    document.querySelectorAll('#sources .rag-answer-sources').forEach((section) => {
      section.hidden = section.dataset.turn !== turn;
      if (!section.hidden) shown = section;
    });
    if (!shown) return;
    document.querySelectorAll('#sources .rag-flash').forEach((card) => card.classList.remove('rag-flash'));
    const n = chip && tagged(chip, 'rag-cite-');
    const card = n && [...shown.querySelectorAll('.rag-card')].find((c) => (c.dataset.n || '').split(' ').includes(n));
    if (card) { card.classList.add('rag-flash'); card.scrollIntoView({behavior: 'smooth', block: 'center'}); }
    else shown.scrollIntoView({behavior: 'smooth', block: 'start'});
  });
}
"""


def build_app(pipeline: Pipeline, auth: str | None = None) -> "gr.Blocks":
    """The Blocks page over a ready pipeline: Chat tab, Documents tab, and the /ask and /reindex API. auth is the
    RAG_AUTH value the page is served with (the pipeline's setting unless given): it limits logins to collections."""
    import gradio as gr

    service = ChatService(pipeline, parse_access(pipeline.settings.auth if auth is None else auth))
    with gr.Blocks(title="Ask the reports", analytics_enabled=False) as demo:
        # with logins limited to collections, the page is filled per login when it loads, never with every document
        page = _layout(gr, service.documents_view() if not service.access else DocumentsView([], [], [], [], []), service)
        _wire(gr, demo, service, page)
        _api(gr, service)
    return demo


@dataclass
class _Page:
    """The components the events read and write."""

    chatbot: Any
    question: Any
    send: Any
    chat_note: Any
    as_written: Any
    picked: Any
    offered: Any
    sources_summary: Any
    add: Any
    add_note: Any
    collection: Any
    comment: Any
    feedback_note: Any
    export_format: Any
    export: Any
    exported: Any
    export_note: Any
    sources: Any
    original: Any
    original_note: Any
    original_source: Any
    original_go: Any
    table: Any
    upload: Any
    replace: Any
    upload_note: Any
    reindex: Any
    index_note: Any
    doomed: Any
    delete: Any
    confirm_row: Any
    confirm_note: Any
    confirm: Any
    cancel: Any
    answers: Any


def _layout(gr: Any, view: DocumentsView, service: ChatService) -> _Page:
    """Place the components: the sources sidebar (status, the checkboxes that choose what is asked, add reports), chat
    and its sources side by side, feedback and export under them, then the documents tab."""
    gr.Markdown("## Ask the reports\nAnswers quote the indexed reports and cite them as [1], [2]…")
    with gr.Sidebar(label="Sources", open=True, width=340, elem_id="sidebar"):
        gr.Markdown("### Sources")
        sources_summary = gr.Markdown(view.summary, elem_id="sources-summary")
        add = gr.UploadButton("Add reports…", file_count="multiple", file_types=list(SUPPORTED), elem_id="add-reports", size="sm")
        add_note = gr.Markdown(elem_id="add-note")
        collection = gr.Dropdown(
            choices=_collection_choices(view.collections), value="", label="Collection", elem_id="collection",
            visible=bool(view.collections),
        )
        picked = gr.CheckboxGroup(
            choices=view.choices, value=[source for _, source in view.choices], label="Ask these reports", elem_id="picked",
            show_select_all=True, visible=bool(view.choices),
        )
    with gr.Tab("Chat"):
        # the conversation and its sources first (side by side; on a phone the sources come right under the chat),
        # the filter, feedback and export below them
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat", elem_id="chat", height=480, examples=view.examples, render_markdown=False, latex_delimiters=[],
                    placeholder="Ask a question about the reports, or pick an example.",
                    buttons=["copy", "copy_all"],  # no "share": it posts to a hosted space, which this service is not
                )
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="Ask about the reports…", elem_id="question", scale=5)
                    send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                chat_note = gr.Markdown(elem_id="chat-note")
                as_written = gr.Button(
                    "Ask the last question as written (not as a follow-up)", size="sm", visible=False, elem_id="as-written"
                )
            with gr.Column(scale=2):

                def page_view(wanted: dict, request: gr.Request) -> dict:
                    """The page view's server call (Gradio passes a server function one value: here {source, page, quotes})."""
                    wanted = wanted if isinstance(wanted, dict) else {}
                    return service.page_view(wanted.get("source", ""), wanted.get("page", 0), wanted.get("quotes") or [], _user(request))

                def context_view(wanted: dict, request: gr.Request) -> dict:
                    """The text view's server call, for a report that is no PDF: {chunk, quotes, step}."""
                    wanted = wanted if isinstance(wanted, dict) else {}
                    return service.context_view(wanted.get("chunk", ""), wanted.get("quotes") or [], wanted.get("step", 0), _user(request))

                sources = gr.HTML(
                    render.sources_html(None), elem_id="sources", css_template=SOURCES_CSS, js_on_load=CHIP_SCRIPT, max_height=640,
                    head=f"<style>{PAGE_CSS}</style>", server_functions=[page_view, context_view],
                )
                original = gr.File(label="Original report", visible=False, elem_id="original-file", interactive=False)
                original_note = gr.Markdown(elem_id="original-note")
                original_source = gr.Textbox(visible="hidden", elem_id="original-source")
                original_go = gr.Button(visible="hidden", elem_id="original-go")
        with gr.Row():
            with gr.Column(scale=3):
                comment = gr.Textbox(label="Comment sent with your like or dislike (optional)", elem_id="comment", lines=1)
                feedback_note = gr.Markdown(elem_id="feedback-note")
            with gr.Column(scale=2):
                export_format = gr.Dropdown(
                    choices=[("Word (.docx)", "docx"), ("OpenDocument (.odt)", "odt"), ("Markdown (.md)", "md"),
                             ("Cited documents, CSL-JSON for Zotero (.json)", "csl")],
                    value="docx", label="Export the conversation with footnotes that prove each quote", elem_id="export-format",
                )
                export = gr.Button("Export", elem_id="export")
                exported = gr.File(label="Exported conversation", visible=False, elem_id="exported", interactive=False)
                export_note = gr.Markdown(elem_id="export-note")
    with gr.Tab("Documents"):
        table = gr.Dataframe(
            value=view.rows, headers=render.DOCUMENT_HEADERS, interactive=False, elem_id="documents", wrap=True,
            column_widths=["30%", "24%", "7%", "7%", "12%", "20%"],
        )
        upload = gr.File(file_count="multiple", file_types=list(SUPPORTED), label="Add reports (indexed at once)", elem_id="upload")
        replace = gr.Checkbox(label="Replace reports of the same name (otherwise both are kept)", value=False, elem_id="replace")
        upload_note = gr.Markdown(elem_id="upload-note")
        reindex = gr.Button("Reindex", variant="primary", elem_id="reindex")
        index_note = gr.Markdown(elem_id="index-note")
        with gr.Row():
            doomed = gr.Dropdown(choices=view.removable, value=None, label="Document to delete", elem_id="delete-choice", scale=4)
            delete = gr.Button("Delete document…", variant="stop", elem_id="delete", scale=1)
        with gr.Row(visible=False, elem_id="confirm-delete") as confirm_row:
            confirm_note = gr.Markdown(elem_id="confirm-note")
            confirm = gr.Button("Yes, delete it", variant="stop", elem_id="confirm", scale=0, min_width=140)
            cancel = gr.Button("Cancel", elem_id="cancel", scale=0, min_width=100)
    return _Page(
        chatbot, question, send, chat_note, as_written, picked, gr.State([source for _, source in view.choices]), sources_summary,
        add, add_note, collection, comment, feedback_note, export_format, export, exported,
        export_note, sources, original, original_note, original_source, original_go, table, upload, replace, upload_note,
        reindex, index_note, doomed, delete, confirm_row, confirm_note, confirm, cancel, gr.State({}),
    )


def _wire(gr: Any, demo: Any, service: ChatService, page: _Page) -> None:
    """Connect the events; asking and reindexing run in separate concurrency groups, so neither waits for the other.
    Every event reads the login from its request: a login RAG_AUTH limits to collections sees and asks those only."""
    tracker = gr.Progress()  # Gradio spots a Progress default and feeds it the running event's bar

    def listing(chosen: list[str] | None, offered: list[str] | None, collection: str, request: gr.Request) -> tuple:
        """The documents table, the sidebar's checkboxes (kept as ticked; a report new to them comes ticked, a deleted
        one leaves) and status, the delete list, the example questions and the collections, as this login may see them."""
        view = service.documents_view(_user(request), collection or None)
        sources = [source for _, source in view.choices]
        kept = [source for source in sources if source in (chosen or []) or source not in (offered or [])]
        return (
            view.rows, gr.CheckboxGroup(choices=view.choices, value=kept, visible=bool(view.choices)), sources, view.summary,
            gr.Dropdown(choices=view.removable, value=None), gr.Chatbot(examples=view.examples),
            gr.Dropdown(choices=_collection_choices(view.collections), visible=bool(view.collections)),
        )

    def narrowed(collection: str, request: gr.Request) -> tuple:
        """The checkboxes for the collection chosen: its reports, all ticked (none shown when they are too many to list)."""
        view = service.documents_view(_user(request), collection or None)
        sources = [source for _, source in view.choices]
        return gr.CheckboxGroup(choices=view.choices, value=sources, visible=bool(sources)), sources

    def shown(updates: Iterator) -> Iterator[tuple]:
        for update in updates:
            yield update.question, update.messages, update.panel, update.answers, update.note, gr.Button(visible=update.interpreted)

    def chat(text: str, history: Messages, chosen: list[str], collection: str, state: Answers, request: gr.Request) -> Iterator[tuple]:
        yield from shown(service.respond(text, history, chosen, state, user=_user(request), collection=collection or None, ticked=True))

    def chat_as_written(history: Messages, chosen: list[str], collection: str, state: Answers, request: gr.Request) -> Iterator[tuple]:
        yield from shown(service.ask_as_written(history, chosen, state, user=_user(request), collection=collection or None, ticked=True))

    def pick_example(selected: gr.SelectData) -> str:
        return selected.value["text"]

    def reindex_clicked(chosen: list[str] | None, offered: list[str], collection: str, request: gr.Request, progress: gr.Progress = tracker) -> tuple:
        note = service.noted(lambda: render.summary_markdown(service.reindex(_reporter(progress), _user(request))))
        return note, *listing(chosen, offered, collection, request)

    def added(
        paths: list[str] | None, replace: bool, chosen: list[str] | None, offered: list[str], collection: str, request: gr.Request,
        progress: gr.Progress = tracker,
    ) -> tuple:
        """Reports added (the sidebar's Add reports, the Documents tab's upload): saved, then those files indexed at once;
        one note says both."""
        note = service.noted(lambda: service.add(paths, replace, _reporter(progress), _user(request)))
        return note, *listing(chosen, offered, collection, request)

    def delete_asked(source: str | None) -> tuple:
        question = service.confirm_delete(source)
        return gr.Row(visible=bool(question)), question, "" if question else "Choose a document to delete."

    def delete_confirmed(
        source: str | None, chosen: list[str] | None, offered: list[str], collection: str, request: gr.Request, progress: gr.Progress = tracker
    ) -> tuple:
        note = service.noted(lambda: service.delete(source, _reporter(progress), _user(request)))
        return gr.Row(visible=False), note, *listing(chosen, offered, collection, request)

    def exported(state: Answers, fmt: str) -> tuple:
        path, note = service.export(state, fmt)
        return gr.File(value=str(path) if path else None, visible=path is not None), note

    def offered(source: str, request: gr.Request) -> tuple:
        path, note = service.original_file(source, _user(request))
        return gr.File(value=str(path) if path else None, visible=path is not None), note

    def rated(state: Answers, note: str, liked: gr.LikeData, request: gr.Request) -> tuple[str, str]:
        return service.feedback(state, liked.index, liked.liked, note, _user(request)), ""

    private = {"api_visibility": "private"}
    asking = {"concurrency_id": "ask", "concurrency_limit": ASK_CONCURRENCY, **private}
    indexing = {"concurrency_id": "index", "concurrency_limit": 1, **private}
    chat_out = [page.question, page.chatbot, page.sources, page.answers, page.chat_note, page.as_written]
    chat_io = {"fn": chat, "inputs": [page.question, page.chatbot, page.picked, page.collection, page.answers], "outputs": chat_out}
    listed = [page.table, page.picked, page.offered, page.sources_summary, page.doomed, page.chatbot, page.collection]
    ticks = [page.picked, page.offered, page.collection]
    page.question.submit(**chat_io, **asking)
    page.send.click(**chat_io, **asking)
    page.as_written.click(chat_as_written, [page.chatbot, page.picked, page.collection, page.answers], chat_out, **asking)
    page.chatbot.example_select(pick_example, None, page.question, **private).then(**chat_io, **asking)
    page.export.click(exported, [page.answers, page.export_format], [page.exported, page.export_note], **private)
    page.original_go.click(offered, page.original_source, [page.original, page.original_note], **private)
    page.chatbot.like(rated, [page.answers, page.comment], [page.feedback_note, page.comment], **private)
    # a reindex shows its progress bar on its note, so the documents table stays in view while it runs
    note_only = {"show_progress_on": [page.index_note]}
    adding = [page.upload, page.replace, *ticks]
    saved = page.upload.upload(added, adding, [page.upload_note, *listed], **indexing, show_progress_on=[page.upload_note])
    saved.then(lambda: None, None, page.upload, **private)
    page.reindex.click(reindex_clicked, ticks, [page.index_note, *listed], **indexing, **note_only)
    page.add.upload(added, [page.add, page.replace, *ticks], [page.add_note, *listed], **indexing, show_progress_on=[page.add_note])
    page.collection.input(narrowed, page.collection, [page.picked, page.offered], **private)
    page.delete.click(delete_asked, page.doomed, [page.confirm_row, page.confirm_note, page.index_note], **private)
    page.cancel.click(lambda: gr.Row(visible=False), None, page.confirm_row, **private)
    page.confirm.click(delete_confirmed, [page.doomed, *ticks], [page.confirm_row, page.index_note, *listed], **indexing, **note_only)
    demo.load(listing, ticks, listed, **private)


def _user(request: Any) -> str | None:
    """The login of the request (None when the page has no login)."""
    return getattr(request, "username", None) if request is not None else None


def _collection_choices(collections: Sequence[str]) -> list[tuple[str, str]]:
    """The collection dropdown's choices: every reachable collection at once, then each alone."""
    return [("All your collections", ""), *[(name, name) for name in collections]]


def _api(gr: Any, service: ChatService) -> None:
    """The named endpoints for gradio_client and MCP: /ask and /reindex, both returning JSON."""

    def ask(question: str, sources: list[str] | None = None, collection: str = "", request: gr.Request = None) -> dict:
        """Answer a question from the indexed reports, quoting them with numbered citations.

        Args:
            question: the question, in plain words.
            sources: optional document file names or folders to search; empty means every document.
            collection: optional collection (a sub-folder of the corpus) to search; empty means all the login may reach.
        Returns:
            The answer text with [n] markers, its citations (source, page, quoted span), or an abstention.
        """
        try:
            return service.ask(question, sources, _user(request), collection or None).to_dict()
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def reindex(files: list[str] | None = None, request: gr.Request = None) -> dict:
        """Bring the index in step with the corpus folder (a limited login: its collections) and return what changed.

        Args:
            files: optional report files or folders, as the index names them (relative to the corpus folder), to bring in
                step alone (added, changed or deleted since), without listing the rest of the corpus; empty means all.
        Returns:
            What changed: added, updated, removed and skipped files, chunks embedded, the index's totals.
        """
        try:
            return service.reindex(user=_user(request), files=files or None)
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def page(source: str, page: int, quotes: list[str] | None = None, request: gr.Request = None) -> dict:
        """A page of an indexed PDF report as an image, with the quoted text marked on it.

        Args:
            source: the document, as citations name it.
            page: the page number, from 1.
            quotes: text to mark on the page, such as a citation's quote.
        Returns:
            {"image": a PNG data URL, "page", "pages", "marked": lines marked}, or {"error": why}.
        """
        return service.page_view(source, page, quotes, _user(request))

    def export(  # noqa: A002 - format is the API's word
        question: str, format: str = "md", sources: list[str] | None = None, collection: str = "", request: gr.Request = None
    ) -> dict:
        """Answer a question and return the answer as a document whose footnotes prove each quote.

        Args:
            question: the question, in plain words.
            format: "md" (Markdown with footnotes), "docx" or "odt" (real footnotes; needs pandoc on the server), or "csl"
                (the documents the answer cites, as CSL-JSON for reference managers).
            sources: optional document file names or folders to search; empty means every document.
            collection: optional collection (a sub-folder of the corpus) to search; empty means all the login may reach.
        Returns:
            {"format", "filename", "base64": the document's bytes}.
        """
        try:
            answer = service.ask(question, sources, _user(request), collection or None)
            document = service.pipeline.export([answer], format)
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return {"format": format, "filename": f"answer.{EXPORT_EXTENSIONS.get(format, format)}", "base64": base64.b64encode(document).decode("ascii")}

    gr.api(ask, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    gr.api(export, api_name="export", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    gr.api(page, api_name="page", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    gr.api(reindex, api_name="reindex", concurrency_id="index", concurrency_limit=1)


def _reporter(progress: Any) -> Progress:
    """The indexer's progress callback drawn as a Gradio progress bar."""

    def report(done: int, total: int, desc: str) -> None:
        if total:
            progress((done, total), desc=desc, unit="chunks")

    return report


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
    from rag.config import apply_network_policy, configure_logging

    configure_logging()
    try:
        settings = Settings.from_env()
        apply_network_policy(settings)  # before gradio is imported: its analytics read the environment
        options = launch_options(settings)
        pipeline = Pipeline(settings)
        summary = pipeline.index()
        pipeline.warm()  # the model loads now, not at the first question
    except RagError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"index: {render.plural(summary.documents, 'document')}, {render.plural(summary.chunks, 'chunk')} ({summary.seconds:.1f} s)")
    build_app(pipeline).queue().launch(**options)


if __name__ == "__main__":
    main()

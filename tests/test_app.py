"""The web app served for real on 127.0.0.1: its /ask and /reindex API, login, uploads, MCP, and its handlers."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

import app
from rag.config import Settings
from rag.errors import CorpusFileError
from rag.pipeline import Pipeline
from rag.web import render
from rag.web import service as service_module
from rag.web.service import ChatService
from tests.conftest import ROOT, SEED
from tests.helpers import launch_app, write

QUESTION = "Which countries does the Amnesty report cover?"
LANTERN = "Lantern Watch is a civic monitoring group founded in 2011 in Tbilisi. It observes elections in Georgia."


@pytest.fixture
def store_backend() -> dict:
    """The page does not depend on the store backend, so it is served over the embedded store only."""
    return {}


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Launch the app over a pipeline with settings overrides (auth, mcp...); returns its URL; closed after the test."""
    launched = []

    def start(pipeline: Pipeline, **overrides) -> str:
        demo, url = launch_app(pipeline, **overrides)
        launched.append(demo)
        return url

    yield start
    for demo in launched:
        demo.close()


def test_ask_endpoint_returns_the_answer_json(seed_pipeline: Pipeline, serve) -> None:
    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/ask", "/reindex", "/page", "/export"}
    result = client.predict(question=QUESTION, sources=None, api_name="/ask")
    expected = seed_pipeline.ask(QUESTION).to_dict()
    assert {k: v for k, v in result.items() if k != "timings_ms"} == {k: v for k, v in expected.items() if k != "timings_ms"}
    assert "[1]" in result["answer"] and result["abstained"] is False
    assert result["citations"][0]["source"] == SEED.name
    filtered = client.predict(question=QUESTION, sources=[SEED.name], api_name="/ask")
    assert filtered["citations"][0]["source"] == SEED.name


def test_ask_endpoint_reports_errors_as_messages(seed_pipeline: Pipeline, serve) -> None:
    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    with pytest.raises(AppError, match="The question is empty"):
        client.predict(question="   ", api_name="/ask")
    with pytest.raises(AppError, match="No indexed document matches the source filter nope.txt"):
        client.predict(question=QUESTION, sources=["nope.txt"], api_name="/ask")


def test_page_endpoint_renders_a_cited_pdf_page_and_nothing_else(seed_pipeline: Pipeline, serve) -> None:
    from tests.helpers import make_pdf

    make_pdf(seed_pipeline.settings.corpus_dir / "mission.pdf", ["In Juba the Mission counted 312 detainees held without charge."])
    seed_pipeline.index()
    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    shown = client.predict(source="mission.pdf", page=1, quotes=["counted 312 detainees"], api_name="/page")
    assert (shown["page"], shown["pages"], shown["marked"]) == (1, 1, 1)
    assert base64.b64decode(shown["image"].removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
    for source, page, why in [
        ("mission.pdf", 2, "there is no page 2"),
        (SEED.name, 1, "PDF reports only"),
        ("../../etc/passwd", 1, "not an indexed document"),
    ]:
        assert why in client.predict(source=source, page=page, quotes=None, api_name="/page")["error"]


def test_export_and_the_original_file_carry_the_proof(seed_pipeline: Pipeline, serve, monkeypatch) -> None:
    import shutil
    import zipfile

    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    sha = seed_pipeline.documents()[0].sha256
    shown = client.predict(question=QUESTION, format="md", sources=None, api_name="/export")
    text = base64.b64decode(shown["base64"]).decode()
    assert shown["filename"] == "answer.md" and f"## {QUESTION}" in text and f"SHA-256 of the file as indexed: {sha}" in text
    with pytest.raises(AppError, match="choose one of md, docx, odt, csl"):
        client.predict(question=QUESTION, format="pdf", sources=None, api_name="/export")
    cited = client.predict(question=QUESTION, format="csl", sources=None, api_name="/export")
    items = json.loads(base64.b64decode(cited["base64"]))
    assert cited["filename"] == "answer.json" and [item["id"] for item in items] == [SEED.name] and sha in items[0]["note"]

    monkeypatch.setattr(service_module, "STREAM_PAUSE", 0)
    service = ChatService(seed_pipeline)
    assert service.export({}, "md") == (None, "Ask a question first: the export holds the conversation's answers with their sources.")
    answers = list(service.respond(QUESTION, [], [], {}))[-1].answers
    path, note = service.export(answers, "csl")
    assert note == "Exported 1 cited document as CSL-JSON for a reference manager." and path.suffix == ".json"
    copy, note = service.original_file(SEED.name)
    assert note == "" and copy.read_bytes() == (seed_pipeline.settings.corpus_dir / SEED.name).read_bytes()
    for source in ("../outside.txt", "/etc/passwd", "", None):
        assert service.original_file(source)[0] is None
    if shutil.which("pandoc") is None:
        pytest.skip("needs pandoc (apt-get install pandoc), which .ci/run installs")
    path, note = service.export(answers, "docx")
    assert note.startswith("Exported 1 answer with ") and path.suffix == ".docx"
    assert sha in zipfile.ZipFile(path).read("word/footnotes.xml").decode()


def test_a_passage_of_a_text_report_is_shown_in_its_context(make_pipeline) -> None:
    from tests.helpers import indexed

    paragraphs = [f"Section {i}. The monitors visited district {i} and recorded what the residents told them about the "
                  f"water supply, the schools and the clinics there, and about the roads to the market towns." for i in range(40)]
    paragraphs[20] = "Section 20. In district twenty the monitors counted 312 detainees held without charge."
    pipeline = indexed(make_pipeline, **{"monitoring.txt": "\n\n".join(paragraphs)})
    service = ChatService(pipeline)
    answer = pipeline.ask("How many detainees did the monitors count in district twenty?")
    cited = answer.citations[0]
    assert "312 detainees" in cited.quote and 'class="rag-context"' in render.sources_html({0: answer})  # a text report's card
    shown = service.context_view(cited.chunk_id, [cited.quote])
    assert shown["source"] == "monitoring.txt" and f"<mark>{html.escape(render.reflow(cited.quote))}</mark>" in shown["html"]
    assert shown["before"] and shown["after"] and "Section 19." in shown["html"] and "Section 21." in shown["html"]
    chunks = pipeline.store.around("monitoring.txt", 0, 10_000)
    assert [c.ord for c in chunks] == list(range(len(chunks))) and len(chunks) >= 8
    opening = service.context_view(cited.chunk_id, [cited.quote], step=-50)  # moved back past the start: the report's opening
    assert opening["before"] is False and opening["after"] is True and "Section 0." in opening["html"]
    end = service.context_view(cited.chunk_id, [], step=50)
    assert "error" in end or end["after"] is False
    assert service.context_view("no-such-passage")["error"].startswith("passage 'no-such-passage': not in the index")


def test_reindex_endpoint_returns_the_summary(seed_pipeline: Pipeline, serve) -> None:
    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    write(seed_pipeline.settings.corpus_dir, "lantern.txt", LANTERN)
    summary = client.predict(api_name="/reindex")
    assert (summary["added"], summary["unchanged"], summary["documents"]) == (["lantern.txt"], 1, 2)
    assert summary["chunks"] == seed_pipeline.store.count()
    write(seed_pipeline.settings.corpus_dir, "later.txt", "A later note on the lantern makers of the valley.")
    (seed_pipeline.settings.corpus_dir / "lantern.txt").unlink()
    named = client.predict(files=["lantern.txt"], api_name="/reindex")  # that file alone: the new one waits
    assert (named["added"], named["removed"], named["documents"]) == ([], ["lantern.txt"], 1)
    assert seed_pipeline.waiting() == {"later.txt": "new"}


def test_questions_are_answered_while_a_reindex_runs(seed_pipeline: Pipeline, serve, monkeypatch) -> None:
    client = Client(serve(seed_pipeline), verbose=False, analytics_enabled=False)
    started, release = threading.Event(), threading.Event()
    real_index = seed_pipeline.index

    def held_index(*args, **kwargs):
        started.set()
        release.wait(60)
        return real_index(*args, **kwargs)

    monkeypatch.setattr(seed_pipeline, "index", held_index)
    job = client.submit(api_name="/reindex")
    try:
        assert started.wait(30), "the reindex never started"
        with ThreadPoolExecutor(max_workers=1) as pool:
            answer = pool.submit(client.predict, question=QUESTION, api_name="/ask").result(timeout=30)
        assert "[1]" in answer["answer"]
        assert not job.done(), "the reindex should still be held while the question was answered"
    finally:
        release.set()
    assert job.result(timeout=60)["unchanged"] == 1


def test_login_is_required_for_page_api_and_upload(seed_pipeline: Pipeline, serve) -> None:
    url = serve(seed_pipeline, auth="ana:s3cret")
    page = httpx.get(url)
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert "Ask the reports" not in page.text
    assert httpx.get(url + "config").status_code == 401
    assert httpx.get(url + "gradio_api/info").status_code == 401
    upload = httpx.post(url + "gradio_api/upload", files={"files": ("x.txt", b"hello", "text/plain")})
    assert upload.status_code == 401
    page_view = {"session_hash": "x", "component_id": 1, "fn_name": "page_view", "data": {"source": SEED.name, "page": 1}}
    assert httpx.post(url + "gradio_api/component_server", json=page_view).status_code == 401  # the page view's server call
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(url, verbose=False, analytics_enabled=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(url, auth=("ana", "wrong"), verbose=False, analytics_enabled=False)
    client = Client(url, auth=("ana", "s3cret"), verbose=False, analytics_enabled=False)
    assert "[1]" in client.predict(question=QUESTION, api_name="/ask")["answer"]


def test_upload_route_and_handler_keep_files_inside_corpus(seed_pipeline: Pipeline, serve, tmp_path: Path) -> None:
    url = serve(seed_pipeline)
    files = [("files", ("../../etc/x.txt", LANTERN.encode(), "text/plain"))]
    stored = httpx.post(url + "gradio_api/upload", files=files).json()
    note = ChatService(seed_pipeline).add(stored)
    corpus = seed_pipeline.settings.corpus_dir
    assert note.splitlines()[0] == r"- Saved x\.txt"
    assert (corpus / "x.txt").read_text() == LANTERN
    assert sorted(p.name for p in corpus.iterdir()) == sorted([SEED.name, "x.txt"])
    assert not (tmp_path / "etc").exists()
    again = ChatService(seed_pipeline).add(stored)
    assert again.splitlines()[0].startswith(r"- Saved x\-1\.txt: x\.txt already exists and is kept")
    replaced = ChatService(seed_pipeline).add(stored, replace=True)
    assert replaced.splitlines()[0] == r"- Saved x\.txt, replacing the report of that name"
    assert sorted(p.name for p in corpus.iterdir()) == sorted([SEED.name, "x.txt", "x-1.txt"])


def test_upload_handler_enforces_type_and_size_on_the_server(make_pipeline, tmp_path: Path) -> None:
    pipeline = make_pipeline(max_file_mb=0.5)
    big = write(tmp_path / "up", "big.txt", "x" * 600_000)
    script = write(tmp_path / "up", "evil.sh", "rm -rf /")
    note = ChatService(pipeline).add([str(big), str(script)])  # nothing saved, nothing indexed
    assert note.splitlines() == [
        r"- Not saved: big\.txt: 0\.572 MB is over the 0\.5 MB limit \(RAG\_MAX\_FILE\_MB\)",
        r"- Not saved: evil\.sh: unsupported file type \.sh; upload one of \.txt, \.md, \.pdf, \.html, \.htm, \.docx\.",
    ]
    assert list(pipeline.settings.corpus_dir.iterdir()) == []


def test_gradio_refuses_uploads_over_the_size_setting(seed_pipeline: Pipeline, serve) -> None:
    url = serve(seed_pipeline, max_file_mb=0.01)
    files = {"files": ("big.txt", b"x" * 20_000, "text/plain")}
    assert httpx.post(url + "gradio_api/upload", files=files).status_code == 413


def test_mcp_lists_the_ask_tool_only_when_enabled(seed_pipeline: Pipeline, serve) -> None:
    with_mcp = serve(seed_pipeline, mcp=True)
    tools = {tool["name"]: tool for tool in httpx.get(with_mcp + "gradio_api/mcp/schema").json()}
    assert set(tools) == {"ask", "reindex", "page", "export"}
    assert tools["ask"]["inputSchema"]["required"] == ["question"]
    assert "citations" in tools["ask"]["description"]
    result = asyncio.run(_call_mcp_tool(with_mcp, "ask", {"question": QUESTION}))
    assert not result.isError and "[1]" in result.content[0].text and SEED.name in result.content[0].text
    without = serve(seed_pipeline)
    assert httpx.get(without + "gradio_api/mcp/schema").status_code == 404


def test_mcp_tool_calls_need_the_login_too(seed_pipeline: Pipeline, serve) -> None:
    url = serve(seed_pipeline, mcp=True, auth="ana:s3cret")
    result = asyncio.run(_call_mcp_tool(url, "ask", {"question": QUESTION}))
    assert result.isError and "credentials were not provided" in result.content[0].text


async def _call_mcp_tool(url: str, name: str, arguments: dict):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with streamablehttp_client(url + "gradio_api/mcp/") as (read, write_stream, _), ClientSession(read, write_stream) as session:
        await session.initialize()
        return await session.call_tool(name, arguments)


def test_chat_streams_the_answer_and_keeps_the_conversation(seed_pipeline: Pipeline, monkeypatch) -> None:
    monkeypatch.setattr(service_module, "STREAM_PAUSE", 0)
    service = ChatService(seed_pipeline)
    steps = list(service.respond(QUESTION, [], [], {}))
    texts = [step.messages[-1]["content"] for step in steps]
    answer = seed_pipeline.ask(QUESTION)
    assert len(steps) > 2 and texts[-1] == render.answer_html(answer, 1)
    assert all(u.startswith(t) and len(t) < len(u) for t, u in zip(texts[:-2], texts[1:-1]))  # streamed, then the chips
    last = steps[-1]
    assert [m["role"] for m in last.messages] == ["user", "assistant"] and last.question == "" and not last.interpreted
    assert "<mark>" in last.panel and SEED.name in last.panel
    assert last.answers[1].answer == answer.answer
    follow = list(service.respond("and which of them amended their constitutions?", last.messages, [], last.answers))[-1]
    assert [m["role"] for m in follow.messages] == ["user", "assistant", "user", "assistant"]
    assert "Amnesty" in follow.answers[3].resolved_question and follow.interpreted
    assert 'data-turn="1" hidden' in follow.panel and 'data-turn="3">' in follow.panel  # each answer keeps its sources
    alone = list(service.ask_as_written(follow.messages, [], follow.answers))[-1]
    assert alone.answers[5].resolved_question == alone.answers[5].question == "and which of them amended their constitutions?"
    assert not alone.interpreted


def test_a_question_that_cannot_be_asked_stays_in_its_box(seed_pipeline: Pipeline) -> None:
    service = ChatService(seed_pipeline)
    (step,) = list(service.respond("", [], [], {}))
    assert step.messages == [] and step.note.startswith("**Not asked:** The question is empty")
    assert render.EMPTY_SOURCES in step.panel and step.answers == {}
    long = "why " * 1000
    (step,) = list(service.respond(long, [{"role": "user", "content": "earlier"}], [], {}))
    assert step.question == long and step.messages == [{"role": "user", "content": "earlier"}]
    assert "RAG_MAX_QUESTION_CHARS" not in step.note and "limit is" in step.note


def test_html_in_a_question_is_shown_as_text(seed_pipeline: Pipeline, monkeypatch) -> None:
    monkeypatch.setattr(service_module, "STREAM_PAUSE", 0)
    step = list(ChatService(seed_pipeline).respond('<img src=x onerror="alert(1)"> Which countries?', [], [], {}))[-1]
    assert step.messages[0]["content"].startswith("&lt;img src=x")


def test_an_abstention_under_a_filter_says_so(seed_pipeline: Pipeline) -> None:
    answer = seed_pipeline.ask("Who won the 2018 football World Cup?", sources=[SEED.name])
    assert answer.abstained and f"Only the chosen reports were searched ({SEED.name})" in answer.answer


def test_like_appends_feedback_for_that_answer(seed_pipeline: Pipeline, monkeypatch) -> None:
    monkeypatch.setattr(service_module, "STREAM_PAUSE", 0)
    service = ChatService(seed_pipeline)
    answers = list(service.respond(QUESTION, [], [], {}))[-1].answers
    path, note = service.export(answers, "csl")
    assert note == "Exported 1 cited document as CSL-JSON for a reference manager." and path.suffix == ".json"
    assert service.feedback(answers, 0, True, "") == "Only answers can be rated."
    assert service.feedback(answers, 1, False, "missing Belarus", user="ann") == "Thank you: your dislike was recorded."
    lines = (seed_pipeline.settings.index_dir / "feedback.jsonl").read_text().splitlines()
    record = json.loads(lines[0])
    assert len(lines) == 1
    assert (record["question"], record["liked"], record["comment"], record["user"]) == (QUESTION, False, "missing Belarus", "ann")
    assert (record["source"], record["expected"], record["answerable"]) == (SEED.name, [], True)


def test_adding_reports_indexes_those_files_at_once_and_only_them(seed_pipeline: Pipeline, tmp_path: Path) -> None:
    corpus = seed_pipeline.settings.corpus_dir
    write(corpus, "by-hand.txt", "A note copied into the folder by hand, on the river ferries.")
    uploaded = write(tmp_path / "uploads", "lantern.txt", LANTERN)
    note = ChatService(seed_pipeline).add([str(uploaded)])
    assert note.startswith("- Saved lantern\\.txt\n\n") and "- Added: lantern\\.txt" in note
    assert {d.source for d in seed_pipeline.documents()} == {"lantern.txt", SEED.name}
    assert seed_pipeline.waiting() == {"by-hand.txt": "new"}  # listed in Sources for the Reindex button
    assert ChatService(seed_pipeline).add([str(tmp_path / "uploads" / "missing.txt")]).startswith("- Not saved")


def test_delete_removes_the_file_and_its_passages(seed_pipeline: Pipeline) -> None:
    write(seed_pipeline.settings.corpus_dir, "lantern.txt", LANTERN)
    seed_pipeline.index()
    note = ChatService(seed_pipeline).delete("lantern.txt")
    assert note.startswith(r"Deleted lantern\.txt.") and r"- Removed: lantern\.txt" in note
    assert not (seed_pipeline.settings.corpus_dir / "lantern.txt").exists()
    assert [d.source for d in seed_pipeline.documents()] == [SEED.name]
    with pytest.raises(CorpusFileError, match="not a document of the corpus folder"):
        ChatService(seed_pipeline).delete("../outside.txt")


def test_page_sends_no_analytics_even_when_the_environment_allows(seed_pipeline: Pipeline, monkeypatch) -> None:
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    assert app.build_app(seed_pipeline).analytics_enabled is False


def test_importing_the_app_does_not_import_gradio() -> None:
    code = "import sys, app; print('gradio' in sys.modules, 'torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_launch_options_follow_the_settings(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path, host="0.0.0.0", port=8080, auth="ana:pw", mcp=True, max_file_mb=2)
    assert app.launch_options(settings) == {
        "server_name": "0.0.0.0", "server_port": 8080, "auth": [("ana", "pw")], "max_file_size": 2 * 1024 * 1024, "mcp_server": True,
    }


def test_the_sidebar_lists_each_report_with_its_status_and_its_ticks_are_the_filter(seed_pipeline: Pipeline, monkeypatch) -> None:
    monkeypatch.setattr(service_module, "STREAM_PAUSE", 0)
    corpus = seed_pipeline.settings.corpus_dir
    write(corpus, "lantern.txt", "Lantern Watch is a civic monitoring group founded in 2011 in Tbilisi.")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    seed_pipeline.index()
    write(corpus, "late.txt", "A late note, not indexed yet.")
    (corpus / "lantern.txt").write_text("Lantern Watch was founded in 2012 in Batumi.", encoding="utf-8")
    service = ChatService(seed_pipeline)
    view = service.documents_view()
    assert [source for _, source in view.choices] == [SEED.name, "lantern.txt"]  # what can be asked: the indexed reports
    assert next(label for label, source in view.choices if source == "lantern.txt").endswith("· changed since indexed")
    assert "**2 reports indexed**" in view.summary
    assert "**Could not be read**" in view.summary and "broken\\.pdf: " in view.summary
    assert "**Not indexed yet**" in view.summary and "- late\\.txt" in view.summary

    question = "When was Lantern Watch founded?"
    assert service.ticked([SEED.name, "lantern.txt"]) is None  # every report ticked: no filter, later reports included
    assert service.ticked(["lantern.txt"]) == ["lantern.txt"]
    step = list(service.respond(question, [], [SEED.name], {}, ticked=True))[-1]
    assert step.answers and all(c.source == SEED.name for c in [*step.answers[1].citations, *step.answers[1].nearest])
    (step,) = list(service.respond(question, [], [], {}, ticked=True))  # nothing ticked: not asked, the question kept
    assert step.note.startswith("**Not asked:** No report is ticked in Sources") and step.question == question
    assert "2011 in Tbilisi" in list(service.respond(question, [], [SEED.name, "lantern.txt"], {}, ticked=True))[-1].answers[1].answer
    assert service.ticked([SEED.name, "gone.txt"]) == [SEED.name, "gone.txt"]  # a stale tick does not stand for an unticked report
    assert service.ticked([SEED.name, "lantern.txt", "gone.txt"]) is None

    monkeypatch.setattr(render, "MAX_LISTED", 1)  # more reports than the page lists one by one
    view = service.documents_view()
    assert view.choices == [] and "2 reports are too many to tick one by one" in view.summary
    assert service.ticked([]) is None  # no checkbox was offered: every report is asked
    assert "2011 in Tbilisi" in list(service.respond(question, [], [], {}, ticked=True))[-1].answers[1].answer

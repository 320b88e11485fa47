"""The real page in headless Chromium: ask, read the cited source, upload a report, reindex, ask about it."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.pipeline import Pipeline
from tests.conftest import SEED
from tests.helpers import launch_app, make_pdf, write

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
WAIT_MS = 30_000
LANTERN = (
    "Lantern Watch: civic monitoring in Georgia\n\n"
    "Lantern Watch is a civic monitoring group founded in 2011 in Tbilisi by three election observers. "
    "It trains volunteers to watch polling stations across Georgia.\n\n"
    "Its newsletter once printed <script>window.pwned = 1</script> as a joke about careless websites."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture
def store_backend() -> dict:
    """The page does not depend on the store backend, so it is served over the embedded store only."""
    return {}


@pytest.fixture
def page(seed_pipeline: Pipeline) -> Iterator:
    """A Chromium page open on the app served over the seed corpus."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # a busy 2-core machine can take more than the default 5 s to stream an answer
    demo, url = launch_app(seed_pipeline)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(WAIT_MS)
            page.goto(url)
            yield page
            browser.close()
    finally:
        demo.close()


def ask(page, pipeline: Pipeline, question: str, answers_before: int) -> str:
    """Type a question and wait until the streamed reply is exactly the library's answer; return it."""
    from playwright.sync_api import expect

    expected = pipeline.ask(question).answer
    page.fill("#question textarea", question)
    page.click("#ask")
    replies = page.locator("#chat [data-testid='bot']")
    expect(replies).to_have_count(answers_before + 1)
    expect(replies.nth(answers_before)).to_contain_text("[1]")
    expect(replies.nth(answers_before).locator(".message-content")).to_have_text(expected)
    return expected


def test_ask_upload_reindex_and_ask_again(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    first = ask(page, seed_pipeline, "Which countries does the Amnesty report cover?", 0)
    assert "Armenia, Belarus, Kazakhstan and Kyrgyzstan" in first
    expect(page.locator("#sources .rag-doc").first).to_contain_text(SEED.name)
    expect(page.locator("#sources .rag-card mark", has_text="Less than equal")).to_have_count(1)  # the quote is marked in its passage
    cited = seed_pipeline.ask("Which countries does the Amnesty report cover?").citations
    n = next(c.n for c in cited if "Less than equal" in c.quote)  # the quote naming the report, wherever it ranks
    chip = page.locator("#chat .rag-chip", has_text=f"[{n}]").first
    assert "Less than equal" in chip.get_attribute("title")  # hovering a chip shows its quote
    chip.click()  # clicking it marks the card that holds the quote
    expect(page.locator("#sources .rag-flash")).to_have_count(1)
    expect(page.locator("#sources .rag-flash mark", has_text="Less than equal")).to_have_count(1)
    _screenshot(page, tmp_path / "answer.png", os.environ.get("RAG_SCREENSHOT"))

    page.fill("#comment textarea", "clear and cited")
    page.locator("#chat button[aria-label='Like']").first.click()
    expect(page.locator("#feedback-note")).to_contain_text("your like was recorded")
    feedback = json.loads((seed_pipeline.settings.index_dir / "feedback.jsonl").read_text())
    assert (feedback["answer"], feedback["liked"], feedback["comment"], feedback["source"]) == (first, True, "clear and cited", SEED.name)

    page.get_by_role("tab", name="Documents").click()
    upload = write(tmp_path / "to-upload", "lantern-watch.txt", LANTERN)
    page.set_input_files("#upload input[type=file]", str(upload))
    expect(page.locator("#upload-note")).to_contain_text("Saved lantern-watch.txt")
    assert (seed_pipeline.settings.corpus_dir / "lantern-watch.txt").read_text() == LANTERN
    expect(page.locator("#upload-note")).to_contain_text("added 1, updated 0, removed 0, unchanged 0")  # that file indexed at once
    expect(page.locator("#documents")).to_contain_text("lantern-watch.txt")
    expect(page.locator("#picked input[name='lantern-watch.txt']")).to_be_checked()  # a new report comes ticked in Sources

    page.get_by_role("tab", name="Chat").click()
    expect(page.locator("#chat [data-testid='bot']")).to_have_count(1)  # the conversation survived the reindex
    second = ask(page, seed_pipeline, "When was Lantern Watch founded, and where?", 1)
    assert "founded in 2011 in Tbilisi" in second
    latest = page.locator("#sources .rag-answer-sources:visible")
    expect(latest.locator(".rag-doc").first).to_contain_text("lantern-watch.txt")
    expect(latest).to_contain_text("<script>window.pwned = 1</script>")  # shown as text
    assert page.evaluate("window.pwned") is None  # and never run
    _screenshot(page, tmp_path / "new-document.png")
    page.click("#comment textarea")  # a click outside the chat leaves the latest answer's sources in view
    expect(page.locator("#sources .rag-answer-sources:visible").locator(".rag-doc").first).to_contain_text("lantern-watch.txt")

    page.locator("#chat [data-testid='bot']").first.click()  # an earlier answer shows its own sources again
    expect(page.locator("#sources .rag-answer-sources:visible")).to_have_count(1)
    expect(page.locator("#sources .rag-answer-sources:visible")).to_contain_text("Less than equal")
    expect(page.locator("#sources .rag-answer-sources:visible")).not_to_contain_text("lantern-watch.txt")


def test_a_filtered_document_deleted_meanwhile_leaves_the_chat_working(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    write(seed_pipeline.settings.corpus_dir, "lantern-watch.txt", LANTERN)
    page.get_by_role("tab", name="Documents").click()
    page.click("#reindex")
    expect(page.locator("#documents")).to_contain_text("lantern-watch.txt")

    page.get_by_role("tab", name="Chat").click()
    page.locator(f"#picked input[name='{SEED.name}']").click()  # untick the seed: only Lantern Watch is asked
    expect(page.locator(f"#picked input[name='{SEED.name}']")).not_to_be_checked()
    expect(page.locator("#picked input[name='lantern-watch.txt']")).to_be_checked()

    page.get_by_role("tab", name="Documents").click()
    page.click("#delete-choice input")
    page.locator("[data-testid=dropdown-option]", has_text="Lantern Watch").first.click()
    page.click("#delete")
    page.click("#confirm")
    expect(page.locator("#index-note")).to_contain_text("Deleted lantern-watch.txt")

    page.get_by_role("tab", name="Chat").click()
    expect(page.locator("#picked")).not_to_contain_text("Lantern Watch")  # the deleted document left the checkboxes
    page.fill("#question textarea", "Which countries does the Amnesty report cover?")
    page.click("#ask")  # nothing is ticked now: the page says so, and keeps the question
    expect(page.locator("#chat-note")).to_contain_text("Not asked: No report is ticked in Sources")
    expect(page.locator("#chat [data-testid='bot']")).to_have_count(0)
    page.locator("#picked .select-all-checkbox").click()
    expect(page.locator(f"#picked input[name='{SEED.name}']")).to_be_checked()
    answer = ask(page, seed_pipeline, "Which countries does the Amnesty report cover?", 0)
    assert "Armenia, Belarus, Kazakhstan and Kyrgyzstan" in answer
    expect(page.locator(".toast-body")).to_have_count(0)

    replies = page.locator("#chat [data-testid='bot']")
    page.fill("#question textarea", "and which of them amended their constitutions?")
    page.click("#ask")
    expect(replies).to_have_count(2)
    expect(replies.nth(1)).to_contain_text("Interpreted as: and which of them amended their constitutions? (")
    expect(replies.nth(1)).to_contain_text("Armenia and Kyrgyzstan")
    expect(page.locator("#as-written")).to_be_visible()
    page.click("#as-written")  # one click asks it alone
    expect(replies).to_have_count(3)
    expect(replies.nth(2).locator(".rag-chip")).to_have_count(1)  # chips come with the last step: the answer is complete
    expect(replies.nth(2)).not_to_contain_text("Interpreted as")
    expect(page.locator("#as-written")).to_be_hidden()

    too_long = "Why? " * 500
    page.fill("#question textarea", too_long)
    page.click("#ask")
    expect(page.locator("#chat-note")).to_contain_text("Not asked: The question is 2,499 characters long")
    expect(page.locator("#question textarea")).to_have_value(too_long)  # kept, to be shortened
    expect(replies).to_have_count(3)  # no error bubble, nothing to like
    page.fill("#question textarea", "<img src=x onerror=alert(1)> who?")
    page.click("#ask")
    expect(page.locator("#chat [data-testid='user']").last).to_contain_text("<img src=x onerror=alert(1)> who?")


def test_a_broken_upload_is_listed_and_removed_after_confirming(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    corpus = seed_pipeline.settings.corpus_dir
    page.get_by_role("tab", name="Documents").click()
    broken = tmp_path / "to-upload" / "broken-scan.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    page.set_input_files("#upload input[type=file]", str(broken))
    expect(page.locator("#upload-note")).to_contain_text("Skipped broken-scan.pdf")
    row = page.locator("#documents").get_by_role("row", name="broken-scan.pdf")
    expect(row).to_contain_text("not indexed")
    _screenshot(page, tmp_path / "documents.png", os.environ.get("RAG_SCREENSHOT_DOCUMENTS"))

    page.click("#delete-choice input")
    page.locator("[data-testid=dropdown-option]", has_text="broken-scan.pdf").first.click()
    page.click("#delete")
    expect(page.locator("#confirm-note")).to_contain_text("Delete broken-scan.pdf?")
    page.click("#cancel")  # cancelling keeps the file
    expect(page.locator("#confirm-delete")).to_be_hidden()
    assert (corpus / "broken-scan.pdf").exists()

    page.click("#delete")
    page.click("#confirm")
    expect(page.locator("#index-note")).to_contain_text("Deleted broken-scan.pdf")
    expect(page.locator("#documents")).not_to_contain_text("broken-scan.pdf")
    expect(page.locator("#confirm-delete")).to_be_hidden()
    assert sorted(p.name for p in corpus.iterdir()) == [SEED.name]


def test_a_pdf_citation_opens_its_page_with_the_quote_marked(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    make_pdf(
        seed_pipeline.settings.corpus_dir / "mission.pdf",
        ["Cover page of the mission report.", "In Juba the Mission counted 312 detainees held without charge in March."],
    )
    page.get_by_role("tab", name="Documents").click()
    page.click("#reindex")
    expect(page.locator("#documents")).to_contain_text("mission.pdf")
    page.get_by_role("tab", name="Chat").click()
    ask(page, seed_pipeline, "How many detainees did the Mission count in Juba?", 0)
    page.locator("#sources .rag-view").first.click()
    viewer = page.locator("#rag-pageview")
    expect(viewer).to_contain_text("mission.pdf, page 2 of 2 — the quote is marked")
    assert viewer.locator("img").get_attribute("src").startswith("data:image/png;base64,")
    _screenshot(page, tmp_path / "page-view.png", os.environ.get("RAG_SCREENSHOT_PAGE"))
    page.click("#rag-pageview .rag-prev")
    expect(viewer).to_contain_text("mission.pdf, page 1 of 2 — the quote is not on this page")
    expect(page.locator("#rag-pageview .rag-prev")).to_be_disabled()
    page.click("#rag-pageview .rag-close")
    expect(viewer).to_be_hidden()

    page.locator("#sources .rag-original").first.click()  # the original file, served behind the page's login
    with page.expect_download() as download:
        page.locator("#original-file a").first.click()
    download.value.save_as(tmp_path / "original.pdf")
    assert (tmp_path / "original.pdf").read_bytes() == (seed_pipeline.settings.corpus_dir / "mission.pdf").read_bytes()

    page.click("#export")  # the conversation as a Word file whose footnotes prove each quote
    expect(page.locator("#export-note")).to_contain_text("Exported 1 answer with")
    with page.expect_download() as download:
        page.locator("#exported a").first.click()
    saved = tmp_path / "answers.docx"
    download.value.save_as(saved)
    footnotes = zipfile.ZipFile(saved).read("word/footnotes.xml").decode()
    sha = next(d.sha256 for d in seed_pipeline.documents() if d.source == "mission.pdf")
    assert "312 detainees" in footnotes and sha in footnotes and "mission.pdf, page 2" in footnotes


def test_a_text_reports_citation_opens_its_passage_in_context(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    ask(page, seed_pipeline, "Which countries does the Amnesty report cover?", 0)
    page.locator("#sources .rag-context").first.click()  # the seed is a text file: no page to render, its text around
    viewer = page.locator("#rag-pageview")
    expect(viewer).to_contain_text("the passage in its context")
    quotes = {" ".join(c.quote.split()) for c in seed_pipeline.ask("Which countries does the Amnesty report cover?").citations}
    expect(viewer.locator(".rag-text mark").first).to_be_visible()
    assert {" ".join(mark.split()) for mark in viewer.locator(".rag-text mark").all_inner_texts()} <= quotes  # the card's quotes
    expect(viewer.locator("img")).to_be_hidden()
    _screenshot(page, tmp_path / "context-view.png", os.environ.get("RAG_SCREENSHOT_CONTEXT"))
    page.click("#rag-pageview .rag-close")
    expect(viewer).to_be_hidden()


def test_on_a_phone_the_sources_come_right_under_the_chat(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    ask(page, seed_pipeline, "Which countries does the Amnesty report cover?", 0)
    chat, sources, question, comment = (page.locator(s).bounding_box() for s in ("#chat", "#sources", "#question", "#comment"))
    assert chat["y"] < question["y"] < sources["y"] < comment["y"]  # one column: chat, question, its sources, then the rest
    assert sources["x"] + sources["width"] <= 390 + 1  # nothing wider than the screen
    sidebar = page.locator("#sidebar").bounding_box()
    assert sidebar["x"] + sidebar["width"] <= 0  # the sources sidebar starts closed on a phone: it would cover the chat
    page.locator("#chat .rag-chip").last.click()  # a chip brings its card into view
    expect(page.locator("#sources .rag-flash")).to_be_in_viewport()
    _screenshot(page, tmp_path / "phone.png", os.environ.get("RAG_SCREENSHOT_PHONE"))
    page.click("#sidebar .toggle-button")  # its button opens it, with the reports to tick
    expect(page.locator("#picked")).to_be_in_viewport()
    expect(page.locator(f"#picked input[name='{SEED.name}']")).to_be_checked()


def test_the_sources_sidebar_adds_reports_at_once_and_shows_what_failed_or_waits(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#sources-summary")).to_contain_text("1 report indexed")
    folder = tmp_path / "to-upload"
    good, broken = write(folder, "lantern-watch.txt", LANTERN), folder / "broken-scan.pdf"
    broken.write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    with page.expect_file_chooser() as chooser:
        page.click("#add-reports")
    chooser.value.set_files([str(good), str(broken)])
    expect(page.locator("#add-note")).to_contain_text("Saved lantern-watch.txt")
    expect(page.locator("#add-note")).to_contain_text("added 1, updated 0, removed 0, unchanged 0")  # those files indexed at once
    summary = page.locator("#sources-summary")
    expect(summary).to_contain_text("2 reports indexed")
    expect(summary).to_contain_text("Could not be read")
    expect(summary).to_contain_text("broken-scan.pdf")
    expect(page.locator("#picked input[name='lantern-watch.txt']")).to_be_checked()

    write(seed_pipeline.settings.corpus_dir, "late-note.txt", "A late note from the monitors, not indexed yet.")
    page.reload()  # a file put into the corpus folder waits for a reindex, and the sidebar says so
    expect(page.locator("#sources-summary")).to_contain_text("Not indexed yet")
    expect(page.locator("#sources-summary")).to_contain_text("late-note.txt")
    expect(page.locator("#picked input[name='late-note.txt']")).to_have_count(0)  # only indexed reports can be ticked
    page.wait_for_function("document.querySelector('#sidebar').getBoundingClientRect().left >= 0")  # slid in
    page.wait_for_timeout(500)
    _screenshot(page, tmp_path / "sidebar.png", os.environ.get("RAG_SCREENSHOT_SIDEBAR"))

    page.locator("#picked input[name='lantern-watch.txt']").click()  # unticked: its passages are not searched
    page.fill("#question textarea", "When was Lantern Watch founded, and where?")
    page.click("#ask")
    reply = page.locator("#chat [data-testid='bot']").first
    expect(reply).to_contain_text("Only the chosen reports were searched")
    expect(reply).not_to_contain_text("Tbilisi")


def _screenshot(page, path: Path, copy_to: str | None = None) -> None:
    """Save a screenshot; with RAG_SCREENSHOT set, also copy it there (how docs/screenshot.png is made)."""
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    if copy_to:
        Path(copy_to).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy_to)


def test_choosing_a_collection_keeps_the_questions_to_it(page, seed_pipeline: Pipeline, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    corpus = seed_pipeline.settings.corpus_dir
    write(corpus, "haiti/panel.txt", "In March 2025 the Panel counted 312 detainees held without charge in Port-au-Prince.")
    write(corpus, "sudan/mission.txt", "In March 2025 the Mission counted 88 detainees held without charge in Juba.")
    page.get_by_role("tab", name="Documents").click()
    page.click("#reindex")
    expect(page.locator("#documents")).to_contain_text("sudan/mission.txt")
    page.get_by_role("tab", name="Chat").click()
    expect(page.locator("#collection")).to_be_visible()  # shown once the corpus has collections
    page.locator("#collection input").click()
    page.get_by_role("option", name="sudan", exact=True).click()
    expect(page.locator("#picked [data-testid=checkbox-group] input")).to_have_count(1)  # the checkboxes narrow to its reports
    expect(page.locator("#picked input[name='sudan/mission.txt']")).to_be_checked()
    page.fill("#question textarea", "How many detainees were held without charge in March 2025?")
    page.click("#ask")
    reply = page.locator("#chat [data-testid='bot']").first
    expect(reply).to_contain_text("88 detainees")
    expect(reply).not_to_contain_text("312")
    expect(page.locator("#sources .rag-answer-sources:visible .rag-doc")).to_have_count(1)
    expect(page.locator("#sources .rag-answer-sources:visible")).to_contain_text("sudan/mission.txt")
    _screenshot(page, tmp_path / "collection.png", os.environ.get("RAG_SCREENSHOT_COLLECTION"))

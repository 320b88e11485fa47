"""What the page shows: escaped chat text, source cards with the quoted span marked, tables, examples."""

from __future__ import annotations

from rag.stores.bookkeeping import DocRecord
from rag.types import Answer, Citation
from rag.web import render

PASSAGE = "Intro <b>bold</b>. Lantern Watch was founded in 2011 in Tbilisi. <script>alert(1)</script>"
QUOTE = "Lantern Watch was founded in 2011 in Tbilisi."


def _citation(n: int | None = 1, text: str = PASSAGE, page: int | None = 3) -> Citation:
    start = text.find(QUOTE)
    return Citation(n, "ngo/lantern.txt", "Lantern <Watch>", page, "c1", text, QUOTE, start, start + len(QUOTE), 0.8)


def _doc(source: str, title: str, indexed_at: float) -> DocRecord:
    return DocRecord(source, "sha", title, 1, 2, "2024-01-01T00:00:00+00:00", indexed_at)


def test_chat_text_escapes_html_and_keeps_markers() -> None:
    shown = render.chat_text("A & B <script>alert(1)</script> said so. [1]")
    assert shown == "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; said so. [1]"


def test_markdown_literal_shows_markup_literally() -> None:
    shown = render.markdown_literal("See ![x](http://evil/p.png) <script>alert(1)</script> **bold** [1]")
    assert "<script>" not in shown and "![" not in shown and "](" not in shown
    assert shown == (
        r"See \!\[x\]\(http://evil/p\.png\) &lt;script&gt;alert\(1\)&lt;/script&gt; \*\*bold\*\* \[1\]"
    )


def test_progressive_grows_word_by_word_and_ends_whole() -> None:
    pieces = list(render.progressive("one two three four five six seven", words=3))
    assert pieces == ["one two three ", "one two three four five six ", "one two three four five six seven"]


def test_card_escapes_document_text_and_marks_the_quote() -> None:
    card = render.citation_card(_citation())
    assert "<script>" not in card and "<b>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert f"<mark>{QUOTE}</mark>" in card
    assert '<span class="rag-n">[1]</span> Lantern &lt;Watch&gt;' in card
    assert "ngo/lantern.txt, page 3" in card


def test_highlight_clamps_offsets_outside_the_text() -> None:
    assert render.highlight("a<b", 1, 99) == "a<mark>&lt;b</mark>"
    assert render.highlight("abc", 5, 9) == "abc"


def test_sources_panel_for_an_answer_and_for_an_abstention() -> None:
    answered = Answer("q", f"{QUOTE} [1]", abstained=False, citations=[_citation()])
    abstained = Answer("q", "The indexed reports do not appear to answer this.", abstained=True, nearest=[_citation(n=None)])
    assert "<h3>Sources</h3>" in render.sources_html(answered)
    panel = render.sources_html(abstained)
    assert "<h3>Nearest passages (not an answer)</h3>" in panel
    assert "rag-n" not in panel and f"<mark>{QUOTE}</mark>" in panel
    assert render.EMPTY_SOURCES in render.sources_html(None)


def test_examples_name_the_newest_reports() -> None:
    docs = [
        _doc("a.txt", "Amnesty International called the cause of the deterioration", 100.0),
        _doc("b.txt", "Lantern Watch: civic monitoring in Georgia", 200.0),
        _doc("c.txt", "annual review of detentions", 50.0),
    ]
    assert render.example_questions(docs) == [
        "Which countries does the Lantern Watch report cover?",
        "What are the main findings of the Lantern Watch report?",
        "Which countries does the Amnesty International report cover?",
    ]
    assert render.example_questions(docs[2:], most=1) == ["Which countries does the “annual review of detentions” report cover?"]


def test_document_rows_and_choices() -> None:
    docs = [_doc("reports/a.pdf", "A" * 80, 0.0)]
    assert render.document_rows(docs) == [["A" * 80, "reports/a.pdf", 1, 2, "", "indexed"]]
    label, value = render.document_choices(docs)[0]
    assert value == "reports/a.pdf" and len(label) == 70 and label.endswith("…")


def test_failed_files_are_listed_first_and_can_be_deleted() -> None:
    docs = [_doc("a.pdf", "Annual review", 0.0)]
    failures = {"broken.pdf": "corrupt PDF", "a.pdf": "encrypted PDF", "notes.odt": "unsupported file type .odt"}
    rows = render.document_rows(docs, failures)
    assert rows[0] == ["", "broken.pdf", "", "", "", "not indexed: corrupt PDF"]
    assert rows[1][1] == "notes.odt" and rows[2][1] == "a.pdf"
    assert rows[2][-1] == "indexed; its file changed and now fails: encrypted PDF"
    removable = render.removable_choices(docs, failures)
    assert [value for _, value in removable] == ["broken.pdf", "a.pdf"]  # not a type the page may delete
    assert removable[0][0] == "broken.pdf (not indexed)"


def test_summary_lists_changes_and_skips() -> None:
    summary = {"added": ["new.txt"], "updated": [], "removed": ["old.md"], "unchanged": 2, "documents": 3, "chunks": 9,
               "skipped": [{"source": "bad.pdf", "reason": "encrypted PDF"}], "seconds": 1.25}
    text = render.summary_markdown(summary)
    assert text.splitlines()[0] == "**Reindexed in 1.2 s:** added 1, updated 0, removed 1, unchanged 2, skipped 1."
    assert r"- Added: new\.txt" in text and r"- Removed: old\.md" in text
    assert r"- Skipped bad\.pdf: encrypted PDF" in text
    assert text.endswith("The index holds 3 documents in 9 chunks.")
    assert render.summary_markdown({**summary, "documents": 1, "chunks": 1}).endswith("The index holds 1 document in 1 chunk.")

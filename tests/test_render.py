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
    card = render.citation_card([_citation()])
    assert "<script>" not in card and "<b>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert f"<mark>{QUOTE}</mark>" in card
    assert '<span class="rag-n">[1]</span> page 3' in card and 'data-n="1"' in card


def test_highlight_clamps_offsets_outside_the_text() -> None:
    assert render.highlight("a<b", [(1, 99)]) == "a<mark>&lt;b</mark>"
    assert render.highlight("abc", [(5, 9)]) == "abc"
    assert render.highlight("abcdef", [(3, 5), (0, 1), (4, 6)], "rag-near") == '<mark class="rag-near">a</mark>bc<mark class="rag-near">def</mark>'


def test_sources_panel_for_an_answer_and_for_an_abstention() -> None:
    answered = Answer("q", f"{QUOTE} [1]", abstained=False, citations=[_citation()])
    abstained = Answer("q", "The indexed reports do not appear to answer this.", abstained=True, nearest=[_citation(n=None)])
    panel = render.sources_html({1: answered})
    assert "<h3>Sources</h3>" in panel and "Lantern &lt;Watch&gt;" in panel and "ngo/lantern.txt" in panel
    panel = render.sources_html({1: abstained})
    assert "<h3>Nearest passages (not an answer)</h3>" in panel and "rag-nearest" in panel
    assert 'class="rag-n"' not in panel and f'<mark class="rag-near">{QUOTE}</mark>' in panel  # not marked as evidence
    assert render.EMPTY_SOURCES in render.sources_html(None)


def test_each_answer_keeps_its_sources_and_the_latest_is_shown() -> None:
    first = Answer("first?", f"{QUOTE} [1]", abstained=False, citations=[_citation()])
    second = Answer("second?", "The indexed reports do not appear to answer this.", abstained=True, nearest=[_citation(n=None)])
    panel = render.sources_html({2: first, 4: second})
    assert '<section class="rag-answer-sources" data-turn="2" hidden>' in panel
    assert '<section class="rag-answer-sources rag-nearest" data-turn="4">' in panel
    assert "for “first?”" in panel and "for “second?”" in panel


def test_one_card_per_passage_and_the_title_once_per_document() -> None:
    other = "Lantern Watch has 14 staff."
    text = f"{PASSAGE} {other}"
    one = _citation(1, text)
    two = Citation(2, "ngo/lantern.txt", "Lantern <Watch>", 3, "c1", text, other, text.find(other), text.find(other) + len(other), 0.7)
    three = _citation(3, "Another page says Lantern Watch was founded in 2011 in Tbilisi.", page=5)
    panel = render.sources_html({1: Answer("q", "a [1]\nb [2]\nc [3]", abstained=False, citations=[one, two, three])})
    assert panel.count("rag-card") == 2 and panel.count("Lantern &lt;Watch&gt;") == 1
    assert 'data-n="1 2"' in panel and "<mark>" + other + "</mark>" in panel and "page 5" in panel


def test_answer_bubble_has_one_quote_per_line_and_chips() -> None:
    cited = _citation()
    answer = Answer("When was it founded?", f"{QUOTE} [1]\nA <b>second</b> line [1] [7]", abstained=False, citations=[cited])
    shown = render.answer_html(answer, 4)
    assert shown.count('<div class="rag-line">') == 2 and "&lt;b&gt;second&lt;/b&gt;" in shown and "<b>" not in shown
    assert f'<span class="rag-chip rag-turn-4 rag-cite-1" title="{QUOTE}">[1]</span>' in shown
    assert "[7]" in shown and "rag-cite-7" not in shown  # a marker with no citation stays text
    assert "Interpreted as" not in shown
    answer.resolved_question = "When was it founded? (Lantern Watch)"
    assert "Interpreted as: When was it founded? (Lantern Watch)" in render.answer_html(answer, 4)


def test_reflow_joins_the_lines_of_a_paragraph_and_keeps_structure() -> None:
    text = "The Mission counted\n310 casualties.\n\nGrounds:\n• detention\n• torture\nRow 12 14 15\n2021 13 18 19"
    shown = render.reflow(text)
    assert len(shown) == len(text)
    assert shown == "The Mission counted 310 casualties.\n\nGrounds:\n• detention\n• torture Row 12 14 15\n2021 13 18 19"
    # a row whose label wraps onto the line before its figures, and the caption under the table, start lines of their own
    table = "2012 2013\nштраф 2051 2218\nлишение свободы до 1 года\nвкл. 336 408\nРешения судов по статье 318 УК РФ."
    assert render.reflow(table) == "2012 2013\nштраф 2051 2218\nлишение свободы до 1 года вкл. 336 408\nРешения судов по статье 318 УК РФ."


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
    assert render.example_questions([_doc("d.txt", "Report 7 on the situation of journalists", 9.0)], most=1) == [
        "Which countries does the Report cover?"  # not "the Report report"
    ]


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


def test_a_large_corpus_is_counted_not_listed_one_by_one(monkeypatch) -> None:
    monkeypatch.setattr(render, "MAX_LISTED", 3)
    docs = [_doc(f"r{n}.pdf", f"Report {n}", 0.0) for n in range(5)]
    failures = {"broken.pdf": "corrupt PDF"}
    rows = render.document_rows(docs, failures)
    assert [row[1] for row in rows] == ["broken.pdf", "r0.pdf", "r1.pdf", "… and 3 more"]
    assert [row[1] for row in render.document_rows(docs[:4])] == ["r0.pdf", "r1.pdf", "r2.pdf", "… and 1 more"]
    assert [row[1] for row in render.document_rows(docs[:3])] == ["r0.pdf", "r1.pdf", "r2.pdf"]
    assert render.source_choices(docs, failures) == [] and len(render.source_choices(docs[:3])) == 3
    assert [value for _, value in render.removable_choices(docs, failures)] == ["broken.pdf", "r0.pdf", "r1.pdf"]
    summary = render.sources_summary(docs, failures, {f"new{n}.txt": "new" for n in range(25)}, offered=5)
    assert "5 reports are too many to tick one by one (the list stops at 3): every one of them is asked" in summary
    assert summary.count(r"- new") == 20 and "- … and 5 more (python -m rag status lists them)" in summary
    assert "too many" not in render.sources_summary(docs, failures, offered=3)
    changed = {"added": [f"a{n}.txt" for n in range(25)], "updated": [], "removed": [], "unchanged": 0, "documents": 25, "chunks": 25,
               "skipped": [], "seconds": 1.0}
    assert r"- Added: a0\.txt, a1\.txt" in render.summary_markdown(changed) and "a19\\.txt and 5 more" in render.summary_markdown(changed)


def test_summary_lists_changes_and_skips() -> None:
    summary = {"added": ["new.txt"], "updated": [], "removed": ["old.md"], "unchanged": 2, "documents": 3, "chunks": 9,
               "skipped": [{"source": "bad.pdf", "reason": "encrypted PDF"}], "seconds": 1.25}
    text = render.summary_markdown(summary)
    assert text.splitlines()[0] == "**Reindexed in 1.2 s:** added 1, updated 0, removed 1, unchanged 2, skipped 1."
    assert r"- Added: new\.txt" in text and r"- Removed: old\.md" in text
    assert r"- Skipped bad\.pdf: encrypted PDF" in text
    assert text.endswith("The index holds 3 documents in 9 chunks.")
    assert render.summary_markdown({**summary, "documents": 1, "chunks": 1}).endswith("The index holds 1 document in 1 chunk.")
    assert "Every report was read again" not in text
    assert "- Every report was read again" in render.summary_markdown({**summary, "reread": True})
    mixed = {**summary, "model": "multilingual-e5-small (int8)", "languages": {"English": 0.6, "Russian": 0.4}, "reads_across_languages": True}
    model = render.markdown_literal("multilingual-e5-small (int8)")
    across = f"The reports are in English and Russian; the model {model} matches questions across them."
    assert render.summary_markdown(mixed).endswith(across)
    advice = "The reports are in English and Russian, and the model all-MiniLM-L6-v2 matches a question only with text in the question's language"
    assert render.summary_markdown({**mixed, "reads_across_languages": False, "language_advice": advice}).endswith(render.markdown_literal(advice))


def test_a_passage_in_context_is_one_text_with_its_overlaps_taken_once_and_the_quote_marked() -> None:
    from rag.types import Chunk

    page = "First paragraph about the mission.\n\nThe Mission counted 312 detainees in Juba.\nThey were held without charge. Last words."
    cut = page.index(" Last")
    parts = [(0, 60), (40, cut), (cut + 1, len(page))]  # overlapping, then apart by a space

    def chunk(i: int, start: int, end: int, number: int | None = None) -> Chunk:
        return Chunk(f"c{i}", page[start:end], "notes.txt", "Notes", number, start, end, "sha", i)

    shown = render.context_html([chunk(i, s, e) for i, (s, e) in enumerate(parts)], ["The Mission counted 312 detainees in Juba."])
    assert shown.count("The Mission counted") == 1 and "<mark>The Mission counted 312 detainees in Juba.</mark>" in shown
    assert "mission.\n\n<mark>" in shown and "Juba.</mark> They were" in shown  # a paragraph break kept, a line break reflowed
    assert "without charge. Last words." in shown
    html_page = render.context_html([chunk(0, 0, 60, 1), chunk(1, 0, 30, 2)], ["<b>"])
    assert "— page 2 —" in html_page and "<mark>" not in html_page  # a quote not in the text marks nothing

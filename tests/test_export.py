"""Export: Markdown footnotes that carry the proof of each quote, and document text that stays text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rag.answering.export import export, to_markdown
from rag.errors import ExportError
from rag.stores.bookkeeping import DocRecord
from rag.types import Answer, Citation

WHEN = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HOSTILE = "# Not a heading <script>x</script> [link](http://evil) *stars* 1. two"


def _citation(n: int, quote: str, source: str = "reports/mission.pdf", page: int | None = 4) -> Citation:
    text = f"Before. {quote} After."
    return Citation(n, source, "Mission *report* 2025", page, f"c{n}", text, quote, 8, 8 + len(quote), 0.9)


def _answer(question: str, *quotes: str) -> Answer:
    citations = [_citation(n, q) for n, q in enumerate(quotes, start=1)]
    return Answer(question, "\n".join(f"{c.quote} [{c.n}]" for c in citations), abstained=False, citations=citations)


DOCS = {"reports/mission.pdf": DocRecord("reports/mission.pdf", "ab" * 32, "Mission report 2025", 9, 30, "", WHEN.timestamp())}


def test_each_quote_becomes_a_footnote_with_file_page_hash_and_date():
    text = to_markdown([_answer("How many detainees?", "The Mission counted 312\ndetainees.")], DOCS, WHEN)
    assert "Exported 2026-12-02 10:00 UTC." in text and "## How many detainees?" in text
    assert "The Mission counted 312\ndetainees. [^1-1]" not in text  # the answer text is one line per quote
    assert (
        "[^1-1]: “The Mission counted 312 detainees.” — *Mission \\*report\\* 2025*, reports/mission.pdf, page 4. "
        f"SHA-256 of the file as indexed: {'ab' * 32}; indexed 2026-12-02 10:00 UTC."
    ) in text


def test_footnotes_of_several_answers_never_collide():
    text = to_markdown([_answer("First?", "One quote.", "Two quotes."), _answer("Second?", "Three quotes.")], DOCS, WHEN)
    assert [line.split(":")[0] for line in text.splitlines() if line.startswith("[^")] == ["[^1-1]", "[^1-2]", "[^2-1]"]


def test_report_text_and_questions_stay_text():
    text = to_markdown([_answer(HOSTILE, HOSTILE)], DOCS, WHEN)
    assert "<script>" not in text and "[link](" not in text and "\n# Not" not in text
    assert "\\<script\\>" in text and "\\[link\\](http://evil)" in text and "\\*stars\\*" in text


def test_an_abstention_quotes_nothing_and_a_stray_marker_stays_text():
    abstained = Answer("Capital of Australia?", "The indexed reports do not appear to answer this.", abstained=True)
    text = to_markdown([abstained, Answer("q", "Quoted [1] and [7]", False, [_citation(1, "Quoted")])], DOCS, WHEN)
    assert "nothing is quoted" in text and "[^1-" not in text
    assert "Quoted [^2-1] and \\[7\\]" in text


def test_the_cited_documents_export_as_csl_json_for_reference_managers():
    import json

    other = _citation(3, "Another report says so.", source="ngo/brief.txt", page=None)
    answers = [_answer("First?", "One quote.", "Two quotes."), Answer("Second?", "Another report says so. [3]", False, [other])]
    items = json.loads(export(answers, DOCS, "csl"))
    assert [item["id"] for item in items] == ["reports/mission.pdf", "ngo/brief.txt"]  # one per document, first cited first
    mission = items[0]
    assert mission["type"] == "report" and mission["title"] == "Mission *report* 2025" and mission["accessed"] == {"date-parts": [[2026, 12, 2]]}
    assert mission["note"] == f"File: reports/mission.pdf; pages cited: 4; SHA-256 of the file as indexed: {'ab' * 32}; indexed 2026-12-02 10:00 UTC"
    assert items[1]["note"] == "File: ngo/brief.txt" and "accessed" not in items[1]  # not in the bookkeeping: no proof to give
    assert json.loads(export([Answer("Capital?", "The indexed reports do not appear to answer this.", abstained=True)], DOCS, "csl")) == []


def test_unknown_format_is_refused():
    with pytest.raises(ExportError, match="choose one of md, docx, odt, csl"):
        export([], DOCS, "pdf")

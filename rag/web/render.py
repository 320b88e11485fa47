"""Answers and index state as the web page shows them: chat text, source cards, tables, examples.

Document text is untrusted: every piece of it is HTML-escaped here, and text for Markdown
components is also backslash-escaped, so a report holding `<script>` or `![](http://…)` shows
as plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import PurePosixPath

from rag.ingest.loaders import SUPPORTED
from rag.stores.bookkeeping import DocRecord
from rag.types import Answer, Citation

NEAREST_LABEL = "Nearest passages (not an answer)"
SOURCES_LABEL = "Sources"
EMPTY_SOURCES = "The sources of the latest answer appear here: each cited passage, with the quoted words highlighted."
DOCUMENT_HEADERS = ["Title", "File", "Pages", "Chunks", "Last indexed", "Status"]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
_LEADING_NAME = re.compile(r"^(?:(?:The|A|An)\s+)?((?:[A-Z][\w'&-]*\s*){1,3})")
_MAX_CHOICE_LABEL = 70


def chat_text(text: str) -> str:
    """Text a chat bubble shows literally; the chatbot renders no Markdown, but it does render HTML."""
    return html.escape(text, quote=False)


def markdown_literal(text: str) -> str:
    """Text a Markdown component shows literally: HTML-escaped, Markdown marks backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def progressive(text: str, words: int = 3) -> Iterator[str]:
    """Growing prefixes of text, a few words at a time, ending with the whole text (for streaming)."""
    pieces = re.findall(r"\S+\s*", text)
    for end in range(words, len(pieces), words):
        yield "".join(pieces[:end])
    yield text


def sources_html(answer: Answer | None) -> str:
    """The sources panel: one card per citation, or the nearest passages when the answer abstained."""
    if answer is None:
        return f'<div class="rag-sources"><p class="rag-empty">{html.escape(EMPTY_SOURCES)}</p></div>'
    label, cited = (NEAREST_LABEL, answer.nearest) if answer.abstained else (SOURCES_LABEL, answer.citations)
    cards = "".join(citation_card(c) for c in cited) or '<p class="rag-empty">No passage to show.</p>'
    return f'<div class="rag-sources"><h3>{label}</h3>{cards}</div>'


def citation_card(citation: Citation) -> str:
    """One passage: its number, title, file and page, and the text with the quoted span in <mark>."""
    number = f'<span class="rag-n">[{citation.n}]</span> ' if citation.n is not None else ""
    page = f", page {citation.page}" if citation.page is not None else ""
    return (
        f'<article class="rag-card">'
        f'<div class="rag-title">{number}{html.escape(citation.title)}</div>'
        f'<div class="rag-meta">{html.escape(citation.source)}{page}</div>'
        f'<p class="rag-passage">{highlight(citation.text, citation.quote_start, citation.quote_end)}</p>'
        f"</article>"
    )


def highlight(text: str, start: int, end: int) -> str:
    """The escaped passage with text[start:end] wrapped in <mark>; offsets are clamped to the text."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    before, quote, after = (html.escape(part) for part in (text[:start], text[start:end], text[end:]))
    return f"{before}<mark>{quote}</mark>{after}" if quote else before + after


def document_rows(docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None) -> list[list]:
    """Rows of the documents table, in DOCUMENT_HEADERS order: files the last reindex could not read first, with
    the reason, then the indexed documents. A document whose file failed after it was indexed keeps its row."""
    failures = failures or {}
    indexed = {d.source for d in docs}
    failed = [["", source, "", "", "", f"not indexed: {reason}"] for source, reason in failures.items() if source not in indexed]
    return failed + [[d.title, d.source, d.pages, d.chunks, _when(d.indexed_at), _status(failures.get(d.source))] for d in docs]


def document_choices(docs: Sequence[DocRecord]) -> list[tuple[str, str]]:
    """(label, source) pairs for the filter and delete dropdowns; the label names title and file."""
    return [(_clip(f"{d.title} — {d.source}"), d.source) for d in docs]


def removable_choices(docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The delete list: failed report files (so a broken upload can be removed from the page), then the indexed documents."""
    indexed = {d.source for d in docs}
    broken = [
        (_clip(f"{source} (not indexed)"), source)
        for source in failures or {}
        if source not in indexed and PurePosixPath(source).suffix.lower() in SUPPORTED
    ]
    return broken + document_choices(docs)


def _status(failure: str | None) -> str:
    return f"indexed; its file changed and now fails: {failure}" if failure else "indexed"


def example_questions(docs: Sequence[DocRecord], most: int = 3) -> list[str]:
    """Starter questions naming the indexed reports, newest first.

    The name is the capitalised words a title starts with ("Amnesty International …" gives
    "the Amnesty International report"), so the question matches the report's own wording.
    """
    questions: list[str] = []
    for doc in sorted(docs, key=lambda d: -d.indexed_at):
        name = _report_name(doc.title)
        questions += [f"Which countries does the {name} report cover?", f"What are the main findings of the {name} report?"]
    return list(dict.fromkeys(questions))[:most]


def summary_markdown(summary: dict) -> str:
    """A reindex summary in a few lines: what changed, what was skipped and why, what the index holds."""
    lines = [
        f"**Reindexed in {summary['seconds']:.1f} s:** added {len(summary['added'])}, updated {len(summary['updated'])}, "
        f"removed {len(summary['removed'])}, unchanged {summary['unchanged']}, skipped {len(summary['skipped'])}."
    ]
    for key in ("added", "updated", "removed"):
        if summary[key]:
            lines.append(f"- {key.capitalize()}: {', '.join(markdown_literal(s) for s in summary[key])}")
    lines += [f"- Skipped {markdown_literal(s['source'])}: {markdown_literal(s['reason'])}" for s in summary["skipped"]]
    lines.append(f"\nThe index holds {plural(summary['documents'], 'document')} in {plural(summary['chunks'], 'chunk')}.")
    return "\n".join(lines)


def plural(n: int, noun: str) -> str:
    """'1 document', '3 documents'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _report_name(title: str) -> str:
    match = _LEADING_NAME.match(title.strip())
    name = match.group(1).strip() if match else ""
    return name or "“" + " ".join(title.split()[:5]) + "”"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else ""


def _clip(label: str) -> str:
    return label if len(label) <= _MAX_CHOICE_LABEL else label[: _MAX_CHOICE_LABEL - 1] + "…"

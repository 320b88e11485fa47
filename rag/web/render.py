"""Answers and index state as the web page shows them: chat text, source cards, tables, examples.

Document text is untrusted: every piece of it is HTML-escaped here, and text for Markdown
components is also backslash-escaped, so a report holding `<script>` or `![](http://…)` shows
as plain text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import PurePosixPath

from rag.ingest.loaders import SUPPORTED
from rag.stores.bookkeeping import DocRecord
from rag.text import is_list_item, is_table_row, listed
from rag.types import CITATION_MARKER, Answer, Chunk, Citation

NEAREST_LABEL = "Nearest passages (not an answer)"
SOURCES_LABEL = "Sources"
EMPTY_SOURCES = "The sources of the latest answer appear here: each cited passage, with the quoted words highlighted."
DOCUMENT_HEADERS = ["Title", "File", "Pages", "Chunks", "Last indexed", "Status"]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
_LEADING_NAME = re.compile(r"^(?:(?:The|A|An)\s+)?((?:[A-Z][\w'&-]*\s*){1,3})")
_MAX_CHOICE_LABEL = 70
MAX_LISTED = 1000  # reports the page names one by one (table rows, checkboxes, delete choices); past it, counts and the way out
_MAX_NAMED = 20  # file names in one note or status list before "and N more"
_SETTING_NAME = re.compile(r"\s*\(RAG_[A-Z_]+(?:=[^)]*)?\)")


def chat_text(text: str) -> str:
    """Text a chat bubble shows literally; the chatbot renders no Markdown, but it does render HTML."""
    return html.escape(text, quote=False)


def markdown_literal(text: str) -> str:
    """Text a Markdown component shows literally: HTML-escaped, Markdown marks backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def for_readers(message: str) -> str:
    """An error message for the page's readers: without the setting names an administrator needs ("(RAG_…)")."""
    return _SETTING_NAME.sub("", message)


def progressive(text: str, words: int = 3) -> Iterator[str]:
    """Growing prefixes of text, a few words at a time, ending with the whole text (for streaming)."""
    pieces = re.findall(r"\S+\s*", text)
    for end in range(words, len(pieces), words):
        yield "".join(pieces[:end])
    yield text


def reflow(text: str) -> str:
    """The text with the page's line breaks inside a paragraph turned into spaces, for reading. Same length, so a
    quote's offsets hold. Kept: paragraph breaks, breaks after a lead-in (":") and before a list item or table row,
    and after a table row before a row whose label wraps onto two lines ("штраф 1772 …" / "лишение свободы до 1
    года" / "вкл. 352 354 …") or before a capital (the table's caption, the text after it)."""
    lines = text.split("\n")
    out = [lines[0]]
    for i, (before, line) in enumerate(zip(lines, lines[1:]), start=1):
        keep = not before.strip() or not line.strip() or before.rstrip().endswith(":") or is_list_item(line.lstrip())
        after = lines[i + 1] if i + 1 < len(lines) else ""
        keep = keep or (is_table_row(before) and (is_table_row(line) or is_table_row(after) or line.lstrip()[:1].isupper()))
        out.append(("\n" if keep else " ") + line)
    return "".join(out)


def answer_html(answer: Answer, turn: int) -> str:
    """An answer as its chat bubble shows it: each quote on its own line, each [n] a chip that shows the quote on
    hover and, clicked, opens its source card (the page's script, CHIP_SCRIPT); a follow-up says how it was read.
    The chat's sanitiser drops data attributes, so the answer's turn and the citation number travel as classes."""
    quotes = {c.n: " ".join(c.quote.split()) for c in answer.citations}

    def chip(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in quotes:
            return match.group(0)
        tip = html.escape(_clip(quotes[n], 300), quote=True)
        return f'<span class="rag-chip rag-turn-{turn} rag-cite-{n}" title="{tip}">[{n}]</span>'

    lines = [CITATION_MARKER.sub(chip, html.escape(line, quote=False)) for line in answer.answer.split("\n") if line.strip()]
    read = answer.resolved_question
    lead = f'<span class="rag-turn rag-turn-{turn}"></span>'
    if read and read != answer.question:
        lead += f'<div class="rag-interpreted">Interpreted as: {html.escape(read, quote=False)}</div>'
    return lead + "\n".join(f'<div class="rag-line">{line}</div>' for line in lines)


def sources_html(answers: Mapping[int, Answer] | None = None) -> str:
    """The sources panel: one section per answer of the conversation (the latest shown; a chip or a click on an
    earlier answer shows its own), each with its cited passages grouped by document, or the nearest passages
    when the answer abstained."""
    if not answers:
        return f'<div class="rag-sources"><p class="rag-empty">{html.escape(EMPTY_SOURCES)}</p></div>'
    latest = max(answers)
    sections = "".join(_section(turn, answer, turn != latest) for turn, answer in sorted(answers.items()))
    return f'<div class="rag-sources">{sections}</div>'


def _section(turn: int, answer: Answer, hidden: bool) -> str:
    near = answer.abstained
    label, cited = (NEAREST_LABEL, answer.nearest) if near else (SOURCES_LABEL, answer.citations)
    asked = html.escape(_clip(answer.question, 90), quote=False)
    groups: dict[str, list[Citation]] = {}
    for citation in cited:
        groups.setdefault(citation.source, []).append(citation)
    body = "".join(_document(group, near) for group in groups.values()) or '<p class="rag-empty">No passage to show.</p>'
    kind = "rag-answer-sources rag-nearest" if near else "rag-answer-sources"
    return (
        f'<section class="{kind}" data-turn="{turn}"{" hidden" if hidden else ""}>'
        f'<h3>{label}</h3><p class="rag-asked">for “{asked}”</p>{body}</section>'
    )


def _document(citations: Sequence[Citation], near: bool) -> str:
    """A document's title and file once, then one card per distinct passage (citations of one passage share a card)."""
    first = citations[0]
    passages: dict[tuple, list[Citation]] = {}
    for citation in citations:
        passages.setdefault((citation.page, citation.text), []).append(citation)
    cards = "".join(citation_card(group, near) for group in passages.values())
    original = (
        f' <button class="rag-original" type="button" data-source="{html.escape(first.source, quote=True)}">Original file</button>'
    )
    return (
        f'<div class="rag-doc"><div class="rag-title">{html.escape(first.title)}</div>'
        f'<div class="rag-meta">{html.escape(first.source)}{original}</div>{cards}</div>'
    )


def citation_card(group: Sequence[Citation], near: bool = False) -> str:
    """One passage: the numbers citing it and its page, and its text (line breaks reflowed) with every quoted span
    marked; a nearest passage's span is marked apart, since it is not evidence."""
    first = group[0]
    numbers = [c.n for c in group if c.n is not None]
    chips = " ".join(f'<span class="rag-n">[{n}]</span>' for n in numbers)
    page = f"page {first.page}" if first.page is not None else ""
    spans = [(c.quote_start, c.quote_end) for c in group]
    data = f' data-n="{" ".join(map(str, numbers))}"' if numbers else ""
    return (
        f'<article class="rag-card"{data}><div class="rag-where">{chips} {page}{_view_button(group)}</div>'
        f'<p class="rag-passage">{highlight(reflow(first.text), spans, "rag-near" if near else "")}</p></article>'
    )


def _view_button(group: Sequence[Citation]) -> str:
    """The card's "View page" button for a PDF page, "In context" for a report of another format (its passage among
    the ones around it); each carries what its view needs (file, page or passage, quotes)."""
    first = group[0]
    quotes = html.escape(json.dumps([c.quote for c in group], ensure_ascii=False), quote=True)
    source = html.escape(first.source, quote=True)
    if first.page is None or PurePosixPath(first.source).suffix.lower() != ".pdf":
        chunk = html.escape(first.chunk_id, quote=True)
        return f' <button class="rag-context" type="button" data-source="{source}" data-chunk="{chunk}" data-quotes="{quotes}">In context</button>'
    return f' <button class="rag-view" type="button" data-source="{source}" data-page="{first.page}" data-quotes="{quotes}">View page</button>'


def context_html(chunks: Sequence[Chunk], quotes: Sequence[str]) -> str:
    """Passages of one document in reading order as one text (their overlaps taken once, a gap or a new page shown as
    a break), line breaks reflowed, each quote marked where it stands."""
    text, page, end = "", None, 0
    for chunk in chunks:
        if not text:
            text = chunk.text
        elif chunk.page != page:
            text += f"\n\n— page {chunk.page} —\n\n{chunk.text}"
        elif chunk.start < end:  # the passages overlap: the new part only
            text += chunk.text[min(end - chunk.start, len(chunk.text)) :]
        else:  # the text between them is whitespace, or a passage left out (a heading-only line, say)
            text += (" " if chunk.start - end <= 2 else "\n\n[…]\n\n") + chunk.text
        page, end = chunk.page, max(end, chunk.end) if chunk.page == page else chunk.end
    spans = [(at, at + len(q)) for q in quotes if q and (at := text.find(q)) >= 0]
    return f'<p class="rag-passage">{highlight(reflow(text), spans)}</p>'


def highlight(text: str, spans: Sequence[tuple[int, int]], kind: str = "") -> str:
    """The escaped text with each span [start, end) wrapped in <mark> (of class `kind` when given); spans are
    clamped to the text and merged where they overlap."""
    clamped = sorted((max(0, min(a, len(text))), max(0, min(b, len(text)))) for a, b in spans)
    merged: list[list[int]] = []
    for a, b in clamped:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    opening = f'<mark class="{kind}">' if kind else "<mark>"
    out, at = [], 0
    for a, b in merged:
        out += [html.escape(text[at:a]), opening, html.escape(text[a:b]), "</mark>"]
        at = b
    return "".join(out) + html.escape(text[at:])


def document_rows(docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None) -> list[list]:
    """Rows of the documents table, in DOCUMENT_HEADERS order: files the last reindex could not read first, with
    the reason, then the indexed documents. A document whose file failed after it was indexed keeps its row."""
    failures = failures or {}
    failed = [["", source, "", "", "", f"not indexed: {reason}"] for source, reason in _unindexed(docs, failures)]
    rows = failed + [[d.title, d.source, d.pages, d.chunks, _when(d.indexed_at), _status(failures.get(d.source))] for d in docs[:MAX_LISTED]]
    more = len(failed) + len(docs) - MAX_LISTED
    if more > 0:
        rows = [*rows[:MAX_LISTED], ["", f"… and {more:,} more", "", "", "", "not listed here: python -m rag status counts them all"]]
    return rows


def document_choices(docs: Sequence[DocRecord]) -> list[tuple[str, str]]:
    """(label, source) pairs for the filter and delete dropdowns; the label names title and file."""
    return [(_clip(f"{d.title} — {d.source}"), d.source) for d in docs]


def source_choices(
    docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None, waiting: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(label, source) pairs for the sources sidebar's checkboxes: title and file, and a word when the file has
    changed, gone or fails since the document was indexed (the passages asked are still the indexed ones)."""
    if len(docs) > MAX_LISTED:
        return []  # too many to tick one by one: every report is asked (see sources_summary)
    failures, waiting = failures or {}, waiting or {}
    marks = {"changed": " · changed since indexed", "removed": " · its file is gone"}
    marked = {**{source: marks.get(what, "") for source, what in waiting.items()}, **dict.fromkeys(failures, " · its file now fails")}
    return [(_clip(f"{_clip(d.title, 50)} — {d.source}", 100) + marked.get(d.source, ""), d.source) for d in docs]


def sources_summary(
    docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None, waiting: Mapping[str, str] | None = None, offered: int = 0
) -> str:
    """The sources sidebar's status in Markdown: what is indexed, which files could not be read and why, which wait for
    a reindex; and, when the reports to tick (`offered`) are too many to list, that every one is asked."""
    chunks = sum(d.chunks for d in docs)
    lines = [f"**{plural(len(docs), 'report')} indexed**, {plural(chunks, 'passage')}." if docs else "**No report indexed yet.** Add reports below."]
    if offered > MAX_LISTED:
        lines.append(
            f"\n{offered:,} reports are too many to tick one by one (the list stops at {MAX_LISTED:,}): every one of them is "
            "asked. Choose a collection, or name the report in your question, to narrow the search."
        )
    broken = _unindexed(docs, failures)
    if broken:
        lines.append("\n**Could not be read** (replace or delete them in Documents):")
        lines += _at_most([f"- {markdown_literal(source)}: {markdown_literal(reason)}" for source, reason in broken])
    new = [source for source, what in (waiting or {}).items() if what == "new"]
    if new:
        lines.append("\n**Not indexed yet** (Reindex in Documents):")
        lines += _at_most([f"- {markdown_literal(source)}" for source in new])
    return "\n".join(lines)


def _at_most(lines: list[str], most: int = _MAX_NAMED) -> list[str]:
    """A list's first lines, and one saying how many more there are."""
    return lines if len(lines) <= most else [*lines[:most], f"- … and {len(lines) - most:,} more (python -m rag status lists them)"]


def removable_choices(docs: Sequence[DocRecord], failures: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The delete list: failed report files (so a broken upload can be removed from the page), then the indexed documents."""
    unread = [source for source, _ in _unindexed(docs, failures) if PurePosixPath(source).suffix.lower() in SUPPORTED]
    broken = [(_clip(f"{source} (not indexed)"), source) for source in unread]
    return (broken + document_choices(docs[:MAX_LISTED]))[:MAX_LISTED]  # past it, delete the file and reindex it by name


def _unindexed(docs: Sequence[DocRecord], failures: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(source, reason) of the files the last reindex could not read and that hold no indexed document."""
    indexed = {d.source for d in docs}
    return [(source, reason) for source, reason in (failures or {}).items() if source not in indexed]


def _status(failure: str | None) -> str:
    return f"indexed; its file changed and now fails: {failure}" if failure else "indexed"


def example_questions(docs: Sequence[DocRecord], most: int = 3) -> list[str]:
    """Starter questions naming the indexed reports, newest first.

    The name is the capitalised words a title starts with ("Amnesty International …" gives
    "the Amnesty International report"), so the question matches the report's own wording.
    """
    questions: dict[str, None] = {}
    for doc in sorted(docs, key=lambda d: -d.indexed_at):
        name = _report_name(doc.title)
        report = name if name.split()[-1].lower() == "report" else f"{name} report"  # "the Report" when the title opens so
        questions.update(dict.fromkeys([f"Which countries does the {report} cover?", f"What are the main findings of the {report}?"]))
        if len(questions) >= most:
            break
    return list(questions)[:most]


def summary_markdown(summary: dict) -> str:
    """A reindex summary in a few lines: what changed, what was skipped and why, what the index holds."""
    lines = [
        f"**Reindexed in {summary['seconds']:.1f} s:** added {len(summary['added'])}, updated {len(summary['updated'])}, "
        f"removed {len(summary['removed'])}, unchanged {summary['unchanged']}, skipped {len(summary['skipped'])}."
    ]
    if summary.get("reread"):
        lines.append("- Every report was read again: this version cuts text into passages and sentences differently.")
    for key in ("added", "updated", "removed"):
        if summary[key]:
            lines.append(f"- {key.capitalize()}: {markdown_literal(listed(summary[key], _MAX_NAMED))}")
    lines += _at_most([f"- Skipped {markdown_literal(s['source'])}: {markdown_literal(s['reason'])}" for s in summary["skipped"]])
    lines.append(f"\nThe index holds {plural(summary['documents'], 'document')} in {plural(summary['chunks'], 'chunk')}.")
    if summary.get("language_advice"):
        lines.append(f"\n{markdown_literal(summary['language_advice'])}")
    elif len(summary.get("languages") or {}) > 1 and summary.get("reads_across_languages"):
        held = " and ".join(summary["languages"])
        lines.append(f"\nThe reports are in {held}; the model {markdown_literal(summary['model'])} matches questions across them.")
    return "\n".join(lines)


def plural(n: int, noun: str) -> str:
    """'1 document', '3 documents', '100,004 documents'."""
    return f"{n} {noun}" if n == 1 else f"{n:,} {noun}s"


def _report_name(title: str) -> str:
    match = _LEADING_NAME.match(title.strip())
    name = match.group(1).strip() if match else ""
    return name or "“" + " ".join(title.split()[:5]) + "”"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else ""


def _clip(label: str, most: int = _MAX_CHOICE_LABEL) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"

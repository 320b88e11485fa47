"""Answers exported with their proof: Markdown with footnotes, DOCX or ODT with real footnotes through pandoc, and the
cited documents as CSL-JSON for reference managers.

Each footnote carries what a reader needs to check the quote years later without this service: the
quote itself, the report's title, its file name and page, the SHA-256 of the file as it was indexed
and when it was indexed. Markdown is written here; DOCX and ODT are pandoc's conversion of that
Markdown (pandoc turns Markdown footnotes into the word processor's own footnotes).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from rag.errors import ExportError
from rag.stores.bookkeeping import DocRecord
from rag.types import CITATION_MARKER, EXPORT_FORMATS, Answer, Citation

PANDOC_TIMEOUT = 60  # seconds; a conversation's export takes well under one
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$^])")
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+[.)])(\s)", re.MULTILINE)


def export(answers: Sequence[Answer], documents: Mapping[str, DocRecord], fmt: str, when: datetime | None = None) -> bytes:
    """The answers of a conversation, in order, as a document of format fmt ("md", "docx" or "odt"), or the documents
    they cite as CSL-JSON ("csl")."""
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"--format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}.")
    if fmt == "csl":
        return json.dumps(to_csl(answers, documents), ensure_ascii=False, indent=2).encode("utf-8")
    markdown = to_markdown(answers, documents, when)
    if fmt == "md":
        return markdown.encode("utf-8")
    return _pandoc(markdown, fmt)


def to_markdown(answers: Sequence[Answer], documents: Mapping[str, DocRecord], when: datetime | None = None) -> str:
    """Markdown: a heading per question, the answer with [n] turned into footnotes, the footnotes with their proof."""
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# Answers from the reports\n\nExported {stamp}. Every footnote quotes the report verbatim and names the file it "
             "comes from, with the file's SHA-256 as indexed, so the quote can be checked against the original.\n"]
    for turn, answer in enumerate(answers, start=1):
        parts.append(_answer(turn, answer, documents))
    return "\n".join(parts)


def to_csl(answers: Sequence[Answer], documents: Mapping[str, DocRecord]) -> list[dict]:
    """The documents the answers cite, as CSL-JSON items for a reference manager (Zotero, Mendeley and citeproc read
    them): one per document, in order of first citation, with its title and file; its note names the pages cited,
    the file's SHA-256 as indexed and when it was indexed, and "accessed" is that date."""
    items: dict[str, dict] = {}
    pages: dict[str, list[int]] = {}
    for citation in (c for answer in answers for c in answer.citations if c.n is not None):
        if citation.source not in items:
            items[citation.source] = {"id": citation.source, "type": "report", "title": citation.title or citation.source, "source": citation.source}
            pages[citation.source] = []
        if citation.page is not None and citation.page not in pages[citation.source]:
            pages[citation.source].append(citation.page)
    for source, item in items.items():
        cited = sorted(pages[source])
        note = [f"File: {source}", f"pages cited: {', '.join(map(str, cited))}" if cited else ""]
        document = documents.get(source)
        if document is not None:
            indexed = datetime.fromtimestamp(document.indexed_at, UTC)
            note.append(f"SHA-256 of the file as indexed: {document.sha256}; indexed {indexed.strftime('%Y-%m-%d %H:%M UTC')}")
            item["accessed"] = {"date-parts": [[indexed.year, indexed.month, indexed.day]]}
            item["number-of-pages"] = str(document.pages)
        item["note"] = "; ".join(part for part in note if part)
    return list(items.values())


def _answer(turn: int, answer: Answer, documents: Mapping[str, DocRecord]) -> str:
    cited = {c.n: c for c in answer.citations if c.n is not None}

    def footnote_mark(match: re.Match) -> str:
        n = int(match.group(1))
        return f"[^{turn}-{n}]" if n in cited else _escape(match.group(0))

    lines = [_with_footnotes(line, footnote_mark) for line in answer.answer.split("\n") if line.strip()]
    body = "\n\n".join(lines)
    if answer.abstained:
        body += "\n\n*The reports were searched and do not give this; nothing is quoted.*"
    notes = [f"[^{turn}-{n}]: {_footnote(c, documents.get(c.source))}" for n, c in sorted(cited.items())]
    return f"## {_escape(answer.question)}\n\n{body}\n\n" + "\n".join(notes) + "\n"


def _with_footnotes(line: str, mark) -> str:
    """A line of answer text escaped for Markdown, its [n] markers turned into footnote references by `mark`."""
    out, at = [], 0
    for match in CITATION_MARKER.finditer(line):
        out += [_escape(line[at : match.start()]), mark(match)]
        at = match.end()
    return "".join(out) + _escape(line[at:])


def _footnote(citation: Citation, document: DocRecord | None) -> str:
    """“quote” — Title, file, page N. SHA-256 of the file as indexed …; indexed on …"""
    quote = " ".join(citation.quote.split())
    where = f"{_escape(citation.source)}, page {citation.page}" if citation.page is not None else _escape(citation.source)
    proof = ""
    if document is not None:
        indexed = datetime.fromtimestamp(document.indexed_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        proof = f" SHA-256 of the file as indexed: {document.sha256}; indexed {indexed}."
    return f"“{_escape(quote)}” — *{_escape(citation.title)}*, {where}.{proof}"


def _escape(text: str) -> str:
    """Text that Markdown shows as written: marks backslash-escaped, and no line read as a list item or quote."""
    return _LINE_START.sub(r"\1\\\2\3", _SPECIAL.sub(r"\\\1", text))


def _pandoc(markdown: str, fmt: str) -> bytes:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        raise ExportError(
            f"Export to {fmt.upper()} needs pandoc (Debian: apt-get install pandoc); Markdown export (md) works without it."
        )
    try:
        done = subprocess.run(
            [pandoc, "--from", "markdown", "--to", fmt, "--output", "-"],
            input=markdown.encode("utf-8"), capture_output=True, timeout=PANDOC_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExportError(f"pandoc took more than {PANDOC_TIMEOUT} s to write the {fmt.upper()} file.") from None
    if done.returncode != 0:
        raise ExportError(f"pandoc could not write the {fmt.upper()} file: {done.stderr.decode(errors='replace').strip()[:300]}")
    return done.stdout

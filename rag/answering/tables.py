"""A table's row under its year columns, for a caption that names what the question asks but holds no figure itself.

Reports print tables of figures by year with the caption below them ("Решения судов по статье 318 УК РФ:
2009–2013 гг." under the rows "штраф 1772 1904 1937 2051 2218"). The caption shares the question's words (the
article, the subject) and is what retrieval finds; the rows share almost none (a label and five figures), and
the year heading over them is the only thing that says which figure is which year. When the unit with the
evidence is such a caption, refused for holding no figure, the answer quotes the year heading and the row whose
label the question names, from the same page and before the caption, then the caption itself: the reader sees
the figure in its column and the caption that says what the table counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text import is_table_row, tokenize
from rag.types import Chunk

# a table's heading of year columns: "2009 2010 2011 2012 2013" (two years or more, nothing else on the line)
_YEAR_HEADING = re.compile(r"[ \t]*(?:19|20)\d\d(?:[ \t]+(?:19|20)\d\d)+[ \t]*")
_FIGURE = re.compile(r"^[\d.,%]+$")
_LABEL_WORDS = 6  # a row's label wrapped over two lines has at most this many words on its first


class TableRow:
    """A row found for a question: its chunk, the span of the year heading over it and the span of the row."""

    def __init__(self, chunk: Chunk, heading: tuple[int, int], row: tuple[int, int]) -> None:
        self.chunk, self.heading, self.row = chunk, heading, row

    def years(self) -> frozenset[int]:
        return frozenset(int(year) for year in self.chunk.text[self.heading[0] : self.heading[1]].split())


def row_for(question: str, chunks: Sequence[Chunk], share: bool = False) -> TableRow | None:
    """The row of a year table among the chunks (in reading order) whose label shares the most words with the
    question (one at least; a row's label is its words around its figures), with the year heading over it; a row of
    shares ("0.17% 0.23% …") only for a question asking for one (share), and one of counts only otherwise. None when
    no table there has a row the question names."""
    asked = set(tokenize(question))
    best: tuple[int, TableRow] | None = None
    for chunk in chunks:
        heading: tuple[int, int] | None = None
        columns = 0
        for line in _lines(chunk.text):
            start, end = line
            text = chunk.text[start:end]
            if _YEAR_HEADING.fullmatch(text):
                heading, columns = line, len(text.split())
                continue
            if heading is None or not is_table_row(text):
                continue
            figures = [cell for cell in text.split() if _FIGURE.match(cell)]
            label = " ".join(cell for cell in text.split() if not _FIGURE.match(cell))
            shared = len(asked & set(tokenize(label)))
            shares = all(cell.endswith("%") for cell in figures)
            if len(figures) == columns and shared and shares == share and (best is None or shared > best[0]):
                best = (shared, TableRow(chunk, heading, line))
    return best[1] if best else None


def row_at(chunks: Sequence[Chunk], chunk: Chunk, start: int, end: int) -> TableRow | None:
    """The row chunk.text[start:end] of a year table with the year heading over it (in its chunk, or in an earlier
    chunk of the page: chunks in reading order), or None when no heading of as many years is over it."""
    columns = len([cell for cell in chunk.text[start:end].split() if _FIGURE.match(cell)])
    for earlier in reversed([c for c in chunks if c.ord < chunk.ord] + [chunk]):
        text = earlier.text if earlier is not chunk else chunk.text[:start]
        for line in reversed(_lines(text)):
            if not text[line[0] : line[1]].strip():
                continue
            if _YEAR_HEADING.fullmatch(text[line[0] : line[1]]):
                return TableRow(earlier, line, (start, end)) if len(text[line[0] : line[1]].split()) == columns else None
            if not (is_table_row(text[line[0] : line[1]]) or _label(text[line[0] : line[1]])):
                return None  # the table ends above the row without a heading
    return None


def caption_below(chunks: Sequence[Chunk], chunk: Chunk, end: int) -> tuple[Chunk, int, int] | None:
    """The line under the table that chunk.text[..end] is a row of: the first line after its rows (and their wrapped
    labels) on the page, in this chunk or a later one, as (chunk, start, end); None when the page ends first."""
    for later in [chunk] + [c for c in chunks if c.ord > chunk.ord]:
        offset = end + 1 if later is chunk else 0
        lines = _lines(later.text[offset:])
        for i, (start, stop) in enumerate(lines):
            text = later.text[offset + start : offset + stop]
            if not text.strip() or is_table_row(text):
                continue
            if _label(text) and i + 1 < len(lines) and is_table_row(later.text[offset + lines[i + 1][0] : offset + lines[i + 1][1]]):
                continue
            return later, offset + start, offset + stop
    return None


def _lines(text: str) -> list[tuple[int, int]]:
    """The spans of text's lines, a row's label wrapped onto the line before its figures joined to it ("лишение
    свободы до 1 года\\nвкл. 352 354 323 336 408" is one row)."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    joined: list[tuple[int, int]] = []
    for span in spans:
        before = text[joined[-1][0] : joined[-1][1]] if joined else ""
        if before and _label(before) and is_table_row(text[span[0] : span[1]]):
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


def _label(line: str) -> bool:
    """Whether a line can be the first part of a row's label: a few words, no row or heading, no end of a sentence."""
    return (
        0 < len(line.split()) <= _LABEL_WORDS and not is_table_row(line) and not _YEAR_HEADING.fullmatch(line)
        and not line.rstrip().endswith((".", ":", ";"))
    )


"""Answer units: what a quote must hold to be read on its own, and what a question asks for.

A sentence is the unit the answer step ranks, but not always one a reader can use alone: a lead-in
("… on the following grounds:") is nothing without its list items, a heading or a glossary term
without the line under it, and a sentence that repeats the question ("The Committee on Migrant
Workers held its first session in 2004.") without the next one that carries the figure asked for.
The quote is widened over those, always as one contiguous span of the passage, so it stays verbatim.
"""

from __future__ import annotations

import re

from rag.text import is_lead_in, is_list_item, is_table_row

MAX_UNIT_CHARS = 1500  # a widened quote never passes this length
HEADING_WORDS = 8  # lines this short, with no end punctuation, read as a heading or a term
_END_MARK = re.compile(r"[.!?…;:»”\"')\]]$")
_QUANTITY = re.compile(
    r"\b(how (many|much)|what (number|percentage|proportion|share|amount)|сколько|каково (число|количество)|какое (число|количество))\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b(when|(in )?(what|which) (year|month|date)|когда|в каком году|какого числа|в какой день|в каком месяце)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_YEAR_OR_MONTH = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)",
    re.IGNORECASE,
)


def answer_type(question: str) -> str | None:
    """What the question asks for: 'quantity' (how many, сколько), 'date' (when, в каком году), or None."""
    if _QUANTITY.search(question):
        return "quantity"
    if _DATE.search(question):
        return "date"
    return None


def holds(text: str, wanted: str | None) -> bool:
    """Whether text holds something of the wanted type (any text does when nothing in particular is wanted)."""
    if wanted == "quantity":
        return _DIGIT.search(text) is not None
    if wanted == "date":
        return _YEAR_OR_MONTH.search(text) is not None
    return True


def is_heading(text: str) -> bool:
    """Short lines with no end punctuation: a heading (or a title block), a glossary term or a label, not a statement."""
    if _END_MARK.search(text.rstrip()) or is_list_item(text) or is_table_row(text):
        return False
    return all(len(line.split()) <= HEADING_WORDS for line in text.split("\n"))


def unit_span(text: str, spans: list[tuple[int, int]], i: int, wanted: str | None) -> tuple[int, int]:
    """The span to quote for sentence i of a passage (spans: its sentences, in order): the sentence itself, or
    widened over the list its lead-in opens, the line under a heading, or the next sentence holding what was asked."""
    start, end = spans[i]
    unit = text[start:end]
    following = [text[s:e] for s, e in spans[i + 1 :]]
    take = 0
    if is_lead_in(unit):
        take = max(1, next((n for n, f in enumerate(following) if not is_list_item(f)), len(following)))
    elif is_heading(unit):
        take = 1
    elif following and not holds(unit, wanted) and holds(following[0], wanted):
        take = 1
    take = min(take, len(following))
    while take and spans[i + take][1] - start > MAX_UNIT_CHARS:
        take -= 1
    return start, spans[i + take][1]

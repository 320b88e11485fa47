"""The footnote a quote points to, quoted after it when it holds what the quote does not.

A typeset report keeps part of what a sentence says in its notes: "gangs took control of part of the
airport road,4 in Delmas" leaves to note 4, at the foot of the same page, which stretch of road is
meant and how far it is from the airport. A quote carrying a note mark ("road,4", "elvers63",
"drugs.8 By air") is followed by that note, read from the same page of the index, when the note
holds a word of the question the quote lacks: a note that only names a source ("Interviews with a
gang analyst") is left out, so answers do not fill up with references.

Unless the source is what was asked ("Which outlet does the report cite for this?", "На публикацию
какого издания ссылается доклад?"): then the note is quoted whatever it holds, looked for on the mark's
page and then on the document's later pages, where a report printed from a web page lists its
endnotes ("12. … ↩ http://snob.ru/… «Сноб», 06.03.2014"). And a note is read under the sentence that
carries its mark (carrying_mark): that sentence's date and place are the note's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from rag.text import GLUED_MARK, MONTH_START, sentence_spans, tokenize
from rag.types import Chunk

PageChunks = Callable[[str, int], list[Chunk]]  # (source, page) -> the chunks of that page
Note = tuple[Chunk, int, int]  # a note: the chunk holding it, and where in its text it starts and ends
# (source, number, page) -> the note of that number a mark on that page of the document points to, or None
NoteLookup = Callable[[str, str, int], "Note | None"]
# a note mark: figures glued to a word or to the punctuation after it ("road,4", "elvers63", "drugs.8"), or set apart
# after a comma or a closing bracket before a lower-case word ("road, 4 in Delmas", "($3,800,358.47) 84 per day", as
# some PDF readers space a superscript)
_MARK = re.compile(rf"{GLUED_MARK}|(?<=[,;)])\s(\d{{1,3}})\s(?=[a-zа-яё])")
_NOTE = re.compile(r"(\d{1,3})\s+(?=[^\W\d_]|[“\"«(])")  # a note opens with its number, then its text


# a question about one note by its number: "footnote 67", "note 64", "endnote no. 12", "в сноске 50", "примечание 3"
_ASKED_NOTE = re.compile(
    r"\b(?:foot|end)?notes?\s+(?:no\.?\s*|number\s+|№\s*)?(\d{1,3})\b|\b(?:сноск|примечани)\w*\s+(?:№\s*)?(\d{1,3})\b",
    re.IGNORECASE,
)
# an endnote as a web page's report lists them: "50. Чечня: … ↩ http://memo.ru/…" (its number, a stop, its text)
_ENDNOTE = re.compile(r"(\d{1,3})\.\s+(?=[^\W\d_]|[“\"«(])")
# a line opening a note: its number (and a stop, for an endnote), then its text
_NOTE_LINE = re.compile(r"(?m)^[ \t]*(\d{1,3})(\.?)\s+(?=[^\W\d_]|[“\"«(])")
_MONTH = re.compile(MONTH_START, re.IGNORECASE)
# a question asking where a statement comes from: the outlet, publication or document the report cites for it ("On which
# platform was it published, according to the report's references?", "На публикацию какого издания ссылается доклад?")
_ASKS_SOURCE = re.compile(
    r"\b(?:cit(?:e|es|ed|ing)|references?|referenced|(?:foot|end)notes?)\b"
    r"|\b(?:which|what)\s+(?:\w+\s+)?(?:outlets?|publications?|newspapers?|websites?|platforms?|news\s+agenc(?:y|ies)|sources?)\b"
    r"|\bссыла\w*|\bссылк\w*|\bкак\w*\s+(?:\w+\s+)?(?:издани|сми\b|газет|сайт|источник)\w*",
    re.IGNORECASE,
)
NOTE_CHARS = 700  # the most of a note quoted: a long one is cut at a sentence's end within it
SOURCE_REACH = 2  # sentences after a quote without a mark read for the mark of its source, when the source is asked


# the words of such a question that ask about the note and not about the statement it stands under: what a sentence is
# scored on leaves them out, as it leaves out the period's words, since the note holds them and the sentence never does
_SOURCE_WORDS = (
    "cite cites cited citing reference references referenced footnote footnotes endnote endnotes note notes source "
    "sources outlet outlets publication publications published publish newspaper website site platform agency channel "
    "date dated aired broadcast according "
    "ссылается ссылаются ссылка ссылки ссылках ссылке источник источника источнике издание издания изданию материал "
    "материала публикация публикацию публикации сюжет сюжета газета газеты сайт сайта дата даты числа число вышел "
    "вышла вышло эфир эфире опубликован опубликована опубликовано"
)


# such a question in so many words: it names the citing itself ("does the report cite", "its references", "footnote",
# "ссылается", "источник"), not only an outlet or a platform, which may be what the statement is about ("What platform
# was Setanta planning to launch on?")
_ASKS_CITATION = re.compile(
    r"\b(?:cite|cites|cited|citing|references|reference|footnotes?|endnotes?)\b(?!\s+(?:to|point))|\bссыла\w*|\bссылк\w*|\bисточник\w*",
    re.IGNORECASE,
)


def asks_citation(question: str) -> bool:
    """Whether a question asks in so many words what the report cites: then a quote citing nothing does not answer."""
    return bool(_ASKS_CITATION.search(question))


def asks_source(question: str) -> bool:
    """Whether a question asks what the report cites for what it says (its note, reference or outlet)."""
    return bool(_ASKS_SOURCE.search(question))


def source_words(question: str) -> set[str]:
    """The question's words asking for the note (its outlet, date, reference) when it asks for the source, else none."""
    return set(tokenize(question)) & _source_stems() if asks_source(question) else set()


@cache
def _source_stems() -> frozenset[str]:
    return frozenset(tokenize(_SOURCE_WORDS))


# what says where a statement comes from: a note or a reference (its web address, its back-link), or an attribution
_CITING = re.compile(
    r"https?://|www\.|↩|\b(?:according to|as reported by|reported by|cited by|quoted by|see)\b"
    r"|\b(?:reported|stated|said|announced|noted|indicated|estimated|found)\s+that\b"
    r"|\b(?:по данным|по информации|согласно|по сообщению|как сообщает|как сообщил\w*|сообщает|сообщил\w*|пишет)\b",
    re.IGNORECASE,
)


def cites(text: str) -> bool:
    """Whether a quote says where what it states comes from: a note (it opens with its number), a reference, or an
    attribution ("According to a news report, …", "по данным «Мемориала»")."""
    return bool(_CITING.search(text) or _NOTE.match(text.lstrip()) or _ENDNOTE.match(text.lstrip()))


def asked_note(question: str) -> str:
    """The number of the note a question asks about ("67" of "What does footnote 67 of the Haiti report say?"), or ""."""
    match = _ASKED_NOTE.search(question)
    return next((g for g in match.groups() if g), "") if match else ""


def note_span(chunk: Chunk, number: str) -> tuple[int, int] | None:
    """Where in a chunk the note of that number stands: a line opening with the number and then its text ("67 See
    www…", or an endnote "50. Чечня: … ↩ http://…" holding its back-link or address), to the next note, a sentence
    ending a line, or NOTE_CHARS; None when the chunk holds no such note. A numbered paragraph ("67. The Panel …")
    is no note, nor a date opening a line ("3 May 2008 …" in a table)."""
    text, spans = chunk.text, chunk.spans()
    for match in _NOTE_LINE.finditer(text):
        if match.group(1) != number or _MONTH.match(text, match.end()):  # "3 May 2008 …" opens a table's line
            continue
        start = match.start(1)
        last = next((end for a, end in spans if a <= start < end), len(text))
        for following, next_end in (span for span in spans if span[0] >= last):
            if _note_line(text, following) or next_end - start > NOTE_CHARS:
                break
            if "\n" in text[last:following] and text[:last].rstrip()[-1:] in ".!?":
                break  # a sentence ended a line: what opens the next one is the page's text again (a box, a heading)
            last = next_end
        last = min(last, _next_note(text, start))
        if match.group(2) and not re.search(r"↩|https?://|www\.", text[start:last]):
            continue  # "67. The Panel documented …" is paragraph 67
        return start, last
    return None


def _note_line(text: str, at: int) -> bool:
    return bool(_NOTE.match(text, at) or _ENDNOTE.match(text, at))


def _next_note(text: str, start: int) -> int:
    """Where the next note after the one at start opens (a line opening with a number and text), else the text's end."""
    found = _NOTE_LINE.search(text, text.find("\n", start) + 1 or len(text))
    return found.start() if found else len(text)


def marks(text: str) -> list[str]:
    """The note marks a quote carries, in order, each once."""
    found = [next(g for g in m.groups() if g) for m in _MARK.finditer(text)]
    return list(dict.fromkeys(found))


def opens_note(text: str, start: int) -> str:
    """The number of the footnote that opens a line at start of text ("30 According to a news report, …"), or ""."""
    if text[text.rfind("\n", 0, start) + 1 : start].strip():
        return ""
    match = _NOTE.match(text, start)
    return match.group(1) if match else ""


def marked(text: str, number: str) -> str:
    """The last sentence of text carrying the mark of that note ("… Viv Ansanm30 launched multiple attacks in Kenscoff"),
    or "": what a note says stands under that sentence, its date and place included."""
    for start, end in reversed(sentence_spans(text)):
        if number in marks(text[start:end]):
            return text[start:end]
    return ""


def carrying_mark(chunk: Chunk, start: int, before: str) -> str:
    """The sentence carrying the mark of the footnote opening at start of a chunk's text, read in the chunk up to it
    and in the document's text before the chunk (before), or "" when none does or no note opens there."""
    number = opens_note(chunk.text, start)
    return marked(f"{before}\n{chunk.text[:start]}", number) if number else ""


def notes_of(chunks: Sequence[Chunk]) -> dict[str, Note]:
    """The notes of a page: number -> (chunk, start, end) of the unit it opens; the first one of each number."""
    found: dict[str, Note] = {}
    for chunk in sorted(chunks, key=lambda c: c.start):
        for start, end in chunk.spans():
            match = _NOTE.match(chunk.text, start)
            if match and match.start() == start:
                found.setdefault(match.group(1), (chunk, start, end))
    return found


def on_page(page: PageChunks) -> NoteLookup:
    """The note lookup that reads the mark's own page only (footnotes at the foot of the page)."""
    return lambda source, number, at: notes_of(page(source, at)).get(number)


def later_note(chunks: Sequence[Chunk], number: str, at: int) -> Note | None:
    """The note of that number in a document's chunks (those holding the number), the first on page `at` or after it:
    a report printed from a web page lists its notes at its end ("12. Title ↩ http://… «Outlet», 06.03.2014"), and a
    typeset one numbers its footnotes through the document, a long one running on to the next page."""
    for chunk in sorted(chunks, key=lambda c: c.ord):
        if chunk.page is not None and chunk.page < at:
            continue
        span = note_span(chunk, number)
        if span is not None:
            return chunk, *span
    return None


def note_for(chunk: Chunk, start: int, end: int, question: set[str], note: NoteLookup, source_asked: bool = False) -> Note | None:
    """The note that the quote chunk.text[start:end] points to and that holds a question word the quote lacks (any note
    it points to, when the question asks for the source: source_asked, and then, for a quote carrying no mark, the note
    of the first of the next SOURCE_REACH sentences that carries one), or None.

    Only a quote with a page is looked at (a note is looked up from its page on), and only when it carries a mark."""
    quote = chunk.text[start:end]
    found = marks(quote)
    if source_asked and not found:  # the story's note often stands at the end of its next sentence or the one after
        following = [chunk.text[a:b] for a, b in chunk.spans() if a >= end][:SOURCE_REACH]
        found = next((marks(sentence) for sentence in following if marks(sentence)), [])
    if chunk.page is None or not found:
        return None
    missing = question - set(tokenize(quote))
    if not missing and not source_asked:
        return None
    for mark in found:
        got = note(chunk.source, mark, chunk.page)
        if got is None:
            continue
        note_chunk, note_start, note_end = got
        if note_chunk.source == chunk.source and chunk.start + start <= note_chunk.start + note_start < chunk.start + end:
            continue  # the quote holds the note itself
        if source_asked or missing & set(tokenize(note_chunk.text[note_start:note_end])):
            return got
    return None

"""Words and sentences of English and Russian report text: keyword tokens (stems), scripts, sentence spans."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

# Numbers are kept as written, with their dots and commas (article 212.1, 10,620 people), before words.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|\w+", re.UNICODE)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
# Russian (and many English reports' translators) write a decimal comma: "3,8 млн", "$3,8 million" are 3.8 as a question
# writes it; one comma and no group of three after it, so "10,620" stays ten thousand
_DECIMAL_COMMA = re.compile(r"\d+,(?:\d{1,2}|\d{4,})")
# Russian and French write thousands with a space ("10 620"): such a figure is also indexed joined.
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
# A numbered part of a report is also indexed as one token, "Figure I" as "figur#i", "таблице 2" as "таблиц#2": the
# number alone is a stop word ("I") or a figure found everywhere ("2"), so a question about Figure I would match
# every figure.
NUMBERED_PART = (
    r"\b(figures?|fig|tables?|annex(?:es)?|appendix|appendices|charts?|boxes|box|maps?|рисун\w*|таблиц\w*|приложени\w*|диаграмм\w*|схем\w*)"
    r"\.?\s+(\d{1,3}[a-z]?|[ivxl]{1,6})\b(?!\.\d)"
)
_NUMBERED_PART = re.compile(NUMBERED_PART)  # on lower-cased text
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_local = threading.local()
_UNSEEN = object()
_MAX_WORDS = 1 << 18  # distinct words a thread keeps stems of before starting over


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_RUSSIAN

    return frozenset(STOPWORDS_EN_PLUS) | frozenset(STOPWORDS_RUSSIAN)


def _stems() -> dict[str, str | None]:
    """This thread's word -> stem table (None for a word left out); PyStemmer objects are not thread-safe."""
    if not hasattr(_local, "stems"):
        _local.stems = {}
    elif len(_local.stems) > _MAX_WORDS:
        _local.stems.clear()
    return _local.stems


def _stem(word: str) -> str | None:
    if not hasattr(_local, "stemmers"):
        import Stemmer

        _local.stemmers = (Stemmer.Stemmer("english"), Stemmer.Stemmer("russian"), _stopwords())
    english, russian, stop = _local.stemmers
    if word[0].isdigit():  # figures match as written: "10,620" as 10620, "212.1" whole, a decimal comma as a point
        if _THOUSANDS.fullmatch(word):
            return word.replace(",", "")
        return word.replace(",", ".") if _DECIMAL_COMMA.fullmatch(word) else word
    if word in stop or len(word) == 1:
        return None
    return (russian if _CYRILLIC.search(word) else english).stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased word stems, stop words dropped; Cyrillic words get the Russian stemmer; figures as written."""
    stems = _stems()
    tokens = []
    text = text.lower().replace("ё", "е")
    for word in _WORD.findall(text):
        stem = stems.get(word, _UNSEEN)
        if stem is _UNSEEN:
            stem = stems[word] = _stem(word)
        if stem is not None:
            tokens.append(stem)
    tokens.extend(m.group().replace(" ", "") for m in _SPACED_THOUSANDS.finditer(text))
    tokens.extend(f"{_stem(m.group(1)) or m.group(1)}#{m.group(2)}" for m in _NUMBERED_PART.finditer(text))
    return tokens


# Russian letters in Latin ones (the common passport and library spelling, ё and е alike), so a name written in either
# alphabet compares: "ОВД-Инфо" and "OVD-Info", "Мемориал" and "Memorial".
_LATIN_LETTERS = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts",
         "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    )
)


def latin_key(text: str) -> str:
    """text lower-cased in Latin letters and figures only, everything else dropped: "ОВД-Инфо" gives "ovdinfo"."""
    return "".join(_LATIN_LETTERS.get(c, c) for c in text.lower() if c.isalnum())


@lru_cache(maxsize=8192)  # a passage's script is asked for again and again: each question reads every retrieved one
def script(text: str) -> str:
    """'cyrillic' or 'latin', whichever has more letters in text."""
    letters = script_letters(text)
    return "cyrillic" if letters["cyrillic"] > letters["latin"] else "latin"


def script_letters(text: str) -> dict[str, int]:
    """How many Cyrillic and Latin letters text holds, web addresses left out (a Russian report's notes cite Latin ones)."""
    lowered = without_web_addresses(text).lower()
    return {"cyrillic": len(_CYRILLIC.findall(lowered)), "latin": len(_LATIN.findall(lowered))}


def without_web_addresses(text: str) -> str:
    """text with each web address replaced by a space: the words of a link are no words the text states."""
    lowered = text.lower()
    return _WEB_ADDRESS.sub(" ", text) if "://" in lowered or "www." in lowered else text

# A list item starts with a bullet, "1." / "1)", "(a)" / "a)" or "(iv)" and a space.
_ITEM = r"(?:[-•*–—]|\d{1,3}[.)]|\(?[a-zа-я]\)|\([ivx]{1,4}\))\s"
_LIST_ITEM = re.compile(_ITEM)
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and an opening
# capital, digit or quote; or there after a note mark glued to the full stop ("… relocated.116 The …",
# "… compared to 2023.112 During …"; the mark stays with its sentence; a decimal such as "3.2 The" is
# no end: before the stop there must be a letter, a closer or a year); or at a blank line; or at a
# line break after end punctuation, after the back-link arrow that ends a note in a report printed
# from a web page ("… экстремистского сообщества. ↩") unless the note's web address follows it, at
# the rule that sets a page's footnotes apart ("____"), or before a list item. A hard-wrapped line
# inside a paragraph (common in PDFs) is not an end.
_END = re.compile(
    r"""(?<=[.!?…])[\"'»”’)\]]*\s+(?=[\"'«“‘(\[]?[A-ZА-ЯЁ0-9])"""
    r"""|(?:(?<=[^\W\d_][.!?…])|(?<=[\"'»”’)\]][.!?…])|(?<=(?:1[89]|20)\d\d\.))\d{1,3}\s+(?=[\"'«“‘(\[]?[A-ZА-ЯЁ])"""
    r"""|\n[ \t]*\n\s*"""
    r"""|(?<=[.!?…:;])[\"'»”’)\]]*[ \t]*\n\s*"""
    r"""|(?<=↩)[ \t]*\n\s*(?!https?:|www\.)"""
    r"""|(?:\A|\s*\n)[ \t]*_{5,}[ \t]*\n\s*"""
    rf"""|[ \t]*\n\s*(?={_ITEM})"""
)
_NUMBER = re.compile(r"\d")
# A figure after a full stop that ends its line ("… south of Turks and Caicos Islands. 181" + line break) is the last cell
# of a table row whose description ends in a stop, or a note mark set apart by a space: it closes the sentence before it.
_CLOSING_FIGURE = re.compile(r"[ \t]+\d+(?:[.,]\d+)*(?=[ \t]*\n)")
# how a month's name starts, in English and in Russian (any case form): read with re.IGNORECASE
MONTH_START = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек)"
_DATE = re.compile(rf"\b\d{{1,2}}\s+{MONTH_START}[a-zа-яё]*\.?(?:\s+(?:1[89]|20)\d\d(?:\s+(?:года?|г))?)?(?!\w)", re.IGNORECASE)
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vol", "fig", "art", "para", "paras",
    "e.g", "i.e", "etc", "vs", "cf", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "gen", "col", "lt", "sgt", "rev", "inc", "ltd", "co",
    "corp", "u.s", "u.k", "u.n", "op", "pp", "p", "ch", "sec", "approx", "est",
    "incl", "excl",
    "г", "гг", "т", "д", "с", "стр", "ст", "им", "см", "тыс", "млн", "млрд", "руб", "ул", "пр", "вкл", "искл", "напр", "рис", "табл",
}
_MAX_SENTENCE = 600
_YEAR_BEFORE = re.compile(r"(?:1[89]|20)\d\d\s*гг?\.$")
_CLOSERS = "\"'»”’)]"


# A note mark glued to a word or to the punctuation after it ("Rights3", "made.5", "road,4"), and a line that opens a
# footnote ("3 The Commission has since been replaced …") right after a line cut off mid-sentence: a page that carries
# the mark ends its body text there. (A note after a finished sentence is split off by the sentence end already; "CD4"
# and "IL6" are marks to this pattern too, so it is kept to the one case a PDF reader gets wrong.)
GLUED_MARK = r"(?<=[^\W\d_])(\d{1,3})(?=[\s.,;:)]|$)|(?<=[.,;:)»”\"’])(\d{1,3})(?=\s|[.,;:](?!\d)|$)"
_GLUED_MARK = re.compile(GLUED_MARK)
_NOTE_LINE = re.compile(r"(?<=[^\s.!?…:;\"'»”’)\]])[ \t]*\n(\d{1,3}) (?=[A-ZА-ЯЁ“\"«(])")


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text, shifted by offset; whitespace trimmed, none empty.

    A line opening a footnote whose mark the text carries ends the sentence before it: PDF readers often put a
    page's notes straight after the last line of its body, in the middle of a sentence that goes on overleaf."""
    marks = {m.group(1) or m.group(2) for m in _GLUED_MARK.finditer(text)}
    cuts = [m.start(1) for m in _NOTE_LINE.finditer(text) if m.group(1) in marks] if marks else []
    if not cuts:
        return _sentence_spans(text, offset)
    spans: list[tuple[int, int]] = []
    for start, end in zip([0, *cuts], [*cuts, len(text)]):
        spans += _sentence_spans(text[start:end], offset + start)
    return spans


def _sentence_spans(text: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        end = match.start()
        while end < match.end() and (text[end] in _CLOSERS or text[end].isdigit()):  # a note mark stays with its sentence
            end += 1
        figure = _CLOSING_FIGURE.match(text, end) if text[end - 1 : end] in ".!?…" else None
        end = figure.end() if figure else end
        _add_rows(text, start, end, spans)
        start = max(match.end(), end)
    _add_rows(text, start, len(text), spans)
    return [(s + offset, e + offset) for s, e in spans]


def is_list_item(text: str) -> bool:
    """Whether a unit of text is an item of a list (a bullet, "1.", "(a)" or "(iv)" leads it)."""
    return _LIST_ITEM.match(text) is not None


def is_lead_in(text: str) -> bool:
    """Whether a unit introduces what follows it ("… on the following grounds:")."""
    return text.rstrip().endswith(":")


def is_table_row(line: str) -> bool:
    """A line of mostly figures, as tables come out of a PDF ("212.1 УК 600 1000 480 5 лет"), or a date alone (a table's
    date cell, "27 September 2024"). A date closed by a full stop ("31 March 2025.") is the end of a sentence wrapped
    onto its own line, not a row."""
    if line.rstrip().endswith(".") and _DATE.fullmatch(line.strip()[:-1]):
        return False
    cells = line.split()
    figures = sum(1 for cell in cells if _NUMBER.search(cell))
    return figures >= 2 and figures >= 0.5 * len(cells)


def _add_rows(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Add the text between two sentence ends, each table row a unit of its own: a row has no full stop to end it."""
    lines = text[start:end].split("\n")
    rows = [is_table_row(line) for line in lines]
    cut = start
    for i in range(1, len(lines)):
        at = start + sum(len(line) + 1 for line in lines[:i])  # where line i begins
        if rows[i] or rows[i - 1]:
            _add_span(text, cut, at, spans)
            cut = at
    _add_span(text, cut, end, spans)


def _is_abbreviation(text: str, end: int) -> bool:
    if text[end - 1 : end] != ".":
        return False
    word = re.search(r"([\w.]+)\.$", text[max(0, end - 12) : end])
    if not word:
        return False
    token = word.group(1).lower()
    if token in ("г", "гг") and _YEAR_BEFORE.search(text, max(0, end - 24), end):
        return False  # "в 2009–2013 гг. Кроме того …": the year's abbreviation ends the sentence before a capital
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Trim whitespace; cut run-on 'sentences' (tables, lists without stops) at spaces."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > _MAX_SENTENCE:
        cut = text.rfind(" ", start, start + _MAX_SENTENCE)
        cut = cut if cut > start else start + _MAX_SENTENCE
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


def listed(names: Sequence[str], most: int = 3) -> str:
    """The first `most` names, comma-separated, and how many more ("a.pdf, b.pdf and 4 more")."""
    return ", ".join(names[:most]) + (f" and {len(names) - most:,} more" if len(names) > most else "")

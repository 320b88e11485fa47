"""Clean page text before it is chunked: odd characters, running headers and footers, broken words, bullets.

Chunk offsets and quotes refer to the text these functions return, so all cleaning happens here, in the
loader, and never after. Every step replaces or drops spans of text (no reordering), so a page view can
still map page text back to the PDF reader's character indices.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\uffff]")
_SOFT_HYPHEN_IN_NUMBER = re.compile(r"(?<=\d)\u00ad(?=\d)")
# NFKC for ligatures and full-width forms only: on all text it would also turn "km²" into "km2",
# "½" into "1⁄2", "№" into "No" and superscript footnote markers into digits glued to the word.
_COMPATIBILITY = re.compile(r"[\ufb00-\ufb06\ufb13-\ufb17\uff01-\uff5e]")
# A hyphen at a line end between two word pieces; U+FFFE is how PDFium reports one (it joins the lines).
_BREAK = r"(?:\ufffe|[-\u2010][ \t]*\n[ \t]*)"
_BROKEN_WORD = re.compile(rf"(?<!\w)(\w+){_BREAK}(\w+)")  # (?<!\w): tried at word starts only, linear time
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# URLs are broken at their own hyphens, never hyphenated: a token with these marks keeps its hyphen.
_URL = re.compile(r"://|www\.|[_=@%]|/.*[-/]|[-/].*/")
# Bullet and checkbox glyphs, private-use glyphs of symbol fonts (Wingdings, Symbol) included.
_BULLET = re.compile(r"^[ \t]*[•◦▪▫■□●○◆◇❖➢➤►▶✓✔☐☑☒⁃‣∙·\ue000-\uf8ff](?:[ \t]*\n(?=[ \t]*\S))?[ \t]*", re.MULTILINE)
_PAGE_NUMBER = re.compile(r"[-–—\s]*(\d{1,4})[-–—\s]*")
EDGE_LINES = 3  # non-empty lines at the top and at the bottom of a page where running lines are looked for
RUNNING_SHARE = 0.4  # share of a document's pages a line must repeat on to count as a running header/footer
RUNNING_PAGES = 3  # ... and never fewer pages than this


def normalise_characters(text: str) -> str:
    """Unify line ends and Unicode form; plain spaces for NBSP and kin; drop zero-width, control and soft hyphens.

    A soft hyphen between digits stands for a real one (2011-2014); anywhere else it is invisible.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _COMPATIBILITY.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    text = _SOFT_HYPHEN_IN_NUMBER.sub("-", text).replace("\u00ad", "")
    return _CONTROL.sub("", text)


def vocabulary(pages: list[str]) -> Counter[str]:
    """Lower-cased words and hyphenated compounds of a document (compound parts count as words too).

    Words broken at a line end are left out: they are what the vocabulary is asked about.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        for token in _WORD.findall(_BROKEN_WORD.sub(" ", page)):
            token = token.lower()
            counts[token] += 1
            if "-" in token:
                counts.update(token.split("-"))
    return counts


def is_broken_word(left: str, right: str, words: Counter[str]) -> bool:
    """True if the halves of a word hyphenated at a line end make one word, False if the hyphen is real.

    The document decides: whichever of "leftright" and "left-right" it uses more often elsewhere. With no
    evidence, a right half that is a word of its own elsewhere ("troop-/and police") marks a compound.
    """
    if not (left.isalpha() and right.isalpha()) or right[0].isupper():
        return False
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if words[joined] or words[hyphenated]:
        return words[joined] >= words[hyphenated]
    return right.lower() not in words


def in_url_or_chain(before: str, left: str, after: str) -> bool:
    """True for a broken word inside a URL or a chain of hyphens ("mother-in-/law"): there the hyphen is real.

    before and after are the rest of the token around "left-/right"; "non-discrimi-/natory" is no chain.
    """
    chain = before.count("-") >= 2 or (before.endswith("-") and len(left) <= 3)
    return chain or _URL.search(before + after) is not None


def join_line_break_hyphens(text: str, words: Counter[str]) -> str:
    """Mend words hyphenated at a line end: "viola-/tions" -> "violations", "conflict-/related" kept whole.

    Either way the line break goes; a hyphen inside a URL or a chain ("mother-in-/law") always stays.
    """

    def mend(match: re.Match[str]) -> str:
        left, right = match.groups()
        before = _SPACE.split(text[max(0, match.start() - 200) : match.start()])[-1]
        after = _SPACE.split(text[match.end() : match.end() + 200], maxsplit=1)[0]
        hyphen = "" if not in_url_or_chain(before, left, after) and is_broken_word(left, right, words) else "-"
        return f"{left}{hyphen}{right}"

    return _BROKEN_WORD.sub(mend, text).replace("\ufffe", "-")


def normalise_bullets(text: str) -> str:
    """A bullet or checkbox glyph leading a line becomes "• ", so the sentence splitter sees a list item."""
    return _BULLET.sub("• ", text)


def line_key(line: str) -> str:
    """A line as compared across pages: digits as '#', whitespace collapsed, case folded."""
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def edge_lines(page: str) -> list[int]:
    """Indices of the first and last EDGE_LINES non-empty lines of a page."""
    filled = [i for i, line in enumerate(page.split("\n")) if line.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def running_lines(pages: list[str]) -> set[str]:
    """Keys (line_key) of lines at the top or bottom of enough pages to be running headers or footers.

    Lone numbers are left to page_number_offset: a footnote number may end many pages too.
    """
    seen: Counter[str] = Counter()
    for page in pages:
        lines = page.split("\n")
        seen.update({line_key(lines[i]) for i in edge_lines(page)})
    return {key for key, n in seen.items() if n >= _enough(pages) and key.strip("-–— ") != "#"}


def page_number_offset(pages: list[str]) -> int | None:
    """printed - physical page number, if enough pages have it as a lone number at their top or bottom."""
    offsets: Counter[int] = Counter()
    for n, page in enumerate(pages, start=1):
        lines = page.split("\n")
        numbers = {int(m.group(1)) for i in edge_lines(page) if (m := _PAGE_NUMBER.fullmatch(lines[i]))}
        offsets.update({number - n for number in numbers})
    best = offsets.most_common(1)
    return best[0][0] if best and best[0][1] >= _enough(pages) else None


def _enough(pages: list[str]) -> int:
    """How many pages a line must be found on to count as running."""
    return max(RUNNING_PAGES, math.ceil(RUNNING_SHARE * len(pages)))


def strip_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers, nor their printed page numbers; body text stays."""
    running, offset = running_lines(pages), page_number_offset(pages)
    stripped = []
    for n, page in enumerate(pages, start=1):
        lines = page.split("\n")
        drop = {i for i in edge_lines(page) if line_key(lines[i]) in running or _is_page_number(lines[i], n, offset)}
        stripped.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return stripped


def _is_page_number(line: str, page: int, offset: int | None) -> bool:
    match = _PAGE_NUMBER.fullmatch(line)
    return offset is not None and match is not None and int(match.group(1)) == page + offset


def clean_pages(pages: list[str]) -> list[str]:
    """The cleaning every loader applies: characters, then running lines (documents of several pages),
    then words broken at line ends (judged against the whole document's words), then bullets."""
    pages = [normalise_characters(page) for page in pages]
    if len(pages) >= RUNNING_PAGES:
        pages = strip_running_lines(pages)
    words = vocabulary(pages)
    return [normalise_bullets(join_line_break_hyphens(page, words)) for page in pages]

"""Sentence-aware chunks sized for the embedding model, each with a stable id and exact offsets."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.text import is_lead_in, is_list_item, sentence_spans
from rag.types import Chunk

# Paragraphs first, then lines, then sentence ends, then clause marks, then words.
MAX_LIST_CHARS = 1500  # a chunk is widened over a list it cuts by at most this much on either side
_SEPARATORS = [r"\n[ \t]*\n", r"\n", r"(?<=[.!?…])\s+", r"(?<=[;:,])\s+", r"\s+", ""]


def make_splitter(count_tokens: Callable[[str], int], chunk_tokens: int, overlap: int) -> RecursiveCharacterTextSplitter:
    """LangChain's recursive splitter, measuring length in the embedding model's tokens."""

    @lru_cache(maxsize=1 << 16)
    def length(text: str) -> int:
        return 1 if len(text) <= 2 else count_tokens(text)

    return RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        length_function=length,
        strip_whitespace=True,
    )


def split_documents(pages: Iterable[Document], splitter: RecursiveCharacterTextSplitter) -> list[Chunk]:
    """Chunks of every page of one document, numbered in reading order.

    Sentences are found in the whole page, and each chunk the splitter cuts is widened to the
    sentences its edges fall in, so a sentence is never quoted cut at a chunk's edge.
    """
    chunks: list[Chunk] = []
    for page in pages:
        text = page.page_content
        spans = sentence_spans(text)
        previous = None
        for start, end in _snapped(text, spans, _located(text, splitter.split_text(text))):
            if (start, end) != previous:
                inside = [(s - start, e - start) for s, e in spans if start <= s and e <= end]
                chunks.append(_chunk(page.metadata, len(chunks), start, text[start:end], inside))
                previous = (start, end)
    return chunks


def _snapped(text: str, spans: list[tuple[int, int]], pieces: Iterable[tuple[int, str]]) -> Iterable[tuple[int, int]]:
    """(start, end) of each piece widened to the whole sentences (spans, in order) its two edges fall in,
    and to the whole of a list cut at an edge: its lead-in and its items (a list answers as one unit)."""
    starts = [s for s, _ in spans]
    units = [text[s:e] for s, e in spans]
    for start, piece in pieces:
        end = start + len(piece)
        first = bisect.bisect_right(starts, start) - 1  # the sentence beginning at or before start
        first = first if first >= 0 and spans[first][1] > start else first + 1
        last = bisect.bisect_left(starts, end) - 1  # the last sentence beginning before end
        if first > last:  # the piece lies between sentences (whitespace only)
            yield start, end
            continue
        first, last = _whole_list(units, spans, first, last)
        yield min(start, spans[first][0]), max(end, spans[last][1])


def _whole_list(unit: list[str], spans: list[tuple[int, int]], first: int, last: int) -> tuple[int, int]:
    """Sentence indices widened over a list that crosses them: back to its lead-in, on through its items,
    within MAX_LIST_CHARS on either side (unit: the sentences' texts)."""
    lowest = spans[first][0] - MAX_LIST_CHARS
    while first > 0 and is_list_item(unit[first]) and spans[first - 1][0] >= lowest:
        first -= 1
        if not is_list_item(unit[first]):
            break
    highest = spans[last][1] + MAX_LIST_CHARS
    while last + 1 < len(spans) and (is_lead_in(unit[last]) or is_list_item(unit[last])) and is_list_item(unit[last + 1]):
        if spans[last + 1][1] > highest:
            break
        last += 1
    return first, last


def _located(text: str, pieces: list[str]) -> Iterable[tuple[int, str]]:
    """Start offset of each piece: pieces are exact substrings, in order, each starting after the last."""
    cursor = 0
    for piece in pieces:
        start = text.find(piece, cursor)
        if start < 0:
            raise AssertionError("splitter returned text that is not in the document")
        yield start, piece
        cursor = start + 1


def _chunk(meta: dict, ordinal: int, start: int, text: str, sentences: list[tuple[int, int]]) -> Chunk:
    page = meta.get("page")
    key = f"{meta['source']}:{meta['sha256']}:{page}:{ordinal}:{start}"
    return Chunk(
        id=hashlib.sha256(key.encode()).hexdigest()[:32],
        text=text,
        source=meta["source"],
        title=meta["title"],
        page=page,
        start=start,
        end=start + len(text),
        sha256=meta["sha256"],
        ord=ordinal,
        sentences=sentences,
    )

"""Sentence-aware chunks sized for the embedding model, each with a stable id and exact offsets."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.text import sentence_spans
from rag.types import Chunk

# Paragraphs first, then lines, then sentence ends, then clause marks, then words.
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
    """Chunks of every page of one document, numbered in reading order."""
    chunks: list[Chunk] = []
    for page in pages:
        for start, text in _located(page.page_content, splitter.split_text(page.page_content)):
            chunks.append(_chunk(page.metadata, len(chunks), start, text))
    return chunks


def _located(text: str, pieces: list[str]) -> Iterable[tuple[int, str]]:
    """Start offset of each piece: pieces are exact substrings, in order, each starting after the last."""
    cursor = 0
    for piece in pieces:
        start = text.find(piece, cursor)
        if start < 0:
            raise AssertionError("splitter returned text that is not in the document")
        yield start, piece
        cursor = start + 1


def _chunk(meta: dict, ordinal: int, start: int, text: str) -> Chunk:
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
        sentences=sentence_spans(text),
    )

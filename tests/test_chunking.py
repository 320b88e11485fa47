"""Chunking: exact offsets, stable ids, sizes within the model window, sentence spans inside chunks."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.ingest.chunking import make_splitter, split_documents
from rag.types import Chunk

PARAGRAPH = (
    "The mission visited {n} detention centres in the region. Detainees described overcrowded cells. "
    "Lawyers were denied access for weeks at a time. Officials declined to comment on the findings. "
)


def page(text: str, page_no: int | None = None, sha: str = "abc") -> Document:
    return Document(text, metadata={"source": "r.txt", "title": "R", "sha256": sha, "page": page_no})


def test_offsets_point_at_exact_text_and_ids_are_stable(embeddings):
    text = "\n\n".join(PARAGRAPH.format(n=i) * 3 for i in range(8))
    splitter = make_splitter(embeddings.count_tokens, 120, 20)
    chunks = split_documents([page(text)], splitter)
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embeddings.count_tokens(chunk.text) <= 120
        for s, e in chunk.sentences:
            assert chunk.text[s:e].strip() == chunk.text[s:e]
    assert [c.ord for c in chunks] == list(range(len(chunks)))
    again = split_documents([page(text)], splitter)
    assert [c.id for c in again] == [c.id for c in chunks]
    changed = split_documents([page(text, sha="other")], splitter)
    assert not {c.id for c in changed} & {c.id for c in chunks}


def test_chunks_overlap_and_end_on_sentence_boundaries(embeddings):
    text = PARAGRAPH.format(n=3) * 12
    splitter = make_splitter(embeddings.count_tokens, 100, 30)
    chunks = split_documents([page(text)], splitter)
    assert all(c.text.endswith(".") for c in chunks)
    assert all(b.start < a.end for a, b in zip(chunks, chunks[1:]))


def test_pages_keep_their_numbers(embeddings):
    splitter = make_splitter(embeddings.count_tokens, 200, 20)
    chunks = split_documents([page("Page one text.", 1), page("Page two text.", 2)], splitter)
    assert [(c.page, c.text, c.start) for c in chunks] == [(1, "Page one text.", 0), (2, "Page two text.", 0)]


def test_metadata_round_trip():
    chunk = Chunk("id1", "Hello there. Bye.", "a/b.txt", "T", 3, 10, 27, "sha", 2, [(0, 12), (13, 17)])
    meta = chunk.metadata()
    assert meta["page"] == 3 and meta["sentences"] == "[[0,12],[13,17]]"
    assert Chunk.from_store("id1", chunk.text, meta) == chunk
    no_page = Chunk("id2", "x", "a.txt", "T", None, 0, 1, "sha", 0, [])
    assert "page" not in no_page.metadata()
    assert Chunk.from_store("id2", "x", no_page.metadata()).page is None

"""Chunking: exact offsets, stable ids, sizes within the model window, sentence spans inside chunks."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.ingest.chunking import make_splitter, split_documents
from rag.text import sentence_spans
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
    longest = max(embeddings.count_tokens(text[s:e]) for s, e in sentence_spans(text))
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embeddings.count_tokens(chunk.text) <= 120 + 2 * longest  # widened to the sentences at its two edges
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


def test_every_sentence_is_whole_in_some_chunk_even_across_a_cut(embeddings):
    # One paragraph with no break the splitter prefers: it must cut inside sentences, by words.
    long_sentence = "The commission documented " + ", ".join(f"case number {i} in the northern district" for i in range(30)) + "."
    text = f"Opening remarks were made. {long_sentence} Closing remarks followed. " * 2
    chunks = split_documents([page(text)], make_splitter(embeddings.count_tokens, 60, 10))
    assert len(chunks) > 2
    quoted = {(c.start + s, c.start + e) for c in chunks for s, e in c.sentences}
    assert quoted == set(sentence_spans(text))  # each page sentence is one chunk's sentence, never a piece of one
    for chunk in chunks:
        assert chunk.sentences[0][0] == 0 and chunk.sentences[-1][1] == len(chunk.text)
    assert len({(c.start, c.end) for c in chunks}) == len(chunks)  # no chunk twice after widening


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


def test_a_list_cut_by_the_splitter_stays_whole_under_its_lead_in(embeddings):
    grounds = "race colour sex language religion opinion origin birth".split()
    items = "\n".join(f"({letter}) the ground of {word} or belief;" for letter, word in zip("abcdefgh", grounds))
    text = f"Some background comes first here. The declaration lists the following grounds:\n{items}\nAfter the list, prose resumes."
    chunks = split_documents([page(text)], make_splitter(embeddings.count_tokens, 30, 5))
    lead_in = text.index("The declaration")
    whole = [c for c in chunks if c.start <= lead_in and c.end >= text.index("(h)")]
    assert whole, "no chunk holds the lead-in with all its items"
    assert all(c.text.count("(") == 8 for c in chunks if "grounds:" in c.text)  # never the lead-in without its items

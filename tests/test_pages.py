"""The page view: a PDF page rendered with the quote marked where it stands, and only for indexed PDFs of the corpus."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rag.errors import CorpusFileError
from rag.ingest.pages import find_folded, render_page
from tests.helpers import make_pdf, write

DETENTION = (
    "The monitors visited eleven prisons in the northern region during the spring. "
    "In Juba the Mission counted 312 detainees held without charge, some of them for more than two years. "
    "Families were not told where their relatives were held."
)


def test_a_quote_is_found_by_its_letters_whatever_the_spaces_hyphens_and_ligatures():
    page = "The Mission coun-\r\nted 312 de\u00adtainees held with\u00a0out charge; ﬁnal ﬁgures follow."
    start, end = find_folded(page, "the Mission counted 312 detainees held without charge")
    assert page[start:end] == "The Mission coun-\r\nted 312 de\u00adtainees held with\u00a0out charge"
    assert page[slice(*find_folded(page, "final figures"))] == "ﬁnal ﬁgures"


def test_a_quote_running_onto_the_next_page_is_found_as_far_as_this_page_holds_it():
    page = "Earlier text. The Mission counted 312 detainees held"
    assert page[slice(*find_folded(page, "The Mission counted 312 detainees held without charge for years."))] == (
        "The Mission counted 312 detainees held"
    )
    following = "without charge for years. Next part."
    assert following[slice(*find_folded(following, "counted 312 detainees held without charge for years."))] == "without charge for years"
    assert find_folded(page, "Nothing of the kind appears") == (-1, -1)
    assert find_folded(page, "") == (-1, -1)


def _marked_pixels(png: bytes) -> int:
    """Yellow pixels on the rows that hold text: the highlight must lie over the words, not beside them."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    # white paper under the see-through highlight turns yellow: red and green high, blue low; text stays dark
    yellow = (pixels[..., 0] > 240) & (pixels[..., 1] > 200) & (pixels[..., 2] < 200)
    text_rows = (pixels.max(axis=2) < 100).any(axis=1)
    return int(yellow[text_rows].sum())


def test_the_quote_is_marked_on_its_page_and_nowhere_else(tmp_path):
    path = make_pdf(tmp_path / "report.pdf", ["A first page about Armenia.", DETENTION])
    marked = render_page(path, 2, ["In Juba the Mission counted 312 detainees held without charge"])
    assert (marked.page, marked.pages) == (2, 2) and marked.marked >= 1
    assert marked.png.startswith(b"\x89PNG") and _marked_pixels(marked.png) > 500
    plain = render_page(path, 1, ["In Juba the Mission counted 312 detainees held without charge"])
    assert plain.marked == 0 and _marked_pixels(plain.png) == 0 and plain.first_mark is None
    assert 0 < marked.first_mark < 0.2  # the quote is the page's first line: the viewer scrolls to it
    with pytest.raises(CorpusFileError, match="report.pdf has pages 1 to 2; there is no page 3"):
        render_page(path, 3)


def test_the_pipeline_shows_pages_of_indexed_pdfs_only(make_pipeline, tmp_path):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    make_pdf(corpus / "report.pdf", ["A first page about Armenia.", DETENTION])
    write(corpus, "notes.txt", "Plain notes about the mission.")
    pipeline.index()
    answer = pipeline.ask("How many detainees did the Mission count in Juba?")
    cited = answer.citations[0]
    assert (cited.source, cited.page) == ("report.pdf", 2)
    assert pipeline.page_image(cited.source, cited.page, [cited.quote]).marked >= 1
    with pytest.raises(CorpusFileError, match="pages can be shown for PDF reports only"):
        pipeline.page_image("notes.txt", 1)
    outside = make_pdf(tmp_path / "outside.pdf", ["Not in the corpus."])
    for source in ("../outside.pdf", str(outside), "missing.pdf"):
        with pytest.raises(CorpusFileError, match="not an indexed document"):
            pipeline.page_image(source, 1)


def test_a_sentence_begun_on_the_page_before_is_quoted_from_its_beginning(make_pipeline):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    first = (
        "The trade in young eels grew quickly in the last decade. Exporters shipped them by air from the capital. "
        "Although, in 2020, the Minister of Agriculture, Natural Resources and Rural"
    )
    second = (
        "Development of Haiti set the country's export quota for elvers at 6,400 kg, the process lacks enforcement. "
        "Gangs tax the trucks that carry the catch to the airport."
    )
    make_pdf(corpus / "eels.pdf", [first, second])
    pipeline.index()
    answer = pipeline.ask("What export quota for elvers did Haiti set?")
    assert not answer.abstained, answer.answer
    opening, rest = answer.citations[0], answer.citations[1]
    assert (opening.page, rest.page) == (1, 2) and opening.quote.startswith("Although, in 2020")
    assert rest.quote.startswith("Development of Haiti set") and "6,400 kg" in rest.quote
    # one line in the answer: the sentence reads whole, each part cited to its own page
    assert "Rural [1] Development of Haiti set" in answer.answer.split("\n")[0], answer.answer
    # a page whose body ends its last sentence leads nothing
    assert not pipeline.ask("Who taxes the trucks that carry the catch?").answer.startswith("Although")

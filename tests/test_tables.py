"""A year table's row under its heading, for a caption below the table that names what the question asks."""

from __future__ import annotations

import numpy as np

from rag.answering.extractive import extractive_answer
from rag.answering.tables import caption_below, row_at, row_for
from rag.config import Settings
from rag.text import sentence_spans
from rag.types import Chunk, Passage
from tests.helpers import UNIT, SameVectors

TABLE = (
    "2009 2010 2011 2012 2013\n"
    "оправдано (по отношению к\nобвинениям) 0.17% 0.23% 0.15% 0.11% 0.07%\n"
    "оправдано 12 16 10 7 5\n"
    "условное лишение свободы 3807 3529 3511 3029 3090\n"
    "штраф 1772 1904 1937 2051 2218\n"
    "лишение свободы до 1 года\nвкл. 352 354 323 336 408"
)
CAPTION = "Решения судов по статье 318 УК РФ: 2009-2013 гг.\nКроме того, в 2014 году в кодекс была внесена статья 212.1."


def chunk(text: str, ordinal: int, start: int, page: int | None = 8) -> Chunk:
    return Chunk(f"c{ordinal}", text, "report.pdf", "Report", page, start, start + len(text), "x", ordinal, sentence_spans(text))


PAGE = [chunk(TABLE, 4, 0), chunk(CAPTION, 5, len(TABLE) + 1)]  # the caption below the table, on the same page


def page_of(source: str, page: int) -> list[Chunk]:
    return PAGE if (source, page) == ("report.pdf", 8) else []


def test_the_row_the_question_names_under_its_year_heading():
    def row(question: str, share: bool = False) -> str:
        found = row_for(question, PAGE, share)
        return TABLE[found.row[0] : found.row[1]] if found else ""

    assert row("Сколько приговоров к штрафу вынесли суды?") == "штраф 1772 1904 1937 2051 2218"
    assert row("Сколько раз назначили условное лишение свободы?") == "условное лишение свободы 3807 3529 3511 3029 3090"
    assert row("Сколько человек было оправдано?") == "оправдано 12 16 10 7 5"  # a count, not the row of shares
    assert row("Какая доля обвиняемых была оправдана?", share=True).endswith("0.07%")  # the label wraps onto the row's line
    assert row("How many journalists were fined?") == ""  # no row the question names
    found = row_for("штраф", PAGE)
    assert TABLE[found.heading[0] : found.heading[1]] == "2009 2010 2011 2012 2013" and found.years() == set(range(2009, 2014))


def test_a_caption_without_a_figure_is_answered_by_the_heading_and_the_row_above_it():
    question = "Сколько приговоров к штрафу было вынесено по статье 318 УК РФ в 2013 году?"
    passages = [Passage(PAGE[1], 1.0, None, None)]  # retrieval finds the caption, which shares the question's words
    settings = Settings(abstain_threshold=0.5, answer_sentences=2)
    answer = extractive_answer(question, np.asarray(UNIT), passages, SameVectors(), settings, page=page_of)
    assert not answer.abstained
    assert [c.quote for c in answer.citations] == [
        "2009 2010 2011 2012 2013", "штраф 1772 1904 1937 2051 2218", "Решения судов по статье 318 УК РФ: 2009-2013 гг.",
    ]
    assert answer.citations[1].chunk_id == "c4" and answer.citations[2].chunk_id == "c5"
    # a year the table does not have, or no page to read the table from: no answer from it
    later = extractive_answer(question.replace("2013", "2014"), np.asarray(UNIT), passages, SameVectors(), settings, page=page_of)
    assert later.abstained
    assert extractive_answer(question, np.asarray(UNIT), passages, SameVectors(), settings).abstained


def test_a_row_refused_for_the_article_its_caption_names_is_quoted_with_its_heading_and_caption():
    row = TABLE.index("условное")
    end = TABLE.index("\n", row)
    found = row_at(PAGE, PAGE[0], row, end)
    assert TABLE[found.heading[0] : found.heading[1]] == "2009 2010 2011 2012 2013" and found.row == (row, end)
    below = caption_below(PAGE, PAGE[0], end)  # past the other rows and a label wrapped over its figures, on the next chunk
    assert below is not None and below[0].text[below[1] : below[2]] == "Решения судов по статье 318 УК РФ: 2009-2013 гг."
    assert row_at(PAGE, PAGE[1], 0, 10) is None  # prose under the table is no row of it

    question = "Согласно таблице решений судов по статье 318 УК РФ, сколько раз суды назначили условное лишение свободы в 2013 году?"
    passages = [Passage(PAGE[0], 1.0, None, None)]  # retrieval finds the rows; only the caption names the article
    settings = Settings(abstain_threshold=0.5, answer_sentences=2)
    answer = extractive_answer(question, np.asarray(UNIT), passages, SameVectors(), settings, page=page_of)
    assert [c.quote for c in answer.citations] == [
        "2009 2010 2011 2012 2013", "условное лишение свободы 3807 3529 3511 3029 3090", "Решения судов по статье 318 УК РФ: 2009-2013 гг.",
    ]
    other = extractive_answer(question.replace("318", "319"), np.asarray(UNIT), passages, SameVectors(), settings, page=page_of)
    assert other.abstained  # the caption names another article: the table is not the one asked about

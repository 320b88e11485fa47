"""Footnotes a quote points to: marks, a page's notes, and the note quoted after its sentence when it holds what was asked."""

from __future__ import annotations

import numpy as np

from rag.answering.extractive import extractive_answer
from rag.answering.notes import asks_source, later_note, marks, note_for, notes_of, on_page, source_words
from rag.config import Settings
from rag.text import sentence_spans, tokenize
from rag.types import Chunk, Passage
from tests.helpers import UNIT, SameVectors, make_pdf

BODY = (
    "Gangs took control of part of the airport road,4 in Delmas commune, in late October 2024. "
    "They also traffic drugs.5 By air, shootings closed the airport."
)
NOTES = (
    "__________________\n"
    "4 The area extending from Carrefour Aéroport to the entrance of Simon Pelé, which is about 1 km from the international airport.\n"
    "5 Interviews with a gang analyst, February 2025."
)


def chunk(text: str, ordinal: int, start: int, page: int | None = 8) -> Chunk:
    return Chunk(f"c{ordinal}", text, "haiti.pdf", "Haiti", page, start, start + len(text), "x", ordinal, sentence_spans(text))


PAGE = [chunk(BODY, 0, 0), chunk(NOTES, 1, len(BODY) + 1)]


def page_of(source: str, page: int) -> list[Chunk]:
    return PAGE if (source, page) == ("haiti.pdf", 8) else []


def test_marks_glued_to_a_word_or_its_punctuation_or_spaced_after_a_comma():
    assert marks("the airport road,4 in Delmas") == ["4"]
    assert marks("Trade in elvers63 and illicit flows") == ["63"]
    assert marks("to traffic drugs.8 By air") == ["8"]
    assert marks("part of the airport road, 4 in Delmas commune") == ["4"]
    assert marks("500 million gourdes (equivalent to $3,800,358.47) 84 per day") == ["84"]  # spaced after a bracket
    assert marks("At least 207 people were killed in 2024.") == []
    assert marks("атакующие скандируют «Путин»11, но вполне вероятно") == ["11"]  # after a closing quote, before a comma


def test_the_notes_of_a_page_by_number():
    notes = notes_of(PAGE)
    assert set(notes) == {"4", "5"}
    note_chunk, start, end = notes["4"]
    assert note_chunk.text[start:end].startswith("4 The area extending from Carrefour")


def test_a_note_is_taken_only_when_it_holds_a_question_word_the_quote_lacks():
    body = PAGE[0]
    first = body.spans()[0]
    asked = set(tokenize("Which stretch of the airport road in Delmas is meant, and how far is it from the international airport?"))
    note = note_for(body, *first, asked, on_page(page_of))
    assert note is not None and "Carrefour" in note[0].text[note[1] : note[2]]
    # the note of the second sentence only names a source: nothing it holds was asked
    second = body.spans()[1]
    assert note_for(body, *second, set(tokenize("Who traffics drugs by air?")), on_page(page_of)) is None
    # unless the question asks what the report cites for it
    cited = note_for(body, *second, set(tokenize("Who traffics drugs by air?")), on_page(page_of), source_asked=True)
    assert cited is not None and cited[0].text[cited[1] : cited[2]].startswith("5 Interviews with a gang analyst")
    # a quote without a page has no notes to read
    assert note_for(chunk(BODY, 0, 0, page=None), *first, asked, on_page(page_of)) is None


def test_a_question_asking_what_the_report_cites_and_the_words_that_ask_it():
    assert asks_source("On which video platform was that footage published, according to the report's references?")
    assert asks_source("На публикацию какого издания ссылается доклад в этом месте и какого числа она вышла?")
    assert asks_source("Which outlet reported the attack?") and asks_source("What source does the report cite for the toll?")
    assert not asks_source("How many people were killed in Delmas in 2024?")
    words = source_words("На публикацию какого издания ссылается доклад и какого числа она вышла? Нападение в Нижнем Новгороде")
    assert words == set(tokenize("публикацию издания ссылается числа вышла"))  # not the event's words
    assert source_words("How many people were killed in Delmas?") == set()
    from rag.answering.constraints import parse

    # the date asked with the source is the publication's, which the note gives: the sentence need not write one
    assert parse("На публикацию какого издания ссылается доклад и какого числа она вышла?").wanted is None
    assert parse("Когда вышла публикация о нападении?").wanted == "date"


ENDNOTES = (
    "11. Видео нападения на пикет\nhttp://rutube.ru/video/017a67fc/\n«Rutube», 07.12.2014\n"
    "12. На активисток напали\nhttp://snob.ru/selected/entry/73131\n«Сноб», 06.03.2014"
)


def test_an_endnote_is_found_on_a_later_page_of_the_document():
    body = chunk("Пример — нападение на активисток в Нижнем Новгороде12. Нападавшие задержаны не были.", 0, 0, page=4)
    notes = chunk(ENDNOTES, 9, 5000, page=12)
    earlier = chunk("12. A numbered paragraph of an earlier page ↩ http://example.org", 1, 100, page=2)
    found = later_note([notes, earlier, body], "12", 4)
    assert found is not None and found[0] is notes
    assert notes.text[found[1] : found[2]].startswith("12. На активисток напали") and "06.03.2014" in notes.text[found[1] : found[2]]
    assert later_note([notes], "13", 4) is None

    def lookup(source: str, number: str, page: int):
        return later_note([notes], number, page)

    asked = "На публикацию какого издания ссылается доклад, говоря о нападении в Нижнем Новгороде?"
    cited = note_for(body, *body.spans()[0], set(tokenize(asked)), lookup, source_asked=asks_source(asked))
    assert cited is not None and "Сноб" in cited[0].text[cited[1] : cited[2]]
    # a sentence without a mark is sourced by the note of the next one that has one, when the source is asked
    story = chunk("Против активиста возбудили дело о грабеже. Его задержали в конце февраля12. Потом отпустили.", 3, 0, page=4)
    first = story.spans()[0]
    sourced = note_for(story, *first, set(tokenize(asked)), lookup, source_asked=True)
    assert sourced is not None and "Сноб" in sourced[0].text[sourced[1] : sourced[2]]
    assert note_for(story, *first, set(tokenize("Кого задержали в Нижнем Новгороде?")), lookup) is None  # not asked: no note


def test_the_answer_quotes_the_note_after_its_sentence_with_its_own_citation():
    question = "Gangs took control of part of the airport road in Delmas: which stretch is meant, how far from the international airport?"
    unit = np.asarray(UNIT)
    passages = [Passage(PAGE[0], 1.0, None, None)]
    settings = Settings(abstain_threshold=1.2, answer_sentences=1)
    answer = extractive_answer(question, unit, passages, SameVectors(), settings, page=page_of)
    assert [c.quote.split()[0] for c in answer.citations] == ["Gangs", "4"]
    assert "Carrefour Aéroport" in answer.answer and answer.citations[1].page == 8
    without = extractive_answer(question, unit, passages, SameVectors(), settings)
    assert len(without.citations) == 1


def test_a_note_asked_for_by_its_number_is_looked_up_and_quoted(make_pipeline):
    from rag.answering.notes import asked_note, note_span

    assert asked_note("What does footnote 67 of the Haiti report say?") == "67"
    assert asked_note("Какая организация указана в сноске 50 доклада?") == "50" and asked_note("Что в примечании № 3?") == "3"
    assert asked_note("Who noted 12 cases in 2024?") == "" and asked_note("What do the notes of 2024 say?") == ""
    page = (
        "67. The Panel documented the trade in young eels.\nMore text of the page follows here.\n"
        "66 Interview with a fisherman, February 2025.\n67 See www.example.org/eels. Figures of 2020.\nA box: what is an eel?"
    )
    note_page = chunk(page, 0, 0, page=18)
    start, end = note_span(note_page, "67")
    assert page[start:end] == "67 See www.example.org/eels. Figures of 2020."  # the note, not paragraph 67, nor the box after it
    assert note_span(note_page, "12") is None

    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    make_pdf(
        corpus / "haiti.pdf",
        ["The quota was set at 6,400 kg.67 The trade grew.\n__________________\n67 See the Ministry's decree of 2020 on eel exports."],
    )
    make_pdf(corpus / "other.pdf", ["Another report on fisheries.\n__________________\n67 Interview with a trader, 2024."])
    pipeline.index()
    answer = pipeline.ask("What does footnote 67 of the Haiti report say?")
    assert not answer.abstained and answer.citations[0].source == "haiti.pdf", answer.answer
    assert "decree of 2020" in answer.answer and "trader" not in answer.answer
    both = pipeline.ask("What does footnote 67 say?")
    assert {c.source for c in both.citations} == {"haiti.pdf", "other.pdf"}, both.answer  # no report named: each one's note 67
    missing = pipeline.ask("What does footnote 68 say?")
    assert missing.abstained and missing.answer == "No indexed report has a note numbered 68."
    # a report named that has no such note is said to have none, not answered from another report's note
    make_pdf(corpus / "sudan.pdf", ["Situation in South Sudan. Patrols continued in Juba."])
    pipeline.index()
    named = pipeline.ask("What does footnote 67 of the South Sudan report say?")
    assert named.abstained and named.answer == "There is no note numbered 67 in sudan.pdf.", named.answer


def test_a_question_asking_what_the_report_cites_is_answered_with_the_endnote_on_its_last_page(make_pipeline):
    pipeline = make_pipeline()
    make_pdf(
        pipeline.settings.corpus_dir / "persecution.pdf",
        [
            "Attacks on activists. In March 2014 two activists were attacked with green dye at a café in Nizhny Novgorod.12 "
            "Police officers of the local anti-extremism centre stood by and did nothing to stop the attackers.13",
            "Dismissals from universities. Students who took part in protests were expelled from their universities.14",
            "12. Activists attacked with green dye\nhttp://snob.ru/selected/entry/73131\n«Snob», 06.03.2014\n"
            "13. Centre E at the scene\nhttp://example.org/centre-e\n«Kommersant», 07.03.2014\n"
            "14. Expelled for protesting\nhttp://example.org/expelled\n«Novaya Gazeta», 24.12.2014",
        ],
    )
    pipeline.index()
    answer = pipeline.ask(
        "The report says two activists were attacked with green dye at a café in Nizhny Novgorod. "
        "Which publication does it cite for this, and on what date?"
    )
    assert not answer.abstained, answer.answer
    assert "«Snob», 06.03.2014" in answer.answer and answer.citations[-1].page == 3, answer.answer
    assert "Kommersant" not in answer.answer  # the next sentence's note is not this one's
    # asked without asking for the source, the note (which holds no word of the question) is left out
    plain = pipeline.ask("Where were two activists attacked with green dye in March 2014?")
    assert not plain.abstained and "Snob" not in plain.answer, plain.answer


def test_a_footnote_is_read_under_the_sentence_carrying_its_mark(make_pipeline):
    from rag.answering.notes import carrying_mark, marked, opens_note

    text = "Gangs fled.29 Between 26 and 29 January 2025, gangs attacked Kenscoff.30\n29 Interview, November 2024.\n30 According to a news report."
    note_at = text.index("30 According")
    assert opens_note(text, note_at) == "30" and opens_note(text, text.index("Kenscoff")) == ""
    assert marked(text[:note_at], "30") == "Between 26 and 29 January 2025, gangs attacked Kenscoff.30"
    assert carrying_mark(chunk(text, 0, 0), note_at, "") == "Between 26 and 29 January 2025, gangs attacked Kenscoff.30"

    pipeline = make_pipeline()
    make_pdf(
        pipeline.settings.corpus_dir / "haiti.pdf",
        [
            "Report of the Panel of Experts on Haiti, October 2024 to February 2025. In November 2024, gang violence forced "
            "40,000 people to flee their homes in Port-au-Prince.29 Between 26 and 29 January 2025, gangs launched multiple "
            "attacks in Kenscoff, south of Port-au-Prince, to seize control of the area.30 The violence destroyed more than "
            "100 households.\n__________________\n29 Interview with a humanitarian worker, November 2024.\n"
            "30 According to a news report, Krisla's gang, operating from Ti Bwa, carried out the attacks."
        ],
    )
    pipeline.index()
    answer = pipeline.ask("According to a news report, which gang carried out the January 2025 attacks on Kenscoff?")
    assert not answer.abstained and "Krisla" in answer.answer, answer.answer  # note 30 is of January 2025, not November 2024


def test_a_passage_of_notes_is_kept_for_the_period_of_the_sentences_carrying_their_marks():
    from rag.answering.constraints import fitting, marking, parse

    body = "Between 26 and 29 January 2025, gangs launched multiple attacks in Kenscoff.30 Police arrived late."
    notes = "29 Interview with a humanitarian worker, November 2024.\n30 According to a news report, Krisla's gang carried out the attacks."
    ending = "In 2024 exports could be about 800 tons a year.153\n152 Interview, November 2024.\n30 A note."
    chunks = [chunk(body, 0, 0, page=12), chunk(notes, 1, 200, page=12), chunk(ending, 2, 400, page=12)]

    def preceding(c: Chunk, n: int = 2) -> str:
        return "\n".join(x.text for x in chunks if c.ord - n <= x.ord < c.ord)

    assert marking(chunks[1], preceding) == [body[: body.index(" Police")]]
    assert marking(chunks[2], preceding) == []  # it opens in body text: its own dates tell its period
    asked = parse("Which gang carried out the attacks on Kenscoff in January 2025?")
    kept = fitting([Passage(c, 1.0, None, None) for c in chunks], asked, preceding=preceding)
    assert [p.chunk.ord for p in kept] == [0, 1]


def test_asked_for_its_source_a_sentence_citing_nothing_is_no_answer(make_pipeline):
    from rag.answering.notes import cites
    from rag.answering.wording import say

    assert cites("30 According to a news report, Krisla's gang carried out the attacks.")  # a note, and an attribution
    assert cites("12. На активисток напали ↩ http://snob.ru/selected/entry/73131 «Сноб», 06.03.2014")
    assert cites("По данным «Мемориала», в России 46 политзаключенных.")
    assert not cites("Two activists were attacked with green dye at a café in Nizhny Novgorod.")
    assert cites("On 7 January 2025, United Nations agencies reported that gang violence had resulted in 5,601 deaths.")
    from rag.answering.notes import asks_citation

    # only a question naming the citing itself is held to it: an outlet or a platform may be what a statement is about
    assert asks_citation("Which publication does the report cite for the attack?") and asks_citation("На какой источник ссылается ОВД-Инфо?")
    assert not asks_citation("What platform was Setanta Sports planning on launching on?")
    assert not asks_citation("Gandhi often referenced Shelley's poem in his efforts to do what?")

    pipeline = make_pipeline()
    make_pdf(
        pipeline.settings.corpus_dir / "attacks.pdf",
        ["Attacks on activists. In March 2014 two activists were attacked with green dye at a café in Nizhny Novgorod. "
         "Police officers of the local anti-extremism centre stood by and did nothing to stop the attackers."],
    )
    pipeline.index()
    answer = pipeline.ask("Which publication does the report cite for the green dye attack on two activists in Nizhny Novgorod?")
    assert answer.abstained and answer.answer == say("no_source", "en"), answer.answer
    assert answer.nearest and "green dye" in answer.nearest[0].quote  # the passage that tells it, shown for the reader


def test_asked_for_its_source_an_uncited_sentence_is_joined_by_the_reference_near_the_cut():
    body = chunk("В Чечне в 2014 году возбудили дело против правозащитника Руслана Кутаева по статье о наркотиках.", 0, 0, page=14)
    note = chunk("36. За что осудили Руслана Кутаева ↩\nhttp://www.pytkam.net/4067\nКомитет против пыток, 08.07.2014", 9, 5000, page=25)
    passages = [Passage(body, 1.0, None, None), Passage(note, 0.9, None, None)]
    settings = Settings(abstain_threshold=1.2, answer_sentences=1)
    question = "На какой источник ссылается доклад, сообщая о деле против правозащитника Руслана Кутаева в Чечне?"
    answer = extractive_answer(question, np.asarray(UNIT), passages, SameVectors(), settings, page=lambda s, p: [])
    assert not answer.abstained and "Комитет против пыток" in answer.answer, answer.answer
    assert [c.page for c in answer.citations] == [14, 25]  # the sentence first, then the reference

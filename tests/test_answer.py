"""Cited extractive answers: quotes are verbatim, markers match citations, weak evidence abstains."""

from __future__ import annotations

import re

import pytest

from rag.answering.extractive import EMPTY_INDEX, NOT_ANSWERED, choose, compose
from rag.ingest.loaders import load_file
from rag.types import Citation
from tests.conftest import SEED
from tests.helpers import UNIT, SameVectors, indexed, write

COUNTRIES = ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan")
QUESTIONS = [
    "Which countries does the Amnesty report cover?",
    "Who is Denis Krivosheev?",
    "What did Russia say about gay rights?",
    "Which countries amended their constitutions to ban same-sex marriage?",
    "When was the report published?",
    "What role did Russian media play?",
    "What law is in force in Belarus?",
    "How do mainstream human rights organizations treat LGBTI activists?",
    "Is the attitude towards LGBTI people getting worse?",
    "What is the title of the report?",
]


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def test_seed_question_is_answered_with_the_four_countries(seed_pipeline):
    answer = seed_pipeline.ask("Which countries does the Amnesty report cover?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.n == 1 and first.source == SEED.name
    assert answer.answer.startswith(" ".join(first.quote.split()) + " [1]")  # shown reflowed, one quote per line
    naming = [c for c in answer.citations if all(country in c.quote for country in COUNTRIES)]
    assert naming and naming[0].source == SEED.name
    assert f"{' '.join(naming[0].quote.split())} [{naming[0].n}]" in answer.answer.split("\n")


@pytest.mark.parametrize("question", ["Who won the 2018 football World Cup?", "What is the capital of Australia?"])
def test_off_topic_questions_abstain_with_nearest_passages(seed_pipeline, question):
    answer = seed_pipeline.ask(question)
    assert answer.abstained and answer.answer == NOT_ANSWERED
    assert answer.citations == [] and answer.nearest
    assert all(c.n is None and c.source == SEED.name for c in answer.nearest)


def test_every_quote_and_passage_is_verbatim_and_markers_match(seed_pipeline):
    pages = {(d.metadata["page"]): d.page_content for d in load_file(SEED, SEED.parent, 1 << 20)}
    for question in QUESTIONS:
        answer = seed_pipeline.ask(question)
        for citation in answer.citations + answer.nearest:
            assert citation.text[citation.quote_start : citation.quote_end] == citation.quote
            chunk = seed_pipeline.store.get([citation.chunk_id])[0]
            assert pages[citation.page][chunk.start : chunk.end] == citation.text
        numbers = [c.n for c in answer.citations]
        assert numbers == list(range(1, len(numbers) + 1))
        assert sorted(set(markers(answer.answer))) == numbers
        assert len(markers(answer.answer)) == len(numbers), "each citation is used exactly once"


def test_followup_uses_the_previous_question(seed_pipeline):
    history = [{"role": "user", "content": "Which countries does the Amnesty report cover?"}, {"role": "assistant", "content": "..."}]
    answer = seed_pipeline.ask("and which of them banned same-sex marriage?", history=history)
    assert not answer.abstained
    assert any("Armenia and Kyrgyzstan" in c.quote and "same-sex marriages" in c.quote for c in answer.citations)
    assert answer.resolved_question.startswith("and which of them banned same-sex marriage? (")


def test_a_followup_answers_what_it_asks_not_the_last_answer_again(seed_pipeline):
    first = seed_pipeline.ask("Which countries does the Amnesty report cover?")
    history = [("Which countries does the Amnesty report cover?", first.answer)]
    followup = seed_pipeline.ask("And which of them amended their constitutions?", history=history)
    assert not followup.abstained
    assert "amended their constitutions" in followup.citations[0].quote
    assert followup.citations[0].quote != first.citations[0].quote
    alone = seed_pipeline.ask("Which journalists were sentenced?", history=history)
    assert alone.resolved_question == "Which journalists were sentenced?"


def test_empty_index_abstains_with_instructions(make_pipeline):
    answer = make_pipeline().ask("What does the report say?")
    assert answer.abstained and answer.answer == EMPTY_INDEX and answer.nearest == []


def test_source_filter_restricts_citations(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "east/a.txt", "Report A.\n\nThe prison in Minsk held 40 journalists in 2021.")
    write(pipeline.settings.corpus_dir, "west/b.txt", "Report B.\n\nThe prison in Lviv held 12 journalists in 2021.")
    pipeline.index()
    answer = pipeline.ask("How many journalists did the prison hold?", sources=["west"])
    assert {c.source for c in answer.citations + answer.nearest} == {"west/b.txt"}
    assert pipeline.ask("How many journalists did the prison hold?", sources=["a.txt"]).citations[0].source == "east/a.txt"


def test_deleted_document_leaves_keyword_results(make_pipeline):
    pipeline = make_pipeline()
    path = write(pipeline.settings.corpus_dir, "a.txt", "Report.\n\nThe Zubrovka commission met in 2019.")
    write(pipeline.settings.corpus_dir, "b.txt", "Other report.\n\nNothing about commissions here.")
    pipeline.index()
    assert pipeline.search("Zubrovka", k=1, mode="keyword")[0].chunk.source == "a.txt"
    path.unlink()
    pipeline.index()
    assert pipeline.search("Zubrovka", k=5, mode="keyword") == []


def test_hybrid_beats_dense_on_names_and_numbers(make_pipeline):
    pipeline = make_pipeline()
    cases = [(f"{40000 + i * 1373}", city) for i, city in enumerate(
        ["Minsk", "Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Orsha", "Lida", "Borisov", "Baranovichi", "Polotsk"]
    )]
    for number, city in cases:
        write(
            pipeline.settings.corpus_dir,
            f"case-{number}.txt",
            f"Case file.\n\nThe court in {city} heard case number {number} concerning the detention of a blogger. "
            "The hearing was closed to the public and observers were not admitted.",
        )
    pipeline.index()
    hits = {"hybrid": 0, "dense": 0}
    for number, _ in cases:
        for mode in hits:
            top = pipeline.search(f"What happened in case {number}?", k=1, mode=mode)[0]
            hits[mode] += top.chunk.source == f"case-{number}.txt"
    assert hits["hybrid"] == len(cases)
    assert hits["dense"] < hits["hybrid"]


def test_choose_skips_repeats_and_respects_threshold_and_margin():
    from rag.answering.extractive import ScoredSentence

    def sentence(score: float, words: str, evidence: float | None = None) -> ScoredSentence:
        return ScoredSentence(passage=None, start=0, end=0, score=score, evidence=score if evidence is None else evidence,
                         tokens=frozenset(words.split()))

    ranked = [sentence(0.9, "a b c"), sentence(0.85, "a b c"), sentence(0.8, "d e f"), sentence(0.7, "g h i")]
    assert [s.score for s in choose(ranked, threshold=0.5, most=3)] == [0.9, 0.8]
    assert choose(ranked, threshold=0.95, most=3) == []
    assert [s.score for s in choose(ranked, threshold=0.5, most=1)] == [0.9]
    # The evidence, not the rank, decides what may be quoted: a top-ranked sentence without it is passed over.
    weak_first = [sentence(0.9, "a b c", evidence=0.4), sentence(0.85, "d e f", evidence=1.2), sentence(0.6, "g h i", evidence=1.3)]
    assert [s.score for s in choose(weak_first, threshold=0.5, most=3)] == [0.85]


def test_compose_numbers_citations_in_order(seed_pipeline):
    answer = seed_pipeline.ask("Which countries amended their constitutions to ban same-sex marriage?")
    rebuilt = compose(answer.question, [])
    assert rebuilt.answer == "" and rebuilt.citations == []
    assert all(isinstance(c, Citation) for c in answer.citations)


RUSSIAN_REPORT = (
    "Правозащитный центр зафиксировал рост числа задержаний на мирных акциях в 2014 году. "
    "Большинство задержанных были отпущены без составления протокола. "
    "Суды назначали штрафы и обязательные работы за участие в собраниях.\n"
)


def test_an_abstention_under_a_one_language_model_names_the_other_language_and_the_way_out(make_pipeline):
    pipeline = indexed(make_pipeline, **{"ru.txt": RUSSIAN_REPORT})
    assert pipeline.keywords().scripts()["cyrillic"] > 0.9
    answer = pipeline.ask("How many people were detained at peaceful protests?")
    assert answer.abstained
    assert "No indexed report is in English" in answer.answer and "RAG_EMBED_MODEL=multilingual-e5-small" in answer.answer
    write(pipeline.settings.corpus_dir, "en.txt", "The lighthouse keeper painted the tower white every spring.\n")
    pipeline.index()
    mixed = pipeline.ask("How many people were detained at peaceful protests?")
    assert mixed.abstained and "Some indexed reports are in Russian" in mixed.answer
    russian = pipeline.ask("Сколько стоит билет на самолёт до Владивостока?")  # said in the question's language
    assert russian.abstained and russian.answer.startswith("В проиндексированных докладах, по-видимому, нет ответа")
    assert "Часть проиндексированных докладов написана на английском" in russian.answer and "RAG_EMBED_MODEL=" in russian.answer
    # status says the same of the whole corpus: which languages it holds, and that the model reads one at a time
    status = pipeline.status()
    assert set(status["languages"]) == {"English", "Russian"} and not status["reads_across_languages"]
    assert "The reports are in" in status["language_advice"] and "RAG_EMBED_MODEL=multilingual-e5-small" in status["language_advice"]



def test_the_sentence_with_the_questions_rare_exact_token_ranks_first():
    """Cosines equal, the ranking's word overlap decides: counted by rarity, the one rare exact token outweighs the
    common words the other sentence shares with the question."""
    import numpy as np

    from rag.answering.extractive import score_sentences
    from rag.config import Settings
    from rag.text import sentence_spans
    from rag.types import Chunk, Passage

    text = "The report mentions what the articles of the Criminal Code meant. Article 354.1: rehabilitation of Nazism."
    chunk = Chunk("c1", text, "a.txt", "a", None, 0, len(text), "x", 0, sentence_spans(text))

    question = "What does article 354.1 of the Criminal Code mentioned in the report mean?"
    rarity = {"354.1": 6.0}

    def ranked(weights):
        scored = score_sentences(question, np.asarray(UNIT), [Passage(chunk, 1.0, None, None)], SameVectors(), Settings(), rarity=weights)
        return [text[s.start : s.end].split()[0] for s in scored]

    assert ranked(None) == ["The", "Article"]  # by the count of shared words
    assert ranked(lambda tokens: {t: rarity.get(t, 0.5) for t in tokens}) == ["Article", "The"]


def test_the_sentence_stating_the_period_asked_about_does_not_outrank_the_one_answering():
    """The period is a constraint of its own: its words count in neither score, so the report's opening sentence,
    which states its period, does not win over the sentence with what was asked."""
    import numpy as np

    from rag.answering.extractive import score_sentences
    from rag.config import Settings
    from rag.text import sentence_spans
    from rag.types import Chunk, Passage

    text = "The report covers the mission between 16 January and 31 March 2025. The troop strength of the mission stood at 13,888."
    chunk = Chunk("c1", text, "a.txt", "a", None, 0, len(text), "x", 0, sentence_spans(text))

    question = "What was the mission's troop strength between 16 January and 31 March 2025?"
    scored = score_sentences(question, np.asarray(UNIT), [Passage(chunk, 1.0, None, None)], SameVectors(), Settings())
    assert text[scored[0].start : scored[0].end].startswith("The troop strength")
    assert scored[0].evidence > scored[1].evidence


def test_a_definition_question_quotes_the_defining_unit_before_a_title_that_only_names_the_term():
    from rag.answering.extractive import ScoredSentence, preferred
    from rag.types import Chunk, Passage

    text = "Conflict-related sexual violence\nReport of the Secretary-General. The term “conflict-related sexual violence” refers to rape."
    chunk = Chunk("c1", text, "a.txt", "a", 1, 0, len(text), "x", 0, [])
    cut = text.index("The term")
    title = ScoredSentence(Passage(chunk, 1.0, None, None), 0, cut - 1, 1.2, 1.5, frozenset())
    definition = ScoredSentence(Passage(chunk, 1.0, None, None), cut, len(text), 1.0, 1.4, frozenset())
    assert preferred([title, definition], "definition") == [definition]
    assert preferred([title, definition], None) == [title, definition]
    assert preferred([title], "definition") == [title]  # nothing defines: every unit stays

    # a unit defining the very term asked about comes first and may be quoted whatever its evidence
    glossary = "“Elvers” are young eels. “Grave violations” are six kinds of violations against children."
    gchunk = Chunk("c2", glossary, "a.txt", "a", 1, 0, len(glossary), "x", 0, [])
    cut = glossary.index("“Grave")

    def unit(start: int, end: int, score: float, evidence: float) -> ScoredSentence:
        from rag.text import tokenize

        return ScoredSentence(Passage(gchunk, 1.0, None, None), start, end, score, evidence, frozenset(tokenize(glossary[start:end])))

    elvers, grave = unit(0, cut - 1, 0.9, 0.8), unit(cut, len(glossary), 1.1, 1.3)
    first = preferred([grave, elvers], "definition", "elvers", threshold=1.2)
    assert [u.start for u in first] == [0, cut] and first[0].evidence == 1.2


def test_a_definition_question_is_still_answered_when_no_defining_unit_has_the_evidence():
    import numpy as np

    from rag.answering.extractive import extractive_answer
    from rag.config import Settings
    from rag.text import sentence_spans
    from rag.types import Chunk, Passage

    text = "The report on sexual violence in conflict was written by the mission. The word “it” means nothing here."
    chunk = Chunk("c1", text, "a.txt", "a", None, 0, len(text), "x", 0, sentence_spans(text))

    settings = Settings(abstain_threshold=1.5)
    answer = extractive_answer(
        "How does the report define sexual violence in conflict?", np.asarray(UNIT), [Passage(chunk, 1.0, None, None)], SameVectors(), settings
    )
    assert not answer.abstained and answer.citations[0].quote.startswith("The report on sexual violence")


def test_a_name_the_reports_never_write_is_not_answered_about(make_pipeline):
    pipeline = make_pipeline()
    write(
        pipeline.settings.corpus_dir,
        "monitoring.txt",
        "Monitoring report\n\nThe National Union of Election Observers (NUEO) counted long-standing irregularities in 14 districts. "
        "Article 212.1 of the Code was used against 30 observers. Figure 2 shows the districts.",
    )
    pipeline.index()
    for question, name in [
        ("How many observers were charged under article 999.9?", "999.9"),
        ("What does Figure 7 show?", "Figure 7"),
    ]:
        answer = pipeline.ask(question)
        assert answer.abstained and f"“{name}”" in answer.answer, question
    # an acronym is no such name: questions abbreviate what reports write in full, and misspell acronyms
    for question in ["What does NUEO stand for?", "How many observers were charged under article 212.1?", "What does Figure 2 show?",
                     "How many districts did the NUEOB count?"]:
        assert not pipeline.ask(question).abstained, question
    # a quantity is no name: "more than 25" is answered by the 30 the report gives
    assert not pipeline.ask("Were more than 25 observers charged under article 212.1?").abstained


def test_a_row_of_bare_figures_gets_no_cross_language_bonus_and_a_links_words_are_no_evidence():
    """The multilingual model's bonus is for a sentence written in the other alphabet, not for one with no letters (a
    table row "85 101 44 13 8" would otherwise answer any Russian question); and the words of a note's web address
    ("www.unicef.org/…-haiti-children") are not words the report states, so they do not count as shared."""
    import numpy as np

    from rag.answering.extractive import score_sentences
    from rag.config import Settings
    from rag.text import sentence_spans
    from rag.types import Chunk, Passage

    def evidence(question: str, text: str, settings: Settings) -> dict[str, float]:
        chunk = Chunk("c1", text, "a.txt", "a", None, 0, len(text), "x", 0, sentence_spans(text))
        scored = score_sentences(question, np.asarray(UNIT), [Passage(chunk, 1.0, None, None)], SameVectors(), settings)
        return {text[s.start : s.end]: s.evidence for s in scored}

    bonus = Settings(cross_language_bonus=0.4)
    found = evidence("Сколько приговоров вынесено?", "Sentences were handed down.\n85 101 44 13 8", bonus)
    assert found["Sentences were handed down."] - found["85 101 44 13 8"] == pytest.approx(0.4)

    note = "35 See www.unicef.org/press-releases/children-displaced-haiti-violence."
    plain = "35 See the press release on children displaced in Haiti by violence."
    found = evidence("How many children were displaced in Haiti by violence?", f"{note}\n\n{plain}", Settings())
    assert found[note] < found[plain] - 0.4


def test_a_documents_passages_in_reading_order_are_read_by_their_ids(make_pipeline, monkeypatch):
    """The opening a period is read from, and the text around a passage, come from the chunks' ids the bookkeeping keeps
    in reading order (a keyed read), not from a metadata filter over the store, which scans it: seconds per document at
    a million chunks, for every document an answer checks. Should the recorded order ever disagree, the filter decides."""
    paragraphs = "\n\n".join(f"Paragraph {i} says that the monitoring of the region went on in month {i}." * 6 for i in range(12))
    pipeline = indexed(make_pipeline, **{"long.txt": paragraphs, "other.txt": "A short note."})
    expected = pipeline.store.around("long.txt", 2, 4)
    assert [c.ord for c in expected] == [2, 3, 4]

    def no_filter(*args):
        raise AssertionError("the store's metadata filter was used")

    with monkeypatch.context() as patched:
        patched.setattr(pipeline.store, "around", no_filter)
        assert [c.id for c in pipeline.document_chunks("long.txt", 2, 4)] == [c.id for c in expected]
        assert [c.ord for c in pipeline.document_chunks("long.txt", -3, 1)] == [0, 1]
        assert pipeline.document_chunks("missing.txt", 0, 2) == []
        assert "Paragraph 0" in pipeline.opening(expected[0])
    monkeypatch.setattr(pipeline.records, "chunk_ids_in_order", lambda source: sorted(pipeline.records.chunk_ids(source)))
    assert [c.id for c in pipeline.document_chunks("long.txt", 2, 4)] == [c.id for c in expected]  # order lost: the filter


def test_items_of_one_list_are_quoted_as_the_list_under_its_head(make_pipeline):
    from tests.helpers import indexed

    annex = (
        "Annex\n\nList of parties credibly suspected of committing patterns of sexual violence\n\n"
        "Parties in Freedonia\n1.\nNon-State actors\n(a) Alliance of Patriots for a Free Freedonia;\n(b) Mai-Mai Kifuafua;\n"
        "(c) Lord's Resistance Army;\n(d) Mai-Mai Yakutumba;\n(e) Twa militias.\n\n"
        "Parties in Sylvania\n1.\nNon-State actors\n(a) Sylvanian Liberation Front;\n(b) Northern Brigades.\n"
    )
    pipeline = indexed(make_pipeline, **{"annex.txt": annex})
    answer = pipeline.ask("Which Mai-Mai groups are among the non-State actors listed for Freedonia?")
    assert not answer.abstained and "Mai-Mai Kifuafua" in answer.answer and "Mai-Mai Yakutumba" in answer.answer, answer.answer
    quoted = [c for c in answer.citations if "Kifuafua" in c.quote]
    assert quoted and "Yakutumba" in quoted[0].quote and "Non-State actors" in quoted[0].quote  # one quote: the list, headed
    assert "Sylvanian" not in answer.answer

"""Page text cleaning: characters, words broken at line ends, bullets, running headers and footers."""

from __future__ import annotations

import pytest

from rag.ingest.cleaning import (
    clean_pages,
    is_broken_word,
    join_line_break_hyphens,
    normalise_bullets,
    normalise_characters,
    page_number_offset,
    running_lines,
    strip_running_lines,
    vocabulary,
)
from rag.text import sentence_spans


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\ufeffThe\u00a0report\u200b was pub\u00adlished.", "The report was published."),
        ("Задержано\u00a0300\u202fчеловек, ОВД\u2060Инфо\u200d.", "Задержано 300 человек, ОВДИнфо."),
        ("Years 2011\u00ad2014 and 2009\u00ad2013.", "Years 2011-2014 and 2009-2013."),
        ("line one\r\nline two\rline three\x00\x07", "line one\nline two\nline three"),
        ("\ufb01nancial \ufb02ows, e\ufb00ective; ＵＮ２０２４", "financial flows, effective; UN2024"),
        ("10 km² in ½ of district № 5, see note¹", "10 km² in ½ of district № 5, see note¹"),
        ("Cafe\u0301 in Pe\u0301tion-Ville", "Café in Pétion-Ville"),
    ],
)
def test_normalise_characters(raw, clean):
    assert normalise_characters(raw) == clean


def test_line_break_hyphen_joined_when_the_document_uses_the_joined_word():
    text = "Monitors recorded viola-\ntions of the truce.\nSuch violations recur."
    assert join_line_break_hyphens(text, vocabulary([text])) == "Monitors recorded violations of the truce.\nSuch violations recur."


def test_line_break_hyphen_kept_for_a_compound_the_document_writes_with_a_hyphen():
    text = "Cases of conflict-\nrelated violence.\nAll conflict-related cases."
    assert join_line_break_hyphens(text, vocabulary([text])) == "Cases of conflict-related violence.\nAll conflict-related cases."


@pytest.mark.parametrize(
    ("text", "mended"),
    [
        ("he was inter-\nviewed twice", "he was interviewed twice"),  # no evidence: "viewed" is no word of its own here
        ("in the Secretary-\nGeneral's report", "in the Secretary-General's report"),
        ("between 2011-\n2014 and later", "between 2011-2014 and later"),
        ("see https://example.org/news/some-\npage-title/ for more", "see https://example.org/news/some-page-title/ for more"),
        ("her mother-in-\nlaw said", "her mother-in-law said"),
        ("a non-discrimi-\nnatory rule", "a non-discriminatory rule"),
        ("общест-\nвенных организаций", "общественных организаций"),
        ("какого-\nлибо повода, либо иначе", "какого-либо повода, либо иначе"),
        ("en\ufffecompassing all rights", "encompassing all rights"),
        ("troop\ufffeand police-contributing and troop numbers", "troop-and police-contributing and troop numbers"),
    ],
)
def test_line_break_hyphens_in_context(text, mended):
    assert join_line_break_hyphens(text, vocabulary([text])) == mended


def test_broken_word_judged_by_what_the_document_writes_more_often():
    words = vocabulary(["co-operation and co-operation but cooperation once"])
    assert not is_broken_word("co", "operation", words)
    assert is_broken_word("coop", "eration", vocabulary(["cooperation"]))
    assert not is_broken_word("Secretary", "General", words)


def test_bullet_glyphs_become_list_items_the_sentence_splitter_sees():
    text = "Key rights:\n•\tRight to work\n\uf0b7 Right to health\n☐ To vote\n▪To rest\n•\nTo food\n- a dash stays\nA • stays"
    cleaned = normalise_bullets(text)
    assert cleaned == "Key rights:\n• Right to work\n• Right to health\n• To vote\n• To rest\n• To food\n- a dash stays\nA • stays"
    assert [cleaned[s:e] for s, e in sentence_spans(cleaned)][:3] == ["Key rights:", "• Right to work", "• Right to health"]


def report_pages(bodies: list[str]) -> list[str]:
    return [f"Annual Report 2024\nS/2025/504\n{body}\nPage {n} of {len(bodies)}" for n, body in enumerate(bodies, start=1)]


BODIES = [
    "The mission visited Juba.\nIt met officials.\nIt met lawyers.",
    "The mission visited Juba.\nWitnesses spoke of raids.\nSome fled.",
    "Detention conditions were poor.\nCells were crowded.\nFood was scarce.",
    "Trials were held in camera.\nLawyers were barred.\nVerdicts came fast.",
    "Recommendations follow.\nRelease the detainees.\nOpen the courts.",
]


def test_running_header_and_footer_removed_and_a_line_repeated_twice_kept():
    assert running_lines(report_pages(BODIES)) == {"annual report #", "s/#/#", "page # of #"}
    assert strip_running_lines(report_pages(BODIES)) == BODIES


def test_a_line_needs_three_pages_and_forty_percent_of_them():
    bodies = [f"Finding {w}.\nDetail {w}.\nEnd {w}." for w in "abcdefghij"]
    pages = [f"Header of the report\n{body}" if n < 3 else body for n, body in enumerate(bodies)]
    assert running_lines(pages) == set()  # 3 of 10 pages: not 40 %
    assert running_lines(pages[:7]) == {"header of the report"}  # 3 of 7


def test_a_line_repeated_in_the_middle_of_every_page_is_body_text():
    pages = [f"First {w}.\nSecond {w}.\nThird {w}.\nSee annex.\nFourth {w}.\nFifth {w}.\nSixth {w}." for w in "abcde"]
    assert strip_running_lines(pages) == pages


def test_lone_page_numbers_dropped_only_when_they_count_the_pages():
    pages = [f"{n + 4}\n{body}\n1" for n, body in enumerate(BODIES, start=1)]  # printed 5..9; footnote "1" on each
    assert page_number_offset(pages) == 4
    assert strip_running_lines(pages) == [f"{body}\n1" for body in BODIES]


def test_lone_numbers_that_do_not_follow_the_pages_stay():
    pages = [f"{body}\n2024" for body in BODIES]
    assert page_number_offset(pages) is None
    assert strip_running_lines(pages) == pages


def test_clean_pages_runs_every_step_and_leaves_a_single_text_its_lines():
    pages = clean_pages(report_pages(["Viola-\ntions\u00a0were found.", "More violations.", "• None\u00adtheless."]))
    assert pages == ["Violations were found.", "More violations.", "• Nonetheless."]
    assert clean_pages(["Annual Report 2024\nBody."]) == ["Annual Report 2024\nBody."]

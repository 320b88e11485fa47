"""Sentence spans for English and Russian text."""

from __future__ import annotations

from rag.text import is_lead_in, is_list_item, is_table_row, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_english_sentences_and_abbreviations():
    text = "Mr. Smith met Dr. Jones on 5 Dec. 2016. They spoke for an hour! Did it help? Nobody knows."
    assert sentences(text) == ["Mr. Smith met Dr. Jones on 5 Dec. 2016.", "They spoke for an hour!", "Did it help?", "Nobody knows."]


def test_russian_sentences():
    text = "В 2016 г. закон вступил в силу. «Это опасно», — сказал он. Армения и Кыргызстан изменили конституции."
    assert sentences(text) == [
        "В 2016 г. закон вступил в силу.",
        "«Это опасно», — сказал он.",
        "Армения и Кыргызстан изменили конституции.",
    ]
    # a year's abbreviation ends its sentence before a capital; a town's does not
    assert sentences("Решения судов: 2009–2013 гг. Кроме того, закон изменен. Он жил в г. Москва.") == [
        "Решения судов: 2009–2013 гг.",
        "Кроме того, закон изменен.",
        "Он жил в г. Москва.",
    ]


def test_paragraphs_and_lists_split_but_wrapped_lines_do_not():
    text = "Heading\n\nA sentence that wraps\nonto a second line. Next one.\n- first item\n- second item"
    assert sentences(text) == [
        "Heading",
        "A sentence that wraps\nonto a second line.",
        "Next one.",
        "- first item",
        "- second item",
    ]


def test_quotes_close_sentences_and_offsets_shift():
    text = "He said “stop.” Then he left."
    assert sentences(text) == ["He said “stop.”", "Then he left."]
    assert sentence_spans("Ab. Cd.", offset=10) == [(10, 13), (14, 17)]


def test_run_on_text_is_cut_at_spaces():
    text = " ".join(["word"] * 400)
    spans = sentence_spans(text)
    assert len(spans) == 4
    assert all(e - s <= 600 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_table_rows_and_lettered_items_are_units_of_their_own():
    text = ("Приговоры по статье 318 за 2013 год\n212.1 УК 600 1000 480 5 лет\n318 УК 2218 15 30\nИсточник: суды.\n"
            "The grounds are:\n(a) race or colour;\n(b) religion.\nA wrapped line in 2014 ends\nhere.")
    assert sentences(text) == [
        "Приговоры по статье 318 за 2013 год",
        "212.1 УК 600 1000 480 5 лет",
        "318 УК 2218 15 30",
        "Источник: суды.",
        "The grounds are:",
        "(a) race or colour;",
        "(b) religion.",
        "A wrapped line in 2014 ends\nhere.",
    ]
    assert [is_list_item(s) for s in ("(a) race", "• item", "iv) x", "(iv) x", "12. point", "2014 was")] == [True, True, False, True, True, False]
    assert (is_lead_in("The grounds are:"), is_lead_in("It ended.")) == (True, False)
    assert (is_table_row("212.1 УК 600 1000 480 5 лет"), is_table_row("In 2014 the court heard 37 cases of fraud")) == (True, False)


def test_a_note_of_a_web_printed_report_ends_at_its_back_link_arrow_with_its_address():
    notes = (
        "Статья 282.1 УК РФ: Организация экстремистского сообщества. ↩\n"
        "Статья 354.1 УК РФ: Реабилитация нацизма. ↩\n"
        "Титушки в России ↩\nhttp://slon.ru/russia/izbitye_aktivisty.xhtml\n«Slon.ru», 19.06.2014"
    )
    assert [notes[s:e] for s, e in sentence_spans(notes)] == [
        "Статья 282.1 УК РФ: Организация экстремистского сообщества. ↩",
        "Статья 354.1 УК РФ: Реабилитация нацизма. ↩",
        "Титушки в России ↩\nhttp://slon.ru/russia/izbitye_aktivisty.xhtml\n«Slon.ru», 19.06.2014",  # the address is the note's
    ]


def test_the_rule_above_a_pages_footnotes_ends_the_body_text():
    page = "the Police did not deploy until hours after the attack By \n__________________\n3 The new wave was launched in October."
    assert [page[s:e] for s, e in sentence_spans(page)] == [
        "the Police did not deploy until hours after the attack By",
        "3 The new wave was launched in October.",
    ]


def test_a_footnote_the_page_marks_ends_the_body_sentence_it_interrupts():
    page = (
        "until 2006 the Commission on Human Rights3 drafted it.\n"
        "The drafting had started immediately after \n"
        "3 The Commission has since been replaced by the Council, which meets three \ntimes a year.\n"
        "In 2024 there were\n12 Members present."  # no mark 12 on the page: a figure, not a note
    )
    assert [page[s:e] for s, e in sentence_spans(page)] == [
        "until 2006 the Commission on Human Rights3 drafted it.",
        "The drafting had started immediately after",
        "3 The Commission has since been replaced by the Council, which meets three \ntimes a year.",
        "In 2024 there were\n12 Members present.",
    ]


def test_a_note_mark_glued_to_a_full_stop_ends_the_sentence_and_stays_with_it():
    """PDF readers write a superscript note mark as plain digits after the full stop ("relocated.116 The …"): the
    sentence ends after the mark, so a quote is one sentence, not a run of four. A decimal is no end."""
    text = (
        "Nearly 30% of the staff left the country or relocated.116 The rising number of IDPs adds to it.\n"
        "UNICEF reported a 1000% increase compared to 2023.112 During its mission, the Panel met survivors."
        " See Annex 3.2 The table follows."
    )
    assert sentences(text) == [
        "Nearly 30% of the staff left the country or relocated.116",
        "The rising number of IDPs adds to it.",
        "UNICEF reported a 1000% increase compared to 2023.112",
        "During its mission, the Panel met survivors.",
        "See Annex 3.2 The table follows.",
    ]


def test_a_table_rows_label_ending_in_an_abbreviation_keeps_its_figures():
    assert sentences("лишение свободы свыше 5\nдо 8 лет вкл. 85 101 44 13 8") == ["лишение свободы свыше 5", "до 8 лет вкл. 85 101 44 13 8"]
    assert sentences("Staff incl. 12 drivers left.") == ["Staff incl. 12 drivers left."]


def test_a_date_wrapped_onto_its_own_line_is_no_table_row():
    text = "The report covers the Mission between 16 January 2025 and \n31 March 2025.\nIn total:\n27 September 2024 vessel 112"
    assert sentences(text) == [
        "The report covers the Mission between 16 January 2025 and \n31 March 2025.",
        "In total:",
        "27 September 2024 vessel 112",
    ]
    assert not is_table_row("31 March 2025.") and not is_table_row("15 июля 2025 года.")
    assert is_table_row("27 September 2024") and is_table_row("27 September 2024 vessel 112")  # a table's date cell


def test_a_figure_ending_its_line_after_a_full_stop_closes_the_sentence_before_it():
    """A table row whose description ends in a full stop has its figure after the stop, at the line's end ("… Turks
    and Caicos Islands. 181"): the figure is the row's, not the first word of the next row (whose date follows)."""
    text = (
        "27 September 2024\nInterdiction of a Haitian vessel south of Turks and Caicos \nIslands. 182\n"
        "12 October \n2024 Interdiction of a Haitian sailboat south of Turks and Caicos Islands. 181\n"
        "10 February \n2025\nRepatriation of 132 Haitians to Cap-Haitien. 132\nIn 2024 the figure rose. 2025 saw a fall."
    )
    assert "12 October \n2024 Interdiction of a Haitian sailboat south of Turks and Caicos Islands. 181" in sentences(text)
    assert "Interdiction of a Haitian vessel south of Turks and Caicos \nIslands. 182" in sentences(text)
    assert sentences(text)[-2:] == ["In 2024 the figure rose.", "2025 saw a fall."]  # a figure going on in its line opens a sentence

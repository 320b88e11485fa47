"""Sentence spans for English and Russian text."""

from __future__ import annotations

from rag.text import sentence_spans


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

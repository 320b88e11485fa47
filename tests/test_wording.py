"""The service's own sentences, in the question's language: each in English and Russian, with the same fields."""

from __future__ import annotations

import string

from rag.answering.wording import _TEXTS, every, kind, language, listed, say


def test_every_sentence_has_both_languages_with_the_same_fields():
    fields = string.Formatter()
    for key, (english, russian) in _TEXTS.items():
        assert english and russian and english != russian, key
        assert {f for _, f, _, _ in fields.parse(english) if f} == {f for _, f, _, _ in fields.parse(russian) if f}, key


def test_the_language_is_the_questions_script():
    assert language("Сколько человек задержали в Москве в 2014 году?") == "ru"
    assert language("How many people were detained in 2014?") == "en"
    assert language("Когда группа Cannibal Corpse должна была выступить?") == "ru"  # a Latin name in a Russian question
    assert say("not_answered", "ru") == every("not_answered")[1] and say("not_answered") == every("not_answered")[0]


def test_lists_and_kinds_read_naturally_in_both_languages():
    assert listed([2022, 2023, 2024]) == "2022, 2023 and 2024" and listed([2022, 2023, 2024], "ru") == "2022, 2023 и 2024"
    assert listed(range(10)) == "0, 1, 2, …, 8 and 9"
    assert kind("quantity") == "a number" and kind("quantity", "ru") == "числа" and kind(None, "ru") == "того, о чём спрошено"
    assert say("collection", "ru", names="Гаити") == "Поиск шёл только по коллекции Гаити."

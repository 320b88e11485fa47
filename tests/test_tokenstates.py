"""Sentence vectors read in their passage: pooled from the passage's own pass, kept at indexing, used by answers."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

from rag.answering.extractive import SentenceVectors
from rag.models.tokenstates import TorchEncoder, span_vectors
from rag.text import sentence_spans
from rag.types import Chunk
from tests.conftest import SEED
from tests.helpers import write

PASSAGE = (
    "The monitors visited twelve detention centres in March. "
    "Most cells held three times the number of people they were built for. "
    "Lawyers were refused access in nine of the twelve."
)
QUESTION = "Were lawyers refused access to the detention centres?"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_span_vector_is_the_mean_of_the_token_states_inside_it():
    hidden = np.array([[9, 9], [1, 0], [3, 0], [0, 2], [9, 9]], dtype=np.float32)  # [CLS] a b c [SEP]
    offsets = np.array([[0, 0], [0, 1], [2, 3], [4, 5], [0, 0]])
    rows = span_vectors(hidden, offsets, [(0, 3), (4, 5), (6, 9)])
    assert np.allclose(rows[0], [1, 0]) and np.allclose(rows[1], [0, 1])  # mean (2, 0) and (0, 2), made unit
    assert not rows[2].any()  # no token read there: left for the caller to encode alone


def test_passage_vectors_come_with_sentence_vectors_from_the_same_pass(embeddings):
    spans = sentence_spans(PASSAGE)
    vectors, pooled = embeddings.encode_with_sentences([PASSAGE, "A second passage."], [spans, [(0, 17)]])
    assert np.sum(vectors[0] * embeddings.encode([PASSAGE])[0]) > 0.99  # the passage's own vector, as indexed
    assert [p.shape for p in pooled] == [(3, 384), (1, 384)]
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)
    question = embeddings.encode_query(QUESTION)
    assert int(np.argmax(pooled[0] @ question)) == 2  # the sentence that answers it, read in context


def test_a_sentence_past_the_token_window_is_encoded_alone(embeddings):
    tail = "Lawyers were refused access in nine of the twelve centres."
    text = "filler words " * 200 + tail  # the model reads 256 tokens; the tail is beyond them
    start = text.index(tail)
    _, pooled = embeddings.encode_with_sentences([text], [[(0, 12), (start, len(text))]])
    assert np.sum(pooled[0][1] * embeddings.encode([tail])[0]) > 0.97
    assert pooled[0][0].any()


def test_the_torch_runner_pools_like_sentence_transformers(embeddings):
    model = embeddings.model
    own = TorchEncoder(model).encode([PASSAGE, "Short."], batch_size=8)
    theirs = model.encode([PASSAGE, "Short."], normalize_embeddings=True, convert_to_numpy=True)
    assert np.min(np.sum(own * theirs, axis=1)) > 0.9999


def test_indexing_keeps_sentence_vectors_and_drops_them_with_their_text(make_pipeline):
    pipeline = make_pipeline()
    shutil.copy(SEED, pipeline.settings.corpus_dir / SEED.name)
    write(pipeline.settings.corpus_dir, "short.txt", PASSAGE)
    pipeline.index()
    chunks = pipeline.store.get(sorted(pipeline.store.ids()))
    kept = pipeline.records.sentence_vectors(sha(c.text) for c in chunks)
    assert len(kept) == len({c.text for c in chunks})
    assert all(kept[sha(c.text)].shape == (len(c.spans()), 384) for c in chunks)
    fresh = pipeline.embeddings.encode_with_sentences([PASSAGE], [sentence_spans(PASSAGE)])[1][0]
    # the int8 model quantises a batch's activations together, and the kept copy is int8: close, not equal
    assert np.min(np.sum(kept[sha(PASSAGE)] * fresh, axis=1)) > 0.98

    (pipeline.settings.corpus_dir / "short.txt").unlink()
    pipeline.index()
    assert pipeline.records.sentence_vectors([sha(PASSAGE)]) == {}
    pipeline.index(rebuild=True)
    assert len(pipeline.records.sentence_vectors(sha(c.text) for c in chunks if c.source == SEED.name)) > 0


def test_an_answer_reads_kept_vectors_without_a_model_pass(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "visits.txt", PASSAGE)
    pipeline.index()
    expected = pipeline.ask(QUESTION)

    def no_pass(*args):
        raise AssertionError("the sentences were encoded again")

    fresh = make_pipeline()  # the same index, opened afresh: nothing cached
    monkeypatch.setattr(fresh.embeddings, "encode_with_sentences", no_pass)
    monkeypatch.setattr(fresh.sentence_vectors, "__call__", no_pass)
    answer = fresh.ask(QUESTION)
    assert not answer.abstained and answer.answer == expected.answer and "Lawyers were refused access" in answer.citations[0].quote


def test_an_index_without_kept_vectors_pools_them_at_question_time(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "visits.txt", PASSAGE)
    pipeline.index()
    expected = pipeline.ask(QUESTION)
    with pipeline.records._lock:  # an index built before sentence vectors were kept
        pipeline.records._db.execute("DELETE FROM sentence_vectors")
    again = make_pipeline().ask(
        QUESTION
    )
    assert again.answer == expected.answer
    assert again.evidence == pytest.approx(expected.evidence, abs=0.02)


def test_a_model_that_cannot_pool_encodes_each_sentence_alone(embeddings, monkeypatch):
    monkeypatch.setattr(embeddings, "spans_encoder", None)
    chunk = Chunk("c1", PASSAGE, "a.txt", "a", None, 0, len(PASSAGE), "x", 0, sentence_spans(PASSAGE))
    rows = SentenceVectors(embeddings).of_chunks([chunk])[0]
    alone = embeddings.encode([PASSAGE[s:e] for s, e in chunk.spans()])
    assert np.min(np.sum(rows * alone, axis=1)) > 0.97

"""The bundled model wrapper: token counting must be safe beside encoding on another thread."""

from __future__ import annotations

import threading


def test_counting_tokens_on_another_thread_does_not_garble_encoding(embeddings):
    # The indexer counts tokens on its loader thread while the main thread encodes. On one shared fast
    # tokenizer the untruncated count resets the padding state mid-batch (about one batch in ten failed).
    texts = ["word " * n for n in range(5, 120, 3)]
    errors: list[str] = []
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            embeddings.count_tokens("a short text to count " * 5)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        for _ in range(300):
            try:
                embeddings.model.preprocess(texts)  # the tokenising step of encode(), without the model
            except ValueError as exc:
                errors.append(str(exc))
    finally:
        stop.set()
        counter.join()
    assert errors == []
    assert embeddings.count_tokens("word " * 300) == 300  # still the untruncated count


def test_a_model_an_index_records_is_loaded_at_its_first_use_and_must_match(embeddings):
    import pytest

    from rag.errors import ConfigError
    from rag.models.embeddings import DeferredEncoder

    loads = []

    def load():
        loads.append(1)
        return embeddings

    deferred = DeferredEncoder(load, embeddings.name, embeddings.dimension)
    assert (deferred.name, deferred.dimension, deferred.backend) == (embeddings.name, embeddings.dimension, "onnx-int8")
    deferred.count_tokens  # noqa: B018 - a method looked up (as the chunker does) is no use yet
    assert loads == []
    assert deferred.count_tokens("three little words") == embeddings.count_tokens("three little words")
    assert (deferred.encode_query("a question") == embeddings.encode_query("a question")).all() and loads == [1]  # once
    wrong = DeferredEncoder(lambda: embeddings, "another-model", embeddings.dimension)
    with pytest.raises(ConfigError, match="built with another-model"):
        wrong.encode_query("a question")


def test_a_reindex_with_nothing_to_embed_never_loads_the_model(make_pipeline, monkeypatch, embeddings):
    import rag.pipeline
    from rag.pipeline import Pipeline
    from tests.conftest import SEED

    built = make_pipeline()
    (built.settings.corpus_dir / SEED.name).write_bytes(SEED.read_bytes())
    built.index()
    loads = []

    def counted(settings):
        loads.append(settings.embed_model)
        return embeddings

    monkeypatch.setattr(rag.pipeline, "load_embeddings", counted)
    again = Pipeline(built.settings)  # as `python -m rag index` opens it: the model named by the settings
    try:
        assert again.embeddings.name == embeddings.name and again.index().unchanged == 1 and loads == []
        assert again.status()["backend"] == "onnx-int8" and loads == []
        assert not again.ask("Which countries does the Amnesty report cover?").abstained and len(loads) == 1
    finally:
        again.close()

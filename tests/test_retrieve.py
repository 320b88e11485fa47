"""Fusion of the dense and keyword hits: known values by hand, and the setting that picks the method."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answering.retrieve import fuse, fuse_scores
from rag.config import Settings
from rag.errors import ConfigError


def test_score_fusion_weights_cosine_and_scaled_bm25():
    dense = [("a", 0.8), ("b", 0.6), ("c", 0.5)]
    keyword = [("c", 10.0), ("d", 4.0)]
    fused = dict(fuse_scores(dense, keyword, dense_share=0.7))
    assert fused["a"] == pytest.approx(0.56)  # 0.7 x 0.8, no keyword score
    assert fused["c"] == pytest.approx(0.7 * 0.5 + 0.3 * 1.0)  # the best BM25 hit counts fully
    assert fused["d"] == pytest.approx(0.7 * 0.5 + 0.3 * 0.4)  # keyword-only: the lowest cosine the dense side gave
    assert [i for i, _ in fuse_scores(dense, keyword, 0.7)] == ["c", "a", "d", "b"]


def test_score_fusion_with_one_side_empty_keeps_the_other_sides_order():
    assert [i for i, _ in fuse_scores([], [("x", 2.0), ("y", 1.0)], 0.7)] == ["x", "y"]
    assert [i for i, _ in fuse_scores([("x", 0.2), ("y", 0.9)], [], 0.7)] == ["y", "x"]
    assert fuse_scores([], [], 0.7) == []


def test_a_strong_keyword_hit_beats_a_weak_dense_ranking_under_score_fusion_only():
    # The dense side is poor (near-equal cosines, the right chunk last); BM25 is sure of "k".
    dense = [("p", 0.31), ("q", 0.30), ("k", 0.29)]
    keyword = [("k", 12.0), ("p", 1.0)]
    assert fuse_scores(dense, keyword, 0.7)[0][0] == "k"
    assert fuse([["p", "q", "k"], ["k", "p"]], [1.0, 1.0], 60)[0][0] == "p"  # ranks alone: p is 1st and 2nd


def test_rank_fusion_sums_weighted_reciprocal_ranks():
    fused = dict(fuse([["a", "b"], ["b"]], [1.0, 2.0], 10))
    assert fused == {"a": pytest.approx(1 / 11), "b": pytest.approx(1 / 12 + 2 / 11)}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("fusion", "mean", "RAG_FUSION must be 'score' or 'rrf'."),
    ("dense_share", 1.5, "RAG_DENSE_SHARE must be between 0 and 1."),
])
def test_fusion_settings_are_checked(name, value, message):
    with pytest.raises(ConfigError) as info:
        replace(Settings(), **{name: value})
    assert str(info.value) == message


@pytest.mark.parametrize("fusion", ["score", "rrf"])
def test_both_fusions_find_the_seed_passage(seed_pipeline, fusion):
    pipeline = seed_pipeline
    settings = pipeline.settings
    try:
        pipeline.settings = replace(settings, fusion=fusion)
        top = pipeline.search("Which countries banned same-sex marriage in their constitutions?", k=3)
    finally:
        pipeline.settings = settings
    assert any("Armenia" in p.chunk.text and "Kyrgyzstan" in p.chunk.text for p in top)
    assert all(p.dense is not None or p.keyword is not None for p in top)

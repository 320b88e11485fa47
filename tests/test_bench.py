"""The benchmark: its pure helpers exactly, and a CI-sized run of both pipelines for the report's shape (no timings)."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from rag.cli import main
from rag.errors import ConfigError
from rag.lab import bench_jobs as jobs
from rag.lab.bench import parse_scales, scifact_documents, session_sizes
from rag.lab.datasets import RetrievalSet
from tests.conftest import SHARED_EVAL
from tests.helpers import write

SCIFACT = SHARED_EVAL / "scifact"


def test_parse_scales():
    assert parse_scales("5000, 50000,100000") == (5000, 50000, 100000)
    for bad in ("", "5k", "100,0"):
        with pytest.raises(ConfigError, match="--scales"):
            parse_scales(bad)


def test_session_sizes_cap_the_reindex_sizes_at_docs():
    assert session_sizes(200) == [200]
    assert session_sizes(3000) == [1000, 3000]
    assert session_sizes(5000) == [1000, 5000]
    assert session_sizes(8000) == [1000, 5000, 8000]


def test_documents_past_the_real_ones_are_marked_copies():
    data = RetrievalSet(documents={"a": "Title A\nText a.", "b": "Title B\nText b."}, queries={}, qrels={})
    assert scifact_documents(data, 5) == [
        ("a", "Title A\nText a."),
        ("b", "Title B\nText b."),
        ("a-copy1", "[copy 1] Title A\nText a."),
        ("b-copy1", "[copy 1] Title B\nText b."),
        ("a-copy2", "[copy 2] Title A\nText a."),
    ]


def test_changes_add_the_spare_edit_the_first_and_delete_the_second(tmp_path):
    for name in ("1.txt", "2.txt", "3.txt"):
        write(tmp_path, name, f"Document {name}.")
    jobs.apply_change("add", tmp_path, ("0", "The spare document."))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.txt", "1.txt", "2.txt", "3.txt"]
    jobs.apply_change("edit", tmp_path, ("0", "unused"))
    assert (tmp_path / "0.txt").read_text() == "The spare document." + jobs.EDIT
    jobs.apply_change("delete", tmp_path, ("0", "unused"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.txt", "2.txt", "3.txt"]
    with pytest.raises(ValueError, match="rename"):
        jobs.apply_change("rename", tmp_path, ("0", "unused"))


def test_replicas_cover_the_size_exactly():
    assert list(jobs.replicas(3, 7)) == [(0, 3), (1, 3), (2, 1)]
    assert list(jobs.replicas(10, 4)) == [(0, 4)]


def test_noisy_vectors_are_unit_length_near_the_originals_and_reproducible():
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    moved = jobs.noisy(vectors, seed=3)
    cosines = (moved * vectors).sum(axis=1)
    assert moved.dtype == np.float32 and np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    assert 0.8 < cosines.min() and cosines.max() < 0.97
    assert np.array_equal(moved, jobs.noisy(vectors, seed=3)) and not np.array_equal(moved, jobs.noisy(vectors, seed=4))


def test_replica_r_gives_each_chunk_the_vector_of_the_chunk_r_before_it():
    vectors = np.eye(5, 384, dtype=np.float32)
    assert np.array_equal(jobs.replica_vectors(vectors, 0, 3), vectors[:3])  # the real index, untouched
    moved = jobs.replica_vectors(vectors, 2, 4)
    assert moved.shape == (4, 384)
    nearest = (moved @ vectors.T).argmax(axis=1)
    assert nearest.tolist() == [3, 4, 0, 1]  # chunk i holds a vector near chunk i - 2's


def test_latency_summary():
    assert jobs.latency([float(x) for x in range(1, 101)]) == {"queries": 100, "p50_ms": 50.5, "p95_ms": 95.05, "mean_ms": 50.5}


def test_peak_rss_of_a_spawned_child_is_its_own():
    ballast = np.ones(400 * 2**20 // 8)  # 400 MB resident in this (the parent) process
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        child = pool.submit(jobs.peak_rss_mb).result()
    assert ballast.sum() > 0 and child < jobs.peak_rss_mb() - 300


DOCS = 200  # the CI-sized run of the issue: python -m rag bench --docs 200


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.is_dir(), reason=f"SciFact benchmark data not found at {SCIFACT} (see ../shared/eval/README.md)")
def test_ci_sized_run_measures_both_pipelines_on_the_same_documents(capsys):
    code = main(["bench", "--docs", str(DOCS), "--scales", "1000", "--queries", "5", "--data", str(SHARED_EVAL), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(report) == {"command", "machine", "setup", "build", "reindex", "queries", "targets"}

    build = report["build"]
    assert build["ours"]["documents"] == build["baseline"]["documents"] == DOCS
    assert build["ours"]["skipped"] == 0 and build["ours"]["chunks"] > DOCS and build["baseline"]["chunks"] > DOCS
    assert build["ours"]["chunks_embedded"] == build["raw_encode"]["ours"]["chunks"]
    assert build["baseline"]["chunks"] == build["raw_encode"]["baseline"]["chunks"]

    [reindex] = report["reindex"]
    assert reindex["documents"] == DOCS and set(reindex["speedup"]) == {"add", "edit", "delete"}
    for change, documents in (("add", DOCS + 1), ("edit", DOCS + 1), ("delete", DOCS)):
        assert reindex["ours"][change]["documents"] == reindex["baseline"][change]["documents"] == documents
    assert 0 < reindex["ours"]["add"]["chunks_embedded"] < 10 and reindex["ours"]["delete"]["chunks_embedded"] == 0
    assert reindex["baseline"]["add"]["chunks_embedded"] == reindex["baseline"]["add"]["chunks"] > DOCS

    [scale] = report["queries"]
    assert scale["chunks"] == 1000 and scale["synthetic"] is True
    assert scale["ours"]["store"]["chunks"] == scale["ours"]["store"]["keyword_rows"] == scale["baseline"]["store"]["chunks"] == 1000
    for figures in (scale["ours"]["search"], scale["ours"]["ask"], scale["baseline"]["similarity_search"]):
        assert figures["queries"] == 5 and 0 < figures["p50_ms"] <= figures["p95_ms"] and figures["peak_rss_mb"] > 0
    assert scale["ours"]["ask"]["answer_step"]["queries"] == 5 and "search" not in scale["ours"]["ask"]

    assert len(report["targets"]) == 6 and all(isinstance(t["met"], bool) for t in report["targets"])

"""Shared fixtures: the real bundled model (loaded once), and pipelines over corpora made in tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rag.config import Settings
from rag.embeddings import load_embeddings
from rag.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "amnesty-less-than-equal-lgbti-defenders-interfax.txt"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def embeddings():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole test session."""
    return load_embeddings(Settings())


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings whose corpus and index live in this test's tmp_path."""

    def make(**overrides) -> Settings:
        values = {"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index", **overrides}
        Path(values["corpus_dir"]).mkdir(parents=True, exist_ok=True)
        return Settings(**values)

    return make


@pytest.fixture
def make_pipeline(make_settings, embeddings) -> Iterator[Callable[..., Pipeline]]:
    """Build pipelines on the real model and real Chroma; closed after the test."""
    built: list[Pipeline] = []

    def make(**overrides) -> Pipeline:
        pipeline = Pipeline(make_settings(**overrides), embeddings=embeddings)
        built.append(pipeline)
        return pipeline

    yield make
    for pipeline in built:
        pipeline.close()


@pytest.fixture
def seed_pipeline(make_pipeline) -> Pipeline:
    """A pipeline whose corpus holds the seed report, indexed."""
    pipeline = make_pipeline()
    shutil.copy(SEED, pipeline.settings.corpus_dir / SEED.name)
    pipeline.index()
    return pipeline


"""Shared fixtures: the real bundled model (loaded once), and pipelines over corpora made in tmp_path."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rag.config import Settings
from rag.models.embeddings import load_embeddings
from rag.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "amnesty-less-than-equal-lgbti-defenders-interfax.txt"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def embeddings():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole test session."""
    return load_embeddings(Settings())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[str]:
    """A real Chroma server (`chroma run`, from the chromadb package) on loopback, for the session."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    server = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"chroma run exited: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(params=["embedded", "server"])
def store_backend(request) -> dict:
    """Store settings for the embedded PersistentClient and for a real Chroma server (HttpClient)."""
    if request.param == "embedded":
        return {}
    return {"chroma_url": request.getfixturevalue("chroma_server"), "collection": f"t-{uuid.uuid4().hex[:12]}"}


@pytest.fixture
def make_settings(tmp_path: Path, store_backend: dict) -> Callable[..., Settings]:
    """Settings whose corpus and index live in this test's tmp_path, on each store backend."""

    def make(**overrides) -> Settings:
        values = {"corpus_dir": tmp_path / "corpus", "index_dir": tmp_path / "index", **store_backend, **overrides}
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


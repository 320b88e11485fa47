"""Settings: defaults, RAG_* overrides, explicit overrides, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.config import Settings, describe
from rag.errors import ConfigError


def test_defaults_and_environment_overrides():
    assert Settings.from_env({}).corpus_dir == Path("corpus")
    settings = Settings.from_env({"RAG_INDEX_DIR": "/tmp/x", "RAG_TOP_K": "7", "RAG_MCP": "yes", "RAG_RRF_K": "30"})
    assert (settings.index_dir, settings.top_k, settings.mcp, settings.rrf_k) == (Path("/tmp/x"), 7, True, 30)
    assert Settings.from_env({"RAG_TOP_K": "7"}, top_k=3, corpus_dir=None).top_k == 3


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_TOP_K": "x"}, "RAG_TOP_K='x' is not a valid int."),
        ({"RAG_MCP": "maybe"}, "RAG_MCP='maybe' is not a valid bool."),
        ({"RAG_CHUNK_OVERLAP": "300"}, "RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_TOKENS."),
        ({"RAG_TOP_K": "0"}, "RAG_TOP_K must be at least 1."),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert str(info.value) == message


def test_every_setting_is_described():
    rows = describe()
    assert all(help_text and name.startswith("RAG_") for name, _, help_text in rows)
    assert ("RAG_PORT", "7860", "Port of the web app.") in rows


def test_readme_documents_every_setting_with_its_default():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2].strip(" `") for line in readme.splitlines() if line.startswith("| `RAG_")}
    for name, default, _ in describe():
        assert name in rows, f"README lacks {name}"
        expected = {"": "(empty)", "None": "(per model)"}.get(default, default)
        assert rows[name] == expected, f"README gives {name} default {rows[name]!r}, code {default!r}"


def test_network_policy_switches_langchain_tracing_off(monkeypatch):
    """A LangSmith key and tracing switch in the user's environment must not send prompts (which quote reports) out."""
    import langsmith
    import langsmith.utils
    from langchain_core.callbacks.manager import CallbackManager
    from langchain_core.tracers.context import _tracing_v2_is_enabled

    from rag.config import TRACING_VARIABLES, apply_network_policy

    for name in TRACING_VARIABLES:  # as a user's shell might have them (an earlier policy call set them false)
        monkeypatch.setenv(name, "true")
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2-not-a-real-key")
    langsmith.configure(enabled=None)  # as a fresh process would start: the environment decides
    langsmith.utils.get_env_var.cache_clear()  # langsmith keeps what it read of the environment
    assert _tracing_v2_is_enabled()  # without the policy, LangChain would trace
    apply_network_policy(Settings.from_env({}))
    assert not _tracing_v2_is_enabled()
    assert {name: os.environ[name] for name in TRACING_VARIABLES} == dict.fromkeys(TRACING_VARIABLES, "false")
    handlers = CallbackManager.configure(inheritable_callbacks=None).handlers
    assert not [h for h in handlers if type(h).__name__ == "LangChainTracer"]


def test_logging_is_configured_once_and_reaches_stderr(capsys, monkeypatch):
    """The one-time model export says so ("about 10 seconds") instead of leaving a silent pause."""
    import logging

    from rag.config import configure_logging

    logger = logging.getLogger("rag")
    monkeypatch.setattr(logger, "handlers", [])
    configure_logging()
    configure_logging()
    assert len(logger.handlers) == 1
    logging.getLogger("rag.models.onnx").info("Exporting the embedding model")
    logging.getLogger("rag.models.onnx").debug("not shown at INFO")
    assert capsys.readouterr().err == "INFO rag.models.onnx: Exporting the embedding model\n"

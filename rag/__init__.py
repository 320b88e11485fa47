"""Cited question answering over report collections: load, chunk, embed, retrieve, answer.

The public API, imported on first use so that `import rag` stays cheap:
Pipeline, Settings, Answer, Citation, IndexSummary and the errors (RagError and its kinds).
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "Pipeline": "rag.pipeline",
    "Settings": "rag.config",
    "Answer": "rag.types",
    "Citation": "rag.types",
    "IndexSummary": "rag.ingest.indexer",
    "RagError": "rag.errors",
    "ConfigError": "rag.errors",
    "LoadError": "rag.errors",
    "QuestionError": "rag.errors",
    "IndexMismatchError": "rag.errors",
    "IndexBusyError": "rag.errors",
    "CorpusFileError": "rag.errors",
    "LanguageModelError": "rag.errors",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)

"""Typed errors of the library; the CLI and the UI turn them into exit codes or messages."""

from __future__ import annotations


class RagError(Exception):
    """Base of every error the library raises on purpose; its message says how to fix it."""


class ConfigError(RagError):
    """A setting has a value the library cannot use."""


class LoadError(RagError):
    """A file could not be read as a report; the file is skipped, never half-indexed."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IndexMismatchError(RagError):
    """The index was built with other settings than the ones asked for now."""


class IndexBusyError(RagError):
    """Another reindex holds the index lock."""


class QuestionError(RagError):
    """A question that cannot be answered as given (empty, too long)."""


class EvalDataError(RagError):
    """Benchmark data or a question file is missing or not in the expected shape."""


class CorpusFileError(RagError):
    """A file could not be added to or removed from the corpus folder (bad name, type, size or place)."""


class LanguageModelError(RagError):
    """The language model named by RAG_LLM failed while writing an answer (server down, model unloadable)."""


class ExportError(RagError):
    """An answer could not be exported (unknown format, pandoc missing or failing)."""

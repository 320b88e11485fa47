"""The shared nouns: what the stages hand each other (chunks, passages, citations, answers, progress)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

Progress = Callable[[int, int, str], None]  # (done, total, what): reindex progress for the CLI and the page
CITATION_MARKER = re.compile(r"\[(\d+)\]")  # the [n] after a quote in an answer's text, n its citation's number
# what an answer can be exported as (rag.answering.export), and each format's file name ending
EXPORT_FORMATS = ("md", "docx", "odt", "csl")
EXPORT_EXTENSIONS = {"md": "md", "docx": "docx", "odt": "odt", "csl": "json"}


@dataclass(frozen=True)
class Chunk:
    """A passage of one page of one document; start/end index the page text it came from."""

    id: str
    text: str
    source: str
    title: str
    page: int | None
    start: int
    end: int
    sha256: str
    ord: int
    sentences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text_sha(self) -> str:
        """Hash of the text alone: chunks with equal text share one vector and one set of sentence vectors."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def spans(self) -> list[tuple[int, int]]:
        """The sentence spans an answer may quote (the whole text when none were found)."""
        return self.sentences or [(0, len(self.text))]

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (Chroma takes scalars only; a missing page is left out)."""
        meta: dict[str, str | int] = {
            "source": self.source,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "sha256": self.sha256,
            "ord": self.ord,
            "sentences": json.dumps(self.sentences, separators=(",", ":")),
        }
        if self.page is not None:
            meta["page"] = self.page
        return meta

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        return cls(
            id=chunk_id,
            text=text,
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            page=meta.get("page"),
            start=int(meta["start"]),
            end=int(meta["end"]),
            sha256=str(meta.get("sha256", "")),
            ord=int(meta.get("ord", 0)),
            sentences=[tuple(span) for span in json.loads(meta.get("sentences", "[]"))],
        )


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the part scores behind it."""

    chunk: Chunk
    score: float
    dense: float | None
    keyword: float | None


@dataclass
class Citation:
    """A numbered source of an answer: the passage, and the exact quoted span inside it."""

    n: int | None
    source: str
    title: str
    page: int | None
    chunk_id: str
    text: str
    quote: str
    quote_start: int
    quote_end: int
    score: float
    supported: bool = True  # False when only sentences the citation check rejected cite it

    @classmethod
    def of_span(cls, passage: Passage, start: int, end: int, score: float, n: int | None) -> Citation:
        """The citation of the span [start, end) of a passage's text, numbered n (None for a nearest passage)."""
        chunk = passage.chunk
        return cls(
            n=n,
            source=chunk.source,
            title=chunk.title,
            page=chunk.page,
            chunk_id=chunk.id,
            text=chunk.text,
            quote=chunk.text[start:end],
            quote_start=start,
            quote_end=end,
            score=round(score, 4),
        )

    def to_dict(self, numbered: bool = True) -> dict:
        data = asdict(self)
        if not numbered:
            data.pop("n")
        return data


@dataclass
class CheckedSentence:
    """A sentence a language model wrote, as the citation check judged it against the passages it cites."""

    text: str  # the sentence without its markers
    citations: list[int]  # the answer's citation numbers it carries
    supported: bool | None  # None for the 'reports do not answer' statement, which claims nothing
    shown: bool  # False when RAG_UNSUPPORTED=drop left it out of the answer
    similarity: float  # cosine with the best-matching sentence of its best cited passage
    overlap: float  # share of its content words found in that passage


@dataclass
class Answer:
    """The result of a question: text with [n] markers, its citations, or an abstention."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    nearest: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    resolved_question: str = ""
    evidence: float = 0.0  # score of the best sentence: what the abstention threshold is compared with
    sentences: list[CheckedSentence] = field(default_factory=list)  # a language model's sentences, checked; empty when extractive

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "nearest": [c.to_dict(numbered=False) for c in self.nearest],
            "timings_ms": self.timings_ms,
            "resolved_question": self.resolved_question or self.question,
            "evidence": round(self.evidence, 4),
            "sentences": [asdict(s) for s in self.sentences],
        }

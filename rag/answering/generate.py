"""Generative answers: a language model writes from the numbered passages, and only checked sentences reach the reader.

The extractive evidence decides first: when it is below the abstention threshold the model is
not called and the answer is the extractive abstention. Otherwise the model's reply is checked
sentence by sentence while it streams (rag/answering/citecheck.py), so the chat can show each sentence as
soon as it is checked, never before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel

from rag.answering.citecheck import CitationChecker, split_claims
from rag.answering.extractive import SentenceVectors, abstain, extractive_answer, score_sentences
from rag.answering.prompts import answer_messages
from rag.config import Settings
from rag.models.llm import stream_text
from rag.types import Answer, Passage


class AnswerStream:
    """An answer while it is written: iterating yields the checked text so far (growing); `answer` is set at the end.

    The last text yielded is always the finished answer's text, which can replace what came
    before (an abstention, or the extractive answer when the check left no sentence).
    """

    def __init__(self, snapshots: Iterable[str], finish: Callable[[], Answer]) -> None:
        self._snapshots = snapshots
        self._finish = finish
        self.answer: Answer | None = None

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """The stream of an answer that is complete already (extractive, or abstained before any model call)."""
        return cls((), lambda: answer)

    def then(self, step: Callable[[Answer], Answer]) -> AnswerStream:
        """The same stream with one more step applied to the finished answer."""
        return AnswerStream(self._snapshots, lambda: step(self._finish()))

    def __iter__(self) -> Iterator[str]:
        last = None
        for last in self._snapshots:
            yield last
        self.answer = self._finish()
        if self.answer.answer != last:
            yield self.answer.answer

    def finish(self) -> Answer:
        """Read the stream to its end and return the answer."""
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


def generative_stream(
    question: str,
    query_vector: np.ndarray,
    passages: Sequence[Passage],
    vectors: SentenceVectors,
    model: BaseChatModel,
    settings: Settings,
) -> AnswerStream:
    """A model-written answer checked sentence by sentence, or the extractive abstention when retrieval is weak."""
    extractive = extractive_answer(question, query_vector, passages, vectors, settings)
    if extractive.abstained:
        return AnswerStream.of(extractive)
    checker = CitationChecker(passages, vectors, drop=settings.unsupported == "drop")
    pieces = stream_text(model, answer_messages(question, passages), settings.llm)

    def finish() -> Answer:
        if checker.only_not_answered():
            answer = abstain(question, score_sentences(question, query_vector, passages, vectors, settings), passages)
        elif not checker.text():  # the model wrote nothing, or nothing that survived the check: quote instead
            answer = extractive
        else:
            answer = Answer(question=question, answer=checker.text(), abstained=False, citations=checker.citations)
        answer.sentences = checker.sentences
        answer.evidence = extractive.evidence
        return answer

    return AnswerStream(checked_text(pieces, checker), finish)


def checked_text(pieces: Iterable[str], checker: CitationChecker) -> Iterator[str]:
    """Feed the checker each sentence once the next one has begun; yield the answer text whenever it grows."""
    written = ""
    checked = 0
    shown = ""
    for piece in pieces:
        written += piece
        claims = split_claims(written)[:-1]  # the last sentence may still grow, or gain a marker
        for claim in claims[checked:]:
            checker.add(claim)
        checked = max(checked, len(claims))
        if checker.text() != shown:
            shown = checker.text()
            yield shown
    for claim in split_claims(written)[checked:]:
        checker.add(claim)
    if checker.text() != shown:
        yield checker.text()

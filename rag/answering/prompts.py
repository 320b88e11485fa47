"""The words a language model is given: numbered passages, and the rules for answering from them.

The passage numbers are the code's: the citation check parses the model's [n] markers back
against this same numbering, so the prompt and the checker must agree on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from rag.answering.extractive import NOT_ANSWERED
from rag.types import Passage

SYSTEM_PROMPT = (
    "You answer questions about reports using only the numbered passages you are given. "
    "Write a short answer in plain sentences. After each sentence, put the number of the passage "
    "it comes from in square brackets, for example [1] or [2][3]. Use nothing but the passages: "
    "no outside knowledge, no guesses. If the passages do not answer the question, reply with "
    f"exactly this sentence and nothing else: {NOT_ANSWERED}"
)
PASSAGE_TEMPLATE = "[{n}] {title}{page}\n{text}"
QUESTION_TEMPLATE = "Passages:\n\n{passages}\n\nQuestion: {question}\nAnswer, with the passage number after each sentence:"

_PROMPT = ChatPromptTemplate.from_messages([("system", SYSTEM_PROMPT), ("human", QUESTION_TEMPLATE)])


def number_passages(passages: Sequence[Passage]) -> str:
    """The passages as the model reads them, numbered from 1 in retrieval order."""
    blocks = []
    for n, passage in enumerate(passages, start=1):
        chunk = passage.chunk
        page = f" (page {chunk.page})" if chunk.page is not None else ""
        blocks.append(PASSAGE_TEMPLATE.format(n=n, title=chunk.title or chunk.source, page=page, text=chunk.text))
    return "\n\n".join(blocks)


def answer_messages(question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
    """System rules plus the numbered passages and the question, ready for a chat model."""
    return _PROMPT.format_messages(passages=number_passages(passages), question=question)

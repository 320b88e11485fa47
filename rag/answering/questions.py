"""Questions as users type them: cleaned, bounded, and follow-ups resolved against the last turn."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.errors import QuestionError
from rag.text import tokenize

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"[\w'-]+", re.UNICODE)
# Words that lean on an earlier question: "and which of them...", "what about its...", "а они?"
_LEADING = {"and", "also", "but", "what about", "how about", "а", "и", "но", "ещё", "еще"}
_REFERRING = {
    "them", "they", "it", "those", "these", "he", "she", "him", "there", "ones", "either", "both",
    "они", "их", "им", "ими", "них", "ним", "ними", "он", "она", "оно", "его", "ему", "ее", "её", "ей", "ней",
    "нему", "нем", "нём", "это", "этот", "этого", "этих", "этом", "этой",
    "эта", "эти", "тот", "та", "те", "там", "тоже", "также",
}


# a question word and its verb: what follows is the whole topic, however short ("What are elvers?")
_WHOLE_QUESTION = re.compile(
    r"\s*(?:what|who|where|when|why|how|which)\s+(?:is|are|was|were|does|do|did)\b|\s*(?:что|кто|где|когда)\s+(?:такое|это|означает|значит|такой|такая|такие)\b",
    re.IGNORECASE,
)


def clean_question(question: str | None, max_chars: int) -> str:
    """The question without control characters and extra spaces; empty or too long is refused."""
    text = " ".join(_CONTROL.sub(" ", question or "").split())
    if not text:
        raise QuestionError("The question is empty: type what you want to know about the reports.")
    if len(text) > max_chars:
        raise QuestionError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,} (RAG_MAX_QUESTION_CHARS). "
            "Ask about one thing at a time."
        )
    return text


def previous_questions(history: Sequence | None) -> list[str]:
    """The user's earlier questions from chat history: strings, (user, bot) pairs or role/content dicts."""
    found: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            found.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user":
            found.append(_text_of(turn.get("content")))
        elif isinstance(turn, (list, tuple)) and turn:
            found.append(_text_of(turn[0]))
    return [q for q in found if q.strip()]


def resolve_followup(question: str, history: Sequence | None) -> str:
    """A follow-up gets the last question's content words appended, so retrieval knows the topic."""
    earlier = previous_questions(history)
    if not earlier or not is_followup(question):
        return question
    have = set(tokenize(question))
    carried = [w for w in _WORD.findall(earlier[-1]) if (t := tokenize(w)) and t[0] not in have]
    return f"{question} ({' '.join(dict.fromkeys(carried))})" if carried else question


def is_followup(question: str) -> bool:
    """Leans on an earlier turn: opens with "and" / "what about", holds a referring word, or is a fragment of one
    content word ("Belarus?", "In 2015?"). A short question that names its own topic stands alone, one word of it
    too when asked whole ("What are elvers?", "Who is Krivosheev?", "Что такое титушки?")."""
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return False
    leading = words[0] in _LEADING or " ".join(words[:2]) in _LEADING
    fragment = len(tokenize(question)) <= 1 and not _WHOLE_QUESTION.match(question)
    return leading or any(w in _REFERRING for w in words) or fragment


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(_text_of(c) for c in content)
    return ""

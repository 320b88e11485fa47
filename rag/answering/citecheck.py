"""The citation check of generated answers: every [n] must point at a given passage that backs its sentence.

A model's answer is split into sentences, each with the passage numbers it cites. A number
that names no given passage is removed. A cited sentence is supported when it is close to the
best-matching sentence of a cited passage (cosine of the embeddings, at least MIN_SIMILARITY)
and most of its content words occur in that passage (at least MIN_OVERLAP). Sentences no passage
backs, and sentences citing nothing, are flagged with UNSUPPORTED_MARK or dropped
(RAG_UNSUPPORTED); the one exception is the statement that the reports do not answer. The code,
not the model, numbers the citations, in order of first use: one citation per (passage,
quoted sentence), so every [n] shown has exactly one citation and every citation is shown.

The thresholds were measured on XQuAD en (48 articles, 240 paragraphs, 1,190 questions) with the
bundled all-MiniLM-L6-v2, each paragraph standing for a passage. Claims the paragraph backs: every
question turned into a statement with its gold answer (the wh-phrase replaced by the answer), and
the sentence holding the answer with 30% of its words dropped. Claims it does not back: the same
two kinds made from another paragraph of the same article (same topic, other facts) or of another
article, and backed statements with the answer swapped for another answer of the article. On the
even-numbered articles, the pair that keeps at least 95% of each backed kind while accepting the
fewest unbacked claims is similarity 0.45 and overlap 0.5. On the odd-numbered articles it accepts
97.4% and 99.8% of the backed claims, 2.8% and 2.1% of the same-article ones, none from other
articles, but 70.5% of the swapped answers: a wrong detail inside an otherwise backed sentence
passes, as no check by similarity and shared words can see it. The measurement is repeated on a
sample by tests/test_citecheck.py::test_thresholds_separate_backed_from_unbacked_claims_on_xquad.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.answering.extractive import SentenceVectors
from rag.text import sentence_spans, tokenize
from rag.types import CheckedSentence, Citation, Passage

MIN_SIMILARITY = 0.45
MIN_OVERLAP = 0.5
UNSUPPORTED_MARK = "[unsupported]"
_MARKER = re.compile(r"\s*\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+")
# "The reports do not answer / say / mention …": a statement about the reports, not a claim needing a citation.
_NOT_IN_REPORTS = re.compile(
    r"\b(?:reports?|passages?|documents?|sources?)\b[^.!?]{0,80}?\b(?:do|does|did|can)\s*(?:not|n't)\b[^.!?]{0,60}?"
    r"\b(?:answer|say|mention|contain|address|cover|provide|include|state|specify|give)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """One sentence of a model's answer: its text without markers, the passage numbers it cites, and whether a line break precedes it."""

    text: str
    markers: tuple[int, ...]
    new_line: bool = False


def split_claims(answer: str) -> list[Claim]:
    """Sentences with their [n] markers; markers opening a sentence on the same line ('… 2019. [2] Next') close the one before.

    Pieces without a letter (list numbers such as '1.', stray punctuation) claim nothing and are left out.
    """
    claims: list[Claim] = []
    previous_end = 0
    for start, end in sentence_spans(answer):
        sentence = answer[start:end]
        new_line = "\n" in answer[previous_end:start]
        leading = _LEADING_MARKERS.match(sentence)
        if leading and claims and not new_line:
            last = claims[-1]
            claims[-1] = Claim(last.text, _unique(last.markers + _numbers(leading.group())), last.new_line)
            sentence = sentence[leading.end() :]
        text = " ".join(_MARKER.sub("", sentence).split())
        if any(c.isalpha() for c in text):
            claims.append(Claim(text, _numbers(sentence), new_line))
            previous_end = end
    return claims


def is_not_answered(claim: Claim) -> bool:
    """The model saying the reports hold no answer: allowed without a citation."""
    return not claim.markers and bool(_NOT_IN_REPORTS.search(claim.text))


@dataclass(frozen=True)
class Support:
    """How well one passage backs a claim: its best-matching sentence, the cosine, and the word overlap."""

    passage: Passage
    start: int
    end: int
    similarity: float
    overlap: float

    @property
    def holds(self) -> bool:
        return self.similarity >= MIN_SIMILARITY and self.overlap >= MIN_OVERLAP


def measure_support(claim_vector: np.ndarray, claim_tokens: set[str], passage: Passage, vectors: SentenceVectors) -> Support:
    """The passage sentence closest to the claim, and the share of the claim's content words found in the passage."""
    chunk = passage.chunk
    spans = chunk.spans()
    cosines = vectors([chunk.text[s:e] for s, e in spans]) @ claim_vector
    best = int(np.argmax(cosines))
    found = claim_tokens & set(tokenize(chunk.text))
    overlap = len(found) / len(claim_tokens) if claim_tokens else 0.0
    return Support(passage, spans[best][0], spans[best][1], float(cosines[best]), overlap)


class CitationChecker:
    """Checks a model's sentences one at a time, in order, and keeps the answer they make so far."""

    def __init__(self, passages: Sequence[Passage], vectors: SentenceVectors, drop: bool) -> None:
        self.passages = list(passages)
        self.vectors = vectors
        self.drop = drop
        self.sentences: list[CheckedSentence] = []
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], Citation] = {}
        self._shown: list[tuple[bool, str]] = []  # (starts a new line, sentence with its markers)

    def add(self, claim: Claim) -> CheckedSentence:
        """Check one sentence, number the citations it keeps, and add it to the answer unless it is dropped."""
        if is_not_answered(claim):
            checked = CheckedSentence(claim.text, [], None, True, 0.0, 0.0)
            self._shown.append((claim.new_line, claim.text))
        else:
            checked = self._check(claim)
        self.sentences.append(checked)
        return checked

    def text(self) -> str:
        """The answer so far: the shown sentences with their renumbered markers, line breaks kept."""
        parts = [("\n" if new_line else " ") + sentence for new_line, sentence in self._shown]
        return "".join(parts)[1:]

    def only_not_answered(self) -> bool:
        """True when the model said nothing but that the reports do not answer."""
        return bool(self.sentences) and all(s.supported is None for s in self.sentences)

    def _check(self, claim: Claim) -> CheckedSentence:
        given = [self.passages[n - 1] for n in claim.markers if 1 <= n <= len(self.passages)]
        supports = self._supports(claim.text, given)
        backing = [s for s in supports if s.holds]
        supported = bool(backing)
        shown = supported or not self.drop
        best = max(supports, key=lambda s: (s.holds, s.similarity), default=None)
        numbers = [self._number(s, supported) for s in (backing or supports)] if shown else []
        if shown:
            marks = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
            flag = "" if supported else UNSUPPORTED_MARK
            self._shown.append((claim.new_line, " ".join(part for part in (claim.text, marks, flag) if part)))
        similarity, overlap = (best.similarity, best.overlap) if best else (0.0, 0.0)
        return CheckedSentence(claim.text, list(dict.fromkeys(numbers)), supported, shown, round(similarity, 4), round(overlap, 4))

    def _supports(self, text: str, passages: Sequence[Passage]) -> list[Support]:
        if not passages:
            return []
        vector = self.vectors([text])[0]
        tokens = set(tokenize(text))
        return [measure_support(vector, tokens, p, self.vectors) for p in passages]

    def _number(self, support: Support, supported: bool) -> int:
        """The citation number of a (passage, quoted sentence) pair, allocated at its first use."""
        key = (support.passage.chunk.id, support.start, support.end)
        citation = self._numbers.get(key)
        if citation is None:
            citation = Citation.of_span(support.passage, support.start, support.end, support.similarity, len(self.citations) + 1)
            citation.supported = False
            self._numbers[key] = citation
            self.citations.append(citation)
        citation.supported = citation.supported or supported
        return citation.n


def _numbers(text: str) -> tuple[int, ...]:
    return _unique(tuple(int(n) for group in _MARKER.findall(text) for n in group.split(",")))


def _unique(numbers: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))

"""Hybrid retrieval: dense (Chroma) and keyword (BM25) hits fused by their scores or by their ranks.

Score fusion (the default) adds the cosine and the BM25 score scaled by the query's best BM25 score.
It beat reciprocal rank fusion on both benchmarks (SciFact nDCG@10 and XQuAD Recall@1, see
eval/RESULTS.md), most of all where one retriever is poor: rank fusion trusts a weak ranking's
first place as much as a strong one's, score fusion lets a weak cosine count for little.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from rag.answering.constraints import named_text, period_text
from rag.config import Settings
from rag.stores.keyword import KeywordIndex
from rag.stores.vectors import Store
from rag.text import NUMBERED_PART, script, tokenize
from rag.types import Chunk, Passage

Mode = Literal["hybrid", "dense", "keyword"]
_CAPITALS = re.compile(r"\b[A-ZА-ЯЁ]{2,}\b")
_CODE = re.compile(r"(?<![\w.,/])(?:\d+(?:\.\d+)+|[A-Z]+(?:/[\w.]+)+)(?![\w/]|[.,]\d)")  # 212.1, 354.1, S/2025/504
_PART = re.compile(NUMBERED_PART, re.IGNORECASE)  # Figure IV, Table 2, Приложение 3
# a decimal that is an amount, not an article's number: "$3.8 million", "2.5 per cent", "1.4 млн" (a report may write it
# $3,800,358.47 or 3,8)
_AMOUNT_BEFORE = re.compile(r"[$€£¥₽]\s*$")
_AMOUNT_AFTER = re.compile(r"\s*(?:%|(?:million|billion|trillion|thousand|per ?cent|percent|млн|млрд|тыс|процент|миллион|миллиард)\w*)", re.I)
RARE_CHUNKS = 5  # a question word held by at most this many chunks is rare enough to claim a passage (with_rare_match)


def retrieve(
    query: str,
    query_vector: np.ndarray | None,
    store: Store,
    keywords: KeywordIndex,
    settings: Settings,
    k: int,
    sources: Sequence[str] | None = None,
    mode: Mode = "hybrid",
    keyword_query: str | None = None,
) -> list[Passage]:
    """The k best passages for query; sources (exact document sources) restrict the search.

    query_vector may be None in keyword mode, which never embeds the query.
    """
    dense = store.query(query_vector, settings.candidates, sources) if mode != "keyword" else []
    keyword = keywords.search(keyword_query or query, settings.candidates, sources) if mode != "dense" else []
    if keyword and mode == "hybrid":
        # Hits that share only common words with the query would otherwise outvote a rare exact match.
        keyword = [(i, s) for i, s in keyword if s >= settings.keyword_floor * keyword[0][1]]
    share = language_share(query, keywords, settings, [c for c, _ in dense] if sources else None) if mode == "hybrid" else 1.0
    if mode != "hybrid":
        fused = [(c.id, s) for c, s in dense] or keyword
    elif settings.fusion == "rrf":
        fused = fuse(
            [[c.id for c, _ in dense], [i for i, _ in keyword]],
            [settings.dense_weight, settings.keyword_weight * share],
            settings.rrf_k,
        )
    else:
        stand_ins = other_language_hits(query, dense) if share < 1.0 else {}
        fused = fuse_scores([(c.id, s) for c, s in dense], keyword, settings.dense_share, share, stand_ins)
    top = [chunk_id for chunk_id, _ in fused[:k]]
    if mode == "hybrid" and keyword and keyword[0][0] not in top and k > 1 and share >= 0.5:
        # the best keyword hit always gets a place: a rare exact match (an article number, an acronym, a
        # figure) must reach the answer step even when the dense side ranks paraphrases above it; not when the
        # question is in a language most of the corpus is not, where a best keyword hit is mostly a shared name
        top[-1:] = [keyword[0][0]]
    chunks = {c.id: c for c, _ in dense}
    chunks.update({c.id: c for c in store.get([i for i in top if i not in chunks])})
    dense_scores = {c.id: s for c, s in dense}
    keyword_scores = dict(keyword)
    scores = dict(fused)
    return [Passage(chunks[i], scores[i], dense_scores.get(i), keyword_scores.get(i)) for i in top if i in chunks]


def with_rare_match(
    passages: list[Passage], query: str, store: Store, keywords: KeywordIndex, sources: Sequence[str] | None = None
) -> list[Passage]:
    """The passages, the last one replaced by the best passage holding the question's rarest exact token (a figure, an
    article or case number, a numbered figure or table, an acronym) when none of them does and at most RARE_CHUNKS
    chunks hold it: a question naming "Figure I", "NAURMAL" or "article 212.1" must reach the passage that has it, even
    when the question's other words and its meaning rank other passages first. Words naming a period are no such token
    (the period is a constraint of its own), and neither are ordinary words, which a small corpus holds rarely too."""
    if len(passages) < 3:
        return passages
    rare = keywords.rarest(exact_tokens(query) - set(tokenize(period_text(query))), RARE_CHUNKS)
    if rare is None or any(rare in tokenize(p.chunk.text) for p in passages):
        return passages
    hits = keywords.search_tokens([rare], 1, sources)
    found = store.get([hits[0][0]]) if hits else []
    if not found:
        return passages
    return [*passages[:-1], Passage(found[0], passages[-1].score, None, hits[0][1])]


def missing_names(query: str, keywords: KeywordIndex) -> list[str]:
    """The names the question gives exactly that no indexed chunk holds, as written: an article or document number
    ("212.1", "S/2025/504", not "$3.8 million") or a numbered figure, table or annex ("Figure IV"). Reports that never write the name do
    not answer about it, however close their other words come. Quantities are no names ("more than 500 people" is
    answered by "at least 520"), nor are the words naming the question's period or source, nor acronyms: on XQuAD's
    1,190 questions all five acronyms missing from the paragraphs were ones the text writes out in full ("UMC" for
    the United Methodist Church) or the question misspells ("ARPNET"), each with its answer present."""
    skip = set(tokenize(period_text(query))) | set(tokenize(named_text(query)))
    missing = []
    codes = [m.group() for m in _CODE.finditer(query) if not _amount(query, m)]
    for name in dict.fromkeys(codes + [m.group() for m in _PART.finditer(query)]):
        tokens = [t for t in tokenize(name) if t not in skip and (any(c.isdigit() for c in t) or "#" in t)]
        tokens = [t for t in tokens if "#" in t] or tokens  # "Figure IV" is one name, "figur#iv"
        if tokens and any(count == 0 for count in keywords.holding(tokens).values()):
            missing.append(name)
    return missing


def _amount(text: str, match: re.Match) -> bool:
    """Whether the figure matched in text is an amount of money, a share or a count in millions, not a name."""
    return bool(_AMOUNT_BEFORE.search(text, 0, match.start()) or _AMOUNT_AFTER.match(text, match.end()))


def exact_tokens(query: str) -> set[str]:
    """The question's tokens that name something exactly: those with a figure or a part number in them ("212.1",
    "figur#i") and those of words written in capitals ("UNMISS", "ФСБ")."""
    tokens = {t for t in tokenize(query) if any(c.isdigit() for c in t) or "#" in t}
    return tokens | {t for word in _CAPITALS.findall(query) for t in tokenize(word)}


def fuse(rankings: Sequence[Sequence[str]], weights: Sequence[float], rrf_k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of weight / (rrf_k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def language_share(query: str, keywords: KeywordIndex, settings: Settings, searched: Sequence[Chunk] | None = None) -> float:
    """How much the keyword side counts for this question, from 0 to 1.

    Under a model that reads across languages (one given a cross-language bonus), words match only
    text in the question's own language, names and figures aside: the keyword side then counts in
    proportion to the share of the corpus written in the question's script, so a Russian question
    over English reports leans on the dense side that can read them. When the search is kept to some
    documents, the share is that of the passages found there (searched): an English question kept to
    Russian reports would otherwise match only the English titles in their notes. A one-language
    model keeps the keyword side whole: it is the only bridge such a model has across languages.
    """
    if not settings.cross_language_bonus:
        return 1.0
    asked = script(query)
    if searched:
        return sum(script(chunk.text) == asked for chunk in searched) / len(searched)
    return keywords.scripts().get(asked, 1.0)


def other_language_hits(query: str, dense: Sequence[tuple[Chunk, float]]) -> dict[str, float]:
    """Dense hits written in another script than the question, each with its cosine over the best cosine.

    The keyword side cannot read such a chunk: its missing BM25 is no evidence against it, so the
    fusion counts this stand-in in its place (a passage the dense side ranks near the top counts as a
    near-best keyword hit would). Without it, a Russian passage that answers an English question loses
    to every English passage sharing a few of the question's words.
    """
    asked = script(query)
    best = max((s for _, s in dense), default=0.0)
    if best <= 0:
        return {}
    return {chunk.id: max(0.0, s) / best for chunk, s in dense if script(chunk.text) != asked}


def fuse_scores(
    dense: Sequence[tuple[str, float]],
    keyword: Sequence[tuple[str, float]],
    dense_share: float,
    keyword_share: float = 1.0,
    stand_ins: Mapping[str, float] | None = None,
) -> list[tuple[str, float]]:
    """dense_share x cosine + (1 - dense_share) x keyword_share x BM25 / best BM25, best first.

    A chunk only the keyword side found gets the lowest cosine the dense side returned (it ranks
    below all of them there); one only the dense side found gets no keyword score, unless stand_ins
    gives one for it (a chunk in a language the keyword side cannot match, see other_language_hits).
    """
    floor = min((s for _, s in dense), default=0.0)
    best = max((s for _, s in keyword), default=0.0) or 1.0
    cosine = dict(dense)
    bm25 = {i: s / best for i, s in keyword}
    for i, stand_in in (stand_ins or {}).items():
        bm25[i] = max(bm25.get(i, 0.0), stand_in)
    scores = {i: dense_share * cosine.get(i, floor) + (1.0 - dense_share) * keyword_share * bm25.get(i, 0.0) for i in cosine.keys() | bm25.keys()}
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))

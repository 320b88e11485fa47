"""Quality measures: ranking metrics (as trec_eval defines them), answer checks, and the abstention trade-off.

Everything here works on plain ids, strings and numbers, so it is tested with hand-made values
and shared by the benchmark runs and the user's own question file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath

RANKING_METRICS = ("ndcg@10", "recall@1", "recall@5", "recall@100", "mrr@10")
ABSTAIN_TARGET = 0.80  # share of questions to abstain on when the answer is not in the index
ANSWER_TARGET = 0.95  # share of questions to answer when it is


def doc_id(source: str) -> str:
    """The benchmark id of a corpus file: its path without the .txt the evaluation wrote it with."""
    return str(PurePosixPath(source).with_suffix(""))


def doc_ranking(sources: Iterable[str], depth: int) -> list[str]:
    """Document ids in order of their best chunk: later chunks of a document already ranked are dropped."""
    return list(dict.fromkeys(doc_id(s) for s in sources))[:depth]


def ranking_scores(qrels: Mapping[str, Mapping[str, int]], rankings: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Mean nDCG@10, Recall@1/5/100 and MRR@10 over the judged queries; a query with no ranking scores 0.

    The definitions of trec_eval and ranx: graded gains in nDCG (gain = relevance, discount log2(rank + 1)),
    a document is relevant when its judgement is above 0.
    """
    judged = {q: {d: r for d, r in docs.items() if r > 0} for q, docs in qrels.items()}
    judged = {q: docs for q, docs in judged.items() if docs}
    if not judged:
        return dict.fromkeys(RANKING_METRICS, 0.0)
    totals = dict.fromkeys(RANKING_METRICS, 0.0)
    for query, relevant in judged.items():
        ranking = list(dict.fromkeys(rankings.get(query, ())))
        for name, value in query_scores(relevant, ranking).items():
            totals[name] += value
    return {name: round(total / len(judged), 4) for name, total in totals.items()}


def query_scores(relevant: Mapping[str, int], ranking: Sequence[str]) -> dict[str, float]:
    """The ranking metrics of one query: relevant maps each relevant document to its (positive) judgement."""
    hits = [rank for rank, doc in enumerate(ranking, start=1) if doc in relevant]
    gains = sorted(relevant.values(), reverse=True)
    ideal = sum(g / math.log2(i + 1) for i, g in enumerate(gains[:10], start=1))
    dcg = sum(relevant[ranking[r - 1]] / math.log2(r + 1) for r in hits if r <= 10)
    return {
        "ndcg@10": dcg / ideal,
        "recall@1": sum(r <= 1 for r in hits) / len(relevant),
        "recall@5": sum(r <= 5 for r in hits) / len(relevant),
        "recall@100": sum(r <= 100 for r in hits) / len(relevant),
        "mrr@10": 1 / hits[0] if hits and hits[0] <= 10 else 0.0,
    }


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form for 'does the answer contain this' checks."""
    return " ".join(text.casefold().split())


def contains(text: str, wanted: str) -> bool:
    return normalise(wanted) in normalise(text)


@dataclass(frozen=True)
class AnswerOutcome:
    """What one never-abstaining answer shows at every threshold.

    evidence: the best sentence score (the answer abstains iff it is below the threshold);
    gold_score: the best score of a quoted sentence holding the gold answer, None if none does
    (a sentence is quoted at threshold t iff its score is at least t); cites_gold: the first
    citation is the question's own document.
    """

    evidence: float
    gold_score: float | None = None
    cites_gold: bool = False


@dataclass(frozen=True)
class TradeOff:
    """Shares at one abstention threshold: answered (present), answers holding gold, abstained (absent)."""

    threshold: float
    answered_present: float
    contains_gold: float
    first_cites_gold: float
    abstains_absent: float

    def margin(self) -> float:
        """How far the worse of the two abstention targets is exceeded (negative: missed)."""
        return min(self.abstains_absent - ABSTAIN_TARGET, self.answered_present - ANSWER_TARGET)

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def trade_off(present: Sequence[AnswerOutcome], absent: Sequence[AnswerOutcome], threshold: float) -> TradeOff:
    """The shares a given threshold yields, from answers with the passage present and absent."""
    return TradeOff(
        threshold=threshold,
        answered_present=share(o.evidence >= threshold for o in present),
        contains_gold=share(o.gold_score is not None and o.gold_score >= threshold for o in present),
        first_cites_gold=share(o.cites_gold and o.evidence >= threshold for o in present),
        abstains_absent=share(o.evidence < threshold for o in absent),
    )


def threshold_grid(outcomes: Iterable[AnswerOutcome], step: float = 0.01) -> list[float]:
    """Thresholds from just below the lowest evidence to just above the highest, `step` apart."""
    evidence = [o.evidence for o in outcomes if math.isfinite(o.evidence)]
    if not evidence:
        return [0.0]
    low, high = math.floor(min(evidence) / step), math.ceil(max(evidence) / step) + 1
    return [round(i * step, 4) for i in range(low, high + 1)]


def best_trade_off(curve: Sequence[TradeOff]) -> TradeOff:
    """The threshold whose worse target is best met; among equals, the middle one, away from the edges."""
    best = max(t.margin() for t in curve)
    tied = [t for t in curve if math.isclose(t.margin(), best, abs_tol=1e-9)]
    return tied[len(tied) // 2]


def share(flags: Iterable[bool]) -> float:
    """The fraction of true flags; 0 for none."""
    values = list(flags)
    return sum(values) / len(values) if values else 0.0

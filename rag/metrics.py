"""Quality measures: ranking metrics through ranx, answer checks, and the abstention trade-off.

Everything here works on plain ids, strings and numbers, so it is tested with hand-made values
and shared by the benchmark runs and the user's own question file.
"""

from __future__ import annotations

import math
import warnings
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
    """Mean nDCG@10, Recall@1/5/100 and MRR@10 over the judged queries; a query with no ranking scores 0."""
    from ranx import Qrels, Run, evaluate

    run = {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in rankings.items() if docs and q in qrels}
    if not run:  # ranx cannot evaluate an empty run; nothing retrieved scores nothing
        return dict.fromkeys(RANKING_METRICS, 0.0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="unsafe cast")  # numba's note on ranx's int types
        scores = evaluate(
            Qrels.from_dict({q: dict(judged) for q, judged in qrels.items()}),
            Run.from_dict(run),
            list(RANKING_METRICS),
            make_comparable=True,
        )
    return {name: round(float(scores[name]), 4) for name in RANKING_METRICS}


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

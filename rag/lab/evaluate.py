"""The `eval` command: public benchmarks on throwaway indexes, and the user's question file on the real one.

A benchmark run writes each document as `<id>.txt` into a temporary corpus and indexes it with
the product's own Pipeline and Settings (model, chunking, fusion), so the figures measure what
users get; only the folders, the candidate depth and the abstention threshold are overridden.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from langchain_core.embeddings import Embeddings

from rag.config import Settings, calibrated
from rag.errors import ConfigError, EvalDataError, QuestionError, RagError
from rag.lab.datasets import QaItem, Question, RetrievalSet, Xquad, eval_dir, load_scifact, load_xquad, read_qa_file
from rag.lab.metrics import (
    AnswerOutcome,
    best_trade_off,
    contains,
    doc_id,
    doc_ranking,
    ranking_scores,
    share,
    threshold_grid,
    trade_off,
)
from rag.models.embeddings import Encoder, load_embeddings

if TYPE_CHECKING:
    from rag.pipeline import Pipeline
    from rag.types import Answer

DEPTH = 100  # documents ranked per query (Recall@100)
FETCH = 3 * DEPTH  # passages fetched per query, so that DEPTH distinct documents survive deduplication
MODES = ("dense", "keyword", "hybrid")
XQUAD_TRACKS = ("en->en", "ru->ru", "ru->en", "en->ru")  # question language -> paragraph language
NEVER_ABSTAIN = float("-inf")
ANSWERED_SHARE = 0.95  # the abstention cut is the highest that still answers this share of questions whose passage is there
T = TypeVar("T")


def evaluate(
    benchmark: str,
    settings: Settings,
    file: str | None = None,
    data: str | None = None,
    limit: int | None = None,
    progress: bool = True,
    env: Mapping[str, str] | None = None,
) -> dict:
    """Run one evaluation ('scifact', 'xquad' or 'qa') and return its report as a JSON-ready dict."""
    if limit is not None and limit < 1:
        raise ConfigError("--limit must be at least 1.")
    started = time.perf_counter()
    if benchmark == "qa":
        if not file:
            raise EvalDataError("python -m rag eval qa needs a question file: one JSON object a line, see --help.")
        report = evaluate_qa(settings, Path(file), limit, progress)
    else:
        if file:
            raise EvalDataError(f"python -m rag eval {benchmark} takes no file; give the data folder with --data.")
        folder = eval_dir(data, os.environ if env is None else env)
        runners = {"scifact": evaluate_scifact, "xquad": evaluate_xquad}
        report = runners[benchmark](settings, folder, limit, progress)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


# -- benchmarks -------------------------------------------------------------------------------


def evaluate_scifact(settings: Settings, folder: Path, limit: int | None, progress: bool) -> dict:
    """Claim -> abstract retrieval, dense, keyword and hybrid."""
    data = load_scifact(folder, limit)
    embeddings = QueryMemo(load_embeddings(settings))
    settings = calibrated(settings, embeddings.name)
    with throwaway_index(settings, embeddings, data.documents, "scifact", progress) as built:
        with opened(built, embeddings, candidates=max(settings.candidates, FETCH)) as pipeline:
            retrieval = {"claim->abstract": measure_modes(pipeline, data, "scifact", progress)}
            chunks = pipeline.store.count()
    return {
        "benchmark": "scifact",
        "settings": describe(settings, embeddings.name),
        "index": {"en": {"documents": len(data.documents), "chunks": chunks}},
        "queries": len(data.queries),
        "retrieval": retrieval,
    }


def evaluate_xquad(settings: Settings, folder: Path, limit: int | None, progress: bool) -> dict:
    """Paragraph retrieval in four language pairs, extractive answers, and abstention with the paragraph gone."""
    data = load_xquad(folder, limit)
    embeddings = QueryMemo(load_embeddings(settings))
    settings = calibrated(settings, embeddings.name)
    retrieval: dict[str, dict] = {}
    index: dict[str, dict[str, int]] = {}
    present: list[AnswerOutcome] = []
    across: list[AnswerOutcome] = []  # Russian questions, English paragraphs: only for a model that reads across languages
    generated: dict = {}
    for language in ("en", "ru"):
        with throwaway_index(settings, embeddings, data.paragraphs[language], f"xquad {language}", progress) as built:
            with opened(built, embeddings, candidates=max(settings.candidates, FETCH)) as pipeline:
                index[language] = {"documents": len(data.paragraphs[language]), "chunks": pipeline.store.count()}
                for track in (t for t in XQUAD_TRACKS if t.endswith(language)):
                    retrieval[track] = measure_modes(pipeline, data.track(*track.split("->")), f"xquad {track}", progress)
            if language == "en":
                present = answer_outcomes(built, embeddings, data.questions["en"], "xquad answers", progress)
                if settings.cross_language_bonus:
                    across = answer_outcomes(built, embeddings, data.questions["ru"], "xquad answers ru->en", progress, cross_language_bonus=0.0)
                generated = generated_report(built, embeddings, data.questions["en"], progress) if settings.llm != "none" else {}
    absent, absent_across = held_out_outcomes(settings, embeddings, data, bool(across), progress)
    return {
        "benchmark": "xquad",
        "settings": describe(settings, embeddings.name),
        "index": index,
        "queries": len(data.questions["en"]),
        "retrieval": {track: retrieval[track] for track in XQUAD_TRACKS},
        "answers": answer_report(present, absent, settings.abstain_threshold, len(data.held_out())),
        **({"answers_across": across_report(across, absent_across, settings)} if across else {}),
        **({"generated": generated} if generated else {}),
    }


def held_out_outcomes(
    settings: Settings, embeddings: Encoder, data: Xquad, across: bool, progress: bool
) -> tuple[list[AnswerOutcome], list[AnswerOutcome]]:
    """Answers to the English (and, across, the Russian) questions of held-out paragraphs, asked of an index without them."""
    held_out = data.held_out()
    kept = {pid: text for pid, text in data.paragraphs["en"].items() if pid not in held_out}
    english, russian = ([q for q in data.questions[lang] if q.paragraph in held_out] for lang in ("en", "ru"))
    with throwaway_index(settings, embeddings, kept, "xquad en, held-out paragraphs removed", progress) as built:
        absent = answer_outcomes(built, embeddings, english, "xquad answers, paragraph absent", progress)
        if not across:
            return absent, []
        return absent, answer_outcomes(built, embeddings, russian, "xquad answers ru->en, paragraph absent", progress, cross_language_bonus=0.0)


def across_report(present: Sequence[AnswerOutcome], absent: Sequence[AnswerOutcome], settings: Settings) -> dict:
    """Russian questions against the English paragraphs, their evidence taken without the cross-language bonus.

    Such a question shares no words with the sentences, so its evidence is the cosine alone. The bonus that
    lets it answer as often as an English question is the gap between the shipped threshold and the highest
    cut answering 95 % of these questions when their paragraph is there (contains-gold is not measured:
    the gold answers are Russian, the quotes English).
    """
    curve = [trade_off(present, absent, t) for t in threshold_grid([*present, *absent])]
    cut = max((row.threshold for row in curve if row.answered_present >= ANSWERED_SHARE), default=curve[0].threshold)
    shipped = settings.abstain_threshold - (settings.cross_language_bonus or 0.0)
    return {
        "questions": len(present),
        "held_out_questions": len(absent),
        "cut_answering_95": cut,
        "bonus_it_implies": round(settings.abstain_threshold - cut, 3),
        "shipped_bonus": settings.cross_language_bonus,
        "shipped": trade_off(present, absent, shipped).to_dict(),
        "curve": [row.to_dict() for row in curve],
    }


def answer_report(present: Sequence[AnswerOutcome], absent: Sequence[AnswerOutcome], shipped: float, held_out: int) -> dict:
    """Answer quality never abstaining, at the shipped threshold and at the best one, with the whole curve."""
    curve = [trade_off(present, absent, t) for t in threshold_grid([*present, *absent])]
    return {
        "questions": len(present),
        "held_out_paragraphs": held_out,
        "held_out_questions": len(absent),
        "never_abstaining": curve[0].to_dict(),  # the grid starts at or below the lowest evidence
        "shipped": trade_off(present, absent, shipped).to_dict(),
        "best": best_trade_off(curve).to_dict(),
        "curve": [row.to_dict() for row in curve],
    }


def describe(settings: Settings, model: str) -> dict:
    """The settings a figure depends on, recorded beside it; model is the encoder's own name (what 'auto' resolved to, int8 or not)."""
    names = ("embed_backend", "chunk_tokens", "chunk_overlap", "candidates", "fusion", "dense_share", "rrf_k",
             "dense_weight", "keyword_weight",
             "keyword_floor", "top_k", "answer_sentences", "overlap_weight",
             "evidence_overlap_weight", "abstain_threshold", "cross_language_bonus", "llm", "unsupported")
    return {"embed_model": model, **{name: getattr(settings, name) for name in names}, "ranking_candidates": max(settings.candidates, FETCH),
            "ranking_depth": DEPTH}


# -- running the pipeline ---------------------------------------------------------------------


class QueryMemo(Embeddings):
    """The run's model with a memory of query vectors: a benchmark asks each question in several modes and tracks.

    Everything else (name, dimension, passage encoding, token counts) is the model's own, so it is an Encoder too.
    """

    def __init__(self, inner: Encoder) -> None:
        self._inner = inner
        self._queries: dict[str, object] = {}

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_query(self, text: str):  # -> np.ndarray
        if text not in self._queries:
            self._queries[text] = self._inner.encode_query(text)
        return self._queries[text]


@contextmanager
def throwaway_index(
    settings: Settings, embeddings: Encoder, documents: Mapping[str, str], label: str, progress: bool
) -> Iterator[Settings]:
    """Settings of a fresh index over documents written as <id>.txt to a temporary corpus; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        root = Path(tmp)
        built = replace(settings, corpus_dir=root / "corpus", index_dir=root / "index", chroma_url="")
        write_corpus(built.corpus_dir, documents)
        with opened(built, embeddings) as pipeline, _bar(len(documents), f"indexing {label}", "doc", progress) as bar:
            summary = pipeline.index(progress=lambda done, total, _: bar.update(done - bar.n))
        if summary.skipped:
            first = summary.skipped[0]
            raise EvalDataError(f"{len(summary.skipped)} {label} documents could not be indexed ({first['source']}: {first['reason']}).")
        yield built


def write_corpus(folder: Path, documents: Mapping[str, str]) -> None:
    """One UTF-8 text file per document, named by its id, so a chunk's source names its document."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc, text in documents.items():
        (folder / f"{doc}.txt").write_text(text, encoding="utf-8")


@contextmanager
def opened(settings: Settings, embeddings: Encoder | None = None, **overrides: object) -> Iterator[Pipeline]:
    """A pipeline over an existing index with some settings changed, closed on leaving."""
    from rag.pipeline import Pipeline

    pipeline = Pipeline(replace(settings, **overrides), embeddings=embeddings)
    try:
        yield pipeline
    finally:
        pipeline.close()


def measure_modes(pipeline: Pipeline, data: RetrievalSet, label: str, progress: bool) -> dict[str, dict[str, float]]:
    """Ranking metrics of dense, keyword and hybrid retrieval for every query of a set."""
    scores = {}
    for mode in MODES:
        rankings = {
            qid: doc_ranking((p.chunk.source for p in pipeline.search(text, k=FETCH, mode=mode)), DEPTH)
            for qid, text in _each(data.queries.items(), f"{label} {mode}", progress, len(data.queries))
        }
        scores[mode] = ranking_scores(data.qrels, rankings)
    return scores


def answer_outcomes(
    built: Settings, embeddings: Encoder, questions: Sequence[Question], label: str, progress: bool, **overrides: object
) -> list[AnswerOutcome]:
    """Ask every question without abstaining, keeping what each threshold would have made of it (extractive answers:
    the threshold curve is the extractive evidence's, and a language model is measured apart by generated_report)."""
    with opened(built, embeddings, **{"abstain_threshold": NEVER_ABSTAIN, "llm": "none", **overrides}) as pipeline:
        return [outcome(q, pipeline.ask(q.text)) for q in _each(questions, label, progress, len(questions))]


def generated_report(built: Settings, embeddings: Encoder, questions: Sequence[Question], progress: bool) -> dict:
    """Answers written by RAG_LLM at the shipped threshold: how many hold a gold answer, how many sentences the check supports."""
    with opened(built, embeddings) as pipeline:
        answers = [pipeline.ask(q.text) for q in _each(questions, f"xquad answers by {built.llm}", progress, len(questions))]
    claims = [s.supported for a in answers for s in a.sentences if s.supported is not None]
    return {
        "model": built.llm,
        "questions": len(answers),
        "answered": share(not a.abstained for a in answers),
        "contains_gold": share(any(contains(a.answer, g) for g in q.answers) for q, a in zip(questions, answers)),
        "sentences": len(claims),
        "supported_sentences": share(claims),
    }


def outcome(question: Question, answer: Answer) -> AnswerOutcome:
    """The evidence of an answer, the best score of a quote holding a gold answer, and whether [1] is the gold paragraph."""
    gold = [c.score for c in answer.citations if any(contains(c.quote, g) for g in question.answers)]
    first = answer.citations[0] if answer.citations else None
    return AnswerOutcome(
        evidence=answer.evidence,
        gold_score=max(gold, default=None),
        cites_gold=first is not None and doc_id(first.source) == question.paragraph,
    )


# -- the user's question file -----------------------------------------------------------------


def evaluate_qa(settings: Settings, path: Path, limit: int | None, progress: bool) -> dict:
    """Ask each question of the file against the current index and check the answer against the file."""
    items = read_qa_file(path)[:limit]
    with opened(settings) as pipeline:
        rows = [check_item(pipeline, item) for item in _each(items, "questions", progress, len(items))]
        served = pipeline.settings, pipeline.embeddings.name  # under RAG_EMBED_MODEL=auto, the index's own model
    return {
        "benchmark": "qa",
        "file": str(path),
        "index": settings.chroma_url or str(settings.index_dir),
        "settings": describe(*served),
        "passed": sum(row["passed"] for row in rows),
        "total": len(rows),
        "figures": qa_figures(rows),
        "by_kind": qa_breakdown(rows, "kind"),
        "by_lang": qa_breakdown(rows, "lang"),
        "questions": rows,
    }


def check_item(pipeline: Pipeline, item: QaItem) -> dict:
    """One question of the file asked and judged; a question the pipeline refuses is a failure, not a crash."""
    row = {"line": item.line, "question": item.question, "kind": item.kind, "lang": item.lang, "answerable": item.answerable}
    try:
        answer = pipeline.ask(item.question)
    except QuestionError as exc:
        return {**row, "passed": False, "problems": [str(exc)], "abstained": None, "answer": "", "cited": [],
                "contains": False if item.expected else None, "page_hit": False if item.pages else None, "wrong": False}
    wanted = wanted_sources(pipeline, item.source)
    problems = qa_problems(item, answer, wanted)
    return {**row, "passed": not problems, "problems": problems, "abstained": answer.abstained, "answer": answer.answer,
            "cited": [c.source for c in answer.citations], "cited_pages": [c.page for c in answer.citations],
            "contains": holds_expected(item, answer), "page_hit": page_hit(item, answer, wanted), "wrong": is_wrong(item, answer)}


def holds_expected(item: QaItem, answer: Answer) -> bool | None:
    """Whether the answer holds every expected string; None when the line expects none."""
    if not item.answerable or not item.expected:
        return None
    return not answer.abstained and all(contains(answer.answer, e) for e in item.expected)


def page_hit(item: QaItem, answer: Answer, wanted: set[str] | None) -> bool | None:
    """Whether a citation points at one of the expected pages of the expected document; None when the line names no page."""
    if not item.answerable or not item.pages:
        return None
    return any(c.page in item.pages and (wanted is None or c.source in wanted) for c in answer.citations)


def is_wrong(item: QaItem, answer: Answer) -> bool:
    """Answered, with quotes that do not hold what was asked (or about what the reports do not say): the costliest error."""
    return not answer.abstained and (not item.answerable or holds_expected(item, answer) is False)


def qa_figures(rows: Sequence[dict]) -> dict[str, int]:
    """Counts over judged questions: passed, expected strings held, pages hit, abstentions where due, wrong answers."""
    answerable = [r for r in rows if r["answerable"]]
    right = [r for r in answerable if r["contains"]]
    return {
        "questions": len(rows),
        "passed": sum(r["passed"] for r in rows),
        "expected": len(right),
        "expected_of": sum(r["contains"] is not None for r in answerable),
        "page_hits": sum(r["page_hit"] is True for r in answerable),
        "page_of": sum(r["page_hit"] is not None for r in answerable),
        "page_hits_when_right": sum(r["page_hit"] is True for r in right),
        "page_of_right": sum(r["page_hit"] is not None for r in right),
        "abstained": sum(bool(r["abstained"]) for r in rows if not r["answerable"]),
        "unanswerable": len(rows) - len(answerable),
        "wrong": sum(r["wrong"] for r in rows),
    }


def qa_breakdown(rows: Sequence[dict], key: str) -> dict[str, dict[str, int]]:
    """qa_figures for each value of a row field (kind, lang); rows without one are grouped under '-'."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key] or "-", []).append(row)
    return {name: qa_figures(group) for name, group in sorted(groups.items())}


def wanted_sources(pipeline: Pipeline, source: str | None) -> set[str] | None:
    """Indexed documents a question should cite (a file or folder name, as --source takes); None: any."""
    if source is None:
        return None
    try:
        return set(pipeline.resolve_sources([source]))
    except RagError:  # names no indexed document: no citation can satisfy it
        return set()


def qa_problems(item: QaItem, answer: Answer, wanted: set[str] | None) -> list[str]:
    """Why an answer fails its line of the question file; empty when it passes."""
    if not item.answerable:
        return [] if answer.abstained else ["answered a question marked unanswerable"]
    if answer.abstained:
        return [f"abstained: {answer.answer}"]
    problems = [f"missing expected text {e!r}" for e in item.expected if not contains(answer.answer, e)]
    cited = [c.source for c in answer.citations]
    if wanted is not None and not wanted & set(cited):
        where = "no indexed document" if not wanted else ", ".join(sorted(wanted))
        problems.append(f"does not cite {item.source} ({where}); cited: {', '.join(cited) or 'nothing'}")
    return problems


def _each(items: Iterable[T], label: str, progress: bool, total: int) -> Iterator[T]:
    """Items with a progress bar on stderr."""
    with _bar(total, label, "q", progress) as bar:
        for item in items:
            yield item
            bar.update(1)


def _bar(total: int, label: str, unit: str, progress: bool):  # -> tqdm
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit=unit, file=sys.stderr, disable=not progress, mininterval=1.0)


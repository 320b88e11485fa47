"""Fusion of the dense and keyword hits: known values by hand, and the setting that picks the method."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rag.answering.retrieve import fuse, fuse_scores, language_share, missing_names, other_language_hits, retrieve
from rag.config import Settings
from rag.errors import ConfigError
from rag.types import Chunk


def test_score_fusion_weights_cosine_and_scaled_bm25():
    dense = [("a", 0.8), ("b", 0.6), ("c", 0.5)]
    keyword = [("c", 10.0), ("d", 4.0)]
    fused = dict(fuse_scores(dense, keyword, dense_share=0.7))
    assert fused["a"] == pytest.approx(0.56)  # 0.7 x 0.8, no keyword score
    assert fused["c"] == pytest.approx(0.7 * 0.5 + 0.3 * 1.0)  # the best BM25 hit counts fully
    assert fused["d"] == pytest.approx(0.7 * 0.5 + 0.3 * 0.4)  # keyword-only: the lowest cosine the dense side gave
    assert [i for i, _ in fuse_scores(dense, keyword, 0.7)] == ["c", "a", "d", "b"]


def test_score_fusion_with_one_side_empty_keeps_the_other_sides_order():
    assert [i for i, _ in fuse_scores([], [("x", 2.0), ("y", 1.0)], 0.7)] == ["x", "y"]
    assert [i for i, _ in fuse_scores([("x", 0.2), ("y", 0.9)], [], 0.7)] == ["y", "x"]
    assert fuse_scores([], [], 0.7) == []


def test_a_strong_keyword_hit_beats_a_weak_dense_ranking_under_score_fusion_only():
    # The dense side is poor (near-equal cosines, the right chunk last); BM25 is sure of "k".
    dense = [("p", 0.31), ("q", 0.30), ("k", 0.29)]
    keyword = [("k", 12.0), ("p", 1.0)]
    assert fuse_scores(dense, keyword, 0.7)[0][0] == "k"
    assert fuse([["p", "q", "k"], ["k", "p"]], [1.0, 1.0], 60)[0][0] == "p"  # ranks alone: p is 1st and 2nd


def test_rank_fusion_sums_weighted_reciprocal_ranks():
    fused = dict(fuse([["a", "b"], ["b"]], [1.0, 2.0], 10))
    assert fused == {"a": pytest.approx(1 / 11), "b": pytest.approx(1 / 12 + 2 / 11)}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("fusion", "mean", "RAG_FUSION must be 'score' or 'rrf'."),
    ("dense_share", 1.5, "RAG_DENSE_SHARE must be between 0 and 1."),
])
def test_fusion_settings_are_checked(name, value, message):
    with pytest.raises(ConfigError) as info:
        replace(Settings(), **{name: value})
    assert str(info.value) == message


@pytest.mark.parametrize("fusion", ["score", "rrf"])
def test_both_fusions_find_the_seed_passage(seed_pipeline, fusion):
    pipeline = seed_pipeline
    settings = pipeline.settings
    try:
        pipeline.settings = replace(settings, fusion=fusion)
        top = pipeline.search("Which countries banned same-sex marriage in their constitutions?", k=3)
    finally:
        pipeline.settings = settings
    assert any("Armenia" in p.chunk.text and "Kyrgyzstan" in p.chunk.text for p in top)
    assert all(p.dense is not None or p.keyword is not None for p in top)


class _Store:
    """A vector store stand-in: fixed dense hits, chunks looked up by id."""

    def __init__(self, chunks: dict[str, Chunk], dense: list[tuple[str, float]]) -> None:
        self.chunks, self.dense = chunks, dense

    def query(self, vector, n, sources):
        return [(self.chunks[i], s) for i, s in self.dense[:n]]

    def get(self, ids):
        return [self.chunks[i] for i in ids]


class _Keywords:
    def __init__(self, hits: list[tuple[str, float]]) -> None:
        self.hits = hits

    def search(self, query, n, sources):
        return self.hits[:n]


def test_the_best_keyword_hit_always_reaches_the_answer_step():
    chunks = {i: Chunk(i, f"text {i}", "r.txt", "R", 1, 0, 6, "sha", 0) for i in ("a", "b", "c", "exact")}
    store = _Store(chunks, [("a", 0.9), ("b", 0.88), ("c", 0.87)])  # paraphrases the model likes
    keywords = _Keywords([("exact", 9.0), ("a", 1.0)])  # the only passage with the article number asked for
    settings = Settings(corpus_dir="c", index_dir="i", dense_share=1.0)  # the dense side alone orders them
    passages = retrieve("article 212.1", np.ones(3), store, keywords, settings, k=2)
    assert [p.chunk.id for p in passages] == ["a", "exact"]
    dense_only = retrieve("article 212.1", np.ones(3), store, keywords, settings, k=2, mode="dense")
    assert [p.chunk.id for p in dense_only] == ["a", "b"]


class _Scripts:
    """A keyword index of which only the script shares matter."""

    def __init__(self, shares: dict[str, float]) -> None:
        self.shares = shares

    def scripts(self) -> dict[str, float]:
        return self.shares


def test_keyword_side_counts_by_the_corpus_share_in_the_questions_language_under_a_cross_language_model():
    mostly_english = _Scripts({"latin": 0.9, "cyrillic": 0.1})
    multilingual, one_language = Settings(cross_language_bonus=0.4), Settings(cross_language_bonus=0.0)
    assert language_share("Какие газеты были закрыты?", mostly_english, multilingual) == pytest.approx(0.1)
    assert language_share("Which newspapers were closed?", mostly_english, multilingual) == pytest.approx(0.9)
    # a one-language model has no other bridge across languages than shared names and figures: kept whole
    assert language_share("Какие газеты были закрыты?", mostly_english, one_language) == 1.0
    # kept to some documents, the share is that of the passages found there: English words in Russian reports'
    # notes are no match for an English question
    texts = ["Арест ↩ http://ovdinfo.org/a", "Число дел выросло."]
    russian = [Chunk(str(i), text, "ru.pdf", "R", 1, 0, len(text), "sha", i) for i, text in enumerate(texts)]
    assert language_share("Which newspapers were closed?", mostly_english, multilingual, russian) == 0.0
    assert language_share("Какие газеты были закрыты?", mostly_english, multilingual, russian) == 1.0
    # a Russian question over English reports: the cosine decides, a keyword hit on a shared name no longer outvotes it
    dense, keyword = [("translation", 0.82), ("name-only", 0.74)], [("name-only", 9.0)]
    assert fuse_scores(dense, keyword, 0.7)[0][0] == "name-only"
    assert fuse_scores(dense, keyword, 0.7, keyword_share=0.1)[0][0] == "translation"
    assert dict(fuse_scores(dense, keyword, 0.7, keyword_share=0.1))["name-only"] == pytest.approx(0.7 * 0.74 + 0.3 * 0.1)


def test_a_passage_in_another_language_gets_a_stand_in_for_the_bm25_it_cannot_have():
    def chunk(i: str, text: str) -> Chunk:
        return Chunk(id=i, text=text, source="r.pdf", title="r", page=1, start=0, end=len(text), sha256="", ord=0)

    dense = [
        (chunk("en-topic", "Political prisoners were held in detention facilities."), 0.84),
        (chunk("ru-answer", "Союз солидарности с политзаключенными считает политзаключенными 53 человек."), 0.82),
        (chunk("en-other", "The mission documented detention conditions."), 0.60),
    ]
    stand_ins = other_language_hits("How many political prisoners does the Union count?", dense)
    assert stand_ins == {"ru-answer": pytest.approx(0.82 / 0.84)}  # only the passage the keyword side cannot read
    keyword = [("en-topic", 8.0), ("en-other", 6.0)]
    cosines = [(c.id, s) for c, s in dense]
    assert fuse_scores(cosines, keyword, 0.7, 0.75)[0][0] == "en-topic"
    fused = dict(fuse_scores(cosines, keyword, 0.7, 0.75, stand_ins))
    assert fused["ru-answer"] == pytest.approx(0.7 * 0.82 + 0.3 * 0.75 * 0.82 / 0.84)
    assert fused["ru-answer"] > fused["en-other"]


def test_the_passage_with_the_questions_rare_exact_token_replaces_the_last_one():
    from rag.answering.retrieve import exact_tokens, with_rare_match
    from rag.stores.keyword import KeywordIndex
    from rag.text import tokenize
    from rag.types import Passage

    texts = {f"p{i}": f"The report on South Sudan describes violations in {2000 + i}." for i in range(12)}
    texts["caption"] = "Figure I\nNumber of victims by State and type of violation"
    texts["other"] = "Figure II\nViolations against children by State"
    chunks = {i: Chunk(i, t, "r.pdf", "R", 1, 0, len(t), "sha", 0) for i, t in texts.items()}
    keywords = KeywordIndex.build([(i, "r.pdf", " ".join(tokenize(t))) for i, t in texts.items()])
    store = _Store(chunks, [])
    found = [Passage(chunks[f"p{i}"], 1.0 - i / 10, None, None) for i in range(5)]
    question = "What does Figure I of the 2025 report on South Sudan show?"
    assert exact_tokens(question) == {"figur#i", "2025"}
    replaced = with_rare_match(found, question, store, keywords)
    assert [p.chunk.id for p in replaced] == ["p0", "p1", "p2", "p3", "caption"]
    # already among the passages, or no exact token, or too common: the passages stay as they are
    assert with_rare_match([*found[:4], Passage(chunks["caption"], 0.5, None, None)], question, store, keywords)[-1].chunk.id == "caption"
    assert with_rare_match(found, "What does the report on South Sudan show?", store, keywords) == found
    assert with_rare_match(found, "What do Figures of the report show?", store, keywords) == found


def test_the_keyword_side_can_search_other_words_than_the_dense_side():
    chunks = {i: Chunk(i, f"text {i}", "r.txt", "R", 1, 0, 6, "sha", 0) for i in ("a", "b")}

    class Asked(_Keywords):
        def search(self, query, n, sources):
            self.asked = query
            return super().search(query, n, sources)

    keywords = Asked([("b", 2.0)])
    settings = Settings(corpus_dir="c", index_dir="i")
    retrieve("According to the fact sheet, how often does it meet?", np.ones(3), _Store(chunks, [("a", 0.9)]), keywords, settings, k=2,
             keyword_query="how often does it meet?")
    assert keywords.asked == "how often does it meet?"


class _Holding:
    """A keyword index that holds only the given tokens."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = set(tokens)

    def holding(self, tokens):
        return {t: int(t in self.tokens) for t in tokens}


def test_an_amount_the_reports_write_otherwise_is_no_missing_name():
    keywords = _Holding("500", "gourd")  # the report writes "$3,800,358.47", never "3.8"
    assert missing_names("500 million gourdes, about $3.8 million: as of what date?", keywords) == []
    assert missing_names("What share, 2.5 per cent or 3.1%, did it reach?", keywords) == []
    assert missing_names("What does article 212.1 punish?", keywords) == ["212.1"]  # an article's number is a name

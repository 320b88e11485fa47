"""The eval command: metric plumbing on hand-made rankings, question files, chunk-to-document mapping, smoke runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from rag.cli import main
from rag.errors import EvalDataError
from rag.lab.datasets import QaItem, eval_dir, load_scifact, load_xquad, parse_qa_line, read_qa_file
from rag.lab.evaluate import QueryMemo, check_item, holds_expected, is_wrong, outcome, page_hit, qa_breakdown, qa_figures, qa_problems, write_corpus
from rag.lab.metrics import AnswerOutcome, best_trade_off, doc_id, doc_ranking, ranking_scores, threshold_grid, trade_off
from rag.lab.reports import render
from rag.models.embeddings import as_encoder
from rag.types import Answer, Citation
from tests.conftest import SHARED_EVAL
from tests.helpers import write

needs_shared_eval = pytest.mark.skipif(
    not (SHARED_EVAL / "scifact").is_dir() or not (SHARED_EVAL / "xquad").is_dir(),
    reason=f"benchmark data not found at {SHARED_EVAL} (see ../shared/eval/README.md)",
)


def _citation(source: str, quote: str, score: float, n: int = 1, page: int | None = None) -> Citation:
    return Citation(n, source, "title", page, f"chunk-{n}", quote, quote, 0, len(quote), score)


def _answer(*citations: Citation, abstained: bool = False, evidence: float = 0.5) -> Answer:
    text = "The indexed reports do not appear to answer this." if abstained else " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer("q?", text, abstained, citations=[] if abstained else list(citations), evidence=evidence)


# -- ranking metrics ----------------------------------------------------------------------------


def test_ranking_scores_match_hand_computed_values():
    # q1: its one relevant document at rank 2; q2: relevant at ranks 1 and 3; q3: nothing retrieved.
    qrels = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q3": {"d": 1}}
    rankings = {"q1": ["x", "a"], "q2": ["c", "z", "b"], "q3": [], "unjudged": ["a"]}
    # nDCG@10: q1 = 1/log2(3) = 0.63093; q2 = (1 + 1/log2(4)) / (1 + 1/log2(3)) = 0.91972; mean over 3
    assert ranking_scores(qrels, rankings) == {
        "ndcg@10": 0.5169,
        "recall@1": 0.1667,  # (0 + 1/2 + 0) / 3
        "recall@5": 0.6667,
        "recall@100": 0.6667,
        "mrr@10": 0.5,  # (1/2 + 1 + 0) / 3
    }


def test_ranking_scores_use_graded_gains_and_ignore_zero_judgements():
    # relevance 2 for a (at rank 3), 1 for b (rank 1), 0 for c (rank 2: judged, not relevant)
    qrels = {"q": {"a": 2, "b": 1, "c": 0}}
    scores = ranking_scores(qrels, {"q": ["b", "c", "a"]})
    dcg = 1 + 2 / math.log2(4)  # b at rank 1, a at rank 3
    ideal = 2 + 1 / math.log2(3)  # a first, b second
    assert scores == {"ndcg@10": round(dcg / ideal, 4), "recall@1": 0.5, "recall@5": 1.0, "recall@100": 1.0, "mrr@10": 1.0}
    assert round(dcg / ideal, 4) == 0.7602  # (1 + 2/2) / (2 + 1/log2(3))


def test_ranking_scores_of_an_empty_run_are_zero():
    assert ranking_scores({"q1": {"a": 1}}, {"q1": []}) == dict.fromkeys(("ndcg@10", "recall@1", "recall@5", "recall@100", "mrr@10"), 0.0)


def test_doc_ranking_keeps_each_document_at_its_best_chunk():
    sources = ["b.txt", "a.txt", "b.txt", "sub/1.2.txt", "c.txt"]
    assert doc_ranking(sources, depth=10) == ["b", "a", "sub/1.2", "c"]
    assert doc_ranking(sources, depth=2) == ["b", "a"]
    assert doc_id("Fresno__California-3.txt") == "Fresno__California-3"


def test_chunks_of_an_indexed_benchmark_map_back_to_document_ids(make_pipeline):
    pipeline = make_pipeline(chunk_tokens=40, chunk_overlap=5)
    long_text = "Glaciers in the Alps retreat every summer. " * 30
    write_corpus(pipeline.settings.corpus_dir, {"4983": f"Alpine glaciers\n{long_text}", "12.5": "Rainforests hold carbon.\nTrees grow."})
    pipeline.index()
    passages = pipeline.search("glaciers retreat in summer", k=20, mode="dense")
    sources = [p.chunk.source for p in passages]
    assert sources.count("4983.txt") > 1  # the long document was cut into several chunks
    assert passages[0].chunk.title == "Alpine glaciers"  # the first line of the file is its title
    assert doc_ranking(sources, depth=100) == ["4983", "12.5"]


class _CountingModel(Embeddings):
    name = "counting"
    dimension = 2

    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [3.0, 4.0]


def test_query_memo_encodes_each_question_once_and_is_otherwise_the_model():
    model = _CountingModel()
    memo = QueryMemo(as_encoder(model))
    assert memo.encode_query("q").tolist() == pytest.approx([0.6, 0.8])
    assert memo.embed_query("q") == pytest.approx([0.6, 0.8])
    memo.encode_query("other")
    assert model.queries == ["q", "other"]
    assert (memo.name, memo.dimension, memo.embed_documents(["a"])) == ("counting", 2, [[1.0, 0.0]])


# -- the abstention trade-off -----------------------------------------------------------------

PRESENT = [
    AnswerOutcome(0.9, gold_score=0.9, cites_gold=True),
    AnswerOutcome(0.5, gold_score=0.45),
    AnswerOutcome(0.3),
    AnswerOutcome(0.7, cites_gold=True),
]
ABSENT = [AnswerOutcome(0.2), AnswerOutcome(0.4), AnswerOutcome(0.6)]


def test_trade_off_counts_each_share_at_a_threshold():
    row = trade_off(PRESENT, ABSENT, 0.45)
    assert (row.answered_present, row.contains_gold, row.first_cites_gold) == (0.75, 0.5, 0.5)
    assert row.abstains_absent == pytest.approx(2 / 3)
    assert trade_off(PRESENT, ABSENT, 0.5).contains_gold == 0.25  # the 0.45 quote is dropped at 0.5


def test_best_threshold_is_the_middle_of_the_best_plateau():
    grid = threshold_grid([*PRESENT, *ABSENT])
    assert (grid[0], grid[-1], len(grid)) == (0.2, 0.91, 72)
    # margins: min(abstains - 0.80, answers - 0.95) is best (-0.2) for thresholds 0.41 .. 0.50
    best = best_trade_off([trade_off(PRESENT, ABSENT, t) for t in grid])
    assert best.threshold == 0.46
    assert best.margin() == pytest.approx(-0.2)


def test_outcome_reads_gold_quotes_and_first_citation():
    from rag.lab.datasets import Question

    question = Question("q1", "When?", "Super_Bowl_50-0", ("February 7, 2016",))
    answer = _answer(
        _citation("Other-1.txt", "It was played in Santa Clara.", 0.61, 1),
        _citation("Super_Bowl_50-0.txt", "The game was played on February  7, 2016.", 0.55, 2),
        evidence=0.61,
    )
    assert outcome(question, answer) == AnswerOutcome(evidence=0.61, gold_score=0.55, cites_gold=False)


def test_derived_abstention_matches_the_pipeline(seed_pipeline, make_pipeline):
    """What the curve says a threshold does is what the pipeline does with that threshold."""
    from rag.lab.datasets import Question

    settings = seed_pipeline.settings
    never = make_pipeline(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, abstain_threshold=float("-inf"))
    questions = ["Which countries does the Amnesty report cover?", "What is the boiling point of mercury?"]
    for text in questions:
        derived = outcome(Question("q", text, "none", ("Armenia",)), never.ask(text))
        for threshold in (0.2, derived.evidence - 0.001, derived.evidence + 0.001, 0.9):
            at = make_pipeline(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, abstain_threshold=threshold)
            real = at.ask(text)
            assert real.abstained == (derived.evidence < threshold)
            holds_gold = "armenia" in real.answer.lower() and not real.abstained
            assert holds_gold == (derived.gold_score is not None and derived.gold_score >= threshold)


# -- the user's question file -----------------------------------------------------------------


def test_read_qa_file_parses_lines_and_skips_blanks(tmp_path):
    path = write(tmp_path, "q.jsonl", '{"question": " Who? ", "expected": ["Amnesty"], "source": "a.txt"}\n\n'
                 '{"question": "Moon?", "answerable": false}\n'
                 '{"question": "Сколько?", "expected": ["46"], "page": [15, 16], "kind": "table"}\n'
                 '{"question": "How many?", "expected": ["3"], "page": 2, "lang": "ru"}\n')
    assert read_qa_file(path) == [
        QaItem(1, "Who?", ("Amnesty",), "a.txt", True, lang="en"),
        QaItem(3, "Moon?", (), None, False, lang="en"),
        QaItem(4, "Сколько?", ("46",), None, True, (15, 16), "table", "ru"),  # the language from the script
        QaItem(5, "How many?", ("3",), None, True, (2,), "", "ru"),  # the file's word wins
    ]


@pytest.mark.parametrize(
    "line, message",
    [
        ("not json", "not valid JSON"),
        ('["question"]', 'needs a non-empty "question"'),
        ('{"question": "  "}', 'needs a non-empty "question"'),
        ('{"question": "Q", "expected": "Amnesty"}', '"expected" must be a list'),
        ('{"question": "Q", "expected": [""]}', '"expected" must be a list'),
        ('{"question": "Q", "source": 3}', '"source" must be'),
        ('{"question": "Q", "answerable": "no"}', '"answerable" must be true or false'),
        ('{"question": "Q", "answerable": false, "expected": ["x"]}', "cannot have"),
        ('{"question": "Q", "page": 0}', '"page" must be a page number'),
        ('{"question": "Q", "page": [2, "3"]}', '"page" must be a page number'),
        ('{"question": "Q", "page": true}', '"page" must be a page number'),
        ('{"question": "Q", "kind": 3}', '"kind" must be a string'),
    ],
)
def test_parse_qa_line_refuses_malformed_lines(line, message):
    with pytest.raises(EvalDataError, match=message) as caught:
        parse_qa_line(line, 7, Path("mine.jsonl"))
    assert "mine.jsonl, line 7" in str(caught.value)


def test_read_qa_file_refuses_empty_and_missing_files(tmp_path):
    with pytest.raises(EvalDataError, match="holds no questions"):
        read_qa_file(write(tmp_path, "empty.jsonl", "\n \n"))
    with pytest.raises(EvalDataError, match="not found"):
        read_qa_file(tmp_path / "absent.jsonl")


def test_qa_problems_judge_answers_against_the_file():
    cited = _answer(_citation("reports/a.txt", "Amnesty  INTERNATIONAL published it.", 0.7))
    item = QaItem(1, "Who?", ("amnesty international",), "reports", True)
    assert qa_problems(item, cited, {"reports/a.txt"}) == []
    assert qa_problems(QaItem(1, "Who?", ("Interfax",)), cited, None) == ["missing expected text 'Interfax'"]
    assert qa_problems(item, cited, {"reports/b.txt"}) == ["does not cite reports (reports/b.txt); cited: reports/a.txt"]
    assert qa_problems(item, cited, set()) == ["does not cite reports (no indexed document); cited: reports/a.txt"]
    abstained = _answer(abstained=True)
    assert qa_problems(item, abstained, None) == ["abstained: The indexed reports do not appear to answer this."]
    assert qa_problems(QaItem(2, "Moon?", answerable=False), abstained, None) == []
    assert qa_problems(QaItem(2, "Moon?", answerable=False), cited, None) == ["answered a question marked unanswerable"]


def test_qa_figures_count_right_pages_and_wrong_answers():
    cited = _answer(_citation("reports/a.txt", "Amnesty published it.", 0.7, page=3))
    items = [
        QaItem(1, "Who?", ("Amnesty",), None, True, (3,), "text", "en"),  # right, right page
        QaItem(2, "Who?", ("Amnesty",), None, True, (9,), "list", "en"),  # right, wrong page
        QaItem(3, "Who?", ("Interfax",), None, True, (3,), "list", "en"),  # wrong answer
        QaItem(4, "Moon?", (), None, False, (), "abstain", "en"),  # answered what the reports do not say: wrong
    ]
    rows = [{"answerable": i.answerable, "kind": i.kind, "lang": i.lang, "passed": not qa_problems(i, cited, None),
             "abstained": False, "contains": holds_expected(i, cited), "page_hit": page_hit(i, cited, None),
             "wrong": is_wrong(i, cited)} for i in items]
    assert [r["wrong"] for r in rows] == [False, False, True, True]
    assert qa_figures(rows) == {
        "questions": 4, "passed": 2, "expected": 2, "expected_of": 3, "page_hits": 2, "page_of": 3,
        "page_hits_when_right": 1, "page_of_right": 2, "abstained": 0, "unanswerable": 1, "wrong": 2,
    }
    by_kind = qa_breakdown(rows, "kind")
    assert list(by_kind) == ["abstain", "list", "text"]
    assert (by_kind["list"]["expected"], by_kind["list"]["wrong"], by_kind["list"]["page_hits"]) == (1, 1, 1)
    abstaining = _answer(abstained=True)
    assert (is_wrong(items[3], abstaining), is_wrong(items[2], abstaining), holds_expected(items[0], abstaining)) == (False, False, False)


def test_check_item_reports_a_refused_question_as_a_failure(seed_pipeline):
    row = check_item(seed_pipeline, QaItem(4, "x" * 5000))
    assert (row["passed"], row["abstained"]) == (False, None)
    assert "limit is 2,000" in row["problems"][0]


def test_eval_qa_runs_the_file_against_the_current_index(seed_pipeline, tmp_path, capsys, monkeypatch):
    lines = [
        {"question": "Which countries does the Amnesty report cover?", "expected": ["Kyrgyzstan"], "source": seed_pipeline.documents()[0].source},
        {"question": "Which countries does the Amnesty report cover?", "expected": ["Uzbekistan"]},
        {"question": "What is the boiling point of mercury on Venus?", "answerable": False},
    ]
    path = write(tmp_path, "mine.jsonl", "\n".join(json.dumps(line) for line in lines))
    settings = seed_pipeline.settings
    monkeypatch.setenv("RAG_CHROMA_URL", settings.chroma_url)
    monkeypatch.setenv("RAG_COLLECTION", settings.collection)
    argv = ["eval", "qa", str(path), "--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    assert main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [q["passed"] for q in report["questions"]] == [True, False, True]
    assert report["questions"][1]["problems"] == ["missing expected text 'Uzbekistan'"]
    assert (report["passed"], report["total"]) == (2, 3)
    assert (report["figures"]["expected"], report["figures"]["abstained"], report["figures"]["wrong"]) == (1, 1, 1)
    assert list(report["by_lang"]) == ["en"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "PASS  line 1:" in out and "FAIL  line 2:" in out and "passed 2 of 3" in out
    assert "\nall      3          2       1/2               -          -                     1/1        1\n" in out


def test_eval_qa_needs_a_file(capsys):
    assert main(["eval", "qa"]) == 1
    assert "needs a question file" in capsys.readouterr().err


# -- benchmark data ---------------------------------------------------------------------------


def test_eval_dir_order_and_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert eval_dir(str(tmp_path), {"RAG_EVAL_DIR": "/nowhere"}) == tmp_path
    assert eval_dir(None, {"RAG_EVAL_DIR": str(tmp_path)}) == tmp_path
    with pytest.raises(EvalDataError, match=r"\.\./shared/eval not found: pass --data DIR or set RAG_EVAL_DIR"):
        eval_dir(None, {})


def test_eval_reports_a_missing_data_folder(tmp_path, capsys):
    assert main(["eval", "scifact", "--data", str(tmp_path / "absent")]) == 1
    assert "absent not found" in capsys.readouterr().err


@needs_shared_eval
def test_load_scifact_limit_keeps_judged_documents_and_a_fixed_sample():
    data = load_scifact(SHARED_EVAL, limit=5)
    judged = {d for docs in data.qrels.values() for d in docs}
    assert list(data.queries) == list(data.qrels) and len(data.queries) == 5
    assert judged <= set(data.documents) and len(data.documents) == len(judged) + 50
    assert load_scifact(SHARED_EVAL, limit=5) == data


@needs_shared_eval
def test_load_xquad_aligns_languages_and_holds_out_one_paragraph_in_five():
    data = load_xquad(SHARED_EVAL)
    assert [len(data.paragraphs[lang]) for lang in ("en", "ru")] == [240, 240]
    assert [len(data.questions[lang]) for lang in ("en", "ru")] == [1190, 1190]
    assert [q.paragraph for q in data.questions["en"]] == [q.paragraph for q in data.questions["ru"]]
    assert len(data.held_out()) == 48 and "Super_Bowl_50-0" in data.held_out()
    track = data.track("ru", "en")
    assert track.documents is data.paragraphs["en"] and track.qrels[data.questions["ru"][0].id] == {"Super_Bowl_50-0": 1}


@needs_shared_eval
def test_eval_scifact_smoke_through_the_cli(capsys):
    assert main(["eval", "scifact", "--limit", "20", "--json", "--data", str(SHARED_EVAL)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["queries"], report["index"]["en"]["documents"]) == (20, 219)
    assert list(report["retrieval"]["claim->abstract"]) == ["dense", "keyword", "hybrid"]
    hybrid = report["retrieval"]["claim->abstract"]["hybrid"]
    assert hybrid["recall@100"] >= hybrid["recall@5"] >= hybrid["recall@1"] > 0.5
    assert "claim->abstract  hybrid" in render(report)


@needs_shared_eval
def test_eval_xquad_smoke_through_the_cli(capsys):
    assert main(["eval", "xquad", "--limit", "20", "--json", "--data", str(SHARED_EVAL)]) == 0
    report = json.loads(capsys.readouterr().out)
    text = render(report)
    assert "en->en" in text and "ru->en" in text and f"shipped threshold {report['settings']['abstain_threshold']:g}" in text
    assert list(report["retrieval"]) == ["en->en", "ru->ru", "ru->en", "en->ru"]
    assert report["index"]["en"]["documents"] == report["index"]["ru"]["documents"] == 2  # 14 + 6 questions
    answers = report["answers"]
    assert (answers["questions"], answers["held_out_paragraphs"], answers["held_out_questions"]) == (20, 1, 14)
    assert answers["never_abstaining"]["answered_present"] == 1.0
    assert report["retrieval"]["en->en"]["hybrid"]["recall@1"] > 0.5


@pytest.mark.parametrize("name", [path.name for path in sorted((Path(__file__).parent.parent / "eval").glob("*-look.jsonl"))])
def test_the_projects_own_question_files_read_and_say_what_each_question_tests(name):
    items = read_qa_file(Path(__file__).parent.parent / "eval" / name)
    assert len(items) >= 20  # sets of 20 or 30 questions, half or a third of them near misses
    for item in items:
        assert item.kind and item.lang in ("en", "ru"), item
        if item.answerable:
            assert item.expected and item.source and item.pages, item  # a right answer is checked on its page
        else:
            assert not item.expected and item.kind == "abstain", item

"""Keyword tokens and BM25 search, persisted and filtered."""

from __future__ import annotations

import json

import numpy as np

from rag.stores.keyword import KeywordIndex, read_log, write_log
from rag.text import tokenize


def test_tokenize_stems_english_and_russian_and_drops_stop_words():
    assert tokenize("The campaigns against activists") == ["campaign", "activist"]
    assert tokenize("Правозащитники и их организации") == ["правозащитник", "организац"]
    assert tokenize("Ёлка 2016") == ["елк", "2016"]


def rows():
    return [
        ("c1", "a.txt", " ".join(tokenize("Armenia amended its constitution in 2015"))),
        ("c2", "a.txt", " ".join(tokenize("Kyrgyzstan amended its constitution in 2016"))),
        ("c3", "dir/b.txt", " ".join(tokenize("Belarus passed a propaganda law in 2016"))),
    ]


def test_search_ranks_and_filters(tmp_path):
    index = KeywordIndex.build(rows())
    assert [i for i, _ in index.search("constitution 2016", 3)] == ["c2", "c1", "c3"]
    assert [i for i, _ in index.search("constitution 2016", 3, sources=["dir/b.txt"])] == ["c3"]
    assert index.search("unrelated words", 3) == []
    assert KeywordIndex.build([]).search("anything", 3) == []


def test_the_words_starting_with_a_prefix_are_every_form_of_it_and_no_other():
    index = KeywordIndex.build([("c1", "a.txt", "черкас черкасов черкесск armenia armen amend")])
    assert index.starting("черкас") == ["черкас", "черкасов"] and index.starting("черк") == ["черкас", "черкасов", "черкесск"]
    assert index.starting("armen") == ["armen", "armenia"] and index.starting("zz") == [] and KeywordIndex.build([]).starting("a") == []


def test_save_and_load_by_generation(tmp_path):
    index = KeywordIndex.build(rows())
    index.save(tmp_path / "kw", generation=7)
    assert KeywordIndex.load(tmp_path / "kw", generation=8) is None
    loaded = KeywordIndex.load(tmp_path / "kw", generation=7)
    assert loaded.search("propaganda", 2) == index.search("propaganda", 2)
    assert not (tmp_path / "kw.tmp").exists() and not (tmp_path / "kw.old").exists()


def corpus_rows(count: int, seed: int = 0, prefix: str = "d") -> list[tuple[str, str, str]]:
    """Chunks of Zipf-distributed words, some repeated in a chunk, some chunks empty, a few long ones."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(400)]
    rows = []
    for n in range(count):
        length = 0 if n % 37 == 5 else int(rng.integers(1, 120 if n % 11 else 600))
        tokens = [words[min(int(rng.zipf(1.3)) - 1, len(words) - 1)] for _ in range(length)]
        rows.append((f"{prefix}{n}", f"{prefix}-source-{n // 3}.txt", " ".join(tokens)))
    return rows


QUERIES = [["w0"], ["w1", "w5", "w5"], ["w3", "w17", "w250"], ["w399", "w2"], ["w60", "w61", "w62", "w63", "w64"]]


def bm25s_scores(rows: list[tuple[str, str, str]], query: list[str]) -> dict[str, float]:
    """The reference: bm25s indexing the same tokens itself."""
    import bm25s

    model = bm25s.BM25()
    model.index([r[2].split() for r in rows], show_progress=False)
    ids = model.get_tokens_ids(query)
    return dict(zip([r[0] for r in rows], model.get_scores(ids).tolist())) if ids else {}


def our_scores(index: KeywordIndex, query: list[str]) -> dict[str, float]:
    ids = index.model.get_tokens_ids(query)
    return dict(zip(index.ids, index.model.get_scores(ids).tolist())) if ids else {}


def assert_same_scores(ours: dict[str, float], reference: dict[str, float]) -> None:
    assert ours.keys() == reference.keys()
    keys = sorted(reference)
    np.testing.assert_allclose([ours[k] for k in keys], [reference[k] for k in keys], rtol=2e-7, atol=0)


def test_weights_are_those_bm25s_computes_itself():
    rows = corpus_rows(700)
    index = KeywordIndex.build(rows)
    for query in QUERIES:
        assert_same_scores(our_scores(index, query), bm25s_scores(rows, query))


def test_an_updated_index_scores_as_one_built_afresh_from_the_same_chunks():
    old, new = corpus_rows(600, seed=1), corpus_rows(90, seed=2, prefix="n")
    index = KeywordIndex.build(old)
    dropped = {f"d-source-{n}.txt" for n in range(0, 200, 7)}
    updated = index.updated(dropped, new)
    after = [r for r in old if r[1] not in dropped] + new
    assert updated.ids == [r[0] for r in after] and list(updated.sources) == [r[1] for r in after]
    for query in QUERIES:
        assert_same_scores(our_scores(updated, query), bm25s_scores(after, query))
    assert [i for i, _ in index.search("w5", 3)] == [i for i, _ in KeywordIndex.build(old).search("w5", 3)], "the old index changed"


def test_words_no_chunk_has_any_more_leave_the_vocabulary():
    first = [("a1", "a.txt", "alpha beta"), ("b1", "b.txt", "gamma delta epsilon zeta")]
    index = KeywordIndex.build(first).updated({"b.txt"}, [("c1", "c.txt", "alpha eta")])
    assert set(index.vocab) == {"alpha", "beta", "eta"} and index.counts.shape == (2, 3)
    assert_same_scores(our_scores(index, ["alpha", "eta"]), bm25s_scores([first[0], ("c1", "c.txt", "alpha eta")], ["alpha", "eta"]))
    emptied = index.updated({"a.txt", "c.txt"}, [])
    assert emptied.ids == [] and emptied.search("alpha", 3) == []
    assert [i for i, _ in emptied.updated((), [("d1", "d.txt", "alpha")]).search("alpha", 3)] == ["d1"]


def test_a_save_of_another_format_or_shape_is_not_loaded(tmp_path):
    index = KeywordIndex.build(rows())
    index.save(tmp_path / "kw", generation=3)
    meta = json.loads((tmp_path / "kw" / "rows.json").read_text())
    (tmp_path / "kw" / "rows.json").write_text(json.dumps({**meta, "ids": meta["ids"][:-1]}))
    assert KeywordIndex.load(tmp_path / "kw", generation=3) is None
    (tmp_path / "kw" / "rows.json").write_text(json.dumps({**meta, "format": 1}))
    assert KeywordIndex.load(tmp_path / "kw", generation=3) is None
    (tmp_path / "kw" / "rows.json").write_text(json.dumps(meta))
    assert KeywordIndex.load(tmp_path / "kw", generation=3).search("propaganda", 2) == index.search("propaganda", 2)


def test_figures_are_tokens_as_written():
    """Article numbers, thousands and decimals match as written, so a rare exact figure can find its passage."""
    tokens = tokenize("Статья 212.1 УК: 10 620 человек, 2,218 sentences in 2011-2014, 0.5 per cent")
    assert tokens == ["стат", "212.1", "ук", "10", "620", "человек", "2218", "sentenc", "2011", "2014", "0.5", "per", "cent", "10620"]
    assert "212.1" in tokenize("статьи 212.1") and "212" not in tokenize("статьи 212.1")
    assert tokenize("2,218") == tokenize("2218") == ["2218"]
    # a decimal comma is the point a question writes: "3,8 млн" / "$3,8 million" is 3.8; one group of three is thousands
    assert tokenize("3,8 млн") == ["3.8", "млн"] and tokenize("$3.8 million") == ["3.8", "million"]
    assert tokenize("0,25") == tokenize("0.25") and tokenize("10,620") == ["10620"]


def test_a_change_log_applied_to_its_base_equals_the_changes_applied_one_by_one(tmp_path):
    base_rows = corpus_rows(300)
    base = KeywordIndex.build(base_rows)
    base.save(tmp_path / "kw", generation=1)
    steps = [  # (documents whose rows are replaced or removed, their new rows): an edit, an edit of an added one, a removal
        (["d-source-4.txt"], [("e1", "d-source-4.txt", "w1 w2 w2")]),
        (["n-source-0.txt"], corpus_rows(3, seed=1, prefix="n")),
        (["n-source-0.txt", "d-source-7.txt"], [("e2", "n-source-0.txt", "w3 w399")]),
        (["d-source-9.txt"], []),
    ]
    one_by_one, log = base, read_log(tmp_path / "kw")
    for generation, (sources, new_rows) in enumerate(steps, start=2):
        one_by_one = one_by_one.updated(sources, new_rows)
        log = log.then(sources, new_rows, generation)
    assert log.base == 1 and log.generation == 5 and not log.full()
    assert [row[0] for row in log.rows] == ["e1", "e2"]  # the added document's first rows were replaced, then kept net
    applied = base.updated(log.drop, log.rows)
    assert applied.ids == one_by_one.ids
    for query in QUERIES:
        assert_same_scores(our_scores(applied, query), our_scores(one_by_one, query))


def test_a_save_with_its_change_log_loads_at_the_log_generation_only(tmp_path):
    base = KeywordIndex.build(rows())
    base.save(tmp_path / "kw", generation=4)
    log = read_log(tmp_path / "kw").then(["a.txt"], [("c9", "a.txt", " ".join(tokenize("Armenia banned propaganda")))], 5)
    write_log(tmp_path / "kw", log)
    assert KeywordIndex.load(tmp_path / "kw", generation=4) is None  # the log has moved the save on
    loaded = KeywordIndex.load(tmp_path / "kw", generation=5)
    assert loaded.ids == ["c3", "c9"] and [i for i, _ in loaded.search("propaganda", 3)] == ["c9", "c3"]
    (tmp_path / "kw" / "changes.json").unlink()  # a save written before change logs: its base alone
    assert KeywordIndex.load(tmp_path / "kw", generation=4).ids == ["c1", "c2", "c3"]


def test_term_counts_are_kept_in_16_bits_and_capped_rather_than_wrapped(tmp_path):
    index = KeywordIndex.build([("c1", "a.txt", "alpha " * 70000 + "beta"), ("c2", "b.txt", "beta gamma")])
    assert index.counts.dtype == np.uint16 and index.counts.max() == 65535
    index.save(tmp_path / "kw", generation=1)
    loaded = KeywordIndex.load(tmp_path / "kw", generation=1)
    assert loaded.counts.dtype == np.uint16 and [i for i, _ in loaded.search("alpha", 2)] == ["c1"]


def test_rarity_is_high_for_words_few_chunks_hold():
    index = KeywordIndex.build([(f"c{i}", "a.txt", "articl report" + (" 354.1" if i == 0 else "")) for i in range(20)])
    rarity = index.rarity(["354.1", "articl", "unseen"])
    assert rarity["354.1"] > 2 * rarity["articl"] > 0
    assert rarity["unseen"] >= rarity["354.1"]  # a word no chunk holds counts as the rarest


def test_a_numbered_figure_or_table_is_one_token_too():
    assert "figur#i" in tokenize("What does Figure I show?") and "figur#ii" in tokenize("Figure II\nViolations")
    assert "tabl#3" in tokenize("see table 3") and "таблиц#2" in tokenize("в таблице 2 приведены")
    assert not any("#" in t for t in tokenize("Table 2.5 gives the rates"))  # a figure, not a table number


def test_the_rarest_of_some_tokens():
    index = KeywordIndex.build([(f"c{i}", "a.txt", "report" + (" figur#i" if i < 2 else "")) for i in range(20)])
    assert index.rarest(["report", "figur#i", "unseen"], most=5) == "figur#i"  # a word no chunk holds is not found
    assert index.rarest(["report"], most=5) is None  # held by too many
    assert [i for i, _ in index.search_tokens(["figur#i"], 5)] == ["c0", "c1"]

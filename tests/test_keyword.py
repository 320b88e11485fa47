"""Keyword tokens and BM25 search, persisted and filtered."""

from __future__ import annotations

from rag.keyword import KeywordIndex, tokenize


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


def test_save_and_load_by_generation(tmp_path):
    index = KeywordIndex.build(rows())
    index.save(tmp_path / "kw", generation=7)
    assert KeywordIndex.load(tmp_path / "kw", generation=8) is None
    loaded = KeywordIndex.load(tmp_path / "kw", generation=7)
    assert loaded.search("propaganda", 2) == index.search("propaganda", 2)
    assert not (tmp_path / "kw.tmp").exists() and not (tmp_path / "kw.old").exists()

"""Incremental reindex on the real model and real Chroma: only what changed is embedded."""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

import rag.ingest.indexer
import rag.ingest.loaders
import rag.stores.keyword
from rag.errors import ConfigError, IndexBusyError, IndexMismatchError, RagError
from rag.ingest.indexer import index_lock
from rag.pipeline import Pipeline
from rag.stores.keyword import KeywordIndex, read_log
from tests.conftest import SEED
from tests.helpers import write

REPORT_A = "Report A on prisons.\n\nThe mission visited four prisons in 2021. Cells were overcrowded and cold."
REPORT_B = "Report B on media.\n\nThree newspapers were closed in 2022. Journalists were fined for their reporting."


class TinyEmbeddings(Embeddings):
    """A deterministic 8-dimensional stand-in, to build an index the real model must refuse."""

    name = "tiny-test-model"
    dimension = 8

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = np.random.default_rng(len(text)).random(8)
        return (vector / np.linalg.norm(vector)).tolist()


def chunk_ids(pipeline: Pipeline) -> set[str]:
    return pipeline.store.ids()


def test_incremental_reindex_embeds_only_changes(make_pipeline):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    first = pipeline.index()
    assert first.added == ["a.txt"] and first.chunks_embedded == 1 and first.chunks == 1

    again = pipeline.index()
    assert (again.added, again.updated, again.removed, again.unchanged, again.chunks_embedded) == ([], [], [], 1, 0)

    write(corpus, "sub/b.txt", REPORT_B)
    added = pipeline.index()
    assert added.added == ["sub/b.txt"] and added.chunks_embedded == 1 and added.unchanged == 1
    ids_a = pipeline.records.chunk_ids("a.txt")

    write(corpus, "a.txt", REPORT_A.replace("four", "five"))
    edited = pipeline.index()
    assert edited.updated == ["a.txt"] and edited.chunks_embedded == 1 and edited.unchanged == 1
    assert not ids_a & chunk_ids(pipeline), "stale chunks of the old version remain"
    assert chunk_ids(pipeline) == pipeline.records.chunk_ids()
    assert "five prisons" in pipeline.store.get(sorted(pipeline.records.chunk_ids("a.txt")))[0].text

    (corpus / "sub" / "b.txt").unlink()
    removed = pipeline.index()
    assert removed.removed == ["sub/b.txt"] and removed.chunks_embedded == 0
    assert pipeline.records.chunk_ids("sub/b.txt") == set()
    assert chunk_ids(pipeline) == pipeline.records.chunk_ids() and len(chunk_ids(pipeline)) == 1
    assert [s for s, _ in pipeline.keywords().search("newspapers journalists", 5)] == []


def test_an_unchanged_file_is_not_read_again(make_pipeline, monkeypatch):
    monkeypatch.setattr(rag.ingest.indexer, "SETTLED_NS", 0)  # trust stamps of files written a moment ago
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    write(corpus, "b.txt", REPORT_B)
    pipeline.index()
    hashed: list[str] = []
    real = rag.ingest.indexer.file_sha256
    monkeypatch.setattr(rag.ingest.indexer, "file_sha256", lambda path: hashed.append(path.name) or real(path))
    assert pipeline.index().unchanged == 2 and hashed == []

    path = corpus / "a.txt"
    before = path.stat()
    path.write_text(REPORT_A.replace("four", "nine"), encoding="utf-8")  # same size, and the old time put back
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert pipeline.index().updated == ["a.txt"] and hashed == ["a.txt"]

    os.utime(corpus / "b.txt")  # touched, content unchanged: hashed once, then trusted again
    hashed.clear()
    assert pipeline.index().unchanged == 2 and hashed == ["b.txt"]
    hashed.clear()
    assert pipeline.index().unchanged == 2 and hashed == []


def test_a_file_written_a_moment_ago_is_hashed_on_every_run(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    pipeline.index()
    hashed: list[str] = []
    real = rag.ingest.indexer.file_sha256
    monkeypatch.setattr(rag.ingest.indexer, "file_sha256", lambda path: hashed.append(path.name) or real(path))
    pipeline.index()
    pipeline.index()
    assert hashed == ["a.txt", "a.txt"]  # a second write within the same clock tick could keep its stamp


def test_a_reindex_updates_the_keyword_index_instead_of_rebuilding_it(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    write(corpus, "b.txt", REPORT_B)
    write(corpus, "c.txt", "Report C on courts.\n\nTwo judges were dismissed in 2020 after ruling against the prison service.")
    pipeline.index()
    build = KeywordIndex.build
    monkeypatch.setattr(KeywordIndex, "build", classmethod(lambda cls, rows: pytest.fail("rebuilt from every stored row")))
    write(corpus, "a.txt", REPORT_A.replace("prisons", "detention centres"))
    write(corpus, "d.txt", "Report D on prisons.\n\nVisits to prisons were refused to lawyers and journalists in 2023.")
    (corpus / "b.txt").unlink()
    pipeline.index()
    other = make_pipeline()  # as another process would: it starts from the keyword index saved on disk
    write(corpus, "e.txt", "Report E on newspapers.\n\nPrison newspapers were banned in 2019.")
    other.index()
    query = "prisons detention journalists newspapers judges"
    expected = dict(build(other.records.keyword_rows()).search(query, 10))
    for current in (other, pipeline):  # the first pipeline loads what the other saved
        assert dict(current.keywords().search(query, 10)) == pytest.approx(expected)
    assert {source for i, source, _ in other.records.keyword_rows() if i in expected} == {"a.txt", "c.txt", "d.txt", "e.txt"}


def test_a_small_reindex_appends_to_the_keyword_change_log_and_a_large_one_writes_the_base(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    corpus, folder = pipeline.settings.corpus_dir, pipeline.settings.index_dir / "keyword"
    write(corpus, "a.txt", REPORT_A)
    write(corpus, "b.txt", REPORT_B)
    pipeline.index()
    base = (folder / "counts.npz").stat().st_mtime_ns
    write(corpus, "c.txt", "Report C on courts.\n\nTwo judges were dismissed in 2020 after ruling against the prison service.")
    pipeline.index()
    log = read_log(folder)
    assert (folder / "counts.npz").stat().st_mtime_ns == base and log.generation == pipeline.records.generation()
    assert {row[1] for row in log.rows} == {"c.txt"} and log.drop == ["c.txt"]
    other = make_pipeline()  # another process: loads the base and applies the log
    assert other.keywords().ids == KeywordIndex.build(other.records.keyword_rows()).ids
    assert [pipeline.records.sources_of([i]) for i, _ in other.keywords().search("judges dismissed", 1)] == [{"c.txt"}]
    monkeypatch.setattr(rag.stores.keyword, "_LOG_ROWS", 0)  # any log past a hundredth of the base calls for a new one
    write(corpus, "d.txt", "Report D on prisons.\n\nVisits to prisons were refused to lawyers and journalists in 2023.")
    pipeline.index()
    assert read_log(folder).rows == [] and read_log(folder).base == pipeline.records.generation()
    assert (folder / "counts.npz").stat().st_mtime_ns != base
    assert make_pipeline().keywords().ids == KeywordIndex.build(pipeline.records.keyword_rows()).ids


def test_identical_text_is_embedded_once(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    write(pipeline.settings.corpus_dir, "copy.txt", REPORT_A)
    summary = pipeline.index()
    assert (summary.chunks_embedded, summary.chunks_reused, summary.chunks) == (1, 1, 2)
    write(pipeline.settings.corpus_dir, "third.txt", REPORT_A)
    assert (pipeline.index().chunks_embedded, pipeline.store.count()) == (0, 3)


def test_identical_text_in_the_group_being_written_is_not_embedded_again(make_pipeline, monkeypatch):
    # Each document is its own group here, so the copy is embedded while the writer thread may still
    # be storing the original: its vector must come from the group in flight, not from the model.
    monkeypatch.setattr("rag.ingest.indexer._GROUP_CHUNKS", 1)
    pipeline = make_pipeline()
    for name in ("a.txt", "b.txt", "c.txt"):
        write(pipeline.settings.corpus_dir, name, REPORT_A)
    upsert = pipeline.store.upsert

    def slow_upsert(chunks, vectors):
        time.sleep(0.5)  # the next group is embedded meanwhile
        upsert(chunks, vectors)

    monkeypatch.setattr(pipeline.store, "upsert", slow_upsert)
    summary = pipeline.index()
    assert (summary.chunks_embedded, summary.chunks_reused, summary.added) == (1, 2, ["a.txt", "b.txt", "c.txt"])
    assert pipeline.store.ids() == pipeline.records.chunk_ids() and pipeline.store.count() == 3


def test_a_failing_write_stops_the_reindex_and_the_next_one_completes_it(make_pipeline, monkeypatch):
    monkeypatch.setattr("rag.ingest.indexer._GROUP_CHUNKS", 1)
    pipeline = make_pipeline()
    for i, name in enumerate(("a.txt", "b.txt", "c.txt", "d.txt")):
        write(pipeline.settings.corpus_dir, name, f"Report {i}.\n\nIn 201{i} monitors counted {i + 3} arrests in district {i}.")
    upsert, calls = pipeline.store.upsert, []

    def failing_second(chunks, vectors):
        calls.append(len(chunks))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        upsert(chunks, vectors)

    monkeypatch.setattr(pipeline.store, "upsert", failing_second)
    with pytest.raises(RuntimeError, match="disk full"):
        pipeline.index()
    assert len(calls) == 2, "groups after the failed write must not be written"
    assert set(pipeline.records.documents()) == {"a.txt"}
    assert pipeline.store.ids() == pipeline.records.chunk_ids()

    monkeypatch.setattr(pipeline.store, "upsert", upsert)
    summary = pipeline.index()
    assert summary.added == ["b.txt", "c.txt", "d.txt"] and summary.unchanged == 1
    assert set(pipeline.records.documents()) == {"a.txt", "b.txt", "c.txt", "d.txt"}
    assert pipeline.store.ids() == pipeline.records.chunk_ids() and pipeline.store.count() == 4


def test_bad_files_are_reported_and_the_rest_indexed(make_pipeline):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "good.txt", REPORT_A)
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 50)
    summary = pipeline.index()
    assert summary.added == ["good.txt"]
    reasons = {s["source"]: s["reason"] for s in summary.skipped}
    assert set(reasons) == {"corrupt.pdf", "empty.txt", "binary.txt"}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"] and "corrupt" in reasons["corrupt.pdf"]
    assert pipeline.failures() == reasons  # kept for the documents list, in this process and the next

    (corpus / "corrupt.pdf").unlink()
    write(corpus, "empty.txt", REPORT_B)  # fixed
    assert [s["source"] for s in pipeline.index().skipped] == ["binary.txt"]
    assert list(make_pipeline(corpus_dir=corpus, index_dir=pipeline.settings.index_dir).failures()) == ["binary.txt"]


def test_progress_counts_chunks_and_reaches_the_total(make_pipeline):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    for n in range(6):
        paragraphs = (f"Paragraph {n}.{i}: the monitors counted {i * 7 + n} detainees in the region." * 8 for i in range(30))
        write(corpus, f"r{n}.txt", "\n\n".join(paragraphs))
    reports: list[tuple[int, int]] = []
    summary = pipeline.index(progress=lambda done, total, desc: reports.append((done, total)))
    assert summary.chunks_embedded > 128  # several slices, so the bar moves while the model works
    done = [d for d, _ in reports]
    assert done == sorted(done) and len(set(done)) > 3
    assert reports[-1] == (summary.chunks, summary.chunks)
    assert all(d <= t for d, t in reports)


def test_a_file_that_turns_bad_keeps_its_indexed_version(make_pipeline):
    pipeline = make_pipeline()
    path = write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    pipeline.index()
    before = chunk_ids(pipeline)
    path.write_bytes(bytes(range(256)) * 50)
    summary = pipeline.index()
    assert [s["source"] for s in summary.skipped] == ["a.txt"]
    assert chunk_ids(pipeline) == before
    assert pipeline.ask("How many prisons did the mission visit?").citations[0].source == "a.txt"


def test_cp1251_russian_text_is_indexed_with_cyrillic(make_pipeline):
    pipeline = make_pipeline()
    text = "Доклад о свободе собраний.\n\nВ 2016 году власти запретили двенадцать мирных акций протеста в столице."
    write(pipeline.settings.corpus_dir, "ru.txt", text, encoding="cp1251")
    pipeline.index()
    (chunk,) = pipeline.store.get(sorted(pipeline.records.chunk_ids("ru.txt")))
    assert chunk.text == text and chunk.title == "Доклад о свободе собраний."
    assert pipeline.search("запретили акции протеста", k=1)[0].chunk.source == "ru.txt"


def test_seed_search_names_the_four_countries_first(seed_pipeline):
    top = seed_pipeline.search("Which countries does the Amnesty report cover?", k=3)[0]
    assert top.chunk.source == SEED.name
    assert all(country in top.chunk.text for country in ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan"))


def test_index_built_with_another_model_is_refused(make_settings, embeddings):
    settings = make_settings()
    shutil.copy(SEED, settings.corpus_dir / SEED.name)
    tiny = Pipeline(settings, embeddings=TinyEmbeddings())
    tiny.index()
    tiny.close()
    real = Pipeline(settings, embeddings=embeddings)
    with pytest.raises(IndexMismatchError, match=r"python -m rag index --rebuild") as info:
        real.search("anything")
    assert "tiny-test-model" in str(info.value) and "dimension" in str(info.value)
    with pytest.raises(IndexMismatchError):
        real.index()
    summary = real.index(rebuild=True)
    assert summary.added == [SEED.name]
    assert real.search("Amnesty report countries", k=1)[0].chunk.source == SEED.name
    real.close()


def test_rebuild_gives_the_same_chunk_ids(seed_pipeline):
    before = chunk_ids(seed_pipeline)
    summary = seed_pipeline.index(rebuild=True)
    assert summary.added == [SEED.name] and chunk_ids(seed_pipeline) == before


def test_second_reindex_is_refused_while_one_runs(make_pipeline):
    pipeline = make_pipeline()
    with index_lock(pipeline.settings.index_dir):
        with pytest.raises(IndexBusyError, match="Another reindex"):
            pipeline.index()
    assert pipeline.index().documents == 0


def _tampered(pipeline) -> set[str]:
    """Index a.txt and b.txt, then add an orphan vector and delete b.txt's: the two stores still count the same."""
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    write(pipeline.settings.corpus_dir, "b.txt", REPORT_B)
    pipeline.index()
    clean = chunk_ids(pipeline)
    orphan = pipeline.store.get(sorted(pipeline.records.chunk_ids("a.txt")))[0]
    pipeline.store.upsert([orphan.__class__(**{**orphan.__dict__, "id": "orphan"})], np.ones((1, 384), dtype=np.float32) / 384**0.5)
    pipeline.store.delete(pipeline.records.chunk_ids("b.txt"))
    assert pipeline.store.count() == pipeline.records.chunk_count()
    return clean


def test_verify_repairs_orphans_and_missing_vectors(make_pipeline):
    pipeline = make_pipeline()
    clean = _tampered(pipeline)
    summary = pipeline.index(verify=True)
    assert summary.repaired == 2 and summary.updated == ["b.txt"]
    assert chunk_ids(pipeline) == clean


def test_a_reindex_after_an_unfinished_one_compares_every_id(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    clean = _tampered(pipeline)
    pipeline.records.put_meta(rag.ingest.indexer._WRITING, "1")  # as a run killed while writing leaves it
    summary = pipeline.index()
    assert summary.repaired == 2 and summary.updated == ["b.txt"]
    assert chunk_ids(pipeline) == clean
    monkeypatch.setattr(pipeline.store, "ids", lambda: pytest.fail("every id read after a finished run"))
    assert pipeline.index().repaired == 0


def test_a_store_that_lost_vectors_is_repaired_by_the_next_reindex_that_writes(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    write(pipeline.settings.corpus_dir, "b.txt", REPORT_B)
    pipeline.index()
    clean = chunk_ids(pipeline)
    pipeline.store.delete(pipeline.records.chunk_ids("b.txt"))  # the counts now differ
    assert pipeline.index().repaired == 0  # nothing to write: the vector store is not opened
    write(pipeline.settings.corpus_dir, "c.txt", "A third report about the harvest of 2024.")
    summary = pipeline.index()
    assert summary.repaired == 1 and summary.updated == ["b.txt"] and summary.added == ["c.txt"]
    assert chunk_ids(pipeline) == clean | pipeline.records.chunk_ids("c.txt")
    assert summary.chunks == pipeline.store.count() == pipeline.records.chunk_count()


def test_a_reindex_with_nothing_changed_reads_no_id_and_keeps_the_generation(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    pipeline.index()
    generation = pipeline.records.generation()
    pipeline.close()
    pipeline = make_pipeline(corpus_dir=pipeline.settings.corpus_dir, index_dir=pipeline.settings.index_dir)  # as a new `index` run
    monkeypatch.setattr(pipeline.store, "ids", lambda: pytest.fail("every id read with nothing changed"))
    monkeypatch.setattr(pipeline.store, "count", lambda: pytest.fail("vector store opened with nothing changed"))
    monkeypatch.setattr(KeywordIndex, "save", lambda *a: pytest.fail("keyword index saved with nothing changed"))
    monkeypatch.setattr(KeywordIndex, "load", lambda *a: pytest.fail("keyword index read with nothing changed"))
    summary = pipeline.index()
    assert summary.unchanged == 1 and not summary.changed
    assert pipeline.records.generation() == generation


def test_an_index_cut_by_another_text_recipe_reads_every_report_again_once(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    write(corpus, "b.txt", REPORT_B)
    first = pipeline.index()
    assert not first.reread and pipeline.records.meta(rag.ingest.indexer.RECIPE) == rag.ingest.indexer.text_recipe(pipeline.settings)
    ids = pipeline.records.chunk_ids()

    monkeypatch.setattr(rag.ingest.indexer, "TEXT_RECIPE", rag.ingest.indexer.TEXT_RECIPE + 1)  # as after an upgrade
    named = pipeline.index(files=["a.txt"])  # a run over one file reads it again, and leaves the rest to a full one
    assert not named.reread and named.updated == ["a.txt"]
    upgraded = pipeline.index()
    assert upgraded.reread and sorted(upgraded.updated) == ["a.txt", "b.txt"] and upgraded.unchanged == 0
    assert upgraded.chunks_embedded == 0 and upgraded.chunks_reused == 2  # the same text: its vectors are kept
    assert pipeline.records.chunk_ids() == ids == chunk_ids(pipeline)
    assert [s for s, _ in pipeline.keywords().search("prisons", 5)]

    settled = pipeline.index()
    assert not settled.reread and not settled.changed and settled.unchanged == 2


def test_an_index_from_before_the_text_recipe_is_read_again(make_pipeline):
    pipeline = make_pipeline()
    write(pipeline.settings.corpus_dir, "a.txt", REPORT_A)
    pipeline.index()
    pipeline.records.put_meta(rag.ingest.indexer.RECIPE, "")  # no recipe kept, as in an index built before it was
    again = pipeline.index()
    assert again.reread and again.updated == ["a.txt"]


def test_waiting_lists_what_the_next_reindex_would_change_and_changes_nothing(seed_pipeline: Pipeline) -> None:
    corpus = seed_pipeline.settings.corpus_dir
    assert seed_pipeline.waiting() == {}
    write(corpus, "first.txt", "The first note of the monitors, on the March hearings.")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    seed_pipeline.index()
    assert set(seed_pipeline.failures()) == {"broken.pdf"}

    (corpus / "first.txt").unlink()
    write(corpus, "second.txt", "The second note of the monitors, on the April hearings.")
    (corpus / SEED.name).write_text(SEED.read_text() + "\nA late addition by the editors.")
    before = (seed_pipeline.documents(), seed_pipeline.store.count())
    assert seed_pipeline.waiting() == {"first.txt": "removed", "second.txt": "new", SEED.name: "changed"}  # the broken file is a failure
    assert (seed_pipeline.documents(), seed_pipeline.store.count()) == before  # looking changed nothing

    summary = seed_pipeline.index()
    assert (summary.added, summary.updated, summary.removed) == (["second.txt"], [SEED.name], ["first.txt"])
    assert seed_pipeline.waiting() == {}


def test_naming_files_brings_only_them_in_step_without_listing_the_corpus(make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    write(corpus, "b.txt", REPORT_B)
    (corpus / "old-broken.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    pipeline.index()
    write(corpus, "a.txt", REPORT_A.replace("four", "five"))  # changed, not named: left for a full reindex
    (corpus / "b.txt").unlink()
    write(corpus, "sub/c.txt", "Report C on courts.\n\nThe Nizhny court heard eleven appeals in 2023.")
    (corpus / "sub" / "new-broken.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    listed = []
    real_scan = rag.ingest.loaders._scan_folder
    monkeypatch.setattr(rag.ingest.loaders, "_scan_folder", lambda folder, *rest: listed.append(folder) or real_scan(folder, *rest))

    added = pipeline.index(files=[str(corpus / "sub" / "c.txt"), str(corpus / "sub" / "new-broken.pdf")])
    assert listed == []  # not one folder of the corpus was listed
    assert (added.added, added.updated, added.removed, added.chunks_embedded) == (["sub/c.txt"], [], [], 1)
    assert [s["source"] for s in added.skipped] == ["sub/new-broken.pdf"]
    assert set(pipeline.failures()) == {"old-broken.pdf", "sub/new-broken.pdf"}  # the failure found elsewhere stays listed
    assert "sub/c.txt" in {p.chunk.source for p in pipeline.search("Nizhny court appeals")}  # keyword side too
    assert pipeline.waiting() == {"a.txt": "changed", "b.txt": "removed"}  # what was not named is as it was

    removed = pipeline.index(files=["b.txt"])  # a source as the index names it, its file gone
    assert (removed.added, removed.updated, removed.removed) == ([], [], ["b.txt"])
    folder = pipeline.index(files=["sub"])  # a folder: its files, the unchanged one not read again
    assert (folder.added, folder.unchanged, [s["source"] for s in folder.skipped]) == ([], 1, ["sub/new-broken.pdf"])
    (corpus / "sub" / "new-broken.pdf").unlink()
    pipeline.index(files=["sub/new-broken.pdf"])  # deleting a file that failed takes it off the list
    assert set(pipeline.failures()) == {"old-broken.pdf"}
    assert pipeline.waiting() == {"a.txt": "changed"}
    assert pipeline.index().updated == ["a.txt"]  # and a full reindex finds the rest


def test_a_named_file_outside_the_corpus_is_refused_and_nothing_changes(make_pipeline, tmp_path):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    write(corpus, "a.txt", REPORT_A)
    pipeline.index()
    outside = write(tmp_path / "elsewhere", "x.txt", REPORT_B)
    before = (pipeline.documents(), pipeline.store.count())
    for name in (str(outside), str(corpus / ".." / "elsewhere" / "x.txt"), "../elsewhere/x.txt"):
        with pytest.raises(ConfigError, match="not inside the corpus folder"):
            pipeline.index(files=[name])
    with pytest.raises(ConfigError, match="whole corpus folder"):
        pipeline.index(files=[str(corpus)])
    with pytest.raises(RagError, match="one of them"):
        pipeline.index(files=["a.txt"], rebuild=True)
    assert (pipeline.documents(), pipeline.store.count()) == before
    link = corpus / "link.txt"
    link.symlink_to(outside)
    assert pipeline.index(files=[str(link)]).skipped == [{"source": "link.txt", "reason": "symbolic link: not followed"}]
    assert [d.source for d in pipeline.documents()] == ["a.txt"]

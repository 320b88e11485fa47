"""Uploads land inside the corpus folder under safe, unused names; deletes never leave it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.errors import CorpusFileError
from rag.ingest.uploads import delete_document, safe_name, save_upload
from tests.helpers import write

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/x.txt", "x.txt"),
        ("..\\..\\windows\\report.md", "report.md"),
        ("/abs/path/Report 2023.PDF", "Report_2023.pdf"),
        ("..hidden.txt", "hidden.txt"),
        ("доклад о правах.docx", "доклад_о_правах.docx"),
        ("a<b>|c?.html", "a_b_c.html"),
    ],
)
def test_safe_name_keeps_only_a_plain_last_component(given: str, expected: str) -> None:
    assert safe_name(given) == expected


@pytest.mark.parametrize("given", ["run.exe", "notes", "../.txt", "....pdf"])
def test_safe_name_refuses_unsupported_or_empty_names(given: str) -> None:
    with pytest.raises(CorpusFileError, match="unsupported file type|no usable characters") as caught:
        safe_name(given)
    assert given in str(caught.value)


def test_upload_with_traversal_name_lands_inside_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    source = write(tmp_path / "upload", "tmp123", "Lantern Watch was founded in 2011.")
    saved = save_upload(corpus, source, "../../etc/x.txt", MB)
    assert saved.path == corpus.resolve() / "x.txt"
    assert saved.renamed_from is None
    assert saved.path.read_text() == "Lantern Watch was founded in 2011."
    assert not (tmp_path / "etc").exists()
    assert sorted(p.name for p in corpus.iterdir()) == ["x.txt"]  # no staging file left behind


def test_upload_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, "report.txt", "first")
    second = save_upload(corpus, write(tmp_path, "a", "second"), "report.txt", MB)
    third = save_upload(corpus, write(tmp_path, "b", "third"), "report.txt", MB)
    assert (second.path.name, second.renamed_from) == ("report-1.txt", "report.txt")
    assert third.path.name == "report-2.txt"
    assert [(corpus / n).read_text() for n in ("report.txt", "report-1.txt", "report-2.txt")] == ["first", "second", "third"]


def test_upload_replaces_a_report_of_the_same_name_only_when_asked(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, "report.txt", "first")
    replaced = save_upload(corpus, write(tmp_path, "a", "second"), "report.txt", MB, replace=True)
    assert (replaced.path.name, replaced.replaced, replaced.renamed_from) == ("report.txt", True, None)
    assert sorted(p.name for p in corpus.iterdir()) == ["report.txt"] and (corpus / "report.txt").read_text() == "second"
    new = save_upload(corpus, write(tmp_path, "b", "third"), "other.txt", MB, replace=True)
    assert (new.path.name, new.replaced) == ("other.txt", False)
    outside = write(tmp_path / "elsewhere", "secret.txt", "keep me")
    (corpus / "linked.txt").symlink_to(outside)
    beside = save_upload(corpus, write(tmp_path, "c", "fourth"), "linked.txt", MB, replace=True)
    assert (beside.path.name, beside.replaced) == ("linked-1.txt", False)  # a link is never written through
    assert outside.read_text() == "keep me"


def test_upload_over_the_size_limit_is_refused_on_the_server(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MB + 1))
    with pytest.raises(CorpusFileError, match=r"big\.txt: 1 MB is over the 1 MB limit \(RAG_MAX_FILE_MB\)"):
        save_upload(corpus, big, "big.txt", MB)
    assert not corpus.exists() or not any(corpus.iterdir())


def test_upload_of_an_unsupported_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusFileError, match=r"tool\.sh: unsupported file type \.sh"):
        save_upload(tmp_path / "corpus", write(tmp_path, "tool.sh", "echo hi"), "tool.sh", MB)


def test_delete_removes_the_document_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, "sub/report.md", "# Report")
    removed = delete_document(corpus, "sub/report.md")
    assert removed == corpus.resolve() / "sub" / "report.md"
    assert not removed.exists()


@pytest.mark.parametrize("source", ["../outside.txt", "/etc/passwd", "sub/../../outside.txt", "", "missing.txt"])
def test_delete_refuses_paths_outside_or_missing(tmp_path: Path, source: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = write(tmp_path, "outside.txt", "keep me")
    with pytest.raises(CorpusFileError, match="corpus folder"):
        delete_document(corpus, source)
    assert outside.read_text() == "keep me"


def test_delete_does_not_follow_symlinks_out_of_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = write(tmp_path / "elsewhere", "secret.txt", "keep me")
    os.symlink(outside, corpus / "link.txt")
    os.symlink(outside.parent, corpus / "linked-dir")
    for source in ("link.txt", "linked-dir/secret.txt"):
        with pytest.raises(CorpusFileError, match="no such report file"):
            delete_document(corpus, source)
    assert outside.read_text() == "keep me"


def test_delete_leaves_non_report_files_alone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    notes = write(corpus, "notes.py", "print('hi')")
    with pytest.raises(CorpusFileError, match=r"notes\.py: not a report file"):
        delete_document(corpus, "notes.py")
    assert notes.exists()

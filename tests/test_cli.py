"""The command line: JSON shapes, text output, one-line errors with exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rag.cli import main
from tests.conftest import SEED


@pytest.fixture
def dirs(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    return ["--corpus", str(corpus), "--index", str(tmp_path / "index")]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_status_search_ask_json(capsys, dirs):
    code, out, _ = run(capsys, "index", *dirs, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["added"] == [SEED.name] and summary["chunks_embedded"] == summary["chunks"] > 0
    assert set(summary) >= {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "seconds"}

    code, out, _ = run(capsys, "index", *dirs, "--json")
    assert json.loads(out)["chunks_embedded"] == 0 and json.loads(out)["unchanged"] == 1

    code, out, _ = run(capsys, "status", *dirs, "--json")
    status = json.loads(out)
    assert (status["documents"], status["model"], status["dimension"], status["backend"]) == (1, "all-MiniLM-L6-v2 (int8)", 384, "onnx-int8")

    code, out, _ = run(capsys, "search", "Which countries does the Amnesty report cover?", *dirs, "-k", "2", "--json")
    results = json.loads(out)["results"]
    assert len(results) == 2 and results[0]["rank"] == 1 and "Kyrgyzstan" in results[0]["text"]

    code, out, _ = run(capsys, "ask", "Which countries does the Amnesty report cover?", *dirs, "--json")
    answer = json.loads(out)
    assert code == 0 and answer["abstained"] is False
    assert set(answer) >= {"question", "answer", "abstained", "citations", "nearest", "timings_ms"}
    assert set(answer["timings_ms"]) == {"retrieve", "answer", "total"}
    cited = answer["citations"][0]
    assert set(cited) == {"n", "source", "title", "page", "chunk_id", "text", "quote", "quote_start", "quote_end", "score", "supported"}
    assert cited["text"][cited["quote_start"] : cited["quote_end"]] == cited["quote"]
    assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}) == [c["n"] for c in answer["citations"]]


def test_status_lists_files_waiting_for_a_reindex_and_files_that_could_not_be_read(capsys, dirs):
    tmp = Path(dirs[1])
    (tmp / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage\n%%EOF")
    run(capsys, "index", *dirs)
    (tmp / "late.txt").write_text("A late note from the monitors.", encoding="utf-8")
    code, out, _ = run(capsys, "status", *dirs)
    assert code == 0 and "waiting:     1 file(s) for python -m rag index (new: late.txt)" in out
    assert "unreadable:  1 file(s): broken.pdf (corrupt or unreadable .pdf file" in out
    code, out, _ = run(capsys, "status", *dirs, "--json")
    status = json.loads(out)
    assert status["waiting"] == {"late.txt": "new"} and list(status["unreadable"]) == ["broken.pdf"]


def test_index_of_named_files_brings_only_them_in_step(capsys, dirs, tmp_path):
    run(capsys, "index", *dirs)
    corpus = Path(dirs[1])
    (corpus / "late.txt").write_text("A late note from the monitors.", encoding="utf-8")
    (corpus / "later.txt").write_text("A later note from the monitors.", encoding="utf-8")
    code, out, _ = run(capsys, "index", *dirs, str(corpus / "late.txt"))
    assert code == 0 and out.startswith("added 1, updated 0, removed 0, unchanged 0, skipped 0; 1 chunks embedded")
    code, out, _ = run(capsys, "status", *dirs, "--json")
    assert json.loads(out)["waiting"] == {"later.txt": "new"}
    outside = tmp_path / "outside.txt"
    outside.write_text("Not a report of the corpus.", encoding="utf-8")
    code, out, err = run(capsys, "index", *dirs, str(outside))
    assert (code, out) == (1, "") and err == f"error: {outside}: not inside the corpus folder {corpus}; copy it there first.\n"


def test_text_output_lists_sources_and_nearest(capsys, dirs):
    run(capsys, "index", *dirs)
    code, out, _ = run(capsys, "ask", "Which countries does the Amnesty report cover?", *dirs)
    assert code == 0 and "[1]" in out and "Sources:\n[1] " in out and SEED.name in out
    code, out, _ = run(capsys, "ask", "What is the capital of Australia?", *dirs)
    assert out.startswith("The indexed reports do not appear to answer this.") and "Nearest passages:" in out


def test_user_mistakes_exit_non_zero_with_one_line(capsys, dirs):
    run(capsys, "index", *dirs)
    code, out, err = run(capsys, "ask", "   ", *dirs)
    assert (code, out) == (2, "") and err.count("\n") == 1 and err.startswith("error: The question is empty")
    code, _, err = run(capsys, "ask", "Anything?", "--source", "nope.txt", *dirs)
    assert code == 1 and "nope.txt" in err and "Traceback" not in err


def test_bad_setting_is_reported(capsys, dirs, monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "many")
    code, _, err = run(capsys, "status", *dirs)
    assert code == 1 and err == "error: RAG_TOP_K='many' is not a valid int.\n"


def test_show_writes_a_page_with_the_quote_marked(capsys, dirs, tmp_path):
    from tests.helpers import make_pdf

    make_pdf(tmp_path / "corpus" / "mission.pdf", ["Cover page.", "In Juba the Mission counted 312 detainees held without charge."])
    run(capsys, "index", *dirs)
    out = tmp_path / "page.png"
    code, text, _ = run(capsys, "show", "mission.pdf", "--page", "2", "--quote", "counted 312 detainees", "--out", str(out), *dirs)
    assert code == 0 and text == f"mission.pdf page 2 of 2, 1 line(s) marked -> {out}\n"
    assert out.read_bytes().startswith(b"\x89PNG")
    code, text, _ = run(capsys, "show", "mission.pdf", "--page", "1", "--out", str(out), *dirs, "--json")
    assert code == 0 and json.loads(text) == {"source": "mission.pdf", "page": 1, "pages": 2, "marked_lines": 0, "out": str(out)}
    code, _, err = run(capsys, "show", "mission.pdf", "--page", "9", "--out", str(out), *dirs)
    assert code == 1 and err == "error: mission.pdf has pages 1 to 2; there is no page 9.\n"
    code, _, err = run(capsys, "show", SEED.name, "--page", "1", "--out", str(out), *dirs)
    assert code == 1 and "PDF reports only" in err


def test_ask_exports_the_answer_with_footnotes_that_prove_each_quote(capsys, dirs, tmp_path):
    import zipfile

    from rag.ingest.loaders import file_sha256

    run(capsys, "index", *dirs)
    sha = file_sha256(tmp_path / "corpus" / SEED.name)
    code, out, _ = run(capsys, "ask", "Which countries does the Amnesty report cover?", *dirs, "--format", "md")
    assert code == 0 and out.startswith("# Answers from the reports") and "## Which countries does the Amnesty report cover?" in out
    assert re.search(r"\[\^1-1\]: “.+” — \*.+\*, " + re.escape(SEED.name.replace("_", r"\_")) + r"\. SHA-256 of the file as indexed: " + sha, out)
    code, out, _ = run(capsys, "ask", "Which countries does the Amnesty report cover?", *dirs, "--format", "csl")
    assert code == 0 and [(item["id"], item["type"]) for item in json.loads(out)] == [(SEED.name, "report")] and sha in out
    if shutil.which("pandoc") is None:
        pytest.skip("needs pandoc (apt-get install pandoc), which .ci/run installs")
    for fmt, member, note in (("docx", "word/footnotes.xml", "<w:footnote "), ("odt", "content.xml", "<text:note ")):
        path = tmp_path / f"answer.{fmt}"
        code, out, _ = run(capsys, "ask", "Which countries does the Amnesty report cover?", *dirs, "--format", fmt, "--out", str(path))
        assert code == 0 and out == f"written: {path}\n"
        xml = zipfile.ZipFile(path).read(member).decode()
        assert xml.count(note) >= 3 and sha in xml and "Less than equal" in xml
    code, _, err = run(capsys, "ask", "Anything?", *dirs, "--format", "docx")
    assert code == 1 and err == "error: --format docx writes a file: add --out FILE.docx.\n"

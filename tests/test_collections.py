"""Collections: the corpus's sub-folders, each asked and reindexed on its own."""

from __future__ import annotations

import json

import pytest

from rag.cli import main
from rag.errors import RagError
from tests.helpers import write

HAITI = "Haiti gangs report 2025\n\nIn March 2025 the Panel counted 312 detainees held without charge in Port-au-Prince prisons."
SUDAN = "South Sudan mission report 2025\n\nIn March 2025 the Mission counted 88 detainees held without charge in Juba prisons."
ROOT = "General notes\n\nThe monitoring network met twice in 2025 to compare detention figures."


@pytest.fixture
def pipeline(make_pipeline):
    built = make_pipeline()
    corpus = built.settings.corpus_dir
    write(corpus, "haiti/panel.txt", HAITI)
    write(corpus, "sudan/mission.txt", SUDAN)
    write(corpus, "notes.txt", ROOT)
    built.index()
    return built


def test_a_question_in_one_collection_never_cites_another(pipeline):
    assert pipeline.collections() == {"haiti": 1, "sudan": 1}  # the root's documents belong to none
    question = "How many detainees were held without charge in March 2025?"
    for name, figure, other in (("haiti", "312", "sudan/"), ("sudan", "88", "haiti/")):
        answer = pipeline.ask(question, collections=[name])
        assert not answer.abstained and figure in answer.answer
        assert all(c.source.startswith(f"{name}/") for c in [*answer.citations, *answer.nearest]), name
        assert not any(c.source.startswith(other) for c in answer.citations)
        assert {p.chunk.source for p in pipeline.search(question, collections=[name])} == {f"{name}/{'panel' if name == 'haiti' else 'mission'}.txt"}
    both = pipeline.ask(question)  # no collection chosen: every document
    assert {c.source.split("/")[0] for c in both.citations} >= {"haiti", "sudan"}
    missed = pipeline.ask("Who won the 2018 football World Cup?", collections=["sudan"])
    assert missed.abstained and "Only the collection sudan was searched." in missed.answer


def test_reindexing_one_collection_leaves_the_others_as_they_are(pipeline):
    corpus = pipeline.settings.corpus_dir
    write(corpus, "haiti/lynching.txt", "In 2024 at least 596 people were lynched in Haiti, the Human Rights Section said.")
    write(corpus, "sudan/mission.txt", SUDAN.replace("88", "99"))  # changed, but not in the collection reindexed
    (corpus / "notes.txt").unlink()  # gone, but at the corpus root
    summary = pipeline.index(collection="haiti")
    assert summary.added == ["haiti/lynching.txt"] and summary.updated == [] and summary.removed == [] and summary.unchanged == 1
    assert set(pipeline.records.documents()) == {"haiti/panel.txt", "haiti/lynching.txt", "sudan/mission.txt", "notes.txt"}
    assert "88" in pipeline.ask("How many detainees were held in Juba prisons?", collections=["sudan"]).answer  # as it was
    summary = pipeline.index()  # the whole corpus: now the others' changes are taken
    assert summary.updated == ["sudan/mission.txt"] and summary.removed == ["notes.txt"]
    assert "99" in pipeline.ask("How many detainees were held in Juba prisons?", collections=["sudan"]).answer
    (corpus / "sudan" / "mission.txt").unlink()
    assert pipeline.index(collection="sudan").removed == ["sudan/mission.txt"]
    assert pipeline.collections() == {"haiti": 2}


@pytest.mark.parametrize("name", ["../outside", "haiti/panel.txt", ".hidden", "nowhere", ""])
def test_a_collection_is_one_plain_sub_folder_of_the_corpus(pipeline, name):
    with pytest.raises(RagError, match="collection"):
        pipeline.index(collection=name) if name else pipeline.collection_folder(name)
    with pytest.raises(RagError, match="collection"):
        pipeline.ask("How many detainees?", collections=[name])


def test_a_collection_with_no_indexed_document_says_so(pipeline):
    (pipeline.settings.corpus_dir / "empty").mkdir()
    with pytest.raises(RagError, match="No indexed document in the collection empty"):
        pipeline.ask("How many detainees?", collections=["empty"])
    with pytest.raises(RagError, match="rebuilds the whole index"):
        pipeline.index(rebuild=True, collection="haiti")


def test_the_command_line_indexes_and_asks_one_collection(capsys, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write(corpus, "haiti/panel.txt", HAITI)
    write(corpus, "sudan/mission.txt", SUDAN)
    dirs = ["--corpus", str(corpus), "--index", str(index)]
    assert main(["index", *dirs, "--collection", "haiti", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == ["haiti/panel.txt"]  # sudan not read yet
    assert main(["index", *dirs]) == 0
    capsys.readouterr()
    assert main(["status", *dirs]) == 0
    assert "collections: haiti (1 document), sudan (1 document)" in capsys.readouterr().out
    assert main(["ask", "How many detainees were held without charge?", *dirs, "--collection", "sudan", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "88" in answer["answer"] and {c["source"] for c in answer["citations"]} == {"sudan/mission.txt"}
    assert main(["search", "detainees", *dirs, "--collection", "haiti", "--json"]) == 0
    assert {r["source"] for r in json.loads(capsys.readouterr().out)["results"]} == {"haiti/panel.txt"}
    assert main(["ask", "Anything?", *dirs, "--collection", "../etc"]) == 1
    assert "a collection is one sub-folder of the corpus" in capsys.readouterr().err


def test_a_login_limited_to_one_collection_never_reaches_another(pipeline, tmp_path):
    from rag.web.service import ChatService

    write(pipeline.settings.corpus_dir, "sudan/juba.pdf", "")  # an unreadable file of the other collection
    pipeline.index()
    service = ChatService(pipeline, {"ann": ("haiti",)})
    question = "How many detainees were held without charge in March 2025?"
    answer = service.ask(question, None, user="ann")
    assert "312" in answer.answer and {c.source for c in [*answer.citations, *answer.nearest]} <= {"haiti/panel.txt"}
    assert "88" in service.ask(question, None, user="root", collection="sudan").answer  # an unlimited login chooses any
    with pytest.raises(RagError, match="not one of yours"):
        service.ask(question, None, user="ann", collection="sudan")
    view = service.documents_view("ann")
    assert view.collections == ["haiti"] and [value for _, value in view.choices] == ["haiti/panel.txt"]
    assert all("sudan" not in str(row) and "notes.txt" not in str(row) for row in view.rows)  # nor its unreadable files
    assert service.documents_view("root").collections == ["haiti", "sudan"]
    sudan = pipeline.search("detainees Juba", collections=["sudan"])[0].chunk
    assert service.context_view(sudan.id, [], user="ann") == {"error": "sudan/mission.txt: not in your collections."}
    assert "html" in service.context_view(sudan.id, [], user="root")
    assert service.page_view("sudan/juba.pdf", 1, [], user="ann") == {"error": "sudan/juba.pdf: not in your collections."}
    assert service.original_file("sudan/mission.txt", "ann")[0] is None and service.original_file("haiti/panel.txt", "ann")[0] is not None
    assert "not in your collections" in service.delete("sudan/mission.txt", user="ann")
    assert (pipeline.settings.corpus_dir / "sudan" / "mission.txt").exists()
    corpus = pipeline.settings.corpus_dir
    upload = tmp_path / "brief.txt"
    upload.write_text("In April 2025 the Panel counted 40 more detainees in Cap-Haïtien.", encoding="utf-8")
    added = service.add([str(upload)], user="ann")  # saved into the login's collection and indexed at once, that file alone
    assert added.startswith("- Saved brief\\.txt\n\n") and "- Added: haiti/brief\\.txt" in added  # Markdown, escaped
    assert (corpus / "haiti" / "brief.txt").exists() and "haiti/brief.txt" in pipeline.records.documents()
    write(corpus, "sudan/late.txt", "A late report from Juba.")
    write(corpus, "haiti/by-hand.txt", "A note copied into the folder by hand: 7 detainees released in Jacmel.")
    assert "haiti/by\\-hand\\.txt" in service.documents_view("ann").summary and "late" not in service.documents_view("ann").summary
    summary = service.reindex(user="ann")
    assert summary["added"] == ["haiti/by-hand.txt"]  # the other collection's new file waits for its own reindex
    assert "sudan/late.txt" not in pipeline.records.documents()
    for name in ("sudan/late.txt", "haiti/../sudan/late.txt"):  # naming another collection's file reaches nothing either
        with pytest.raises(RagError, match="sudan/late.txt: not in your collections"):
            service.reindex(user="ann", files=[name])


def test_the_served_api_keeps_a_limited_login_to_its_collections(pipeline, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from tests.helpers import launch_app

    logins = tmp_path / "logins.txt"
    logins.write_text("root:toor\nann:s3cret collections=haiti\n", encoding="utf-8")
    demo, url = launch_app(pipeline, auth=str(logins))
    try:
        ann = Client(url, auth=("ann", "s3cret"), verbose=False, analytics_enabled=False)
        answer = ann.predict(question="How many detainees were held without charge?", api_name="/ask")
        assert "312" in answer["answer"] and {c["source"] for c in answer["citations"]} == {"haiti/panel.txt"}
        with pytest.raises(AppError, match="not one of yours"):
            ann.predict(question="How many detainees?", collection="sudan", api_name="/ask")
        assert ann.predict(source="sudan/mission.txt", page=1, api_name="/page") == {"error": "sudan/mission.txt: not in your collections."}
        with pytest.raises(AppError, match="not in your collections"):
            ann.predict(files=["sudan/mission.txt"], api_name="/reindex")
        write(pipeline.settings.corpus_dir, "haiti/brief.txt", "In April 2025 the Panel counted 40 more detainees.")
        assert ann.predict(files=["haiti/brief.txt"], api_name="/reindex")["added"] == ["haiti/brief.txt"]
        root = Client(url, auth=("root", "toor"), verbose=False, analytics_enabled=False)
        assert "88" in root.predict(question="How many detainees were held without charge?", collection="sudan", api_name="/ask")["answer"]
    finally:
        demo.close()

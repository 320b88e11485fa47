"""Feedback lines carry the verdict and the evaluation question keys, one JSON object a line."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from rag.web.feedback import append_feedback, feedback_record

ANSWER = {
    "question": "Who founded Lantern Watch?",
    "answer": "Lantern Watch was founded in 2011 in Tbilisi. [1]",
    "abstained": False,
    "citations": [
        {"n": 1, "source": "lantern.txt", "title": "Lantern Watch", "page": None, "chunk_id": "c1",
         "text": "long passage", "quote": "Lantern Watch was founded in 2011 in Tbilisi.", "quote_start": 0,
         "quote_end": 45, "score": 0.8},
    ],
    "nearest": [],
}


def test_record_has_verdict_citations_and_eval_keys() -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    record = feedback_record(ANSWER, liked=False, comment="  wrong year ", when=when, user="ann")
    assert record == {
        "question": "Who founded Lantern Watch?",
        "answer": "Lantern Watch was founded in 2011 in Tbilisi. [1]",
        "citations": [{"n": 1, "source": "lantern.txt", "title": "Lantern Watch", "page": None, "chunk_id": "c1",
                       "quote": "Lantern Watch was founded in 2011 in Tbilisi."}],
        "liked": False,
        "comment": "wrong year",
        "time": "2024-05-01T12:00:00+00:00",
        "user": "ann",
        "expected": [],
        "source": "lantern.txt",
        "abstained": False,
        "answerable": True,
    }


def test_abstained_answer_has_no_source() -> None:
    abstained = {"question": "Capital of France?", "answer": "The indexed reports do not appear to answer this.",
                 "abstained": True, "citations": []}
    record = feedback_record(abstained, liked=True)
    assert (record["source"], record["citations"], record["comment"]) == (None, [], "")
    # liked: the reader agrees the reports do not say; disliked: the reader says they do
    assert (record["abstained"], record["answerable"]) == (True, False)
    assert feedback_record(abstained, liked=False)["answerable"] is True


def test_append_writes_one_line_per_record_from_many_threads(tmp_path: Path) -> None:
    records = [feedback_record(ANSWER, liked=i % 2 == 0, comment=f"note {i}") for i in range(40)]
    threads = [threading.Thread(target=append_feedback, args=(tmp_path / "index", r)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "index" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["comment"] for line in lines) == sorted(f"note {i}" for i in range(40))

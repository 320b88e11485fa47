"""Readers' verdicts on answers, kept as JSON lines that double as evaluation questions.

Each line carries the keys of the evaluation question format (`question`, `expected`, `source`,
`answerable`) so a reviewer can fill in `expected` and feed the file to the evaluation.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

FEEDBACK_FILE = "feedback.jsonl"
_CITATION_KEYS = ("n", "source", "title", "page", "chunk_id", "quote")
_write_lock = threading.Lock()


def feedback_record(answer: dict, liked: bool, comment: str = "", when: datetime | None = None, user: str | None = None) -> dict:
    """One feedback line from an answer as Answer.to_dict() gives it; `user` is the login that rated it (None when the
    page has no login), so a reviewer can tell readers and collections apart."""
    citations = [{k: c.get(k) for k in _CITATION_KEYS} for c in answer.get("citations", [])]
    return {
        "question": answer["question"],
        "answer": answer["answer"],
        "citations": citations,
        "liked": liked,
        "comment": comment.strip(),
        "time": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "user": user,
        "expected": [],
        "source": citations[0]["source"] if citations else None,
        "abstained": bool(answer.get("abstained")),
        # a liked "not in the reports" is a reader agreeing the reports do not say: an unanswerable question
        "answerable": not (answer.get("abstained") and liked),
    }


def append_feedback(index_dir: Path, record: dict) -> Path:
    """Append one record to index_dir/feedback.jsonl; one whole line per write, safe across threads."""
    path = index_dir / FEEDBACK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _write_lock, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return path

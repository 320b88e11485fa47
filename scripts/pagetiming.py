"""Page view timing: how long the page view takes for the PDF pages answers actually cite.

Asks each question of a JSON-lines file (the `eval qa` format) against an existing index, then, for
every PDF page an answer cites, times the page view as the web page calls it (render, mark the
quotes, PNG, base64): once cold (the first view of that page) and three times warm. Prints p50/p95.

    python scripts/pagetiming.py QUESTIONS.jsonl --corpus CORPUS --index INDEX
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.web.service import ChatService  # noqa: E402

WARM_RUNS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args()
    settings = dataclasses.replace(Settings.from_env(), corpus_dir=args.corpus, index_dir=args.index)
    service = ChatService(Pipeline(settings))
    pages: dict[tuple[str, int], list[str]] = {}
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            answer = service.ask(json.loads(line)["question"], None)
            for c in answer.citations:
                if c.page is not None and c.source.lower().endswith(".pdf"):
                    pages.setdefault((c.source, c.page), []).append(c.quote)
    cold, warm, marked = [], [], 0
    for (source, page), quotes in pages.items():
        for run in range(1 + WARM_RUNS):
            started = time.perf_counter()
            shown = service.page_view(source, page, quotes)
            (cold if run == 0 else warm).append((time.perf_counter() - started) * 1000)
        marked += bool(shown.get("marked"))
    print(f"cited PDF pages: {len(pages)}; quote marked on {marked}")
    for name, times in (("cold", cold), ("warm", warm)):
        print(f"{name}: p50 {np.percentile(times, 50):.0f} ms, p95 {np.percentile(times, 95):.0f} ms, max {max(times):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Search and ask timed on an existing index, as the bench's query scale times its filled stores.

The index is opened once untimed (the first process to open a store pays for Chroma applying its write log), then
searched and asked the first QUERIES + 1 SciFact claims, each in a freshly spawned interpreter, with the bench's own
job (`serve_ours`): the first query timed apart, p50/p95 of the rest, peak RSS. Use it on a store too large to fill
again for one figure, such as the million-chunk store a bench run left behind.

    python scripts/servescale.py --corpus big/corpus --index big/index --queries 200
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.lab.bench import in_fresh_process  # noqa: E402
from rag.lab.bench_jobs import serve_ours, settle_ours  # noqa: E402
from rag.lab.datasets import eval_dir, load_scifact  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="corpus folder of an existing index")
    parser.add_argument("--index", required=True, help="its index folder")
    parser.add_argument("--queries", type=int, default=200, help="warm queries timed (one more is asked first)")
    parser.add_argument("--data", help="benchmark data folder (RAG_EVAL_DIR, default ../shared/eval)")
    args = parser.parse_args(argv)
    settings = replace(Settings.from_env(), corpus_dir=Path(args.corpus), index_dir=Path(args.index), chroma_url="")
    queries = list(load_scifact(eval_dir(args.data, os.environ)).queries.values())[: args.queries + 1]
    in_fresh_process(settle_ours, settings, queries[0])
    report = {what: in_fresh_process(serve_ours, settings, queries, what) for what in ("search", "ask")}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One report added to (then deleted from) an existing index, reindexed with its file named or by listing the corpus.

Each reindex runs in a freshly spawned interpreter, as `python -m rag index` does, and is timed without loading the
model and opening the stores (the bench's own job, `ours_reindex`). In each round and mode, a new report is written into
the corpus, reindexed, removed, and reindexed again; the modes alternate within a round, so their figures compare
runs seconds apart. The report is a short text of its own (a fresh text each time, so it is embedded); the corpus and
index are left as they were found.

    python scripts/reindexnamed.py --corpus big/corpus --index big/index --rounds 4 --modes named,listed
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.lab.bench import in_fresh_process  # noqa: E402
from rag.lab.bench_jobs import ours_reindex  # noqa: E402

PROBE = (
    "Monitoring note {tag}. The observers recorded {n} hearings in the regional court during the reporting period, "
    "and noted that {m} of the defendants had no lawyer of their own choosing at the first hearing."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="corpus folder of an existing index")
    parser.add_argument("--index", required=True, help="its index folder")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--modes", default="named,listed", help="named, listed, or both (comma-separated)")
    args = parser.parse_args(argv)
    settings = replace(Settings.from_env(), corpus_dir=Path(args.corpus), index_dir=Path(args.index), chroma_url="")
    tag = time.strftime("%Y%m%d-%H%M%S")
    rows = []
    for n in range(args.rounds):
        for mode in args.modes.split(","):
            path = settings.corpus_dir / f"reindex-probe-{tag}-{n}-{mode}.txt"
            path.write_text(PROBE.format(tag=f"{tag}-{n}-{mode}", n=11 + n, m=3 + n), encoding="utf-8")
            time.sleep(2.1)  # past the settling window: as a file saved a moment before, not during, a reindex
            named = [str(path)] if mode == "named" else None
            add = in_fresh_process(ours_reindex, settings, named)
            path.unlink()
            delete = in_fresh_process(ours_reindex, settings, named)
            rows.append({"round": n, "mode": mode, "add": add, "delete": delete})
            print(f"round {n} {mode:>6}: add {add['seconds']:.3f} s, delete {delete['seconds']:.3f} s "
                  f"({add['documents']:,} documents)", file=sys.stderr, flush=True)
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

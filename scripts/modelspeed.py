"""Indexing speed of the embedding models side by side: full build and raw encode of the same SciFact abstracts.

Each model runs in a freshly spawned interpreter (its time and peak memory its own), one after the
other, in rounds (model A, model B, model A, ...), so the ratios compare runs minutes apart on the same
machine. A full build is `Pipeline.index()` of the abstracts written as files; the raw encode is the
model alone over the chunk texts that build stored, in one call, as the bench measures it. Models
chunk with their own tokenizers, so chunk counts differ: chunks/s and documents/s are both reported.

    python scripts/modelspeed.py --docs 1000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import DEFAULT_MODEL, E5_MODEL, Settings  # noqa: E402
from rag.lab.datasets import eval_dir, load_scifact  # noqa: E402
from rag.lab.evaluate import write_corpus  # noqa: E402


def build_and_encode(model: str, corpus: str, index: str) -> dict:
    """Load model, build the index of corpus, encode the stored chunk texts again alone; times and peak RSS."""
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    from rag.lab.bench_jobs import encode_alone, peak_rss_mb, stored_chunks
    from rag.models.embeddings import load_embeddings
    from rag.pipeline import Pipeline

    settings = Settings(embed_model=model, corpus_dir=Path(corpus), index_dir=Path(index))
    started = time.perf_counter()
    pipeline = Pipeline(settings, load_embeddings(settings))
    loaded = time.perf_counter()
    summary = pipeline.index()
    built = time.perf_counter() - loaded
    texts = list(dict.fromkeys(c.text for c in stored_chunks(pipeline.store)))
    raw = encode_alone(pipeline.embeddings.encode, texts)
    pipeline.close()
    return {
        "model": pipeline.embeddings.name,
        "load_s": round(loaded - started, 2),
        "documents": summary.documents,
        "chunks": summary.chunks,
        "build_s": round(built, 2),
        "build_chunks_per_s": round(summary.chunks / built, 1),
        "build_docs_per_s": round(summary.documents / built, 1),
        "raw_encode_chunks_per_s": raw["chunks_per_s"],
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models", default=f"{DEFAULT_MODEL},{E5_MODEL}", help="comma-separated RAG_EMBED_MODEL values")
    parser.add_argument("--data", help="benchmark data folder (default ../shared/eval)")
    args = parser.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    data = load_scifact(eval_dir(args.data, os.environ))
    documents = dict(list(data.documents.items())[: args.docs])
    runs: list[dict] = []
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="rag-modelspeed-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, documents)
        for round_no in range(args.rounds):
            for n, model in enumerate(models):
                index = Path(tmp) / f"index-{round_no}-{n}"
                with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    run = pool.submit(build_and_encode, model, str(corpus), str(index)).result()
                run["round"] = round_no + 1
                runs.append(run)
                print(json.dumps(run), flush=True)
    base = [r for r in runs if r["model"].startswith(models[0])]
    print(f"\nmachine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"command: python scripts/modelspeed.py --docs {args.docs} --rounds {args.rounds}\n")
    print("| model | round | chunks | build s | build chunks/s | raw encode chunks/s | build vs first model | raw vs first model | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run in runs:
        ref = next(r for r in base if r["round"] == run["round"])
        build_ratio = run["build_chunks_per_s"] / ref["build_chunks_per_s"]
        raw_ratio = run["raw_encode_chunks_per_s"] / ref["raw_encode_chunks_per_s"]
        print(
            f"| {run['model']} | {run['round']} | {run['chunks']:,} | {run['build_s']} | {run['build_chunks_per_s']} | "
            f"{run['raw_encode_chunks_per_s']} | {build_ratio:.0%} | {raw_ratio:.0%} | {run['peak_rss_mb']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

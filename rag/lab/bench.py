"""`python -m rag bench`: this pipeline against the plain LangChain recipe on the same SciFact abstracts.

Each measurement runs in a freshly spawned interpreter (rag.lab.bench_jobs), so its timings and
peak memory belong to one pipeline alone. Both pipelines run in the same command, one after the
other, and the report puts them side by side as ratios: absolute times drift with the load of a
shared machine, ratios measured minutes apart much less.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rag.config import DEFAULT_MODEL, Settings, apply_network_policy
from rag.errors import ConfigError
from rag.lab import bench_jobs as jobs
from rag.lab.baseline import BATCH_SIZE, CHUNK_CHARS, OVERLAP_CHARS
from rag.lab.datasets import RetrievalSet, eval_dir, load_scifact
from rag.lab.evaluate import write_corpus
from rag.lab.reports import table

DEFAULT_SCALES = (5000, 50000, 100000)
REINDEX_SIZES = (1000, 5000)
_THREADING_ENV = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS")  # settings that change torch's speed on a busy machine
Log = Callable[[str], None]


@dataclass(frozen=True)
class BenchOptions:
    """What to measure: the real corpus size, the store sizes for query latency, the number of queries."""

    docs: int = 5000
    scales: tuple[int, ...] = DEFAULT_SCALES
    queries: int = 200
    data: str | None = None

    def command(self) -> str:
        scales = ",".join(str(s) for s in self.scales)
        return f"python -m rag bench --docs {self.docs} --scales {scales} --queries {self.queries}"


def parse_scales(text: str) -> tuple[int, ...]:
    """Comma-separated positive chunk counts, e.g. '5000,50000,100000'."""
    try:
        scales = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"--scales {text!r} must be comma-separated whole numbers of chunks, e.g. 5000,50000.") from None
    if not scales or min(scales) < 1:
        raise ConfigError(f"--scales {text!r} must name at least one store size of 1 chunk or more.")
    return scales


def run_benchmark(settings: Settings, options: BenchOptions, log: Log) -> dict:
    """Build, reindex and query with both pipelines; the report as one JSON-ready dict."""
    _check(settings, options)
    data = load_scifact(eval_dir(options.data, os.environ))
    sizes = session_sizes(options.docs)
    documents = scifact_documents(data, max(sizes) + 1)
    queries = list(data.queries.values())[: options.queries + 1]
    if len(queries) <= options.queries:
        raise ConfigError(f"--queries {options.queries}: SciFact has {len(data.queries)} claims, and one more than asked is needed.")
    apply_network_policy(settings)
    report: dict = {"command": options.command(), "machine": machine(), "setup": setup(settings)}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        root = Path(tmp)
        scales = options.scales
        sessions = {size: run_session(root, settings, documents, size, scales if size == options.docs else (), log) for size in sizes}
        largest = sessions[options.docs]
        report["build"] = build_row(largest)
        report["reindex"] = [reindex_row(sessions[size]) for size in sizes]
        filled = zip(scales, largest["ours"]["filled"], largest["baseline"]["filled"])
        report["queries"] = [query_scale(root, settings, size, stores, queries, log) for size, *stores in filled]
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = targets(report)
    return report


def _check(settings: Settings, options: BenchOptions) -> None:
    if settings.embed_model != DEFAULT_MODEL:
        raise ConfigError(f"The benchmark compares both recipes on the bundled {DEFAULT_MODEL}; unset RAG_EMBED_MODEL to run it.")
    if options.docs < 3 or options.queries < 1:
        raise ConfigError("--docs must be at least 3 (one is edited, one deleted) and --queries at least 1.")


def session_sizes(docs: int) -> list[int]:
    """Corpus sizes measured: 1,000 and 5,000 documents (capped at --docs) and --docs itself."""
    return sorted({min(size, docs) for size in REINDEX_SIZES} | {docs})


def scifact_documents(data: RetrievalSet, count: int) -> list[tuple[str, str]]:
    """(id, title and text) of count abstracts; past the real ones, copies with distinct ids and a marked title."""
    real = list(data.documents.items())
    documents = []
    for n in range(count):
        doc_id, text = real[n % len(real)]
        copy = n // len(real)
        documents.append((f"{doc_id}-copy{copy}", f"[copy {copy}] {text}") if copy else (doc_id, text))
    return documents


def in_fresh_process(job: Callable[..., dict], *args: object) -> dict:
    """Run job in a newly spawned interpreter, so its time and peak memory are its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_quiet) as pool:
        return pool.submit(job, *args).result()


def _quiet() -> None:
    """Keep model-loading progress bars and warnings out of the benchmark's output."""
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"


# -- the three measurements ---------------------------------------------------------------------


def run_session(root: Path, settings: Settings, documents: list[tuple[str, str]], size: int, scales: Sequence[int], log: Log) -> dict:
    """Both pipelines over the first `size` documents: full build, then add, edit and delete one file.

    The session of the largest corpus (the one given query scales) also encodes its chunks raw and
    fills the query-scale stores from its index.
    """
    corpus, spare, raw = dict(documents[:size]), documents[size], bool(scales)
    ours = in_folder(settings, root / f"ours-{size}")
    baseline_dir = root / f"baseline-{size}"
    write_corpus(ours.corpus_dir, corpus)
    write_corpus(baseline_dir / "corpus", corpus)
    fills = [(in_folder(settings, root / f"scale-{n}" / "ours"), n) for n in scales]
    then = f"{', raw encode of its chunks' if raw else ''}, then add, edit and delete one document"
    log(f"ours: full build of {size:,} documents{then}{', then fill the query-scale stores' if raw else ''}")
    ours_figures = in_fresh_process(jobs.ours_session, ours, spare, raw, fills)
    log(f"baseline: full build of {size:,} documents{then}, rebuilding after each{', then fill the stores' if raw else ''}")
    baseline_fills = [(root / f"scale-{n}" / "baseline", n) for n in scales]
    baseline_figures = in_fresh_process(jobs.baseline_session, settings, baseline_dir / "corpus", spare, baseline_dir, raw, baseline_fills)
    return {"documents": size, "ours": ours_figures, "baseline": baseline_figures}


def in_folder(settings: Settings, folder: Path) -> Settings:
    """Settings of an embedded index with its corpus and index inside folder."""
    return replace(settings, corpus_dir=folder / "corpus", index_dir=folder / "index", chroma_url="")


def query_scale(root: Path, settings: Settings, size: int, stores: Sequence[dict], queries: Sequence[str], log: Log) -> dict:
    """Both stores, already filled to `size` chunks, timed for retrieval and for the whole ask."""
    folder = root / f"scale-{size}"
    ours = in_folder(settings, folder / "ours")
    log(f"stores of {size:,} chunks: opened once untimed, then {len(queries) - 1} queries each: ours search, ours ask, baseline search")
    in_fresh_process(jobs.settle, ours, folder / "baseline", "untimed question to open the stores")
    served = {what: in_fresh_process(jobs.serve_ours, ours, queries, what) for what in ("search", "ask")}
    baseline = in_fresh_process(jobs.serve_baseline, settings, folder / "baseline", queries)
    shutil.rmtree(folder)
    filled, baseline_filled = stores
    return {
        "chunks": size,
        "synthetic": size > min(filled["real"], baseline_filled["real"]),
        "ours": {"store": filled, **served},
        "baseline": {"store": baseline_filled, "similarity_search": baseline},
        "p95_ratio": {key: _ratio(baseline["p95_ms"], served[key]["p95_ms"]) for key in ("search", "ask")},
    }


# -- the report -----------------------------------------------------------------------------------


def build_row(session: dict) -> dict:
    """Full build side by side, each beside the model's raw encode of its own chunks."""
    ours, baseline = session["ours"], session["baseline"]
    for side in (ours, baseline):
        build = side["build"]
        build["chunks_per_s"] = round(build["chunks"] / build["seconds"], 2)
        build["share_of_raw"] = round(build["chunks_embedded"] / build["seconds"] / side["raw_encode"]["chunks_per_s"], 3)
    return {
        "documents": session["documents"],
        "ours": ours["build"],
        "baseline": baseline["build"],
        "raw_encode": {"ours": ours["raw_encode"], "baseline": baseline["raw_encode"]},
        "speedup": _ratio(baseline["build"]["seconds"], ours["build"]["seconds"]),
        "raw_speedup": _ratio(baseline["raw_encode"]["seconds"], ours["raw_encode"]["seconds"]),
        "rss_ratio": _ratio(ours["build"]["peak_rss_mb"], baseline["build"]["peak_rss_mb"]),
    }


def reindex_row(session: dict) -> dict:
    """Seconds to bring each index up to date after one change, and how many times faster ours is."""
    ours, baseline = session["ours"]["reindex"], session["baseline"]["reindex"]
    return {
        "documents": session["documents"],
        "ours": ours,
        "baseline": baseline,
        "speedup": {change: _ratio(baseline[change]["seconds"], ours[change]["seconds"]) for change in jobs.CHANGES},
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("inf")


def targets(report: dict) -> list[dict]:
    """The issue's targets, each with the measured value and whether it was met."""
    build, largest = report["build"], report["queries"][-1]
    add = next((row for row in reversed(report["reindex"]) if row["documents"] <= max(REINDEX_SIZES)), report["reindex"][0])
    rss = max(largest["ours"]["search"]["peak_rss_mb"], largest["ours"]["ask"]["peak_rss_mb"])
    at = f"at {largest['chunks']:,} chunks"
    rows = [
        ("full-build embedding throughput >= 90% of raw encode", build["ours"]["share_of_raw"], build["ours"]["share_of_raw"] >= 0.9),
        ("full build not slower than the baseline (speed-up >= 1)", build["speedup"], build["speedup"] >= 1),
        (f"add 1 document to {add['documents']:,}: >= 50x faster than the rebuild", add["speedup"]["add"], add["speedup"]["add"] >= 50),
        (f"warm ask p95 <= 150 ms {at}", largest["ours"]["ask"]["p95_ms"], largest["ours"]["ask"]["p95_ms"] <= 150),
        (f"warm retrieval p95 <= 50 ms {at}", largest["ours"]["search"]["p95_ms"], largest["ours"]["search"]["p95_ms"] <= 50),
        (f"peak RSS serving queries <= 2048 MB {at}", rss, rss <= 2048),
    ]
    return [{"target": name, "measured": value, "met": bool(met)} for name, value, met in rows]


def machine() -> dict:
    """CPU count and model, memory, versions and the load average: the context every figure needs."""
    import psutil

    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "threading_env": {name: os.environ.get(name, "") for name in _THREADING_ENV},
    }


def setup(settings: Settings) -> dict:
    """How each side was configured, so the figures can be read fairly."""
    return {
        "ours": {
            "chunking": f"{settings.chunk_tokens} model tokens, {settings.chunk_overlap} overlap, sentence-aware",
            "embed_batch_size": settings.embed_batch_size,
            "embed_backend": settings.embed_backend,
            "retrieval": f"hybrid (dense + BM25, fusion {settings.fusion}), top {settings.top_k}",
        },
        "baseline": {
            "chunking": f"RecursiveCharacterTextSplitter({CHUNK_CHARS} characters, {OVERLAP_CHARS} overlap)",
            "embed_batch_size": BATCH_SIZE,
            "embed_backend": "torch (sentence-transformers)",
            "retrieval": f"Chroma similarity_search, k={settings.top_k}",
        },
        "model": DEFAULT_MODEL,
        "synthetic_stores": "beyond the real chunks, stores hold replicas of them (new id and source, same text; "
        "replica r stores with chunk i the vector of chunk i - r plus N(0, "
        f"{jobs.NOISE}^2) noise per dimension, renormalised, and in ours its BM25 tokens, so the chunks a question "
        "finds are different texts)",
    }


def render(report: dict) -> str:
    """The report as readable tables, ratios beside the figures."""
    m = report["machine"]
    lines = [
        "Benchmark: rag Pipeline (ours) vs the LangChain tutorial recipe (baseline), SciFact abstracts",
        f"command: {report['command']}",
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, Python {m['python']}; "
        f"load average {m['load_average_before'][0]} before, {m['load_average_after'][0]} after; "
        f"threading env: {' '.join(f'{k}={v}' for k, v in m['threading_env'].items() if v) or 'defaults'}",
        f"ours: {report['setup']['ours']['chunking']}; baseline: {report['setup']['baseline']['chunking']}",
        "",
        *render_build(report["build"]),
        "",
        *render_reindex(report["reindex"]),
        "",
        *render_queries(report["queries"], report["setup"]["synthetic_stores"]),
        "",
        "Targets",
        *(f"  [{'met' if t['met'] else 'MISS'}] {t['target']}: {t['measured']}" for t in report["targets"]),
    ]
    return "\n".join(lines)


def render_build(build: dict) -> list[str]:
    ours, base, raw = build["ours"], build["baseline"], build["raw_encode"]
    rows = [
        ("seconds", ours["seconds"], base["seconds"], _faster(build["speedup"])),
        ("documents", ours["documents"], base["documents"], ""),
        ("chunks", ours["chunks"], base["chunks"], ""),
        ("chunks/s", ours["chunks_per_s"], base["chunks_per_s"], ""),
        ("raw encode of the same chunks, s", raw["ours"]["seconds"], raw["baseline"]["seconds"], _faster(build["raw_speedup"])),
        ("pipeline throughput / raw encode", f"{ours['share_of_raw']:.0%}", f"{base['share_of_raw']:.0%}", ""),
        ("peak RSS MB", ours["peak_rss_mb"], base["peak_rss_mb"], f"{build['rss_ratio']}x"),
    ]
    return [
        f"1. Full index build, {build['documents']:,} documents (raw encode: SentenceTransformer.encode alone, one call, "
        "each side's chunks and batch size)",
        table(("", "ours", "baseline", "ours vs baseline"), rows, numbers=True),
    ]


def _faster(speedup: float) -> str:
    return f"{speedup}x faster" if speedup >= 1 else f"{round(1 / speedup, 2)}x slower"


def render_reindex(rows: list[dict]) -> list[str]:
    cells = [
        (f"{row['documents']:,}", change, row["ours"][change]["seconds"], row["ours"][change]["chunks_embedded"],
         row["baseline"][change]["seconds"], f"{row['speedup'][change]}x")
        for row in rows
        for change in jobs.CHANGES
    ]
    return [
        "2. Reindex after one change (ours: incremental Pipeline.index(); baseline: rebuild from scratch), seconds",
        table(("documents", "change", "ours s", "ours embedded", "baseline s", "speed-up"), cells, numbers=True),
    ]


def render_queries(scales: list[dict], synthetic: str) -> list[str]:
    cells, memory, steps = [], [], []
    for scale in scales:
        base = scale["baseline"]["similarity_search"]
        kind = "synthetic" if scale["synthetic"] else "real"
        for what, key in (("retrieval", "search"), ("ask", "ask")):
            ours = scale["ours"][key]
            cells.append((f"{scale['chunks']:,}", kind, what, ours["p50_ms"], ours["p95_ms"], ours["first_ms"],
                          base["p50_ms"], base["p95_ms"], base["first_ms"], f"{scale['p95_ratio'][key]}x"))
        rss = max(scale["ours"]["search"]["peak_rss_mb"], scale["ours"]["ask"]["peak_rss_mb"])
        memory.append(f"{scale['chunks']:,} chunks: ours {rss} MB, baseline {base['peak_rss_mb']} MB")
        step = scale["ours"]["ask"]["answer_step"]
        steps.append(f"{scale['chunks']:,} chunks: p50 {step['p50_ms']} ms, p95 {step['p95_ms']} ms")
    queries = scales[0]["ours"]["search"]["queries"] if scales else 0
    return [
        f"3. Query latency in ms over {queries} warm queries (SciFact claims), the first query apart ('1st')",
        "   ours retrieval = Pipeline.search (hybrid) and ours ask = Pipeline.ask, each in a fresh process;",
        "   baseline (both rows) = similarity_search in a fresh process",
        table(
            ("chunks", "store", "what", "ours p50", "ours p95", "ours 1st", "base p50", "base p95", "base 1st", "p95 base/ours"),
            cells,
            numbers=True,
        ),
        f"   of which the answer step (after retrieval): {'; '.join(steps)}",
        f"   peak RSS of the serving process: {'; '.join(memory)}",
        f"   synthetic stores: {synthetic}",
    ]

"""The benchmark report (rag.lab.bench) as readable tables for a terminal and BENCHMARKS.md, ratios beside the figures."""

from __future__ import annotations

from rag.lab.bench_jobs import CHANGES
from rag.lab.reports import table

NOT_RUN = "not run"


def render(report: dict) -> str:
    """Every section of the report, then the targets."""
    m, setup = report["machine"], report["setup"]
    lines = [
        "Benchmark: rag Pipeline (ours) vs the LangChain tutorial recipe (recipe: rebuilds after each change) "
        "and LangChain's indexing API (index()), SciFact abstracts",
        f"command: {report['command']}",
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, Python {m['python']}; "
        f"load average {m['load_average_before'][0]} before, {m['load_average_after'][0]} after; "
        f"threading env: {' '.join(f'{k}={v}' for k, v in m['threading_env'].items() if v) or 'defaults'}",
        f"ours: {setup['ours']['chunking']}; recipe and index(): {setup['baseline']['chunking']}",
        f"index(): {setup['index_api']['indexing']}",
        "",
        *render_build(report["build"]),
        "",
        *render_reindex(report["reindex"]),
        "",
        *render_curve(report["reindex"]),
        "",
        *render_queries(report["queries"], setup["synthetic_stores"]),
        "",
        "Targets",
        *(f"  [{_verdict(t['met'])}] {t['target']}: {t['measured']}" for t in report["targets"]),
    ]
    return "\n".join(lines)


def _verdict(met: bool | None) -> str:
    return NOT_RUN if met is None else ("met" if met else "MISS")


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
        table(("", "ours", "recipe", "ours vs recipe"), rows, numbers=True),
    ]


def _faster(speedup: float) -> str:
    return f"{speedup}x faster" if speedup >= 1 else f"{round(1 / speedup, 2)}x slower"


def render_reindex(rows: list[dict]) -> list[str]:
    """Per corpus size: the build, then each change, for the three pipelines."""
    cells = []
    for row in rows:
        cells.append(_build_cells(row))
        cells.extend(_change_cells(row, change) for change in CHANGES)
    prefilled = any(build and build.get("prefilled") for row in rows for build in row["build"].values())
    return [
        "2. Build, then reindex after one change, seconds. ours: incremental Pipeline.index(), listing the corpus; named: the",
        "   same change again, reindexed with the file named (python -m rag index FILE; the page's Add reports); recipe: rebuild",
        "   from scratch; index(): LangChain's index() with an SQL record manager, cleanup='full'. Each reindex is a new process",
        "   (model load and opening the stores not counted); none: nothing changed since the last reindex; recipe not run above",
        "   --recipe-max",
        table(
            ("documents", "step", "ours s", "ours embedded", "named s", "recipe s", "index() s", "index() embedded", "recipe/ours", "index()/ours"),
            cells,
            numbers=True,
        ),
        *(["   * pre-filled build (--prefill): copies reuse the real abstracts' vectors, so no build time"] if prefilled else []),
    ]


def _build_cells(row: dict) -> tuple:
    ours, base, api = row["build"]["ours"], row["build"]["baseline"], row["build"]["index_api"]
    speedup = row["build_speedup"]
    return (
        f"{row['documents']:,}",
        "build",
        _seconds(ours),
        ours["chunks_embedded"],
        "-",
        _seconds(base),
        _seconds(api),
        api["chunks_embedded"],
        _times(speedup["baseline"]) if base else NOT_RUN,
        _times(speedup["index_api"]),
    )


def _times(speedup: float | None) -> str:
    """A build's speed-up, or '-' where a pre-filled build makes it no comparison."""
    return "-" if speedup is None else f"{speedup}x"


def _change_cells(row: dict, change: str) -> tuple:
    ours, base, api, named = row["ours"][change], row["baseline"], row["index_api"][change], row.get("ours_named")
    return (
        f"{row['documents']:,}",
        change,
        ours["seconds"],
        ours["chunks_embedded"],
        named[change]["seconds"] if named else NOT_RUN,
        base[change]["seconds"] if base else NOT_RUN,
        api["seconds"],
        api["chunks_embedded"],
        f"{row['speedup'][change]}x" if base else NOT_RUN,
        f"{row['speedup_index_api'][change]}x",
    )


def _seconds(build: dict | None) -> str:
    if not build:
        return NOT_RUN
    return f"{build['seconds']}*" if build.get("prefilled") else str(build["seconds"])


def render_curve(rows: list[dict]) -> list[str]:
    """Seconds per change against corpus size: one row per size, each pipeline's changes side by side."""
    cells = []
    for row in rows:
        base = row["baseline"]
        rebuild = round(sum(base[c]["seconds"] for c in CHANGES) / len(CHANGES), 3) if base else NOT_RUN
        chunks = f"{row['build']['ours']['chunks']:,} / {row['build']['index_api']['chunks']:,}"
        cells.append(
            (
                f"{row['documents']:,}",
                chunks,
                *(row["ours"][c]["seconds"] for c in CHANGES),
                rebuild,
                *(row["index_api"][c]["seconds"] for c in CHANGES),
            )
        )
    head = ("documents", "chunks ours / index()", *(f"ours {c}" for c in CHANGES), "recipe rebuild", *(f"index() {c}" for c in CHANGES))
    return [
        "3. Seconds per change against corpus size (recipe rebuild: the mean of its rebuilds, one per change)",
        table(head, cells, numbers=True),
    ]


def render_queries(scales: list[dict], synthetic: str) -> list[str]:
    cells, memory, steps, changes = [], [], [], []
    for scale in scales:
        base = scale["baseline"]["similarity_search"]
        kind = "synthetic" if scale["synthetic"] else "real"
        for what, key in (("retrieval", "search"), ("ask", "ask")):
            ours = scale["ours"][key]
            cells.append(
                (
                    f"{scale['chunks']:,}",
                    kind,
                    what,
                    ours["p50_ms"],
                    ours["p95_ms"],
                    ours["first_ms"],
                    base["p50_ms"],
                    base["p95_ms"],
                    base["first_ms"],
                    f"{scale['p95_ratio'][key]}x",
                )
            )
        rss = max(scale["ours"]["search"]["peak_rss_mb"], scale["ours"]["ask"]["peak_rss_mb"])
        memory.append(f"{scale['chunks']:,} chunks: ours {rss} MB, recipe {base['peak_rss_mb']} MB")
        reindex, named, first = scale["ours"]["reindex"], scale["ours"].get("named"), scale["ours"].get("first_listing")
        changes.append(
            f"{scale['chunks']:,} chunks: "
            + ", ".join(f"{c} {reindex[c]['seconds']} s" + (f" ({named[c]['seconds']} s named)" if named else "") for c in reindex)
            + (f"; first, the corpus listed once after the fills, nothing changed (not a target): {first['seconds']} s" if first else "")
        )
        step = scale["ours"]["ask"]["answer_step"]
        steps.append(f"{scale['chunks']:,} chunks: p50 {step['p50_ms']} ms, p95 {step['p95_ms']} ms")
    queries = scales[0]["ours"]["search"]["queries"] if scales else 0
    return [
        f"4. Query latency in ms over {queries} warm queries (SciFact claims), the first query apart ('1st')",
        "   ours retrieval = Pipeline.search (hybrid) and ours ask = Pipeline.ask, each in a fresh process;",
        "   recipe (both rows) = similarity_search in a fresh process",
        table(
            ("chunks", "store", "what", "ours p50", "ours p95", "ours 1st", "recipe p50", "recipe p95", "recipe 1st", "p95 recipe/ours"),
            cells,
            numbers=True,
        ),
        f"   of which the answer step (after retrieval): {'; '.join(steps)}",
        f"   peak RSS of the serving process: {'; '.join(memory)}",
        f"   ours reindexed after one change on the filled index, a new process each, the corpus listed (the file named): {'; '.join(changes)}",
        f"   synthetic stores: {synthetic}",
    ]

"""Command line: parses arguments, builds the pipeline, prints results. No logic of its own."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rag.config import Settings, configure_logging
from rag.errors import QuestionError, RagError
from rag.text import listed
from rag.types import EXPORT_FORMATS


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="corpus folder (RAG_CORPUS_DIR, default corpus/)")
    common.add_argument("--index", help="index folder (RAG_INDEX_DIR, default index/)")
    common.add_argument("--json", action="store_true", help="print one JSON object")
    parser = argparse.ArgumentParser(prog="python -m rag", description="Cited answers from a folder of reports.")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", parents=[common], help="build or update the index from the corpus")
    index.add_argument("--rebuild", action="store_true", help="drop the index and build it from scratch")
    index.add_argument(
        "--verify", action="store_true",
        help="compare every chunk id of the vector store with the bookkeeping and repair what differs "
        "(done anyway after an unfinished reindex, or when their counts differ)",
    )
    index.add_argument("--collection", help="read only this sub-folder of the corpus (a collection); the others are left as they are")
    index.add_argument(
        "files", nargs="*", metavar="FILE",
        help="bring only these files or folders in the corpus in step (added, changed or deleted), without listing the rest",
    )
    sub.add_parser("status", parents=[common], help="what the index holds")
    search = sub.add_parser("search", parents=[common], help="ranked passages for a query")
    search.add_argument("text")
    search.add_argument("-k", type=int, default=None, help="how many passages")
    ask = sub.add_parser("ask", parents=[common], help="a cited answer to a question")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=None, help="passages to draw the answer from")
    ask.add_argument(
        "--format", choices=list(EXPORT_FORMATS),
        help="write the answer as a document whose footnotes prove each quote (file, page, SHA-256); docx and odt need pandoc; "
        "csl: the documents it cites as CSL-JSON for reference managers",
    )
    ask.add_argument("--out", help="the file --format writes (md without --out prints to the terminal)")
    for p in (search, ask):
        p.add_argument("--source", action="append", help="only this document or folder (repeatable)")
        p.add_argument("--collection", action="append", help="only this collection, a sub-folder of the corpus (repeatable)")
    show = sub.add_parser("show", parents=[common], help="a page of an indexed PDF as an image, with a quote marked on it")
    show.add_argument("source", help="the document, as status and citations name it (a path inside the corpus)")
    show.add_argument("--page", type=int, required=True, help="page number, from 1")
    show.add_argument("--quote", action="append", help="text to mark on the page (repeatable)")
    show.add_argument("--out", required=True, help="the PNG file to write")
    evaluate = sub.add_parser(
        "eval", parents=[common], help="measure retrieval and answers: public benchmarks, or your own question file",
        description="scifact / xquad: build a throwaway index of the benchmark (../shared/eval) with the current settings "
        "and report nDCG@10, Recall@1/5/100, MRR@10 (and, for xquad, answer and abstention figures). qa FILE: ask each "
        'question of a JSON-lines file ({"question": ..., "expected": [...], "source": ...} or "answerable": false) '
        "against the current index and report pass/fail.",
    )
    evaluate.add_argument("benchmark", choices=["scifact", "xquad", "qa"])
    evaluate.add_argument("file", nargs="?", help="question file (JSON lines) for qa")
    evaluate.add_argument("--data", help="benchmark data folder (RAG_EVAL_DIR, default ../shared/eval)")
    evaluate.add_argument("--limit", type=int, help="only the first N queries (and a matching slice of documents)")
    evaluate.add_argument(
        "--llm", help="answer with this language model (a RAG_LLM value: llamacpp:PATH.gguf, ollama:MODEL, openai:MODEL); "
        "xquad then also reports answer accuracy and the share of generated sentences the citation check supports",
    )
    bench = sub.add_parser(
        "bench", help="time this pipeline against the plain LangChain recipe and LangChain's index() on SciFact (build, reindex, queries, memory)"
    )
    bench.add_argument("--docs", type=int, default=5000, help="largest real corpus, in SciFact abstracts (default 5000)")
    bench.add_argument("--scales", default="5000,50000,100000", help="store sizes in chunks for query latency (comma-separated)")
    bench.add_argument("--queries", type=int, default=200, help="warm queries timed at each store size (default 200)")
    bench.add_argument(
        "--reindex-sizes",
        help="corpus sizes in documents for the reindex curve, comma-separated, e.g. 1000,10000,100000 "
        "(default 1000,5000 capped at --docs); past SciFact's 5,183 abstracts the documents are marked copies",
    )
    bench.add_argument(
        "--recipe-max",
        type=int,
        default=10000,
        help="time the rebuild recipe only at reindex sizes up to this many documents (and at --docs); larger sizes say 'not run' (default 10000)",
    )
    bench.add_argument(
        "--prefill",
        action="store_true",
        help="build the indexes of reindex sizes past SciFact's real abstracts (other than --docs) reusing one vector per text "
        "across the marked copies instead of embedding every copy; each reindex after a change is still timed in full",
    )
    bench.add_argument("--data", help="benchmark data folder (RAG_EVAL_DIR, default ../shared/eval)")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(corpus=None, index=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        settings = Settings.from_env(corpus_dir=args.corpus, index_dir=args.index)
        return _COMMANDS[args.command](args, settings)
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _pipeline(settings: Settings):
    from rag.pipeline import Pipeline

    return Pipeline(settings)


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    pipeline = _pipeline(settings)
    with tqdm(total=0, unit="chunk", disable=args.json or None, file=sys.stderr) as bar:

        def progress(done: int, total: int, desc: str) -> None:
            bar.total = total
            bar.set_description(desc)
            bar.n = done
            bar.refresh()

        summary = pipeline.index(
            rebuild=args.rebuild, progress=progress, verify=args.verify, collection=args.collection, files=args.files or None
        )
    if args.json:
        _print_json(summary.to_dict())
        return 0
    print(
        f"added {len(summary.added)}, updated {len(summary.updated)}, removed {len(summary.removed)}, "
        f"unchanged {summary.unchanged}, skipped {len(summary.skipped)}; "
        f"{summary.chunks_embedded} chunks embedded, {summary.chunks_reused} reused, in {summary.seconds:.1f} s"
    )
    if summary.reread:
        print("  every report was read again: this version (or the chunk size) cuts text into passages and sentences differently")
    for skipped in summary.skipped:
        print(f"  skipped {skipped['source']}: {skipped['reason']}")
    print(f"index: {summary.documents} documents, {summary.chunks} chunks")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    status = _pipeline(settings).status()
    if args.json:
        _print_json(status)
        return 0
    when = datetime.fromtimestamp(status["last_update"]).isoformat(" ", "seconds") if status["last_update"] else "never"
    print(f"documents:   {status['documents']}\nchunks:      {status['chunks']}\nmodel:       {status['model']} ({status['dimension']}-d)")
    print(f"index:       {status['index']}\ncorpus:      {status['corpus']}\nlast update: {when}")
    if status["languages"]:
        held = ", ".join(f"{name} {share:.0%}" for name, share in status["languages"].items())
        across = "matches questions across languages" if status["reads_across_languages"] else "matches a question with text in its language only"
        print(f"languages:   {held} of the indexed words; the model {across}")
    if status["collections"]:
        print("collections: " + ", ".join(f"{name} ({count} document{'' if count == 1 else 's'})" for name, count in status["collections"].items()))
    if status["waiting"]:
        kinds = {what: [source for source, kind in status["waiting"].items() if kind == what] for what in ("new", "changed", "removed")}
        listed_files = "; ".join(f"{what}: {listed(sources, 5)}" for what, sources in kinds.items() if sources)
        print(f"waiting:     {len(status['waiting'])} file(s) for python -m rag index ({listed_files})")
    if status["unreadable"]:
        print(f"unreadable:  {len(status['unreadable'])} file(s): " + "; ".join(f"{s} ({r})" for s, r in list(status["unreadable"].items())[:5]))
    if status["language_advice"]:
        print(f"advice:      {status['language_advice']}")
    if status["problem"]:
        print(f"problem:     {status['problem']} -> python -m rag index --rebuild")
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    passages = _pipeline(settings).search(args.text, k=args.k, sources=args.source, collections=args.collection)
    rows = [
        {"rank": i, "score": round(p.score, 6), "dense": p.dense, "keyword": p.keyword, "chunk_id": p.chunk.id,
         "source": p.chunk.source, "title": p.chunk.title, "page": p.chunk.page, "text": p.chunk.text}
        for i, p in enumerate(passages, start=1)
    ]
    if args.json:
        _print_json({"query": args.text, "results": rows})
        return 0
    for row in rows:
        page = f", p. {row['page']}" if row["page"] else ""
        print(f"{row['rank']}. [{row['score']:.4f}] {row['source']}{page}\n   {_snippet(row['text'])}")
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.format in ("docx", "odt") and not args.out:
        raise RagError(f"--format {args.format} writes a file: add --out FILE.{args.format}.")
    pipeline = _pipeline(settings)
    answer = pipeline.ask(args.question, k=args.k, sources=args.source, collections=args.collection)
    if args.format or args.out:
        return _write_export(pipeline.export([answer], args.format or "md"), args.out)
    if args.json:
        _print_json(answer.to_dict())
        return 0
    print(answer.answer)
    label, cited = ("Nearest passages", answer.nearest) if answer.abstained else ("Sources", answer.citations)
    if cited:
        print(f"\n{label}:")
    for i, c in enumerate(cited, start=1):
        page = f", p. {c.page}" if c.page else ""
        print(f"[{c.n or i}] {c.title} ({c.source}{page})\n    “{_snippet(c.quote)}”")
    return 0


def _write_export(document: bytes, out: str | None) -> int:
    if out is None:
        sys.stdout.write(document.decode("utf-8"))
        return 0
    try:
        Path(out).write_bytes(document)
    except OSError as exc:
        raise RagError(f"--out {out}: cannot be written ({exc.strerror}).") from None
    print(f"written: {out}")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    image = _pipeline(settings).page_image(args.source, args.page, args.quote or [])
    out = Path(args.out)
    try:
        out.write_bytes(image.png)
    except OSError as exc:
        raise RagError(f"--out {out}: cannot be written ({exc.strerror}).") from None
    report = {"source": args.source, "page": image.page, "pages": image.pages, "marked_lines": image.marked, "out": str(out)}
    if args.json:
        _print_json(report)
    else:
        quoted = f", {image.marked} line(s) marked" if args.quote else ""
        print(f"{args.source} page {image.page} of {image.pages}{quoted} -> {out}")
        if args.quote and not image.marked:
            print("  the quote was not found on this page", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.lab.evaluate import evaluate
    from rag.lab.reports import render

    if args.llm:
        settings = dataclasses.replace(settings, llm=args.llm)
    report = evaluate(args.benchmark, settings, file=args.file, data=args.data, limit=args.limit)
    if args.json:
        _print_json(report)
    else:
        print(render(report))
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from rag.lab.bench import BenchOptions, parse_scales, parse_sizes, run_benchmark
    from rag.lab.bench_report import render

    options = BenchOptions(
        docs=args.docs,
        scales=parse_scales(args.scales),
        queries=args.queries,
        data=args.data,
        reindex_sizes=parse_sizes(args.reindex_sizes) if args.reindex_sizes else None,
        prefill=args.prefill,
        recipe_max=args.recipe_max,
    )
    report = run_benchmark(settings, options, lambda line: print(f"[bench] {line}", file=sys.stderr, flush=True))
    if args.json:
        _print_json(report)
    else:
        print(render(report))
    return 0


def _snippet(text: str, width: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_json(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


_COMMANDS = {
    "index": _index, "status": _status, "search": _search, "ask": _ask, "show": _show, "eval": _eval, "bench": _bench,
}

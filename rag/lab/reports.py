"""Readable tables of an evaluation report (python -m rag eval without --json)."""

from __future__ import annotations

from collections.abc import Sequence

from rag.lab.metrics import RANKING_METRICS


def _fusion(s: dict) -> str:
    if s.get("fusion", "rrf") == "rrf":
        return f"rank fusion rrf_k {s['rrf_k']} weights dense {s['dense_weight']} keyword {s['keyword_weight']}"
    return f"score fusion {s['dense_share']} x cosine + {1 - s['dense_share']:.2g} x BM25/best"


def render(report: dict) -> str:
    """The report as readable tables for a terminal."""
    if report["benchmark"] == "qa":
        return render_qa(report)
    s = report["settings"]
    lines = [
        f"{report['benchmark']}: {report['queries']} queries; "
        + "; ".join(f"{lang} index {i['documents']} documents, {i['chunks']} chunks" for lang, i in report["index"].items()),
        f"model {s['embed_model']}, chunks {s['chunk_tokens']}/{s['chunk_overlap']} tokens, {_fusion(s)}, "
        f"keyword floor {s['keyword_floor']}, candidates {s['ranking_candidates']}",
        "",
        table(
            ["track", "mode", *RANKING_METRICS],
            [[track, mode, *(f"{v[m]:.4f}" for m in RANKING_METRICS)] for track, modes in report["retrieval"].items()
             for mode, v in modes.items()],
        ),
    ]
    if "answers" in report:
        lines += ["", *render_answers(report["answers"], s["abstain_threshold"])]
    if "answers_across" in report:
        lines += ["", *render_across(report["answers_across"])]
    if "generated" in report:
        lines += ["", *render_generated(report["generated"])]
    lines += ["", f"{report['seconds']:.0f} s"]
    return "\n".join(lines)


def render_answers(answers: dict, shipped: float) -> list[str]:
    """Answer quality and the abstention trade-off; every figure is a share of questions."""
    head = ["", "answered (present)", "contains gold", "[1] is gold paragraph", "abstains (absent)"]
    keys = ("answered_present", "contains_gold", "first_cites_gold", "abstains_absent")
    best = answers["best"]
    summary = [
        ["never abstaining", *(f"{answers['never_abstaining'][k]:.3f}" for k in keys)],
        [f"shipped threshold {shipped:g}", *(f"{answers['shipped'][k]:.3f}" for k in keys)],
        [f"best threshold {best['threshold']:g}", *(f"{best[k]:.3f}" for k in keys)],
    ]
    curve = [
        [f"{row['threshold']:.2f}", *(f"{row[k]:.3f}" for k in keys)]
        for row in answers["curve"]
        if round(row["threshold"] * 100) % 5 == 0 and 0 < row["answered_present"] and row["abstains_absent"] < 1
    ]
    return [
        f"extractive answers (English): {answers['questions']} questions with their paragraph indexed; "
        f"{answers['held_out_questions']} questions asked of an index without their paragraph "
        f"({answers['held_out_paragraphs']} paragraphs held out)",
        table(head, summary),
        "",
        "trade-off (abstains iff evidence < threshold); targets: abstains >= 0.80 when absent, answers >= 0.95 when present",
        table(["threshold", *head[1:]], curve),
    ]


def render_across(across: dict) -> list[str]:
    """Russian questions against the English paragraphs: where the cut falls without the cross-language bonus."""
    keys = ("answered_present", "first_cites_gold", "abstains_absent")
    shipped = across["shipped"]
    return [
        f"answers across languages (Russian questions, English paragraphs, evidence without the bonus): {across['questions']} "
        f"questions with their paragraph indexed, {across['held_out_questions']} without",
        f"highest cut answering 95 %: {across['cut_answering_95']:g}, which implies a bonus of {across['bonus_it_implies']:g} "
        f"(shipped {across['shipped_bonus']:g}: answers {shipped['answered_present']:.3f}, [1] is gold paragraph "
        f"{shipped['first_cites_gold']:.3f}, abstains when absent {shipped['abstains_absent']:.3f})",
        table(
            ["cut", "answered (present)", "[1] is gold paragraph", "abstains (absent)"],
            [[f"{row['threshold']:.2f}", *(f"{row[k]:.3f}" for k in keys)] for row in across["curve"]
             if round(row["threshold"] * 100) % 5 == 0 and 0 < row["answered_present"] and row["abstains_absent"] < 1],
        ),
    ]


def render_generated(generated: dict) -> list[str]:
    """Answers by the language model with their paragraph indexed, and the share of its sentences the citation check supports."""
    g = generated
    return [
        f"generated answers ({g['model']}, English, shipped threshold): {g['questions']} questions, {g['sentences']} sentences checked",
        table(
            ["answered", "contains gold", "supported sentences"],
            [[f"{g['answered']:.3f}", f"{g['contains_gold']:.3f}", f"{g['supported_sentences']:.3f}"]],
        ),
    ]


def render_qa(report: dict) -> str:
    """Pass or fail per question, the reasons for each failure, the figures by kind and language, and the totals."""
    lines = []
    for row in report["questions"]:
        lines.append(f"{'PASS' if row['passed'] else 'FAIL'}  line {row['line']}: {row['question']}")
        lines += [f"      - {problem}" for problem in row["problems"]]
    head = ["", "questions", "passed", "expected strings", "page hits", "page hits when right", "abstained", "wrong answers"]
    rows = [qa_row("all", report["figures"])]
    rows += [qa_row(f"kind {name}", figures) for name, figures in report["by_kind"].items()]
    rows += [qa_row(f"lang {name}", figures) for name, figures in report["by_lang"].items()]
    lines += ["", table(head, rows)]
    lines.append(f"\npassed {report['passed']} of {report['total']} ({report['file']} against {report['index']})")
    return "\n".join(lines)


def qa_row(label: str, f: dict[str, int]) -> list[str]:
    """One line of the qa figures: counts as 'hits/of', '-' where nothing was asked of that kind."""

    def of(hits: int, total: int) -> str:
        return f"{hits}/{total}" if total else "-"

    return [label, str(f["questions"]), str(f["passed"]), of(f["expected"], f["expected_of"]), of(f["page_hits"], f["page_of"]),
            of(f["page_hits_when_right"], f["page_of_right"]), of(f["abstained"], f["unanswerable"]), str(f["wrong"])]


def table(head: Sequence[str], rows: Sequence[Sequence[object]], numbers: bool = False) -> str:
    """A plain-text table for the terminal and RESULTS.md/BENCHMARKS.md: left-aligned, or right-aligned and
    indented for columns of figures (numbers=True)."""
    cells = [[str(c) for c in row] for row in [head, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    if numbers:
        return "\n".join("   " + "  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells)
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)

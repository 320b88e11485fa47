"""Evaluation sets read into plain records: SciFact, XQuAD, and the user's own question file.

The public benchmarks stay where they are (../shared/eval by default): nothing is copied into
the project. A document becomes the text of one corpus file, so the evaluation indexes it with
the same loader, chunker and retrievers as the product.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import EvalDataError
from rag.text import script

DEFAULT_EVAL_DIR = Path("../shared/eval")
XQUAD_LANGUAGES = ("en", "ru")
HOLD_OUT_EVERY = 5  # every fifth XQuAD paragraph is left out of the index for the abstention run
_SAMPLE_PER_QUERY = 10  # unrelated SciFact documents kept per query in a --limit run
_UNSAFE = re.compile(r"[^\w-]+")


@dataclass(frozen=True)
class RetrievalSet:
    """Documents (id -> file text), queries (id -> text) and graded relevance (query -> doc -> grade)."""

    documents: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Question:
    """An XQuAD question, the id of the paragraph that answers it, and the gold answer strings."""

    id: str
    text: str
    paragraph: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Xquad:
    """Aligned XQuAD paragraphs and questions by language; paragraph ids agree across languages."""

    paragraphs: dict[str, dict[str, str]]
    questions: dict[str, list[Question]]

    def track(self, question_language: str, paragraph_language: str) -> RetrievalSet:
        """Questions in one language against the paragraphs of another (or the same) language."""
        questions = self.questions[question_language]
        return RetrievalSet(
            documents=self.paragraphs[paragraph_language],
            queries={q.id: q.text for q in questions},
            qrels={q.id: {q.paragraph: 1} for q in questions},
        )

    def held_out(self) -> set[str]:
        """Paragraph ids left out of the index when measuring abstention: one in HOLD_OUT_EVERY."""
        return {pid for i, pid in enumerate(self.paragraphs["en"]) if i % HOLD_OUT_EVERY == 0}


@dataclass(frozen=True)
class QaItem:
    """One line of a user's question file: what a good answer contains, or that none exists."""

    line: int
    question: str
    expected: tuple[str, ...] = ()
    source: str | None = None
    answerable: bool = True
    pages: tuple[int, ...] = ()  # 1-based physical pages a right answer cites (any one of them)
    kind: str = ""  # what the question tests (text, table, list, footnote...): figures are broken down by it
    lang: str = ""  # the question's language; from its script when the file does not say


def eval_dir(option: str | None, env: Mapping[str, str]) -> Path:
    """The benchmark folder: --data, else RAG_EVAL_DIR, else ../shared/eval; refused if absent."""
    folder = Path(option or env.get("RAG_EVAL_DIR") or DEFAULT_EVAL_DIR).expanduser()
    if not folder.is_dir():
        raise EvalDataError(
            f"Benchmark data folder {folder} not found: pass --data DIR or set RAG_EVAL_DIR to the folder "
            "holding scifact/ and xquad/ (see ../shared/eval/README.md)."
        )
    return folder


def load_scifact(folder: Path, limit: int | None = None) -> RetrievalSet:
    """SciFact test claims with their qrels; with a limit, the first claims, their documents and a fixed sample."""
    qrels: dict[str, dict[str, int]] = {}
    for row in _lines(folder / "scifact" / "qrels-test.tsv", skip=1):
        query_id, doc_id, grade = _fields(row, folder / "scifact" / "qrels-test.tsv")
        qrels.setdefault(query_id, {})[doc_id] = grade
    if limit:
        qrels = dict(list(qrels.items())[:limit])
    claims = {str(q["_id"]): str(q["text"]) for q in _json_lines(folder / "scifact" / "queries.jsonl")}
    queries = {qid: claims[qid] for qid in qrels if qid in claims}
    documents = {
        str(d["_id"]): f"{d.get('title', '')}\n{d.get('text', '')}".strip()
        for d in _json_lines(folder / "scifact" / "corpus.jsonl")
    }
    if limit:
        documents = _subsample(documents, {d for judged in qrels.values() for d in judged}, _SAMPLE_PER_QUERY * limit)
    return RetrievalSet(documents=documents, queries=queries, qrels={q: qrels[q] for q in queries})


def _subsample(documents: dict[str, str], keep: set[str], extra: int) -> dict[str, str]:
    """The documents in keep plus a fixed, hash-ordered sample of `extra` others."""
    others = sorted((d for d in documents if d not in keep), key=lambda d: hashlib.sha1(d.encode()).hexdigest())
    chosen = keep | set(others[:extra])
    return {d: text for d, text in documents.items() if d in chosen}


def load_xquad(folder: Path, limit: int | None = None) -> Xquad:
    """English and Russian XQuAD, paragraph by paragraph; a limit keeps the first paragraphs up to that many questions."""
    articles = {lang: _squad(folder / "xquad" / f"xquad.{lang}.json") for lang in XQUAD_LANGUAGES}
    paragraphs: dict[str, dict[str, str]] = {lang: {} for lang in XQUAD_LANGUAGES}
    questions: dict[str, list[Question]] = {lang: [] for lang in XQUAD_LANGUAGES}
    for pid, aligned in _aligned_paragraphs(articles):
        if limit and len(questions["en"]) >= limit:
            break
        for lang, paragraph in zip(XQUAD_LANGUAGES, aligned):
            paragraphs[lang][pid] = str(paragraph["context"])
            questions[lang].extend(_questions(paragraph, pid))
    if limit:
        questions = {lang: qs[:limit] for lang, qs in questions.items()}
    return Xquad(paragraphs=paragraphs, questions=questions)


def _aligned_paragraphs(articles: dict[str, list[dict]]) -> Iterator[tuple[str, tuple[dict, ...]]]:
    """(paragraph id, the paragraph in each language); refuses files that are not aligned."""
    if len({len(a) for a in articles.values()}) != 1:
        raise EvalDataError("The XQuAD files hold different numbers of articles; they must be aligned translations.")
    for parts in zip(*articles.values()):
        title = str(parts[0].get("title", ""))
        paragraph_lists = [p["paragraphs"] for p in parts]
        if len({len(p) for p in paragraph_lists}) != 1:
            raise EvalDataError(f"XQuAD article {title!r} has different paragraph counts across languages.")
        for j, aligned in enumerate(zip(*paragraph_lists)):
            if len({tuple(q["id"] for q in p["qas"]) for p in aligned}) != 1:
                raise EvalDataError(f"XQuAD article {title!r}, paragraph {j}: questions differ across languages.")
            yield f"{_UNSAFE.sub('_', title)}-{j}", aligned


def _questions(paragraph: dict, pid: str) -> list[Question]:
    return [
        Question(str(q["id"]), str(q["question"]), pid, tuple(str(a["text"]) for a in q["answers"]))
        for q in paragraph["qas"]
    ]


def _squad(path: Path) -> list[dict]:
    try:
        return json.loads(_read(path))["data"]
    except (ValueError, KeyError, TypeError):
        raise EvalDataError(f"{path} is not a SQuAD-format JSON file (expected a 'data' list).") from None


def read_qa_file(path: Path) -> list[QaItem]:
    """The user's questions, one JSON object a line; blank lines are skipped, anything malformed is refused."""
    items = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if line.strip():
            items.append(parse_qa_line(line, number, path))
    if not items:
        raise EvalDataError(f"{path} holds no questions: write one JSON object a line with a 'question' field.")
    return items


def parse_qa_line(line: str, number: int, path: Path) -> QaItem:
    """One question-file line: {"question", "expected": [...], "source"?, "answerable"?, "page"?, "kind"?, "lang"?}."""
    where = f"{path}, line {number}"
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise EvalDataError(f"{where}: not valid JSON ({exc.msg}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("question"), str) or not data["question"].strip():
        raise EvalDataError(f'{where}: needs a non-empty "question" string.')
    expected = data.get("expected", [])
    if not isinstance(expected, list) or not all(isinstance(e, str) and e.strip() for e in expected):
        raise EvalDataError(f'{where}: "expected" must be a list of non-empty strings.')
    source = data.get("source")
    if source is not None and not (isinstance(source, str) and source.strip()):
        raise EvalDataError(f'{where}: "source" must be a document or folder name.')
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise EvalDataError(f'{where}: "answerable" must be true or false.')
    if not answerable and (expected or source):
        raise EvalDataError(f'{where}: a question marked "answerable": false cannot have "expected" or "source".')
    question = data["question"].strip()
    labels = {name: _label(data, name, where) for name in ("kind", "lang")}
    lang = labels["lang"] or ("ru" if script(question) == "cyrillic" else "en")
    return QaItem(number, question, tuple(expected), source, answerable, _pages(data.get("page"), where), labels["kind"], lang)


def _pages(value: object, where: str) -> tuple[int, ...]:
    """The "page" field: absent, a page number, or a list of them (1-based)."""
    pages = [] if value is None else value if isinstance(value, list) else [value]
    if not all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in pages):
        raise EvalDataError(f'{where}: "page" must be a page number (1 or more) or a list of them.')
    return tuple(pages)


def _label(data: dict, name: str, where: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise EvalDataError(f'{where}: "{name}" must be a string.')
    return value.strip()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvalDataError(f"{path} not found; check the file name (benchmark data: --data or RAG_EVAL_DIR).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"{path} cannot be read as UTF-8 text ({exc}).") from None


def _lines(path: Path, skip: int = 0) -> list[str]:
    return [line for line in _read(path).splitlines()[skip:] if line.strip()]


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            raise EvalDataError(f"{path}, line {number}: not valid JSON.") from None


def _fields(row: str, path: Path) -> tuple[str, str, int]:
    parts = row.split("\t")
    if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
        raise EvalDataError(f"{path}: expected 'query-id<TAB>corpus-id<TAB>score' lines, got {row!r}.")
    return parts[0].strip(), parts[1].strip(), int(parts[2])

"""Scanned pages read with Tesseract: a page without a text layer is rendered and recognised, word by word.

Tesseract is an optional system package (Debian: tesseract-ocr with tesseract-ocr-eng and
tesseract-ocr-rus). Without it a page with no text layer is skipped as before; with it, the page is
rendered at 300 dpi with PDFium, Tesseract reads it (English and Russian, whichever languages are
installed), and its words come back with their boxes, so the page view can mark an OCR'd quote too.
The decision is made page by page: a PDF may mix text pages and scans.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from rag.errors import LoadError

DPI = 300
WANTED_LANGUAGES = ("eng", "rus")
OCR_TIMEOUT = 120  # seconds for one page; a dense A4 page takes a few on two cores
MIN_CONFIDENCE = 0  # Tesseract's -1 marks layout rows, not words
Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True)
class Word:
    """A recognised word with its box in PDF points and the line it belongs to."""

    text: str
    box: Box
    line: tuple[int, int, int]  # Tesseract's block, paragraph and line numbers


def available() -> bool:
    """Whether Tesseract is installed with at least one of the languages reports here are written in."""
    return bool(languages())


@lru_cache(maxsize=1)
def languages() -> str:
    """The installed languages of WANTED_LANGUAGES, as Tesseract's -l argument ("eng+rus"), or "" without Tesseract."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return ""
    try:
        listed = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    installed = {line.strip() for line in listed.splitlines()}
    return "+".join(lang for lang in WANTED_LANGUAGES if lang in installed)


def page_is_scanned(text: str) -> bool:
    """A page whose text layer holds no words: a scan (or a page of pictures), to be read with OCR."""
    return sum(ch.isalnum() for ch in text) < 3


@dataclass(frozen=True)
class Scan:
    """A page rendered for OCR: the image, and where its top left corner sits in PDF points."""

    png: bytes
    left: float
    top: float


def render(page) -> Scan:
    """A PDFium page as a grey image at DPI (PDFium is not thread-safe: render under the loader's lock)."""
    image = page.render(scale=DPI / 72).to_pil().convert("L")
    png = io.BytesIO()
    image.save(png, format="PNG")
    left, _, _, top = page.get_bbox()
    return Scan(png.getvalue(), left, top)


def read_scans(scans: list[Scan]) -> list[list[Word]]:
    """The words of each rendered page, pages read in parallel (one Tesseract process per core)."""
    if len(scans) <= 1:
        return [recognise(scan) for scan in scans]
    with ThreadPoolExecutor(max_workers=min(len(scans), os.cpu_count() or 1)) as pool:
        return list(pool.map(recognise, scans))


def recognise(scan: Scan) -> list[Word]:
    """Tesseract's words of a rendered page, with boxes converted back to PDF points."""
    scale = DPI / 72
    words = []
    for row in _tsv(scan.png):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < MIN_CONFIDENCE:
            continue
        x, y, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
        box = (scan.left + x / scale, scan.top - (y + h) / scale, scan.left + (x + w) / scale, scan.top - y / scale)
        line = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        words.append(Word(text, box, line))
    return words


def page_text(words: list[Word]) -> str:
    """The words as page text: a space between words, a line break between lines, a blank line between paragraphs."""
    return laid_out(words)[0]


def laid_out(words: list[Word]) -> tuple[str, list[tuple[int, int]]]:
    """The page text of the words and where each word stands in it ((start, end) character offsets)."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    at = 0
    for before, word in zip([None, *words], words):
        if before is not None:
            gap = " " if word.line == before.line else "\n" if word.line[:2] == before.line[:2] else "\n\n"
            parts.append(gap)
            at += len(gap)
        parts.append(word.text)
        offsets.append((at, at + len(word.text)))
        at += len(word.text)
    return "".join(parts), offsets


def _tsv(png: bytes) -> list[dict[str, str]]:
    tesseract = shutil.which("tesseract")
    if tesseract is None or not languages():
        raise LoadError("", "a scanned page needs OCR: install Tesseract (Debian: tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus)")
    # one Tesseract thread per process: pages are read in parallel, one per core (read_scans)
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    try:
        done = subprocess.run(
            [tesseract, "stdin", "stdout", "-l", languages(), "--dpi", str(DPI), "tsv"],
            input=png, capture_output=True, timeout=OCR_TIMEOUT, check=False, env=env,
        )
    except subprocess.TimeoutExpired:
        raise LoadError("", f"OCR of a scanned page took more than {OCR_TIMEOUT} s") from None
    if done.returncode != 0:
        raise LoadError("", f"OCR failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    rows = csv.DictReader(io.StringIO(done.stdout.decode("utf-8", errors="replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    return list(rows)

"""A PDF page as its reader sees it, with a quote marked where it stands on the page.

The quote is a span of the cleaned page text the indexer stored (rag.ingest.cleaning joined hyphenated
words, normalised spaces and ligatures, dropped running headers), so it is found in PDFium's own text
of the page by its letters and digits alone, folded the same way (NFKC, lower case). Each character
PDFium reads has a box; the boxes of the quote's characters, joined line by line, are drawn on the
rendered page. A quote that runs onto the next page is marked as far as this page holds it.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rag.errors import CorpusFileError
from rag.ingest import ocr
from rag.ingest.loaders import PDFIUM_LOCK

SCALE = 1.5  # pixels per PDF point: 108 dpi, sharp enough to read a footnote on a laptop screen
MIN_MATCH = 12  # letters and digits a partial match must hold to be marked
HIGHLIGHT = (250, 204, 21, 110)  # amber, see-through
Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True)
class PageImage:
    """A rendered page: the image (PNG), its number (1-based), the document's page count, how many lines are marked,
    and where the first marked line starts, as a share of the image's height (None when nothing is marked), so a
    viewer can scroll to a quote at the foot of a page."""

    png: bytes
    page: int
    pages: int
    marked: int
    first_mark: float | None = None


def render_page(path: Path, page: int, quotes: list[str] | None = None, scale: float = SCALE) -> PageImage:
    """Render page `page` (1-based) of the PDF at `path`, each quote's lines marked; a quote not on the page marks nothing.

    PDFium is used under the loaders' lock (a reindex may be reading PDFs at the same time); a scanned page's
    OCR runs after it is released."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    key = (str(path), path.stat().st_mtime_ns, page)
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise CorpusFileError(f"{path.name}: cannot be opened as a PDF ({exc}).") from None
        try:
            pages = len(document)
            if not 1 <= page <= pages:
                raise CorpusFileError(f"{path.name} has pages 1 to {pages}; there is no page {page}.")
            pdf_page = document[page - 1]
            textpage = pdf_page.get_textpage()
            scanned = bool(quotes) and ocr.page_is_scanned(textpage.get_text_range()) and ocr.available()
            boxes = [] if scanned else [box for quote in quotes or [] for box in quote_boxes(textpage, quote)]
            textpage.close()
            scan = ocr.render(pdf_page) if scanned and _cached_words(key) is None else None
            left, _, _, top = pdf_page.get_bbox()  # the area rendered (the effective crop box): its top left is the origin
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
            pdf_page.close()
        finally:
            document.close()
    if scanned:  # the words come from OCR, as the indexer read them
        words = _cached_words(key) if scan is None else _keep_words(key, ocr.recognise(scan))
        boxes = [box for quote in quotes or [] for box in ocr_quote_boxes(words or [], quote)]
    if boxes:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for x0, y0, x1, y1 in boxes:
            draw.rectangle([(x0 - left) * scale - 1, (top - y1) * scale - 1, (x1 - left) * scale + 1, (top - y0) * scale + 1], fill=HIGHLIGHT)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    first = min(((top - y1) * scale / image.height for _, _, _, y1 in boxes), default=None)
    return PageImage(out.getvalue(), page, pages, len(boxes), None if first is None else round(max(0.0, first), 4))


def quote_boxes(textpage, quote: str) -> list[Box]:
    """The boxes, one per line, of the characters of `quote` on a PDFium text page; [] when the page does not hold it."""
    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():
        return []
    start, end = find_folded(text, quote)
    if start < 0:
        return []
    return _lines([textpage.get_charbox(i, loose=False) for i in range(start, end) if not text[i].isspace()])


def ocr_quote_boxes(words: list[ocr.Word], quote: str) -> list[Box]:
    """The boxes, one per line, of the OCR'd words that hold `quote`; [] when the page does not hold it."""
    text, offsets = ocr.laid_out(words)
    start, end = find_folded(text, quote)
    if start < 0:
        return []
    return _lines([w.box for w, (a, b) in zip(words, offsets) if a < end and b > start])


_OCR_CACHE: dict[tuple[str, int, int], list[ocr.Word]] = {}
_OCR_CACHE_SIZE = 64  # pages whose OCR words are kept: reading a page again takes seconds
_OCR_LOCK = threading.Lock()  # page views run in parallel threads


def _cached_words(key: tuple[str, int, int]) -> list[ocr.Word] | None:
    with _OCR_LOCK:
        return _OCR_CACHE.get(key)


def _keep_words(key: tuple[str, int, int], words: list[ocr.Word]) -> list[ocr.Word]:
    with _OCR_LOCK:
        while len(_OCR_CACHE) >= _OCR_CACHE_SIZE:
            _OCR_CACHE.pop(next(iter(_OCR_CACHE)))
        _OCR_CACHE[key] = words
    return words


def find_folded(text: str, quote: str) -> tuple[int, int]:
    """Where `quote` stands in `text` comparing letters and digits only: (start, end) character offsets of `text`,
    or (-1, -1). When the whole quote is not there, its longest opening (or else closing) part of at least
    MIN_MATCH letters is: the rest runs onto another page."""
    haystack, where = _folded(text)
    needle, _ = _folded(quote)
    if not needle:
        return -1, -1
    at = haystack.find(needle)
    if at >= 0:
        return where[at], where[at + len(needle) - 1] + 1
    head, tail = _longest(haystack, needle, lambda n: needle[:n]), _longest(haystack, needle, lambda n: needle[-n:])
    size, part = max((head, lambda n: needle[:n]), (tail, lambda n: needle[-n:]), key=lambda pair: pair[0])
    if size < MIN_MATCH:
        return -1, -1
    at = haystack.find(part(size))
    return where[at], where[at + size - 1] + 1


def _longest(haystack: str, needle: str, part) -> int:
    """The largest n for which part(n) (an opening or a closing of needle) occurs in haystack: a binary search, since
    a part that occurs has every shorter part of the same end occurring too."""
    low, high = 0, len(needle)
    while low < high:
        mid = (low + high + 1) // 2
        if part(mid) in haystack:
            low = mid
        else:
            high = mid - 1
    return low


def _folded(text: str) -> tuple[str, list[int]]:
    """The letters and digits of text, NFKC-folded and lower-cased, with the offset each came from."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKC", ch).lower():
            if part.isalnum():
                chars.append(part)
                where.append(i)
    return "".join(chars), where


def _lines(boxes: list[Box]) -> list[Box]:
    """Character boxes joined into one box per line of text (a line: boxes that overlap vertically, in reading order)."""
    lines: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:
            continue
        last = lines[-1] if lines else None
        if last and bottom < last[3] and top > last[1] and left >= last[0] - 2:
            last[0], last[1], last[2], last[3] = min(last[0], left), min(last[1], bottom), max(last[2], right), max(last[3], top)
        else:
            lines.append([left, bottom, right, top])
    return [(a, b, c, d) for a, b, c, d in lines]

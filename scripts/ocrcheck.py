"""OCR check: how much of a page's text Tesseract gets back, on pages rendered from text PDFs, and how fast.

Each page of the chosen text PDFs is rendered as the indexer renders a scan (rag.ingest.ocr, 300 dpi)
and read back with Tesseract; the text layer is the reference. Accuracy is the share of the text
layer's letters and digits (lower-cased, NFKC) that the OCR text reproduces in order (difflib's
matching blocks), per language (by the page's script). Speed is pages per second with the pages read
in parallel, as the indexer reads them.

    python scripts/ocrcheck.py ../shared/eval/reports/pdf --pages 6
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from rag.ingest import ocr  # noqa: E402
from rag.text import script  # noqa: E402


def folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pages", type=int, default=6, help="pages per language")
    args = parser.parse_args()
    if not ocr.available():
        raise SystemExit("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus)")
    chosen: dict[str, list[tuple[str, int, str, ocr.Scan]]] = {"latin": [], "cyrillic": []}
    for path in sorted(args.folder.glob("*.pdf")):
        document = pdfium.PdfDocument(str(path))
        taken = 0
        for index in range(1, len(document), 3):  # every third page from the second (past the cover), two per file
            page = document[index]
            reference = page.get_textpage().get_text_range()
            kind = script(reference)
            if taken < 2 and kind in chosen and len(chosen[kind]) < args.pages and len(folded(reference)) > 500:
                chosen[kind].append((path.name, index + 1, reference, ocr.render(page)))
                taken += 1
    print(f"Tesseract languages: {ocr.languages()}; {ocr.DPI} dpi")
    for kind, pages in chosen.items():
        started = time.perf_counter()
        read = ocr.read_scans([scan for *_, scan in pages])
        seconds = time.perf_counter() - started
        matched = total = 0
        for (name, number, reference, _), words in zip(pages, read):
            ref, got = folded(reference), folded(ocr.page_text(words))
            same = sum(block.size for block in difflib.SequenceMatcher(None, ref, got, autojunk=False).get_matching_blocks())
            matched, total = matched + same, total + len(ref)
            print(f"  {kind:8} {name} p. {number}: {same / len(ref):.3f} of {len(ref)} letters and digits")
        print(f"{kind}: {len(pages)} pages, accuracy {matched / total:.3f}, {len(pages) / seconds:.2f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

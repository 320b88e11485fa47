"""Scanned pages: read with Tesseract page by page, answered from and marked on the page like text pages."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from rag.ingest import ocr
from rag.ingest.loaders import load_file
from tests.helpers import make_pdf

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MB = 1 << 20

pytestmark = pytest.mark.skipif(
    not ocr.available(), reason="needs Tesseract (apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus), which .ci/run installs"
)


def scanned(text_pdf: Path, out: Path, dpi: int = 200) -> Path:
    """An image-only PDF of a text PDF's pages, as a scanner would make it: no text layer at all."""
    document = pdfium.PdfDocument(str(text_pdf))
    images = [document[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(document))]
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out


def russian_pdf(path: Path, text: str) -> Path:
    pdf = FPDF()
    pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.set_font("dejavu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_an_english_scan_is_read_answered_and_marked(make_pipeline, tmp_path):
    pipeline = make_pipeline()
    corpus = pipeline.settings.corpus_dir
    text = make_pdf(tmp_path / "text.pdf", ["In Juba the Mission counted 312 detainees held without charge in March 2025."])
    scan = scanned(text, corpus / "scan.pdf")
    assert pdfium.PdfDocument(str(scan))[0].get_textpage().count_chars() == 0  # truly image-only
    assert pipeline.index().added == ["scan.pdf"]
    answer = pipeline.ask("How many detainees did the Mission count in Juba?")
    cited = answer.citations[0]
    assert (cited.source, cited.page) == ("scan.pdf", 1) and "312 detainees" in cited.quote
    assert pipeline.page_image("scan.pdf", 1, [cited.quote]).marked >= 1  # the OCR words' boxes mark the quote


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs the DejaVu font for Cyrillic text (apt-get install fonts-dejavu-core)")
def test_a_russian_scan_is_read(tmp_path):
    text = russian_pdf(tmp_path / "ru.pdf", "В 2014 году в восьми городах России были отменены концерты.")
    (page,) = load_file(scanned(text, tmp_path / "scan-ru.pdf"), tmp_path, MB)
    assert "в восьми городах России были отменены концерты" in page.page_content


def test_each_page_is_decided_alone(tmp_path):
    text_pages = make_pdf(tmp_path / "mixed-text.pdf", ["A text page about Armenia.", "A scanned page about Belarus."])
    scan = scanned(text_pages, tmp_path / "mixed-scan.pdf")
    mixed = pdfium.PdfDocument(str(text_pages))
    mixed.import_pages(pdfium.PdfDocument(str(scan)), [1])
    mixed.del_page(1)
    mixed.save(str(tmp_path / "mixed.pdf"))
    pages = load_file(tmp_path / "mixed.pdf", tmp_path, MB)
    assert [p.metadata["page"] for p in pages] == [1, 2]
    assert "Armenia" in pages[0].page_content and "scanned page about Belarus" in pages[1].page_content

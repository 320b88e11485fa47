"""Loaders: every supported type, legacy encodings, and bad files reported with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from rag.errors import ConfigError, LoadError
from rag.ingest import ocr
from rag.ingest.loaders import corpus_source, decode_text, load_file, scan_corpus, stat_stamp
from tests.helpers import make_pdf, write

MB = 1 << 20


class RunningReport(FPDF):
    """A report whose every page has a large running header and a "Page N of M" footer."""

    def header(self):
        self.set_font("helvetica", "B", 22)
        self.cell(0, 12, "Detention Monitor", new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


PLACES = ["Juba", "Wau", "Malakal", "Bor", "Yei"]


def make_report(path: Path, title: str = "") -> Path:
    pdf = RunningReport()
    if title:
        pdf.set_title(title)
    for n, place in enumerate(PLACES, start=1):
        pdf.add_page()
        if n == 1:
            pdf.set_font("helvetica", "B", 18)
            pdf.multi_cell(0, 10, "Findings on places of detention", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        text = f"In {place} monitors saw viola-\ntions in conflict-\nrelated cases.\nThe {place} violations are conflict-related."
        pdf.multi_cell(0, 7, text)
    pdf.output(str(path))
    return path


def make_docx(path: Path, heading: str, paragraphs: list[str]) -> Path:
    document = docx.Document()
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_txt_metadata(tmp_path):
    path = write(tmp_path, "sub/report.txt", "\n\nAnnual report 2023\n\nThe body text.")
    (doc,) = load_file(path, tmp_path, MB)
    assert doc.metadata["source"] == "sub/report.txt"
    assert doc.metadata["title"] == "Annual report 2023"
    assert doc.metadata["page"] is None
    assert len(doc.metadata["sha256"]) == 64
    assert doc.metadata["modified"].endswith("+00:00")
    assert doc.page_content == "\n\nAnnual report 2023\n\nThe body text."


def test_markdown_title_is_first_heading(tmp_path):
    path = write(tmp_path, "notes.md", "Intro line\n\n## Findings of the mission\n\nText.")
    (doc,) = load_file(path, tmp_path, MB)
    assert doc.metadata["title"] == "Findings of the mission"


def test_pdf_pages_are_one_based(tmp_path):
    path = make_pdf(tmp_path / "two.pdf", ["First page about Armenia.", "Second page about Belarus."], title="Two pages")
    docs = load_file(path, tmp_path, MB)
    assert [d.metadata["page"] for d in docs] == [1, 2]
    assert "Armenia" in docs[0].page_content and "Belarus" in docs[1].page_content
    assert docs[0].metadata["title"] == "Two pages"


@pytest.mark.parametrize(
    ("metadata", "title"),
    [
        ("Places of Detention 2024", "Places of Detention 2024"),
        ("Microsoft Word - draft.docx", "Findings on places of detention"),
        ("", "Findings on places of detention"),
    ],
)
def test_pdf_pages_lose_running_lines_and_broken_words_and_title_is_never_the_header(tmp_path, metadata, title):
    docs = load_file(make_report(tmp_path / "report.pdf", metadata), tmp_path, MB)
    assert {d.metadata["title"] for d in docs} == {title}
    assert [d.page_content for d in docs] == [
        "Findings on places of detention\n" * (place == "Juba")
        + f"In {place} monitors saw violations in conflict-related cases.\nThe {place} violations are conflict-related."
        for place in PLACES
    ]


def test_pdf_raised_footnote_marker_stays_on_its_line(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.sup_lift = 0.8  # high enough for PDFium to start a new line at the marker
    pdf.write(text="Monitors cited the report")
    pdf.char_vpos = "SUP"
    pdf.write(text="12")
    pdf.char_vpos = "LINE"
    pdf.write(text=". They left.")
    pdf.output(str(tmp_path / "note.pdf"))
    (doc,) = load_file(tmp_path / "note.pdf", tmp_path, MB)
    assert doc.page_content == "Monitors cited the report12. They left."


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        (
            "web.html",
            "<p>ОВД&nbsp;Инфо pub&shy;lished 2011&shy;2014</p><ul><li>&#9642;&nbsp;raids</li></ul>",
            "ОВД Инфо published 2011-2014\n• raids",
        ),
        ("notes.txt", "Key \ufb01ndings:\n\u2022\tviola-\ntions of the truce\u200b", "Key findings:\n• violations of the truce"),
    ],
)
def test_every_format_gets_the_character_cleaning(tmp_path, name, data, text):
    (doc,) = load_file(write(tmp_path, name, data), tmp_path, MB)
    assert doc.page_content == text


def test_html_visible_text_only(tmp_path):
    html = (
        "<html><head><title>Page title</title><style>p{color:red}</style></head>"
        "<body><h1>Monitoring report</h1><script>alert('x')</script><p>Visible finding.</p></body></html>"
    )
    (doc,) = load_file(write(tmp_path, "r.html", html), tmp_path, MB)
    assert doc.metadata["title"] == "Monitoring report"
    assert "Visible finding." in doc.page_content
    assert "alert" not in doc.page_content and "color" not in doc.page_content and "Page title" not in doc.page_content


def test_docx_heading_and_paragraphs(tmp_path):
    path = make_docx(tmp_path / "brief.docx", "Country brief", ["Paragraph one.", "Paragraph two."])
    (doc,) = load_file(path, tmp_path, MB)
    assert doc.metadata["title"] == "Country brief"
    assert "Paragraph one.\nParagraph two." in doc.page_content


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-16"])
def test_cyrillic_legacy_encodings(tmp_path, encoding):
    text = (
        "Доклад о положении правозащитников.\n"
        "В Армении, Беларуси, Казахстане и Кыргызстане правозащитники сталкиваются с дискриминацией. "
        "Власти этих стран ограничивают свободу собраний и выражения мнений."
    )
    (doc,) = load_file(write(tmp_path, "ru.txt", text, encoding), tmp_path, MB)
    assert doc.page_content == text
    assert doc.metadata["title"] == "Доклад о положении правозащитников."


def test_stray_nul_bytes_are_dropped_from_text():
    body = b"More text of the report. " * 10
    assert decode_text(b"Hello\x00 world. " + body) == "Hello world. " + body.decode()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"   \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", "corrupt or unreadable .pdf"),
        ("random.docx", b"PK\x03\x04 not a zip at all" * 10, "not a Word .docx file"),
        ("data.csv", b"a,b\n1,2\n", "unsupported file type .csv"),
    ],
)
def test_bad_files_raise_load_error_naming_the_file(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load_file(path, tmp_path, MB)
    assert info.value.source == name
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{name}: ")


def test_size_limit_is_checked_before_reading(tmp_path):
    path = write(tmp_path, "big.txt", "word " * 1000)
    with pytest.raises(LoadError, match="over the 0 MB limit"):
        load_file(path, tmp_path, 100)


def test_pdf_without_a_text_layer_is_refused(tmp_path, monkeypatch):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    monkeypatch.setattr(ocr, "available", lambda: False)  # without Tesseract the reason says what to install
    with pytest.raises(LoadError, match=r"no text could be extracted \(a scanned PDF needs OCR: install Tesseract"):
        load_file(tmp_path / "scan.pdf", tmp_path, MB)
    monkeypatch.undo()
    if ocr.available():  # with it, a page of pictures without words still holds no text
        with pytest.raises(LoadError, match=r"no text could be extracted$"):
            load_file(tmp_path / "scan.pdf", tmp_path, MB)


def test_encrypted_pdf_is_refused(tmp_path):
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "Secret findings")
    pdf.set_encryption(owner_password="owner", user_password="user")
    out = io.BytesIO()
    pdf.output(out)
    path = tmp_path / "locked.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(LoadError, match="encrypted PDF"):
        load_file(path, tmp_path, MB)


def test_scan_skips_hidden_reports_unsupported_and_does_not_follow_symlinks(tmp_path):
    corpus = tmp_path / "corpus"
    outside = write(tmp_path, "outside/secret.txt", "secret")
    write(corpus, "a.txt", "A report.")
    write(corpus, "deep/b.md", "# B")
    write(corpus, ".hidden/c.txt", "hidden")
    write(corpus, "image.png", "png")
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "linkdir").symlink_to(outside.parent, target_is_directory=True)
    files, passed_over, stamped = scan_corpus(corpus)
    assert [f.source for f in files] == ["a.txt", "deep/b.md"] and stamped == []
    assert [Path(f.path) for f in files] == [corpus.resolve() / "a.txt", corpus.resolve() / "deep" / "b.md"]
    assert sorted(passed_over) == [
        ("image.png", "unsupported file type .png"),
        ("link.txt", "symbolic link: not followed"),
        ("linkdir", "symbolic link: not followed"),
    ]
    named = ["deep", "a.txt", "deep/b.md", "linkdir", ".hidden/c.txt", "image.png", "gone.txt"]  # a folder and a file in it
    files, passed_over, _ = scan_corpus(corpus, named)
    assert [f.source for f in files] == ["a.txt", "deep/b.md"]
    assert sorted(passed_over) == [
        (".hidden/c.txt", "hidden (its name or a folder's starts with a dot): not indexed"),
        ("image.png", "unsupported file type .png"),
        ("linkdir", "symbolic link: not followed"),
    ]


def test_scan_lists_folder_by_folder_and_leaves_out_files_whose_stamp_is_unchanged(tmp_path):
    corpus = tmp_path / "corpus"
    for name in ("b.txt", "a-b.txt", "a/z.txt", "a/y/x.txt", "c.txt"):
        write(corpus, name, name)
    files, _, _ = scan_corpus(corpus)
    assert [f.source for f in files] == ["a/y/x.txt", "a/z.txt", "a-b.txt", "b.txt", "c.txt"]  # each folder in its place
    stamps = {f.source: stat_stamp(f.stat) for f in files}
    stamps["c.txt"] = "0:0:0:0"  # kept from before a change
    files, passed_over, stamped = scan_corpus(corpus, (), stamps)
    assert [f.source for f in files] == ["c.txt"] and passed_over == []
    assert sorted(stamped) == ["a-b.txt", "a/y/x.txt", "a/z.txt", "b.txt"]
    write(corpus, "b.txt", "b.txt, edited")  # the size and times move: listed again
    files, _, stamped = scan_corpus(corpus, ["a", "b.txt", "a/z.txt"], stamps)  # a folder and a file in it: counted once
    assert [f.source for f in files] == ["b.txt"] and sorted(stamped) == ["a/y/x.txt", "a/z.txt"]


def test_sample_scripts_tells_the_corpus_languages_from_report_openings(tmp_path):
    from rag.ingest.loaders import sample_scripts

    (tmp_path / "en.txt").write_text("Independent newspapers were closed by court order. " * 20, encoding="utf-8")
    (tmp_path / "ru.txt").write_text("Правозащитники сообщают о давлении со стороны властей. " * 20, encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 this is not a PDF")  # unreadable: says nothing, breaks nothing
    shares = sample_scripts(tmp_path)
    assert shares["cyrillic"] == pytest.approx(1 - shares["latin"]) and 0.3 < shares["cyrillic"] < 0.7
    assert sample_scripts(tmp_path / "missing") == {}


def test_a_named_file_is_its_source_in_the_corpus_whether_or_not_it_exists(tmp_path, monkeypatch):
    corpus = tmp_path / "reports"
    (corpus / "sub").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(corpus)
    monkeypatch.chdir(tmp_path)
    for corpus_dir, name in ((corpus, str(corpus / "sub" / "a.pdf")), (link, str(corpus / "sub" / "a.pdf")), (corpus, str(link / "sub" / "a.pdf"))):
        assert corpus_source(corpus_dir, name) == "sub/a.pdf"  # a corpus reached through a link is the same corpus
    assert corpus_source(corpus, "reports/sub/a.pdf") == "sub/a.pdf"  # from the working folder
    assert corpus_source(corpus, "sub/a.pdf") == "sub/a.pdf"  # as the index names it (no such path from here)
    assert corpus_source(corpus, "reports/sub/") == "sub"
    (tmp_path / "x.txt").write_text("not a report of the corpus", encoding="utf-8")
    for name in ("x.txt", str(tmp_path / "x.txt"), "sub/../../x.txt"):
        with pytest.raises(ConfigError, match="not inside the corpus folder"):
            corpus_source(corpus, name)
    with pytest.raises(ConfigError, match="empty file name"):
        corpus_source(corpus, " ")

"""Turn report files into LangChain Documents, one per page, with source metadata.

Every reader raises LoadError naming the file and the reason; the indexer reports and skips it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import stat
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from langchain_core.documents import Document

from rag.errors import ConfigError, LoadError
from rag.ingest import ocr
from rag.ingest.cleaning import RUNNING_PAGES, clean_pages, line_key, normalise_characters, running_lines
from rag.text import script_letters

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument, PdfTextPage

SUPPORTED = (".txt", ".md", ".pdf", ".html", ".htm", ".docx")
_MAX_TITLE = 200
_MAX_DOCX_UNPACKED = 200 * 1024 * 1024
_MAX_DOCX_RATIO = 200
_JUNK_TITLE = re.compile(
    r"^(untitled|title|document\d*|microsoft \w+ - .*)$|\.(docx?|pdf|indd|rtf|odt|txt|pptx?|xlsx?|html?|tex|qxd)$", re.IGNORECASE
)
PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe, not even for two documents at once: every caller holds this


class CorpusFile(NamedTuple):
    """A report file as the corpus listing found it: its source (path inside the corpus, with /), path and lstat."""

    source: str
    path: str
    stat: os.stat_result


class Listing(NamedTuple):
    """What a corpus listing found: the report files to compare, in source order folder by folder; (source, reason) for
    files passed over; and the sources of the files left out of `files` because their lstat gave the stamp they were
    listed with (unchanged since it was taken), in no order."""

    files: list[CorpusFile]
    passed_over: list[tuple[str, str]]
    stamped: list[str]


def stat_stamp(st: os.stat_result) -> str:
    """Size, modification and change times and inode of a file, from its lstat: what a reindex keeps with the file's hash
    (the change time moves on any write, even one that restores the modification time, as cp -p and rsync -t do)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def scan_corpus(corpus_dir: Path, within: Sequence[str] = (), stamps: Mapping[str, str] | None = None) -> Listing:
    """Report files under corpus_dir, or only at or under the sources `within` names (files or folders inside the corpus,
    paths relative to it). With `stamps` (source -> stat_stamp of the file when it was last read), a file whose lstat
    still gives its stamp is counted in `stamped` and not listed: a reindex compares only the others.

    Hidden files and folders are ignored; symlinks are never followed, so nothing outside the corpus
    is read. One directory listing per folder and one lstat per report, with no path objects and nothing
    built for an unchanged file: this runs on every reindex, however small the change (325,000 unchanged
    files in about a second and a half). A name in `within` that is not there lists nothing (its document,
    if indexed, is gone).
    """
    found = Listing([], [], [])
    root = str(corpus_dir.resolve())
    if not within:
        _scan_folder(root, "", found, stamps or {})
    for name in sorted(set(within)):
        _scan_named(root, name, found, stamps or {})
    files, stamped = found.files, found.stamped
    if len(within) > 1:  # a folder and a file inside it may both be named
        files, stamped = list({file.source: file for file in files}.values()), list(dict.fromkeys(stamped))
    return Listing(sorted(files, key=_folder_order), sorted(set(found.passed_over)), stamped)


def _folder_order(file: CorpusFile) -> list[str]:
    """Sources compared part by part: each folder's reports in name order, a sub-folder's in its place."""
    return file.source.split("/")


def _scan_named(root: str, name: str, found: Listing, stamps: Mapping[str, str]) -> None:
    """The report file `name`, or the reports of the folder `name`, inside the corpus at root."""
    path = os.path.join(root, name)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        found.passed_over.append((name, f"cannot be read ({exc.strerror or exc})"))
        return
    if any(part.startswith(".") for part in name.split("/")):
        found.passed_over.append((name, "hidden (its name or a folder's starts with a dot): not indexed"))
    elif stat.S_ISDIR(st.st_mode):
        _scan_folder(path, name + "/", found, stamps)
    elif stat.S_ISLNK(st.st_mode):
        found.passed_over.append((name, "symbolic link: not followed"))
    elif stat.S_ISREG(st.st_mode):
        suffix = Path(name).suffix
        if suffix.lower() not in SUPPORTED:
            found.passed_over.append((name, f"unsupported file type {suffix or '(none)'}"))
        elif stamps.get(name) == stat_stamp(st):
            found.stamped.append(name)
        else:
            found.files.append(CorpusFile(name, path, st))


def corpus_source(corpus_dir: Path, name: str) -> str:
    """The source (path relative to the corpus, with /) of a file or folder named on the command line: a path inside the
    corpus folder (absolute or from the working folder, whether or not it still exists), or a source as the index
    lists it. Raises ConfigError for a path outside the corpus."""
    if not name.strip():
        raise ConfigError("An empty file name was given; name report files or folders inside the corpus folder.")
    given = os.path.abspath(name)
    # the corpus or the name may be reached through a link (/tmp on some systems): compare both as written and with the
    # folders' links resolved, never the named file's own (a link inside the corpus stays a link, not followed)
    targets = (given, os.path.join(os.path.realpath(os.path.dirname(given)), os.path.basename(given)))
    for base in (os.path.abspath(corpus_dir), os.path.realpath(corpus_dir)):
        for target in targets:
            relative = os.path.relpath(target, base)
            if relative == ".":
                raise ConfigError(f"{name}: that is the whole corpus folder; reindex without naming files.")
            if relative.split(os.sep)[0] != "..":
                return Path(relative).as_posix()
    if os.path.isabs(name) or os.path.lexists(name):
        raise ConfigError(f"{name}: not inside the corpus folder {corpus_dir}; copy it there first.")
    relative = os.path.normpath(name)
    if relative.split(os.sep)[0] == ".." or os.path.isabs(relative):
        raise ConfigError(f"{name}: not inside the corpus folder {corpus_dir}.")
    return Path(relative).as_posix()


def _scan_folder(folder: str, prefix: str, found: Listing, stamps: Mapping[str, str]) -> None:
    """One folder's reports, and its sub-folders' (in listing order: the caller sorts what it keeps). The loop runs once
    per file of the corpus, so an unchanged file costs its lstat, one stamp and one look-up, nothing more."""
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                name = entry.name
                if name[0] == ".":
                    continue
                source = prefix + name
                try:
                    if entry.is_file(follow_symlinks=False):  # a regular file, not a link to one: the common case first
                        suffix = name[name.rfind(".") :] if "." in name else ""
                        if suffix.lower() not in SUPPORTED:
                            found.passed_over.append((source, f"unsupported file type {suffix or '(none)'}"))
                            continue
                        st = entry.stat(follow_symlinks=False)
                        kept = stamps.get(source)
                        if kept is not None and kept == stat_stamp(st):
                            found.stamped.append(source)
                        else:
                            found.files.append(CorpusFile(source, entry.path, st))
                    elif entry.is_dir(follow_symlinks=False):
                        _scan_folder(entry.path, source + "/", found, stamps)
                    elif entry.is_symlink():
                        found.passed_over.append((source, "symbolic link: not followed"))
                except OSError as exc:  # gone between the listing and its stat
                    found.passed_over.append((source, f"cannot be read ({exc.strerror or exc})"))
    except OSError:
        return  # a folder that vanished or cannot be listed holds nothing to index


def file_sha256(path: Path) -> str:
    """Content hash of a file, streamed so a large file is never held in memory for it."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(path: Path, corpus_dir: Path, max_bytes: int) -> list[Document]:
    """Read one report into page Documents carrying source, title, page, sha256 and modified."""
    source = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise LoadError(source, f"unsupported file type {path.suffix or '(none)'}; use {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(source, f"{size / 2**20:.1f} MB is over the {max_bytes / 2**20:.0f} MB limit (RAG_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(source, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise LoadError(source, "empty file")
    try:
        title, pages = reader(data)
    except LoadError as exc:
        raise LoadError(source, exc.reason) from None
    except Exception as exc:  # parsers raise anything on corrupt input; the file is skipped, the run goes on
        raise LoadError(source, f"corrupt or unreadable {path.suffix.lower()} file ({exc})") from None
    pages = [(n, text) for n, text in pages if text.strip()]
    if not pages:
        hint = "" if ocr.available() else " (a scanned PDF needs OCR: install Tesseract, see the README)"
        raise LoadError(source, f"no text could be extracted{hint}")
    meta = {
        "source": source,
        "title": _clip(title) or _first_line(pages[0][1]) or path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "modified": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds"),
    }
    return [Document(page_content=text, metadata={**meta, "page": n}) for n, text in pages]


def opening_text(path: Path, max_chars: int = 20000, pdf_pages: int = 3) -> str:
    """The opening of a report, read cheaply to tell its language: a PDF's first pages' text layer (no OCR),
    the first bytes of a text or Markdown file; an HTML or Word file is read whole. '' when it cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            import pypdfium2 as pdfium

            with PDFIUM_LOCK:
                document = pdfium.PdfDocument(str(path))
                try:
                    return "\n".join(_pdf_page(document, i, _page_text) for i in range(min(pdf_pages, len(document))))[:max_chars]
                finally:
                    document.close()
        if suffix in (".docx", ".html", ".htm"):
            return "\n".join(text for _, text in _READERS[suffix](path.read_bytes())[1])[:max_chars]
        with path.open("rb") as fh:
            return decode_text(fh.read(max_chars * 2))[:max_chars]
    except Exception:  # a corrupt or locked file says nothing of the corpus's language; indexing reports it
        return ""


def sample_scripts(corpus_dir: Path, most: int = 24) -> dict[str, float]:
    """Share of Cyrillic and Latin letters in the openings of up to `most` reports spread over the corpus
    ({} for a corpus with no readable text): which languages it holds, told in about a second."""
    files = scan_corpus(corpus_dir)[0]
    picked = files if len(files) <= most else [files[i * len(files) // most] for i in range(most)]
    totals = {"cyrillic": 0, "latin": 0}
    for file in picked:
        for name, count in script_letters(opening_text(Path(file.path))).items():
            totals[name] += count
    whole = sum(totals.values())
    return {name: count / whole for name, count in totals.items()} if whole else {}


Pages = list[tuple[int | None, str]]


def _read_text(data: bytes) -> tuple[str, Pages]:
    text = decode_text(data)
    return "", [(None, text)]


def _read_markdown(data: bytes) -> tuple[str, Pages]:
    text = decode_text(data)
    heading = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    return (heading.group(1) if heading else ""), [(None, text)]


def _read_pdf(data: bytes) -> tuple[str, Pages]:
    """Pages read with PDFium; the title from the metadata when it is a real one, else page 1's largest heading."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
                raise LoadError("", "encrypted PDF: save an unprotected copy to index it") from None
            raise
        try:
            raw = [_pdf_page(document, i, _page_text) for i in range(len(document))]
            headings = _pdf_page(document, 0, _page_lines) if raw else []
            metadata = str(document.get_metadata_value("Title") or "")
            scanned = [i for i, text in enumerate(raw) if ocr.page_is_scanned(text)] if ocr.available() else []
            scans = [_rendered(document, i) for i in scanned]
        finally:
            document.close()
    for i, words in zip(scanned, ocr.read_scans(scans)):  # outside the lock: Tesseract runs in its own processes
        raw[i] = ocr.page_text(words)
    running = running_lines([normalise_characters(page) for page in raw]) if len(raw) >= RUNNING_PAGES else set()
    pages = clean_pages(raw)
    title = metadata if _is_real_title(metadata) else _largest_heading(headings, running)
    return title, list(enumerate(pages, start=1))


def _rendered(document: PdfDocument, index: int) -> ocr.Scan:
    page = document[index]
    try:
        return ocr.render(page)
    finally:
        page.close()


def _pdf_page(document: PdfDocument, index: int, read: Callable[[PdfTextPage], Any]) -> Any:
    """read(text page) of one page, closing PDFium's page objects at once (they hold native memory)."""
    page = document[index]
    textpage = page.get_textpage()
    try:
        return read(textpage)
    finally:
        textpage.close()
        page.close()


def _page_text(textpage: PdfTextPage) -> str:
    """A page's text in PDFium's reading order, with raised footnote markers kept on their line.

    PDFium starts a new line wherever the baseline moves, so a word with a superscript marker and a full
    stop comes out as three lines ("word", "1", "."). A break whose next character sits in the previous
    one's line band, further right, is no line end and is taken out. A soft hyphen PDFium reports was drawn
    on the page, so it is a real hyphen (web pages printed to PDF use it for every hyphen).
    """
    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():  # PDFium left out or added characters: positions do not line up
        return text.replace("\u00ad", "-")
    pieces, last = [], 0
    for match in re.finditer("\r\n", text):
        at = match.start()
        if 0 < at and match.end() < len(text):
            before, after = textpage.get_charbox(at - 1, loose=True), textpage.get_charbox(match.end(), loose=True)
            if _same_line(before, after):
                spaced = after[0] - before[2] > 0.15 * (before[3] - before[1])
                pieces += [text[last:at], " " if spaced else ""]
                last = match.end()
    pieces.append(text[last:])
    return "".join(pieces).replace("\u00ad", "-")


def _same_line(before: tuple[float, ...], after: tuple[float, ...]) -> bool:
    """Character boxes (left, bottom, right, top): after goes on with before's line, raised or lowered a little.

    A superscript shares a good third of its height with the line; the next line down shares little or none.
    """
    shared = min(before[3], after[3]) - max(before[1], after[1])
    return shared >= 0.3 * min(before[3] - before[1], after[3] - after[1]) and after[0] >= before[0]


def _page_lines(textpage: PdfTextPage) -> list[tuple[float, str]]:
    """(height, text) of each line of a page that reads as one run of text (no wide gaps, as a masthead has)."""
    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():
        return []
    lines, start = [], 0
    for end in [m.start() for m in re.finditer("\r\n", text)] + [len(text)]:
        boxes = [textpage.get_charbox(i, loose=True) for i in range(start, end) if not text[i].isspace()]
        if boxes:
            height = max(top - bottom for _, bottom, _, top in boxes)
            gap = max((b[0] - a[2] for a, b in zip(boxes, boxes[1:])), default=0.0)
            if gap <= 3 * height:
                lines.append((height, text[start:end]))
        start = end + 2
    return lines


def _largest_heading(lines: list[tuple[float, str]], running: set[str]) -> str:
    """The first run (up to 3 lines) of page 1's largest lines of words, if larger than its smallest text.

    Lines of mostly digits or symbols (barcodes, dates) and running headers are passed over.
    """
    texts = ((height, normalise_characters(text).replace("\ufffe", "-").strip()) for height, text in lines)
    candidates = [(height, text) for height, text in texts if _letter_share(text) >= 0.5 and line_key(text) not in running]
    if not candidates or max(h for h, _ in candidates) < 1.15 * min(h for h, _ in lines):
        return ""
    top = max(h for h, _ in candidates)
    start = next(i for i, (height, _) in enumerate(candidates) if height >= 0.95 * top)
    run = itertools.takewhile(lambda line: line[0] >= 0.95 * top, candidates[start : start + 3])
    return " ".join(text for _, text in run)


def _letter_share(text: str) -> float:
    chars = [ch for ch in text if not ch.isspace()]
    return sum(ch.isalpha() for ch in chars) / max(len(chars), 1) if len(chars) >= 3 else 0.0


def _is_real_title(title: str) -> bool:
    """A metadata title is often junk: empty, "untitled", or the file it was made from ("Microsoft Word - x.docx")."""
    title = " ".join(title.split())
    return _letter_share(title) >= 0.5 and not _JUNK_TITLE.search(title)


def _read_html(data: bytes) -> tuple[str, Pages]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "iframe", "object"]):
        tag.decompose()
    heading = soup.find(["h1", "h2"]) or soup.find("title")
    title = heading.get_text(" ", strip=True) if heading else ""
    if soup.head:
        soup.head.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return title, [(None, clean_text(text))]  # again: entities (&nbsp; &shy;) are only decoded by the parser


def _read_docx(data: bytes) -> tuple[str, Pages]:
    import docx

    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    title = ""
    lines: list[str] = []
    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        if not title and para.text.strip() and style.startswith(("Title", "Heading")):
            title = para.text.strip()
        lines.append(para.text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    metadata = document.core_properties.title or ""
    return title or (metadata if _is_real_title(metadata) else ""), [(None, clean_text("\n".join(lines)))]


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates it."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError("", "not a Word .docx file (not a zip package)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > _MAX_DOCX_UNPACKED or unpacked > _MAX_DOCX_RATIO * max(len(data), 1):
        raise LoadError("", f"refused: unpacks to {unpacked / 2**20:.0f} MB (a zip bomb?)")


def decode_text(data: bytes) -> str:
    """Bytes of a text file in any common encoding (UTF-8/16, cp1251, koi8-r, latin-1...) to clean text.

    Stray NUL bytes (bad exports) are dropped; text that is mostly NULs is tried as UTF-16.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean_text(data.decode("utf-16"))
    if data.count(b"\x00") > len(data) // 3:
        return _utf16_without_bom(data)
    data = data.replace(b"\x00", b"")
    try:
        return clean_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or _unprintable_share(str(best)) > 0.02:
        raise LoadError("", "binary content or unknown text encoding, not text")
    return clean_text(str(best))


def _utf16_without_bom(data: bytes) -> str:
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _unprintable_share(text) <= 0.02:
            return clean_text(text)
    raise LoadError("", "binary content, not text")


def clean_text(text: str) -> str:
    """Decoded text of one file cleaned the way every page is (rag.ingest.cleaning): characters, broken words, bullets."""
    return clean_pages([text])[0]


def _unprintable_share(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if unicodedata.category(ch)[0] == "C" and ch not in "\n\t\f\r")
    return bad / max(len(sample), 1)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return _clip(line)
    return ""


def _clip(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 1] + "…"


_READERS: dict[str, Callable[[bytes], tuple[str, Pages]]] = {
    ".txt": _read_text,
    ".md": _read_markdown,
    ".pdf": _read_pdf,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
}

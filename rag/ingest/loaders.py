"""Turn report files into LangChain Documents, one per page, with source metadata.

Every reader raises LoadError naming the file and the reason; the indexer reports and skips it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.documents import Document

from rag.errors import LoadError

SUPPORTED = (".txt", ".md", ".pdf", ".html", ".htm", ".docx")
_MAX_TITLE = 200
_MAX_DOCX_UNPACKED = 200 * 1024 * 1024
_MAX_DOCX_RATIO = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def scan_corpus(corpus_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Report files under corpus_dir (sorted), and (source, reason) for files that are passed over.

    Hidden files and folders are ignored; symlinks are never followed, so nothing outside the corpus
    is read. One directory listing per folder (no per-file stat beyond what the listing gives): this
    runs on every reindex, however small the change.
    """
    root = corpus_dir.resolve()
    files: list[tuple[tuple[str, ...], Path]] = []
    passed_over: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[tuple[str, ...], Path]] = [((), root)]
    while folders:
        parts, folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a folder that vanished or cannot be listed holds nothing to index
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = (*parts, entry.name)
            if entry.is_symlink():
                passed_over.append((rel, "symbolic link: not followed"))
            elif entry.is_dir(follow_symlinks=False):
                folders.append((rel, Path(entry.path)))
            elif entry.is_file(follow_symlinks=False):
                suffix = Path(entry.name).suffix
                if suffix.lower() in SUPPORTED:
                    files.append((rel, Path(entry.path)))
                else:
                    passed_over.append((rel, f"unsupported file type {suffix or '(none)'}"))
    return [path for _, path in sorted(files)], [("/".join(rel), reason) for rel, reason in sorted(passed_over)]


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
        raise LoadError(source, f"corrupt or unreadable {path.suffix.lower()} file ({type(exc).__name__}: {exc})") from None
    pages = [(n, text) for n, text in pages if text.strip()]
    if not pages:
        raise LoadError(source, "no text could be extracted (a scanned PDF needs OCR first)")
    meta = {
        "source": source,
        "title": _clip(title) or _first_line(pages[0][1]) or path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "modified": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds"),
    }
    return [Document(page_content=text, metadata={**meta, "page": n}) for n, text in pages]


Pages = list[tuple[int | None, str]]


def _read_text(data: bytes) -> tuple[str, Pages]:
    text = decode_text(data)
    return "", [(None, text)]


def _read_markdown(data: bytes) -> tuple[str, Pages]:
    text = decode_text(data)
    heading = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    return (heading.group(1) if heading else ""), [(None, text)]


def _read_pdf(data: bytes) -> tuple[str, Pages]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise LoadError("", "encrypted PDF: save an unprotected copy to index it")
    pages = [(i, clean_text(page.extract_text() or "")) for i, page in enumerate(reader.pages, start=1)]
    title = (reader.metadata.title if reader.metadata else None) or ""
    return str(title), pages


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
    return title, [(None, text)]


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
    title = title or (document.core_properties.title or "")
    return title, [(None, clean_text("\n".join(lines)))]


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
    """Normalise line ends and Unicode form, drop control characters (NUL included)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


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

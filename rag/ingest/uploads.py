"""Adding and removing report files in the corpus folder, never touching anything outside it.

Uploads arrive with names chosen by whoever sent them: only the last path component survives,
reduced to letters, digits and a few safe marks, and an existing file is overwritten only when the
caller asks for it (otherwise the new one becomes `name-1.txt`). Deleting takes a document source
as the index records it and refuses any path that leads out of the corpus folder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rag.errors import CorpusFileError
from rag.ingest.loaders import SUPPORTED

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_MAX_STEM = 100
_MAX_RENAMES = 1000


@dataclass(frozen=True)
class SavedFile:
    """Where an upload was saved, and the name it asked for when that name was already taken."""

    path: Path
    renamed_from: str | None = None
    replaced: bool = False


def safe_name(name: str) -> str:
    """A file name for the corpus folder: last path component only, no hidden or traversal parts.

    Raises CorpusFileError when nothing usable is left or the type is not a supported report type.
    """
    last = re.split(r"[\\/]", name.strip())[-1]
    last = unicodedata.normalize("NFC", last)
    suffix = PurePosixPath(last).suffix.lower()
    stem = last[: len(last) - len(suffix)] if suffix else last
    stem = _UNSAFE.sub("_", stem).strip("._-")[:_MAX_STEM].strip("._-")
    if suffix not in SUPPORTED:
        raise CorpusFileError(f"{name}: unsupported file type {suffix or '(none)'}; upload one of {', '.join(SUPPORTED)}.")
    if not stem:
        raise CorpusFileError(f"{name}: the file name has no usable characters; rename it and upload again.")
    return stem + suffix


def save_upload(corpus_dir: Path, source: Path, name: str, max_bytes: int, replace: bool = False) -> SavedFile:
    """Copy an uploaded file into corpus_dir under a safe name; the type and size are checked here. A report file
    of that name is replaced when `replace` is set (in one rename: readers see the old file or the new one),
    otherwise the upload takes the first unused name."""
    wanted = safe_name(name)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise CorpusFileError(f"{name}: the upload cannot be read ({exc.strerror or exc}).") from None
    if size > max_bytes:
        raise CorpusFileError(f"{name}: {_mb(size)} MB is over the {_mb(max_bytes)} MB limit (RAG_MAX_FILE_MB)")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    staged = _stage(corpus_dir, source, name)
    try:
        existing = corpus_dir.resolve() / wanted
        if replace and existing.is_file() and not existing.is_symlink():
            os.replace(staged, existing)
            return SavedFile(existing, None, replaced=True)
        target = _link_unused(staged, corpus_dir.resolve(), wanted)
    finally:
        staged.unlink(missing_ok=True)
    return SavedFile(target, None if target.name == wanted else wanted)


def corpus_file(corpus_dir: Path, source: str) -> Path:
    """The report file a document source names: a regular file of a supported type inside corpus_dir, never a link
    and never a path that climbs out of it."""
    root = corpus_dir.resolve()
    relative = PurePosixPath(source.replace("\\", "/"))
    if not relative.parts or relative.is_absolute() or ".." in relative.parts:
        raise CorpusFileError(f"{source}: not a document of the corpus folder {corpus_dir}.")
    path = root.joinpath(*relative.parts)
    if path.is_symlink() or not path.is_file() or not path.parent.resolve().is_relative_to(root):
        raise CorpusFileError(f"{source}: no such report file in the corpus folder {corpus_dir}; reindex to refresh the list.")
    if path.suffix.lower() not in SUPPORTED:
        raise CorpusFileError(f"{source}: not a report file ({', '.join(SUPPORTED)}); it is left alone.")
    return path


def delete_document(corpus_dir: Path, source: str) -> Path:
    """Remove the report file of an indexed document; the path must stay inside corpus_dir."""
    path = corpus_file(corpus_dir, source)
    path.unlink()
    return path


def _mb(size: int) -> str:
    return f"{size / 2**20:.3g}"


def _stage(corpus_dir: Path, source: Path, name: str) -> Path:
    """Copy the upload to a hidden file in the corpus folder (the indexer skips hidden files)."""
    handle, staged = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=corpus_dir)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
    except OSError as exc:
        Path(staged).unlink(missing_ok=True)
        raise CorpusFileError(f"{name}: could not be saved in {corpus_dir} ({exc.strerror or exc}).") from None
    return Path(staged)


def _link_unused(staged: Path, folder: Path, wanted: str) -> Path:
    """Give the staged file the first free name of `wanted`, `stem-1.ext`, `stem-2.ext`...

    A hard link fails when the name exists, so no file is ever replaced, even by a concurrent upload.
    """
    stem, suffix = wanted[: -len(PurePosixPath(wanted).suffix)], PurePosixPath(wanted).suffix
    for n in range(_MAX_RENAMES):
        target = folder / (wanted if n == 0 else f"{stem}-{n}{suffix}")
        try:
            os.link(staged, target)
        except FileExistsError:
            continue
        return target
    raise CorpusFileError(f"{wanted}: {_MAX_RENAMES} files of that name already exist in {folder}; rename the upload.")

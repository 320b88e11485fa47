"""Logins for the web app: RAG_AUTH is one `user:password` pair or a file of such lines.

A line may end with ` collections=haiti,sudan`: that user then sees, asks, reindexes, uploads to and downloads from
those collections (sub-folders of the corpus) only; a user without it reaches every document."""

from __future__ import annotations

from pathlib import Path

from rag.errors import ConfigError


def parse_auth(value: str) -> list[tuple[str, str]] | None:
    """(user, password) pairs for Gradio's launch(auth=...); None when no login is configured.

    An existing file is read one pair a line (blank lines and `#` comments skipped); anything
    else must itself be `user:password`.
    """
    value = value.strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.is_file():
        return _read_file(path)
    if ":" not in value:
        raise ConfigError(f"RAG_AUTH={value!r} is neither 'user:password' nor an existing file of such lines.")
    return [_pair(value, "RAG_AUTH")]


LIMIT = " collections="  # what ends a login line that limits its user to some collections


def parse_access(value: str) -> dict[str, tuple[str, ...]]:
    """user -> the collections that user is limited to, for the logins RAG_AUTH limits (the others reach everything)."""
    value = value.strip()
    if not value:
        return {}
    path = Path(value).expanduser()
    lines = [line for _, line in _entries(path)] if path.is_file() else [value]
    access = {}
    for line in lines:
        entry, sep, limit = line.rpartition(LIMIT)
        if sep:
            names = tuple(dict.fromkeys(c.strip().strip("/") for c in limit.split(",") if c.strip().strip("/")))
            bad = [name for name in names if "/" in name or "\\" in name or name.startswith(".")]
            if bad:
                raise ConfigError(f"RAG_AUTH: collections are plain sub-folder names of the corpus, not {', '.join(bad)}.")
            access[entry.partition(":")[0].strip()] = names
    return access


def _entries(path: Path) -> list[tuple[int, str]]:
    """(line number, line) of a RAG_AUTH file's login lines: blank lines and `#` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"RAG_AUTH file {path} cannot be read ({exc}).") from None
    return [(n, line.strip()) for n, line in enumerate(lines, start=1) if _is_entry(line)]


def _read_file(path: Path) -> list[tuple[str, str]]:
    pairs = [_pair(line, f"{path} line {n}") for n, line in _entries(path)]
    if not pairs:
        raise ConfigError(f"RAG_AUTH file {path} holds no 'user:password' line.")
    return pairs


def _is_entry(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _pair(text: str, where: str) -> tuple[str, str]:
    text = text.rpartition(LIMIT)[0] if LIMIT in text else text
    user, sep, password = text.partition(":")
    if not sep or not user.strip() or not password:
        raise ConfigError(f"{where}: expected 'user:password' with both parts filled in.")
    return user.strip(), password

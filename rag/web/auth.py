"""Logins for the web app: RAG_AUTH is one `user:password` pair or a file of such lines."""

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


def _read_file(path: Path) -> list[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"RAG_AUTH file {path} cannot be read ({exc}).") from None
    pairs = [_pair(line.strip(), f"{path} line {n}") for n, line in enumerate(lines, start=1) if _is_entry(line)]
    if not pairs:
        raise ConfigError(f"RAG_AUTH file {path} holds no 'user:password' line.")
    return pairs


def _is_entry(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _pair(text: str, where: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user.strip() or not password:
        raise ConfigError(f"{where}: expected 'user:password' with both parts filled in.")
    return user.strip(), password

"""Small helpers the tests share."""

from __future__ import annotations

from pathlib import Path


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a small test document and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path

"""Small helpers the tests share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from rag.pipeline import Pipeline


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a small test document and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def indexed(make_pipeline, **files: str) -> Pipeline:
    """A pipeline (from the make_pipeline fixture) whose corpus holds these files (name=text), indexed."""
    pipeline = make_pipeline()
    for name, text in files.items():
        write(pipeline.settings.corpus_dir, name, text)
    pipeline.index()
    return pipeline


def launch_app(pipeline: Pipeline, **overrides) -> tuple[gr.Blocks, str]:
    """Serve app.py's page over a pipeline on 127.0.0.1 with settings overrides (auth, mcp...).

    Returns (blocks, url); Gradio picks a free port from 7860 up. The caller closes the blocks.
    """
    import dataclasses

    import app
    from rag.config import apply_network_policy

    settings = dataclasses.replace(pipeline.settings, host="127.0.0.1", **overrides)
    apply_network_policy(settings)
    demo = app.build_app(pipeline, settings.auth)
    options = {**app.launch_options(settings), "server_port": None}
    _, url, _ = demo.queue().launch(prevent_thread_lock=True, quiet=True, **options)
    return demo, url


def make_pdf(path: Path, pages: list[str], title: str = "") -> Path:
    """A text PDF with one page per string (Helvetica 12, text wrapped to the page)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


class SameVectors:
    """Sentence vectors that are all alike, so the word overlap alone ranks sentences; with UNIT as the question's."""

    def of_chunks(self, chunks):
        import numpy as np

        return [np.ones((len(c.spans()), 2), dtype=np.float32) / np.sqrt(2) for c in chunks]


UNIT = (2**-0.5, 2**-0.5)  # a question vector whose cosine with each SameVectors sentence is 1

"""The bundled model wrapper: token counting must be safe beside encoding on another thread."""

from __future__ import annotations

import threading


def test_counting_tokens_on_another_thread_does_not_garble_encoding(embeddings):
    # The indexer counts tokens on its loader thread while the main thread encodes. On one shared fast
    # tokenizer the untruncated count resets the padding state mid-batch (about one batch in ten failed).
    texts = ["word " * n for n in range(5, 120, 3)]
    errors: list[str] = []
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            embeddings.count_tokens("a short text to count " * 5)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        for _ in range(300):
            try:
                embeddings.model.preprocess(texts)  # the tokenising step of encode(), without the model
            except ValueError as exc:
                errors.append(str(exc))
    finally:
        stop.set()
        counter.join()
    assert errors == []
    assert embeddings.count_tokens("word " * 300) == 300  # still the untruncated count

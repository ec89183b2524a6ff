"""The knowledge database: one SQLite file holding the document registry, the lexical (FTS5) index and
the sentence vectors.

All live in one file so that a document's registry row, lexical entries and sentence vectors change in one
transaction.
Migrations are a plain list; the names applied are recorded in a table.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from knowledge.damage import DamagedDatabase, is_damage

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_documents",
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            type TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            owner TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            size_bytes INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE chunks (
            id TEXT PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            heading TEXT NOT NULL DEFAULT '',
            page INTEGER
        );
        CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            chunk_id UNINDEXED, document_id UNINDEXED, title, heading, body,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        """,
    ),
    (
        # The FTS rows were keyed by chunk id, an UNINDEXED column: replacing or deleting one document
        # scanned the whole index (quadratic ingestion; 30k chunks took 38 s of SQLite alone). Now an
        # FTS row's rowid is its chunk's `seq` (an INTEGER PRIMARY KEY, stable across VACUUM) and a
        # trigger deletes it with the chunk, so both always change together.
        "002_fts_keyed_by_chunk_seq",
        """
        CREATE TABLE chunks_new (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            heading TEXT NOT NULL DEFAULT '',
            page INTEGER
        );
        INSERT INTO chunks_new(id, document_id, ordinal, heading, page)
            SELECT id, document_id, ordinal, heading, page FROM chunks ORDER BY document_id, ordinal;
        CREATE VIRTUAL TABLE chunks_fts_new USING fts5(
            chunk_id UNINDEXED, document_id UNINDEXED, title, heading, body,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        INSERT INTO chunks_fts_new(rowid, chunk_id, document_id, title, heading, body)
            SELECT c.seq, f.chunk_id, f.document_id, f.title, f.heading, f.body
            FROM chunks_fts f JOIN chunks_new c ON c.id = f.chunk_id;
        DROP TABLE chunks_fts;
        DROP TABLE chunks;
        ALTER TABLE chunks_new RENAME TO chunks;
        ALTER TABLE chunks_fts_new RENAME TO chunks_fts;
        CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
        CREATE TRIGGER chunks_leave_fts AFTER DELETE ON chunks BEGIN
            DELETE FROM chunks_fts WHERE rowid = old.seq;
        END;
        """,
    ),
    (
        # Where each document came from: the resolved folder it was ingested from, '' for uploads and
        # saved replies. `ingest X --prune` deletes only documents whose source is X. Documents from
        # before this migration have '' until an ingest of their folder finds them again.
        "003_document_source_root",
        """
        ALTER TABLE documents ADD COLUMN source_root TEXT NOT NULL DEFAULT '';
        CREATE INDEX documents_by_source ON documents(source_root);
        """,
    ),
    (
        # Trust: a chunk whose text carries planted instructions is flagged (its signal codes, comma
        # separated) and kept out of retrieval until an admin approves its document; an approval covers
        # the content hash approved, so a changed document is checked afresh. `authoritative` marks the
        # documents whose sensitive statements (price, discount, contract, roadmap) may reach a buyer.
        "004_flags_approval_authority",
        """
        ALTER TABLE documents ADD COLUMN authoritative INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE documents ADD COLUMN approved_hash TEXT NOT NULL DEFAULT '';
        ALTER TABLE documents ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE chunks ADD COLUMN flag TEXT NOT NULL DEFAULT '';
        CREATE INDEX chunks_flagged ON chunks(document_id) WHERE flag != '';
        """,
    ),
    (
        # A counter every writer bumps when it changes the stores: a process holding an embedded Chroma
        # client compares it with the value it last saw and reopens the client when another process (or
        # another client in this one) wrote, since Chroma caches its vector index per process.
        "005_generation",
        """
        CREATE TABLE kb_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO kb_state(key, value) VALUES ('generation', 0);
        """,
    ),
    (
        # Sentence vectors, computed at ingest in the chunk's embedding passes, so a turn embeds only the
        # buyer's message (knowledge/sentence_vectors.py). Keyed by chunk id (which holds the chunk text's
        # hash) and the sentence's own hash; written and deleted with their chunk, in its transaction.
        "006_sentence_vectors",
        """
        CREATE TABLE sentence_vectors (
            chunk_id TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            text TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (chunk_id, text_hash)
        ) WITHOUT ROWID;
        """,
    ),
]


def _statements(script: str) -> Iterator[str]:
    """Complete SQL statements of a script (a trigger's body holds semicolons of its own)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:80]}")


LOCK_FILE = "knowledge.write.lock"  # beside the SQLite file: the data folder's writer lock


class KnowledgeDB:
    """A SQLite connection with the schema applied; `transaction()` groups writes atomically."""

    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # One connection shared across Streamlit's threads, serialised by a lock.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            self._conn.close()
            raise DamagedDatabase(self.path, str(error)) from None

    @property
    def location(self) -> str:
        """Where this store lives, for messages: the data folder."""
        return str(Path(self.path).resolve().parent)

    def writer_lock(self) -> FileLock:
        """The lock every writer holds: an OS lock on a file beside the registry, released by the kernel
        if the process dies. One lock object per file in this process (is_singleton): two knowledge bases
        on one folder in one thread nest instead of deadlocking; other threads and processes wait."""
        return FileLock(str(Path(self.location) / LOCK_FILE), is_singleton=True)

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    for statement in _statements(sql):
                        conn.execute(statement)
                    conn.execute("INSERT INTO _migrations(name) VALUES (?)", (name,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

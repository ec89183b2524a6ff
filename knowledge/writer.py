"""One writer at a time on a data folder, and readers that notice when someone wrote.

Writers (an ingest, an upload, a delete, an approval, a repair) hold an exclusive lock on a file beside
the registry (`filelock`: an OS lock, released by the kernel if the process dies). So when a writer starts
and clears what an interrupted run left behind, no other writer is alive: everything unowned in the
stores is provably a leftover, never another process's vectors in flight. Waiting for the lock is logged;
after `timeout_s` the writer gives up with `WriterBusy`.

Every write bumps a generation counter in the registry. A process compares it with the value it last saw
before it searches or writes, and reopens its embedded Chroma client when they differ (or when the Chroma
folder was replaced): Chroma caches its vector index per process, so without this a running app never
sees documents the CLI ingested.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from knowledge.chroma_index import ChromaIndex
from knowledge.store_db import KnowledgeDB

LOCK_FILE = "knowledge.write.lock"
# A sync of a large folder holds the lock for minutes; ten minutes of waiting means something is stuck.
LOCK_TIMEOUT_S = 600.0
_UNSEEN = -1  # before the first check: the client may have been opened before a write, so check once

log = logging.getLogger("lastmile.knowledge")


class WriterBusy(RuntimeError):
    """Another process kept the data folder's writer lock for longer than this one would wait."""


class WriterCoordination:
    def __init__(self, db: KnowledgeDB, dense: ChromaIndex, *, timeout_s: float = LOCK_TIMEOUT_S) -> None:
        self._db = db
        self._dense = dense
        self.timeout_s = timeout_s
        self.folder = Path(db.path).resolve().parent
        # One lock object per file in this process (is_singleton): two knowledge bases on one folder in
        # one thread nest instead of deadlocking; other threads and processes wait.
        self._lock = FileLock(str(self.folder / LOCK_FILE), is_singleton=True)
        self._seen = _UNSEEN
        self._checking = threading.Lock()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock (re-entrant in one thread); the stores are current once inside."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            log.warning("waiting for another process writing to %s ...", self.folder)
            try:
                self._lock.acquire(timeout=self.timeout_s)
            except Timeout as error:
                raise WriterBusy(
                    f"another process has been writing to the knowledge base in {self.folder} for over "
                    f"{self.timeout_s:.0f} s; try again when it has finished"
                ) from error
        try:
            self.refresh()
            yield
        finally:
            if self._lock.lock_counter == 1:  # the outermost writer: a last bump covers vector deletes
                with self._db.transaction() as conn:
                    self.bump(conn)
            self._lock.release()

    def bump(self, conn: sqlite3.Connection) -> None:
        """Record a write, inside the writer's transaction (the lock is held, so this process is current)."""
        conn.execute("UPDATE kb_state SET value = value + 1 WHERE key = 'generation'")
        self._seen = int(conn.execute("SELECT value FROM kb_state WHERE key = 'generation'").fetchone()[0])

    def refresh(self) -> bool:
        """Reopen the dense index if anyone wrote since this process last looked; True if it did."""
        with self._checking:
            rows = self._db.query("SELECT value FROM kb_state WHERE key = 'generation'")
            current = int(rows[0][0]) if rows else 0
            if current == self._seen and not self._dense.replaced():
                return False
            self._dense.reopen()
            self._seen = current
            return True

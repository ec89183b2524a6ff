"""One writer at a time on a data folder, and readers that notice when someone wrote.

Writers (an ingest, an upload, a delete, an approval, a repair) hold an exclusive lock the registry's
store provides: on a file beside the SQLite registry (`filelock`: an OS lock, released by the kernel if the
process dies), or a PostgreSQL advisory lock when the stores are shared (knowledge/pg_lock.py: released
by the server when the holder's connection ends), so every machine's writers take turns. So when a writer starts
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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from filelock import Timeout

from knowledge.chroma_index import ChromaIndex
from knowledge.pg_lock import LockTimeout
from knowledge.store_db import LOCK_FILE, KnowledgeDB
from knowledge.store_pg import PostgresKnowledgeDB

__all__ = ["LOCK_FILE", "WriterBusy", "WriterCoordination"]
# A sync of a large folder holds the lock for minutes; ten minutes of waiting means something is stuck.
LOCK_TIMEOUT_S = 600.0
_UNSEEN = -1  # before the first check: the client may have been opened before a write, so check once

log = logging.getLogger("lastmile.knowledge")


class WriterBusy(RuntimeError):
    """Another process kept the data folder's writer lock for longer than this one would wait."""


class WriterCoordination:
    def __init__(
        self, db: KnowledgeDB | PostgresKnowledgeDB, dense: ChromaIndex, *, timeout_s: float = LOCK_TIMEOUT_S
    ) -> None:
        self._db = db
        self._dense = dense
        self.timeout_s = timeout_s
        self.folder = db.location  # the data folder, or the shared database (for messages)
        self._lock = db.writer_lock()
        self._seen = _UNSEEN
        self._checking = threading.Lock()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock (re-entrant in one thread); the stores are current once inside."""
        try:
            self._lock.acquire(timeout=0)
        except (Timeout, LockTimeout):
            log.warning("waiting for another process writing to %s ...", self.folder)
            try:
                self._lock.acquire(timeout=self.timeout_s)
            except (Timeout, LockTimeout) as error:
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

    def close(self) -> None:
        """Let go of the lock's resources (a PostgreSQL session); the lock must not be held."""
        closing = getattr(self._lock, "close", None)
        if closing is not None:
            closing()

    def bump(self, conn: Any) -> None:
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

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

A writer that finishes without an error records the state it left the dense index in (the `dense_settled`
row: a stamp of the embedded Chroma file); the next writer reads and deletes that row before it writes
anything. So `settled_before` is proof that no earlier writer stopped half-way (a crash or kill -9 leaves
the row deleted) and that the Chroma folder is the one it left: the orphan clean-up may then skip opening
Chroma (~0.5-1 s of imports), which keeps an unchanged `lastmile ingest` under a second (issue #16).
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
SETTLED = "dense_settled"  # kb_state key: present only while no writer is, or was cut off, mid-way
# Writers interrupted by an exception, per lock: two knowledge bases on one folder share one lock
# (is_singleton) and nest, and an error caught by an outer writer still leaves what the inner one wrote.
_interrupted: dict[int, bool] = {}

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
        # Set on entering the outermost `writing()`: see the module docstring.
        self.settled_before = False

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
        outermost = self._lock.lock_counter == 1
        try:
            if outermost:
                _interrupted[id(self._lock)] = False
                self.settled_before = self._unsettle()
            self.refresh()
            yield
        except BaseException:
            _interrupted[id(self._lock)] = True
            raise
        finally:
            if outermost:  # a last bump covers vector deletes
                with self._db.transaction() as conn:
                    self.bump(conn)
                    if not _interrupted.pop(id(self._lock), True):
                        self._settle(conn)
            self._lock.release()

    def _unsettle(self) -> bool:
        """Whether the last writer left the dense index settled and it is still the same store; the row is
        deleted (committed before this writer writes anything) so that a crash from here on shows."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT value FROM kb_state WHERE key = ?", (SETTLED,)).fetchone()
            conn.execute("DELETE FROM kb_state WHERE key = ?", (SETTLED,))
        stamp = self._dense.stamp()
        return row is not None and stamp is not None and int(row[0]) == stamp

    def _settle(self, conn: Any) -> None:
        stamp = self._dense.stamp()
        if stamp is not None:  # a Chroma server: no file to vouch for, so never skip its clean-up
            conn.execute("INSERT INTO kb_state(key, value) VALUES (?, ?)", (SETTLED, stamp))

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

"""The knowledge writer lock on PostgreSQL: a session advisory lock every machine sharing the store sees.

It behaves like the data folder's file lock (knowledge/writer.py): re-entrant in one thread, other threads
of this process and other processes wait, and the server releases it when the holder's connection ends
(a killed process included), so whoever acquires it next may treat unowned rows and vectors as leftovers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_POLL_S = 0.1  # between tries for the server lock; writes take seconds, so waiting costs little


class LockTimeout(TimeoutError):
    """The lock was not free within the timeout."""


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg://...`) as libpq reads it (`postgresql://...`)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {scheme}://...")
    return "postgresql://" + rest


class AdvisoryLock:
    """`acquire(timeout)` / `release()` / `lock_counter`, as the writer uses a `filelock.FileLock`."""

    def __init__(self, url: str, name: str) -> None:
        self._url, self._name = url, name
        self._thread = threading.RLock()  # this process's threads queue here; the server sees one session
        self._conn: Any = None
        self.lock_counter = 0

    def _session(self) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self._url, autocommit=True)
        return self._conn

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if timeout < 0:
            taken = self._thread.acquire()
        else:
            taken = self._thread.acquire(timeout=timeout) if timeout > 0 else self._thread.acquire(False)
        if not taken:
            raise LockTimeout(self._name)
        if self.lock_counter:  # re-entered by the holding thread
            self.lock_counter += 1
            return
        try:
            while True:  # a negative timeout waits for ever, as filelock's does
                # The key names the schema, so stores in different schemas of one database never wait
                # on each other.
                row = (
                    self._session()
                    .execute(
                        "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.' || %s))", (self._name,)
                    )
                    .fetchone()
                )
                if row and row[0]:
                    self.lock_counter = 1
                    return
                if timeout >= 0 and time.monotonic() >= deadline:
                    raise LockTimeout(self._name)
                time.sleep(_POLL_S)
        except BaseException:
            self._thread.release()
            raise

    def release(self) -> None:
        if self.lock_counter <= 0:
            raise RuntimeError("release of an advisory lock not held")
        self.lock_counter -= 1
        if self.lock_counter == 0:
            try:
                self._session().execute(
                    "SELECT pg_advisory_unlock(hashtext(current_schema() || '.' || %s))", (self._name,)
                )
            finally:
                self._thread.release()
        else:
            self._thread.release()

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()

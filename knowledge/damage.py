"""A SQLite file that is not a database or is corrupt: one typed error that names the file, so every
surface can say "the database at PATH is damaged: ..." instead of a traceback."""

from __future__ import annotations

from pathlib import Path

# SQLite's result codes for a file that is not a database, or whose pages are corrupt (a locked or busy
# database is not damage: those are the caller's to retry).
DAMAGE = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})


class DamagedDatabase(RuntimeError):
    def __init__(self, path: str | Path, detail: str) -> None:
        super().__init__(f"the database at {path} is damaged: {detail}")
        self.path = str(path)


def is_damage(error: BaseException | None) -> bool:
    """True for sqlite3's error for a file that is not a database or is malformed."""
    return getattr(error, "sqlite_errorname", None) in DAMAGE

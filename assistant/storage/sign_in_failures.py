"""Failed sign-ins in a row, per key (an account name or a client address), with each key's lock.

One transaction per failure, the row updated before it is read, so sessions and processes failing at the
same time never lose a count. What a count means (when to lock, for how long) is the caller's policy
(`assistant/accounts.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.storage.database import Database
from assistant.storage.models import SignInFailure

LockFor = Callable[[str, int], timedelta | None]  # (key, failures in a row) -> how long to lock, if at all


class SignInFailureStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def locked_until(self, keys: Sequence[str], now: datetime) -> datetime | None:
        """The latest lock among `keys` still running at `now`, if any."""
        with self._db.session() as session:
            return session.scalar(
                select(func.max(SignInFailure.locked_until)).where(
                    SignInFailure.key.in_(keys), SignInFailure.locked_until > now
                )
            )

    def record(
        self, key: str, now: datetime, *, forget_after: timedelta, lock_for: LockFor
    ) -> tuple[int, datetime | None]:
        """Count one more failure of `key` (afresh when its last one is older than `forget_after`); returns
        the failures in a row and the lock `lock_for` sets for that many (None: not locked)."""
        with self._db.session() as session:
            if not _count(session, key, now, forget_after):
                try:
                    with session.begin_nested():
                        session.add(SignInFailure(key=key, failures=1, last_failed_at=now))
                except IntegrityError:  # another process counted its first failure meanwhile
                    _count(session, key, now, forget_after)
            failures = session.scalar(select(SignInFailure.failures).where(SignInFailure.key == key)) or 1
            duration = lock_for(key, failures)
            until = now + duration if duration else None
            if until is not None:
                session.execute(
                    update(SignInFailure).where(SignInFailure.key == key).values(locked_until=until)
                )
            # Rows of names nobody tried for a while (a guesser's made-up names) are forgotten here.
            session.execute(
                delete(SignInFailure).where(
                    SignInFailure.last_failed_at < now - forget_after,
                    or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until < now),
                )
            )
            return failures, until

    def clear(self, key: str) -> None:
        with self._db.session() as session:
            session.execute(delete(SignInFailure).where(SignInFailure.key == key))


def _count(session: Session, key: str, now: datetime, forget_after: timedelta) -> bool:
    stale = SignInFailure.last_failed_at < now - forget_after
    result = session.execute(
        update(SignInFailure)
        .where(SignInFailure.key == key)
        .values(
            failures=case((stale, 1), else_=SignInFailure.failures + 1),
            locked_until=case((stale, None), else_=SignInFailure.locked_until),
            last_failed_at=now,
        )
    )
    return cast(CursorResult, result).rowcount == 1

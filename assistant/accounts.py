"""Staff accounts (reps and admins) as the surfaces use them: sign-in with throttling, the current role,
`lastmile users`.

The accounts live in SQL with argon2id hashes (`assistant/storage/users.py`). Sign-in failures are
counted in the database per account name and per client address (`assistant/storage/sign_in_failures.py`),
so fresh sessions, several browsers or several app processes share one count: after LOCK_AFTER failures in
a row a key is locked for FIRST_LOCK, each further failure doubles it up to MAX_LOCK, and a locked attempt
is refused before any password is checked. A success clears the account's count. Every failure is logged
(name and address, never the password). This module is the name ui/ imports, so no page or command
reaches into storage; `assistant.wiring.build_accounts` opens it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.storage.database import Database
from assistant.storage.models import utcnow
from assistant.storage.sign_in_failures import SignInFailureStore
from assistant.storage.users import (
    MAX_NAME_CHARS,
    ROLES,
    PasswordChecksBusy,
    UserError,
    UserStore,
    UserView,
    argon2_slot,
)

__all__ = ["ROLES", "SignInResult", "StaffAccounts", "UserError", "UserView"]

log = logging.getLogger("lastmile.sign_in")

# Failures in a row before a lock. An address gets more: a whole office may sign in from one address
# (or every client from the reverse proxy's, when the app sits behind one).
LOCK_AFTER = {"account": 5, "address": 20}
FIRST_LOCK = timedelta(minutes=2)
MAX_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)  # a key with no failure for this long starts counting afresh


@dataclass(frozen=True)
class SignInResult:
    """Signed in (`role` set), or refused: a wrong name or password (`wrong`; the failure may also have
    started a lock), a lock still running (`locked_until`, no password checked), or too busy."""

    role: str | None
    wrong: bool = False
    locked_until: datetime | None = None
    busy: bool = False


def lock_for(key: str, failures: int) -> timedelta | None:
    """How long a key with `failures` failures in a row is locked: none below its LOCK_AFTER, then
    FIRST_LOCK doubling with each further failure, at most MAX_LOCK."""
    beyond = failures - LOCK_AFTER[key.partition(":")[0]]
    if beyond < 0:
        return None
    return min(FIRST_LOCK * 2 ** min(beyond, 16), MAX_LOCK)


class StaffAccounts(UserStore):
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow, **options) -> None:
        super().__init__(db, **options)
        self._failures = SignInFailureStore(db)
        self._clock = clock

    def sign_in(self, name: str, password: str, *, address: str | None = None) -> SignInResult:
        """Check a sign-in attempt from `address` (None when unknown) against the shared failure counts."""
        name = name.strip()
        account = f"account:{name[:MAX_NAME_CHARS]}"
        keys = [account] + ([f"address:{address}"] if address else [])
        where = address or "an unknown address"
        try:
            # The lock is read while holding the slot: attempts queued behind a failure see its lock.
            with argon2_slot():
                now = self._clock()
                locked = self._failures.locked_until(keys, now)
                if locked is not None:
                    log.warning("sign-in refused: %r from %s is locked until %s UTC", name, where, locked)
                    return SignInResult(role=None, locked_until=locked)
                role = self._verify(name, password) if name and password else None
        except PasswordChecksBusy:
            log.warning("sign-in refused: %r from %s, every password check slot is busy", name, where)
            return SignInResult(role=None, busy=True)
        if role is not None:
            self._failures.clear(account)
            return SignInResult(role=role)
        counts = [
            self._failures.record(key, now, forget_after=FORGET_AFTER, lock_for=lock_for) for key in keys
        ]
        until = max((lock for _, lock in counts if lock is not None), default=None)
        log.warning(
            "sign-in failed: %r from %s (%s)%s",
            name,
            where,
            ", ".join(
                f"{key.partition(':')[0]} {failures} in a row"
                for key, (failures, _) in zip(keys, counts, strict=True)
            ),
            f", locked until {until:%Y-%m-%d %H:%M:%S} UTC" if until else "",
        )
        return SignInResult(role=None, wrong=True, locked_until=until)

"""Staff accounts (reps and admins) with argon2id password hashes.

`verify` costs one argon2 verification whether or not the name exists, and says only "yes, with this
role" or "no": a caller cannot tell a wrong name from a wrong password, by the answer or by its timing.
Every argon2 computation (check or hash) takes one of `MAX_CONCURRENT_HASHES` slots of the process: each
costs 64 MiB, and a flood of sign-in attempts must queue, not take the host's memory.
"""

from __future__ import annotations

import builtins
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError

from assistant.storage.database import Database
from assistant.storage.models import User

ROLES = ("rep", "admin")
MIN_PASSWORD_CHARS = 8
MAX_NAME_CHARS = 120  # the column's width
MAX_CONCURRENT_HASHES = 2  # argon2id here uses 64 MiB per computation (the library's memory_cost)
SLOT_WAIT_S = 30.0  # a check waits this long for a slot, then the attempt is refused as busy
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)  # per process: the memory is the process's


class PasswordChecksBusy(RuntimeError):
    """Every argon2 slot stayed taken for SLOT_WAIT_S: refuse this attempt rather than queue without end."""


@contextmanager
def argon2_slot() -> Iterator[None]:
    """Hold one of the process's argon2 slots (at most MAX_CONCURRENT_HASHES computations at once)."""
    if not _SLOTS.acquire(timeout=SLOT_WAIT_S):
        raise PasswordChecksBusy("too many password checks at once: try again in a moment")
    try:
        yield
    finally:
        _SLOTS.release()


class UserError(ValueError):
    """A refused account change (bad role, name taken, password too short); the message says why."""


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    created_at: datetime


class UserStore:
    # `list` below is a method: annotations in this class name the built-in type as builtins.list.
    def __init__(self, db: Database, *, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current parameters

    @functools.cached_property
    def _decoy(self) -> str:
        """Verified against when the name is unknown, so that both cases cost the same. Made by the first
        check (under its argon2 slot), not at construction: `users list` and the like skip ~0.15 s."""
        return self._hasher.hash("decoy password, never matches anything typed")

    def add(self, name: str, role: str, password: str) -> None:
        name = _check_name(name)
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        with argon2_slot():
            password_hash = self._hasher.hash(password)
        try:
            with self._db.session() as session:
                session.add(User(name=name, role=role, password_hash=password_hash))
        except IntegrityError:
            raise UserError(f"a user named {name!r} already exists") from None

    def verify(self, name: str, password: str) -> str | None:
        """The user's role when the password is theirs, else None (unknown name or wrong password)."""
        with argon2_slot():
            return self._verify(name, password)

    def _verify(self, name: str, password: str) -> str | None:
        """`verify` for a caller already holding an argon2 slot."""
        decoy = self._decoy  # first: a first check costs the same whether the name exists or not
        with self._db.session() as session:
            user = session.scalar(select(User).where(User.name == name.strip()))
            stored = user.password_hash if user else decoy
            try:
                self._hasher.verify(stored, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if user is None:
                return None
            if self._hasher.check_needs_rehash(stored):  # parameters raised since: upgrade in place
                user.password_hash = self._hasher.hash(password)
            return user.role

    def role(self, name: str) -> str | None:
        """The current role of an existing user (None once removed): checked on every protected page."""
        with self._db.session() as session:
            return session.scalar(select(User.role).where(User.name == name))

    def list(self) -> builtins.list[UserView]:
        with self._db.session() as session:
            rows = session.scalars(select(User).order_by(User.name)).all()
            return [UserView(row.name, row.role, row.created_at) for row in rows]

    def remove(self, name: str) -> bool:
        with self._db.session() as session:
            result = session.execute(delete(User).where(User.name == name.strip()))
            return cast(CursorResult, result).rowcount == 1

    def set_password(self, name: str, password: str) -> bool:
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        with self._db.session() as session:
            user = session.scalar(select(User).where(User.name == name.strip()))
            if user is None:
                return False
            with argon2_slot():
                user.password_hash = self._hasher.hash(password)
            return True


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("a user needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise UserError(f"the name is too long ({len(name)} characters, at most {MAX_NAME_CHARS})")
    if any(not ch.isprintable() for ch in name):
        raise UserError("the name contains control characters")
    return name

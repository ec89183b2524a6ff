"""Sign-in throttling (#14 item 10): failures are counted per account and per client address in the
database, so fresh sessions share them; a lock starts at 2 minutes and doubles up to an hour; at most two
argon2 computations run at once in a process; failures are logged without the password."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from assistant.accounts import FIRST_LOCK, LOCK_AFTER, StaffAccounts
from tests.app_support import APP, PASSWORDS, TIMEOUT_S, add_staff, errors, use_home

SIGN_IN = "pages/sign_in.py"
START = datetime(2026, 1, 5, 9, 0, 0)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(database, clock):
    accounts = StaffAccounts(database, clock=clock)
    accounts.add("rita", "rep", PASSWORDS["rita"])
    accounts.add("ada", "admin", PASSWORDS["ada"])
    return accounts


def fresh_session_signs_in(name: str, password: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    app.run()
    app.switch_page(SIGN_IN).run()
    app.text_input[0].set_value(name)
    app.text_input[1].set_value(password)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_fresh_sessions_share_the_failure_count(tmp_path, sample_home, monkeypatch):
    add_staff(use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3"), "rita")
    for session in range(3):
        for attempt in range(5):
            fresh = fresh_session_signs_in("rita", f"guess {session}-{attempt}")
            assert "user" not in fresh.session_state
    app = fresh_session_signs_in("rita", PASSWORDS["rita"])
    assert "user" not in app.session_state, "a fresh session must not reset the count"
    assert any("Too many failed attempts" in error for error in errors(app))
    assert not any(error.startswith("Wrong name or password") for error in errors(app)), (
        "a locked attempt is refused before its password is checked: it is not called wrong"
    )


def test_a_lock_starts_at_two_minutes_and_a_success_after_it_works(accounts, clock):
    for _ in range(LOCK_AFTER["account"] - 1):
        result = accounts.sign_in("rita", "wrong password")
        assert (result.role, result.wrong, result.locked_until) == (None, True, None)
    result = accounts.sign_in("rita", "wrong password")
    assert result.locked_until == START + FIRST_LOCK == START + timedelta(minutes=2)
    refused = accounts.sign_in("rita", PASSWORDS["rita"])
    assert (refused.role, refused.wrong, refused.locked_until) == (None, False, START + FIRST_LOCK)
    assert accounts.sign_in("ada", PASSWORDS["ada"]).role == "admin", "another account is not locked"

    clock.advance(FIRST_LOCK + timedelta(seconds=1))
    assert accounts.sign_in("rita", PASSWORDS["rita"]).role == "rep"
    assert accounts.sign_in("rita", "wrong password").locked_until is None, "a success clears the count"


def test_each_further_failure_doubles_the_lock_up_to_an_hour(accounts, clock):
    locks = []
    for _ in range(LOCK_AFTER["account"] + 7):
        result = accounts.sign_in("rita", "wrong password")
        if result.locked_until is not None:
            locks.append(result.locked_until - clock.now)
            clock.advance(result.locked_until - clock.now + timedelta(seconds=1))
    assert locks == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60, 60)]


def test_an_address_is_locked_after_failures_across_accounts(accounts):
    for i in range(LOCK_AFTER["address"]):
        result = accounts.sign_in(f"guess-{i}", "wrong password", address="203.0.113.7")
    assert result.locked_until is not None
    assert accounts.sign_in("rita", PASSWORDS["rita"], address="203.0.113.7").role is None
    assert accounts.sign_in("rita", PASSWORDS["rita"], address="198.51.100.2").role == "rep"


def test_failures_are_logged_without_the_password(accounts, caplog):
    with caplog.at_level(logging.WARNING, logger="lastmile.sign_in"):
        for _ in range(LOCK_AFTER["account"] + 1):
            accounts.sign_in("rita", "hunter2-secret", address="203.0.113.7")
    failed = [r.getMessage() for r in caplog.records if "sign-in failed" in r.getMessage()]
    refused = [r.getMessage() for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert len(failed) == LOCK_AFTER["account"]
    assert len(refused) == 1
    assert all("'rita'" in m and "203.0.113.7" in m for m in failed + refused)
    assert "locked until" in failed[-1]
    assert not any("hunter2" in m for m in caplog.messages)


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that records how many checks run at the same moment (each held a little
    longer, so that checks started together overlap)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.running = self.peak = self.checked = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(0.05)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1
                self.checked += 1


def test_at_most_two_password_checks_run_at_once(database):
    hasher = CountingHasher()
    accounts = StaffAccounts(database, hasher=hasher)
    accounts.add("rita", "rep", PASSWORDS["rita"])
    start = threading.Barrier(8)

    def attempt(i: int) -> None:
        start.wait()
        accounts.verify("rita", PASSWORDS["rita"] if i % 2 else f"wrong {i}")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert hasher.checked == 8
    assert hasher.peak == 2

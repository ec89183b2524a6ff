"""Staff accounts: argon2 hashes in the database, uniform refusals, and `lastmile users ...`."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from assistant.storage.database import Database
from assistant.storage.models import User
from assistant.storage.users import UserError, UserStore
from ui.cli import app


@pytest.fixture
def users(database):
    return UserStore(database)


def test_password_is_stored_as_an_argon2_hash(users, database):
    users.add("alice", "rep", "correct horse")
    with database.session() as session:
        stored = session.query(User).one().password_hash
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored


def test_verify_gives_the_role_only_for_the_right_password(users):
    users.add("alice", "rep", "correct horse")
    users.add("root", "admin", "battery staple")
    assert users.verify("alice", "correct horse") == "rep"
    assert users.verify("root", "battery staple") == "admin"
    assert users.verify("alice", "battery staple") is None
    assert users.verify("nobody", "correct horse") is None
    assert users.verify("alice", "") is None


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting the hashes it makes."""

    hashes = 0

    def hash(self, password, *, salt=None):
        self.hashes += 1
        return super().hash(password, salt=salt)


def test_the_unknown_name_decoy_is_hashed_on_the_first_check_not_at_start(database):
    # Listing users needs no hash (~0.15 s of argon2 off `lastmile users list`); the first check makes
    # the decoy whether or not the name exists, so both cost the same.
    hasher = CountingHasher()
    users = UserStore(database, hasher=hasher)
    assert users.list() == []
    assert hasher.hashes == 0
    assert users.verify("nobody", "correct horse") is None
    assert hasher.hashes == 1
    assert users.verify("nobody again", "correct horse") is None
    assert hasher.hashes == 1

    other = UserStore(database, hasher=CountingHasher())
    other.add("alice", "rep", "correct horse")
    assert other._hasher.hashes == 1
    assert other.verify("alice", "correct horse") == "rep"
    assert other._hasher.hashes == 2  # the decoy, made by the first check of a known name too


def test_refused_accounts_say_why(users):
    users.add("alice", "rep", "correct horse")
    with pytest.raises(UserError, match="already exists"):
        users.add("alice", "admin", "another password")
    with pytest.raises(UserError, match="role must be one of"):
        users.add("bob", "owner", "correct horse")
    with pytest.raises(UserError, match="at least 8"):
        users.add("bob", "rep", "short")
    with pytest.raises(UserError, match="needs a name"):
        users.add("  ", "rep", "correct horse")


def test_removed_user_has_no_role_and_cannot_sign_in(users):
    users.add("alice", "rep", "correct horse")
    assert users.role("alice") == "rep"
    assert users.remove("alice")
    assert users.role("alice") is None
    assert users.verify("alice", "correct horse") is None
    assert not users.remove("alice")


def test_cli_adds_lists_and_removes_users(tmp_path):
    runner, home = CliRunner(), str(tmp_path / "home")
    added = runner.invoke(
        app, ["users", "add", "alice", "--role", "rep", "--home", home], input="pw-12345\npw-12345\n"
    )
    assert added.exit_code == 0, added.output
    piped = runner.invoke(
        app,
        ["users", "add", "root", "--role", "admin", "--password-stdin", "--home", home],
        input="pw-admin-1\n",
    )
    assert piped.exit_code == 0, piped.output

    listed = json.loads(runner.invoke(app, ["users", "list", "--json", "--home", home]).output)
    assert [(row["name"], row["role"]) for row in listed] == [("alice", "rep"), ("root", "admin")]
    assert "hash" not in json.dumps(listed)

    store = UserStore(Database(f"sqlite:///{tmp_path / 'home' / 'lastmile.sqlite3'}"))
    assert store.verify("alice", "pw-12345") == "rep"
    assert store.verify("root", "pw-admin-1") == "admin"

    assert runner.invoke(app, ["users", "remove", "alice", "--home", home]).exit_code == 0
    assert runner.invoke(app, ["users", "remove", "alice", "--home", home]).exit_code == 2


def test_cli_refuses_mismatched_confirmation_and_a_bad_role(tmp_path):
    runner, home = CliRunner(), str(tmp_path / "home")
    mismatch = runner.invoke(
        app, ["users", "add", "alice", "--role", "rep", "--home", home], input="pw-12345\npw-54321\n"
    )
    assert mismatch.exit_code != 0
    bad_role = runner.invoke(app, ["users", "add", "alice", "--role", "boss", "--home", home], input="")
    assert bad_role.exit_code == 2
    assert "role must be one of" in bad_role.output
    assert json.loads(runner.invoke(app, ["users", "list", "--json", "--home", home]).output) == []

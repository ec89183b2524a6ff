"""Symlinks that lead out of the ingested folder are refused, each with a clear per-file reason, unless the
caller asks to follow them (`--follow-symlinks`); links that stay inside the folder still work (issue 14,
item 3). Real stores, and the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.sync import Syncer
from tests.test_kb_cli import lastmile

REASON = "symlink leads outside the ingested folder (refused; --follow-symlinks allows it)"
SECRET = "The billing admin password is hunter2-do-not-share."


@pytest.fixture
def tree(tmp_path) -> Path:
    """docs/ with its own files and links, and a private/ folder beside it that links lead into."""
    private = tmp_path / "private"
    (private / "vault").mkdir(parents=True)
    (private / "billing.md").write_text(f"# Billing\n\n{SECRET}\n")
    (private / "vault" / "keys.md").write_text("# Keys\n\nThe signing key lives in the vault.\n")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "guide.md").write_text("# Guide\n\nRun the installer and sign in with SSO.\n")
    (docs / "sub" / "faq.md").write_text("# FAQ\n\nA trial lasts 14 days.\n")
    (docs / "billing.md").symlink_to(private / "billing.md")  # absolute, out
    (docs / "relative.md").symlink_to(Path("..") / "private" / "billing.md")  # relative, out
    (docs / "chain.md").symlink_to(docs / "hop.md")  # in, then out
    (docs / "hop.md").symlink_to(private / "billing.md")
    (docs / "vault").symlink_to(private / "vault", target_is_directory=True)  # a folder, out
    (docs / "alias.md").symlink_to(docs / "guide.md")  # stays inside: fine
    return docs


OUTSIDE_IDS = {"billing.md", "relative.md", "chain.md", "hop.md"}
OUTSIDE = {*OUTSIDE_IDS, "vault"}
INSIDE = ["alias.md", "guide.md", "sub/faq.md"]


def test_links_out_of_the_folder_are_refused_with_a_reason(kb, tree):
    report = Syncer(kb).sync([tree])
    refused = {Path(f.path).relative_to(tree).as_posix(): f.reason for f in report.failed}
    assert refused.keys() == OUTSIDE
    assert set(refused.values()) == {REASON}
    assert sorted(report.added) == INSIDE
    assert kb.lexical.search("billing admin password", k=5) == []
    assert all("hunter2" not in text for _, _, _, text in kb.registry.chunks("guide.md"))


def test_following_links_is_an_explicit_choice(kb, tree):
    report = Syncer(kb).sync([tree], follow_symlinks=True)
    assert report.failed == []
    assert {"billing.md", "vault/keys.md"} <= set(report.added)
    assert kb.lexical.search("billing admin password", k=1)[0].chunk.document_id in OUTSIDE_IDS


def test_cli_refuses_then_follows_with_the_flag(tmp_path, tree):
    home = str(tmp_path / "home")
    refused = lastmile("ingest", str(tree), "--home", home, "--json")
    assert refused.returncode == 1, "a refused file makes the exit status non-zero"
    report = json.loads(refused.stdout)
    assert sorted(report["added"]) == INSIDE
    assert {Path(f["path"]).name for f in report["failed"]} == OUTSIDE
    assert {f["reason"] for f in report["failed"]} == {REASON}
    followed = lastmile("ingest", str(tree), "--home", home, "--json", "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert sorted(json.loads(followed.stdout)["added"]) == sorted(OUTSIDE_IDS | {"vault/keys.md"})

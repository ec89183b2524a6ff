"""`lastmile ingest --json` and `lastmile kb list | show | delete` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO


def lastmile(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )


def test_ingest_report_exit_status_and_kb_commands(tmp_path):
    home = str(tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Guide\n\n## Install\n\nRun the installer.\n\n## SSO\n\nSAML 2.0.\n")
    (docs / "zz-faq.csv").write_text("question,answer\nIs there a trial?,Yes: 14 days.\n")
    (docs / "big.md").write_text("# Big\n\n" + "word " * 420_000)  # 2 MB
    (docs / "empty.txt").write_bytes(b"")

    ingest = lastmile("ingest", str(docs), "--home", home, "--json", LASTMILE_MAX_FILE_MB="1")
    assert ingest.returncode == 1, "a failed file makes the exit status non-zero"
    report = json.loads(ingest.stdout)
    assert set(report) == {
        "added",
        "updated",
        "unchanged",
        "deleted",
        "failed",
        "chunks",
        "embedded",
        "flagged",
    }
    assert report["added"] == ["guide.md", "zz-faq.csv"], "good files land despite the failures"
    assert report["failed"] == [
        {
            "path": str(docs / "big.md"),
            "reason": "file too large: 2.0 MB > limit 1 MB (LASTMILE_MAX_FILE_MB)",
        },
        {"path": str(docs / "empty.txt"), "reason": "empty file"},
    ]
    assert report["chunks"] == report["embedded"] == 3
    assert "files" not in ingest.stderr, "no progress bar with --json"

    listed = json.loads(lastmile("kb", "list", "--home", home, "--json").stdout)
    assert [(d["id"], d["type"], d["chunk_count"], d["version"]) for d in listed] == [
        ("guide.md", "markdown", 2, 1),
        ("zz-faq.csv", "csv", 1, 1),
    ]

    shown = json.loads(lastmile("kb", "show", "guide.md", "--home", home, "--json").stdout)
    assert shown["title"] == "Guide"
    assert [(c["heading"], c["text"]) for c in shown["chunks"]] == [
        ("Install", "Run the installer."),
        ("SSO", "SAML 2.0."),
    ]

    deleted = lastmile("kb", "delete", "guide.md", "--home", home)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == "deleted guide.md"
    missing = lastmile("kb", "show", "guide.md", "--home", home)
    assert missing.returncode == 1
    assert "no document 'guide.md'" in missing.stderr
    assert lastmile("kb", "delete", "guide.md", "--home", home).returncode == 1
    listed = json.loads(lastmile("kb", "list", "--home", home, "--json").stdout)
    assert [d["id"] for d in listed] == ["zz-faq.csv"]

    again = lastmile("ingest", str(docs / "guide.md"), str(docs / "zz-faq.csv"), "--home", home, "--json")
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["added"], json.loads(again.stdout)["unchanged"]) == (
        ["guide.md"],
        ["zz-faq.csv"],
    )

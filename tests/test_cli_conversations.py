"""`lastmile chat` and `lastmile handoffs ...` as a buyer and a rep run them: real subprocesses, real SQLite."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def lastmile(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=600,
    )


def test_terminal_chat_then_rep_works_the_handoff(sample_home):
    home = str(sample_home)
    chat = lastmile(
        "chat",
        "--home",
        home,
        stdin="Which data residency regions can we choose?\nDo you support Lotus Notes 6?\n",
    )
    assert chat.returncode == 0, chat.stderr
    assert "[1]" in chat.stdout, "the first question gets a cited answer"
    assert "handed off to an expert: handoff" in chat.stdout
    conversation = chat.stdout.split()[1]

    queue = json.loads(lastmile("handoffs", "list", "--home", home, "--state", "open", "--json").stdout)
    mine = [h for h in queue if h["question"] == "Do you support Lotus Notes 6?"]
    assert len(mine) == 1
    handoff = str(mine[0]["id"])

    assert lastmile("handoffs", "claim", handoff, "--rep", "ann", "--home", home).returncode == 0
    taken = lastmile("handoffs", "claim", handoff, "--rep", "bob", "--home", home)
    assert taken.returncode == 2
    assert "claimed by ann" in taken.stderr
    sent = lastmile(
        "handoffs", "reply", handoff, "Not supported; use a CSV export.", "--rep", "ann", "--home", home
    )
    assert sent.returncode == 0, sent.stderr
    refused = lastmile("handoffs", "save", handoff, "--rep", "bob", "--home", home)
    assert refused.returncode == 2, "only the holder or an admin saves a reply to the knowledge base"
    assert "only an admin or ann" in refused.stderr
    assert lastmile("handoffs", "resolve", handoff, "--rep", "ann", "--home", home).returncode == 0

    shown = json.loads(lastmile("handoffs", "show", handoff, "--home", home).stdout)
    assert shown["state"] == "resolved"
    assert shown["transcript"][-1] == {
        "role": "rep",
        "author": "ann",
        "text": "Not supported; use a CSV export.",
    }
    assert shown["reasons"]
    assert shown["sources"]

    resumed = lastmile("chat", "--home", home, "--conversation", conversation, stdin="")
    assert resumed.returncode == 0
    unknown = lastmile("chat", "--home", home, "--conversation", "not-a-real-id", stdin="hello\n")
    assert "!" in unknown.stdout, "an unknown conversation id is refused"

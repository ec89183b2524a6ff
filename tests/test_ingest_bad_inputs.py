"""Bad input gets a clear per-file reason and never blocks the rest of the batch (real stores)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.sync import Syncer

GOOD = {
    "guide.md": "# Guide\n\n## Install\n\nRun the installer and sign in with SSO.\n",
    "zz-last.md": "# Last\n\nThis file sorts after every bad one and must still land.\n",
}


def _unreadable(path: Path) -> None:
    """A file whose read fails. chmod 000 stops everyone but root; as root (tests usually run so),
    a link to /proc/self/mem is a real file that stat()s fine and fails on read with EIO."""
    if os.geteuid() != 0:
        path.write_text("# Secret\n\nnot for you\n")
        path.chmod(0)
    else:
        path.symlink_to("/proc/self/mem")


@pytest.fixture
def corpus(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in GOOD.items():
        (docs / name).write_text(text)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf")
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip archive")
    (docs / "empty.md").write_bytes(b"")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (docs / "legacy.txt").write_bytes(
        "Prix catalogue\n\nLe café crème coûte 3 €uros à Zürich.".encode("cp1252")
    )
    with open(docs / "huge.md", "wb") as huge:  # sparse: 50 MB on paper, nothing on disk
        huge.truncate(50 * 1024 * 1024)
    (docs / "notes.xyz").write_text("an unknown format")
    _unreadable(docs / "locked.md")
    (docs / "loop-a.md").symlink_to(docs / "loop-b.md")
    (docs / "loop-b.md").symlink_to(docs / "loop-a.md")
    (docs / "sub").mkdir()
    (docs / "sub" / "back").symlink_to(docs)
    (docs / "dangling.md").symlink_to(docs / "missing.md")
    os.mkfifo(docs / "pipe.md")  # reading it would block forever
    return docs


def test_every_bad_file_has_its_reason_and_good_files_land(kb, corpus):
    # Following links lets locked.md reach /proc/self/mem when run as root (a link out of the folder is
    # otherwise refused before it is read: tests/test_ingest_symlinks.py).
    report = Syncer(kb).sync([corpus], follow_symlinks=True)
    reasons = {Path(f.path).relative_to(corpus).as_posix(): f.reason for f in report.failed}
    assert sorted(report.added) == ["guide.md", "legacy.txt", "zz-last.md"]
    assert reasons.keys() == {
        "broken.pdf",
        "broken.docx",
        "empty.md",
        "image.txt",
        "huge.md",
        "notes.xyz",
        "locked.md",
        "loop-a.md",
        "loop-b.md",
        "sub/back",
        "dangling.md",
        "pipe.md",
    }
    assert reasons["broken.pdf"].startswith("corrupt PDF:")
    assert reasons["broken.docx"].startswith("corrupt DOCX:")
    assert reasons["empty.md"] == "empty file"
    assert reasons["image.txt"] == "binary content in a text file"
    assert reasons["huge.md"].startswith("file too large: 50.0 MB > limit 20 MB")
    assert reasons["notes.xyz"] == "unsupported file type .xyz"
    assert reasons["locked.md"].startswith("cannot read file:")
    assert reasons["loop-a.md"] == reasons["loop-b.md"] == "symlink loop"
    assert reasons["sub/back"] == "symlink loop: links back to a folder above it"
    assert reasons["dangling.md"] == "broken symlink"
    assert reasons["pipe.md"] == "not a regular file (named pipe)"
    assert all("\n" not in reason for reason in reasons.values()), "a reason is one line"
    # Only the good documents reached the stores.
    owned = kb.registry.chunk_ids()
    assert {r.id for r in kb.registry.list()} == {"guide.md", "legacy.txt", "zz-last.md"}
    assert kb.dense.ids() == owned == kb.lexical.chunk_ids()


def test_latin1_text_is_decoded_not_failed(kb, corpus):
    Syncer(kb).sync([corpus])
    [(_, _, _, text)] = kb.registry.chunks("legacy.txt")
    assert "Le café crème coûte 3 €uros à Zürich." in text
    assert kb.lexical.search("café Zürich", k=1)[0].chunk.document_id == "legacy.txt"


def test_size_limit_is_a_setting(kb, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.md").write_text("# Big\n\n" + "word " * 300_000)  # about 1.5 MB
    report = Syncer(kb, max_file_bytes=1024 * 1024).sync([docs])
    assert [f.reason.split(":")[0] for f in report.failed] == ["file too large"]
    assert Syncer(kb, max_file_bytes=2 * 1024 * 1024).sync([docs]).added == ["big.md"]


def test_a_failed_replacement_keeps_the_previous_version(kb, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sla.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "guide.md").write_text("# Guide\n\nVersion one of the guide.\n")
    Syncer(kb).sync([docs])
    before = kb.registry.chunk_ids("guide.md")
    (docs / "guide.md").write_bytes(b"\x00\x01\x02 binary now")
    report = Syncer(kb).sync([docs], prune=True)
    assert [Path(f.path).name for f in report.failed] == ["guide.md", "sla.pdf"]
    assert report.deleted == [], "a file that fails to load is still present: prune keeps it"
    assert kb.registry.chunk_ids("guide.md") == before
    assert kb.dense.ids() == before

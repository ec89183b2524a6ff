"""The knowledge admin service on real stores: uploads within the size limit, replace only what exists,
delete, search preview, and knowledge gaps grouped and limited to a period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from assistant.outcomes import Reason, ReasonCode
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.handoffs import HandoffStore
from assistant.storage.models import Handoff, utcnow
from assistant.wiring import build_admin
from tests.conftest import make_kb

DOC = b"# Lotus Notes\n\nDataPlane has no native Lotus Notes 6 connector; export to CSV and use the file connector.\n"


@pytest.fixture
def admin(tmp_path, embedder, database):
    settings = Settings(home=tmp_path / "home", max_file_mb=1)
    return build_admin(settings, kb=make_kb(settings.home, embedder), database=database)


def test_upload_then_the_same_bytes_are_unchanged(admin):
    added = admin.upload("lotus-notes.md", DOC, owner="ada")
    assert (added.result, added.detail) == ("added", "1 chunks, 1 embedded")
    assert admin.upload("lotus-notes.md", DOC, owner="ada").result == "unchanged"
    record = admin.document("lotus-notes.md")
    assert record is not None
    assert record.owner == "ada"
    assert [r.id for r in admin.documents()] == ["lotus-notes.md"]


def test_a_file_over_the_limit_fails_and_stores_nothing(admin):
    upload = admin.upload("big.md", b"# Big\n\n" + b"word " * 300_000, owner="ada")  # 1.4 MB
    assert upload.result == "failed"
    assert upload.detail == "file too large: 1.4 MB > limit 1 MB"
    assert admin.documents() == []


def test_replace_needs_an_existing_document(admin):
    refused = admin.replace("nothing-here.md", DOC, owner="ada")
    assert (refused.result, refused.detail) == ("failed", "no document 'nothing-here.md' to replace")
    assert admin.documents() == []
    admin.upload("lotus-notes.md", DOC, owner="ada")
    replaced = admin.replace("lotus-notes.md", DOC.replace(b"CSV", b"Parquet"), owner="ada")
    assert replaced.result == "updated"
    assert admin.document("lotus-notes.md").version == 2


def test_delete_then_search_finds_nothing_of_it(admin):
    admin.upload("lotus-notes.md", DOC, owner="ada")
    assert [hit.chunk.document_id for hit in admin.search("Lotus Notes connector", k=3)] == ["lotus-notes.md"]
    assert admin.delete("lotus-notes.md")
    assert not admin.delete("lotus-notes.md")
    assert admin.search("Lotus Notes connector", k=3) == []


def test_gaps_are_grouped_and_limited_to_the_period(admin, database):
    conversations, handoffs = ConversationStore(database), HandoffStore(database)
    questions = (
        "Do you have a native connector for Lotus Notes 6?",
        "Is there a Lotus Notes connector?",
        "Can DataPlane run on an IBM z/OS mainframe?",
    )
    ids = [
        handoffs.open(
            conversation_id=conversations.start(),
            question=question,
            reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")],
            intents={},
            sources=["ingestion-connectors.md"],
            draft="",
            draft_citations=[],
            knowledge_gap=True,
            confidence=0.2,
        )
        for question in questions
    ]
    with database.session() as session:  # the mainframe question was asked 10 days ago
        session.execute(
            update(Handoff).where(Handoff.id == ids[2]).values(created_at=utcnow() - timedelta(days=10))
        )
    assert [group.count for group in admin.gaps()] == [2, 1]
    recent = admin.gaps(days=7)
    assert [group.example for group in recent] == ["Is there a Lotus Notes connector?"]
    assert recent[0].unresolved == 2

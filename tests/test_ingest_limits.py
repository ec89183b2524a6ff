"""Resource bombs fail alone, quickly, with a clear reason, and the rest of the batch lands (issue 14,
item 12): a small DOCX that unpacks to 150 MB, a DOCX of too many paragraphs, a PDF of too many pages
and a text of too many chunks. Every file is built here, with the default limits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.limits import DEFAULT_LIMITS
from ingest.sync import Syncer

MB = 1024 * 1024
PARAGRAPH = b"<w:p><w:r><w:t>Data stays in the EU region you choose.</w:t></w:r></w:p>"


def _docx(paragraphs: int, *, padding_mb: int = 0) -> bytes:
    """A real DOCX (python-docx's template) whose body holds `paragraphs` copies of one paragraph, then
    `padding_mb` MB more of them: repeated text compresses to almost nothing."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    source = zipfile.ZipFile(template)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "word/document.xml":
                archive.writestr(item, data)
                continue
            head, tail = data.split(b"<w:body>")
            with archive.open(item.filename, "w") as member:
                member.write(head + b"<w:body>" + PARAGRAPH * paragraphs)
                block = PARAGRAPH * (MB // len(PARAGRAPH))
                for _ in range(padding_mb):
                    member.write(block)
                member.write(tail)
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", "", 8)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 5, f"Page {number}: nothing to see.")
    return bytes(pdf.output())


@pytest.fixture
def bombs(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-good.md").write_text("# Good\n\nThis file sorts first and must land.\n")
    (docs / "unpacks.docx").write_bytes(_docx(10, padding_mb=150))
    (docs / "paragraphs.docx").write_bytes(_docx(DEFAULT_LIMITS.max_paragraphs + 1))
    (docs / "pages.pdf").write_bytes(_pdf(DEFAULT_LIMITS.max_pdf_pages + 1))
    words = DEFAULT_LIMITS.max_chunks * 80 + 1000  # distinct words: identical chunks would be deduplicated
    (docs / "chunks.md").write_text("# Long\n\n" + " ".join(f"w{i}" for i in range(words)))
    (docs / "z-good.docx").write_bytes(_docx(3))
    return docs


def test_each_bomb_fails_with_its_reason_and_the_rest_lands(kb, bombs):
    assert (bombs / "unpacks.docx").stat().st_size < MB, "small on disk"
    report = Syncer(kb).sync([bombs])
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert sorted(report.added) == ["a-good.md", "z-good.docx"]
    assert reasons.keys() == {"unpacks.docx", "paragraphs.docx", "pages.pdf", "chunks.md"}
    unpacked = reasons["unpacks.docx"].removeprefix("too large when unpacked: ")
    assert unpacked.endswith(f" MB > limit {DEFAULT_LIMITS.max_expanded_bytes // MB} MB"), reasons
    assert 149 < float(unpacked.split()[0]) < 151
    assert reasons["paragraphs.docx"] == (
        f"too many paragraphs: {DEFAULT_LIMITS.max_paragraphs + 1:,} > limit {DEFAULT_LIMITS.max_paragraphs:,}"
    )
    assert reasons["pages.pdf"] == (
        f"too many pages: {DEFAULT_LIMITS.max_pdf_pages + 1:,} > limit {DEFAULT_LIMITS.max_pdf_pages:,}"
    )
    assert reasons["chunks.md"].startswith("too many chunks: ")
    assert reasons["chunks.md"].endswith(f"> limit {DEFAULT_LIMITS.max_chunks:,}")
    assert {r.id for r in kb.registry.list()} == {"a-good.md", "z-good.docx"}
    assert kb.dense.ids() == kb.registry.chunk_ids() == kb.lexical.chunk_ids()


def test_a_docx_that_lies_about_its_sizes_is_still_bounded(kb, tmp_path):
    """Declared sizes are what zipfile enforces while reading: a member claiming to be small cannot
    unpack to more, so checking the declared sizes bounds the work."""
    liar = _shrunk(_docx(10, padding_mb=2), "word/document.xml", 4096)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == 4096
    report = Syncer(kb).sync_bytes("liar.docx", liar)
    assert [f.reason.split(":")[0] for f in report.failed] == ["corrupt DOCX"]
    assert kb.registry.get("liar.docx") is None


def _shrunk(data: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s declared uncompressed size rewritten to `size` in both headers."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    out = bytearray(data)
    local = info.header_offset
    out[local + 22 : local + 26] = size.to_bytes(4, "little")  # local header: uncompressed size
    encoded = name.encode()
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(encoded)] != encoded:
        central = data.find(b"PK\x01\x02", central + 4)
    out[central + 24 : central + 28] = size.to_bytes(4, "little")  # central directory: uncompressed size
    return bytes(out)

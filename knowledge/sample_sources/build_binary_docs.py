"""Build the PDF and DOCX documents of the bundled Quarrymark sample knowledge base.

The sample knowledge base in ``knowledge/samples/`` mixes Markdown, HTML, CSV,
PDF and DOCX files. PDF and DOCX are binary formats, so their content is kept
as Markdown-like text in ``knowledge/sample_sources/`` and rendered by this
script:

* ``architecture-whitepaper``, ``migration-playbook`` and ``sla-support`` become
  PDF files (fpdf2, core Helvetica font, bold headings, page numbers);
* ``security-questionnaire`` and ``contract-summary`` become DOCX files
  (python-docx, with real ``Heading 1`` / ``Heading 2`` styles).

The supported source syntax is deliberately small: ``#``/``##``/``###``
headings, paragraphs separated by blank lines, ``- `` bullets, ``1. `` numbered
items, ``| a | b |`` tables (the second row being the ``|---|`` separator) and
``**bold**`` inline spans.

Builds are reproducible: the PDF creation date, the DOCX core properties and
the timestamps inside the DOCX zip container are fixed, so running the script
twice produces byte-identical files.

Run from the repository root::

    python knowledge/sample_sources/build_binary_docs.py
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from fpdf.fonts import FontFace

SOURCE_DIR = Path(__file__).resolve().parent
OUTPUT_DIR = SOURCE_DIR.parent / "samples"

PDF_DOCS = ("architecture-whitepaper", "migration-playbook", "sla-support")
DOCX_DOCS = ("security-questionnaire", "contract-summary")

BUILD_DATE = datetime(2026, 9, 15, 9, 0, 0, tzinfo=UTC)
ZIP_DATE = (2026, 9, 15, 9, 0, 0)
AUTHOR = "Quarrymark Inc."

_BOLD = re.compile(r"\*\*(.+?)\*\*")


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


@dataclass
class Block:
    """One structural element of a source document."""

    kind: str  # heading | paragraph | bullet | number | table
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def parse(text: str) -> list[Block]:
    """Parse the small Markdown subset used by the sources into blocks."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if table:
            rows = [r for r in table if not all(set(c) <= set("-: ") for c in r)]
            blocks.append(Block("table", rows=rows))
            table.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("|"):
            if paragraph:
                flush()
            table.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        if table:
            flush()
        heading = re.match(r"^(#{1,3})\s+(.*)$", stripped)
        if heading:
            flush()
            blocks.append(Block("heading", heading.group(2), level=len(heading.group(1))))
        elif stripped.startswith("- "):
            flush()
            blocks.append(Block("bullet", stripped[2:]))
        elif re.match(r"^\d+\.\s", stripped):
            flush()
            number, rest = stripped.split(".", 1)
            blocks.append(Block("number", rest.strip(), level=int(number)))
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def plain(text: str) -> str:
    """Remove inline bold markers."""
    return _BOLD.sub(r"\1", text)


def check_latin1(name: str, text: str) -> None:
    """Core PDF fonts only cover latin-1; fail early with a clear message."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise SystemExit(f"{name}: non latin-1 character {bad!r} at offset {exc.start}") from exc


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


class _PDF(FPDF):
    doc_title = ""

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.doc_title, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"Quarrymark Inc.  |  Page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _col_widths(rows: list[list[str]]) -> tuple[int, ...]:
    longest = [max(len(plain(r[i])) if i < len(r) else 0 for r in rows) for i in range(len(rows[0]))]
    return tuple(max(8, min(60, n)) for n in longest)


def build_pdf(name: str, blocks: list[Block], out: Path) -> None:
    title = plain(blocks[0].text)
    pdf = _PDF(format="A4")
    pdf.doc_title = title
    pdf.set_creation_date(BUILD_DATE)
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator("build_binary_docs.py")
    pdf.set_subject("Quarrymark DataPlane")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    for block in blocks:
        if block.kind == "heading":
            size = {1: 18, 2: 13, 3: 11}[block.level]
            pdf.ln(4 if block.level > 1 else 0)
            pdf.set_font("Helvetica", "B", size)
            pdf.multi_cell(0, size * 0.5, plain(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif block.kind == "paragraph":
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, block.text, markdown=True, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif block.kind in ("bullet", "number"):
            pdf.set_font("Helvetica", "", 10)
            marker = "-" if block.kind == "bullet" else f"{block.level}."
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(6, 5, marker)
            pdf.multi_cell(0, 5, block.text, markdown=True, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "table":
            pdf.set_font("Helvetica", "", 9)
            with pdf.table(
                col_widths=_col_widths(block.rows),
                headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 238)),
                line_height=5,
                text_align="LEFT",
                markdown=True,
            ) as table:
                for row in block.rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)

    pdf.output(str(out))


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------


def _add_runs(paragraph, text: str) -> None:
    parts = _BOLD.split(text)
    for index, part in enumerate(parts):
        if part:
            run = paragraph.add_run(part)
            run.bold = index % 2 == 1


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite the DOCX container with fixed timestamps for reproducibility."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return buffer.getvalue()


def build_docx(name: str, blocks: list[Block], out: Path) -> None:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)

    props = document.core_properties
    props.title = plain(blocks[0].text)
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.subject = "Quarrymark DataPlane"
    props.created = BUILD_DATE.replace(tzinfo=None)
    props.modified = BUILD_DATE.replace(tzinfo=None)
    props.last_printed = BUILD_DATE.replace(tzinfo=None)
    props.revision = 1

    for block in blocks:
        if block.kind == "heading":
            document.add_heading(plain(block.text), level=block.level)
        elif block.kind == "paragraph":
            _add_runs(document.add_paragraph(), block.text)
        elif block.kind == "bullet":
            _add_runs(document.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "number":
            _add_runs(document.add_paragraph(style="List Number"), block.text)
        elif block.kind == "table":
            table = document.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row_index, row in enumerate(block.rows):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = ""
                    paragraph = cell.paragraphs[0]
                    _add_runs(paragraph, value)
                    if row_index == 0:
                        for run in paragraph.runs:
                            run.bold = True
            document.add_paragraph()

    buffer = io.BytesIO()
    document.save(buffer)
    out.write_bytes(_normalize_zip(buffer.getvalue()))


# --------------------------------------------------------------------------


def main() -> None:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in PDF_DOCS + DOCX_DOCS:
        text = (SOURCE_DIR / f"{name}.md").read_text(encoding="utf-8")
        blocks = parse(text)
        if not blocks or blocks[0].kind != "heading":
            raise SystemExit(f"{name}: the first line must be a '#' title")
        if name in PDF_DOCS:
            check_latin1(name, text)
            target = OUTPUT_DIR / f"{name}.pdf"
            build_pdf(name, blocks, target)
        else:
            target = OUTPUT_DIR / f"{name}.docx"
            build_docx(name, blocks, target)
        print(f"wrote {target.relative_to(OUTPUT_DIR.parent.parent)}")


if __name__ == "__main__":
    main()

"""Images never enter the knowledge base: Markdown images (nested brackets, reference style) and HTML images
(`<img>`, also inside `<title>`) are stripped at ingest from every format's text, title and headings, while
the prose around them lands (issue 14, item 2). Real loaders, real stores."""

from __future__ import annotations

import io

import pytest

from ingest.loaders import load_bytes
from ingest.sync import Syncer

PIXEL = "http://127.0.0.1:9/pixel.png?q=leak"
NESTED = f"![s[1]x]({PIXEL})"  # nested brackets: a naive [^\]]* pattern misses it
IMAGES = [
    NESTED,
    f"![plain]({PIXEL})",
    f'![titled]({PIXEL} "a title")',
    "![parens](http://127.0.0.1:9/a_(b).png?q=leak)",
    f"![ref][pixel]\n\n[pixel]: {PIXEL}",
    f'<img src="{PIXEL}" alt="x">',
    f"<IMG SRC={PIXEL} onerror=alert(1)>",
]
PROSE = "Data stays in the EU region you choose."


def _pdf(line: str, title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, f"{PROSE} {line}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _docx(line: str, title: str) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(f"Regions {NESTED}", level=2)
    document.add_paragraph(f"{PROSE} {line}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _files(image: str) -> dict[str, bytes]:
    one_line = image.replace("\n\n", " ")
    title = f"Regions {NESTED} <img src='{PIXEL}'>"
    return {
        "guide.md": f"# Regions {NESTED}\n\n## Where {image}\n\n{PROSE} {image}\n".encode(),
        "notes.txt": f"Regions\n\n{PROSE} {image}\n".encode(),
        "page.html": (
            f"<html><head><title>{title}</title></head><body><h2>Where {image}</h2>"
            f"<p>{PROSE} {image}</p><p><img src='{PIXEL}'></p></body></html>"
        ).encode(),
        "faq.csv": f'question,answer\n"Where {one_line}?","{PROSE} {one_line}"\n'.encode(),
        "sheet.pdf": _pdf(one_line, title),
        "brief.docx": _docx(one_line, title),
    }


def _leaks(text: str, *, url_allowed: bool = False) -> list[str]:
    """Image syntax left in `text`; and the pixel's URL, unless it may remain as inert text (a reference
    definition that HTML, CSV, PDF or DOCX flattened into the middle of a line defines nothing)."""
    markers = ["![", "<img", "<image"] + ([] if url_allowed else ["pixel.png", "127.0.0.1:9"])
    return [marker for marker in markers if marker in text.lower()]


@pytest.mark.parametrize("image", IMAGES)
def test_loaders_strip_images_from_text_titles_and_headings(image):
    for name, data in _files(image).items():
        flattened = "]:" in image and not name.endswith((".md", ".txt"))
        document = load_bytes(name, data)
        assert not _leaks(document.title), (name, document.title)
        for section in document.sections:
            assert not _leaks(section.heading, url_allowed=flattened), (name, section.heading)
            assert not _leaks(section.text, url_allowed=flattened), (name, section.text)
        assert PROSE in document.text, (name, document.text)


def test_no_image_reaches_the_stores_from_any_format(kb, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, data in _files(IMAGES[0]).items():
        (docs / name).write_bytes(data)
    report = Syncer(kb).sync([docs])
    assert not report.failed, report.failed
    assert sorted(report.added) == sorted(_files(IMAGES[0]))
    for record in kb.registry.list():
        assert not _leaks(record.title), (record.id, record.title)
        for _, heading, _, text in kb.registry.chunks(record.id):
            assert not _leaks(heading), (record.id, heading)
            assert not _leaks(text), (record.id, text)
    dense = kb.dense.get(sorted(kb.registry.chunk_ids()))
    assert dense
    assert not any(_leaks(f"{c.title} {c.heading} {c.text}") for c in dense)

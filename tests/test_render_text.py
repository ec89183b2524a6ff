"""Document-derived strings render as text on the pages: no image, link, HTML or formatting comes out of a
quote, a title, a heading or a chip label (issue 14, item 2).

What "renders as text" means is checked two ways: a CommonMark parser (markdown-it-py, with GFM tables and
strikethrough) must see one plain paragraph whose text is the original, and Streamlit's own extras must not
fire: its GFM autolink literals (the two regular expressions below are copied from Streamlit's
StreamlitMarkdown bundle, which runs them over the parsed text, after backslash escapes are resolved),
`:directive[...]`, `:emoji:` and `$LaTeX$`.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from tests.app_support import add_staff, chip_labels, page, services, use_home
from tests.conftest import make_kb
from ui.render import chip_label, escaped, safe_markdown

PIXEL = "http://127.0.0.1:9/pixel.png?q=leak"
ATTACKS = [
    f"![s[1]x]({PIXEL})",
    f"Nested ![a [b]({PIXEL})]({PIXEL}) and [click]({PIXEL} 'title')",
    f"<img src={PIXEL} onerror=alert(1)> <script>alert(1)</script> &lt;img&gt;",
    f"Visit {PIXEL} or www.evil.example or HTTPS://EVIL.EXAMPLE, mail sales@evil.example",
    f"<{PIXEL}> and [ref]\n\n[ref]: {PIXEL}",
    "# Heading\n\n- item\n1. first\n> quote\n    code\n***\n| a | b |\n|---|---|",
    "**bold** _em_ `code` ~~gone~~ ~x~ :red[alert] :material/home: :smile: $x^2$ costs $5 [^1]",
    "Setext\n===\nline\\\nbreak \\[1\\] \\",
    "Data stays in the EU [1]. It is replicated twice [2].",
]
_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)  # Streamlit's
_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")  # Streamlit's, without its look-behind (stricter)
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_TEXT_TOKENS = {"text", "softbreak", "hardbreak"}
WORD_JOINER = "\u2060"


def shown_text(markdown: str) -> str:
    """The text a browser shows for `markdown`; fails if anything but plain paragraphs comes out."""
    shown = []
    for token in _PARSER.parse(markdown):
        if token.type == "inline":
            for child in token.children or []:
                assert child.type in _TEXT_TOKENS, f"{child.type} rendered from {markdown!r}"
                shown.append("\n" if child.type != "text" else child.content)
        else:
            assert token.type in ("paragraph_open", "paragraph_close"), f"{token.type} from {markdown!r}"
            shown.append("\n")
    text = "".join(shown)
    for pattern in (_URL, _EMAIL):
        assert not pattern.search(text), f"Streamlit would autolink {pattern.search(text)} in {text!r}"
    for extra in (r"(?<!\\)[:$]", r"(?<!\\)<"):
        assert not re.search(extra, markdown), f"unescaped {extra} in {markdown!r}"
    return text


def same_words(shown: str, original: str) -> bool:
    return shown.replace(WORD_JOINER, "").split() == original.split()


@pytest.mark.parametrize("attack", ATTACKS)
def test_safe_markdown_and_escaped_show_the_text_and_nothing_else(attack):
    for render in (safe_markdown, escaped):
        assert same_words(shown_text(render(attack)), attack), render(attack)


def test_citation_markers_stay_readable():
    assert safe_markdown("It is replicated twice [2].") == "It is replicated twice [2]."


@pytest.mark.parametrize("attack", ATTACKS)
def test_chip_label_shows_marker_and_title_as_text(attack):
    label = chip_label({"marker": 3, "title": attack, "source": "doc.md"})
    assert same_words(shown_text(label), f"[3] {attack}")


def test_the_buyer_page_renders_quotes_titles_chips_and_replies_as_text(tmp_path, embedder, monkeypatch):
    from ingest.sync import Syncer

    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    title = f"Regions **bold** :red[alert] {PIXEL} www.evil.example"
    (docs / "regions.html").write_text(
        f"<html><head><title>{title} <img src='{PIXEL}'></title></head><body>"
        f"<h2>Hosting regions :material/home: [x]({PIXEL})</h2>"
        f"<p>Customer data can be hosted in the EU region or the US region, see {PIXEL} "
        "or mail sales@evil.example ![s[1]x](http://127.0.0.1:9/p.png).</p></body></html>"
    )
    kb = make_kb(home, embedder)
    assert not Syncer(kb).sync([docs]).failed
    kb.close()
    url = use_home(monkeypatch, home, tmp_path / "lastmile.sqlite3")
    add_staff(url, "rita")
    app = page("buyer_chat")
    app.run()
    app.chat_input[0].set_value("In which regions can customer data be hosted?").run()
    assert not app.exception, app.exception

    conversation = app.session_state["conversation"]
    handoff = services().chat.request_human(conversation)
    reply = f"See ![s[1]x]({PIXEL}) and <img src={PIXEL}> or {PIXEL}"
    services().desk.claim(handoff, "rita")
    services().desk.reply(handoff, "rita", reply)
    app.run()
    assert not app.exception, app.exception

    labels = chip_labels(app)
    assert labels, "the answer cites the document"
    assert any("127.0.0.1:9" in shown_text(label) for label in labels), "the title reached the chip, as text"
    markdown = [block.value for block in app.markdown]
    assert any(same_words(shown_text(block), reply) for block in markdown), "the rep's reply, as text"
    for block in markdown:
        shown_text(block)
    captions = [caption.value for caption in app.caption if "127.0.0.1" in caption.value]
    assert captions, "the chip's caption names the document by its title"
    shown = [shown_text(caption) for caption in captions]
    assert any(
        f"{PIXEL} www{WORD_JOINER}.evil" in text.replace(f"http{WORD_JOINER}", "http") for text in shown
    )

"""The embeddable buyer chat widget (widget.js: readable JavaScript, no build step) and the demo product
page it is shown on (demo.html); the API serves both (ui/api/pages.py)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDGET_JS = HERE / "widget.js"
DEMO_PAGE = HERE / "demo.html"

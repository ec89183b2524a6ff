"""The widget script (/widget.js) and the demo product page (/demo), served by the API itself: nothing is
fetched from a CDN. Both are static files read once at start-up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ui.widget import DEMO_PAGE, WIDGET_JS

router = APIRouter(include_in_schema=False)
WIDGET_CACHE = "public, max-age=300"  # a new widget reaches every page within five minutes
# The demo page runs only our own script: no inline script, no third-party anything.
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@router.get("/widget.js")
async def widget(request: Request) -> Response:
    return Response(
        request.app.state.widget_js,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": WIDGET_CACHE, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/demo")
async def demo(request: Request) -> HTMLResponse:
    return HTMLResponse(
        request.app.state.demo_html,
        headers={"Content-Security-Policy": DEMO_CSP, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/demo")


def load_static() -> tuple[bytes, str]:
    return WIDGET_JS.read_bytes(), DEMO_PAGE.read_text(encoding="utf-8")

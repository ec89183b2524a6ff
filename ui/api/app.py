"""`create_app`: the FastAPI application over a built `ChatService` and the settings (the caller builds
both once per process, through assistant/wiring.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from assistant.service import ChatService
from assistant.settings import Settings
from ui.api import errors, pages, routes, schemas
from ui.api.guards import BodyLimit, OriginPolicy
from ui.api.rate_limits import RateLimits

DESCRIPTION = """Lastmile's buyer API: cited answers from the vendor's documents, streamed, with a person
one call away.

1. `POST /v1/conversations` returns a conversation id and its token (shown once).
2. `POST /v1/conversations/{id}/messages` with `Authorization: Bearer <token>` streams the answer as
   server-sent events: `token` events, then one `answer` event with the whole answer (citations with
   quotes, per-sentence citations, verdict, intents, confidence, handoff and reasons).
3. `GET /v1/conversations/{id}/messages?after=<id>` returns what came after (a rep's reply arrives so).
4. `POST /v1/conversations/{id}/handoff` asks for a person; `POST /v1/conversations/{id}/end` ends it.

Errors are JSON `{"error": {"code", "message"}}`. Text is plain text: render it as text, never as HTML.
"""


def create_app(chat: ChatService, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="Lastmile buyer API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # the interactive docs pages load their scripts from a CDN
        redoc_url=None,
    )
    app.state.chat = chat
    app.state.rate_limits = RateLimits(settings)
    app.state.widget_js, app.state.demo_html = pages.load_static()
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(OriginPolicy, origins=settings.api_cors_origins)  # outermost: refusals get no work
    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]
    return app


def openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the SSE events' data schemas (no route returns them as JSON, so FastAPI
    would leave them out)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = FastAPI.openapi(app)
    _, definitions = models_json_schema(
        [(schemas.TokenEvent, "serialization"), (schemas.AnswerEvent, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schema.setdefault("components", {}).setdefault("schemas", {}).update(definitions.get("$defs", {}))
    app.openapi_schema = schema
    return schema

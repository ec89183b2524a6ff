"""Serving the API: the services built once (through assistant/wiring.py), then uvicorn."""

from __future__ import annotations

from assistant.settings import Settings

GRACEFUL_SHUTDOWN_S = 5  # a streaming turn in flight gets this long to finish on shutdown


def run(settings: Settings, *, host: str, port: int) -> None:
    import uvicorn

    from assistant.wiring import build_services
    from ui.api.app import create_app

    services = build_services(settings)  # the model loads here, before the port opens
    uvicorn.run(
        create_app(services.chat, settings),
        host=host,
        port=port,
        proxy_headers=True,  # behind a reverse proxy on loopback, the client IP is the buyer's (rate limits)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )

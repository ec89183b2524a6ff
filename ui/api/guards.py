"""Two guards in front of the API, both answering with JSON errors: bodies over the size limit (a declared
Content-Length is refused before a byte is read; a body without one is counted as it arrives), and
browsers on origins outside the allow-list (preflights included). Starlette's CORS middleware writes the
CORS headers themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.api.errors import ErrorCode, error_response

CORS_METHODS = ("GET", "POST")
CORS_HEADERS = ("Authorization", "Content-Type", "Accept")
EXPOSED_HEADERS = ("Retry-After",)  # the widget reads it to wait before retrying
PREFLIGHT_MAX_AGE_S = 600  # browsers cache an allowed preflight this long


class BodyTooLarge(HTTPException):
    """Raised while the app reads a body that grew over the limit; the JSON error handlers answer it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is over the limit of {max_bytes:,} bytes")


class BodyLimit:
    """413 for a body over the limit: at once for a declared Content-Length, else when it is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            response = self._refusal(declared)
            if response is not None:
                await response(scope, receive, send)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)

    def _refusal(self, declared: str) -> Response | None:
        try:
            length = int(declared)
        except ValueError:
            return error_response(400, ErrorCode.BAD_REQUEST, "the Content-Length header is not a number")
        if length > self.max_bytes:
            return error_response(
                413,
                ErrorCode.BODY_TOO_LARGE,
                f"the request body is {length:,} bytes; the limit is {self.max_bytes:,}",
            )
        return None


class OriginPolicy(CORSMiddleware):
    """CORS for the allow-listed origins; any other browser origin is refused outright on /v1 (a same-origin
    page such as /demo is always allowed: it is the API's own)."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str], guarded_prefix: str = "/v1") -> None:
        super().__init__(
            app,
            allow_origins=list(origins),
            allow_methods=list(CORS_METHODS),
            allow_headers=list(CORS_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            max_age=PREFLIGHT_MAX_AGE_S,
        )
        self.guarded_prefix = guarded_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.guarded_prefix):
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is not None and not self.is_allowed_origin(origin) and not same_origin(scope, origin):
                response = error_response(
                    403, ErrorCode.ORIGIN_NOT_ALLOWED, f"the origin {origin[:200]} may not call this API"
                )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")  # e.g. "Disallowed CORS headers"
        return error_response(403, ErrorCode.ORIGIN_NOT_ALLOWED, f"CORS preflight refused: {reason}")


def same_origin(scope: Scope, origin: str) -> bool:
    """Whether `origin` is this server as the browser addressed it (scheme and Host header)."""
    host = Headers(scope=scope).get("host")
    return host is not None and origin == f"{scope.get('scheme', 'http')}://{host}"

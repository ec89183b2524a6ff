"""Every error the API sends is JSON, `{"error": {"code", "message"}}`, with a typed code; no stack trace
ever reaches a client (the server logs it)."""

from __future__ import annotations

import logging
from enum import StrEnum

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("lastmile.api")


class ErrorCode(StrEnum):
    INVALID_REQUEST = "invalid_request"  # the body or a parameter does not match the schema
    MESSAGE_REJECTED = "message_rejected"  # the shared message checks refused it (empty, too long)
    CONTACT_REFUSED = "contact_refused"  # contact details without consent, or not an e-mail address
    MISSING_TOKEN = "missing_token"
    CONVERSATION_NOT_FOUND = "conversation_not_found"  # unknown id, or a token that is not its token
    CONVERSATION_ENDED = "conversation_ended"
    RATE_LIMITED = "rate_limited"
    BODY_TOO_LARGE = "body_too_large"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    BAD_REQUEST = "bad_request"
    INTERNAL = "internal_error"


HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID_REQUEST,
}
INTERNAL_MESSAGE = "Something went wrong on our side; please try again in a moment."


class ApiError(Exception):
    def __init__(
        self, status: int, code: ErrorCode, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: ErrorCode, message: str) -> dict:
    return {"error": {"code": code.value, "message": message}}


def error_response(
    status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Error handlers for our own errors, Starlette's HTTP errors, validation errors and anything else."""

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, ErrorCode.BAD_REQUEST)
        if error.status_code >= 500:
            code = ErrorCode.INTERNAL
        message = error.detail if isinstance(error.detail, str) else code.value.replace("_", " ")
        return error_response(error.status_code, code, message, dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, ErrorCode.INVALID_REQUEST, validation_message(error))

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, ErrorCode.INTERNAL, INTERNAL_MESSAGE)


def validation_message(error: RequestValidationError) -> str:
    """'body.text: Field required; ...': where each problem is and what it is, never the input's value."""
    parts = []
    for problem in error.errors()[:5]:
        where = ".".join(str(part) for part in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}" if where else str(problem.get("msg")))
    return "; ".join(parts) or "the request does not match the API schema"

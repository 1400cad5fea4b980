"""Typed HTTP errors: a stable machine code (the reference API's ``detail``) + a German message."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class Detail(BaseModel):
    """Body of every error answer."""

    detail: str
    message: str = ""


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI ``responses`` entry documenting error ``codes`` of a route."""
    return {code: {"model": Detail} for code in codes}


class ApiError(HTTPException):
    """An error the client can act on: ``{"detail": CODE, "message": "<German text>"}``."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=code, headers=headers)
        self.code = code
        self.message = message


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Render an :class:`ApiError` as JSON (registered in create_app)."""
    assert isinstance(exc, ApiError)
    return JSONResponse(
        {"detail": exc.code, "message": exc.message},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def unauthorized(message: str = "Bitte melden Sie sich erneut an.") -> ApiError:
    """Return the 401 every bad/expired/revoked token gets (no hint which check failed)."""
    return ApiError(401, "UNAUTHORIZED", message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(code: str, message: str) -> ApiError:
    """Return a 403 for a signed-in user lacking a role or a verified email."""
    return ApiError(403, code, message)


def not_found(what: str = "Eintrag") -> ApiError:
    """Return a 404 (also for other users' rows: their existence is not revealed)."""
    return ApiError(404, "NOT_FOUND", f"{what} nicht gefunden.")


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer an unexpected error with JSON naming the request id (the traceback is logged)."""
    rid = str(request.scope.get("nikdesk.request_id", "-"))
    return JSONResponse(
        {
            "detail": "INTERNAL_ERROR",
            "message": f"Interner Serverfehler. Bitte dem Support die Anfrage-ID {rid} nennen.",
        },
        status_code=500,
        headers={"X-Request-ID": rid},
    )

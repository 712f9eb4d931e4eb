"""Maps CustosError (and request validation) to RFC 9457 application/problem+json, once."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from custos.errors import CustosError, ValidationError

PROBLEM = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {
        "type": f"urn:custos:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    @app.exception_handler(CustosError)
    async def _custos(_: Request, error: CustosError) -> JSONResponse:
        extra: dict[str, object] = {}
        if isinstance(error, ValidationError):
            extra["problems"] = error.problems
        if "reasons" in error.details:
            extra["reasons"] = error.details["reasons"]
        return problem(error.http_status, error.reason, error.title, error.message, **extra)

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, error: RequestValidationError) -> JSONResponse:
        # Echo locations and messages, never the submitted input (it may be personal data).
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in error.errors()
        ]
        return problem(
            422, "request_invalid", "Invalid request", "the request is malformed", problems=problems
        )

    @app.exception_handler(Exception)
    async def _internal(_: Request, error: Exception) -> JSONResponse:
        return problem(
            500,
            "internal_error",
            "Internal error",
            f"unexpected {type(error).__name__}; see the server log",
        )

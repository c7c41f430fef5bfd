"""API errors: one exception-to-status map and the handlers that apply it.

Every error answer has the same body (:class:`ErrorResponse`): ``{"error": {"status",
"code", "message", "field", "record", "line", "errors"}}``; ``record`` is the 0-based index
of the submitted record at fault, ``line`` its 1-based line in submitted text, ``field``
the path of the bad field (``events[0].flow``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from trucewatch.app.roles import PermissionDenied
from trucewatch.app.views.errors import BadQuery, NotVisible
from trucewatch.errors import InputError, QuotaExceeded, StoreError
from trucewatch.media.sniff import MediaRefused, MediaTooLarge

log = logging.getLogger("trucewatch.api")


class FieldProblem(BaseModel):
    """One problem with one field of the request."""

    location: list[str]
    message: str


class ErrorDetail(BaseModel):
    """What went wrong, and where in the request."""

    status: int = Field(description="the HTTP status of the answer")
    code: str = Field(description="machine-readable error code, e.g. not_found, invalid_request")
    message: str = Field(description="one line for a person")
    field: str | None = Field(
        default=None, description="path of the bad field, e.g. events[0].flow"
    )
    record: int | None = Field(
        default=None, description="0-based index of the submitted record at fault"
    )
    line: int | None = Field(
        default=None, description="1-based line of the submitted text at fault"
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="every problem found, when there are several"
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorDetail


class ApiError(Exception):
    """An error with its HTTP status; subclasses give ``status`` and ``code`` as class
    keywords (``class NotFound(ApiError, status=404, code="not_found")``)."""

    status = 400
    code = "bad_request"

    def __init_subclass__(cls, *, status: int = 400, code: str = "bad_request") -> None:
        super().__init_subclass__()
        cls.status, cls.code = status, code

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        record: int | None = None,
        line: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.record = record
        self.line = line
        self.headers = headers


class Unauthorized(ApiError, status=401, code="unauthorized"):
    """No token where one is needed, or a token that is malformed or unknown."""

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError, status=403, code="forbidden"):
    """The caller's role may not do this."""


class NotFound(ApiError, status=404, code="not_found"):
    """No such item, or none the caller may see."""


class Conflict(ApiError, status=409, code="conflict"):
    """A request with the same idempotency key is still being processed."""


class TooLarge(ApiError, status=413, code="too_large"):
    """A batch or body over the server's limits."""


class QuotaRefused(ApiError, status=429, code="quota_exceeded"):
    """A submission that would take the token over its daily quota (nothing stored);
    ``Retry-After`` says when the quota starts again."""

    def __init__(self, exc: QuotaExceeded) -> None:
        super().__init__(str(exc), field="daily_quota",
                         headers={"Retry-After": str(exc.retry_after_s)})


class Invalid(ApiError, status=422, code="invalid"):
    """A well-formed request the server refuses, naming the field (or record) at fault."""


class Unavailable(ApiError, status=503, code="unavailable"):
    """Something the request needs (the ledger) is not there."""


APP_REFUSALS: dict[type[Exception], Callable[[Any], ApiError]] = {
    NotVisible: lambda exc: NotFound(str(exc)),
    BadQuery: lambda exc: Invalid(exc.message, field=exc.field),
    PermissionDenied: lambda exc: Forbidden(str(exc)),
    QuotaExceeded: QuotaRefused,
}
"""The use cases' refusals (:mod:`trucewatch.app.views.errors`, :mod:`trucewatch.app.roles`)
as the API's errors."""


def _ledger_errors() -> dict[type[Exception], tuple[int, str]]:
    try:
        from trucewatch.ledger.errors import LedgerError, SignatureError
    except ImportError:  # the ledger is optional
        return {}
    return {SignatureError: (422, "invalid_signature"), LedgerError: (422, "ledger")}


STATUS_OF: dict[type[Exception], tuple[int, str]] = {
    InputError: (422, "invalid_record"),
    MediaRefused: (415, "unsupported_media_type"),
    MediaTooLarge: (413, "too_large"),
    StoreError: (503, "store_unavailable"),
    OperationalError: (503, "store_unavailable"),
    DataError: (422, "value_refused_by_store"),
    **_ledger_errors(),
}
"""Exception type -> (HTTP status, code), for exceptions that are not :class:`ApiError`.
The most specific class wins (checked along the exception's MRO)."""


def _body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    detail = ErrorDetail(status=status, code=code, message=message, **extra)
    return ErrorResponse(error=detail).model_dump(exclude_none=True)


def error_response(exc: BaseException) -> JSONResponse:
    """The answer for any exception, by the maps above (500 for anything unknown)."""
    refusal = next((APP_REFUSALS[c] for c in type(exc).__mro__ if c in APP_REFUSALS), None)
    if refusal is not None:
        exc = refusal(exc)
    if isinstance(exc, ApiError):
        body = _body(exc.status, exc.code, exc.message, field=exc.field, record=exc.record,
                     line=exc.line)  # fmt: skip
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)
    if isinstance(exc, InputError):
        err = exc.error
        body = _body(422, "invalid_record", err.message, field=err.field, line=err.line)
        return JSONResponse(body, status_code=422)
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            status, code = STATUS_OF[cls]
            message = str(getattr(exc, "orig", None) or exc).splitlines()[0][:500]
            if status >= 500:
                log.warning("%s: %s", code, exc)
            return JSONResponse(_body(status, code, message), status_code=status)
    log.exception("internal error", exc_info=exc)
    return JSONResponse(_body(500, "internal_error", "internal error"), status_code=500)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        FieldProblem(location=[str(p) for p in e.get("loc", ())], message=str(e.get("msg", "")))
        for e in exc.errors()
    ]
    first = problems[0] if problems else FieldProblem(location=[], message="invalid request")
    where = ".".join(first.location[1:]) or None
    raw = exc.errors()[0] if exc.errors() else {}
    if raw.get("type") == "json_invalid":
        error = (raw.get("ctx") or {}).get("error", "")
        where, first = None, FieldProblem(location=["body"], message=f"not valid JSON: {error}")
        problems = [first]
    message = f"{where}: {first.message}" if where else first.message
    body = _body(422, "invalid_request", message, field=where, errors=problems)
    return JSONResponse(body, status_code=422)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # FastAPI could not even decode the body: a malformed request
        body = _body(422, "invalid_request", f"body: {exc.detail} (send UTF-8 JSON)")
        return JSONResponse(body, status_code=422)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
    code = codes.get(exc.status_code, "http_error")
    body = _body(exc.status_code, code, str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _any(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: validation, HTTP, ApiError, the maps, and a last resort."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _any)
    for cls in (*STATUS_OF, *APP_REFUSALS):
        app.add_exception_handler(cls, _any)
    app.add_exception_handler(Exception, _any)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "missing or unknown token"},
    403: {"model": ErrorResponse, "description": "the token's role may not do this"},
    422: {"model": ErrorResponse, "description": "malformed request"},
    429: {"model": ErrorResponse, "description": "over the token's request rate; retry after "
          "`Retry-After` seconds", "headers": {"Retry-After": {
              "description": "seconds to wait", "schema": {"type": "integer"}}}},
}
"""The error answers every route documents; routes add their own (404, 409, ...)."""

QUOTA_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorResponse,
          "description": "over the token's request rate (`rate_limited`), or the submission "
          "would take the token over its daily quota of records (`quota_exceeded`, field "
          "`daily_quota`; nothing stored); retry after `Retry-After` seconds (for the "
          "quota: the next midnight UTC)",
          "headers": {"Retry-After": {"description": "seconds to wait",
                                      "schema": {"type": "integer"}}}},
}
"""The 429 answer of a route that stores a submission (rate limit and daily quota)."""


def not_found(description: str) -> dict[int | str, dict[str, Any]]:
    """The 404 answer of a route that reads one thing, as ``responses`` documents it:
    ``description`` says what is missing (``"no such (visible) incident"``)."""
    return {404: {"model": ErrorResponse, "description": description}}

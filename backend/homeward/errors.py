"""Domain errors and their RFC 9457 `application/problem+json` rendering.

Services raise `DomainError` subclasses; one set of handlers turns every error
(our own, the framework's 404/405/422, and anything unexpected) into a problem.
"""

import logging
import sqlite3
from typing import Any, ClassVar

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("homeward.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[ValidationIssue] | None = None
    request_id: str | None = None


class DomainError(Exception):
    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    # Keep what the request wrote even though it fails (audit of a denial, a failed login).
    persist_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[ValidationIssue] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def problem_type(cls) -> str:
        return f"/problems/{cls.slug}"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidInput(DomainError):
    status, slug, title = 422, "validation-error", "The request is not valid"

    @classmethod
    def at(cls, loc: list[str | int], msg: str) -> "InvalidInput":
        return cls(msg, errors=[ValidationIssue(loc=loc, msg=msg)])


class Unauthenticated(DomainError):
    status, slug, title = 401, "unauthenticated", "Authentication required"


class PermissionDenied(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "precondition-failed", "The resource changed since you read it"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "precondition-required", "If-Match header required"


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Send application/json"


class ServiceUnavailable(DomainError):
    status, slug, title = 503, "service-unavailable", "Busy: try again shortly"


# What a client waits before retrying a request the database had no room for.
RETRY_AFTER_SECONDS = 1

# A wait that ran out, or a database that cannot serve now: the request may simply be
# retried. SQLite says so in its message; PostgreSQL's are all OperationalError (too
# many clients, a dropped connection, a deadlock or serialization failure, a shutdown).
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_WAITS_RAN_OUT = (sqlalchemy.exc.TimeoutError, PoolTimeout, psycopg.OperationalError)


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "no room in the database now", rather than a fault."""
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, sqlite3.OperationalError):
        return str(error).startswith(_SQLITE_BUSY)
    return isinstance(error, _WAITS_RAN_OUT)


def _sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", None) or error
    return original.sqlstate if isinstance(original, psycopg.Error) else None


def error_response(error: Exception, request_id: str | None) -> JSONResponse:
    """The answer to an error no handler of ours expected: 503 if it was a wait, else 500.

    Logged once, here, with the scrubbed traceback (`homeward.logs`) for a 500.
    """
    fields = {
        "request_id": request_id,
        "error_type": type(error).__qualname__,
        "sqlstate": _sqlstate(error),
    }
    if is_busy(error):
        logger.warning("database busy: answered 503", extra=fields)
        return problem_response(
            503,
            ServiceUnavailable.slug,
            ServiceUnavailable.title,
            "The database had no room for this request in time. Retry it in a moment.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            request_id=request_id,
        )
    logger.error("unhandled error", exc_info=error, extra=fields)
    return problem_response(
        500,
        "internal-error",
        "Internal server error",
        "Something went wrong on our side. Quote the request id when reporting it.",
        request_id=request_id,
    )


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    errors: list[ValidationIssue] | None = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> JSONResponse:
    problem = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=status,
        detail=detail,
        errors=errors,
        request_id=request_id,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _request_id(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Send application/json"),
}


def _location(loc: tuple[Any, ...]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


def _body_unreadable(exc: RequestValidationError) -> bool:
    return any(error.get("type") == "json_invalid" for error in exc.errors())


async def _credential_accepted(request: Request) -> bool:
    """Whether the route is public or the caller holds a valid credential."""
    check = getattr(request.app.state, "credential_accepted", None)
    if check is None:
        return True
    from starlette.concurrency import run_in_threadpool

    return bool(await run_in_threadpool(check, request))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            request_id=_request_id(request),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _body_unreadable(exc) and not await _credential_accepted(request):
            # The framework parses JSON before authenticating; a caller without a valid
            # credential still learns only that it must authenticate.
            return problem_response(
                401,
                Unauthenticated.slug,
                Unauthenticated.title,
                "Sign in (or send a partner API key) to continue",
                request_id=_request_id(request),
            )
        issues = [
            ValidationIssue(loc=_location(tuple(err.get("loc", ()))), msg=str(err.get("msg", "")))
            for err in exc.errors()
        ]
        return problem_response(
            422,
            InvalidInput.slug,
            InvalidInput.title,
            "; ".join(f"{'.'.join(map(str, i.loc))}: {i.msg}" for i in issues)[:500] or None,
            errors=issues,
            request_id=_request_id(request),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "Request failed"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            exc.status_code,
            slug,
            title,
            detail,
            headers=dict(exc.headers or {}),
            request_id=_request_id(request),
        )

    # Handled inside the middleware, so that the answer gets its headers. Anything
    # else unexpected is answered by `RequestContextMiddleware` the same way.
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc, _request_id(request))

    for database_error in (sqlalchemy.exc.DBAPIError, *_WAITS_RAN_OUT):
        app.add_exception_handler(database_error, _database)


def _problem_doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}


def responses(*errors: type[DomainError] | int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting the problems a route can return."""
    documented: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        if isinstance(error, int):
            documented[error] = _problem_doc(_STATUS_SLUGS.get(error, ("", "Error"))[1])
        else:
            documented[error.status] = _problem_doc(error.title)
    return documented


# Documented on every route by the aggregate router: a body that is not JSON (400, 415)
# or too large (413) is refused before any route sees it; a request that waited too
# long for the database gets 503 with Retry-After.
REQUEST_RESPONSES = responses(
    400, PayloadTooLarge, UnsupportedMediaType, InvalidInput, ServiceUnavailable
)
COMMON_RESPONSES = REQUEST_RESPONSES | responses(Unauthenticated, PermissionDenied, TooManyRequests)

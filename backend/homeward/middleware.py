"""Pure ASGI middleware: request ids, access logs, security headers, body guard."""

import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeward.errors import error_response, problem_response

access_log = logging.getLogger("homeward.access")

# One policy for the web app, the API and the docs page: scripts only from this origin
# (`default-src`), none inline; inline styles, which the web app's components and
# Swagger UI set on elements.
CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "img-src 'self' data:; style-src 'self' 'unsafe-inline'"
)
_BODY_METHODS = {"POST", "PUT", "PATCH"}
# Paths whose body is a file rather than JSON (its route checks the type by content),
# each with its own size limit.
RawUploads = Sequence[tuple[re.Pattern[str], int]]
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_HEADERS = [*_SECURITY_HEADERS, (b"content-security-policy", CSP.encode())]
_HSTS = b"max-age=63072000; includeSubDomains"
# What a client may name its request with: an id goes into logs and the audit trail as
# it is, so no spaces, quotes or control characters, and nothing long.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestContextMiddleware:
    """Request id, security headers and one structured access-log line per request.

    It also answers any error that got this far (503 for a wait that ran out, else a
    logged 500): inside it, so that the answer carries the same headers as any other,
    and without raising it further, so that the server neither logs it a second time
    nor closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _CLIENT_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        started = time.perf_counter()
        status_code = 500
        responded = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status_code, responded
            if message["type"] == "http.response.start":
                status_code, responded = message["status"], True
                # Appended as raw pairs: the response never sets these itself, and
                # `MutableHeaders` would scan the list once for each of them.
                headers = message.setdefault("headers", [])
                if not isinstance(headers, list):
                    headers = message["headers"] = list(headers)
                headers.append((b"x-request-id", request_id.encode()))
                headers += _HEADERS
                if path.startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", _HSTS))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            response = error_response(error, request_id)
            # Once the status line is out, the response can only be cut short: the
            # server then closes the connection, as it must.
            if not responded:
                await response(scope, receive, send_with_headers)
        finally:
            # Checked first: the record's fields cost more than the check, and a
            # production server logs at WARNING.
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": path,
                        "status": status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )


class _BodyTooLarge(HTTPException):
    """An HTTPException so that the framework's body reader lets it through as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Bodies are limited to {limit} bytes")


class BodyGuardMiddleware:
    """Refuses API bodies over the limit (413) and bodies that are not JSON (415)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, raw_uploads: RawUploads = ()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.raw_uploads = raw_uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = scope.get("state", {}).get("request_id")
        limit, raw_upload = self.max_body_bytes, False
        for pattern, upload_limit in self.raw_uploads:
            if pattern.match(scope["path"]):
                limit, raw_upload = upload_limit, True
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, request_id, limit)
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        has_body = (declared and declared != "0") or "transfer-encoding" in headers
        is_json = content_type == "application/json" or content_type.endswith("+json")
        if scope["path"].startswith("/api/") and has_body and not is_json and not raw_upload:
            response = problem_response(
                415,
                "unsupported-media-type",
                "Send application/json",
                f"Content-Type {content_type or '(none)'} is not accepted here",
                request_id=request_id,
            )
            await response(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large(scope, receive, send, request_id, limit)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, request_id: Any, limit: int
    ) -> None:
        response = problem_response(
            413,
            "payload-too-large",
            "Request body too large",
            f"Bodies are limited to {limit} bytes",
            request_id=request_id,
        )
        await response(scope, receive, send)

"""The `Idempotency-Key` header on routes: replay a stored response, or run and store one."""

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Header, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session

from homeward.audit.service import Actor
from homeward.idempotency import service
from homeward.idempotency.exceptions import (
    IdempotencyKeyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
)
from homeward.idempotency.service import StoredResponse

T = TypeVar("T")
REPLAYED_HEADER = "Idempotent-Replayed"
_JSON = "application/json"
# Headers of a first response that its replays repeat.
_KEPT_HEADERS = ("location", "etag")

_DESCRIPTION = (
    "A unique value per request (a UUID is a good choice). Retrying with the same key and "
    "body within 24 hours replays the first response, marked `Idempotent-Replayed: true`."
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description=_DESCRIPTION)]
RequiredIdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description=f"Required. {_DESCRIPTION}"),
]

ERRORS = (IdempotencyKeyInvalid, IdempotencyKeyInFlight, IdempotencyKeyReused)
REQUIRED_ERRORS = (IdempotencyKeyMissing, *ERRORS)


def _payload(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    return body


def json_response(
    model: BaseModel, status_code: int, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        model.model_dump_json().encode(), status_code=status_code, media_type=_JSON, headers=headers
    )


def require_key(key: str | None) -> str:
    """The key of a route that requires one: 400 without it."""
    if key is None:
        raise IdempotencyKeyMissing(
            "Send an Idempotency-Key header (a new UUID for each new request) so that a "
            "retry cannot act twice"
        )
    return key


def idempotent(
    db: Session,
    request: Request,
    *,
    owner: str,
    key: str,
    body: Any,
    run: Callable[[], Response],
) -> Response:
    """Replay the response stored for `key`, or `run` the request and store its response."""
    service.check_key(key)
    method, path = request.method, request.url.path
    digest = service.fingerprint(method, path, _payload(body))
    service.claim(db, owner, key)
    stored = service.stored_response(db, owner, key, digest)
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.media_type,
            headers={**stored.headers, REPLAYED_HEADER: "true"},
        )
    response = run()
    kept = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    stored = StoredResponse(
        response.status_code, bytes(response.body), response.media_type or _JSON, kept
    )
    service.store_response(db, owner, key, method, path, digest, stored)
    return response


def idempotent_model(
    db: Session,
    request: Request,
    *,
    actor: Actor,
    key: str | None,
    body: Any,
    run: Callable[[], T],
    read_as: TypeAdapter[Any],
    status_code: int,
) -> T | Response:
    """For staff routes, where the key is optional: without one, `run()`'s result as
    usual; with one, the result as `read_as` JSON, stored for replays."""

    def run_as_json() -> Response:
        value = read_as.validate_python(run(), from_attributes=True)
        return Response(read_as.dump_json(value), status_code=status_code, media_type=_JSON)

    if key is None:
        return run()
    return idempotent(db, request, owner=owner_of(actor), key=key, body=body, run=run_as_json)


def owner_of(actor: Actor) -> str:
    return f"{actor.type}:{actor.id}"

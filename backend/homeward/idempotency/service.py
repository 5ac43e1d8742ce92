"""Idempotency keys (the IETF `Idempotency-Key` draft): one response per key, replayed.

A request holds its key for as long as its transaction runs, and the first response
is stored in that same transaction:

- PostgreSQL: a transaction-scoped advisory lock on the key. A second request that
  cannot take it is still in flight elsewhere (409); the lock goes with the commit
  or the rollback, a crashed server's included, so a retry then finds the stored
  response or, when nothing was committed, runs afresh.
- SQLite: every write transaction holds the database's write lock from its first
  statement, so requests with one key run one after another and the second replays.

Responses are kept `KEEP_FOR`; an expired key can be used again.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from homeward import clock
from homeward.idempotency.exceptions import (
    IdempotencyKeyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
)
from homeward.idempotency.models import IdempotencyRecord

KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:lock)")


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


def check_key(key: str) -> None:
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise IdempotencyKeyInvalid(
            f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters, for example a UUID"
        )


def fingerprint(method: str, path: str, payload: Any) -> str:
    """A digest of the request: its method, path, and body (JSON-like, or raw bytes)."""
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    if isinstance(payload, bytes):
        digest.update(payload)
    else:
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        digest.update(canonical.encode())
    return digest.hexdigest()


def _lock_id(owner: str, key: str) -> int:
    raw = hashlib.sha256(f"{owner}\n{key}".encode()).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)


def claim(db: Session, owner: str, key: str) -> None:
    """Hold `key` for this transaction, or raise 409 when another request holds it."""
    if db.get_bind().dialect.name != "postgresql":
        return
    if not db.scalar(_TRY_LOCK, {"lock": _lock_id(owner, key)}):
        raise IdempotencyKeyInFlight(
            "The first request with this key has not finished; retry in a moment to get its "
            "response",
            headers={"Retry-After": "1"},
        )


def stored_response(
    db: Session, owner: str, key: str, request_fingerprint: str
) -> StoredResponse | None:
    """The response first given for this key, if any and not expired; 422 if the key was
    used for another request."""
    record = db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.key == key,
            IdempotencyRecord.expires_at > clock.now(),
        )
    )
    if record is None:
        return None
    if record.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The key was first used on {record.created_at.isoformat()} for "
            f"{record.method} {record.path} with another body; use a new key for a new request"
        )
    return StoredResponse(record.status_code, record.body, record.media_type, record.headers)


def store_response(
    db: Session,
    owner: str,
    key: str,
    method: str,
    path: str,
    request_fingerprint: str,
    response: StoredResponse,
) -> None:
    now = clock.now()
    # An expired record of the same key makes way for the new one.
    db.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.key == key,
            IdempotencyRecord.expires_at <= now,
        )
    )
    db.add(
        IdempotencyRecord(
            owner=owner,
            key=key,
            method=method,
            path=path[:500],
            fingerprint=request_fingerprint,
            status_code=response.status_code,
            media_type=response.media_type,
            headers=response.headers,
            body=response.body,
            created_at=now,
            expires_at=now + KEEP_FOR,
        )
    )
    db.flush()


def purge_expired(db: Session, now: datetime | None = None) -> int:
    """Delete expired records; returns how many."""
    now = now or clock.now()
    count = (
        db.scalar(
            select(func.count())
            .select_from(IdempotencyRecord)
            .where(IdempotencyRecord.expires_at <= now)
        )
        or 0
    )
    if count:
        db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
    return count

"""The audit trail: who did what to which record, when, and whether it was allowed."""

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.models import AuditEvent
from homeward.audit.schemas import AuditEventRead
from homeward.pagination import Page, PageParams, paginate

GENESIS_HASH = "0" * 64
# Any constant: serializes appends to the hash chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_204_511

ActorType = Literal["user", "partner", "anonymous", "system"]


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where; passed to every service that writes."""

    type: ActorType
    id: uuid.UUID | None = None
    role: str | None = None
    ip: str | None = None
    request_id: str | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(type="system")


def _digest(event: AuditEvent) -> str:
    payload = {
        "id": str(event.id),
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "patient_id": str(event.patient_id) if event.patient_id else None,
        "outcome": event.outcome,
        "ip": event.ip,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    db: Session,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None = None,
    *,
    patient_id: uuid.UUID | None = None,
    outcome: Literal["success", "denied", "failure"] = "success",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = db.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        id=uuid.uuid4(),
        seq=(last.seq + 1) if last else 1,
        occurred_at=clock.now().replace(microsecond=0),
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        patient_id=patient_id,
        outcome=outcome,
        ip=actor.ip,
        request_id=actor.request_id,
        detail=detail,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = _digest(event)
    db.add(event)
    db.flush()
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One event for `record_many`."""

    action: str
    resource_type: str
    resource_id: uuid.UUID | str | None = None
    patient_id: uuid.UUID | None = None
    detail: dict[str, object] | None = None


def record_many(db: Session, actor: Actor, entries: list[AuditEntry]) -> None:
    """Append several events to the chain with a fixed number of statements.

    For set-based changes (automatic tapering changes for a whole cohort) that
    must still leave one event per patient.
    """
    if not entries:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = db.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    occurred_at = clock.now().replace(microsecond=0)
    for entry in entries:
        seq += 1
        event = AuditEvent(
            id=uuid.uuid4(),
            seq=seq,
            occurred_at=occurred_at,
            actor_type=actor.type,
            actor_id=actor.id,
            action=entry.action,
            resource_type=entry.resource_type,
            resource_id=str(entry.resource_id) if entry.resource_id is not None else None,
            patient_id=entry.patient_id,
            outcome="success",
            ip=actor.ip,
            request_id=actor.request_id,
            detail=entry.detail,
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = _digest(event)
        db.add(event)
    db.flush()


def list_events(
    db: Session,
    params: PageParams,
    *,
    actor_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    resource_type: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> Page[AuditEventRead]:
    statement: Select[AuditEvent] = select(AuditEvent)
    if actor_id:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if patient_id:
        statement = statement.where(AuditEvent.patient_id == patient_id)
    if resource_type:
        statement = statement.where(AuditEvent.resource_type == resource_type)
    if occurred_from:
        statement = statement.where(AuditEvent.occurred_at >= occurred_from)
    if occurred_to:
        statement = statement.where(AuditEvent.occurred_at < occurred_to)
    return paginate(
        db, statement, [AuditEvent.seq], params, read_as=AuditEventRead, descending=True
    )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(db: Session, batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Recompute the chain; yields each row that was edited, or follows a deleted one."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    rows = db.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    )
    for event in rows.scalars():
        if event.seq != expected_seq:
            yield ChainBreak(event.seq, f"rows {expected_seq}..{event.seq - 1} are missing")
        elif event.prev_hash != expected_prev:
            yield ChainBreak(event.seq, "the previous row was changed or removed")
        if _digest(event) != event.hash:
            yield ChainBreak(event.seq, "this row was edited")
        expected_prev, expected_seq = event.hash, event.seq + 1

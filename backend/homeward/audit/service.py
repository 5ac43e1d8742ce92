"""The audit trail: who did what to which record, when, and whether it was allowed."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.chain import new_event_id, seal_chain
from homeward.audit.models import AuditEvent
from homeward.audit.schemas import AuditEventRead
from homeward.pagination import Page, PageParams, paginate

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


def _event(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None,
    patient_id: uuid.UUID | None,
    outcome: str,
    detail: dict[str, object] | None,
) -> AuditEvent:
    return AuditEvent(
        id=new_event_id(),
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
    )


def _add(db: Session, events: list[AuditEvent]) -> None:
    db.add_all(events)


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
    """Write an event in the caller's transaction; `seal_chain` links it into the hash chain."""
    event = _event(actor, action, resource_type, resource_id, patient_id, outcome, detail)
    _add(db, [event])
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
    """Several events at once, for set-based changes that still owe one event per patient."""
    _add(
        db,
        [
            _event(
                actor, e.action, e.resource_type, e.resource_id, e.patient_id, "success", e.detail
            )
            for e in entries
        ],
    )


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
    # Link what is not linked yet, so that every event listed has its place in the chain.
    seal_chain(db)
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

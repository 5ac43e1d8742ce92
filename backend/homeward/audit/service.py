"""The audit trail: who did what to which record, when, and whether it was allowed."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from homeward.audit import accounting
from homeward.audit.chain import new_event_id, seal_chain
from homeward.audit.id_lists import UUID_ARRAY
from homeward.audit.models import AuditEvent
from homeward.audit.schemas import AuditEventRead
from homeward.bulk import insert_rows
from homeward.db import utcnow_to_the_second
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


def audit_event(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None = None,
    patient_id: uuid.UUID | None = None,
    outcome: str = "success",
    detail: dict[str, object] | None = None,
    patient_ids: Iterable[uuid.UUID] | None = None,
    resource_ids: Iterable[uuid.UUID] | None = None,
) -> dict[str, object]:
    """An audit event's row, as `record` writes it."""
    return {
        "id": new_event_id(),
        "occurred_at": utcnow_to_the_second(),
        "actor_type": actor.type,
        "actor_id": actor.id,
        "action": action,
        "resource_type": resource_type,
        "resource_id": str(resource_id) if resource_id is not None else None,
        "patient_id": patient_id,
        "patient_ids": id_list(patient_ids) if patient_ids is not None else None,
        "resource_ids": id_list(resource_ids) if resource_ids is not None else None,
        "outcome": outcome,
        "ip": actor.ip,
        "request_id": actor.request_id,
        "detail": detail,
    }


def id_list(ids: Iterable[uuid.UUID]) -> list[str]:
    """How an event names the patients (or rows) a list showed: each once, sorted, as
    text (the order and form `composed.listed_ids` gives in SQL)."""
    return sorted({str(one) for one in ids})


# A plain INSERT, written at once: an append-only row needs none of the ORM's unit-of-work
# bookkeeping, which cost more than the rest of a read. Written at once, it also lands
# in the right savepoint, and leaves with it when that is rolled back.
_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)


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
    patient_ids: Iterable[uuid.UUID] | None = None,
    resource_ids: Iterable[uuid.UUID] | None = None,
) -> uuid.UUID:
    """Write an event in the caller's transaction; returns its id.

    `patient_ids`: the patients a list showed; `resource_ids`: the rows a list showed,
    when their patients are found through them (`audit/accounting.py`). `seal_chain`
    links the event into the hash chain after it commits.
    """
    event = audit_event(
        actor,
        action,
        resource_type,
        resource_id,
        patient_id,
        outcome,
        detail,
        patient_ids,
        resource_ids,
    )
    # On the Session's connection, so in its transaction, but past the ORM's execute
    # machinery: nothing about an append-only row needs it.
    db.connection().execute(_INSERT, event)
    return event["id"]  # type: ignore[return-value]


@dataclass(frozen=True)
class AuditEntry:
    """One event for `record_many`."""

    action: str
    resource_type: str
    resource_id: uuid.UUID | str | None = None
    patient_id: uuid.UUID | None = None
    detail: dict[str, object] | None = None


def record_many(db: Session, actor: Actor, entries: list[AuditEntry]) -> None:
    """Several events in one statement, for set-based changes that owe one event per patient."""
    if not entries:
        return
    events = [
        audit_event(
            actor, e.action, e.resource_type, e.resource_id, e.patient_id, "success", e.detail
        )
        for e in entries
    ]
    columns = list(events[0])
    insert_rows(db.connection(), _TABLE, columns, [tuple(event.values()) for event in events])


def _about_patient(db: Session, patient_id: uuid.UUID) -> ColumnElement[bool]:
    """Events about the patient: read alone, or among the patients a list showed."""
    listed: ColumnElement[bool]
    if db.get_bind().dialect.name == "postgresql":
        # `@>`: what the GIN index answers.
        listed = type_coerce(AuditEvent.patient_ids, UUID_ARRAY).contains([patient_id])
    else:
        listed = exists(
            select(literal_column("1"))
            .select_from(func.json_each(AuditEvent.patient_ids))
            .where(literal_column("json_each.value") == str(patient_id))
        )
    return or_(
        AuditEvent.patient_id == patient_id, listed, *accounting.about_patient(db, patient_id)
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
    # Linked events alone, which the trail's indexes cover (`models.LINKED`).
    statement: Select[AuditEvent] = select(AuditEvent).where(AuditEvent.seq.is_not(None))
    if actor_id:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if patient_id:
        statement = statement.where(_about_patient(db, patient_id))
    if resource_type:
        statement = statement.where(AuditEvent.resource_type == resource_type)
    if occurred_from:
        statement = statement.where(AuditEvent.occurred_at >= occurred_from)
    if occurred_to:
        statement = statement.where(AuditEvent.occurred_at < occurred_to)
    page = paginate(
        db, statement, [AuditEvent.seq], params, read_as=AuditEventRead, descending=True
    )
    accounting.read_through(db, page.items)
    return page

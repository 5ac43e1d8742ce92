"""The audit trail: who did what to which record, when, and whether it was allowed."""

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, Table, bindparam, inspect, select, text, update
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


def _payload(event: AuditEvent) -> dict[str, object]:
    """What the hash covers: every column but the hash itself."""
    return {
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


def _hash(payload: dict[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _digest(event: AuditEvent) -> str:
    return _hash(_payload(event))


_PENDING = "homeward.audit.pending"


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
        id=uuid.uuid4(),
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
    # The payload is kept now: at commit the rows may be expired, and reading them
    # back one by one would cost a query per event.
    db.info.setdefault(_PENDING, []).extend((event, _payload(event)) for event in events)


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
    """Write an event in the caller's transaction; it joins the hash chain at commit."""
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


def seal_pending(db: Session, *, wait: bool = False) -> None:
    """Append this transaction's events, and any committed unlinked ones, to the hash chain.

    Runs as the transaction commits. On PostgreSQL the chain lock is only *tried*:
    while another transaction holds it (through its commit's disk flush), this one
    commits its events unlinked instead of queueing behind it, and the next
    transaction that gets the lock links them. `wait=True` (verification) waits.
    """
    pending = [(event, payload) for event, payload in db.info.pop(_PENDING, []) if event in db]
    if not pending and not wait:
        return
    with db.no_autoflush:
        if db.get_bind().dialect.name == "postgresql":
            lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            got = db.scalar(text(f"SELECT {lock}(:key)::text"), {"key": _CHAIN_LOCK_KEY})
            if got == "false":
                return
        last = db.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).first()
        own = {event.id for event, _ in pending}
        backlog = [
            (row, _payload(row))
            for row in db.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq.is_(None))
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            )
            if row.id not in own
        ]
    pending = backlog + pending
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    already_inserted = []
    for event, payload in pending:
        seq += 1
        link = {"seq": seq, "prev_hash": prev_hash}
        link["hash"] = prev_hash = _hash(payload | link)
        if inspect(event).pending:
            # Not written yet: the INSERT carries the link, no second statement.
            for column, value in link.items():
                setattr(event, column, value)
        else:
            already_inserted.append((event, link))
    db.flush()
    if already_inserted:
        table = AuditEvent.__table__
        assert isinstance(table, Table)
        db.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash")
            ),
            [
                {"b_id": e.id, "b_seq": ln["seq"], "b_prev": ln["prev_hash"], "b_hash": ln["hash"]}
                for e, ln in already_inserted
            ],
        )
        for event, link in already_inserted:
            for column, value in link.items():
                set_committed_value(event, column, value)


@orm_event.listens_for(Session, "before_commit")
def _seal_before_commit(db: Session) -> None:
    # A savepoint's release is not the end of the transaction: seal once, at the real commit.
    if not db.in_nested_transaction():
        seal_pending(db)


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
    # Link what others committed unlinked, so every event listed has its place in the chain.
    seal_pending(db, wait=True)
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
    seal_pending(db, wait=True)
    expected_prev: str | None = GENESIS_HASH
    expected_seq = 1
    rows = db.execute(
        select(AuditEvent)
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch_size)
    )
    for row in rows.scalars():
        assert row.seq is not None
        if row.seq != expected_seq:
            yield ChainBreak(row.seq, f"rows {expected_seq}..{row.seq - 1} are missing")
        elif row.prev_hash != expected_prev:
            yield ChainBreak(row.seq, "the previous row was changed or removed")
        if _digest(row) != row.hash:
            yield ChainBreak(row.seq, "this row was edited")
        expected_prev, expected_seq = row.hash, row.seq + 1

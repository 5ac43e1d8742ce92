"""Whose data a list showed, for lists whose rows are about several patients each.

A session list shows sessions, each with a roster. Naming every rostered patient on the
list's event meant aggregating, storing and indexing thousands of ids on each read of a
clinic's day, several times the cost of the read. Such a list's event names the rows
it showed (`resource_ids`) instead, and the domain that owns the rows says how to find
their patients as they stood at any time (`Through`). The accounting of disclosures
(`GET /audit-events?patient_id=`) reads through it, and shows the patients it finds
as the event's `patient_ids`, as for any other list. A session's attendance, read or
saved, is accounted the same way, through the session's roster.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    any_,
    exists,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from homeward.audit.id_lists import UUID_ARRAY
from homeward.audit.models import AuditEvent

# Rows of (`resource_id`, `patient_id`, `stood_from`, `stood_until`): a row's patient from
# `stood_from` to `stood_until` (null: still), both to the second and inclusive.
Through = Callable[[], Subquery]

# The actions of the events read through each; a domain's `AuditedList` adds its own
# when declared. Actions read through the same rows share one condition and one query.
_THROUGH: dict[Through, list[str]] = {}


def register(action: str, through: Through) -> None:
    actions = _THROUGH.setdefault(through, [])
    if action not in actions:
        actions.append(action)


def _stood_when_read(rows: Subquery) -> ColumnElement[bool]:
    return and_(
        rows.c.stood_from <= AuditEvent.occurred_at,
        or_(rows.c.stood_until.is_(None), rows.c.stood_until >= AuditEvent.occurred_at),
    )


def _listed(rows: Subquery, postgresql: bool) -> ColumnElement[bool]:
    """The row of `rows` is among those the event showed."""
    if postgresql:
        return rows.c.resource_id == any_(type_coerce(AuditEvent.resource_ids, UUID_ARRAY))
    # SQLite keeps a UUID as 32 hex digits; the event names it with its dashes.
    shown = func.replace(literal_column("json_each.value"), "-", "")
    return exists(
        select(literal_column("1"))
        .select_from(func.json_each(AuditEvent.resource_ids))
        .where(shown == rows.c.resource_id)
    )


def about_patient(db: Session, patient_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """For each list read through its rows: its events that showed the patient's data."""
    postgresql = db.get_bind().dialect.name == "postgresql"
    found: list[ColumnElement[bool]] = []
    for through, actions in _THROUGH.items():
        rows = through()
        theirs = rows.c.patient_id == patient_id
        condition = and_(
            AuditEvent.action.in_(actions),
            exists(
                select(literal_column("1")).where(
                    theirs, _listed(rows, postgresql), _stood_when_read(rows)
                )
            ),
        )
        if postgresql:
            # Any of the patient's rows at all, which the GIN index answers first.
            any_of = select(rows.c.resource_id).where(theirs).scalar_subquery()
            condition = and_(
                type_coerce(AuditEvent.resource_ids, UUID_ARRAY).overlap(
                    func.array(any_of, type_=UUID_ARRAY)
                ),
                condition,
            )
        found.append(condition)
    return found


def read_through(db: Session, events: Sequence[Any]) -> None:
    """Give each event of a list read through its rows the patients it showed, as
    `patient_ids` (sorted as text), from the rows as they stood when it was read: one
    query per page, by the same rule the filter above applies."""
    postgresql = db.get_bind().dialect.name == "postgresql"
    for through, actions in _THROUGH.items():
        listed = [e for e in events if e.action in actions and e.resource_ids is not None]
        if not listed:
            continue
        rows = through()
        shown = {uuid.UUID(str(one)) for event in listed for one in event.resource_ids}
        found = (
            select(AuditEvent.id, rows.c.patient_id)
            .distinct()
            .where(
                AuditEvent.id.in_([event.id for event in listed]),
                rows.c.resource_id.in_(shown),
                _listed(rows, postgresql),
                _stood_when_read(rows),
            )
        )
        patients: dict[uuid.UUID, list[uuid.UUID]] = {}
        for event_id, patient_id in db.execute(found):
            patients.setdefault(event_id, []).append(patient_id)
        for event in listed:
            event.patient_ids = sorted(patients.get(event.id, []), key=str)

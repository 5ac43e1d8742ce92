"""Set-based writes of enrollment changes: extensions, phase moves and completions.

Each writes, for any number of enrollments in a fixed number of statements, the rows an
enrollment change leaves: its history row (`Extension`, `PhaseChange`, `StatusChange`),
the enrollment's new end date, phase or status with its version bumped, and one audit
event per enrollment. Tapering's automatic changes for a whole cohort go through here;
re-rostering future sessions after moves and completions is the caller's, once for all.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from sqlalchemy import Connection, Table, update

from homeward.audit.service import AuditEntry
from homeward.bulk import insert_rows, update_rows
from homeward.enrollments.models import (
    Enrollment,
    EnrollmentStatus,
    Extension,
    ExtensionReason,
    PhaseChange,
    StatusChange,
)

_ENROLLMENTS = cast(Table, Enrollment.__table__)


@dataclass(frozen=True)
class Extending:
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    days: int
    reason: ExtensionReason
    note: str
    previous_end_on: date | None
    new_end_on: date
    # What the audit event's detail adds (the rule that decided it, say).
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PhaseMove:
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    from_phase_id: uuid.UUID | None
    to_phase_id: uuid.UUID
    reason: str
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Completion:
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    note: str
    detail: dict[str, object] = field(default_factory=dict)


def extend_enrollments(
    connection: Connection, by: uuid.UUID | None, now: datetime, changes: list[Extending]
) -> list[AuditEntry]:
    """Lengthen each stay; the audit events, for the caller to record with its others."""
    if not changes:
        return []
    extension_columns = (
        "id", "enrollment_id", "days", "reason", "note", "previous_end_on", "new_end_on",
        "created_by_id", "created_at",
    )  # fmt: skip
    insert_rows(
        connection,
        cast(Table, Extension.__table__),
        extension_columns,
        [
            (
                uuid.uuid4(),
                c.enrollment_id,
                c.days,
                c.reason.value,
                c.note,
                c.previous_end_on,
                c.new_end_on,
                by,
                now,
            )
            for c in changes
        ],
    )
    update_rows(
        connection,
        _ENROLLMENTS,
        "id",
        {
            "id": [c.enrollment_id for c in changes],
            "expected_end_on": [c.new_end_on for c in changes],
        },
        {"version": _ENROLLMENTS.c.version + 1, "updated_at": now},
    )
    return [
        AuditEntry(
            "enrollment.extend",
            "enrollment",
            c.enrollment_id,
            c.patient_id,
            {"days": c.days, "new_end_on": c.new_end_on.isoformat(), **c.detail},
        )
        for c in changes
    ]


def move_phases(
    connection: Connection,
    by: uuid.UUID | None,
    now: datetime,
    on: date,
    changes: list[PhaseMove],
) -> list[AuditEntry]:
    """Move each enrollment to its new phase from `on`; the audit events."""
    if not changes:
        return []
    phase_change_columns = (
        "id", "enrollment_id", "from_phase_id", "to_phase_id", "effective_on", "reason",
        "changed_by_id", "created_at",
    )  # fmt: skip
    insert_rows(
        connection,
        cast(Table, PhaseChange.__table__),
        phase_change_columns,
        [
            (uuid.uuid4(), c.enrollment_id, c.from_phase_id, c.to_phase_id, on, c.reason, by, now)
            for c in changes
        ],
    )
    update_rows(
        connection,
        _ENROLLMENTS,
        "id",
        {
            "id": [c.enrollment_id for c in changes],
            "current_phase_id": [c.to_phase_id for c in changes],
        },
        {"phase_started_on": on, "version": _ENROLLMENTS.c.version + 1, "updated_at": now},
    )
    return [
        AuditEntry(
            "enrollment.change_phase",
            "enrollment",
            c.enrollment_id,
            c.patient_id,
            {
                "from_phase_id": str(c.from_phase_id) if c.from_phase_id else None,
                "to_phase_id": str(c.to_phase_id),
                "effective_on": on.isoformat(),
                **c.detail,
            },
        )
        for c in changes
    ]


def complete_enrollments(
    connection: Connection,
    by: uuid.UUID | None,
    now: datetime,
    on: date,
    changes: list[Completion],
) -> list[AuditEntry]:
    """Complete each active enrollment on `on`; the audit events."""
    if not changes:
        return []
    status_change_columns = (
        "id", "enrollment_id", "from_status", "to_status", "note", "changed_by_id", "occurred_at",
    )  # fmt: skip
    active, completed = EnrollmentStatus.active.value, EnrollmentStatus.completed.value
    insert_rows(
        connection,
        cast(Table, StatusChange.__table__),
        status_change_columns,
        [(uuid.uuid4(), c.enrollment_id, active, completed, c.note, by, now) for c in changes],
    )
    connection.execute(
        update(_ENROLLMENTS)
        .where(_ENROLLMENTS.c.id.in_([c.enrollment_id for c in changes]))
        .values(
            status=EnrollmentStatus.completed,
            completed_on=on,
            version=_ENROLLMENTS.c.version + 1,
            updated_at=now,
        )
    )
    return [
        AuditEntry(
            "enrollment.complete",
            "enrollment",
            c.enrollment_id,
            c.patient_id,
            {"completed_on": on.isoformat(), **c.detail},
        )
        for c in changes
    ]

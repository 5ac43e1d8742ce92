"""The one writer of enrollment changes: extensions, phase moves and status moves.

Each writes, for any number of enrollments in a fixed number of statements, the rows an
enrollment change leaves: its history row (`Extension`, `PhaseChange`, `StatusChange`),
the enrollment's new end date, phase or status with its version bumped, and one audit
event per enrollment. A clinician's action writes a list of one, with the version it
read, so a concurrent change is a 412; tapering's automatic changes write a whole cohort.
Re-rostering future sessions after moves is the caller's, once for all.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table

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
from homeward.errors import PreconditionFailed

_ENROLLMENTS = cast(Table, Enrollment.__table__)
# The version each enrollment was read at, for a change that must not overwrite another.
Versions = Mapping[uuid.UUID, int]


def _update_enrollments(
    connection: Connection,
    given: dict[str, Sequence[Any]],
    also: dict[str, object],
    now: datetime,
    versions: Versions | None,
) -> None:
    """Set `given` per enrollment and `also` on all, bumping each version once."""
    also = {**also, "version": _ENROLLMENTS.c.version + 1, "updated_at": now}
    if versions is None:
        update_rows(connection, _ENROLLMENTS, "id", given, also)
        return
    given = {**given, "version": [versions[i] for i in given["id"]]}
    changed = update_rows(connection, _ENROLLMENTS, "id", given, also, matching=["version"])
    if changed != len(given["id"]):
        raise PreconditionFailed(
            "Someone else changed this enrollment meanwhile; reload and try again"
        )


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
class StatusMove:
    enrollment_id: uuid.UUID
    patient_id: uuid.UUID
    from_status: EnrollmentStatus
    note: str
    detail: dict[str, object] = field(default_factory=dict)


def extend_enrollments(
    connection: Connection,
    by: uuid.UUID | None,
    now: datetime,
    changes: list[Extending],
    *,
    versions: Versions | None = None,
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
    _update_enrollments(
        connection,
        {
            "id": [c.enrollment_id for c in changes],
            "expected_end_on": [c.new_end_on for c in changes],
        },
        {},
        now,
        versions,
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
    *,
    versions: Versions | None = None,
) -> list[AuditEntry]:
    """Move each enrollment to its new phase from `on`; the audit events."""
    if not changes:
        return []
    record_phase_changes(connection, by, now, on, changes)
    _update_enrollments(
        connection,
        {
            "id": [c.enrollment_id for c in changes],
            "current_phase_id": [c.to_phase_id for c in changes],
        },
        {"phase_started_on": on},
        now,
        versions,
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


def record_phase_changes(
    connection: Connection, by: uuid.UUID | None, now: datetime, on: date, changes: list[PhaseMove]
) -> None:
    """The phase history rows alone: an admission's first phase is set with its status."""
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


def move_statuses(
    connection: Connection,
    by: uuid.UUID | None,
    now: datetime,
    action: str,
    to_status: EnrollmentStatus,
    changes: list[StatusMove],
    *,
    dated: Mapping[str, object] | None = None,
    versions: Versions | None = None,
) -> list[AuditEntry]:
    """Move each enrollment to `to_status` by `action` (admit, hold, complete...); the
    audit events. `dated`: what the move sets on every one of them (`completed_on`, say).
    """
    if not changes:
        return []
    status_change_columns = (
        "id", "enrollment_id", "from_status", "to_status", "note", "changed_by_id", "occurred_at",
    )  # fmt: skip
    insert_rows(
        connection,
        cast(Table, StatusChange.__table__),
        status_change_columns,
        [
            (uuid.uuid4(), c.enrollment_id, c.from_status.value, to_status.value, c.note, by, now)
            for c in changes
        ],
    )
    _update_enrollments(
        connection,
        {"id": [c.enrollment_id for c in changes]},
        {"status": to_status, **(dated or {})},
        now,
        versions,
    )
    return [
        AuditEntry(
            f"enrollment.{action}",
            "enrollment",
            c.enrollment_id,
            c.patient_id,
            {"from": c.from_status.value, "to": to_status.value, **c.detail},
        )
        for c in changes
    ]

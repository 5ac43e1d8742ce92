"""Keeping future rosters in step with each enrollment's status and phase.

A session's roster is every active enrollment whose current phase attends the
session's slot. Past sessions (and anything with attendance) never change.
"""

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, delete, exists, insert, select
from sqlalchemy.orm import Session

from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.programs.models import phase_slots
from homeward.sessions.models import (
    ROSTER_ATTENDANCE,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)


def sync_future_rosters(
    db: Session, enrollment_ids: Collection[uuid.UUID], after: datetime
) -> None:
    """Re-roster generated sessions starting after `after` for these enrollments.

    Three statements whatever the number of enrollments or sessions: drop entries
    the enrollment's phase no longer attends, then add the missing ones.
    """
    if not enrollment_ids:
        return
    ids = list(enrollment_ids)
    attends = (
        select(Enrollment.id)
        .join(phase_slots, phase_slots.c.phase_id == Enrollment.current_phase_id)
        .where(
            Enrollment.id == RosterEntry.enrollment_id,
            Enrollment.status == EnrollmentStatus.active,
            phase_slots.c.slot_id == TreatmentSession.slot_id,
        )
        .correlate(RosterEntry, TreatmentSession)
    )
    has_attendance = exists().where(ROSTER_ATTENDANCE)
    stale_sessions = select(TreatmentSession.id).where(
        TreatmentSession.id == RosterEntry.session_id,
        TreatmentSession.slot_id.is_not(None),
        TreatmentSession.starts_at > after,
        ~exists(attends),
    )
    db.execute(
        delete(RosterEntry)
        .where(RosterEntry.enrollment_id.in_(ids), exists(stale_sessions), ~has_attendance)
        .execution_options(synchronize_session=False)
    )
    missing = (
        select(TreatmentSession.id, Enrollment.id)
        .join(phase_slots, phase_slots.c.slot_id == TreatmentSession.slot_id)
        .join(
            Enrollment,
            and_(
                Enrollment.current_phase_id == phase_slots.c.phase_id,
                Enrollment.program_id == TreatmentSession.program_id,
            ),
        )
        .where(
            Enrollment.id.in_(ids),
            Enrollment.status == EnrollmentStatus.active,
            TreatmentSession.starts_at > after,
            TreatmentSession.status == SessionStatus.scheduled,
            ~exists().where(
                RosterEntry.session_id == TreatmentSession.id,
                RosterEntry.enrollment_id == Enrollment.id,
            ),
        )
    )
    db.execute(
        insert(RosterEntry).from_select(["session_id", "enrollment_id"], missing),
        execution_options={"synchronize_session": False},
    )
    db.expire_all()

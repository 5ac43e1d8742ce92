"""Rostering: who is expected at a generated session, the one place that decides it.

An enrollment is on a generated session's roster when it is active, its current phase
attends the session's slot, and the session falls on or after its admission day (on the
program's calendar, so backfilled history does not list clients who had not arrived).
Entries with attendance recorded are facts and stay, whatever the enrollment's phase now.

Schedule generation brings the sessions it made or found in line; the enrollment
lifecycle and tapering bring an enrollment's future sessions in line after a change.
Both ask `sync_rosters` with a scope; it is two statements whatever the scope's size,
and a third when it took entries away, to keep their history (`RosterRemoval`).
"""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Row, Table, and_, delete, exists, insert, or_, select, true
from sqlalchemy.orm import Session

from homeward.bulk import insert_rows
from homeward.db import utcnow_to_the_second
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.programs.models import Program, phase_slots
from homeward.sessions.models import (
    ROSTER_ATTENDANCE,
    RosterEntry,
    RosterRemoval,
    SessionStatus,
    TreatmentSession,
)
from homeward.zones import local_day

_REMOVALS = cast(Table, RosterRemoval.__table__)


@dataclass(frozen=True)
class RosterScope:
    """Which entries a sync may change: sessions and enrollments, each all when None."""

    session_ids: Collection[uuid.UUID] | None = None
    enrollment_ids: Collection[uuid.UUID] | None = None
    starting_after: datetime | None = None

    def entries(self) -> ColumnElement[bool]:
        """The scope over roster entries, so a sync reads only the entries it may change."""
        return and_(
            true() if self.session_ids is None else RosterEntry.session_id.in_(self.session_ids),
            true()
            if self.enrollment_ids is None
            else RosterEntry.enrollment_id.in_(self.enrollment_ids),
        )

    def starts(self) -> ColumnElement[bool]:
        """The scope's sessions by when they start."""
        if self.starting_after is None:
            return true()
        return TreatmentSession.starts_at > self.starting_after

    def pairs(self) -> ColumnElement[bool]:
        """The scope over the sessions and enrollments a query has joined."""
        return and_(
            true() if self.session_ids is None else TreatmentSession.id.in_(self.session_ids),
            true() if self.enrollment_ids is None else Enrollment.id.in_(self.enrollment_ids),
            self.starts(),
        )


def future_sessions_of(enrollment_ids: Collection[uuid.UUID], after: datetime) -> RosterScope:
    """The generated sessions starting after `after`, for these enrollments only."""
    return RosterScope(enrollment_ids=list(enrollment_ids), starting_after=after)


def these_sessions(session_ids: Collection[uuid.UUID]) -> RosterScope:
    """These sessions, for every enrollment of their programs."""
    return RosterScope(session_ids=list(session_ids))


def _belongs() -> ColumnElement[bool]:
    """The rostering rule, over a session and an enrollment already in the query."""
    session_day = local_day(
        TreatmentSession.starts_at,
        select(Program.timezone).where(Program.id == TreatmentSession.program_id).scalar_subquery(),
    )
    return and_(
        Enrollment.status == EnrollmentStatus.active,
        exists().where(
            phase_slots.c.phase_id == Enrollment.current_phase_id,
            phase_slots.c.slot_id == TreatmentSession.slot_id,
        ),
        or_(Enrollment.admitted_on.is_(None), Enrollment.admitted_on <= session_day),
    )


def _keep_history(db: Session, removed: Sequence[Row[uuid.UUID, uuid.UUID, datetime]]) -> None:
    """Keep what was taken away, so an accounting of disclosures still sees who a
    session list saw on the roster (`RosterRemoval`)."""
    now = utcnow_to_the_second()
    insert_rows(
        db.connection(),
        _REMOVALS,
        ("session_id", "enrollment_id", "added_at", "removed_at"),
        [(*entry, now) for entry in removed],
    )


def sync_rosters(db: Session, scope: RosterScope) -> int:
    """Drop the scope's entries the rule no longer gives, add the missing; the number added."""
    if scope.session_ids == [] or scope.enrollment_ids == []:
        return 0
    stale = (
        select(TreatmentSession.id)
        .join(Enrollment, Enrollment.id == RosterEntry.enrollment_id)
        .where(
            TreatmentSession.id == RosterEntry.session_id,
            TreatmentSession.slot_id.is_not(None),
            # The ids are `entries()`'s, on the entry the subquery is correlated with.
            scope.starts(),
            ~_belongs(),
        )
        .correlate(RosterEntry)
    )
    removed = db.execute(
        delete(RosterEntry)
        .where(scope.entries(), exists(stale), ~exists().where(ROSTER_ATTENDANCE))
        .returning(RosterEntry.session_id, RosterEntry.enrollment_id, RosterEntry.added_at)
        .execution_options(synchronize_session=False)
    ).all()
    _keep_history(db, removed)
    missing = (
        select(TreatmentSession.id, Enrollment.id)
        .join(Enrollment, Enrollment.program_id == TreatmentSession.program_id)
        .where(
            TreatmentSession.slot_id.is_not(None),
            TreatmentSession.status == SessionStatus.scheduled,
            scope.pairs(),
            _belongs(),
            ~exists().where(
                RosterEntry.session_id == TreatmentSession.id,
                RosterEntry.enrollment_id == Enrollment.id,
            ),
        )
    )
    # The driver forgets an INSERT's row count when its cursor closes, unless asked to keep it.
    added = db.connection().execute(
        insert(RosterEntry)
        .from_select(["session_id", "enrollment_id"], missing)
        .execution_options(preserve_rowcount=True)
    )
    db.expire_all()
    return added.rowcount

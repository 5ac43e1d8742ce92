"""The domain's invariants, checked over a whole generated clinic (demo or synthetic)."""

import itertools
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeward.enrollments.models import (
    Enrollment,
    EnrollmentStatus,
    Extension,
    PhaseChange,
    StatusChange,
)
from homeward.homework.models import Homework, HomeworkStatus
from homeward.programs.models import Phase, Program, phase_slots
from homeward.sessions.models import Attendance, RosterEntry, SessionStatus, TreatmentSession
from homeward.sessions.rostering import sync_rosters, these_sessions

LEAVING_CARE = (EnrollmentStatus.on_hold, EnrollmentStatus.completed, EnrollmentStatus.discharged)


def _phase_histories(db: Session, enrollments: dict[uuid.UUID, Enrollment]) -> None:
    changes: dict[uuid.UUID, list[PhaseChange]] = defaultdict(list)
    for change in db.scalars(
        select(PhaseChange).order_by(PhaseChange.effective_on, PhaseChange.created_at)
    ):
        changes[change.enrollment_id].append(change)
    program_of_phase = {p: program for p, program in db.execute(select(Phase.id, Phase.program_id))}
    for enrollment in enrollments.values():
        history = changes[enrollment.id]
        if enrollment.status == EnrollmentStatus.pending:
            assert enrollment.current_phase_id is None and not history
            continue
        assert enrollment.current_phase_id is not None, "an admitted enrollment has a phase"
        assert program_of_phase[enrollment.current_phase_id] == enrollment.program_id
        assert history[0].from_phase_id is None
        assert history[0].effective_on == enrollment.admitted_on
        for before, after in itertools.pairwise(history):
            assert after.from_phase_id == before.to_phase_id
        assert history[-1].to_phase_id == enrollment.current_phase_id
        assert history[-1].effective_on == enrollment.phase_started_on


def _expected_ends(
    db: Session, enrollments: dict[uuid.UUID, Enrollment], programs: dict[uuid.UUID, Program]
) -> None:
    extra: dict[uuid.UUID, int] = defaultdict(int)
    for extension in db.scalars(select(Extension)):
        extra[extension.enrollment_id] += extension.days
        assert extension.new_end_on == extension.previous_end_on + timedelta(days=extension.days)
    for enrollment in enrollments.values():
        if enrollment.admitted_on is None:
            assert enrollment.expected_end_on is None
            continue
        length = programs[enrollment.program_id].default_length_days
        assert enrollment.expected_end_on == enrollment.admitted_on + timedelta(
            days=length + extra[enrollment.id]
        )


def _care_ends(
    db: Session, enrollments: dict[uuid.UUID, Enrollment], programs: dict[uuid.UUID, Program]
) -> dict[uuid.UUID, date]:
    """The local day each enrollment stopped attending (hold, completion or discharge)."""
    ends: dict[uuid.UUID, date] = {}
    for change in db.scalars(
        select(StatusChange)
        .where(StatusChange.to_status.in_(LEAVING_CARE))
        .order_by(StatusChange.occurred_at)
    ):
        enrollment = enrollments[change.enrollment_id]
        zone = ZoneInfo(programs[enrollment.program_id].timezone)
        ends.setdefault(change.enrollment_id, change.occurred_at.astimezone(zone).date())
    return ends


def check_clinic_invariants(db: Session, now: datetime) -> None:
    programs = {p.id: p for p in db.scalars(select(Program))}
    enrollments = {e.id: e for e in db.scalars(select(Enrollment))}
    _phase_histories(db, enrollments)
    _expected_ends(db, enrollments, programs)
    for program in programs.values():
        seats = [
            e
            for e in enrollments.values()
            if e.program_id == program.id
            and e.status in (EnrollmentStatus.active, EnrollmentStatus.on_hold)
        ]
        assert len(seats) <= program.capacity

    changes: dict[uuid.UUID, list[PhaseChange]] = defaultdict(list)
    for change in db.scalars(
        select(PhaseChange).order_by(PhaseChange.effective_on, PhaseChange.created_at)
    ):
        changes[change.enrollment_id].append(change)
    ends = _care_ends(db, enrollments, programs)
    attends: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for phase_id, slot_id in db.execute(select(phase_slots.c.phase_id, phase_slots.c.slot_id)):
        attends[phase_id].add(slot_id)
    rosters: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for session_id, enrollment_id in db.execute(
        select(RosterEntry.session_id, RosterEntry.enrollment_id)
    ):
        rosters[session_id].add(enrollment_id)
    by_program: dict[uuid.UUID, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments.values():
        by_program[enrollment.program_id].append(enrollment)

    def phase_on(enrollment: Enrollment, day: date) -> uuid.UUID | None:
        if enrollment.admitted_on is None or enrollment.admitted_on > day:
            return None
        if enrollment.id in ends and day >= ends[enrollment.id]:
            return None
        current = None
        for change in changes[enrollment.id]:
            if change.effective_on <= day:
                current = change.to_phase_id
        return current

    sessions = {s.id: s for s in db.scalars(select(TreatmentSession))}
    for session in sessions.values():
        if session.slot_id is None:
            continue
        program = programs[session.program_id]
        day = session.starts_at.astimezone(ZoneInfo(program.timezone)).date()
        if session.starts_at > now:
            continue  # The app's own rule judges these: `_future_rosters_follow_the_rule`.
        expected = set()
        for enrollment in by_program[program.id]:
            phase_id = phase_on(enrollment, day)
            if phase_id is not None and session.slot_id in attends[phase_id]:
                expected.add(enrollment.id)
        assert rosters[session.id] == expected, f"roster of {session.title} on {day}"

    _future_rosters_follow_the_rule(db, now, rosters)
    for record in db.scalars(select(Attendance)):
        session = sessions[record.session_id]
        assert session.starts_at <= now, "no attendance for a session that has not started"
        assert session.status == SessionStatus.scheduled
        assert record.enrollment_id in rosters[record.session_id]
        assert 0 <= record.minutes_attended <= (session.ends_at - session.starts_at).seconds / 60

    for homework in db.scalars(select(Homework)):
        assert homework.enrollment_id in enrollments
        assert homework.assigned_at <= now
        if homework.status == HomeworkStatus.assigned:
            assert homework.submitted_at is None
        else:
            assert homework.submitted_at is not None and homework.submitted_at <= now
        if homework.status == HomeworkStatus.reviewed:
            assert homework.reviewed_at is not None and homework.reviewed_at <= now


def _future_rosters_follow_the_rule(
    db: Session, now: datetime, rosters: dict[uuid.UUID, set[uuid.UUID]]
) -> None:
    """What the seed rostered ahead is what the app's rostering gives: syncing changes none."""
    upcoming = list(
        db.scalars(
            select(TreatmentSession.id).where(
                TreatmentSession.starts_at > now, TreatmentSession.slot_id.is_not(None)
            )
        )
    )
    assert upcoming, "the clinic has sessions ahead"
    with db.begin_nested() as trial:
        added = sync_rosters(db, these_sessions(upcoming))
        after: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for session_id, enrollment_id in db.execute(
            select(RosterEntry.session_id, RosterEntry.enrollment_id).where(
                RosterEntry.session_id.in_(upcoming)
            )
        ):
            after[session_id].add(enrollment_id)
        trial.rollback()
    assert added == 0
    assert {s: after[s] for s in upcoming} == {s: rosters[s] for s in upcoming}

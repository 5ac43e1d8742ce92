"""Treatment sessions: reading, ad-hoc booking, rescheduling, cancelling, the group note."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    exists,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from homeward import clock
from homeward.audit.reads import AuditedList, AuditedReads, audited_page
from homeward.audit.service import Actor, record
from homeward.auth.models import CLINICAL_ROLES, NOT_CLINICAL, Role, User
from homeward.enrollments.models import Enrollment, EnrollmentStatus
from homeward.errors import InvalidInput, PermissionDenied
from homeward.pagination import Columns, Filter, KeysetQuery, PageParams
from homeward.patients.models import Patient
from homeward.programs.models import Program, SessionType
from homeward.sessions.exceptions import (
    FacilitatorBusy,
    GroupNoteExists,
    SessionCancelled,
    SessionEnded,
    SessionNotFound,
    SessionTimesFixed,
)
from homeward.sessions.models import (
    ROSTER_ATTENDANCE,
    Attendance,
    RosterEntry,
    SessionStatus,
    SessionTally,
    TreatmentSession,
)
from homeward.sessions.roster_history import rostered_patients
from homeward.sessions.schemas import (
    RosterLine,
    SessionBase,
    SessionCreate,
    SessionRead,
    SessionUpdate,
)

MAX_DURATION = timedelta(hours=12)
# Enrollments that may be booked into an ad-hoc session (an intake visit before admission,
# a family session while on hold), but not once they have left the program.
BOOKABLE = (EnrollmentStatus.pending, EnrollmentStatus.active, EnrollmentStatus.on_hold)


def _roster_lines(
    db: Session, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RosterLine]]:
    """The rosters of these sessions, with names and any attendance, in one query."""
    lines: dict[uuid.UUID, list[RosterLine]] = defaultdict(list)
    if not session_ids:
        return lines
    rows = db.execute(
        select(
            RosterEntry.session_id,
            RosterEntry.enrollment_id,
            Enrollment.patient_id,
            Patient.given_name,
            Patient.family_name,
            Attendance.status,
            Attendance.minutes_attended,
        )
        .join(Enrollment, Enrollment.id == RosterEntry.enrollment_id)
        .join(Patient, Patient.id == Enrollment.patient_id)
        .outerjoin(
            Attendance,
            ROSTER_ATTENDANCE,
        )
        .where(RosterEntry.session_id.in_(session_ids))
        .order_by(Patient.family_name, Patient.given_name, RosterEntry.enrollment_id)
    )
    for row in rows:
        lines[row.session_id].append(
            RosterLine(
                enrollment_id=row.enrollment_id,
                patient_id=row.patient_id,
                patient_name=f"{row.given_name} {row.family_name}",
                attendance_status=row.status,
                minutes_attended=row.minutes_attended,
            )
        )
    return lines


def read_sessions(db: Session, sessions: Sequence[SessionBase]) -> list[SessionRead]:
    lines = _roster_lines(db, [session.id for session in sessions])
    return [SessionRead(**dict(session), roster=lines.get(session.id, [])) for session in sessions]


def _read(db: Session, session: TreatmentSession) -> SessionRead:
    db.refresh(session)
    return read_sessions(db, [SessionBase.model_validate(session)])[0]


def require_session_type(actor: Actor, session_type: SessionType) -> None:
    """Medical staff book and record medical sessions only."""
    if actor.role == Role.medical and session_type != SessionType.medical:
        raise PermissionDenied("Medical staff may only do this for medical sessions")


def find_session(db: Session, session_id: uuid.UUID) -> TreatmentSession:
    session = db.get(TreatmentSession, session_id)
    if session is None:
        raise SessionNotFound()
    return session


def get_session(db: Session, actor: Actor, session_id: uuid.UUID) -> SessionRead:
    session = find_session(db, session_id)
    read = read_sessions(db, [SessionBase.model_validate(session)])[0]
    roster_patients = [line.patient_id for line in read.roster]
    record(db, actor, "session.read", "session", session.id, patient_ids=roster_patients)
    return read


_SUMMARY_SESSION_COLUMNS = [getattr(TreatmentSession, name) for name in SessionBase.model_fields]


def _summary_statement() -> Columns:
    """The sessions' own columns and their roster counts, as the triggers keep them.

    A list shows how each roster stands; the roster itself is read on the single session.
    """
    # A session with no roster yet has no tally. The zero is written into the SQL: as a
    # bound value it would be a parameter the pooled read (`audit/reads.py`) never binds.
    return (
        select(
            *_SUMMARY_SESSION_COLUMNS,
            func.coalesce(SessionTally.rostered, literal_column("0")).label("roster_size"),
            func.coalesce(SessionTally.recorded, literal_column("0")).label("attendance_recorded"),
        )
        .select_from(TreatmentSession)
        .outerjoin(SessionTally, SessionTally.session_id == TreatmentSession.id)
    )


def _rosters(enrollment_id: BindParameter[Any]) -> ColumnElement[bool]:
    return exists().where(
        RosterEntry.session_id == TreatmentSession.id, RosterEntry.enrollment_id == enrollment_id
    )


_LIST = KeysetQuery(
    _summary_statement,
    [TreatmentSession.starts_at, TreatmentSession.id],
    [
        Filter("starts_from", TreatmentSession.starts_at.__ge__),
        Filter("starts_to", TreatmentSession.starts_at.__lt__),
        Filter("program_id", TreatmentSession.program_id.__eq__),
        Filter("facilitator_id", TreatmentSession.facilitator_id.__eq__),
        Filter("session_type", TreatmentSession.session_type.__eq__),
        Filter("status", TreatmentSession.status.__eq__),
        Filter("enrollment_id", _rosters),
    ],
)


# A list of sessions shows their rosters' counts; its event names the sessions, and the
# accounting of disclosures finds their patients on the rosters as they stood.
_LISTED = AuditedList("session.list", "session", listed_through=rostered_patients)


async def list_sessions(
    reads: AuditedReads,
    actor: Actor,
    params: PageParams,
    *,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    program_id: uuid.UUID | None = None,
    facilitator_id: uuid.UUID | None = None,
    enrollment_id: uuid.UUID | None = None,
    session_type: SessionType | None = None,
    status: SessionStatus | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """In start order: a page's rows, as `SessionSummary` names their fields, and the
    next page's cursor; with one audit event."""
    return await audited_page(
        _LIST,
        reads,
        _LISTED,
        actor,
        params,
        starts_from=starts_from,
        starts_to=starts_to,
        program_id=program_id,
        facilitator_id=facilitator_id,
        session_type=session_type,
        status=status,
        enrollment_id=enrollment_id,
    )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput.at(["body", "ends_at"], "ends_at must be after starts_at")
    if ends_at - starts_at > MAX_DURATION:
        raise InvalidInput.at(["body", "ends_at"], "a session lasts at most 12 hours")


def check_facilitator(
    db: Session,
    facilitator_id: uuid.UUID | None,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: uuid.UUID | None = None,
) -> None:
    """Refuse a booking that overlaps another of the facilitator's sessions (cancelled aside)."""
    if facilitator_id is None:
        return
    facilitator = db.get(User, facilitator_id)
    if facilitator is None:
        raise InvalidInput.at(["body", "facilitator_id"], "no staff user with this id")
    if facilitator.role not in CLINICAL_ROLES:
        raise InvalidInput.at(["body", "facilitator_id"], NOT_CLINICAL)
    overlapping = select(TreatmentSession).where(
        TreatmentSession.facilitator_id == facilitator_id,
        TreatmentSession.status != SessionStatus.cancelled,
        TreatmentSession.starts_at < ends_at,
        TreatmentSession.ends_at > starts_at,
    )
    if exclude_session_id is not None:
        overlapping = overlapping.where(TreatmentSession.id != exclude_session_id)
    clash = db.scalar(overlapping.order_by(TreatmentSession.starts_at).limit(1))
    if clash is not None:
        raise FacilitatorBusy(
            f"Already facilitating {clash.title!r} from {clash.starts_at.isoformat()} "
            f"to {clash.ends_at.isoformat()}"
        )


def _check_roster(db: Session, program_id: uuid.UUID, roster: Sequence[uuid.UUID]) -> None:
    if not roster:
        return
    found = {
        row.id: row
        for row in db.execute(
            select(Enrollment.id, Enrollment.program_id, Enrollment.status).where(
                Enrollment.id.in_(set(roster))
            )
        )
    }
    for index, enrollment_id in enumerate(roster):
        row = found.get(enrollment_id)
        if row is None or row.program_id != program_id:
            raise InvalidInput.at(["body", "roster", index], "not an enrollment in this program")
        if row.status not in BOOKABLE:
            raise InvalidInput.at(["body", "roster", index], f"the enrollment is {row.status}")


def create_session(db: Session, actor: Actor, data: SessionCreate) -> SessionRead:
    """An ad-hoc session (individual therapy, a medical visit, a family session...)."""
    require_session_type(actor, data.session_type)
    if db.get(Program, data.program_id) is None:
        raise InvalidInput.at(["body", "program_id"], "no such program")
    _check_times(data.starts_at, data.ends_at)
    check_facilitator(db, data.facilitator_id, data.starts_at, data.ends_at)
    _check_roster(db, data.program_id, data.roster)
    session = TreatmentSession(
        program_id=data.program_id,
        session_type=data.session_type,
        title=data.title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        facilitator_id=data.facilitator_id,
        room=data.room,
        roster=[RosterEntry(enrollment_id=e) for e in dict.fromkeys(data.roster)],
    )
    db.add(session)
    db.flush()
    record(
        db,
        actor,
        "session.create",
        "session",
        session.id,
        detail={"session_type": data.session_type.value, "roster": len(session.roster)},
    )
    return _read(db, session)


def _check_times_may_move(db: Session, session: TreatmentSession, changes: dict[str, Any]) -> None:
    """A session that has ended, or has attendance recorded, is a fact: its times stay."""
    moved = {f for f in ("starts_at", "ends_at") if f in changes} - {
        f for f in ("starts_at", "ends_at") if changes.get(f) == getattr(session, f)
    }
    if not moved:
        return
    if session.ends_at <= clock.now():
        raise SessionTimesFixed("The session has ended; its times are part of the record")
    recorded = db.scalar(select(exists().where(Attendance.session_id == session.id)))
    if recorded:
        raise SessionTimesFixed("Attendance is recorded for this session; its times stay")


def update_session(
    db: Session, actor: Actor, session_id: uuid.UUID, data: SessionUpdate
) -> SessionRead:
    session = find_session(db, session_id)
    if session.status == SessionStatus.cancelled:
        raise SessionCancelled("A cancelled session cannot be changed")
    changes = data.model_dump(exclude_unset=True)
    for field in ("title", "starts_at", "ends_at"):
        if field in changes and changes[field] is None:
            raise InvalidInput.at(["body", field], f"{field} cannot be null")
    _check_times_may_move(db, session, changes)
    starts_at = changes.get("starts_at", session.starts_at)
    ends_at = changes.get("ends_at", session.ends_at)
    _check_times(starts_at, ends_at)
    if changes.keys() & {"starts_at", "ends_at", "facilitator_id"}:
        check_facilitator(
            db,
            changes.get("facilitator_id", session.facilitator_id),
            starts_at,
            ends_at,
            exclude_session_id=session.id,
        )
    for field, value in changes.items():
        setattr(session, field, value)
    db.flush()
    record(db, actor, "session.update", "session", session.id, detail={"changed": sorted(changes)})
    return _read(db, session)


def cancel_session(db: Session, actor: Actor, session_id: uuid.UUID, reason: str) -> SessionRead:
    session = find_session(db, session_id)
    if session.status == SessionStatus.cancelled:
        raise SessionCancelled("The session is already cancelled")
    if session.ends_at <= clock.now():
        raise SessionEnded("A session that has ended cannot be cancelled")
    session.status = SessionStatus.cancelled
    session.cancel_reason = reason
    db.flush()
    record(db, actor, "session.cancel", "session", session.id, detail={"reason": reason})
    return _read(db, session)


def write_group_note(db: Session, actor: Actor, session_id: uuid.UUID, note: str) -> SessionRead:
    session = find_session(db, session_id)
    if session.status == SessionStatus.cancelled:
        raise SessionCancelled("A cancelled session has no group note")
    # Conditional update: of two people saving at once, exactly one note wins.
    written = db.execute(
        update(TreatmentSession)
        .where(TreatmentSession.id == session.id, TreatmentSession.group_note.is_(None))
        .values(group_note=note, group_note_by_id=actor.id, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        raise GroupNoteExists("The group note is written once; it cannot be replaced")
    record(db, actor, "session.group_note", "session", session.id)
    return _read(db, session)

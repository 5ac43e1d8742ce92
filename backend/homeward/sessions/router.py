import uuid
from typing import Annotated

from fastapi import Body, Query, Request, Response, status
from pydantic import TypeAdapter

from homeward.db import DbSession, current_session
from homeward.deps import ReadPool, Reads, StaffPrincipal, require_roles
from homeward.errors import PermissionDenied, responses
from homeward.fields import UTCInstant
from homeward.http.json_pages import PageWriter
from homeward.http.pagination import Pagination
from homeward.http.routing import api_router
from homeward.idempotency.http import ERRORS as IDEMPOTENCY_ERRORS
from homeward.idempotency.http import IdempotencyKey, idempotent_model
from homeward.pagination import Page
from homeward.programs.models import SessionType
from homeward.sessions import attendance, attendance_pooled, schedule, service
from homeward.sessions.exceptions import (
    FacilitatorBusy,
    GroupNoteExists,
    ProgramNotFound,
    ScheduleBusy,
    SessionCancelled,
    SessionEnded,
    SessionNotFound,
    SessionNotStarted,
    SessionTimesFixed,
)
from homeward.sessions.models import SessionStatus
from homeward.sessions.schemas import (
    AttendanceBatch,
    AttendanceRead,
    GroupNoteWrite,
    ScheduleGenerate,
    ScheduleResult,
    SessionCancel,
    SessionCreate,
    SessionRead,
    SessionSummary,
    SessionUpdate,
)

router = api_router(tags=["sessions"])
# The busiest responses, written as JSON straight from their rows.
_SESSION_PAGES = PageWriter(SessionSummary)
_ATTENDANCE_RECORDS = PageWriter(AttendanceRead)
_SESSION = TypeAdapter(SessionRead)

Clinical = Annotated[StaffPrincipal, require_roles("admin", "clinician")]
# Medical staff book and record medical sessions; the service checks the type.
Booking = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical")]
Readers = Annotated[StaffPrincipal, require_roles("admin", "clinician", "medical", "intake")]


@router.post(
    "/programs/{program_id}/schedule/generate",
    response_model=ScheduleResult,
    responses=responses(ProgramNotFound, ScheduleBusy),
)
def generate_schedule(
    program_id: uuid.UUID, body: ScheduleGenerate, staff: Clinical, db: DbSession
) -> ScheduleResult:
    """One session per slot occurrence between two local dates, rostered by phase.

    Idempotent: existing occurrences are counted, not duplicated, and the rosters
    of future ones are brought up to date. Past dates backfill history.
    """
    return schedule.generate(db, staff.actor, program_id, body)


@router.get("/sessions", response_model=Page[SessionSummary])
async def list_sessions(
    staff: Readers,
    reads: Reads,
    page: Pagination,
    starts_from: Annotated[
        UTCInstant | None,
        Query(alias="from", description="Sessions starting at or after (UTC without offset)"),
    ] = None,
    starts_to: Annotated[
        UTCInstant | None,
        Query(alias="to", description="Sessions starting before (UTC without offset)"),
    ] = None,
    program_id: uuid.UUID | None = None,
    facilitator_id: uuid.UUID | None = None,
    enrollment_id: Annotated[
        uuid.UUID | None, Query(description="Sessions with this enrollment on the roster")
    ] = None,
    session_type: Annotated[SessionType | None, Query(alias="type")] = None,
    session_status: Annotated[SessionStatus | None, Query(alias="status")] = None,
) -> Response:
    """Session summaries in start order: each counts its roster and the attendance recorded.

    The roster itself is on the single session (`GET /sessions/{session_id}`), its
    attendance records on `GET /sessions/{session_id}/attendance`.
    """
    rows, next_cursor = await service.list_sessions(
        reads,
        staff.actor,
        page,
        starts_from=starts_from,
        starts_to=starts_to,
        program_id=program_id,
        facilitator_id=facilitator_id,
        enrollment_id=enrollment_id,
        session_type=session_type,
        status=session_status,
    )
    return Response(_SESSION_PAGES.page(rows, next_cursor), media_type="application/json")


@router.post(
    "/sessions",
    response_model=SessionRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(FacilitatorBusy, PermissionDenied, *IDEMPOTENCY_ERRORS),
)
def create_session(
    body: SessionCreate,
    staff: Booking,
    db: DbSession,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> SessionRead | Response:
    """An ad-hoc session (individual therapy, medical visit, family session) with its roster."""
    return idempotent_model(
        db,
        request,
        actor=staff.actor,
        key=idempotency_key,
        body=body,
        run=lambda: service.create_session(db, staff.actor, body),
        read_as=_SESSION,
        status_code=201,
    )


@router.get(
    "/sessions/{session_id}", response_model=SessionRead, responses=responses(SessionNotFound)
)
def get_session(session_id: uuid.UUID, staff: Readers, db: DbSession) -> SessionRead:
    return service.get_session(db, staff.actor, session_id)


@router.patch(
    "/sessions/{session_id}",
    response_model=SessionRead,
    responses=responses(SessionNotFound, SessionCancelled, SessionTimesFixed, FacilitatorBusy),
)
def update_session(
    session_id: uuid.UUID, body: SessionUpdate, staff: Clinical, db: DbSession
) -> SessionRead:
    return service.update_session(db, staff.actor, session_id, body)


@router.post(
    "/sessions/{session_id}/cancel",
    response_model=SessionRead,
    responses=responses(SessionNotFound, SessionCancelled, SessionEnded),
)
def cancel_session(
    session_id: uuid.UUID, body: SessionCancel, staff: Clinical, db: DbSession
) -> SessionRead:
    return service.cancel_session(db, staff.actor, session_id, body.reason)


@router.put(
    "/sessions/{session_id}/group-note",
    response_model=SessionRead,
    responses=responses(SessionNotFound, SessionCancelled, GroupNoteExists),
)
def write_group_note(
    session_id: uuid.UUID, body: GroupNoteWrite, staff: Clinical, db: DbSession
) -> SessionRead:
    """The facilitator's note on the session as a whole; written once."""
    return service.write_group_note(db, staff.actor, session_id, body.note)


@router.get(
    "/sessions/{session_id}/attendance",
    response_model=list[AttendanceRead],
    responses=responses(SessionNotFound),
)
def list_attendance(session_id: uuid.UUID, staff: Readers, db: DbSession) -> list[AttendanceRead]:
    return attendance.list_attendance(db, staff.actor, session_id)


@router.put(
    "/sessions/{session_id}/attendance",
    response_model=list[AttendanceRead],
    responses=responses(SessionNotFound, SessionCancelled, SessionNotStarted, PermissionDenied),
)
async def record_attendance(
    session_id: uuid.UUID,
    body: Annotated[AttendanceBatch, Body()],
    staff: Booking,
    pool: ReadPool,
) -> Response:
    """Record attendance for rostered enrollments; re-sending replaces their earlier records.

    Returns every attendance record of the session.
    """
    records = await attendance_pooled.save_attendance(
        pool, current_session, staff.actor, session_id, body
    )
    return Response(_ATTENDANCE_RECORDS.array(records), media_type="application/json")

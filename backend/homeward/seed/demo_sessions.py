"""The demo's sessions, their rosters and their attendance.

Sessions cover the ten weeks of history and the next two, one per slot occurrence,
rostered from the phase history each story planned (`plan_sessions`, shared with the
synthetic clinic). Attendance exists only for sessions that have ended and were not
cancelled; how often a client comes follows the reliability their story was given.
"""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from homeward.programs.models import Program
from homeward.progress.metrics import today_in
from homeward.seed.demo_plan import HISTORY_DAYS, DemoContext, DemoEnrollment
from homeward.seed.history import PlannedSession, Row, SlotSpec, minutes_for, plan_sessions
from homeward.sessions.models import AttendanceStatus, SessionStatus

UPCOMING_DAYS = 14


def program_sessions(
    ctx: DemoContext, program: Program, plans: list[DemoEnrollment]
) -> list[PlannedSession]:
    """`program`'s sessions with their rosters; one past group was cancelled."""
    zone = ZoneInfo(program.timezone)
    today = today_in(program.timezone, ctx.now)
    slots = [
        SlotSpec(
            s.id,
            s.weekday,
            s.start_time,
            s.end_time,
            s.session_type,
            s.title,
            s.facilitator_id,
            s.room,
        )
        for s in program.slots
    ]
    slots_by_phase = {phase.id: frozenset(s.id for s in phase.slots) for phase in program.phases}
    planned = plan_sessions(
        program.id,
        zone,
        slots,
        today - timedelta(days=HISTORY_DAYS - 1),
        today + timedelta(days=UPCOMING_DAYS),
        slots_by_phase,
        {plan.id: plan.stints for plan in plans if plan.stints},
        ctx.rng,
    )
    # One past group was cancelled: its roster stays, it has no attendance.
    past = [s for s in planned if s.ends_at < ctx.now - timedelta(days=14)]
    if past:
        cancelled = ctx.rng.choice(past)
        cancelled.row["status"] = SessionStatus.cancelled
        cancelled.row["cancel_reason"] = "Facilitator ill; group rescheduled"
    for session in planned:
        session.row.setdefault("cancel_reason", None)
    return planned


def roster_rows(planned: list[PlannedSession]) -> list[Row]:
    return [{"session_id": s.row["id"], "enrollment_id": e} for s in planned for e in s.roster]


def attendance_rows(
    ctx: DemoContext, planned: list[PlannedSession], plans: dict[uuid.UUID, DemoEnrollment]
) -> list[Row]:
    """A record for each rostered client of each session that has ended."""
    rng = ctx.rng
    rows = []
    for session in planned:
        if session.ends_at > ctx.now or session.row["status"] == SessionStatus.cancelled:
            continue
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        for enrollment_id in session.roster:
            plan = plans[enrollment_id]
            if rng.random() < plan.reliability:
                status = rng.choices(
                    [AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.left_early],
                    [90, 6, 4],
                )[0]
            elif rng.random() < (0.7 if plan.reliability > 0.8 else 0.3):
                status = AttendanceStatus.absent_excused
            else:
                status = AttendanceStatus.absent_unexcused
            rows.append(
                {
                    "session_id": session.row["id"],
                    "enrollment_id": enrollment_id,
                    "status": status,
                    "minutes_attended": minutes_for(status, minutes, rng),
                    "note": "Called in sick" if status == AttendanceStatus.absent_excused else None,
                    "recorded_by_id": session.row["facilitator_id"] or ctx.clinicians[0].id,
                    "recorded_at": session.ends_at,
                }
            )
    return rows

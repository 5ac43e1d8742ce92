"""The demo's homework: one assignment each evening a client attended, handed in or not.

Homework follows attendance: the last session a client attended on a day assigns it,
due at their next rostered session (or the next morning), and the client's
reliability decides whether it was handed in, and the clinic's clock whether it has
been reviewed yet.
"""

import uuid
from datetime import date, datetime, timedelta

from homeward.homework.due import next_morning
from homeward.homework.models import HomeworkStatus, ReviewOutcome
from homeward.seed.demo_plan import DemoContext, DemoEnrollment
from homeward.seed.history import NOT_HANDED_IN, PlannedSession, Row, new_id
from homeward.sessions.models import ATTENDED, SessionStatus

REVIEWED_WITHIN = timedelta(days=2)


def homework_rows(
    ctx: DemoContext,
    planned: list[PlannedSession],
    attendance: list[Row],
    plans: dict[uuid.UUID, DemoEnrollment],
) -> list[Row]:
    """Each evening after attending: one assignment, due at the next rostered session."""
    rostered = _rostered_starts(planned)
    rows = []
    for enrollment_id, session in _last_attended(planned, attendance):
        plan = plans[enrollment_id]
        # As the app sets it: the next session after the assignment, else the next morning.
        upcoming = [s for s in rostered.get(enrollment_id, []) if s > session.ends_at]
        due_at = min(upcoming, default=next_morning(plan.program.timezone, session.ends_at))
        row = _assignment(ctx, plan, session, due_at)
        rows.append(row)
        _hand_in(ctx, plan, row, session)
    return rows


def _rostered_starts(planned: list[PlannedSession]) -> dict[uuid.UUID, list[datetime]]:
    """When each enrollment's scheduled (not cancelled) sessions start."""
    rostered: dict[uuid.UUID, list[datetime]] = {}
    for session in planned:
        if session.row["status"] == SessionStatus.scheduled:
            for enrollment_id in session.roster:
                rostered.setdefault(enrollment_id, []).append(session.starts_at)
    return rostered


def _last_attended(
    planned: list[PlannedSession], attendance: list[Row]
) -> list[tuple[uuid.UUID, PlannedSession]]:
    """The last session each enrollment attended on each day, by enrollment and day."""
    sessions = {s.row["id"]: s for s in planned}
    last: dict[tuple[uuid.UUID, date], PlannedSession] = {}
    for record in attendance:
        if record["status"] not in ATTENDED:
            continue
        session = sessions[record["session_id"]]
        key = (record["enrollment_id"], session.day)
        if key not in last or last[key].ends_at < session.ends_at:
            last[key] = session
    ordered = sorted(last.items(), key=lambda item: (str(item[0][0]), item[0][1]))
    return [(enrollment_id, session) for (enrollment_id, _day), session in ordered]


def _assignment(
    ctx: DemoContext, plan: DemoEnrollment, session: PlannedSession, due_at: datetime
) -> Row:
    """A template's homework, assigned by the facilitator as the session ends."""
    template = ctx.rng.choice(ctx.templates)
    return {
        "id": new_id(ctx.rng),
        "enrollment_id": plan.id,
        "template_id": template.id,
        "session_id": session.row["id"],
        "title": template.title,
        "instructions": template.instructions,
        "category": template.category,
        "assigned_at": session.ends_at,
        "assigned_by_id": session.row["facilitator_id"] or plan.clinician_id,
        "due_at": due_at,
        "status": HomeworkStatus.assigned,
        **NOT_HANDED_IN,
    }


def _hand_in(ctx: DemoContext, plan: DemoEnrollment, row: Row, session: PlannedSession) -> None:
    """Submitted (mostly before it is due) as reliably as the client attends; what was
    handed in more than two days ago has been reviewed, nearly all of it accepted."""
    rng, now, due_at = ctx.rng, ctx.now, row["due_at"]
    if rng.random() >= plan.reliability:
        return  # missed, or not yet done
    submitted_at = due_at - timedelta(hours=rng.randint(1, 12))
    if rng.random() < 0.06:
        submitted_at = due_at + timedelta(hours=rng.randint(1, 20))
    submitted_at = max(submitted_at, session.ends_at + timedelta(hours=1))
    if submitted_at > now:
        return
    row.update(status=HomeworkStatus.submitted, response="Done; notes attached.")
    row["submitted_at"] = submitted_at
    reviewed_at = submitted_at + timedelta(hours=rng.randint(2, 30))
    reviewed_soon = rng.random() < 0.6
    # A clinic reviews within a couple of days: only the newest wait. What waited is
    # accepted, without a draw, so that every other row of the demo stays as it was.
    waited = not reviewed_soon and submitted_at < now - REVIEWED_WITHIN
    if (reviewed_soon or waited) and reviewed_at <= now:
        if waited:
            reviewed_at = submitted_at + REVIEWED_WITHIN
        accepted = waited or rng.random() < 0.9
        row.update(
            status=HomeworkStatus.reviewed,
            feedback="Good reflection; let's build on it." if accepted else "Please expand.",
            review_outcome=ReviewOutcome.accepted if accepted else ReviewOutcome.needs_revision,
            reviewed_at=reviewed_at,
            reviewed_by_id=plan.clinician_id,
        )

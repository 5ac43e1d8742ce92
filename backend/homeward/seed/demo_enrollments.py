"""The demo's enrollments and their history: phase changes, status changes, extensions.

Each planned story becomes the enrollment row and the append-only history that leads
to it, as the lifecycle would have written it: a referral (pending), an admission
into the first phase, steps down along the taper and back up after a relapse, an
extension per relapse or need for support, and the hold, completion or discharge
that ended the stay. The phase history planned here (`DemoEnrollment.stints`) is what
the sessions' rosters follow.
"""

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from homeward.auth.models import User
from homeward.enrollments.models import EnrollmentStatus
from homeward.progress.metrics import today_in
from homeward.seed.demo_plan import DemoContext, DemoEnrollment
from homeward.seed.history import Row, Stint, local_instant, new_id, phase_change_rows, status_row

DISCHARGE_REASONS = ["administrative", "transferred_to_higher_level", "other"]
# How long each phase lasts before stepping down, by program (the last phase is open).
PHASE_DAYS = {"Day IOP": (14, 21), "Evening IOP": (21, 28), "Partial Hospitalization": (10, 10)}
EXTENSION_DAYS = 14


def enrollment_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> dict[str, list[Row]]:
    """Each plan's enrollment and history; sets its clinician and phase history."""
    rows: dict[str, list[Row]] = {"enrollments": [], "phases": [], "statuses": [], "extensions": []}
    for plan in plans:
        zone = ZoneInfo(plan.program.timezone)
        today = today_in(plan.program.timezone, ctx.now)
        clinician = _primary_clinician(ctx, plan)
        plan.clinician_id = clinician.id
        assert plan.created_on is not None
        created_at = min(local_instant(plan.created_on, time(10), zone), ctx.now)
        rows["statuses"].append(
            status_row(plan.id, None, EnrollmentStatus.pending, created_at, "referral", ctx.rng)
        )
        row = _enrollment_row(plan, clinician, created_at)
        rows["enrollments"].append(row)
        if plan.admitted_on is None:
            continue
        _phase_history(ctx.rng, plan, today)
        row["current_phase_id"] = plan.stints[-1].phase_id
        row["phase_started_on"] = plan.stints[-1].start
        rows["phases"].extend(
            phase_change_rows(plan.id, plan.stints, plan.reasons, ctx.rng, clinician.id)
        )
        admitted_at = min(local_instant(plan.admitted_on, time(8, 30), zone), ctx.now)
        rows["statuses"].append(
            status_row(
                plan.id,
                EnrollmentStatus.pending,
                EnrollmentStatus.active,
                admitted_at,
                "admitted",
                ctx.rng,
            )
        )
        extensions, row["expected_end_on"] = _extensions(ctx, plan, clinician.id, zone, today)
        rows["extensions"].extend(extensions)
        if plan.ends_on is not None:
            rows["statuses"].append(_ending(ctx, plan, row, zone))
    return rows


def _primary_clinician(ctx: DemoContext, plan: DemoEnrollment) -> User:
    """The therapist has every partial-hospitalization client; the rest are shared."""
    if plan.program.name == "Partial Hospitalization":
        return ctx.clinicians[1]
    return ctx.rng.choice(ctx.clinicians)


def _enrollment_row(plan: DemoEnrollment, clinician: User, created_at: datetime) -> Row:
    """The row as referred; admission, taper and ending fill in the rest."""
    return {
        "id": plan.id,
        "patient_id": plan.patient_id,
        "program_id": plan.program.id,
        "status": EnrollmentStatus(plan.kind),
        "current_phase_id": None,
        "phase_started_on": None,
        "primary_clinician_id": clinician.id,
        "admitted_on": plan.admitted_on,
        "expected_end_on": None,
        "completed_on": None,
        "discharged_on": None,
        "discharge_reason": None,
        "created_at": created_at,
        "updated_at": created_at,
    }


def _phase_history(rng: random.Random, plan: DemoEnrollment, today: date) -> None:
    """Step down along the taper; a relapse steps back up one phase, once."""
    assert plan.admitted_on is not None
    phases = plan.program.phases
    shortest, longest = PHASE_DAYS[plan.program.name]
    # Phase changes happen no later than today; a finished stay stops at its end.
    limit = plan.ends_on or today + timedelta(days=1)
    index, start, stepped_up = 0, plan.admitted_on, False
    reason = "admission"
    while True:
        is_last = index == len(phases) - 1
        end = None if is_last else start + timedelta(days=rng.randint(shortest, longest))
        following, next_reason = index + 1, "step down: steady attendance and homework"
        relapse = plan.relapse_on
        if (
            relapse is not None
            and not stepped_up
            and index > 0
            and start <= relapse
            and (end is None or relapse < end)
        ):
            end, following, stepped_up = relapse + timedelta(days=1), index - 1, True
            next_reason = "step up after relapse"
        if end is None or end >= limit:
            plan.stints.append(Stint(phases[index].id, start, plan.ends_on))
            plan.reasons.append(reason)
            return
        plan.stints.append(Stint(phases[index].id, start, end))
        plan.reasons.append(reason)
        index, start, reason = following, end, next_reason


def _extensions(
    ctx: DemoContext, plan: DemoEnrollment, clinician_id: uuid.UUID, zone: ZoneInfo, today: date
) -> tuple[list[Row], date]:
    """Two weeks more the day after a relapse (while still in care), and two for support;
    the extensions, and the expected end date they lead to from the default length."""
    assert plan.admitted_on is not None
    end_on = plan.admitted_on + timedelta(days=plan.program.default_length_days)
    extensions = []
    if plan.relapse_on is not None and plan.kind in ("active", "on_hold"):
        extensions.append((plan.relapse_on + timedelta(days=1), "relapse", "Relapse"))
    if plan.support_extension:
        on = min(plan.admitted_on + timedelta(days=30), today)
        extensions.append((on, "needs_more_support", "Needs more support at home"))
    rows = []
    for on, reason, note in extensions:
        new_end = end_on + timedelta(days=EXTENSION_DAYS)
        rows.append(
            {
                "id": new_id(ctx.rng),
                "enrollment_id": plan.id,
                "days": EXTENSION_DAYS,
                "reason": reason,
                "note": note,
                "previous_end_on": end_on,
                "new_end_on": new_end,
                "created_by_id": clinician_id,
                "created_at": min(local_instant(on, time(12), zone), ctx.now),
            }
        )
        end_on = new_end
    return rows, end_on


def _ending(ctx: DemoContext, plan: DemoEnrollment, row: Row, zone: ZoneInfo) -> Row:
    """The hold, completion or discharge on `plan.ends_on`: fills in `row`, returns the
    status change."""
    assert plan.ends_on is not None
    ended_at = min(local_instant(plan.ends_on, time(16), zone), ctx.now)
    if plan.kind == "completed":
        row["completed_on"] = plan.ends_on
        note = "completed the program"
    elif plan.kind == "discharged":
        reason = plan.discharge_reason or ctx.rng.choice(DISCHARGE_REASONS)
        row["discharged_on"], row["discharge_reason"] = plan.ends_on, reason
        note = reason.replace("_", " ")
    else:
        note = "medical leave"
    return status_row(
        plan.id, EnrollmentStatus.active, EnrollmentStatus(plan.kind), ended_at, note, ctx.rng
    )

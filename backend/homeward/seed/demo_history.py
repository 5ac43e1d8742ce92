"""The demo clinic's ten weeks of history, planned per client and written with bulk inserts.

Each client's story (admission, taper, relapse, hold, completion or discharge) is
planned first as a `DemoEnrollment`; rows follow from it so that the domain's
invariants hold: rosters follow phase history, attendance only for sessions that
have ended, a history row for every phase and status change, and expected end
dates that add up. Ids come from the caller's `random.Random`, like every choice.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from homeward.auth.models import User
from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    EnrollmentStatus,
    EventKind,
    Extension,
    PhaseChange,
    ScreenResult,
    StatusChange,
)
from homeward.homework.models import Homework, HomeworkStatus, HomeworkTemplate, ReviewOutcome
from homeward.patients.models import Consent, Patient, PatientContact
from homeward.programs.models import Program
from homeward.seed.history import (
    PlannedSession,
    Row,
    SlotSpec,
    Stint,
    bulk_insert,
    local_instant,
    minutes_for,
    new_id,
    phase_change_rows,
    plan_sessions,
    status_row,
)
from homeward.sessions.models import (
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
    TreatmentSession,
)

HISTORY_DAYS = 70

GIVEN_NAMES = [
    "Alex", "Jordan", "Taylor", "Morgan", "Riley", "Jamie", "Casey", "Drew", "Sam", "Robin",
    "Maria", "James", "Linda", "Michael", "Aisha", "Wei", "Carlos", "Priya", "Daniel", "Grace",
    "Noah", "Olivia", "Mateo", "Emma", "Liam", "Sofia", "Ethan", "Chloe", "Lucas", "Hannah",
]  # fmt: skip
FAMILY_NAMES = [
    "Smith", "Johnson", "Garcia", "Brown", "Nguyen", "Patel", "Miller", "Davis", "Lopez",
    "Wilson", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Clark", "Lewis", "Walker",
    "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
]  # fmt: skip
RELATIONSHIPS = ["spouse", "partner", "parent", "sibling", "adult child", "friend"]
CONDITIONS = [
    ("Depression", "mental"),
    ("Generalized anxiety", "mental"),
    ("PTSD", "mental"),
    ("Hypertension", "physical"),
    ("Hepatitis C", "physical"),
    ("Type 2 diabetes", "physical"),
]
MEDICATIONS = [
    {"name": "Naltrexone", "dose": "50 mg", "schedule": "once daily"},
    {"name": "Buprenorphine/naloxone", "dose": "8 mg/2 mg", "schedule": "once daily"},
    {"name": "Sertraline", "dose": "50 mg", "schedule": "once daily"},
    {"name": "Acamprosate", "dose": "666 mg", "schedule": "three times daily"},
]
SUBSTANCES = ["alcohol", "cannabis", "opioids", "cocaine", "methamphetamine"]
DISCHARGE_REASONS = ["administrative", "transferred_to_higher_level", "other"]
# How long each phase lasts before stepping down, by program (the last phase is open).
PHASE_DAYS = {"Day IOP": (14, 21), "Evening IOP": (21, 28), "Partial Hospitalization": (10, 10)}
UPCOMING_DAYS = 14
EXTENSION_DAYS = 14


@dataclass
class DemoEnrollment:
    """One client's story, planned first and then written out as rows."""

    id: uuid.UUID
    program: Program
    kind: str  # pending, active, on_hold, completed or discharged
    reliability: float = 0.9
    created_on: date | None = None
    admitted_on: date | None = None
    # Completion, discharge or hold date: the client attends no session from this day on.
    ends_on: date | None = None
    relapse_on: date | None = None
    support_extension: bool = False
    discharge_reason: str | None = None
    patient_id: uuid.UUID | None = None
    clinician_id: uuid.UUID | None = None
    stints: list[Stint] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class DemoContext:
    rng: random.Random
    now: datetime
    templates: list[HomeworkTemplate]
    clinicians: list[User]
    medical: User
    intake: User


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


def _patient_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> dict[str, list[Row]]:
    rng = ctx.rng
    rows: dict[str, list[Row]] = {"patients": [], "contacts": [], "consents": []}
    mrns: set[str] = set()
    for number, plan in enumerate(plans, start=1):
        while (mrn := f"HW-{rng.randint(100_000, 999_999)}") in mrns:
            pass
        mrns.add(mrn)
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        first_seen = plan.created_on or ctx.now.date()
        detox = rng.choices(["not_needed", "completed", "in_progress"], [5, 4, 1])[0]
        if plan.kind != "pending" and detox == "in_progress":
            detox = "completed"
        profile = {
            "detox_status": detox,
            "detox_completed_on": (
                (first_seen - timedelta(days=rng.randint(3, 20))).isoformat()
                if detox == "completed"
                else None
            ),
            "conditions": [
                {"name": name, "kind": kind, "treated": rng.random() < 0.85, "serious": False}
                for name, kind in rng.sample(CONDITIONS, rng.randint(0, 2))
            ],
            "medications": rng.sample(MEDICATIONS, rng.randint(0, 2)),
        }
        patient_id = plan.patient_id = new_id(rng)
        rows["patients"].append(
            {
                "id": patient_id,
                "mrn": mrn,
                "given_name": given,
                "family_name": family,
                "date_of_birth": date(1965, 1, 1) + timedelta(days=rng.randint(0, 14_000)),
                "sex": rng.choice(["female", "male", "female", "male", "intersex", "unknown"]),
                "phone": f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                "email": f"{given}.{family}{number}@example.com".lower(),
                "medical_profile": profile,
            }
        )
        contacts = []
        for _ in range(rng.randint(1, 2)):
            contact = f"{rng.choice(GIVEN_NAMES)} {family}"
            contacts.append(contact)
            rows["contacts"].append(
                {
                    "id": new_id(rng),
                    "patient_id": patient_id,
                    "name": contact,
                    "relationship_to_patient": rng.choice(RELATIONSHIPS),
                    "phone": f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    "email": None,
                    "joins_family_program": rng.random() < 0.5,
                }
            )
        signed_on = first_seen
        rows["consents"].append(
            {
                "id": new_id(rng),
                "patient_id": patient_id,
                "recipient_partner_id": None,
                "recipient_name": rng.choice([f"{contacts[0]} (family)", "Primary care physician"]),
                "purpose": "Coordinate care and share progress in treatment",
                "scopes": rng.sample(["status_updates", "discharge_summary", "attendance"], 2),
                "signed_on": signed_on,
                "expires_on": signed_on + timedelta(days=365),
                "revoked_on": (
                    signed_on + timedelta(days=7)
                    if rng.random() < 0.03 and signed_on + timedelta(days=7) <= ctx.now.date()
                    else None
                ),
                "created_by_id": ctx.intake.id,
            }
        )
    return rows


def _enrollment_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> dict[str, list[Row]]:
    rng = ctx.rng
    rows: dict[str, list[Row]] = {"enrollments": [], "phases": [], "statuses": [], "extensions": []}
    for plan in plans:
        program = plan.program
        zone = ZoneInfo(program.timezone)
        today = ctx.now.astimezone(zone).date()
        clinician = (
            ctx.clinicians[1]
            if program.name == "Partial Hospitalization"
            else rng.choice(ctx.clinicians)
        )
        plan.clinician_id = clinician.id
        assert plan.created_on is not None
        created_at = min(local_instant(plan.created_on, time(10), zone), ctx.now)
        rows["statuses"].append(
            status_row(plan.id, None, EnrollmentStatus.pending, created_at, "referral", rng)
        )
        row: Row = {
            "id": plan.id,
            "patient_id": plan.patient_id,
            "program_id": program.id,
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
        rows["enrollments"].append(row)
        if plan.admitted_on is None:
            continue
        _phase_history(rng, plan, today)
        row["current_phase_id"] = plan.stints[-1].phase_id
        row["phase_started_on"] = plan.stints[-1].start
        rows["phases"].extend(
            phase_change_rows(plan.id, plan.stints, plan.reasons, rng, clinician.id)
        )
        admitted_at = min(local_instant(plan.admitted_on, time(8, 30), zone), ctx.now)
        rows["statuses"].append(
            status_row(
                plan.id,
                EnrollmentStatus.pending,
                EnrollmentStatus.active,
                admitted_at,
                "admitted",
                rng,
            )
        )
        end_on = plan.admitted_on + timedelta(days=program.default_length_days)
        extensions = []
        if plan.relapse_on is not None and plan.kind in ("active", "on_hold"):
            extensions.append((plan.relapse_on + timedelta(days=1), "relapse", "Relapse"))
        if plan.support_extension:
            on = min(plan.admitted_on + timedelta(days=30), today)
            extensions.append((on, "needs_more_support", "Needs more support at home"))
        for on, reason, note in extensions:
            new_end = end_on + timedelta(days=EXTENSION_DAYS)
            rows["extensions"].append(
                {
                    "id": new_id(rng),
                    "enrollment_id": plan.id,
                    "days": EXTENSION_DAYS,
                    "reason": reason,
                    "note": note,
                    "previous_end_on": end_on,
                    "new_end_on": new_end,
                    "created_by_id": clinician.id,
                    "created_at": min(local_instant(on, time(12), zone), ctx.now),
                }
            )
            end_on = new_end
        row["expected_end_on"] = end_on
        if plan.ends_on is None:
            continue
        ended_at = min(local_instant(plan.ends_on, time(16), zone), ctx.now)
        if plan.kind == "completed":
            row["completed_on"] = plan.ends_on
            note = "completed the program"
        elif plan.kind == "discharged":
            reason = plan.discharge_reason or rng.choice(DISCHARGE_REASONS)
            row["discharged_on"], row["discharge_reason"] = plan.ends_on, reason
            note = reason.replace("_", " ")
        else:
            note = "medical leave"
        rows["statuses"].append(
            status_row(
                plan.id,
                EnrollmentStatus.active,
                EnrollmentStatus(plan.kind),
                ended_at,
                note,
                rng,
            )
        )
    return rows


def _program_sessions(
    ctx: DemoContext, program: Program, plans: list[DemoEnrollment]
) -> list[PlannedSession]:
    zone = ZoneInfo(program.timezone)
    today = ctx.now.astimezone(zone).date()
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


def _attendance_rows(
    ctx: DemoContext, planned: list[PlannedSession], plans: dict[uuid.UUID, DemoEnrollment]
) -> list[Row]:
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


def _homework_rows(
    ctx: DemoContext,
    planned: list[PlannedSession],
    attendance: list[Row],
    plans: dict[uuid.UUID, DemoEnrollment],
) -> list[Row]:
    """Each evening after attending: one assignment, due at the next rostered session."""
    rng, now = ctx.rng, ctx.now
    sessions = {s.row["id"]: s for s in planned}
    rostered: dict[uuid.UUID, list[datetime]] = {}
    for session in planned:
        if session.row["status"] == SessionStatus.scheduled:
            for enrollment_id in session.roster:
                rostered.setdefault(enrollment_id, []).append(session.starts_at)
    last_attended: dict[tuple[uuid.UUID, date], PlannedSession] = {}
    for record in attendance:
        if record["status"] in (AttendanceStatus.absent_excused, AttendanceStatus.absent_unexcused):
            continue
        session = sessions[record["session_id"]]
        key = (record["enrollment_id"], session.day)
        if key not in last_attended or last_attended[key].ends_at < session.ends_at:
            last_attended[key] = session
    rows = []
    for (enrollment_id, day), session in sorted(
        last_attended.items(), key=lambda item: (str(item[0][0]), item[0][1])
    ):
        plan = plans[enrollment_id]
        zone = ZoneInfo(plan.program.timezone)
        upcoming = [s for s in rostered.get(enrollment_id, []) if s > session.ends_at]
        due_at = (
            min(upcoming) if upcoming else local_instant(day + timedelta(days=1), time(9), zone)
        )
        template = rng.choice(ctx.templates)
        row: Row = {
            "id": new_id(rng),
            "enrollment_id": enrollment_id,
            "template_id": template.id,
            "session_id": session.row["id"],
            "title": template.title,
            "instructions": template.instructions,
            "category": template.category,
            "assigned_at": session.ends_at,
            "assigned_by_id": session.row["facilitator_id"] or plan.clinician_id,
            "due_at": due_at,
            "status": HomeworkStatus.assigned,
            "response": None,
            "submitted_at": None,
            "feedback": None,
            "review_outcome": None,
            "reviewed_at": None,
            "reviewed_by_id": None,
        }
        rows.append(row)
        if rng.random() >= plan.reliability:
            continue  # missed, or not yet done
        submitted_at = due_at - timedelta(hours=rng.randint(1, 12))
        if rng.random() < 0.06:
            submitted_at = due_at + timedelta(hours=rng.randint(1, 20))
        submitted_at = max(submitted_at, session.ends_at + timedelta(hours=1))
        if submitted_at > now:
            continue
        row.update(status=HomeworkStatus.submitted, response="Done; notes attached.")
        row["submitted_at"] = submitted_at
        reviewed_at = submitted_at + timedelta(hours=rng.randint(2, 30))
        if rng.random() < 0.6 and reviewed_at <= now:
            accepted = rng.random() < 0.9
            row.update(
                status=HomeworkStatus.reviewed,
                feedback="Good reflection; let's build on it." if accepted else "Please expand.",
                review_outcome=ReviewOutcome.accepted if accepted else ReviewOutcome.needs_revision,
                reviewed_at=reviewed_at,
                reviewed_by_id=plan.clinician_id,
            )
    return rows


def _event_rows(ctx: DemoContext, plans: list[DemoEnrollment]) -> list[Row]:
    """Weekly drug screens (mostly negative), the planned relapses, a crisis, medical notes."""
    rng = ctx.rng
    rows = []

    def event(plan: DemoEnrollment, kind: EventKind, on: date, **values: object) -> None:
        row: Row = {
            "id": new_id(rng),
            "enrollment_id": plan.id,
            "kind": kind,
            "occurred_on": on,
            "result": None,
            "substances": [],
            "note": "",
            "recorded_by_id": ctx.medical.id,
            "created_at": min(datetime.combine(on, time(18), tzinfo=UTC), ctx.now),
        }
        row.update(values)
        rows.append(row)

    for plan in plans:
        if plan.admitted_on is None:
            continue
        today = ctx.now.astimezone(ZoneInfo(plan.program.timezone)).date()
        last = min(today, plan.ends_on - timedelta(days=1)) if plan.ends_on else today
        day = plan.admitted_on + timedelta(days=2)
        while day <= last:
            if day != plan.relapse_on:
                positive = rng.random() < 0.02
                event(
                    plan,
                    EventKind.drug_screen,
                    day,
                    result=ScreenResult.positive if positive else ScreenResult.negative,
                    substances=[rng.choice(SUBSTANCES)] if positive else [],
                    note="Random screen",
                )
            day += timedelta(days=7)
        if plan.relapse_on is not None and plan.relapse_on <= last:
            substance = rng.choice(SUBSTANCES)
            note = "Used over the weekend; disclosed in group."
            event(plan, EventKind.relapse, plan.relapse_on, substances=[substance], note=note)
            screen = ScreenResult.positive
            note = "Confirmatory screen"
            event(
                plan,
                EventKind.drug_screen,
                plan.relapse_on,
                result=screen,
                substances=[substance],
                note=note,
            )
    admitted = [p for p in plans if p.admitted_on is not None and p.kind == "active"]
    for plan in rng.sample(admitted, min(3, len(admitted))):
        assert plan.admitted_on is not None
        on = min(plan.admitted_on + timedelta(days=rng.randint(1, 10)), ctx.now.date())
        if plan.program.name == "Partial Hospitalization" or rng.random() < 0.5:
            event(plan, EventKind.medical, on, note="Blood pressure follow-up with medical staff.")
        else:
            event(plan, EventKind.crisis, on, note="Crisis call; safety plan reviewed.")
    return rows


def build_history(
    db: Session, ctx: DemoContext, programs: list[Program], plans: list[DemoEnrollment]
) -> None:
    people = _patient_rows(ctx, plans)
    care = _enrollment_rows(ctx, plans)
    by_id = {plan.id: plan for plan in plans}
    bulk_insert(db, Patient, people["patients"])
    bulk_insert(db, PatientContact, people["contacts"])
    bulk_insert(db, Consent, people["consents"])
    bulk_insert(db, Enrollment, care["enrollments"])
    bulk_insert(db, PhaseChange, care["phases"])
    bulk_insert(db, StatusChange, care["statuses"])
    bulk_insert(db, Extension, care["extensions"])
    for program in programs:
        planned = _program_sessions(ctx, program, [p for p in plans if p.program is program])
        attendance = _attendance_rows(ctx, planned, by_id)
        bulk_insert(db, TreatmentSession, [s.row for s in planned])
        bulk_insert(
            db,
            RosterEntry,
            [{"session_id": s.row["id"], "enrollment_id": e} for s in planned for e in s.roster],
        )
        bulk_insert(db, Attendance, attendance)
        bulk_insert(db, Homework, _homework_rows(ctx, planned, attendance, by_id))
    bulk_insert(db, ClinicalEvent, _event_rows(ctx, plans))

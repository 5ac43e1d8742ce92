"""The demo clinic's ten weeks of history, planned per client and written with bulk inserts.

Each client's story (admission, taper, relapse, hold, completion or discharge) is
planned first as a `DemoEnrollment`; rows follow from it so that the domain's
invariants hold: rosters follow phase history, attendance only for sessions that
have ended, a history row for every phase and status change, and expected end
dates that add up. Ids come from the caller's `random.Random`, like every choice.

The rows are built a domain at a time, each in its own module; they draw on the one
random source in a fixed order (so a seed gives the same clinic): patients
(`demo_patients`), enrollments and their history (`demo_enrollments`), then per
program its sessions and attendance (`demo_sessions`) and homework (`demo_homework`),
and last the clinical events (`demo_events`).
"""

from sqlalchemy.orm import Session

from homeward.enrollments.models import (
    ClinicalEvent,
    Enrollment,
    Extension,
    PhaseChange,
    StatusChange,
)
from homeward.homework.models import Homework
from homeward.patients.models import Consent, Patient, PatientContact
from homeward.programs.models import Program
from homeward.seed.demo_enrollments import enrollment_rows
from homeward.seed.demo_events import event_rows
from homeward.seed.demo_homework import homework_rows
from homeward.seed.demo_patients import patient_rows
from homeward.seed.demo_plan import DemoContext, DemoEnrollment
from homeward.seed.demo_sessions import attendance_rows, program_sessions, roster_rows
from homeward.seed.history import bulk_insert
from homeward.sessions.models import Attendance, RosterEntry, TreatmentSession


def build_history(
    db: Session, ctx: DemoContext, programs: list[Program], plans: list[DemoEnrollment]
) -> None:
    people = patient_rows(ctx, plans)
    care = enrollment_rows(ctx, plans)
    by_id = {plan.id: plan for plan in plans}
    bulk_insert(db, Patient, people["patients"])
    bulk_insert(db, PatientContact, people["contacts"])
    bulk_insert(db, Consent, people["consents"])
    bulk_insert(db, Enrollment, care["enrollments"])
    bulk_insert(db, PhaseChange, care["phases"])
    bulk_insert(db, StatusChange, care["statuses"])
    bulk_insert(db, Extension, care["extensions"])
    for program in programs:
        planned = program_sessions(ctx, program, [p for p in plans if p.program is program])
        attendance = attendance_rows(ctx, planned, by_id)
        bulk_insert(db, TreatmentSession, [s.row for s in planned])
        bulk_insert(db, RosterEntry, roster_rows(planned))
        bulk_insert(db, Attendance, attendance)
        bulk_insert(db, Homework, homework_rows(ctx, planned, attendance, by_id))
    bulk_insert(db, ClinicalEvent, event_rows(ctx, plans))
